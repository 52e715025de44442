"""Readers of the heat zoning's own inputs: street centrelines (Wegenregister) and decided zones.

- :func:`read_streets` -- the road segments of the **Wegenregister** (``Wegsegment.shp`` of the
  download, or the same layer in a GeoPackage): the segments a heat network's pipes could
  follow, as street zones for :func:`scenarios.heat.zones.street_layer`.
- :func:`read_fixed_zones` -- polygons of zones the municipality has decided by hand, each with
  its strategy, which the advice then follows.

Both refuse a file they cannot use with one Dutch message naming the file and what to do
(:class:`buildings.errors.SourceFileError`): not found, unreadable or damaged (through the
twin's own file opener, :mod:`buildings.io`), no geometries of the right kind, no records.

Coordinate systems: EPSG:31370 (Lambert 72, the Wegenregister's own) is used as is; Lambert
2008 (EPSG:3812) and any other projected CRS in metres are reprojected to it. A file without
CRS (a Shapefile without ``.prj``) or in geographic coordinates (degrees) is refused, with what
to do: lengths and areas are measured in metres, and a street file that lost its ``.prj`` or
was exported in WGS 84 is a mistake to fix at the source, not to guess (the same rule as
:func:`scenarios.heat.cabins.read_cabins`). A file whose geometries lie nowhere in Belgium
after reprojection has a wrong ``.prj`` and is refused too.

The Wegsegment schema
---------------------
Field names, types and code lists are those of the road registry of Digitaal Vlaanderen
(Informatievlaanderen/road-registry on GitHub, commit 12e370b of 2026-08-14:
``src/RoadRegistry.Extracts/Schemas/ExtractV1/RoadSegments/RoadSegmentDbaseSchema.cs`` for the
fields; ``src/RoadRegistry/ValueObjects/RoadSegmentMorphology.cs`` and
``RoadSegmentStatus.cs`` for the codes), and agree with the Wegsegment record of the download
shown in Informatievlaanderen/OSLO-mapping (``docs/_basis/Wegenregister/1_input.md``, download
of 15 Dec 2023): ``WS_OIDN, WS_UIDN, WS_GIDN, B_WK_OIDN, E_WK_OIDN, STATUS, LBLSTATUS, MORF,
LBLMORF, WEGCAT, LBLWEGCAT, LSTRNMID, LSTRNM, RSTRNMID, RSTRNM, BEHEER, LBLBEHEER, METHODE,
LBLMETHOD, OPNDATUM, BEGINTIJD, BEGINORG, LBLBGNORG, TGBEP, LBLTGBEP``. Used: ``WS_OIDN``
(the segment id, required), ``MORF`` (morphology, required), ``STATUS``, ``LSTRNM`` and
``RSTRNM`` (street names left and right), ``WEGCAT`` (road category).

Which segments are kept -- the ones pipes could follow -- is decided per code in
``scenarios/data/wegenregister_codes.csv`` (with the reason of each): streets of one or two
carriageways, roundabouts, squares (verkeersplein), service roads alongside (ventweg),
pedestrian zones, unpaved roads and unknown morphology are kept; motorways and their ramps,
parallel roads, short entries to car parks and services, footpaths and cycle paths (narrower
than 2.5 m, often behind the gardens: they would take dwellings away from their street), tram
tracks, service roads for authorities and ferries are rejected; so are segments only
planned (vergunning aangevraagd, vergunning verleend) or out of use (buiten gebruik). Every
rejected record is in ``ReadResult.rejects`` with its reason in Dutch.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from buildings import schema
from buildings.errors import Problems, SourceFileError
from buildings.io import _belgium_bounds, _error, _find, _listing, _open, _require, _text
from scenarios.heat.costs import ADVICE_OF_STRATEGY, ADVICE_UNDECIDED
from scenarios.heat.zones import zone_parameters

__all__ = [
    "FIXED_ZONE_COLUMNS",
    "STREET_COLUMNS",
    "WEGSEGMENT_FIELDS",
    "read_fixed_zones",
    "read_streets",
    "street_codes",
]

#: The fields of ``Wegsegment.dbf`` in the road registry's order (module notes).
WEGSEGMENT_FIELDS: tuple[str, ...] = (
    "WS_OIDN",
    "WS_UIDN",
    "WS_GIDN",
    "B_WK_OIDN",
    "E_WK_OIDN",
    "STATUS",
    "LBLSTATUS",
    "MORF",
    "LBLMORF",
    "WEGCAT",
    "LBLWEGCAT",
    "LSTRNMID",
    "LSTRNM",
    "RSTRNMID",
    "RSTRNM",
    "BEHEER",
    "LBLBEHEER",
    "METHODE",
    "LBLMETHOD",
    "OPNDATUM",
    "BEGINTIJD",
    "BEGINORG",
    "LBLBGNORG",
    "TGBEP",
    "LBLTGBEP",
)
#: Columns of the frame :func:`read_streets` returns (and its geometry, EPSG:31370).
STREET_COLUMNS: tuple[str, ...] = (
    "segment_id",
    "street_name",
    "morphology",
    "category",
    "length_m",
)
#: Columns of the frame :func:`read_fixed_zones` returns (and its geometry, EPSG:31370).
FIXED_ZONE_COLUMNS: tuple[str, ...] = ("zone_id", "strategy", "advice")
#: Street names the register writes where a side has none ("nvt": niet van toepassing).
_NO_NAME = {"", "nvt", "ng", "-8", "-9"}


@cache
def _codes() -> pd.DataFrame:
    ref = resources.files("scenarios.data").joinpath("wegenregister_codes.csv")
    with resources.as_file(ref) as path:
        return pd.read_csv(path, comment="#", dtype={"field": str, "label": str, "why": str})


def street_codes() -> pd.DataFrame:
    """The Wegenregister codes and which are kept (``scenarios/data/wegenregister_codes.csv``).

    Returns
    -------
    DataFrame
        ``field`` (MORF or STATUS), ``code`` (int), ``label``, ``keep`` (0/1), ``why`` (Dutch).

    Examples
    --------
    >>> c = street_codes()
    >>> c.loc[(c["field"] == "MORF") & (c["code"] == 114), ["label", "keep"]].values.tolist()
    [['wandel- of fietsweg, niet toegankelijk voor andere voertuigen', 0]]
    """
    return _codes().copy()


# ------------------------------------------------------------------------------- CRS
def _to_lambert72(
    gdf: gpd.GeoDataFrame, what: str, name: str, notes: list[str]
) -> gpd.GeoDataFrame:
    """``gdf`` in EPSG:31370, or a :class:`SourceFileError` saying what to do."""
    if gdf.crs is None:
        raise _error(
            what,
            "crs",
            f"{name} heeft geen coördinatenstelsel (bij een Shapefile ontbreekt het .prj-bestand). "
            "Kopieer het .prj-bestand van de download mee, of ken de laag Lambert 72 "
            "(EPSG:31370) toe, bv. in QGIS met 'Laag > Laag-CRS instellen' of met "
            f"ogr2ogr -a_srs EPSG:31370.",
        )
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_geographic:
        raise _error(
            what,
            "crs",
            f"{name} staat in een geografisch coördinatenstelsel ({crs.name}, graden); lengtes "
            "en oppervlaktes vragen meters. Zet de laag om naar Belgian Lambert 72 (EPSG:31370), "
            "bv. in QGIS met 'Exporteren > Objecten opslaan als' en CRS EPSG:31370, of met "
            "ogr2ogr -t_srs EPSG:31370.",
        )
    units = {str(a.unit_name).lower() for a in crs.axis_info}
    if not crs.is_projected or not units <= {"metre", "meter", "m"}:
        raise _error(
            what,
            "crs",
            f"{name} staat in {crs.name}, geen geprojecteerd stelsel in meters; zet de laag om "
            "naar Belgian Lambert 72 (EPSG:31370).",
        )
    if crs.to_epsg() == 31370:
        return gdf.set_crs(schema.TWIN_CRS, allow_override=True)
    notes.append(f"{name}: omgezet van {crs.name} naar {schema.TWIN_CRS}")
    return gdf.to_crs(schema.TWIN_CRS)


def _outside_belgium(geoms: np.ndarray) -> np.ndarray:
    """Mask of present geometries whose bounding box lies wholly outside Belgium."""
    x0, y0, x1, y1 = _belgium_bounds()
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    out = np.zeros(len(geoms), dtype=bool)
    if present.any():
        b = shapely.bounds(geoms[present])
        inside = (b[:, 2] >= x0) & (b[:, 0] <= x1) & (b[:, 3] >= y0) & (b[:, 1] <= y1)
        out[present] = ~inside
    return out


def _wrong_place(what: str, name: str, geoms: np.ndarray) -> SourceFileError:
    b = shapely.total_bounds(geoms)
    return _error(
        what,
        "crs",
        f"geen enkele geometrie van {name} ligt in België (hoek linksonder {b[0]:.0f}, "
        f"{b[1]:.0f} in Lambert 72): het coördinatenstelsel van het bestand (.prj) klopt niet "
        "met de coördinaten. Exporteer de laag opnieuw in Lambert 72 (EPSG:31370).",
    )


# ------------------------------------------------------------------------------- streets
def read_streets(path: str | Path, layer: str | None = None) -> schema.ReadResult:
    """Read the road segments of the Wegenregister that a heat network's pipes could follow.

    Parameters
    ----------
    path : str or Path
        ``Wegsegment.shp`` (with .shx, .dbf, .prj) of the Wegenregister download, or a
        GeoPackage holding that layer (then ``layer`` when it holds several).
    layer : str, optional
        Layer to read when the file holds several.

    Returns
    -------
    buildings.schema.ReadResult
        ``frame``: columns :data:`STREET_COLUMNS` and the line geometry (EPSG:31370):
        ``segment_id`` (str, WS_OIDN), ``street_name`` (LSTRNM, else RSTRNM; <NA> when both
        are "nvt"), ``morphology`` (MORF), ``category`` (WEGCAT; <NA> without the field),
        ``length_m`` [m]. ``rejects``: every record not kept with its Dutch reason;
        ``notes``: reprojection and the like.

    Raises
    ------
    SourceFileError
        File not found, unreadable or damaged; WS_OIDN or MORF missing; no line geometries;
        no CRS, a geographic or non-metric CRS, or geometries nowhere in Belgium; no record,
        or no record that is a street.

    Notes
    -----
    Rejected (module notes and ``scenarios/data/wegenregister_codes.csv``): a MORF or STATUS
    whose ``keep`` is 0, or that is not in the code list; a missing WS_OIDN or a duplicate
    (the first kept); a missing, empty or non-line geometry; a segment outside Belgium.
    """
    p = Path(path)
    what = f"stratenbestand (Wegenregister) {p}"
    wanted = ("WS_OIDN", "MORF", "STATUS", "LSTRNM", "RSTRNM", "WEGCAT")
    src = _open(p, layer, what, need_geometry=True, wanted=wanted)
    problems = Problems(what)
    cols = _require(src.fields, ("WS_OIDN", "MORF"), problems)
    if problems:
        problems.add(
            "fields",
            f"gevonden velden: {_listing(src.fields)}; de laag Wegsegment van het Wegenregister "
            f"heeft {', '.join(WEGSEGMENT_FIELDS)}. Geef Wegsegment.shp (of die laag) op.",
        )
    problems.raise_if_any(SourceFileError)
    table = src.table
    if len(table) == 0:
        raise _error(what, "file", f"{p.name} bevat geen enkel wegsegment")
    geoms_raw = table.geometry.to_numpy()
    kind = shapely.get_type_id(geoms_raw)
    is_line = np.isin(kind, (1, 2, 5)) & ~shapely.is_empty(geoms_raw)
    if not is_line.any():
        found = sorted({str(t) for t in table.geometry.geom_type.dropna().unique()}) or ["geen"]
        raise _error(
            what,
            "geometry",
            f"{p.name} bevat geen lijnen (gevonden: {', '.join(found)}); de laag Wegsegment "
            "bestaat uit lijnen: geef die laag op.",
        )
    gdf = _to_lambert72(table, what, p.name, src.notes)
    geoms = gdf.geometry.to_numpy()
    # a LinearRing reads as a line; keep it as a LineString
    ring = shapely.get_type_id(geoms) == 2
    if ring.any():
        geoms = geoms.copy()
        geoms[ring] = shapely.linestrings([shapely.get_coordinates(g) for g in geoms[ring]])
    # a one-part MultiLineString (a GeoPackage layer of mixed types) is that line
    single = (shapely.get_type_id(geoms) == 5) & (shapely.get_num_geometries(geoms) == 1)
    if single.any():
        geoms = geoms.copy()
        geoms[single] = shapely.get_geometry(geoms[single], 0)
    ids = _text(table[cols["WS_OIDN"]])
    reasons = np.full(len(table), None, dtype=object)

    def reject(mask: np.ndarray, reason: str | np.ndarray) -> None:
        hit = np.asarray(mask, dtype=bool) & pd.isna(reasons)
        reasons[hit] = reason[hit] if isinstance(reason, np.ndarray) else reason

    reject(ids.isna().to_numpy(), "geen WS_OIDN")
    reject(~is_line, "geen lijngeometrie (leeg, ontbrekend of geen lijn)")
    outside = _outside_belgium(geoms)
    if (outside | ~is_line).all():
        raise _wrong_place(what, p.name, geoms[is_line])
    reject(outside, "ligt buiten België")
    codes = street_codes()
    morf = pd.to_numeric(table[cols["MORF"]], errors="coerce").to_numpy(dtype=np.float64)
    reject(~np.isfinite(morf), "geen morfologie (MORF ontbreekt)")
    reject(*_code_rule(codes, "MORF", "morfologie", morf))
    status_col = _find(src.fields, "STATUS")
    if status_col is None:
        src.notes.append(f"{p.name}: geen veld STATUS; alle segmenten als in gebruik gelezen")
    else:
        status = pd.to_numeric(table[status_col], errors="coerce").to_numpy(dtype=np.float64)
        reject(*_code_rule(codes, "STATUS", "status", status, missing_ok=True))
    dup = ids.duplicated(keep="first").to_numpy() & ids.notna().to_numpy() & pd.isna(reasons)
    reject(dup, "WS_OIDN komt meermaals voor (het eerste segment behouden)")
    keep = pd.isna(reasons)
    if not keep.any():
        counts = pd.Series(reasons).value_counts().head(3)
        shown = "; ".join(f"{n}x {r}" for r, n in counts.items())
        raise _error(
            what,
            "MORF",
            f"geen enkel segment van {p.name} is een straat waar leidingen langs kunnen "
            f"({shown}). Geef de laag Wegsegment van de gemeente op.",
        )
    names = _street_names(table, src.fields)
    category_col = _find(src.fields, "WEGCAT")
    category = (
        _text(table[category_col])
        if category_col is not None
        else pd.Series(pd.NA, index=range(len(table)), dtype="string")
    )
    kept_geoms = geoms[keep]
    frame = gpd.GeoDataFrame(
        {
            "segment_id": ids[keep].reset_index(drop=True),
            "street_name": names[keep].reset_index(drop=True),
            "morphology": pd.array(morf[keep].astype(np.int64), dtype="Int64"),
            "category": category[keep].reset_index(drop=True),
            "length_m": np.asarray(shapely.length(kept_geoms), dtype=np.float64),
        },
        geometry=gpd.GeoSeries(kept_geoms, crs=schema.TWIN_CRS),
        crs=schema.TWIN_CRS,
    )
    rejected = np.flatnonzero(~keep)
    record_ids = ids.iloc[rejected].astype(object).to_numpy()
    record_ids = np.where(
        pd.isna(record_ids), [f"record {i + 1}" for i in rejected], record_ids
    ).astype(object)
    rejects = (
        schema.make_rejects(
            src.label,
            pd.Series(record_ids, dtype="string"),
            pd.Series(reasons[rejected], dtype="string"),
        )
        if rejected.size
        else schema.empty_rejects()
    )
    return schema.ReadResult(
        frame=frame, rejects=rejects, read=len(table), source=src.source, notes=src.notes
    )


def _code_rule(
    codes: pd.DataFrame, field: str, word: str, values: np.ndarray, missing_ok: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Mask of records whose ``field`` code is dropped or unknown, and their Dutch reasons."""
    table = codes[codes["field"] == field]
    known = table["code"].to_numpy(dtype=np.float64)
    finite = np.isfinite(values)
    reason = np.full(len(values), None, dtype=object)
    unknown = finite & ~np.isin(values, known)
    if unknown.any():
        reason[unknown] = [
            f"onbekende {word} {v:g} (niet in de codelijst van het Wegenregister)"
            for v in values[unknown]
        ]
    for code, label, keep, why in table[["code", "label", "keep", "why"]].itertuples(index=False):
        if int(keep) == 0:
            hit = values == float(code)
            reason[hit] = f"{word} {int(code)} ({label}): {why}"
    if not missing_ok:
        reason[~finite] = f"geen {word}"
    mask = np.array([r is not None for r in reason], dtype=bool)
    return mask, reason


def _street_names(table: pd.DataFrame, fields: list[str]) -> pd.Series:
    """LSTRNM, else RSTRNM; <NA> where the register writes "nvt" for both."""
    out = pd.Series(pd.NA, index=range(len(table)), dtype="string")
    for name in ("RSTRNM", "LSTRNM"):  # left wins: written last
        col = _find(fields, name)
        if col is None:
            continue
        v = table[col].astype("string").str.strip().reset_index(drop=True)
        usable = v.notna() & ~v.str.lower().isin(_NO_NAME)
        out[usable.to_numpy(dtype=bool)] = v[usable]
    return out


# ------------------------------------------------------------------------------- fixed zones
def _strategy_words() -> dict[str, tuple[str, str | None]]:
    """Accepted value (lower case) -> (advice word, strategy id or None)."""
    out: dict[str, tuple[str, str | None]] = {}
    for strategy, advice in ADVICE_OF_STRATEGY.items():
        out[strategy.lower()] = (advice, strategy)
    for advice in set(ADVICE_OF_STRATEGY.values()):
        # an advice word names no single strategy when several map onto it (individueel)
        strategies = [s for s, a in ADVICE_OF_STRATEGY.items() if a == advice]
        out[advice.lower()] = (advice, strategies[0] if len(strategies) == 1 else None)
    out[ADVICE_UNDECIDED.lower()] = (ADVICE_UNDECIDED, None)
    return out


def read_fixed_zones(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read the zones the municipality decided by hand (polygons with a strategy).

    Parameters
    ----------
    path : str or Path
        GeoPackage or Shapefile of polygons with a field ``strategy`` holding, per zone, an
        advice word -- ``warmtenet``, ``individueel``, ``hybride``, ``nader onderzoeken`` --
        or a strategy id -- ``network``, ``individual_hp``, ``hybrid``, ``collective_hp``
        (case and surrounding spaces do not matter) -- and optionally ``zone_id``.
    layer : str, optional
        Layer to read when the file holds several.

    Returns
    -------
    GeoDataFrame
        Columns :data:`FIXED_ZONE_COLUMNS`, geometry in EPSG:31370: ``zone_id`` (the file's,
        else ``"vast-<row>"`` with the 1-based row), ``strategy`` (the strategy id, <NA> for
        an advice word that names none: ``individueel`` covers individual and collective
        heat pumps, ``nader onderzoeken`` none), ``advice`` (the Dutch advice word; strategy
        ids map as in :data:`scenarios.heat.costs.ADVICE_OF_STRATEGY`).

    Raises
    ------
    SourceFileError
        Nothing is half-read: one message for every problem found -- file not found or
        unreadable; no CRS or a geographic or non-metric one; no ``strategy`` field; an
        unknown strategy (rows and values named, with the accepted words); a row without a
        polygon or with an invalid one; duplicate zone ids; zones that overlap by more than
        ``fixed_zone_overlap_tolerance_m2`` (``scenarios/data/heat_zones.csv``), each pair
        named with its overlap area; no zones at all.
    """
    p = Path(path)
    what = f"bestand met vastgelegde zones {p}"
    src = _open(p, layer, what, need_geometry=True)
    table = src.table
    problems = Problems(what)
    strategy_col = _find(src.fields, "strategy") or _find(src.fields, "strategie")
    if strategy_col is None:
        problems.add(
            "strategy",
            f"verplicht veld ontbreekt (gevonden velden: {_listing(src.fields)}); geef per zone "
            "in het veld strategy het besluit: warmtenet, individueel, hybride of nader "
            "onderzoeken",
        )
    if len(table) == 0:
        problems.add("file", f"{p.name} bevat geen enkele zone")
    problems.raise_if_any(SourceFileError)
    strategy_field: str = strategy_col or "strategy"  # found: checked above
    gdf = _to_lambert72(table, what, p.name, src.notes)
    geoms = gdf.geometry.to_numpy()
    n = len(gdf)
    id_col = _find(src.fields, "zone_id")
    if id_col is not None:
        zone_id = _text(table[id_col])
        no_id = zone_id.isna().to_numpy()
        if no_id.any():
            problems.add("zone_id", "zone zonder zone_id", np.flatnonzero(no_id))
        dup = zone_id.duplicated(keep=False).to_numpy() & ~no_id
        if dup.any():
            problems.add(
                "zone_id",
                f"zone_id komt meermaals voor: {', '.join(sorted(set(zone_id[dup])))}",
                np.flatnonzero(dup),
            )
        zone_id = zone_id.fillna("")
    else:
        zone_id = pd.Series([f"vast-{i + 1}" for i in range(n)], dtype="string")

    words = _strategy_words()
    given = table[strategy_field].astype("string").str.strip().str.lower().reset_index(drop=True)
    mapped = given.map(lambda v: words.get(v) if isinstance(v, str) else None)
    bad = mapped.isna().to_numpy()
    if bad.any():
        shown = ", ".join(
            f"{zone_id.iloc[i]}: {table[strategy_field].iloc[i]!r}"
            for i in np.flatnonzero(bad)[:10]
        )
        accepted = sorted({*ADVICE_OF_STRATEGY.values(), ADVICE_UNDECIDED}) + list(
            ADVICE_OF_STRATEGY
        )
        problems.add(
            strategy_field,
            f"onbekende strategie ({shown}); gebruik een van: {', '.join(accepted)}",
            np.flatnonzero(bad),
        )

    kind = shapely.get_type_id(geoms)
    polygonal = np.isin(kind, (3, 6)) & ~shapely.is_empty(geoms)
    if (~polygonal).any():
        problems.add(
            "geometry",
            "geen vlak (punt, lijn, leeg of ontbrekend): een zone is een polygoon",
            np.flatnonzero(~polygonal),
        )
    invalid = polygonal & ~shapely.is_valid(geoms)
    if invalid.any():
        problems.add(
            "geometry",
            f"ongeldige polygoon (zones {', '.join(zone_id.iloc[np.flatnonzero(invalid)])}: "
            "zelfdoorsnijdend of met een gat buiten de rand); herstel ze, bv. in QGIS met "
            "'Geometrieën repareren'",
            np.flatnonzero(invalid),
        )
    outside = _outside_belgium(geoms) & polygonal
    if polygonal.any() and outside[polygonal].all():
        raise _wrong_place(what, p.name, geoms[polygonal])
    if outside.any():
        problems.add("geometry", "zone ligt buiten België", np.flatnonzero(outside))

    usable = np.flatnonzero(polygonal & ~invalid)
    tolerance = zone_parameters()["fixed_zone_overlap_tolerance_m2"]
    for i, j, area in _overlaps(geoms, usable, tolerance):
        problems.add(
            "geometry",
            f"zones {zone_id.iloc[i]} (rij {i + 1}) en {zone_id.iloc[j]} (rij {j + 1}) overlappen "
            f"over {area:,.0f} m²".replace(",", ".")
            + "; een plaats kan maar één besluit hebben: pas de grenzen aan",
            (i, j),
        )
    problems.raise_if_any(SourceFileError)
    advice = [m[0] for m in mapped]
    strategy = [m[1] for m in mapped]
    return gpd.GeoDataFrame(
        {
            "zone_id": zone_id.astype("string").to_numpy(),
            "strategy": pd.array(strategy, dtype="string"),
            "advice": pd.array(advice, dtype="string"),
        },
        geometry=gpd.GeoSeries(geoms, crs=schema.TWIN_CRS),
        crs=schema.TWIN_CRS,
    )


def _overlaps(
    geoms: np.ndarray, usable: np.ndarray, tolerance_m2: float
) -> list[tuple[int, int, float]]:
    """Pairs (i < j) of ``usable`` polygons whose intersection exceeds ``tolerance_m2`` [m²]."""
    if usable.size < 2:
        return []
    sub = geoms[usable]
    a, b = shapely.STRtree(sub).query(sub, predicate="intersects")
    pair = a < b
    a, b = a[pair], b[pair]
    area = np.asarray(shapely.area(shapely.intersection(sub[a], sub[b])), dtype=np.float64)
    over = area > tolerance_m2
    return [
        (int(usable[i]), int(usable[j]), float(s))
        for i, j, s in zip(a[over], b[over], area[over], strict=True)
    ]
