"""The command line ``wijk``."""

from __future__ import annotations

import typer

app = typer.Typer(help="Wijkrenovatietool: renovatiesimulatie voor Vlaamse wijken.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Wijkrenovatietool command line."""
