"""Readers for the real Flemish sources: a file in, a normalised frame out, nothing lost.

Each ``read_*`` function reads one source in the schema it is downloaded in and returns a
:class:`buildings.schema.ReadResult`: the kept records in the normalised schema of
:mod:`buildings.schema`, and a rejects table with one row (source, record_id, reason) for
every record that was not kept, so that ``read == kept + rejected`` always holds.

- :func:`read_buildings` -- Gebouwenregister extract (gebouwid, versieid, geommet, status),
  GRB Gbg (OIDN, UIDN, TYPE/LBLTYPE) or GRB upload records (GRBIDN, IDNV, GVDV, GVDE,
  EVENTTYPE, GRBOBJECT, GRID, TPC) -> ``BUILDING_COLUMNS``
- :func:`read_addresses` -- Adressenregister extract (adresid, straatnm, huisnr, busnr, ...)
  -> ``ADDRESS_COLUMNS``
- :func:`read_units` -- Gebouwenregister building units (gebouwehid, gebouwid, functie,
  status) -> ``UNIT_COLUMNS``
- :func:`read_links` -- unit <-> address links (adresobjid, adresid) -> ``LINK_COLUMNS``
- :func:`read_sectors` -- Statbel statistical sectors, or any polygon layer with
  ``id_field=`` -> ``SECTOR_COLUMNS``
- :func:`read_facts` -- known facts per address or building (CSV) -> :data:`FACT_COLUMNS`

The file opener :func:`open_source` and its helpers (:func:`find_field`, :func:`require_fields`,
:func:`as_text`, :func:`source_error`, :func:`to_metric_twin_crs`, :func:`outside_belgium`, ...)
are public so that the readers of other sources (:mod:`buildings.streets`,
:mod:`scenarios.heat.io_zones`) refuse a file with the same checks and Dutch messages;
:func:`read_point_layer` opens and checks the point layers of cabins and heat sources.

Formats: Shapefile (also zipped), GeoPackage, GeoJSON, FlatGeobuf (through pyogrio/GDAL),
GeoParquet (through geopandas), and for the plain tables CSV and DBF. Field names are matched
case-insensitively; a Shapefile field cut to 10 characters (``tx_sector_``) matches its long
name, and a WFS property prefixed with its namespace (``GRB:OIDN``) matches its name.
Geometries are returned in :data:`buildings.schema.TWIN_CRS` (EPSG:31370): files in EPSG:3812
or in a geographic CRS are reprojected; a file without a CRS is read in the CRS ``crs=`` gives,
else as Lambert 72 or Lambert 2008 when all its coordinates lie in that projection's range over
Belgium (the ranges lie ~500 km apart; a note says so), else it is an error.

Damaged files are refused, not half-read: a Shapefile whose .shp, .shx and .dbf disagree is
checked from its headers before it is read, and a file in which many records have no readable
geometry (thresholds in ``buildings/data/twin_parameters.csv``) is an error. See
``docs/sources.md``.

Decisions
---------
- *Multi-part footprints* (a MultiPolygon with several parts, or a self-intersecting polygon
  that ``make_valid`` splits) are kept whole as a MultiPolygon: one building id is one building
  with one set of units, and its footprint area is the sum of its parts. Keeping only the
  largest part would silently lose floor area; exploding would duplicate the id. A one-part
  MultiPolygon becomes a Polygon. ``ReadResult.notes`` counts the multi-part footprints.
- *GRB records* have no register status; kept GRB buildings get status ``"gerealiseerd"``
  (measured, existing buildings). Annexes (TYPE/TPC 2, bijgebouw) are kept with
  ``is_main = False``: they hold no dwellings, but the twin needs them as unheated neighbours
  of the dwellings they are built against (:func:`buildings.twin.build_twin`, which accounts
  for them). TYPE/TPC 3 (virtual façades) counts as a main building.
- *Facts with a bad value* (a year in the future, label "Z", an unknown heating system, a
  negative consumption) reject the whole record, with a reason naming every bad column and
  value, so that no known fact is silently replaced by a default.
- ``record_id`` in the rejects is the record's id when it has one, else ``"record <n>"`` with
  ``n`` the 1-based position of the record in the file (layer).
- Records whose geometry lies outside the area of use of EPSG:31370 (Belgium) are rejected
  ("outside Belgium"); if no record lies in Belgium the CRS is wrong and the file is an error.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from buildings import schema
from buildings.errors import Problems, SourceFileError
from buildings.parameters import twin_parameters
from sim.errors import Problem
from sim.labels import LABELS, epc_label_index
from sim.reference_data import load_table
from sim.stock import SPACE_HEATING_CODES

__all__ = [
    "FACT_COLUMNS",
    "FACT_DTYPES",
    "PointLayer",
    # the file opener and its helpers, for the readers of other modules (buildings.streets,
    # scenarios.heat.io_zones): the same formats, checks and Dutch messages everywhere
    "as_text",
    "belgium_bounds",
    "find_field",
    "in_twin_crs",
    "listing",
    "metric_crs_problem",
    "nowhere_in_belgium",
    "open_source",
    "outside_belgium",
    "read_addresses",
    "read_buildings",
    "read_facts",
    "read_links",
    "read_point_layer",
    "read_sectors",
    "read_units",
    "require_fields",
    "source_error",
    "to_metric_twin_crs",
]

#: Known facts per address or building, as :func:`read_facts` returns them.
FACT_COLUMNS: tuple[str, ...] = (
    "address_id",  # str or <NA>: adresid
    "building_id",  # str or <NA>: gebouwid
    "construction_year",  # Int64 [year]
    "storeys",  # Int64: storeys above ground (bouwlagen) of the building
    "residential",  # boolean: the building holds dwellings (True) or not (False)
    "epc_score_kwh_m2",  # float: EPC energy score [kWh/(m²·a)] primary energy
    "epc_label",  # str: A+, A, ..., F
    "roof_insulated",  # boolean
    "wall_insulated",  # boolean
    "floor_insulated",  # boolean
    "glazing",  # str: single, double, hr, triple
    "heating_system",  # Int64: code of sim/data/heating_systems.csv
    "gas_kwh",  # float: annual natural-gas use [kWh]
    "electricity_kwh",  # float: annual electricity use [kWh]
)

_FORMATS = "Shapefile (.shp met .shx en .dbf), GeoPackage, GeoJSON, GeoParquet, CSV of DBF"
_TABLE_SUFFIXES = (".csv", ".txt", ".tsv")
_PARQUET_SUFFIXES = (".parquet", ".geoparquet")
#: Fields of each building source; the first is the id.
_GEBOUWENREGISTER_FIELDS = ("gebouwid", "versieid", "geommet", "status")
_GRB_GBG_FIELDS = ("OIDN", "UIDN", "TYPE", "LBLTYPE")
_GRB_UPLOAD_FIELDS = ("GRBIDN", "IDNV", "GVDV", "GVDE", "EVENTTYPE", "GRBOBJECT", "GRID", "TPC")
_ADDRESS_FIELDS = (
    "adresid",
    "straatnmid",
    "straatnm",
    "huisnr",
    "busnr",
    "postcode",
    "gemeenteid",
    "gemeentenm",
    "status",
    "posgeommet",
    "posspec",
    "offtoegknd",
    "voladres",
)
_STATBEL_FIELDS = (
    "cd_sector",
    "tx_sector_descr_nl",
    "cd_sub_munty",
    "cd_munty_refnis",
    "tx_munty_descr_nl",
)

#: Gebouwenregister statuses (buildings and units), lower-case -> register spelling.
_REGISTER_STATUS = {
    s.lower(): s
    for s in ("gepland", "inAanbouw", "gerealiseerd", "nietGerealiseerd", "gehistoreerd")
}
_KEEP_BUILDING_STATUS = frozenset({"gepland", "inAanbouw", "gerealiseerd"})
#: Adressenregister statuses, lower-case -> register spelling.
_ADDRESS_STATUS = {s.lower(): s for s in ("voorgesteld", "inGebruik", "gehistoreerd", "afgekeurd")}
_KEEP_ADDRESS_STATUS = frozenset({"voorgesteld", "inGebruik"})
#: GRB building types (TYPE / TPC): 1 hoofdgebouw, 2 bijgebouw, 3 afgezoomd met virtuele gevels.
_GRB_MAIN_TYPES = (1, 3)
_GRB_ANNEX_TYPE = 2
_GRB_TYPE_LABELS = {
    "hoofdgebouw": 1,
    "bijgebouw": 2,
    "gebouw afgezoomd met virtuele gevels": 3,
}
#: GVDE (end of the version) of a current GRB record: empty or this sentinel date.
_GRB_OPEN_END = "1900-01-01"

_POINT, _LINESTRING, _LINEARRING, _POLYGON = 0, 1, 2, 3
_MULTIPOINT, _MULTILINESTRING, _MULTIPOLYGON, _COLLECTION = 4, 5, 6, 7


# --------------------------------------------------------------------------------------------
# public readers
# --------------------------------------------------------------------------------------------


def read_buildings(
    path: str | Path, layer: str | None = None, crs: str | None = None
) -> schema.ReadResult:
    """Read building footprints from a Gebouwenregister extract or a GRB file.

    The source is detected from the fields: ``gebouwid`` (Gebouwenregister), ``GRBIDN``
    (GRB upload/change records) or ``OIDN`` (GRB Gbg layer).

    Parameters
    ----------
    path : str or Path
        Shapefile, GeoPackage, GeoJSON, GeoParquet or zipped Shapefile.
    layer : str, optional
        Layer to read when the file holds several.
    crs : str, optional
        CRS of the coordinates, used only when the file declares none (a Shapefile without
        ``.prj``), e.g. ``"EPSG:31370"`` (Lambert 72) or ``"EPSG:3812"`` (Lambert 2008).
        Without it such a file is recognised from its coordinate range (see the module notes).

    Returns
    -------
    ReadResult
        ``frame`` has columns ``schema.BUILDING_COLUMNS``, geometries in EPSG:31370.

    Raises
    ------
    SourceFileError
        If the file cannot be read or is damaged (a Shapefile whose parts disagree, many
        records without readable geometry), has no CRS, no ``crs=`` and coordinates in no
        recognised range, matches no building source, lacks required fields or holds no
        polygons at all.

    Notes
    -----
    Kept: Gebouwenregister status gepland, inAanbouw, gerealiseerd; GRB main buildings (TYPE or
    TPC 1 and 3) and annexes (TYPE or TPC 2, ``is_main`` False) that are current (GVDE empty or
    1900-01-01) and not demolished (EVENTTYPE 5).
    Rejected with their reason: other statuses, kunstwerken (GRBOBJECT 3), missing,
    empty, zero-area, non-polygonal or unrepairable geometries, duplicate ids (the first kept).
    Self-intersecting footprints are repaired with :func:`shapely.make_valid` and counted in
    ``repaired``. Multi-part footprints are kept whole (see the module notes).
    """
    what = f"gebouwenbestand {path}"
    src = open_source(path, layer, what, need_geometry=True)
    fields = src.fields
    problems = Problems(what)
    expected = (
        f"een uittreksel uit het Gebouwenregister heeft {', '.join(_GEBOUWENREGISTER_FIELDS)}; "
        f"een GRB-laag Gbg heeft {', '.join(_GRB_GBG_FIELDS)}; "
        f"GRB-uploadrecords hebben {', '.join(_GRB_UPLOAD_FIELDS)}"
    )
    if find_field(fields, "gebouwid"):
        kind = "gebouwenregister"
        cols = require_fields(fields, ("gebouwid", "status"), problems)
    elif find_field(fields, "grbidn"):
        kind = "grb_upload"
        cols = require_fields(fields, ("GRBIDN", "GVDE", "EVENTTYPE", "GRBOBJECT", "TPC"), problems)
    elif find_field(fields, "oidn"):
        kind = "grb_gbg"
        cols = require_fields(fields, ("OIDN",), problems)
        type_col = find_field(fields, "TYPE") or find_field(fields, "LBLTYPE")
        if type_col is None:
            problems.add(
                "TYPE",
                "ontbreekt: een GRB-laag Gbg heeft het veld TYPE of LBLTYPE nodig; "
                "geef de volledige Gbg-laag op",
            )
        else:
            cols["TYPE"] = type_col
    else:
        kind = ""
        cols = {}
        problems.add(
            "fields",
            f"geen gekende gebouwenbron: gevonden velden: {listing(fields)}; {expected}. "
            "Geef de gebouwenlaag van een van deze bronnen op.",
        )
    if problems and kind:
        problems.add("fields", f"gevonden velden: {listing(fields)}; {expected}")
    problems.raise_if_any(SourceFileError)

    gdf = _to_twin_crs(_geoframe(src), crs, what, src.notes)
    table = src.table
    records = _Records(len(table))
    id_col = cols.get("gebouwid") or cols.get("GRBIDN") or cols["OIDN"]
    ids = as_text(table[id_col])
    records.reject(ids.isna().to_numpy(), "missing id")
    n = len(table)
    if kind == "gebouwenregister":
        status = _register_status(table[cols["status"]], _REGISTER_STATUS, records)
        for value in sorted(set(_REGISTER_STATUS.values()) - _KEEP_BUILDING_STATUS):
            records.reject(
                (status == value).to_numpy(dtype=bool, na_value=False), f"status {value}"
            )
        is_main = np.ones(n, dtype=bool)
    else:
        status = pd.Series("gerealiseerd", index=table.index, dtype="string")
        if kind == "grb_upload":
            _grb_upload_rules(table, cols, records)
        type_col = cols["TPC"] if kind == "grb_upload" else cols["TYPE"]
        types = _grb_types(table[type_col])
        types_np = types.to_numpy(dtype=np.float64, na_value=np.nan)
        unknown = ~np.isin(types_np, (*_GRB_MAIN_TYPES, _GRB_ANNEX_TYPE))
        template = f"unknown building type {type_col.lower()} {{}}"
        _reject_each(as_text(table[type_col]), unknown, records, template)
        is_main = np.isin(types_np, _GRB_MAIN_TYPES)

    geoms, repaired = _clean_polygons(gdf.geometry.to_numpy(), records, what, src)
    _reject_outside_belgium(geoms, records, what, src)
    records.reject(_duplicated(ids, records), "duplicate id")

    keep = records.kept
    frame = gpd.GeoDataFrame(
        {
            "building_id": ids[keep].reset_index(drop=True),
            "source": pd.Series(src.label, index=range(int(keep.sum())), dtype="string"),
            "status": status[keep].reset_index(drop=True).astype("string"),
            "is_main": pd.Series(is_main[keep], dtype=bool),
        },
        geometry=gpd.GeoSeries(geoms[keep], crs=schema.TWIN_CRS),
        crs=schema.TWIN_CRS,
    )[list(schema.BUILDING_COLUMNS)]
    _note_multipart(frame, src.notes, "gebouwen")
    return records.result(frame, ids, src, repaired=int((repaired & keep).sum()))


def read_addresses(
    path: str | Path, layer: str | None = None, crs: str | None = None
) -> schema.ReadResult:
    """Read address points from an Adressenregister extract.

    Parameters
    ----------
    path : str or Path
        Shapefile, GeoPackage, GeoJSON or GeoParquet with the extract's fields (``adresid,
        straatnmid, straatnm, huisnr, busnr, postcode, gemeenteid, gemeentenm, status,
        posgeommet, posspec, offtoegknd, voladres``) and point geometries.
    layer : str, optional
        Layer to read when the file holds several.
    crs : str, optional
        CRS of the coordinates, used only when the file declares none.

    Returns
    -------
    ReadResult
        ``frame`` has columns ``schema.ADDRESS_COLUMNS``, points in EPSG:31370; ids, house
        and box numbers, postcodes and NIS codes are strings (``"1000"``, never ``1000.0``).

    Raises
    ------
    SourceFileError
        If the file cannot be read, has no CRS and no ``crs=``, lacks any of the required
        fields adresid, straatnm, huisnr, postcode, gemeenteid, status, or holds no points.

    Notes
    -----
    Kept: status inGebruik and voorgesteld. Rejected with their reason: status gehistoreerd
    and afgekeurd, a missing required value, a postcode that is not four digits, a missing,
    empty or non-point geometry, a point outside Belgium, a duplicate adresid (the first kept).
    """
    what = f"adressenbestand {path}"
    used = (
        "adresid",
        "straatnm",
        "huisnr",
        "busnr",
        "postcode",
        "gemeenteid",
        "gemeentenm",
        "status",
    )
    src = open_source(path, layer, what, need_geometry=True, wanted=used)
    problems = Problems(what)
    required = ("adresid", "straatnm", "huisnr", "postcode", "gemeenteid", "status")
    cols = require_fields(
        src.fields,
        required,
        problems,
        hint=f"een uittreksel uit het Adressenregister heeft {', '.join(_ADDRESS_FIELDS)}; "
        "geef dat bestand op",
    )
    problems.raise_if_any(SourceFileError)

    gdf = _to_twin_crs(_geoframe(src), crs, what, src.notes)
    table = src.table
    records = _Records(len(table))
    ids = as_text(table[cols["adresid"]])
    records.reject(ids.isna().to_numpy(), "missing id")
    values = {name: as_text(table[cols[name]]) for name in required[1:-1]}
    for name, value in values.items():
        records.reject(value.isna().to_numpy(), f"missing {name}")
    status = _register_status(table[cols["status"]], _ADDRESS_STATUS, records)
    for name in sorted(set(_ADDRESS_STATUS.values()) - _KEEP_ADDRESS_STATUS):
        records.reject((status == name).to_numpy(dtype=bool, na_value=False), f"status {name}")
    postcode = values["postcode"]
    four_digits = postcode.str.fullmatch(r"\d{4}").fillna(False).to_numpy(dtype=bool)
    bad_postcode = postcode.notna().to_numpy() & ~four_digits
    _reject_each(postcode, bad_postcode, records, "bad value postcode={}")

    geoms = _clean_points(gdf.geometry.to_numpy(), records, what, src)
    _reject_outside_belgium(geoms, records, what, src)
    records.reject(_duplicated(ids, records), "duplicate id")

    keep = records.kept
    optional = {
        name: as_text(table[col])
        if (col := find_field(src.fields, name))
        else _na_strings(len(table))
        for name in ("busnr", "gemeentenm")
    }
    data = {
        "address_id": ids,
        "street": values["straatnm"],
        "house_number": values["huisnr"],
        "box_number": optional["busnr"],
        "postcode": postcode,
        "municipality_nis": values["gemeenteid"],
        "municipality": optional["gemeentenm"],
        "status": status,
    }
    frame = gpd.GeoDataFrame(
        {k: v[keep].reset_index(drop=True).astype("string") for k, v in data.items()},
        geometry=gpd.GeoSeries(geoms[keep], crs=schema.TWIN_CRS),
        crs=schema.TWIN_CRS,
    )[list(schema.ADDRESS_COLUMNS)]
    return records.result(frame, ids, src)


def read_units(path: str | Path, layer: str | None = None) -> schema.ReadResult:
    """Read the building units (gebouweenheden) of a Gebouwenregister extract.

    Parameters
    ----------
    path : str or Path
        DBF, CSV, Shapefile or GeoPackage with the fields ``gebouwehid, gebouwid, functie,
        status`` (``posgeommet`` and a position may be present; they are not used).
    layer : str, optional
        Layer to read when the file holds several.

    Returns
    -------
    ReadResult
        ``frame`` (a DataFrame) has columns ``schema.UNIT_COLUMNS``; every ``functie`` value
        (wonen, nietGekend, gemeenschappelijkDeel, handel, ...) is kept as it is.

    Raises
    ------
    SourceFileError
        If the file cannot be read or lacks any of the four fields.

    Notes
    -----
    Kept: status gepland and gerealiseerd. Rejected with their reason: status nietGerealiseerd
    and gehistoreerd, a missing unit or building id, a duplicate unit id (the first kept).
    """
    what = f"bestand met gebouweenheden {path}"
    src = open_source(
        path,
        layer,
        what,
        need_geometry=False,
        wanted=("gebouwehid", "gebouwid", "functie", "status"),
    )
    problems = Problems(what)
    cols = require_fields(
        src.fields,
        ("gebouwehid", "gebouwid", "functie", "status"),
        problems,
        hint="geef het bestand met gebouweenheden uit het Gebouwenregister op (velden "
        "gebouwehid, gebouwid, functie, status)",
    )
    problems.raise_if_any(SourceFileError)

    table = src.table
    records = _Records(len(table))
    ids = as_text(table[cols["gebouwehid"]])
    building = as_text(table[cols["gebouwid"]])
    records.reject(ids.isna().to_numpy(), "missing id")
    records.reject(building.isna().to_numpy(), "missing building id")
    status = _register_status(table[cols["status"]], _REGISTER_STATUS, records)
    for value in sorted(set(_REGISTER_STATUS.values()) - _KEEP_BUILDING_STATUS):
        records.reject((status == value).to_numpy(dtype=bool, na_value=False), f"status {value}")
    records.reject(_duplicated(ids, records), "duplicate id")

    keep = records.kept
    data = {
        "unit_id": ids,
        "building_id": building,
        "function": as_text(table[cols["functie"]]),
        "status": status,
    }
    frame = pd.DataFrame(
        {k: v[keep].reset_index(drop=True).astype("string") for k, v in data.items()}
    )[list(schema.UNIT_COLUMNS)]
    return records.result(frame, ids, src)


def read_links(path: str | Path, layer: str | None = None) -> schema.ReadResult:
    """Read the links between building units and addresses of a Gebouwenregister extract.

    Parameters
    ----------
    path : str or Path
        DBF, CSV or GeoPackage table with the fields ``adresobjid`` (unit id) and ``adresid``.
    layer : str, optional
        Layer to read when the file holds several.

    Returns
    -------
    ReadResult
        ``frame`` (a DataFrame) has columns ``schema.LINK_COLUMNS``. The rejects'
        ``record_id`` is ``"<unit_id>/<address_id>"``.

    Raises
    ------
    SourceFileError
        If the file cannot be read or lacks either field.

    Notes
    -----
    A unit may have several addresses and an address several units; only a repeated
    (unit, address) pair is a duplicate ("duplicate link"). A missing id is rejected.
    """
    what = f"koppelbestand {path}"
    src = open_source(path, layer, what, need_geometry=False)
    problems = Problems(what)
    cols = require_fields(
        src.fields,
        ("adresobjid", "adresid"),
        problems,
        hint="geef het koppelbestand tussen gebouweenheden en adressen op (velden adresobjid, "
        "adresid)",
    )
    problems.raise_if_any(SourceFileError)

    table = src.table
    records = _Records(len(table))
    unit = as_text(table[cols["adresobjid"]])
    address = as_text(table[cols["adresid"]])
    records.reject((unit.isna() | address.isna()).to_numpy(), "missing id")
    pair = (unit.fillna("") + "/" + address.fillna("")).mask(unit.isna() & address.isna())
    records.reject(_duplicated(pair, records), "duplicate link")
    keep = records.kept
    frame = pd.DataFrame(
        {
            "unit_id": unit[keep].reset_index(drop=True),
            "address_id": address[keep].reset_index(drop=True),
        }
    )[list(schema.LINK_COLUMNS)]
    return records.result(frame, pair, src)


def read_sectors(
    path: str | Path,
    layer: str | None = None,
    crs: str | None = None,
    id_field: str | None = None,
    name_field: str | None = None,
) -> schema.ReadResult:
    """Read neighbourhood polygons: Statbel statistical sectors or any polygon layer.

    Parameters
    ----------
    path : str or Path
        Polygon layer (Shapefile, GeoPackage, GeoJSON, GeoParquet).
    layer : str, optional
        Layer to read when the file holds several.
    crs : str, optional
        CRS of the coordinates, used only when the file declares none.
    id_field : str, optional
        Field holding the neighbourhood id. Without it the file must be a Statbel
        statistical-sector file (``cd_sector``, ``tx_sector_descr_nl``, ``cd_munty_refnis``).
    name_field : str, optional
        Field holding the neighbourhood name (with ``id_field``); without it the name is <NA>.

    Returns
    -------
    ReadResult
        ``frame`` has columns ``schema.SECTOR_COLUMNS``, Polygon or MultiPolygon in
        EPSG:31370. ``municipality_nis`` comes from ``cd_munty_refnis`` when the file has it.

    Raises
    ------
    SourceFileError
        If the file cannot be read, has no CRS and no ``crs=``, lacks the id (or name) field,
        or holds no polygons at all.

    Examples
    --------
    The neighbourhoods ("wijken") of provinciesincijfers: ``read_sectors("ggw7.shp",
    id_field="geoitem", name_field="naam")``.
    """
    what = f"wijkenbestand {path}"
    src = open_source(path, layer, what, need_geometry=True)
    problems = Problems(what)
    if id_field is not None:
        id_key, name_key = id_field, name_field
        cols = require_fields(
            src.fields,
            [id_field] + ([name_field] if name_field else []),
            problems,
            hint="geef de namen van bestaande velden op",
        )
    else:
        id_key, name_key = "cd_sector", "tx_sector_descr_nl"
        cols = require_fields(
            src.fields,
            (id_key, name_key),
            problems,
            hint="een bestand met statistische sectoren van Statbel heeft "
            f"{', '.join(_STATBEL_FIELDS)}. Geef voor elke andere polygonenlaag "
            "id_field= (en name_field=) op",
        )
    problems.raise_if_any(SourceFileError)
    id_col = cols[id_key]
    name_col = cols[name_key] if name_key is not None else None

    gdf = _to_twin_crs(_geoframe(src), crs, what, src.notes)
    table = src.table
    records = _Records(len(table))
    ids = as_text(table[id_col])
    records.reject(ids.isna().to_numpy(), "missing id")
    geoms, repaired = _clean_polygons(gdf.geometry.to_numpy(), records, what, src)
    _reject_outside_belgium(geoms, records, what, src)
    records.reject(_duplicated(ids, records), "duplicate id")

    keep = records.kept
    nis_col = find_field(src.fields, "cd_munty_refnis")
    data = {
        "sector_id": ids,
        "sector_name": as_text(table[name_col]) if name_col else _na_strings(len(table)),
        "municipality_nis": as_text(table[nis_col]) if nis_col else _na_strings(len(table)),
    }
    frame = gpd.GeoDataFrame(
        {k: v[keep].reset_index(drop=True).astype("string") for k, v in data.items()},
        geometry=gpd.GeoSeries(geoms[keep], crs=schema.TWIN_CRS),
        crs=schema.TWIN_CRS,
    )[list(schema.SECTOR_COLUMNS)]
    return records.result(frame, ids, src, repaired=int((repaired & keep).sum()))


def read_facts(path: str | Path) -> schema.ReadResult:
    """Read known facts per address or building (construction year, EPC, insulation, ...).

    Parameters
    ----------
    path : str or Path
        CSV (comma, semicolon or tab separated; UTF-8 or Windows-1252; decimal point or
        comma) or DBF. Column names in Dutch or English, any case:

        ================================  ============================================
        column                            values
        ================================  ============================================
        adresid / address_id              address id (at least one of the two ids)
        gebouwid / building_id            building id
        bouwjaar / construction_year      year, 1000 ... this year + 5 (a cadastral
                                          extract's ``bouwjaar`` as it is)
        bouwlagen / aantal_bouwlagen /    storeys above ground of the building, a whole
        storeys                           number in fact_limits.csv (1 ... 50)
        woonfunctie / woongebouw /        ja/nee, true/false, 1/0: the building holds
        residential                       dwellings (ja: also above the floor-area cap of
                                          a dwelling) or none (nee: excluded)
        epc_score / epc_score_kwh_m2      EPC energy score [kWh/(m²·a)], -150 ... 1500
        epc_label                         A+, A, B, C, D, E, F (the label of the score,
                                          when both are given)
        dak_geisoleerd / roof_insulated   ja/nee, true/false, 1/0, or the year insulated
        muur_geisoleerd / wall_insulated  same
        vloer_geisoleerd / floor_insul.   same
        beglazing / glazing               enkel/dubbel/hr/driedubbel or single/double/hr/triple
        verwarming / heating_system       code, name or label_nl of heating_systems.csv
        verbruik_gas_kwh / gas_kwh        annual gas use [kWh], 0 ... 150,000
        verbruik_elektriciteit_kwh /      annual electricity use [kWh], 0 ... 100,000
        electricity_kwh
        ================================  ============================================

    Returns
    -------
    ReadResult
        ``frame`` (a DataFrame) has columns :data:`FACT_COLUMNS`; an empty cell is <NA>.
        Columns that are not known facts are left out and listed in ``notes``.

    Raises
    ------
    SourceFileError
        If the file cannot be read, has neither id column, or names one fact twice.

    Notes
    -----
    A record with a bad value is rejected whole, with a reason naming every bad column and
    value (``"bad value bouwjaar=2500, epc_label=Z"``), so no known fact is silently replaced
    by a default. The plausible ranges of scores and measured use are in
    ``buildings/data/fact_limits.csv``; a label that is not the label of the score given beside
    it rejects the record too. A record with neither id is rejected ("missing id"); a repeated address (or,
    for a row without address, a repeated building) is rejected ("duplicate id"), the first
    kept. An insulation year counts as insulated (True); the year itself is not kept.
    """
    what = f"feitenbestand {path}"
    src = open_source(path, None, what, need_geometry=False)
    problems = Problems(what)
    by_fact: dict[str, list[str]] = {}
    unused: list[str] = []
    for col in src.fields:
        fact = _FACT_ALIASES.get(_norm_name(col))
        if fact is None:
            unused.append(col)
        else:
            by_fact.setdefault(fact, []).append(col)
    for fact, cols_ in by_fact.items():
        if len(cols_) > 1:
            problems.add(fact, f"staat in meerdere kolommen ({', '.join(cols_)}): behoud er één")
    if "address_id" not in by_fact and "building_id" not in by_fact:
        problems.add(
            "address_id",
            f"geen id-kolom: geef een kolom adresid/address_id of gebouwid/building_id; "
            f"gevonden velden: {listing(src.fields)}",
        )
    problems.raise_if_any(SourceFileError)
    if unused:
        src.notes.append(f"kolommen niet gebruikt (geen gekend feit): {', '.join(unused)}")

    table = src.table
    n = len(table)
    records = _Records(n)
    cols = {fact: c[0] for fact, c in by_fact.items()}
    data: dict[str, pd.Series] = {}
    bad_parts: dict[int, list[str]] = {}  # row -> "column=value" of each bad value
    for fact in FACT_COLUMNS:
        if fact not in cols:
            data[fact] = pd.Series(index=range(n), dtype=FACT_DTYPES[fact])
            continue
        raw = as_text(table[cols[fact]]).reset_index(drop=True)
        if fact in ("address_id", "building_id"):
            data[fact] = raw
            continue
        values, bad = _FACT_PARSERS[fact](raw)
        data[fact] = values.astype(FACT_DTYPES[fact])
        for row in np.flatnonzero(bad):
            bad_parts.setdefault(int(row), []).append(f"{cols[fact]}={raw.iloc[row]}")
    address = data["address_id"]
    building = data["building_id"]
    records.reject((address.isna() & building.isna()).to_numpy(), "missing id")
    for i in sorted(bad_parts):
        records.reject_one(i, "bad value " + ", ".join(bad_parts[i]))
    # a registered label must be the label of its registered score (a certificate is one fact)
    both = data["epc_score_kwh_m2"].notna() & data["epc_label"].notna()
    if both.any():
        score = data["epc_score_kwh_m2"][both].to_numpy(dtype=np.float64)
        expected = np.asarray(LABELS, dtype=object)[epc_label_index(score)]
        for row, given, want in zip(
            np.flatnonzero(both.to_numpy()),
            data["epc_label"][both].to_numpy(dtype=object),
            expected,
            strict=True,
        ):
            if given != want:
                records.reject_one(
                    int(row),
                    f"epc label {given} does not match score "
                    f"{data['epc_score_kwh_m2'].iloc[row]:g} (label {want})",
                )
    # facts of an address are keyed by the address, facts of a whole building by the building
    key = address.fillna("building " + building)
    records.reject(_duplicated(key, records), "duplicate id")

    keep = records.kept
    frame = pd.DataFrame({k: data[k][keep].reset_index(drop=True) for k in FACT_COLUMNS})
    record_ids = address.fillna(building)
    return records.result(frame, record_ids, src)


# --------------------------------------------------------------------------------------------
# bookkeeping: every record is kept or rejected once
# --------------------------------------------------------------------------------------------


class _Records:
    """Outcome per input record: the first reason given to a record rejects it."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, None, dtype=object)
        self._kept = np.ones(n, dtype=bool)

    @property
    def kept(self) -> np.ndarray:
        """Boolean mask of the records not rejected (yet); a copy."""
        return self._kept.copy()

    def reject(self, mask: np.ndarray, reason: str) -> None:
        """Reject the records in ``mask`` that are still kept, with ``reason``."""
        hit = np.asarray(mask, dtype=bool) & self._kept
        self.reason[hit] = reason
        self._kept[hit] = False

    def reject_one(self, i: int, reason: str) -> None:
        """Reject record ``i`` with ``reason`` unless it was rejected already."""
        if self._kept[i]:
            self.reason[i] = reason
            self._kept[i] = False

    def result(
        self,
        frame: pd.DataFrame,
        ids: pd.Series,
        src: _Source,
        repaired: int = 0,
    ) -> schema.ReadResult:
        """The :class:`ReadResult`: ``frame`` plus a rejects row for every rejected record."""
        rejected = np.flatnonzero(~self._kept)
        names = ids.reset_index(drop=True).astype("string").iloc[rejected]
        names_arr = np.array(names.astype(object), dtype=object)  # a copy; <NA> where no id
        no_id = names.isna().to_numpy()
        # a record without id is named by its position (1-based)
        names_arr[no_id] = [f"record {i + 1}" for i in rejected[no_id]]
        record_ids = pd.Series(names_arr, dtype="string")
        if rejected.size:
            rejects = schema.make_rejects(
                src.label, record_ids, pd.Series(self.reason[rejected], dtype="string")
            )
        else:
            rejects = schema.empty_rejects()
        return schema.ReadResult(
            frame=frame.reset_index(drop=True),
            rejects=rejects,
            read=len(self.reason),
            source=src.source,
            repaired=repaired,
            notes=src.notes,
        )


def _duplicated(ids: pd.Series, records: _Records) -> np.ndarray:
    """Mask of kept records whose id repeats that of an earlier kept record."""
    kept = records.kept
    ids = ids.reset_index(drop=True)
    candidates = kept & ids.notna().to_numpy()
    dup = np.zeros(len(ids), dtype=bool)
    dup[candidates] = ids[candidates].duplicated(keep="first").to_numpy()
    return dup


# --------------------------------------------------------------------------------------------
# opening files
# --------------------------------------------------------------------------------------------


class _Source:
    """A file read: its table (with geometry if any), where it came from, and notes."""

    def __init__(
        self, table: pd.DataFrame, path: Path, layer: str | None, several_layers: bool
    ) -> None:
        self.table = table.reset_index(drop=True)
        self.path = path
        self.layer = layer
        self.label = f"{path.name}:{layer}" if layer and several_layers else path.name
        self.source = f"{path} (layer {layer})" if layer and several_layers else str(path)
        self.notes: list[str] = []
        self.all_fields: list[str] | None = None

    @property
    def fields(self) -> list[str]:
        """Attribute field names of the file (without the geometry column), also those not read."""
        if self.all_fields is not None:
            return list(self.all_fields)
        geometry = (
            self.table.geometry.name
            if isinstance(self.table, gpd.GeoDataFrame) and _has_geometry(self.table)
            else None
        )
        return [str(c) for c in self.table.columns if c != geometry]


def source_error(what: str, field: str, message: str) -> SourceFileError:
    """A :class:`SourceFileError` with one problem."""
    return SourceFileError(problems=[Problem(field, message)], what=what)


def open_source(
    path: str | Path,
    layer: str | None,
    what: str,
    need_geometry: bool,
    wanted: tuple[str, ...] | None = None,
) -> _Source:
    """Read ``path`` (one layer) as a (Geo)DataFrame, turning every failure into a clear error.

    ``wanted``: the only fields the caller uses (case-insensitive). Other fields of a
    GDAL-readable file are not parsed -- a register extract's long text fields (``voladres``)
    cost most of the read time -- but their names still appear in ``fields`` for messages.
    """
    p = Path(path)
    if not p.exists():
        raise source_error(
            what, "path", f"bestand niet gevonden: {p}. Controleer de map en de bestandsnaam."
        )
    suffix = p.suffix.lower()
    if suffix in _TABLE_SUFFIXES:
        if need_geometry:
            raise source_error(
                what,
                "geometry",
                f"{p.name} is een gewone tabel zonder geometrieën; geef de Shapefile-, "
                "GeoPackage-, GeoJSON- of GeoParquet-versie van deze bron op",
            )
        table, notes = _read_csv(p, what)
        src = _Source(table, p, None, False)
        src.notes.extend(notes)
        return src
    if suffix == ".shp":
        _check_shapefile(p, what)
    elif suffix == ".dbf":
        _check_dbf(p, what, p.name)
    caught: list[warnings.WarningMessage] = []
    several = False
    columns: list[str] | None = None
    all_fields: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if suffix in _PARQUET_SUFFIXES:
                table = _read_parquet(p, need_geometry)
            else:
                layer, several = _pick_layer(p, layer, what, need_geometry)
                columns = None
                if wanted is not None:
                    all_fields = [str(f) for f in pyogrio.read_info(p, layer=layer)["fields"]]
                    keep = {w.lower() for w in wanted}
                    columns = [f for f in all_fields if f.lower() in keep]
                # Arrow transfer halves the read time of large layers (same dtypes)
                table = gpd.read_file(
                    p,
                    layer=layer,
                    engine="pyogrio",
                    use_arrow=True,
                    on_invalid="ignore",  # unreadable geometries: null, counted below
                    columns=columns,
                    read_geometry=need_geometry,
                )
    except SourceFileError:
        raise
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise source_error(what, "file", _unreadable(p, exc)) from exc
    except (OSError, ValueError, RuntimeError) as exc:  # GDAL, pyarrow and shapely failures
        raise source_error(what, "file", _unreadable(p, exc)) from exc
    src = _Source(table, p, layer, several)
    if columns is not None:
        src.all_fields = all_fields
    src.notes.extend(
        f"{p.name}: {w.message}"
        for w in caught
        if issubclass(w.category, (UserWarning, RuntimeWarning))
    )
    if need_geometry and not (isinstance(table, gpd.GeoDataFrame) and _has_geometry(table)):
        raise source_error(
            what,
            "geometry",
            f"{p.name} bevat geen geometrieën (velden: {listing(src.fields)}); geef de laag "
            "met de geometrieën op (bij een Shapefile het .shp-bestand, niet alleen het "
            ".dbf-bestand)",
        )
    return src


def _sidecar(p: Path, suffix: str) -> Path | None:
    """The file next to ``p`` with ``suffix`` in any case (``.shx`` or ``.SHX``), or None."""
    for candidate in (p.with_suffix(suffix), p.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate
    folded = p.stem.lower() + suffix
    for candidate in p.parent.glob(f"{p.stem}.*"):
        if candidate.name.lower() == folded:
            return candidate
    return None


def _n(value: int) -> str:
    """A whole number with Dutch thousands separators (1.050)."""
    return f"{value:,}".replace(",", ".")


def _damaged(what: str, name: str, finding: str) -> SourceFileError:
    return source_error(
        what,
        "file",
        f"{name} is beschadigd of onvolledig: {finding}. Het bestand wordt niet gebruikt, "
        "want een deel van de records zou stil ontbreken. Download het opnieuw (of pak het "
        "zip-bestand opnieuw uit); bij een Shapefile moeten .shp, .shx en .dbf van dezelfde "
        "download komen.",
    )


def _check_shapefile(p: Path, what: str) -> None:
    """Refuse a Shapefile whose .shp, .shx and .dbf disagree, before GDAL reads it.

    Cheap: only the headers and the .shx index (8 bytes a record) are read. The .shx must be
    100 + 8 n bytes, the .dbf header must count the same n records and the .dbf must hold them,
    every record the .shx points to must lie inside the .shp, and the .shp must be as long as
    its header says.
    """
    shx, dbf = _sidecar(p, ".shx"), _sidecar(p, ".dbf")
    if shx is None or dbf is None:
        missing = [s for s, f in ((".shx", shx), (".dbf", dbf)) if f is None]
        raise source_error(
            what,
            "file",
            f"{p.name}: het {' en '.join(missing)}-bestand ontbreekt naast het .shp-bestand. "
            "Een Shapefile bestaat uit .shp, .shx en .dbf met dezelfde naam; kopieer ze samen.",
        )
    shp_size = p.stat().st_size
    with p.open("rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or int.from_bytes(header[0:4], "big") != 9994:
        raise _damaged(what, p.name, "de kop van het .shp-bestand is geen Shapefile-kop")
    declared = int.from_bytes(header[24:28], "big") * 2
    if declared != shp_size:
        raise _damaged(
            what,
            p.name,
            f"het .shp-bestand is {_n(shp_size)} bytes, zijn kop zegt {_n(declared)} bytes",
        )
    index = shx.read_bytes()
    n_shx, rest = divmod(len(index) - 100, 8)
    if len(index) < 100 or rest:
        raise _damaged(
            what,
            shx.name,
            f"het .shx-bestand is {_n(len(index))} bytes, geen 100 + 8 × het aantal records",
        )
    n_dbf = _check_dbf(dbf, what, p.name)
    if n_shx != n_dbf:
        raise _damaged(
            what,
            p.name,
            f"het .shx-bestand telt {_n(n_shx)} records, het .dbf-bestand {_n(n_dbf)}",
        )
    if n_shx:
        words = np.frombuffer(index, dtype=">i4", offset=100).reshape(-1, 2).astype(np.int64)
        ends = words[:, 0] * 2 + 8 + words[:, 1] * 2
        beyond = np.flatnonzero((words[:, 0] * 2 < 100) | (ends > shp_size))
        if beyond.size:
            raise _damaged(
                what,
                p.name,
                f"{_n(beyond.size)} van de {_n(n_shx)} records liggen volgens het .shx-bestand "
                f"(deels) voorbij het einde van het .shp-bestand (het eerste is record "
                f"{int(beyond[0]) + 1})",
            )


def _check_dbf(dbf: Path, what: str, name: str) -> int:
    """Records a dBASE file's header announces; refuse the file when it does not hold them."""
    size = dbf.stat().st_size
    with dbf.open("rb") as fh:
        header = fh.read(32)
    if len(header) < 32:
        raise _damaged(what, name, f"het .dbf-bestand is te kort ({size} bytes) voor een kop")
    n = int.from_bytes(header[4:8], "little")
    header_len = int.from_bytes(header[8:10], "little")
    record_len = int.from_bytes(header[10:12], "little")
    needed = header_len + n * record_len
    if size < needed:
        raise _damaged(
            what,
            name,
            f"het .dbf-bestand kondigt {_n(n)} records aan maar is {_n(size)} bytes, te kort "
            f"voor {_n(needed)} bytes",
        )
    return n


def _unreadable(p: Path, exc: BaseException) -> str:
    """Message for a file GDAL or pyarrow cannot read."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    detail = detail.split("; It might help")[0]
    return (
        f"{p.name} kan niet gelezen worden ({detail}). Controleer of het bestand volledig is "
        f"en een van deze formaten heeft: {_FORMATS}. Een Shapefile heeft zijn .shx- en "
        ".dbf-bestand naast het .shp-bestand nodig."
    )


def _has_geometry(table: gpd.GeoDataFrame) -> bool:
    try:
        table.geometry  # noqa: B018 - raises when there is no active geometry column
    except AttributeError:
        return False
    return True


def _pick_layer(p: Path, layer: str | None, what: str, need_geometry: bool) -> tuple[str, bool]:
    """The layer to read and whether the file holds several."""
    layers = pyogrio.list_layers(p)
    names = [str(row[0]) for row in layers]
    several = len(names) > 1
    if layer is not None:
        if layer in names:
            return layer, several
        folded = {n.lower(): n for n in names}
        if layer.lower() in folded:
            return folded[layer.lower()], several
        raise source_error(
            what,
            "layer",
            f"geen laag {layer!r} in {p.name}; lagen: {listing(names)}; "
            "geef met layer= een van deze lagen op",
        )
    if not names:
        raise source_error(
            what, "layer", f"{p.name} bevat geen lagen; controleer of het bestand volledig is"
        )
    if len(names) == 1:
        return names[0], several
    candidates = [str(row[0]) for row in layers if row[1] is not None] if need_geometry else names
    if len(candidates) == 1:
        return candidates[0], several
    raise source_error(
        what,
        "layer",
        f"{p.name} bevat meerdere lagen ({listing(names)}): geef met layer= de laag op "
        "die gelezen moet worden",
    )


def _read_parquet(p: Path, need_geometry: bool) -> pd.DataFrame:
    """A GeoParquet file (or a plain Parquet table when no geometry is needed)."""
    try:
        return gpd.read_parquet(p)
    except ValueError:
        if need_geometry:
            raise
        return pd.read_parquet(p)


def _read_csv(p: Path, what: str) -> tuple[pd.DataFrame, list[str]]:
    """A CSV as strings: separator taken from the header, UTF-8 (with or without BOM) or cp1252."""
    notes: list[str] = []
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        notes.append(f"{p.name}: geen UTF-8, gelezen als Windows-1252")
    if not text.strip():
        raise source_error(
            what, "file", f"{p.name} is leeg; geef een bestand met een kopregel en gegevens op"
        )
    # the header decides: Belgian exports separate with ';' (decimal commas in the values)
    header = text.splitlines()[0]
    sep = max((";", ",", "\t", "|"), key=header.count)
    sep = sep if header.count(sep) else ","
    try:
        table = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise source_error(
            what,
            "file",
            f"{p.name} is geen leesbare CSV-tabel ({exc}); controleer het scheidingsteken "
            "en de aanhalingstekens",
        ) from exc
    return table, notes


def _geoframe(src: _Source) -> gpd.GeoDataFrame:
    table = src.table
    if not isinstance(table, gpd.GeoDataFrame):  # open_source checked; keeps mypy informed
        raise TypeError("no geometry")
    return table


# --------------------------------------------------------------------------------------------
# fields
# --------------------------------------------------------------------------------------------


def find_field(fields: Sequence[str], name: str) -> str | None:
    """The field called ``name`` in any case, or cut to 10 characters by the Shapefile format.

    A WFS export may prefix its property names with the namespace of the feature type
    (``GRB:OIDN``); the part after the last ``:`` is matched when no field matches whole.
    """
    lower = name.lower()
    for f in fields:
        if f.lower() == lower:
            return f
    for f in fields:
        if ":" in f and f.rsplit(":", 1)[1].lower() == lower:
            return f
    if len(lower) > 10:
        for f in fields:
            if len(f) == 10 and f.lower() == lower[:10]:
                return f
    return None


def require_fields(
    fields: Sequence[str], names: Iterable[str], problems: Problems, hint: str | None = None
) -> dict[str, str]:
    """Map each required name to its field; add a problem for every one missing.

    With ``hint`` (Dutch: which file or fields to give), one more problem on ``fields`` lists
    the fields found followed by the hint when any name is missing.
    """
    found: dict[str, str] = {}
    missing = False
    for name in names:
        f = find_field(fields, name)
        if f is None:
            problems.add(name, "verplicht veld ontbreekt")
            missing = True
        else:
            found[name] = f
    if missing and hint is not None:
        problems.add("fields", f"gevonden velden: {listing(fields)}; {hint}")
    return found


def listing(names: Iterable[object], limit: int | None = None) -> str:
    """``names`` joined for a message, ``(geen)`` when there are none; with ``limit`` only the
    first ``limit`` and how many more there are ("(en nog 3)")."""
    shown = [str(n) for n in names]
    if not shown:
        return "(geen)"
    more = len(shown) - limit if limit is not None else 0
    head = shown[:limit] if limit is not None else shown
    return ", ".join(head) + (f" (en nog {more})" if more > 0 else "")


def as_text(values: pd.Series) -> pd.Series:
    """Strings for ids and codes: ``1000`` and ``1000.0`` give ``"1000"``; blank gives <NA>."""
    s = values.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("string")
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("Int64").astype("string")
    if pd.api.types.is_float_dtype(s.dtype):
        arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
        out = pd.Series(pd.NA, index=s.index, dtype="string")
        finite = np.isfinite(arr)
        whole = finite & (np.mod(arr, 1.0, where=finite, out=np.ones_like(arr)) == 0)
        out[whole] = pd.Series(arr[whole].astype(np.int64)).astype(str).to_numpy()
        other = finite & ~whole
        out[other] = pd.Series(arr[other]).astype(str).to_numpy()
        return out
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.strftime("%Y-%m-%d").astype("string")
    out = s.astype("string").str.strip()
    dotted = out.str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool)
    if dotted.any():  # the regex only where it can match: most ids and codes have no dot
        out = out.copy()
        out[dotted] = out[dotted].str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)
    return out.mask(out == "")


def _na_strings(n: int) -> pd.Series:
    return pd.Series(pd.NA, index=range(n), dtype="string")


def _integers(values: pd.Series) -> pd.Series:
    """Whole numbers as Int64; anything else (text, fractions) as <NA>."""
    num = pd.to_numeric(as_text(values), errors="coerce")
    num = num.where(num % 1 == 0)
    return num.astype("Int64")


def _show(value: object) -> str:
    return "<empty>" if value is None or value is pd.NA else str(value)


def _register_status(values: pd.Series, known: dict[str, str], records: _Records) -> pd.Series:
    """Register statuses in the register's spelling; reject missing and unknown ones."""
    raw = as_text(values)
    status = _map_unique(raw, lambda v: known.get(v.lower())).astype("string")
    records.reject(raw.isna().to_numpy(), "missing status")
    unknown = (raw.notna() & status.isna()).to_numpy(dtype=bool)
    _reject_each(raw, unknown, records, "unknown status {}")
    return status


def _reject_each(values: pd.Series, mask: np.ndarray, records: _Records, template: str) -> None:
    """Reject the records in ``mask``, each with ``template`` filled with its own value."""
    values = values.reset_index(drop=True)
    for i in np.flatnonzero(mask):
        records.reject_one(int(i), template.format(_show(values.iloc[i])))


# --------------------------------------------------------------------------------------------
# GRB rules
# --------------------------------------------------------------------------------------------


def _grb_upload_rules(table: pd.DataFrame, cols: dict[str, str], records: _Records) -> None:
    """GRBOBJECT 3 (kunstwerk), EVENTTYPE 5 (demolished) and ended versions are rejected."""
    grbobject = _integers(table[cols["GRBOBJECT"]]).reset_index(drop=True)
    obj = grbobject.to_numpy(dtype=np.float64, na_value=np.nan)
    records.reject(obj == 3, "not a building")
    _reject_each(grbobject, ~np.isin(obj, (1, 2)), records, "unknown grbobject {}")
    event = _integers(table[cols["EVENTTYPE"]]).to_numpy(dtype=np.float64, na_value=np.nan)
    records.reject(event == 5, "demolished (eventtype 5)")
    end = as_text(table[cols["GVDE"]])
    ended = end.notna() & (end != _GRB_OPEN_END)
    records.reject(ended.to_numpy(dtype=bool, na_value=False), "ended version (gvde set)")


def _grb_types(values: pd.Series) -> pd.Series:
    """GRB TYPE/TPC as a code; LBLTYPE labels (hoofdgebouw, bijgebouw, ...) are translated."""
    codes = _integers(values)
    text = as_text(values).str.lower()
    labels = text.map(_GRB_TYPE_LABELS).astype("Int64")
    return codes.fillna(labels)


# --------------------------------------------------------------------------------------------
# CRS
# --------------------------------------------------------------------------------------------


@cache
def _twin_crs() -> CRS:
    return CRS.from_user_input(schema.TWIN_CRS)


@cache
def belgium_bounds() -> tuple[float, float, float, float]:
    """Area of use of EPSG:31370 (Belgium, onshore) in EPSG:31370, with a 2 km margin [m]."""
    area = _twin_crs().area_of_use
    if area is None:  # pragma: no cover - PROJ always knows it
        return (0.0, 0.0, 320_000.0, 270_000.0)
    to_twin = Transformer.from_crs("EPSG:4326", _twin_crs(), always_xy=True)
    x0, y0, x1, y1 = to_twin.transform_bounds(*area.bounds)
    margin = 2_000.0
    return (x0 - margin, y0 - margin, x1 + margin, y1 + margin)


def _is_twin_crs(crs: CRS) -> bool:
    """Whether ``crs`` is EPSG:31370 or equivalent to it (an ESRI "Belge_Lambert_1972" .prj)."""
    if crs.to_epsg() == 31370:
        return True
    return bool(crs.equals(_twin_crs(), ignore_axis_order=True))


def _to_twin_crs(
    gdf: gpd.GeoDataFrame, crs: str | None, what: str, notes: list[str]
) -> gpd.GeoDataFrame:
    """``gdf`` in EPSG:31370: declared CRS reprojected, ``crs`` used when none is declared."""
    override: CRS | None = None
    if crs is not None:
        try:
            override = CRS.from_user_input(crs)
        except CRSError as exc:
            raise source_error(
                what,
                "crs",
                f"crs={crs!r} is geen coördinatenstelsel dat pyproj kent ({exc}); "
                'geef een EPSG-code op, bv. crs="EPSG:31370"',
            ) from exc
    if gdf.crs is None:
        if override is None:
            recognised = _crs_from_range(gdf)
            if recognised is None:
                raise source_error(what, "crs", _no_crs_message(gdf))
            notes.append(_recognised_crs_note(what, recognised))
            override = CRS.from_user_input(recognised)
        gdf = gdf.set_crs(override)
    elif override is not None and not override.equals(gdf.crs, ignore_axis_order=True):
        notes.append(f"--crs {crs} genegeerd: het bestand geeft zelf {gdf.crs.name} op")
    if _is_twin_crs(gdf.crs):
        return gdf.set_crs(schema.TWIN_CRS, allow_override=True)
    source_name = gdf.crs.name
    out = gdf.to_crs(schema.TWIN_CRS)
    notes.append(f"omgezet van {source_name} naar {schema.TWIN_CRS}")
    return out


def metric_crs_problem(
    gdf: gpd.GeoDataFrame, name: str, why: str = "lengtes en oppervlaktes vragen meters"
) -> str | None:
    """Why a layer a user drew or exported cannot be used for its CRS (Dutch, with what to do),
    or None when it is projected in metres.

    ``why`` says what needs metres ("afstanden tot de cabines vragen meters"). No CRS (a
    Shapefile without ``.prj``), a geographic CRS (degrees) and a non-metric one are refused;
    unlike the registers' readers, a missing CRS is not guessed from the coordinate range.
    """
    if gdf.crs is None:
        return (
            f"{name} heeft geen coördinatenstelsel (bij een Shapefile ontbreekt het .prj-bestand). "
            "Kopieer het .prj-bestand van de download mee, of ken de laag Lambert 72 "
            "(EPSG:31370) toe, bv. in QGIS met 'Laag > Laag-CRS instellen' of met "
            "ogr2ogr -a_srs EPSG:31370."
        )
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_geographic:
        return (
            f"{name} staat in een geografisch coördinatenstelsel ({crs.name}, graden); {why}. "
            "Zet de laag om naar Belgian Lambert 72 (EPSG:31370), bv. in QGIS met 'Exporteren > "
            "Objecten opslaan als' en CRS EPSG:31370, of met ogr2ogr -t_srs EPSG:31370."
        )
    units = {str(a.unit_name).lower() for a in crs.axis_info}
    if not crs.is_projected or not units <= {"metre", "meter", "m"}:
        return (
            f"{name} staat in {crs.name}, geen geprojecteerd stelsel in meters; zet de laag om "
            "naar Belgian Lambert 72 (EPSG:31370)."
        )
    return None


def in_twin_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` (a metric CRS, checked by :func:`metric_crs_problem`) in EPSG:31370: Lambert 72
    as is, another CRS reprojected."""
    if CRS.from_user_input(gdf.crs).to_epsg() == 31370:
        return gdf.set_crs(schema.TWIN_CRS, allow_override=True)
    return gdf.to_crs(schema.TWIN_CRS)


def to_metric_twin_crs(
    gdf: gpd.GeoDataFrame, what: str, name: str, notes: list[str]
) -> gpd.GeoDataFrame:
    """``gdf`` in EPSG:31370, refusing a layer without CRS or in a non-metric one.

    The strict rule of the layers a user draws or exports for a study (street centrelines,
    decided zones), where lengths and areas are measured (:func:`metric_crs_problem`):
    EPSG:31370 is used as is, another projected CRS in metres (EPSG:3812) is reprojected with
    a note in ``notes``; otherwise a :class:`SourceFileError` about ``what`` says what to do.
    """
    problem = metric_crs_problem(gdf, name)
    if problem is not None:
        raise source_error(what, "crs", problem)
    if CRS.from_user_input(gdf.crs).to_epsg() != 31370:
        notes.append(
            f"{name}: omgezet van {CRS.from_user_input(gdf.crs).name} naar {schema.TWIN_CRS}"
        )
    return in_twin_crs(gdf)


def outside_belgium(geoms: np.ndarray) -> np.ndarray:
    """Mask of present geometries whose bounding box lies wholly outside Belgium."""
    x0, y0, x1, y1 = belgium_bounds()
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    out = np.zeros(len(geoms), dtype=bool)
    if present.any():
        b = shapely.bounds(geoms[present])
        inside = (b[:, 2] >= x0) & (b[:, 0] <= x1) & (b[:, 3] >= y0) & (b[:, 1] <= y1)
        out[present] = ~inside
    return out


def nowhere_in_belgium(what: str, name: str, geoms: np.ndarray) -> SourceFileError:
    """The error for a layer of which no geometry lies in Belgium: its ``.prj`` is wrong."""
    b = shapely.total_bounds(geoms)
    return source_error(
        what,
        "crs",
        f"geen enkele geometrie van {name} ligt in België (hoek linksonder {b[0]:.0f}, "
        f"{b[1]:.0f} in Lambert 72): het coördinatenstelsel van het bestand (.prj) klopt niet "
        "met de coördinaten. Exporteer de laag opnieuw in Lambert 72 (EPSG:31370).",
    )


@dataclass(frozen=True)
class PointLayer:
    """A point layer a user gives (cabins, heat sources), read by :func:`read_point_layer`."""

    #: The layer as read, in the file's order and CRS.
    table: gpd.GeoDataFrame
    #: Its attribute fields (without the geometry column).
    fields: list[str]
    #: The problems found so far; the reader adds its own and raises them all at once.
    problems: Problems
    #: The field that names the points (the first of ``id_fields`` the file has), or None.
    id_field: str | None
    #: Per row the id as text, stripped (``<NA>`` where missing; all ``<NA>`` without
    #: ``id_field``).
    ids: pd.Series
    #: Per row: no id (missing or blank; every row without ``id_field``).
    no_id: np.ndarray
    #: Per row the name used in messages: its id, else ``rij <n>`` (1-based).
    labels: np.ndarray
    #: Per row whether its geometry is a (non-empty) point.
    is_point: np.ndarray
    #: The geometries in EPSG:31370; None when the CRS cannot be used (a problem says why).
    geometry: np.ndarray | None


def read_point_layer(
    path: str | Path,
    layer: str | None,
    what: str,
    noun: str,
    why_metres: str,
    point_rule: str,
    id_fields: Sequence[str],
) -> PointLayer:
    """Open a point layer a user gives (distribution cabins, heat sources) with the checks
    every such layer needs, naming the points by their id.

    :func:`open_source` (with geometry); an empty layer is an error (``{name} bevat geen
    {noun}``). Collected in ``problems``, not raised: the CRS (:func:`metric_crs_problem`,
    ``why_metres`` says what needs metres), geometries that are not points (``point_rule``
    says what they should be, "een cabine is een punt"), coordinates that look like degrees
    (|x| <= 180, |y| <= 90) in a metric CRS (WGS 84 saved as Lambert 72), and points outside
    Belgium (:func:`outside_belgium` after reprojection): when no point lies in Belgium the
    file's CRS is wrong (:func:`nowhere_in_belgium`), else the points outside are listed.

    Parameters
    ----------
    path : str or Path
        The file (GeoPackage, Shapefile, GeoJSON, ...).
    layer : str, optional
        Layer to read when the file holds several.
    what : str
        The file in messages ("cabinebestand <path>").
    noun : str
        The points, plural ("cabines", "warmtebronnen").
    why_metres : str
        Why the layer must be in metres, for :func:`metric_crs_problem`.
    point_rule : str
        What the features are ("cabines zijn punten"), in the not-a-point message.
    id_fields : sequence of str
        Field names of the points' id (case-insensitive), the first the file has wins; its
        values name the points in messages.
    """
    p = Path(path)
    gdf = open_source(p, layer, what, need_geometry=True).table
    if len(gdf) == 0:
        raise source_error(what, "file", f"{p.name} bevat geen {noun}")
    n = len(gdf)
    fields = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    problems = Problems(what)
    crs_problem = metric_crs_problem(gdf, p.name, why_metres)
    if crs_problem is not None:
        problems.add("crs", crs_problem)
    id_field = next((f for name in id_fields if (f := find_field(fields, name)) is not None), None)
    if id_field is None:
        ids = pd.Series(pd.NA, index=range(n), dtype="string")
        no_id = np.ones(n, dtype=bool)
    else:
        raw = gdf[id_field].reset_index(drop=True)
        ids = raw.astype("string").str.strip()
        no_id = (raw.isna() | (ids == "")).fillna(True).to_numpy(dtype=bool)
    labels = np.where(
        no_id, [f"rij {i + 1}" for i in range(n)], ids.fillna("").to_numpy(dtype=object)
    )
    geoms = gdf.geometry.to_numpy()
    is_point = (shapely.get_type_id(geoms) == shapely.GeometryType.POINT) & ~shapely.is_empty(geoms)
    if (~is_point).any():
        problems.add(
            "geometry",
            f"geen punt ({point_rule}): {listing(labels[~is_point], limit=10)}; zet vlakken om "
            "naar hun middelpunt of geef een puntenlaag",
            np.flatnonzero(~is_point),
        )
    if crs_problem is not None:
        return PointLayer(gdf, fields, problems, id_field, ids, no_id, labels, is_point, None)
    xy = np.full((n, 2), np.nan)
    xy[is_point] = shapely.get_coordinates(geoms[is_point])
    degrees = is_point & (np.abs(xy[:, 0]) <= 180.0) & (np.abs(xy[:, 1]) <= 90.0)
    if degrees.any():
        problems.add(
            "geometry",
            f"coördinaten die op graden lijken (lengte/breedte) in een stelsel in meters: "
            f"{listing(labels[degrees], limit=10)}; de laag is wellicht in WGS 84 ingevoerd "
            f"maar als {CRS.from_user_input(gdf.crs).name} opgeslagen. Herprojecteer de punten "
            "naar EPSG:31370",
            np.flatnonzero(degrees),
        )
    twin = in_twin_crs(gdf).geometry.to_numpy()
    placed = is_point & ~degrees
    outside = outside_belgium(twin) & placed
    if placed.any() and outside[placed].all():
        problems.items.extend(nowhere_in_belgium(what, p.name, twin[placed]).problems)
    elif outside.any():
        problems.add(
            "geometry",
            f"{noun} buiten België: {listing(labels[outside], limit=10)}; controleer hun "
            "coördinaten en het coördinatenstelsel (.prj) van het bestand",
            np.flatnonzero(outside),
        )
    return PointLayer(gdf, fields, problems, id_field, ids, no_id, labels, is_point, twin)


#: CRSs recognised from the coordinate range of a file that declares none (name, EPSG code).
_RECOGNISED_CRS = (("Lambert 72", "EPSG:31370"), ("Lambert 2008", "EPSG:3812"))


@cache
def _crs_range(epsg: str) -> tuple[float, float, float, float]:
    """Area of use of ``epsg`` (Belgium) in its own coordinates, with a 2 km margin [m]."""
    crs = CRS.from_user_input(epsg)
    area = crs.area_of_use
    if area is None:  # pragma: no cover - PROJ knows both Belgian Lambert projections
        raise ValueError(f"no area of use for {epsg}")
    to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x0, y0, x1, y1 = to_crs.transform_bounds(*area.bounds)
    margin = 2_000.0
    return (x0 - margin, y0 - margin, x1 + margin, y1 + margin)


def _crs_from_range(gdf: gpd.GeoDataFrame) -> str | None:
    """The Belgian Lambert CRS whose range over Belgium holds every coordinate, or None.

    Lambert 72 covers Belgium with x 15-297 km, y 21-246 km; Lambert 2008 with x 515-797 km,
    y 521-746 km (their areas of use, EPSG). The ranges are about 500 km apart in both
    directions, so a file lying wholly inside one of them cannot be in the other; a file
    with coordinates in neither (or in both parts) is not recognised.
    """
    finite = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if finite.empty:
        return None
    x0, y0, x1, y1 = (float(v) for v in finite.total_bounds)
    if not np.isfinite([x0, y0, x1, y1]).all():
        return None
    for _, epsg in _RECOGNISED_CRS:
        bx0, by0, bx1, by1 = _crs_range(epsg)
        if bx0 <= x0 and x1 <= bx1 and by0 <= y0 and y1 <= by1:
            return epsg
    return None


def _recognised_crs_note(what: str, epsg: str) -> str:
    name = dict((e, n) for n, e in _RECOGNISED_CRS)[epsg]
    return (
        f"{what} heeft geen coördinatenstelsel (Shapefile zonder .prj): de coördinaten liggen "
        f"alle in het bereik van {name} over België en zijn als {name} ({epsg}) gelezen; "
        "klopt dat niet, geef dan --crs op"
    )


def _no_crs_message(gdf: gpd.GeoDataFrame) -> str:
    """Why a file without CRS is refused: its coordinates lie in no recognised range."""
    x0, y0, x1, y1 = (float(v) for v in gdf.total_bounds) if len(gdf) else (np.nan,) * 4
    if x0 >= -180 and x1 <= 180 and y0 >= -90 and y1 <= 90:
        hint = "; de coördinaten lijken op lengte- en breedtegraden (--crs EPSG:4326)"
    elif np.isfinite([x0, y0, x1, y1]).all():
        hint = (
            f"; de coördinaten (x {x0:.0f} tot {x1:.0f}, y {y0:.0f} tot {y1:.0f}) liggen niet "
            "alle binnen België in Lambert 72 of alle binnen België in Lambert 2008, dus "
            "worden ze niet herkend"
        )
    else:
        hint = ""
    return (
        "het bestand heeft geen coördinatenstelsel (een Shapefile zonder .prj?): geef "
        "--crs EPSG:31370 op voor Lambert 72 of --crs EPSG:3812 voor Lambert 2008 (in Python: "
        'crs="EPSG:31370"), het coördinatenstelsel waarin de coördinaten staan'
        f"{hint}"
    )


# --------------------------------------------------------------------------------------------
# geometries
# --------------------------------------------------------------------------------------------


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The polygons of ``geom`` (a collection from ``make_valid``) as one geometry, or None."""
    parts = shapely.get_parts(geom)
    while True:
        nested = shapely.get_type_id(parts) == _COLLECTION
        if not nested.any():
            break
        parts = np.concatenate([parts[~nested], shapely.get_parts(parts[nested])])
    polys = parts[np.isin(shapely.get_type_id(parts), (_POLYGON, _MULTIPOLYGON))]
    polys = polys[shapely.area(polys) > 0]
    if len(polys) == 0:
        return None
    if len(polys) == 1:
        return polys[0]
    return shapely.union_all(polys)


def _refuse_many_missing(missing: np.ndarray, what: str, src: _Source) -> None:
    """Refuse a file in which many records have no (readable) geometry: it is damaged.

    Every building and address of the registers has a geometry, so a record without one is
    an odd record (rejected with its reason) -- but more of them than both thresholds of
    ``buildings/data/twin_parameters.csv`` (``damaged_file_min_missing_geometries`` records
    and ``damaged_file_max_missing_geometry_share`` of the file) point to a damaged file.
    """
    n_missing = int(missing.sum())
    if not n_missing:
        return
    params = twin_parameters()
    share = n_missing / len(missing)
    if (
        n_missing >= params["damaged_file_min_missing_geometries"]
        and share > params["damaged_file_max_missing_geometry_share"]
    ):
        raise source_error(
            what,
            "geometry",
            f"{src.label}: {_n(n_missing)} van de {_n(len(missing))} records "
            f"({f'{100 * share:.1f}'.replace('.', ',')} %) hebben "
            "geen leesbare geometrie. Dat wijst op een beschadigd of onvolledig bestand, niet "
            "op enkele vreemde records; het bestand wordt niet gebruikt. Download het opnieuw "
            "of exporteer de laag opnieuw.",
        )


def _drop_z(geoms: np.ndarray, ok: np.ndarray) -> None:
    """Make the geometries of ``ok`` 2-D in place (Z and M dropped); only those that have more.

    The dimension test costs ~1/50 of ``force_2d``, and register files are mostly 2-D.
    """
    more = np.zeros(len(geoms), dtype=bool)
    more[ok] = shapely.get_coordinate_dimension(geoms[ok]) > 2
    if more.any():
        geoms[more] = shapely.force_2d(geoms[more])


def _clean_polygons(
    geoms: np.ndarray, records: _Records, what: str, src: _Source
) -> tuple[np.ndarray, np.ndarray]:
    """Polygon geometries checked, repaired and simplified; returns (geometries, repaired mask).

    Rejects null, empty, non-polygonal, unrepairable and zero-area geometries. Raises if no
    record has a polygon at all: the wrong layer was given.
    """
    geoms = np.array(geoms, dtype=object)
    n = len(geoms)
    repaired = np.zeros(n, dtype=bool)
    missing = shapely.is_missing(geoms)
    _refuse_many_missing(missing, what, src)
    records.reject(missing, "null geometry")
    present = ~missing
    empty = np.zeros(n, dtype=bool)
    empty[present] = shapely.is_empty(geoms[present])
    records.reject(empty, "empty geometry")
    ok = present & ~empty
    _drop_z(geoms, ok)
    type_id = np.full(n, -1)
    type_id[ok] = shapely.get_type_id(geoms[ok])
    polygonal = np.isin(type_id, (_POLYGON, _MULTIPOLYGON))
    lines_points = ok & ~polygonal & (type_id != _COLLECTION)
    collection = ok & (type_id == _COLLECTION)
    if n and ok.any() and not (polygonal | collection).any():
        kinds = sorted(set(shapely.get_type_id(geoms[ok]).tolist()))
        names = ", ".join(shapely.GeometryType(k).name.title() for k in kinds)
        raise source_error(
            what,
            "geometry",
            f"{src.label} bevat geometrieën van het type {names}, geen polygonen: verkeerde "
            "laag? Geef de laag met de grondvlakken (polygonen) op.",
        )
    records.reject(lines_points, "not a polygon")
    invalid = np.zeros(n, dtype=bool)
    invalid[polygonal] = ~shapely.is_valid(geoms[polygonal])
    for i in np.flatnonzero(collection | invalid):
        fixed = _polygonal_part(shapely.make_valid(geoms[i]))
        if fixed is None:
            reason = "not a polygon" if collection[i] else "invalid geometry (unrepairable)"
            records.reject_one(int(i), reason)
        else:
            geoms[i] = fixed
            repaired[i] = True
    live = records.kept & ok
    area = np.zeros(n)
    area[live] = shapely.area(geoms[live])
    records.reject(live & ~(area > 0), "zero-area geometry")
    live = records.kept & ok
    single = np.zeros(n, dtype=bool)
    single[live] = (shapely.get_type_id(geoms[live]) == _MULTIPOLYGON) & (
        shapely.get_num_geometries(geoms[live]) == 1
    )
    if single.any():
        geoms[single] = shapely.get_geometry(geoms[single], 0)
    return geoms, repaired


def _clean_points(geoms: np.ndarray, records: _Records, what: str, src: _Source) -> np.ndarray:
    """Point geometries checked; a one-point MultiPoint becomes a Point."""
    geoms = np.array(geoms, dtype=object)
    n = len(geoms)
    missing = shapely.is_missing(geoms)
    _refuse_many_missing(missing, what, src)
    records.reject(missing, "null geometry")
    present = ~missing
    empty = np.zeros(n, dtype=bool)
    empty[present] = shapely.is_empty(geoms[present])
    records.reject(empty, "empty geometry")
    ok = present & ~empty
    _drop_z(geoms, ok)
    type_id = np.full(n, -1)
    type_id[ok] = shapely.get_type_id(geoms[ok])
    count = np.zeros(n, dtype=int)
    count[ok] = shapely.get_num_geometries(geoms[ok])
    single_multi = ok & (type_id == _MULTIPOINT) & (count == 1)
    point = ok & ((type_id == _POINT) | single_multi)
    if n and ok.any() and not point.any():
        kinds = sorted(set(type_id[ok].tolist()))
        names = ", ".join(shapely.GeometryType(k).name.title() for k in kinds)
        raise source_error(
            what,
            "geometry",
            f"{src.label} bevat geometrieën van het type {names}, geen punten: verkeerde "
            "laag? Geef de laag met de adrespunten op.",
        )
    records.reject(ok & ~point, "not a point")
    if single_multi.any():
        geoms[single_multi] = shapely.get_geometry(geoms[single_multi], 0)
    return geoms


def _reject_outside_belgium(geoms: np.ndarray, records: _Records, what: str, src: _Source) -> None:
    """Reject geometries outside Belgium; raise when none is inside (a wrong CRS)."""
    live = records.kept & ~shapely.is_missing(geoms)
    live[live] = ~shapely.is_empty(geoms[live])
    if not live.any():
        return
    bounds = shapely.bounds(geoms[live])
    with np.errstate(invalid="ignore"):  # a geometry without finite bounds is outside
        inside_live = ~outside_belgium(geoms[live])
    if not inside_live.any():
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            corner = np.nanmin(bounds[:, 0]), np.nanmin(bounds[:, 1])
        raise source_error(
            what,
            "crs",
            f"geen enkele geometrie van {src.label} ligt in België na omzetting naar "
            f"{schema.TWIN_CRS} (hoek linksonder {corner[0]:.0f}, {corner[1]:.0f}): het "
            "coördinatenstelsel is fout. Heeft het bestand geen .prj, geef dan met crs= het "
            'coördinatenstelsel op waarin de coördinaten staan (crs="EPSG:3812" voor '
            "Lambert 2008).",
        )
    outside = np.zeros(len(geoms), dtype=bool)
    outside[live] = ~inside_live
    records.reject(outside, "outside Belgium")


def _note_multipart(frame: gpd.GeoDataFrame, notes: list[str], what: str) -> None:
    multi = frame.geometry.geom_type == "MultiPolygon"
    if multi.any():
        ids = ", ".join(frame.loc[multi, "building_id"].astype(str).head(10))
        more = " ..." if multi.sum() > 10 else ""
        notes.append(
            f"{int(multi.sum())} {what} hebben een grondvlak uit meerdere delen, als één "
            f"MultiPolygon behouden: {ids}{more}"
        )


# --------------------------------------------------------------------------------------------
# facts
# --------------------------------------------------------------------------------------------


def _norm_name(name: str) -> str:
    """Column name folded for matching: no accents, lower case, ``_`` between words."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


_FACT_ALIASES: dict[str, str] = {
    alias: fact
    for fact, aliases in {
        "address_id": ("adresid", "address_id"),
        "building_id": ("gebouwid", "building_id"),
        "construction_year": ("bouwjaar", "construction_year"),
        "storeys": ("bouwlagen", "aantal_bouwlagen", "storeys"),
        "residential": ("woonfunctie", "woongebouw", "residential"),
        "epc_score_kwh_m2": ("epc_score", "epc_score_kwh_m2"),
        "epc_label": ("epc_label",),
        "roof_insulated": ("dak_geisoleerd", "roof_insulated"),
        "wall_insulated": ("muur_geisoleerd", "wall_insulated"),
        "floor_insulated": ("vloer_geisoleerd", "floor_insulated"),
        "glazing": ("beglazing", "glazing"),
        "heating_system": ("verwarming", "heating_system"),
        "gas_kwh": ("verbruik_gas_kwh", "gas_kwh"),
        "electricity_kwh": ("verbruik_elektriciteit_kwh", "electricity_kwh"),
    }.items()
    for alias in aliases
}

#: dtype of each column of the facts reader's frame (and of the twin's aligned facts)
FACT_DTYPES: dict[str, Any] = {
    "address_id": "string",
    "building_id": "string",
    "construction_year": "Int64",
    "storeys": "Int64",
    "residential": "boolean",
    "epc_score_kwh_m2": "float64",
    "epc_label": "string",
    "roof_insulated": "boolean",
    "wall_insulated": "boolean",
    "floor_insulated": "boolean",
    "glazing": "string",
    "heating_system": "Int64",
    "gas_kwh": "float64",
    "electricity_kwh": "float64",
}

#: Plausible EPC energy scores [kWh/(m²·a)]: far outside any issued Flemish residential EPC.
_TRUE = frozenset({"1", "true", "waar", "ja", "j", "yes", "y", "x", "wel"})
_FALSE = frozenset({"0", "false", "onwaar", "nee", "n", "no", "geen", "niet"})
_GLAZING = {
    "enkel": "single",
    "enkel_glas": "single",
    "single": "single",
    "dubbel": "double",
    "dubbel_glas": "double",
    "double": "double",
    "hr": "hr",
    "hr_glas": "hr",
    "hr_plus": "hr",
    "hr_plus_plus": "hr",
    "hoogrendementsglas": "hr",
    "hoogrendement": "hr",
    "driedubbel": "triple",
    "driedubbel_glas": "triple",
    "drievoudig": "triple",
    "triple": "triple",
}


def _latest_year() -> int:
    """Latest plausible construction year: planned buildings may be a few years ahead."""
    return datetime.date.today().year + 5


def _numbers(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Numbers from text with a decimal point or comma; (values, mask of unparseable text).

    ``12,5`` and ``12.5`` are 12.5; with both marks the last one is the decimal mark
    (``1.234,5`` and ``1,234.5`` are 1234.5).
    """
    text = raw.astype("string").str.replace(" ", "", regex=False)
    has_comma = text.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
    if has_comma.any():  # only those cells need the decimal-mark rules (most files have none)
        sub = text[has_comma]
        has_dot = sub.str.contains(".", regex=False)
        comma_last = sub.str.rfind(",") > sub.str.rfind(".")
        sub = sub.mask(has_dot & comma_last, sub.str.replace(".", "", regex=False))
        sub = sub.mask(has_dot & ~comma_last, sub.str.replace(",", "", regex=False))
        text = text.copy()
        text[has_comma] = sub.str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = (raw.notna() & values.isna()).to_numpy(dtype=bool)
    return values, bad


def _parse_year(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    values, bad = _numbers(raw)
    arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
    ok = np.isnan(arr) | ((arr % 1 == 0) & (arr >= 1000) & (arr <= _latest_year()))
    return values.where(ok), bad | ~ok


def _fact_limits(fact: str) -> tuple[float, float]:
    """Plausible range of one fact of one dwelling (``buildings/data/fact_limits.csv``)."""
    ref = resources.files("buildings.data").joinpath("fact_limits.csv")
    with resources.as_file(ref) as path:
        t = pd.read_csv(path, comment="#")
    row = t.loc[t["fact"] == fact]
    return float(row["lo"].to_numpy(dtype=float)[0]), float(row["hi"].to_numpy(dtype=float)[0])


def _float_range(
    lo: float, hi: float, whole: bool = False
) -> Callable[[pd.Series], tuple[pd.Series, np.ndarray]]:
    """Parser of numbers in [lo, hi] (``whole``: whole numbers only); others are bad."""

    def parse(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
        values, bad = _numbers(raw)
        arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
        ok = np.isnan(arr) | ((arr >= lo) & (arr <= hi) & ((arr % 1 == 0) | (not whole)))
        return values.where(ok), bad | ~ok

    return parse


def _parse_label(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    labels = set(load_table("epc_labels.csv")["label"].astype(str))
    text = raw.str.upper().str.replace(" ", "", regex=False)
    ok = text.isin(labels) | text.isna()
    return text.where(ok), ~ok.to_numpy(dtype=bool)


def _parse_insulated(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Yes/no in Dutch or English, 1/0, or the year of insulation (counts as insulated)."""
    out, _ = _parse_yes_no(raw)
    year = pd.to_numeric(raw.str.lower().where(out.isna()), errors="coerce")
    is_year = (year % 1 == 0) & (year >= 1900) & (year <= datetime.date.today().year)
    out[is_year.to_numpy(dtype=bool, na_value=False)] = True
    bad = (raw.notna() & out.isna()).to_numpy(dtype=bool)
    return out, bad


def _parse_yes_no(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Yes/no in Dutch or English, or 1/0 (no years: see :func:`_parse_insulated`)."""
    text = raw.str.lower()
    out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    out[text.isin(_TRUE).to_numpy(bool)] = True
    out[text.isin(_FALSE).to_numpy(bool)] = False
    bad = (raw.notna() & out.isna()).to_numpy(dtype=bool)
    return out, bad


def _map_unique(raw: pd.Series, func: Callable[[str], object]) -> pd.Series:
    """``func`` applied to each distinct text once (a facts file repeats a few values 10⁶ times).

    An empty cell, and a text for which ``func`` gives None, become None (object dtype).
    """
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = np.array(
        [func(v) if isinstance(v, str) else None for v in uniques] + [None], dtype=object
    )
    return pd.Series(mapped[codes], index=raw.index, dtype=object)  # code -1: the last, None


def _parse_glazing(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    out = _map_unique(raw, lambda v: _GLAZING.get(_norm_name(v.replace("+", "_plus")))).astype(
        "string"
    )
    bad = (raw.notna() & out.isna()).to_numpy(dtype=bool)
    return out, bad


@cache
def _heating_lookup() -> dict[str, int]:
    """Code of each space-heating system by code, name and Dutch label (folded)."""
    table = load_table("heating_systems.csv")
    table = table[table["code"].isin(SPACE_HEATING_CODES)]
    lookup: dict[str, int] = {}
    for code, name, label in zip(table["code"], table["name"], table["label_nl"], strict=True):
        for key in (str(int(code)), str(name), str(label)):
            lookup[_norm_name(key)] = int(code)
    return lookup


def _parse_heating(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    lookup = _heating_lookup()
    out = _map_unique(raw, lambda v: lookup.get(_norm_name(v))).astype("Int64")
    bad = (raw.notna() & out.isna()).to_numpy(dtype=bool)
    return out, bad


_FACT_PARSERS: dict[str, Callable[[pd.Series], tuple[pd.Series, np.ndarray]]] = {
    "construction_year": _parse_year,
    "storeys": _float_range(*_fact_limits("storeys"), whole=True),
    "residential": _parse_yes_no,
    "epc_score_kwh_m2": _float_range(*_fact_limits("epc_score_kwh_m2")),
    "epc_label": _parse_label,
    "roof_insulated": _parse_insulated,
    "wall_insulated": _parse_insulated,
    "floor_insulated": _parse_insulated,
    "glazing": _parse_glazing,
    "heating_system": _parse_heating,
    "gas_kwh": _float_range(*_fact_limits("gas_kwh")),
    "electricity_kwh": _float_range(*_fact_limits("electricity_kwh")),
}
