"""``wijk token`` and ``wijk db``: API tokens of the dossier service and its database schema.

Tokens are made here, on the command line of the server, never over the API: whoever can run
this command can already read the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.cli.console import console, fail
from sim.errors import InputError

token_app = typer.Typer(
    help="API-tokens voor de klimaattafeldossiers: aanmaken, oplijsten, intrekken.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="De dossierdatabank: schema aanmaken en bijwerken.", no_args_is_help=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="WIJK_DB_URL",
        help="Databank-URL: sqlite:///pad/naar/wijk.sqlite (standaard sqlite:///wijk.sqlite) of "
        "postgresql+psycopg://gebruiker:wachtwoord@server/databank.",
        show_default=False,
    ),
]


def _engine(url: str | None) -> Engine:
    from api.db import make_engine

    try:
        return make_engine(url)
    except InputError as exc:
        fail(str(exc))


@contextmanager
def _ready_session(url: str | None) -> Iterator[Session]:
    """A committing session on a database whose schema is current; a Dutch error otherwise."""
    from api.db import DEFAULT_DB, current_revision, head_revision, session_scope

    raw = url or DEFAULT_DB
    engine = _engine(url)
    shown = engine.url.render_as_string(hide_password=True)
    upgrade = f"wijk db upgrade --db '{shown}'" if url else "wijk db upgrade"
    database = make_url(raw).database or ""
    on_disk = engine.dialect.name == "sqlite" and database not in ("", ":memory:")
    if on_disk and not Path(database).expanduser().exists():
        fail(f"de databank {shown} bestaat nog niet. Maak ze eerst aan met: {upgrade}")
    try:
        current = current_revision(engine)
    except InputError as exc:
        fail(str(exc))
    if current != head_revision():
        fail(
            f"de databank {shown} heeft schemaversie {current or '(geen)'}, deze versie van de "
            f"tool verwacht {head_revision()}. Werk ze eerst bij met: {upgrade}"
        )
    try:
        with session_scope(engine) as session:
            yield session
    except SQLAlchemyError as exc:
        fail(f"de databank {shown} gaf een fout: {exc.__class__.__name__}. Er is niets bewaard.")
    finally:
        engine.dispose()


@token_app.command("create")
def create(
    name: Annotated[
        str, typer.Option("--name", help="Wie het token gebruikt (persoon of systeem).")
    ],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="facilitator (dossiers van de eigen gemeente lezen en bewaren), analyst (lezen "
            "en tellen) of admin (alles, alle gemeenten).",
        ),
    ],
    municipality: Annotated[
        list[str] | None,
        typer.Option(
            "--municipality",
            help="NIS-code van een gemeente (5 cijfers); herhaal voor meer gemeenten. "
            "Niet voor admin.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Maak een API-token aan en toon het geheim (één keer)."""
    from api.db import create_token

    try:
        with _ready_session(db) as session:
            secret = create_token(session, name, role, municipality or [])
    except InputError as exc:
        fail(str(exc))
    console.print(
        "[bold green]Token aangemaakt[/] voor "
        f"{name.strip()} (rol {role}, gemeenten {', '.join(municipality or ['alle'])})."
    )
    console.print(
        "[bold yellow]Bewaar dit geheim nu op een veilige plaats:[/] het wordt maar één keer "
        "getoond en staat niet in de databank (alleen een hash). Kwijt? Trek het in en maak "
        "een nieuw aan."
    )
    # plain echo: no wrapping or markup, so the secret can be copied as is
    typer.echo(secret)


@token_app.command("list")
def list_(db: DbOption = None) -> None:
    """Toon alle tokens (zonder geheimen)."""
    from api.db import list_tokens

    with _ready_session(db) as session:
        tokens = list_tokens(session)
    if not tokens:
        console.print("Er zijn nog geen tokens. Maak er een aan met: wijk token create")
        return
    table = Table(title="API-tokens")
    for col in ("prefix", "naam", "rol", "gemeenten", "aangemaakt (UTC)", "ingetrokken (UTC)"):
        table.add_column(col)
    for t in tokens:
        table.add_row(
            t.prefix,
            t.name,
            t.role.value,
            ", ".join(t.municipalities),
            f"{t.created_at:%Y-%m-%d %H:%M}",
            f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "",
        )
    console.print(table)


@token_app.command("revoke")
def revoke(
    prefix: Annotated[
        str, typer.Argument(help="Het prefix van het token (8 tekens, zie wijk token list).")
    ],
    db: DbOption = None,
) -> None:
    """Trek een token in: het werkt meteen niet meer."""
    from api.db import revoke_token

    with _ready_session(db) as session:
        info = revoke_token(session, prefix)
    if info is None:
        fail(f"geen token met prefix '{prefix}'. Zie wijk token list voor de prefixen.")
    console.print(
        f"Token {info.prefix} ({info.name}) is ingetrokken sinds "
        f"{info.revoked_at:%Y-%m-%d %H:%M} UTC."
    )


@db_app.command("upgrade")
def upgrade(db: DbOption = None) -> None:
    """Maak het schema van de dossierdatabank aan of werk het bij tot de nieuwste versie."""
    from api.db import current_revision, head_revision, migrate

    engine = _engine(db)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        before = current_revision(engine)
        migrate(engine)
    except InputError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    head = head_revision()
    if before == head:
        console.print(f"De databank {shown} is al bij: schemaversie {head}.")
    else:
        console.print(
            f"De databank {shown} is bijgewerkt van schemaversie {before or '(leeg)'} naar {head}."
        )
