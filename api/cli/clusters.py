"""``wijk clusters``: candidates for a collective renovation (wijkverbeteringscontract), in Dutch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from api.cli.console import console, fail, progress
from api.formatting import nl_number
from sim.csvsafe import write_csv
from sim.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd

#: Files written by ``wijk clusters`` in ``--out``.
CLUSTERS_GPKG = "clusters.gpkg"
CLUSTERS_CSV = "clusters.csv"
MEMBERS_CSV = "cluster_buildings.csv"
#: Layer of the GeoPackage.
CLUSTERS_LAYER = "clusters"

_KIND_NL = {"house": "woning", "apartment": "appartement"}


def _package_ids(found: gpd.GeoDataFrame) -> set[str]:
    """Every measure id in the clusters' packages."""
    return {m for p in found["package"].astype(str) for m in p.split("+") if m}


def _read(twin_path: Path) -> gpd.GeoDataFrame:
    """The twin file, or a Dutch :func:`fail` naming the file and what to do."""
    from buildings.twin import read_twin

    if not twin_path.is_file():
        fail(
            f"tweelingbestand {twin_path} bestaat niet. Maak het met `wijk twin build` of "
            "`wijk twin demo`, of laat --twin weg om de ingebouwde voorbeeldgemeente te gebruiken."
        )
    try:
        return read_twin(twin_path)
    except InputError as exc:
        fail(str(exc))
    except (OSError, ValueError) as exc:
        # pyarrow (not Parquet), geopandas (no geometry column) and pyogrio report here
        fail(
            f"tweelingbestand {twin_path} is geen tweeling met grondvlakken (GeoParquet): {exc}. "
            "Geef twin.parquet van `wijk twin build` of `wijk twin demo`."
        )


def _demo_twin(out: Path, step: Callable[[str], None]) -> gpd.GeoDataFrame:
    """Build the embedded demo municipality's twin in ``out`` (as ``wijk twin demo`` does)."""
    from buildings.demo import demo_sources
    from buildings.twin import build_twin, write_twin

    result = build_twin(demo_sources(out), progress=step)
    write_twin(result, out / "twin.parquet")
    return result.dwellings


def clusters(
    twin_path: Annotated[
        Path | None,
        typer.Option(
            "--twin",
            help="De tweeling (twin.parquet van wijk twin build/demo); "
            "standaard de ingebouwde voorbeeldgemeente.",
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Map voor clusters.gpkg, clusters.csv en de leden.")
    ] = Path("clusters"),
    top: Annotated[
        int, typer.Option("--top", min=1, help="Aantal clusters in de tabel op het scherm.")
    ] = 10,
    min_dwellings: Annotated[
        int | None,
        typer.Option(
            "--min-dwellings",
            min=1,
            help="Minimum aantal woningen per cluster (standaard scenarios.clusters.MIN_DWELLINGS, 10).",
        ),
    ] = None,
    max_dwellings: Annotated[
        int | None,
        typer.Option(
            "--max-dwellings",
            min=1,
            help="Maximum aantal woningen per cluster; grotere groepen worden opgedeeld "
            "(standaard scenarios.clusters.MAX_DWELLINGS, 60).",
        ),
    ] = None,
    max_gap: Annotated[
        float | None,
        typer.Option(
            "--max-gap",
            min=0.0,
            help="Grootste afstand tussen twee buurgebouwen van één project, in meter "
            "(standaard scenarios.clusters.MAX_GAP_M, 20).",
        ),
    ] = None,
    rank_by: Annotated[
        str,
        typer.Option(
            "--rangschik",
            help="co2: CO2-besparing per geïnvesteerde euro; doel: aantal woningen dat het "
            "doellabel haalt.",
        ),
    ] = "co2",
    year: Annotated[
        int, typer.Option("--year", help="Jaar van de prijzen, CO2-factoren en premies.")
    ] = 2025,
) -> None:
    """Zoek groepen buurwoningen die hetzelfde maatregelenpakket nodig hebben, als één
    collectief renovatieproject (wijkverbeteringscontract): een straat, een bouwblok of een
    aaneengesloten groep van tientallen woningen, gerangschikt op CO2-besparing per
    geïnvesteerde euro of op het aantal woningen dat het doellabel haalt."""
    from scenarios.clusters import MAX_DWELLINGS, MAX_GAP_M, MIN_DWELLINGS, find_clusters

    min_dwellings = MIN_DWELLINGS if min_dwellings is None else min_dwellings
    max_dwellings = MAX_DWELLINGS if max_dwellings is None else max_dwellings
    max_gap = MAX_GAP_M if max_gap is None else max_gap
    if rank_by not in ("co2", "doel"):
        fail(f"--rangschik {rank_by} bestaat niet; kies co2 of doel.")
    if min_dwellings > max_dwellings:
        fail(
            f"--min-dwellings {min_dwellings} is groter dan --max-dwellings {max_dwellings}; "
            "geef een minimum dat niet boven het maximum ligt."
        )

    source = str(twin_path) if twin_path is not None else "de ingebouwde voorbeeldgemeente"
    twin = _read(twin_path) if twin_path is not None else None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"kan de map {out} niet maken: {exc.strerror or exc}. Kies een andere map met --out.")
    try:
        with progress("tweeling laden") as step:
            if twin is None:
                twin = _demo_twin(out, step)
            step("maatregelenpakket per woning, buren en clusters")
            result = find_clusters(
                twin,
                year=year,
                min_dwellings=min_dwellings,
                max_dwellings=max_dwellings,
                max_gap_m=max_gap,
            )
    except InputError as exc:
        fail(f"{source}: {exc}")
    found = result.clusters
    if rank_by == "doel":
        found = found.sort_values("rank_goal", kind="stable")
    try:
        found.to_file(out / CLUSTERS_GPKG, layer=CLUSTERS_LAYER, driver="GPKG")
        write_csv(found.drop(columns="geometry"), out / CLUSTERS_CSV, index=False)
        write_csv(result.membership, out / MEMBERS_CSV, index=False)
    except OSError as exc:
        fail(
            f"kan de resultaten niet wegschrijven naar {out}: {exc.strerror or exc}. "
            "Kies een andere map met --out."
        )

    n_buildings = len(result.membership)
    if found.empty:
        console.print(
            f"Geen clusters van minstens {min_dwellings} buurwoningen met hetzelfde pakket "
            f"gevonden in {source} ({nl_number(n_buildings)} gebouwen)."
        )
    else:
        from scenarios.catalogue import load_catalogue

        names = {m: load_catalogue().measure(m).label_nl for m in _package_ids(found)}
        ranked_by = (
            "CO2-besparing per geïnvesteerde euro"
            if rank_by == "co2"
            else f"woningen die label {found['goal_label'].iloc[0]} halen"
        )
        table = Table(
            title=f"Kandidaten voor een wijkverbeteringscontract: top {min(top, len(found))} van "
            f"{nl_number(len(found))} clusters, gerangschikt op {ranked_by}"
        )
        for col in (
            "rang",
            "sector",
            "type,\nbouwjaren",
            "pakket",
            "gebou-\nwen",
            "wonin-\ngen",
            f"naar\nlabel {found['goal_label'].iloc[0]}",
            "investering\n€",
            "CO2-besparing\nton/jaar",
            "kg CO2/jaar\nper €1000",
        ):
            table.add_column(col, justify="left" if col[0] in "stp" else "right")
        for r in found.head(top).to_dict("records"):
            years = f"{int(r['construction_year_min'])}-{int(r['construction_year_max'])}"
            table.add_row(
                str(r["rank"] if rank_by == "co2" else r["rank_goal"]),
                str(r["sector_name"] or r["sector_id"] or "-"),
                f"{_KIND_NL.get(str(r['kind']), str(r['kind']))}, {years}",
                ", ".join(names[m] for m in str(r["package"]).split("+")),
                str(r["n_buildings"]),
                str(r["n_dwellings"]),
                str(r["n_dwellings_goal"]),
                nl_number(r["investment_eur"]),
                nl_number(r["co2_saved_t_per_year"], 1),
                nl_number(1000.0 * r["co2_saved_kg_per_eur"]),
            )
        console.print(table)
        in_clusters = int(result.membership["cluster_id"].notna().sum())
        console.print(
            f"{nl_number(in_clusters)} van {nl_number(n_buildings)} gebouwen "
            f"({nl_number(int(found['n_dwellings'].sum()))} woningen) liggen in een cluster. "
            "Elke cluster: buurgebouwen (hoogstens "
            f"{nl_number(max_gap)} m uit elkaar) die hetzelfde pakket nodig hebben, aan "
            "groepsprijzen; investering vóór premies. Prijzen: scenarios/data, met de bron van "
            "elke waarde."
        )
    console.print(
        f"Geschreven in [bold]{out}[/]: {CLUSTERS_GPKG} (laag {CLUSTERS_LAYER}, voor QGIS), "
        f"{CLUSTERS_CSV}, {MEMBERS_CSV} (cluster per gebouw)"
        + ("" if twin_path is not None else ", twin.parquet en bronnen/ (de voorbeeldgemeente)")
    )
