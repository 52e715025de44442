"""Street centrelines of the Wegenregister: the road segments a heat network's pipes could follow.

:func:`read_streets` reads the road segments of the **Wegenregister** (``Wegsegment.shp`` of the
download, or the same layer in a GeoPackage) as street zones for
:func:`scenarios.heat.zones.street_layer`. It refuses a file it cannot use with one Dutch
message naming the file and what to do (:class:`buildings.errors.SourceFileError`): not
found, unreadable or damaged (through the twin's own file opener,
:func:`buildings.io.open_source`), no line geometries, no records.

Coordinate systems (:func:`buildings.io.to_metric_twin_crs`): EPSG:31370 (Lambert 72, the
Wegenregister's own) is used as is; Lambert 2008 (EPSG:3812) and any other projected CRS in
metres are reprojected to it. A file without CRS (a Shapefile without ``.prj``) or in
geographic coordinates (degrees) is refused, with what to do: lengths are measured in metres,
and a street file that lost its ``.prj`` or was exported in WGS 84 is a mistake to fix at the
source, not to guess (the same rule as :func:`scenarios.heat.cabins.read_cabins`). A file whose
geometries lie nowhere in Belgium after reprojection has a wrong ``.prj`` and is refused too.

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
LBLMETHOD, OPNDATUM, BEGINTIJD, BEGINORG, LBLBGNORG, TGBEP, LBLTGBEP`` (:data:`WEGSEGMENT_FIELDS`,
which the demo town of :mod:`buildings.synthetic_municipality` also writes). Used: ``WS_OIDN``
(the segment id, required), ``MORF`` (morphology, required), ``STATUS``, ``LSTRNM`` and
``RSTRNM`` (street names left and right), ``WEGCAT`` (road category).

Which segments are kept -- the ones pipes could follow -- is decided per code in
``buildings/data/wegenregister_codes.csv`` (with the reason of each): streets of one or two
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

from buildings import schema
from buildings.errors import Problems, SourceFileError
from buildings.io import (
    as_text,
    find_field,
    nowhere_in_belgium,
    open_source,
    outside_belgium,
    require_fields,
    source_error,
    to_metric_twin_crs,
)

__all__ = ["STREET_COLUMNS", "WEGSEGMENT_FIELDS", "read_streets", "street_codes"]

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
#: Street names the register writes where a side has none ("nvt": niet van toepassing).
_NO_NAME = {"", "nvt", "ng", "-8", "-9"}


@cache
def _codes() -> pd.DataFrame:
    ref = resources.files("buildings.data").joinpath("wegenregister_codes.csv")
    with resources.as_file(ref) as path:
        return pd.read_csv(path, comment="#", dtype={"field": str, "label": str, "why": str})


def street_codes() -> pd.DataFrame:
    """The Wegenregister codes and which are kept (``buildings/data/wegenregister_codes.csv``).

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
    Rejected (module notes and ``buildings/data/wegenregister_codes.csv``): a MORF or STATUS
    whose ``keep`` is 0, or that is not in the code list; a missing WS_OIDN or a duplicate
    of a segment kept (the first kept copy stays; a copy rejected for another reason does not
    count); a missing, empty or non-line geometry; a segment outside Belgium.
    """
    p = Path(path)
    what = f"stratenbestand (Wegenregister) {p}"
    wanted = ("WS_OIDN", "MORF", "STATUS", "LSTRNM", "RSTRNM", "WEGCAT")
    src = open_source(p, layer, what, need_geometry=True, wanted=wanted)
    problems = Problems(what)
    cols = require_fields(
        src.fields,
        ("WS_OIDN", "MORF"),
        problems,
        hint=f"de laag Wegsegment van het Wegenregister heeft {', '.join(WEGSEGMENT_FIELDS)}. "
        "Geef Wegsegment.shp (of die laag) op.",
    )
    problems.raise_if_any(SourceFileError)
    table = src.table
    if len(table) == 0:
        raise source_error(what, "file", f"{p.name} bevat geen enkel wegsegment")
    geoms_raw = table.geometry.to_numpy()
    kind = shapely.get_type_id(geoms_raw)
    is_line = np.isin(kind, (1, 2, 5)) & ~shapely.is_empty(geoms_raw)
    if not is_line.any():
        found = sorted({str(t) for t in table.geometry.geom_type.dropna().unique()}) or ["geen"]
        raise source_error(
            what,
            "geometry",
            f"{p.name} bevat geen lijnen (gevonden: {', '.join(found)}); de laag Wegsegment "
            "bestaat uit lijnen: geef die laag op.",
        )
    gdf = to_metric_twin_crs(table, what, p.name, src.notes)
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
    ids = as_text(table[cols["WS_OIDN"]])
    reasons = np.full(len(table), None, dtype=object)

    def reject(mask: np.ndarray, reason: str | np.ndarray) -> None:
        hit = np.asarray(mask, dtype=bool) & pd.isna(reasons)
        reasons[hit] = reason[hit] if isinstance(reason, np.ndarray) else reason

    reject(ids.isna().to_numpy(), "geen WS_OIDN")
    reject(~is_line, "geen lijngeometrie (leeg, ontbrekend of geen lijn)")
    outside = outside_belgium(geoms)
    if (outside | ~is_line).all():
        raise nowhere_in_belgium(what, p.name, geoms[is_line])
    reject(outside, "ligt buiten België")
    codes = street_codes()
    morf = pd.to_numeric(table[cols["MORF"]], errors="coerce").to_numpy(dtype=np.float64)
    reject(~np.isfinite(morf), "geen morfologie (MORF ontbreekt)")
    reject(*_code_rule(codes, "MORF", "morfologie", morf))
    status_col = find_field(src.fields, "STATUS")
    if status_col is None:
        src.notes.append(f"{p.name}: geen veld STATUS; alle segmenten als in gebruik gelezen")
    else:
        status = pd.to_numeric(table[status_col], errors="coerce").to_numpy(dtype=np.float64)
        reject(*_code_rule(codes, "STATUS", "status", status, missing_ok=True))
    # a duplicate of a record still kept: a copy rejected for its own reason keeps nothing
    still = np.flatnonzero(pd.isna(reasons) & ids.notna().to_numpy())
    dup = np.zeros(len(table), dtype=bool)
    dup[still] = ids.iloc[still].duplicated(keep="first").to_numpy()
    reject(dup, "WS_OIDN komt meermaals voor (het eerste segment behouden)")
    keep = pd.isna(reasons)
    if not keep.any():
        counts = pd.Series(reasons).value_counts().head(3)
        shown = "; ".join(f"{n}x {r}" for r, n in counts.items())
        raise source_error(
            what,
            "MORF",
            f"geen enkel segment van {p.name} is een straat waar leidingen langs kunnen "
            f"({shown}). Geef de laag Wegsegment van de gemeente op.",
        )
    names = _street_names(table, src.fields)
    category_col = find_field(src.fields, "WEGCAT")
    category = (
        as_text(table[category_col])
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
        col = find_field(fields, name)
        if col is None:
            continue
        v = table[col].astype("string").str.strip().reset_index(drop=True)
        usable = v.notna() & ~v.str.lower().isin(_NO_NAME)
        out[usable.to_numpy(dtype=bool)] = v[usable]
    return out
