"""What the HTTP service is started with: the twin, the dossier database and, optionally, the
results of a scenario run. ``wijk serve`` checks them and hands them to its worker processes as
environment variables (``WIJK_TWIN``, ``WIJK_DB_URL``, ``WIJK_RESULTS``, ``WIJK_WARMTE``); each worker reads
them here, validated, once."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The service's settings, from the environment (prefix ``WIJK_``)."""

    model_config = SettingsConfigDict(env_prefix="WIJK_", extra="ignore")

    #: The twin (``twin.parquet`` of ``wijk twin build`` or ``wijk demo``).
    twin: Path
    #: The dossier database: ``sqlite:///path.sqlite`` or ``postgresql+psycopg://...``; default
    #: the SQLite file of :data:`api.db.DEFAULT_DB`.
    db_url: str | None = Field(default=None)
    #: A ``wijk scenario run`` output folder for the map and the LEKP report.
    results: Path | None = Field(default=None)
    #: A ``wijk warmte`` output folder for the heat zoning on the map (``/api/v1/warmte``).
    warmte: Path | None = Field(default=None)


__all__ = ["Settings"]
