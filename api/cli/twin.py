"""``wijk twin``: build the digital twin from register files, or generate the embedded default."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.table import Table
from typer.core import TyperCommand

try:  # recent typer vendors click: its usage errors are typer._click's, not click's
    from typer._click.core import Context
    from typer._click.exceptions import UsageError
except ImportError:  # older typer (pyproject allows >= 0.12) uses click itself
    from click import Context, UsageError  # type: ignore[assignment]

from api.cli.console import console, fail, progress
from sim.errors import InputError

if TYPE_CHECKING:
    from buildings.twin import TwinSources

twin_app = typer.Typer(help="De digitale tweeling van het woningpatrimonium.", no_args_is_help=True)

#: Options that take one or more raster files after one flag (``--dsm a.tif b.tif``).
RASTER_FLAGS: tuple[str, ...] = ("--dsm", "--dtm")
#: File name endings of GeoTIFF tiles collected from a folder given to ``--dsm``/``--dtm``.
RASTER_SUFFIXES: tuple[str, ...] = (".tif", ".tiff")


def spread_raster_flags(args: list[str], flags: tuple[str, ...] = RASTER_FLAGS) -> list[str]:
    """Repeat ``--dsm``/``--dtm`` before every file that follows them on the command line.

    Click options take a fixed number of values; ``--dsm a.tif b.tif --dtm c.tif d.tif`` (the
    form of the README) becomes ``--dsm a.tif --dsm b.tif --dtm c.tif --dtm d.tif``, which the
    repeatable options read. A token starting with ``-`` ends the list; everything after
    ``--`` is left alone.
    """
    out: list[str] = []
    current: str | None = None  # the raster flag whose list is open
    awaiting = False  # the flag was just given without ``=``: the next token is its value
    for i, token in enumerate(args):
        if token == "--":
            out.extend(args[i:])
            break
        if awaiting:
            out.append(token)
            awaiting = False
            continue
        if token.startswith("-") and token != "-":
            name, eq, _ = token.partition("=")
            current = name if name in flags else None
            awaiting = current is not None and not eq
            out.append(token)
        elif current is not None:
            out.extend([current, token])
        else:
            out.append(token)
    return out


def _usage_nl(exc: UsageError) -> str:
    """Click's English usage errors in Dutch (the common ones; others keep click's text)."""
    text = exc.format_message()
    if m := re.match(r"Got unexpected extra arguments? ?(?:\(s\))? \((.*)\)$", text, re.S):
        return (
            f"onverwachte argumenten zonder optie: {m[1]}. Bestanden horen achter een optie, "
            "bv. `--dsm DSM1.tif DSM2.tif --dtm DTM1.tif DTM2.tif` of `--dsm MAP_MET_TEGELS`"
        )
    if m := re.match(r"Missing option '?([^'.]+)", text):
        return f"verplichte optie {m[1]} ontbreekt (zie `wijk twin build --help`)"
    if m := re.match(r"No such option: (\S+)", text):
        return f"onbekende optie {m[1]} (zie `wijk twin build --help`)"
    if m := re.match(r"Option '?([^' ]+)'? requires an argument", text):
        return f"optie {m[1]} heeft een waarde nodig"
    return text


class RasterListCommand(TyperCommand):
    """A command whose ``--dsm``/``--dtm`` take several files after one flag (see
    :func:`spread_raster_flags`), with Dutch usage errors."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, spread_raster_flags(list(args)))
        except UsageError as exc:
            fail(_usage_nl(exc))


def raster_files(given: list[Path] | None, flag: str) -> tuple[Path, ...]:
    """The GeoTIFF tiles behind ``--dsm``/``--dtm``: files as given, every ``*.tif`` of a
    folder (sorted), and comma-separated lists split.

    Raises
    ------
    InputError
        A folder without GeoTIFF tiles (Dutch message naming folder and option).
    """
    from buildings.errors import Problems, SourceFileError

    problems = Problems(f"hoogterasters ({flag})")
    out: list[Path] = []
    for item in given or []:
        parts = [item] if item.exists() else [Path(p) for p in str(item).split(",") if p.strip()]
        for path in parts:
            if path.is_dir():
                tiles = sorted(
                    p for p in path.iterdir() if p.is_file() and p.suffix.lower() in RASTER_SUFFIXES
                )
                if not tiles:
                    problems.add(
                        flag,
                        f"de map {path} bevat geen GeoTIFF-kaartbladen (*.tif); geef de map met "
                        "de DHM Vlaanderen II-tegels of de bestanden zelf op",
                    )
                out.extend(tiles)
            else:
                out.append(path)
    problems.raise_if_any(SourceFileError)
    return tuple(out)


def print_accounting(accounting: pd.DataFrame, n_dwellings: int) -> None:
    """The accounting per source file (read = in the twin + rejected) and the reasons."""
    table = Table(title=f"Boekhouding: {n_dwellings:,} woningen in de tweeling".replace(",", "."))
    for col in ("bron", "gelezen", "in tweeling", "hersteld", "afgewezen"):
        table.add_column(col, justify="left" if col == "bron" else "right")
    reasons = Table(title="Afgewezen records per reden (details in rejects.csv)")
    for col in ("bron", "reden", "aantal"):
        reasons.add_column(col, justify="right" if col == "aantal" else "left")
    for r in accounting.to_dict("records"):
        name = Path(str(r["source"])).name
        table.add_row(
            name, str(r["read"]), str(r["in_twin"]), str(r["repaired"]), str(r["rejected"])
        )
        for part in str(r["rejected_by_reason"] or "").split("; "):
            if part:
                reason, _, count = part.rpartition(": ")
                reasons.add_row(name, reason, count)
    console.print(table)
    if reasons.row_count:
        console.print(reasons)


def run_build(sources: TwinSources, out: Path) -> None:
    """Build, write and report a twin (shared by ``build`` and ``demo``)."""
    from buildings.twin import build_twin, write_twin

    with progress("start") as step:
        result = build_twin(sources, progress=step)
    files = write_twin(result, out)
    print_accounting(result.accounting, len(result.dwellings))
    for note in result.notes:
        console.print(f"[yellow]Opmerking:[/] {note}")
    console.print(
        f"Tweeling: {files['twin']} (en {files['gpkg'].name} voor QGIS); afgewezen records: {files['rejects']}"
    )


@twin_app.command("build", cls=RasterListCommand)
def build(
    buildings: Annotated[
        Path,
        typer.Option(
            "--buildings",
            help="Gebouwen: Gebouwenregister-extract of GRB Gbg (shp/gpkg/geojson/parquet).",
        ),
    ],
    addresses: Annotated[
        Path, typer.Option("--addresses", help="Adressen: Adressenregister-extract (punten).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Uitvoerbestand, bv. twin.parquet.")],
    units: Annotated[
        Path | None, typer.Option("--units", help="Gebouweenheden (dbf/csv/shp).")
    ] = None,
    links: Annotated[
        Path | None, typer.Option("--links", help="Koppeling gebouweenheid-adres (dbf/csv).")
    ] = None,
    sectors: Annotated[
        Path | None,
        typer.Option("--sectors", help="Statistische sectoren of een andere wijkenlaag."),
    ] = None,
    sector_id_field: Annotated[
        str | None,
        typer.Option(
            "--sector-id-field", help="Veld met de wijkcode (niet nodig voor Statbel-sectoren)."
        ),
    ] = None,
    sector_name_field: Annotated[
        str | None, typer.Option("--sector-name-field", help="Veld met de wijknaam.")
    ] = None,
    dsm: Annotated[
        list[Path] | None,
        typer.Option(
            "--dsm",
            help="DHM Vlaanderen II DSM-tegel(s), GeoTIFF: een of meer bestanden achter één "
            "--dsm, een map met tegels (alle *.tif) of een kommalijst.",
        ),
    ] = None,
    dtm: Annotated[
        list[Path] | None,
        typer.Option(
            "--dtm",
            help="DHM Vlaanderen II DTM-tegel(s), GeoTIFF: zoals --dsm (bestanden, map of "
            "kommalijst).",
        ),
    ] = None,
    facts: Annotated[
        Path | None, typer.Option("--facts", help="CSV met gekende feiten per adres of gebouw.")
    ] = None,
    crs: Annotated[
        str | None,
        typer.Option(
            "--crs",
            help="CRS voor bestanden zonder .prj, bv. EPSG:31370 (zonder --crs herkend uit het "
            "coördinatenbereik als Lambert 72 of Lambert 2008, met een opmerking).",
        ),
    ] = None,
) -> None:
    """Bouw de digitale tweeling uit registerbestanden; schrijft GeoParquet, GeoPackage en rejects.csv."""
    from buildings.twin import TwinSources

    try:
        dsm_files, dtm_files = raster_files(dsm, "--dsm"), raster_files(dtm, "--dtm")
    except InputError as exc:
        fail(str(exc))
    sources = TwinSources(
        buildings=buildings,
        addresses=addresses,
        units=units,
        links=links,
        sectors=sectors,
        sector_id_field=sector_id_field,
        sector_name_field=sector_name_field,
        dsm=dsm_files,
        dtm=dtm_files,
        facts=facts,
        crs=crs,
    )
    try:
        run_build(sources, out)
    except InputError as exc:
        fail(str(exc))


@twin_app.command("demo")
def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Map voor de registerbestanden en de tweeling.")
    ],
    seed: Annotated[
        int, typer.Option("--seed", help="Zaad van de generator: zelfde zaad, zelfde gemeente.")
    ] = 20261125,
) -> None:
    """Genereer een realistische Vlaamse voorbeeldgemeente als registerbestanden en bouw er de tweeling van."""
    from buildings.demo import demo_sources

    try:
        sources = demo_sources(out, seed=seed)
        run_build(sources, out / "twin.parquet")
    except InputError as exc:
        fail(str(exc))


@twin_app.command("bench")
def bench(
    buildings: Annotated[
        int,
        typer.Option(
            "--buildings", min=10, help="Aantal woongebouwen van de synthetische gemeente."
        ),
    ] = 100_000,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--dir", help="Map voor de gegenereerde bestanden (standaard een tijdelijke map)."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Eén JSON-object in plaats van een tabel.")
    ] = False,
) -> None:
    """Meet hoe snel de tweeling gebouwd wordt (gebouwen per seconde, piekgeheugen)."""
    import json
    import tempfile

    from buildings.benchmark import run_twin_benchmark

    with tempfile.TemporaryDirectory() as tmp:
        target = folder or Path(tmp)
        result = run_twin_benchmark(buildings, target)
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        return
    table = Table(title="Tweeling bouwen (zonder DSM/DTM)")
    table.add_column("grootheid")
    table.add_column("waarde", justify="right")
    for label, value in (
        ("gebouwen gelezen", f"{result.buildings_read:,}"),
        ("woningen in de tweeling", f"{result.dwellings:,}"),
        ("gebouwen per seconde", f"{result.buildings_per_s:,.0f}"),
        ("bouwen van de tweeling [s]", f"{result.build_s:.1f}"),
        ("GeoParquet schrijven [s]", f"{result.write_parquet_s:.1f}"),
        ("registerbestanden genereren [s]", f"{result.generate_s:.1f}"),
        ("piekgeheugen bouwen (RSS) [MB]", f"{result.peak_rss_mb:,.0f}"),
    ):
        table.add_row(label, value)
    console.print(table)
