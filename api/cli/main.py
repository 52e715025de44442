"""The command line ``wijk``.

Messages for residents and municipal staff are in Dutch; ``--help`` texts
too, as the command line is used by municipal analysts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.clusters import clusters
from api.cli.console import console, fail, progress
from api.cli.db import db_app  # wijk db upgrade, backup, restore
from api.cli.scenario import scenario_app
from api.cli.serve import serve
from api.cli.tokens import token_app
from api.cli.trajectory import trajectory
from api.cli.twin import print_accounting, twin_app
from api.cli.warmte import warmte, warmte_bench
from api.formatting import central_legend_nl, goal_rows, nl_number, nl_percent
from sim.errors import InputError

app = typer.Typer(
    help="Wijkrenovatietool: renovatiesimulatie voor Vlaamse woningen en wijken.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(twin_app, name="twin")
app.add_typer(scenario_app, name="scenario")
app.add_typer(token_app, name="token")
app.add_typer(db_app, name="db")
app.command("trajectory")(trajectory)
app.command("clusters")(clusters)
app.command("serve")(serve)
app.command("warmte")(warmte)
app.command("warmte-bench")(warmte_bench)


@app.command()
def demo(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Map voor de resultaten (standaard: een nieuwe map in de huidige map)."
        ),
    ] = None,
) -> None:
    """Hoofdtaak op de ingebouwde voorbeeldgemeente: tweeling bouwen, alle woningen simuleren (huidig en per pakket)."""
    from api.cli.demo import run_demo

    try:
        with progress("voorbeeldgemeente genereren") as step:
            result = run_demo(out, progress=step)
    except InputError as exc:
        fail(str(exc))
        return
    except OSError as exc:
        fail(
            f"kan de resultaten niet wegschrijven naar {out}: {exc.strerror or exc}. Kies een andere map met --out."
        )
        return
    print_accounting(result.twin.accounting, len(result.twin.dwellings))
    table = Table(
        title="Alle woningen van de voorbeeldgemeente: huidige toestand en renovatiepakketten"
    )
    for col in (
        "pakket",
        "behoefte\nkWh/m²",
        "score\nkWh/m²",
        "label A\nof beter",
        "CO2\nton/jaar",
        "energiekost\n€/jaar",
    ):
        table.add_column(col, justify="left" if col == "pakket" else "right")
    for r in result.overview.to_dict("records"):
        table.add_row(
            r["pakket"],
            nl_number(r["behoefte_kwh_m2"]),
            nl_number(r["energiescore_kwh_m2"]),
            nl_percent(r["aandeel_label_a"]),
            nl_number(r["co2_ton"], 1),
            nl_number(r["kost_eur"]),
        )
    console.print(table)
    run = result.scenario
    years = run.report_years()
    goals = Table(
        title=f"Scenario {years[0]}–{years[-1]} ({run.scenario.name})",
        caption=central_legend_nl(run.result.factors.shape[0] - 1),
    )
    goals.add_column("indicator")
    for y in years:
        goals.add_column(str(y), justify="right")
    for label, cells in goal_rows(run.indicators, years):
        goals.add_row(label, *[c + (f"\n[dim]({band})[/]" if band else "") for c, band in cells])
    console.print(goals)
    console.print(result.heat_nl.replace("`", ""))
    console.print(f"Geschreven in [bold]{result.out_dir}[/]:")
    console.print(
        "samenvatting.md, validatie.md (het model naast gepubliceerde Vlaamse cijfers), "
        "results.parquet/.csv (per woning en pakket), twin.parquet/.gpkg (de tweeling), "
        "rejects.csv, accounting.csv, bronnen/ (de registerbestanden), scenario/ (het scenario "
        f"{years[0]}–{years[-1]}: woningen, gebouwen, indicatoren, wijken.gpkg, grafieken, "
        "beleid.yaml), warmte/ (het warmteplan: warmtezones.gpkg, warmteplan.md, cabines.csv, "
        "transportleidingen.csv, "
        "grafieken)"
    )


@app.command()
def validate(
    out: Annotated[Path, typer.Option("--out", help="Map voor validatie.md en de grafieken.")],
    twin: Annotated[
        Path | None,
        typer.Option("--twin", help="Tweelingbestand (standaard: de voorbeeldgemeente)."),
    ] = None,
) -> None:
    """Validatierapport: het model naast gepubliceerde Vlaamse cijfers (labels, verbruik, EPC's, kern, warmtepompen)."""
    from api.validation import validate as run_validation
    from api.validation import write_report
    from buildings.errors import SourceFileError
    from buildings.twin import read_twin

    try:
        if twin is None:
            import tempfile

            from buildings.demo import demo_sources
            from buildings.twin import build_twin

            with tempfile.TemporaryDirectory() as tmp:
                frame = build_twin(demo_sources(Path(tmp))).dwellings
            what = "voorbeeldgemeente"
        else:
            frame = read_twin(twin)
            what = str(twin)
        path = write_report(run_validation(frame), out, what)
    except (InputError, SourceFileError) as exc:
        fail(str(exc))
        return
    except OSError as exc:
        fail(
            f"kan niet schrijven naar {out}: {exc.strerror or exc}. Kies een andere map met --out."
        )
        return
    console.print(f"Validatierapport geschreven: [bold]{path}[/]")


@app.command()
def bench(
    dwellings: Annotated[
        int, typer.Option("--dwellings", min=1, help="Aantal synthetische woningen.")
    ] = 1_000_000,
    variants: Annotated[
        int, typer.Option("--variants", min=1, help="Aantal renovatievarianten per woning.")
    ] = 8,
    repeats: Annotated[
        int, typer.Option("--repeats", min=1, help="Aantal gemeten herhalingen (de snelste telt).")
    ] = 1,
    as_json: Annotated[
        bool, typer.Option("--json", help="Eén JSON-object in plaats van een tabel.")
    ] = False,
) -> None:
    """Meet de snelheid van de rekenkern op synthetische woningen (evaluaties per seconde, tijd, geheugen)."""
    from sim.benchmark import run_benchmark

    result = run_benchmark(dwellings, variants, repeats=repeats)
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        return
    table = Table(title="Rekenkern: maandmethode EN ISO 52016-1 + systemen + label")
    table.add_column("grootheid")
    table.add_column("waarde", justify="right")
    table.add_row("woningen × varianten", f"{result.dwellings:,} × {result.variants}")
    table.add_row("evaluaties per seconde", f"{result.evals_per_s:,.0f}")
    table.add_row("rekentijd [s]", f"{result.wall_s:.3f}")
    table.add_row("compilatie/opwarmen [s]", f"{result.compile_s:.2f}")
    table.add_row("aanmaak synthetische woningen [s]", f"{result.setup_s:.2f}")
    table.add_row("piekgeheugen (RSS) [MB]", f"{result.peak_rss_mb:,.0f}")
    table.add_row("threads", str(result.threads))
    console.print(table)


@app.command("serve-bench")
def serve_bench(
    twin: Annotated[
        Path | None, typer.Option("--twin", help="De tweeling; zonder: de voorbeeldgemeente.")
    ] = None,
    clients: Annotated[
        int, typer.Option("--clients", min=1, max=500, help="Gelijktijdige clients.")
    ] = 50,
    seconds: Annotated[
        float, typer.Option("--seconds", min=1, help="Duur van de meting [s].")
    ] = 20.0,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=32, help="Werkprocessen van de dienst.")
    ] = 2,
    corrected: Annotated[
        bool,
        typer.Option(
            "--corrected",
            help="Ook stappenplannen met aanpassingen van de bewoner (U-waarden, "
            "binnentemperatuur, gemeten gasverbruik), terwijl anderen adressen zoeken.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Eén JSON-object.")] = False,
) -> None:
    """Meet de webdienst onder belasting: adressen zoeken en stappenplannen, p50/p95/p99."""
    from api.cli.loadbench import run_load_benchmark

    result = run_load_benchmark(
        twin, clients=clients, seconds=seconds, workers=workers, corrected=corrected
    )
    if as_json:
        typer.echo(json.dumps(result))
        return
    table = Table(
        title=f"Webdienst onder belasting: {clients} clients, {seconds:g} s per soort verzoek, "
        f"{workers} werkprocessen"
    )
    for col in ("verzoek", "aantal", "per s", "p50 ms", "p95 ms", "p99 ms", "fouten"):
        table.add_column(col, justify="left" if col == "verzoek" else "right")
    names = {
        "autocomplete": "adres zoeken",
        "trajectory": "stappenplan",
        "corrected": "stappenplan met aanpassingen",
        "autocomplete_meanwhile": "adres zoeken, intussen",
    }
    for kind in [k for k in names if k in result]:
        r = result[kind]
        table.add_row(
            names[kind],
            str(r["requests"]),
            str(r["per_s"]),
            str(r["p50_ms"]),
            str(r["p95_ms"]),
            str(r["p99_ms"]),
            str(r["errors"]),
        )
    console.print(table)
