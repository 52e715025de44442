"""``wijk scenario``: run a scenario file over the stock, year by year, and its benchmark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.console import console, fail, progress
from api.formatting import central_legend_nl, goal_rows, nl_number
from buildings.errors import SourceFileError
from sim.errors import InputError

scenario_app = typer.Typer(
    help="Scenario's: het woningpatrimonium jaar per jaar tot de horizon, met onzekerheid.",
    no_args_is_help=True,
)


@scenario_app.command("run")
def run(
    file: Annotated[
        Path, typer.Argument(help="Scenariobestand (YAML), zie docs/scenario_schema.md.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Map voor de resultaten.")],
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Reken op Dask: 'local' (werkprocessen op deze machine) of tcp://HOST:PORT "
            "(een bestaande Dask-scheduler). Zonder deze optie: in dit proces.",
        ),
    ] = None,
) -> None:
    """Reken een scenario door (jaar per jaar, met Monte Carlo); schrijf woningen, indicatoren, kaarten, grafieken."""
    from scenarios.pipeline import run_file
    from scenarios.run import SchedulerUnavailable

    if scheduler is not None and scheduler != "local" and not scheduler.startswith("tcp://"):
        fail(f"--scheduler '{scheduler}' is onbekend: gebruik 'local' of tcp://HOST:PORT.")
    try:
        with progress("scenario lezen") as step:
            done = run_file(file, out, scheduler=scheduler, progress=step)
    except (InputError, SourceFileError) as exc:
        fail(f"{exc}\nEr is niets weggeschreven; wat al in {out} stond, is niet aangeraakt.")
    except SchedulerUnavailable as exc:
        fail(f"{exc}. Er is niets weggeschreven.")
    except OSError as exc:
        fail(
            f"kan niet schrijven naar {out}: {exc.strerror or exc}. Kies een andere map met --out."
        )
    ind = done.indicators
    years = done.report_years()
    n = nl_number(len(done.result.dwellings))
    table = Table(title=f"{done.scenario.name}: {done.inputs.municipality[1]}, {n} woningen")
    table.add_column("indicator")
    for y in years:
        table.add_column(str(y), justify="right")
    for label, cells in goal_rows(ind, years):
        texts = [c + (f"\n[dim]({band})[/]" if band else "") for c, band in cells]
        table.add_row(label, *texts)
    console.print(table)
    console.print(central_legend_nl(done.result.factors.shape[0] - 1))
    console.print(
        f"Geschreven in [bold]{done.out_dir}[/]: woningen.parquet, gebouwen.parquet, "
        "indicatoren.parquet/.csv, wijken.gpkg, wijken/<wijk>.gpkg, grafieken/, scenario.yaml, "
        "LEESMIJ.txt (wat elk bestand en elke kolom is), "
        "beleid.yaml (het gebruikte beleid)"
    )


@scenario_app.command("bench")
def bench(
    dwellings: Annotated[
        int, typer.Option("--dwellings", min=100, help="Aantal synthetische woningen.")
    ] = 3_300_000,
    runs: Annotated[
        int, typer.Option("--runs", min=0, help="Aantal Monte Carlo-runs (naast de centrale).")
    ] = 0,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="'local' of tcp://HOST:PORT; standaard in dit proces."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Eén JSON-object in plaats van een tabel.")
    ] = False,
) -> None:
    """Meet een scenario over een synthetisch woningpatrimonium (standaard de grootte van Vlaanderen)."""
    from scenarios.benchmark import run_benchmark

    result = run_benchmark(dwellings, runs=runs, scheduler=scheduler)
    if as_json:
        typer.echo(json.dumps(result))
        return
    table = Table(title="Scenario-benchmark (synthetisch patrimonium)")
    table.add_column("grootheid")
    table.add_column("waarde", justify="right")
    for k, v in result.items():
        table.add_row(k, f"{v:,.2f}" if isinstance(v, float) else str(v))
    console.print(table)
