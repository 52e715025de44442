"""``python -m api.cli``: the command line ``wijk``."""

from api.cli.main import app

app()
