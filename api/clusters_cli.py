"""``wijk clusters``: candidates for a collective renovation (wijkverbeteringscontract), in Dutch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from api.console import console, fail, progress
from api.formatting import nl_number
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
    min_buildings: Annotated[
        int, typer.Option("--min-buildings", min=2, help="Minimum aantal gebouwen per cluster.")
    ] = 3,
    year: Annotated[
        int, typer.Option("--year", help="Jaar van de prijzen, CO2-factoren en premies.")
    ] = 2025,
) -> None:
    """Zoek aaneengesloten groepen gelijkaardige woningen voor een collectieve renovatie
    (wijkverbeteringscontract), gerangschikt op CO2-besparing per geïnvesteerde euro."""
    from scenarios.clusters import find_clusters

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
            step("gemene muren, gelijkaardige buren en clusters")
            from buildings.twin import party_walls

            result = find_clusters(twin, party_walls(twin), year=year, min_buildings=min_buildings)
    except InputError as exc:
        fail(f"{source}: {exc}")
    found = result.clusters
    try:
        found.to_file(out / CLUSTERS_GPKG, layer=CLUSTERS_LAYER, driver="GPKG")
        found.drop(columns="geometry").to_csv(out / CLUSTERS_CSV, index=False)
        result.membership.to_csv(out / MEMBERS_CSV, index=False)
    except OSError as exc:
        fail(
            f"kan de resultaten niet wegschrijven naar {out}: {exc.strerror or exc}. "
            "Kies een andere map met --out."
        )

    n_buildings = len(result.membership)
    if found.empty:
        console.print(
            f"Geen clusters van minstens {min_buildings} aaneengesloten, gelijkaardige gebouwen "
            f"gevonden in {source} ({nl_number(n_buildings)} gebouwen)."
        )
    else:
        table = Table(
            title=f"Kandidaten voor een wijkverbeteringscontract: top {min(top, len(found))} van "
            f"{nl_number(len(found))} clusters"
        )
        for col in (
            "rang",
            "sector",
            "type,\nbouwjaren",
            "gebou-\nwen",
            "wonin-\ngen",
            "investering\n€",
            "CO2-besparing\nton/jaar",
            "kg CO2/jaar\nper €1000",
        ):
            table.add_column(col, justify="left" if col[0] in "st" else "right")
        for r in found.head(top).to_dict("records"):
            table.add_row(
                str(r["rank"]),
                str(r["sector_name"] or r["sector_id"] or "-"),
                f"{_KIND_NL.get(str(r['kind']), str(r['kind']))}, {r['period_years']}",
                str(r["n_buildings"]),
                str(r["n_dwellings"]),
                nl_number(r["investment_eur"]),
                nl_number(r["co2_saved_t_per_year"], 1),
                nl_number(1000.0 * r["co2_saved_kg_per_eur"]),
            )
        console.print(table)
        in_clusters = int(result.membership["cluster_id"].notna().sum())
        console.print(
            f"{nl_number(in_clusters)} van {nl_number(n_buildings)} gebouwen "
            f"({nl_number(int(found['n_dwellings'].sum()))} woningen) liggen in een cluster. "
            "Pakket: dak, spouwmuur of buitenmuur, vloer, hoogrendementsglas, aan groepsprijzen; "
            "investering vóór premies. Prijzen: scenarios/data, met de bron van elke waarde."
        )
    console.print(
        f"Geschreven in [bold]{out}[/]: {CLUSTERS_GPKG} (laag {CLUSTERS_LAYER}, voor QGIS), "
        f"{CLUSTERS_CSV}, {MEMBERS_CSV} (cluster per gebouw)"
        + ("" if twin_path is not None else ", twin.parquet en bronnen/ (de voorbeeldgemeente)")
    )
