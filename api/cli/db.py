"""``wijk db``: the dossier database's schema (``upgrade``, in :mod:`api.cli.tokens`) and its
back-ups (``backup``, ``restore``; :mod:`api.db.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.console import console, fail
from api.cli.tokens import DbOption, db_app
from sim.errors import InputError

db_app.info.help = "De dossierdatabank: schema aanmaken en bijwerken, back-up maken en terugzetten."


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


@db_app.command("backup")
def backup(
    file: Annotated[
        Path,
        typer.Argument(
            help="Het back-upbestand dat geschreven wordt (bv. wijk-2026-12-04.sqlite)."
        ),
    ],
    db: DbOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Een bestaand back-upbestand overschrijven.")
    ] = False,
) -> None:
    """Maak een back-up van de SQLite-dossierdatabank, ook terwijl de dienst draait.

    Voor PostgreSQL: gebruik pg_dump (de opdracht legt uit hoe).
    """
    from api.db.backup import backup_sqlite

    try:
        info = backup_sqlite(db, file, force=force)
    except InputError as exc:
        fail(str(exc))
    console.print(
        f"Back-up geschreven: [bold]{info.path}[/] ({_size(info.size_bytes)}, "
        f"{info.dossiers} dossiers, {info.tokens} tokens, {info.audit_rows} auditregels, "
        f"schemaversie {info.revision}, {info.seconds:.1f} s)."
    )
    console.print(
        "Bewaar ze buiten deze server. Let op: een gewist dossier (GDPR) blijft in oudere "
        "back-ups staan tot die vervallen."
    )


@db_app.command("restore")
def restore(
    file: Annotated[Path, typer.Argument(help="Het back-upbestand van wijk db backup.")],
    db: DbOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Een bestaande databank overschrijven (alles wat na de back-up bewaard werd, "
            "gaat verloren).",
        ),
    ] = False,
) -> None:
    """Zet een back-up terug als SQLite-dossierdatabank. Stop eerst de dienst."""
    from api.db import head_revision
    from api.db.backup import restore_sqlite

    try:
        info = restore_sqlite(file, db, force=force)
    except InputError as exc:
        fail(str(exc))
    console.print(
        f"Back-up {file} teruggezet in [bold]{info.path}[/]: {info.dossiers} dossiers, "
        f"{info.tokens} tokens, {info.audit_rows} auditregels (schemaversie {info.revision})."
    )
    if info.revision != head_revision():
        console.print(
            f"De back-up heeft een oudere schemaversie dan deze tool ({head_revision()}); de "
            "dienst werkt ze bij bij het starten, of nu met: wijk db upgrade"
        )
    if info.erased_again:
        console.print(
            f"{len(info.erased_again)} dossiers die na de back-up gewist werden (GDPR), stonden "
            "er weer in en zijn opnieuw gewist (auditregel 'opnieuw gewist')."
        )
    if not info.erasures_checked:
        console.print(
            "[bold yellow]Let op:[/] de vervangen databank kon niet gelezen worden, dus is niet "
            "nagegaan welke dossiers na de back-up gewist werden (GDPR). Die staan nu weer in de "
            "databank: wis ze opnieuw (zie uw register van wisverzoeken)."
        )


__all__ = ["backup", "db_app", "restore"]
