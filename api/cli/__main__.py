"""``python -m api.cli``: the command line ``wijk``."""

from api.cli.main import app

if __name__ == "__main__":
    app()
