"""``wijk warmte``: the heat zoning of the lokaal warmteplan, from the twin and a scenario run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.console import console, fail, progress
from api.formatting import nl_number
from buildings.errors import SourceFileError
from sim.errors import InputError


def warmte(
    twin: Annotated[
        Path, typer.Option("--twin", help="De tweeling (twin.parquet van wijk twin build/demo).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Map voor het warmteplan.")],
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help="Scenarioresultaten (de map van wijk scenario run): de renovatie van elke "
            "woning per jaar; zonder: enkel de huidige toestand.",
        ),
    ] = None,
    streets: Annotated[
        Path | None,
        typer.Option(
            "--streets",
            help="Straatassen (Wegenregister, Wegsegment als Shapefile of GeoPackage): zones "
            "per straatsegment en de echte tracélengte van een warmtenet.",
        ),
    ] = None,
    cabins: Annotated[
        Path | None,
        typer.Option(
            "--cabins",
            help="Distributiecabines (punten met cabin_id en capacity_kva, GeoPackage of "
            "Shapefile): welke cabine in welk jaar overbelast raakt.",
        ),
    ] = None,
    zones_fixed: Annotated[
        Path | None,
        typer.Option(
            "--zones-fixed",
            help="Vastgelegde zones (GeoPackage met polygonen en een kolom strategy): wat volgt "
            "uit die beslissing.",
        ),
    ] = None,
    costs: Annotated[
        Path | None,
        typer.Option(
            "--kosten",
            help="Kostenaanpassingen (YAML: schema_version: 1, per parameter value/low/high en "
            "een reden): wijzigt parameters van heat_costs.yaml zonder dat bestand aan te "
            "passen; elke wijziging staat in warmteplan.md.",
        ),
    ] = None,
    heat_sources: Annotated[
        Path | None,
        typer.Option(
            "--bronnen",
            help="Warmtebronnen (punten met naam, optioneel vermogen_kw en prijs_eur_mwh, "
            "GeoPackage of Shapefile): elk netgebied betaalt een transportleiding van de "
            "dichtstbijzijnde bron.",
        ),
    ] = None,
    runs: Annotated[
        int, typer.Option("--runs", min=0, max=5000, help="Monte Carlo-trekkingen van de kosten.")
    ] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Zaad van de trekkingen.")] = 0,
) -> None:
    """Warmtezonering: warmtevraag, warmtekost per strategie, advies per zone en netbelasting."""
    from scenarios.heat.pipeline import run_heat_plan

    try:
        with progress("warmteplan") as step:
            done = run_heat_plan(
                twin,
                out,
                results,
                streets,
                cabins,
                zones_fixed,
                costs=costs,
                heat_sources=heat_sources,
                runs=runs,
                seed=seed,
                progress=step,
            )
    except (InputError, SourceFileError) as exc:
        fail(f"{exc}\nEr is niets weggeschreven; wat al in {out} stond, is niet aangeraakt.")
    except OSError as exc:
        fail(
            f"kan niet schrijven naar {out}: {exc.strerror or exc}. Kies een andere map met --out."
        )
    plan = done.plan
    sector = plan.layers["sector"]
    table = Table(title=f"Warmtezonering {done.title}: advies per statistische sector")
    table.add_column("advies")
    for y in plan.years:
        table.add_column(str(y), justify="right")
    counts = sector.groupby(["advice", "year"]).size().unstack(fill_value=0)
    for word, row in counts.iterrows():
        table.add_row(str(word), *[nl_number(int(row.get(y, 0))) for y in plan.years])
    console.print(table)
    if plan.cabins is not None:
        over = plan.cabins.groupby("year")["overloaded"].sum()
        console.print(
            "Overbelaste cabines: "
            + ", ".join(f"{y}: {nl_number(int(n))}" for y, n in over.items())
        )
    files = ["warmtezones.gpkg (lagen " + ", ".join(plan.layers) + ")", "warmteplan.md"]
    if plan.cabins is not None:
        files.append("cabines.csv")
    files += ["buiten_zone.csv", "grafieken/"]
    if streets is not None:
        files.append("weggelaten_straten.csv")
    if heat_sources is not None:
        files.append("transportleidingen.csv")
    console.print(f"Geschreven in [bold]{done.out_dir}[/]: " + ", ".join(files))


def warmte_bench(
    dwellings: Annotated[
        int, typer.Option("--dwellings", min=1000, help="Aantal synthetische woningen.")
    ] = 3_300_000,
    runs: Annotated[
        int, typer.Option("--runs", min=0, max=5000, help="Monte Carlo-trekkingen van de kosten.")
    ] = 200,
    as_json: Annotated[
        bool, typer.Option("--json", help="Eén JSON-object in plaats van een tabel.")
    ] = False,
) -> None:
    """Meet het warmteplan op het rooster van 100 m (standaard Vlaanderen), vandaag en in drie scenariojaren."""
    import json

    from scenarios.heat.benchmark import run_heat_benchmark

    result = run_heat_benchmark(dwellings, runs=runs)
    if as_json:
        console.print_json(json.dumps(result))
        return
    table = Table(title=f"Warmteplan, {nl_number(dwellings)} woningen, {runs} trekkingen")
    table.add_column("stap")
    table.add_column("seconden", justify="right")
    for name, secs in result["stages_s"].items():
        table.add_row(name, str(secs))
    table.add_row("warmteplan (totaal)", str(result["heat_plan_s"]))
    table.add_row("GeoPackage schrijven", str(result["write_gpkg_s"]))
    console.print(table)
    console.print(
        f"{nl_number(result['grid_cells'])} hectarecellen, piekgeheugen "
        f"{nl_number(result['peak_rss_mb'])} MB"
    )


__all__ = ["warmte", "warmte_bench"]
