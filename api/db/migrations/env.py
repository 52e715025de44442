"""Alembic environment of the dossier database.

Run by :func:`api.db.migrate`, which hands over an open connection in
``config.attributes["connection"]``. Also works from the ``alembic`` command line with
``-x url=...`` or ``sqlalchemy.url``. Importing this module outside an Alembic run does nothing
(the doctest collector imports every module of the package).
"""

from __future__ import annotations

from typing import Any

from alembic import context


def _configure_and_run(connection: Any) -> None:
    from api.db import Base

    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: later migrations rebuild tables in batch mode
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    """Run the migrations online, on the given connection or one made from the URL."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    from api.db import DEFAULT_DB, make_engine

    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url", DEFAULT_DB
    )
    engine = make_engine(url)
    with engine.connect() as connection:
        _configure_and_run(connection)
        connection.commit()


if getattr(context, "config", None) is not None:
    if context.is_offline_mode():
        raise SystemExit("offline (--sql) migrations are not supported; run them on a database")
    run()
