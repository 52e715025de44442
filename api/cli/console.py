"""What every ``wijk`` command shares: the consoles, the Dutch error exit and the progress spinner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console()
err_console = Console(stderr=True)


def fail(message: str) -> NoReturn:
    """Print ``message`` as a Dutch error line on stderr and stop with exit code 2 (no traceback).

    The message is printed as text: names from the user's files (``[rood]``, a path with
    brackets) are not read as console markup; and it is not cut into lines (the terminal wraps
    it), so that a file name in it can be copied whole.
    """
    err_console.print(f"[bold red]Fout:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code=2)


@contextmanager
def progress(first: str) -> Iterator[Callable[[str], None]]:
    """A spinner with elapsed time; yields a callback that sets the description of the stage."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(first, total=None)
        yield lambda stage: bar.update(task, description=stage)
