"""``wijk serve``: the HTTP service for one twin, with the dossier database."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.console import console, fail, progress
from api.cli.workers import run_workers
from buildings.errors import SourceFileError
from sim.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd


def serve(
    twin: Annotated[
        Path | None,
        typer.Option(
            "--twin",
            help="De tweeling (twin.parquet van wijk twin build/demo); zonder: de voorbeeldgemeente.",
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="WIJK_DB_URL",
            help="Database voor de klimaattafeldossiers: sqlite:///pad.sqlite (standaard "
            "wijk.sqlite in de huidige map) of postgresql+psycopg://gebruiker@host/naam.",
        ),
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help="Scenarioresultaten (de map van wijk scenario run) voor de kaart en het "
            "LEKP-rapport; zonder --twin rekent de dienst het voorbeeldscenario zelf door.",
        ),
    ] = None,
    warmte: Annotated[
        Path | None,
        typer.Option(
            "--warmte",
            help="Een warmteplan (de map van wijk warmte) voor de warmtezonering op de kaart.",
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Adres om op te luisteren.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Poort.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=32,
            help="Werkprocessen; elk houdt de tweeling in het geheugen (standaard: het aantal "
            "processorkernen).",
        ),
    ] = os.cpu_count() or 1,
) -> None:
    """Start de webdienst: API onder /api/v1 (documentatie op /docs) en de webpagina."""
    import uvicorn

    from api import db as database
    from buildings.twin import read_twin
    from scenarios.heat.results import load_heat_results
    from scenarios.results import load_results

    with tempfile.TemporaryDirectory() as tmp:
        try:
            with progress("tweeling laden") as step:
                path = twin if twin is not None else _demo_twin(Path(tmp), step)
                frame = read_twin(path)  # checks the file before the workers start
                n = len(frame)
                if results is None and twin is None:
                    step("voorbeeldscenario doorrekenen")
                    results = _example_results(frame, Path(tmp) / "scenario", step)
                if results is not None:
                    load_results(results)  # checks the folder before the workers start
                if warmte is None and twin is None:
                    step("voorbeeldwarmteplan berekenen")
                    from scenarios.heat.pipeline import run_demo_heat_plan

                    # the demo's heat plan as wijk demo makes it (cabins, stand-in source)
                    warmte = run_demo_heat_plan(
                        frame, path, Path(tmp) / "warmte", Path(tmp), results
                    ).out_dir
                if warmte is not None:
                    load_heat_results(warmte)  # the same for the heat plan
                step("database bijwerken")
                database.migrate(database.make_engine(db))
        except (InputError, SourceFileError) as exc:
            fail(str(exc))
        os.environ["WIJK_TWIN"] = str(path)
        if db is not None:
            os.environ["WIJK_DB_URL"] = db
        if results is not None:
            os.environ["WIJK_RESULTS"] = str(results)
        if warmte is not None:
            os.environ["WIJK_WARMTE"] = str(warmte)
        console.print(
            f"Wijkrenovatietool luistert op http://{host}:{port} met {workers} werkproces(sen) "
            f"({n:,} woningen; API-documentatie op /docs).".replace(",", ".")
        )
        config = uvicorn.Config(
            "api.http:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
        with contextlib.suppress(KeyboardInterrupt):
            run_workers(config)


def _example_results(frame: gpd.GeoDataFrame, out: Path, step: Callable[[str], None]) -> Path:
    """The shipped example scenario on the demo twin, written to ``out``."""
    from importlib import resources

    from scenarios.pipeline import run_file

    example = resources.files("scenarios.data").joinpath("scenario_lichtervelde.yaml")
    run_file(str(example), out, twin=frame, progress=step)
    return out


def _demo_twin(folder: Path, step: Callable[[str], None]) -> Path:
    """Build the demo town's twin into ``folder`` (shared by the worker processes)."""
    from buildings.demo import demo_sources
    from buildings.twin import build_twin, write_twin

    step("voorbeeldgemeente opbouwen")
    path = folder / "twin.parquet"
    write_twin(build_twin(demo_sources(folder)), path)
    return path


__all__ = ["serve"]
