"""Small source files in the real schemas and formats, with deliberately broken records.

Each builder writes one file into a folder (a pytest ``tmp_path``) the way the register or
GIS package would: Shapefiles with their .prj, .shx and .dbf through pyogrio, GeoPackages,
GeoJSON, DBF and CSV tables. Each builder returns the path and ``EXPECTED``-style dicts
saying which record ids must be kept and why the others must be rejected, so the tests
assert the reader's outcome record by record.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

#: A point in Gent, Belgian Lambert 72 [m].
GENT_31370 = (104_500.0, 194_000.0)


def square(x: float, y: float, size: float = 10.0) -> shapely.Polygon:
    """Axis-aligned square footprint with its lower-left corner at (x, y) [m]."""
    return shapely.box(x, y, x + size, y + size)


def bowtie(x: float, y: float, size: float = 10.0) -> shapely.Polygon:
    """Self-intersecting 'bow tie' footprint: two triangles of size²/4 each [m²]."""
    return shapely.Polygon([(x, y), (x + size, y + size), (x + size, y), (x, y + size)])


def _at(i: int) -> tuple[float, float]:
    """Lower-left corner of the i-th footprint: a row of plots 20 m apart in Gent."""
    return GENT_31370[0] + 20.0 * i, GENT_31370[1]


# --- Gebouwenregister ---------------------------------------------------------------------

#: gebouwid -> (status, geometry kind) of the Gebouwenregister Shapefile fixture, in file order.
GEBOUWENREGISTER_RECORDS: list[tuple[int | None, str | None, str]] = [
    (1001, "gerealiseerd", "square"),
    (1002, "gepland", "square"),
    (1003, "inAanbouw", "square"),
    (1004, "gehistoreerd", "square"),
    (1005, "nietGerealiseerd", "square"),
    (1006, "gerealiseerd", "bowtie"),
    (1007, "gerealiseerd", "null"),
    (1001, "gerealiseerd", "square"),  # duplicate id
    (1008, "gerealiseerd", "multi1"),
    (1009, "gerealiseerd", "multi2"),
    (1010, "gerealiseerd", "collapsed"),
    (1011, None, "square"),
    (None, "gerealiseerd", "square"),
    (1012, "Gerealiseerd", "square"),  # case differs from the register spelling
    (1013, "gesloopt", "square"),  # not a register status
]
GEBOUWENREGISTER_KEPT = ["1001", "1002", "1003", "1006", "1008", "1009", "1012"]
GEBOUWENREGISTER_REJECTED = {
    "1004": "status gehistoreerd",
    "1005": "status nietGerealiseerd",
    "1007": "null geometry",
    "1001": "duplicate id",
    "1010": "invalid geometry (unrepairable)",
    "1011": "missing status",
    "record 13": "missing id",
    "1013": "unknown status gesloopt",
}


def _geometry(kind: str, i: int) -> BaseGeometry | None:
    x, y = _at(i)
    if kind == "square":
        return square(x, y)
    if kind == "bowtie":
        return bowtie(x, y)
    if kind == "null":
        return None
    if kind == "multi1":
        return shapely.MultiPolygon([square(x, y)])
    if kind == "multi2":
        return shapely.MultiPolygon([square(x, y, 6.0), square(x + 8.0, y, 4.0)])
    if kind == "collapsed":  # all vertices on one line: no area, make_valid gives a line
        return shapely.Polygon([(x, y), (x + 5, y), (x + 10, y), (x, y)])
    raise ValueError(kind)


def gebouwenregister_shapefile(folder: Path) -> Path:
    """Gebouwenregister extract as a Shapefile (gebouwid, versieid, geommet, status) with .prj."""
    ids, statuses, geoms = [], [], []
    for i, (gid, status, kind) in enumerate(GEBOUWENREGISTER_RECORDS):
        ids.append(gid)
        statuses.append(status)
        geoms.append(_geometry(kind, i))
    frame = gpd.GeoDataFrame(
        {
            "gebouwid": pd.array(ids, dtype="Int64"),
            "versieid": pd.array(range(1, len(ids) + 1), dtype="Int64"),
            "geommet": ["ingemetenGRB"] * (len(ids) - 1) + ["ingeschetst"],
            "status": statuses,
        },
        geometry=geoms,
        crs="EPSG:31370",
    )
    path = folder / "Gebouw.shp"
    frame.to_file(path, engine="pyogrio")
    return path


def gebouwenregister_mixed_gpkg(folder: Path) -> Path:
    """GeoPackage layer 'gebouw' of mixed geometry types: point, line, empty, two polygons."""
    x, y = GENT_31370
    frame = gpd.GeoDataFrame(
        {
            "gebouwid": [2001, 2002, 2003, 2004, 2005],
            "versieid": [1, 1, 1, 1, 1],
            "geommet": ["ingemetenGRB"] * 5,
            "status": ["gerealiseerd"] * 5,
        },
        geometry=[
            shapely.Point(x, y),
            shapely.LineString([(x, y), (x + 10, y)]),
            shapely.Polygon(),
            square(x + 40, y),
            shapely.GeometryCollection([square(x + 60, y), shapely.Point(x, y)]),
        ],
        crs="EPSG:31370",
    )
    path = folder / "gebouwen.gpkg"
    frame.to_file(path, layer="gebouw", engine="pyogrio")
    return path


def points_as_buildings_gpkg(folder: Path) -> Path:
    """A building-register schema whose geometries are all points (the address layer, say)."""
    x, y = GENT_31370
    frame = gpd.GeoDataFrame(
        {"gebouwid": [1, 2], "versieid": [1, 1], "geommet": ["x", "x"], "status": ["a", "b"]},
        geometry=[shapely.Point(x, y), shapely.Point(x + 1, y)],
        crs="EPSG:31370",
    )
    path = folder / "punten.gpkg"
    frame.to_file(path, layer="gebouw", engine="pyogrio")
    return path


def squares_in(crs: str, folder: Path, name: str, size: float = 10.0) -> Path:
    """Gebouwenregister layer of three squares of ``size`` m drawn in ``crs`` coordinates.

    Lambert 2008 (EPSG:3812): near Lambert 72 + (500 km, 500 km) in Gent.
    """
    x, y = GENT_31370
    if crs == "EPSG:3812":
        x, y = x + 500_000.0, y + 500_000.0
    frame = gpd.GeoDataFrame(
        {
            "gebouwid": [1, 2, 3],
            "versieid": [1, 1, 1],
            "geommet": ["ingemetenGRB"] * 3,
            "status": ["gerealiseerd"] * 3,
        },
        geometry=[square(x + 20.0 * i, y, size) for i in range(3)],
        crs=crs,
    )
    path = folder / name
    frame.to_file(path, engine="pyogrio")
    return path


def lonlat_geojson(folder: Path) -> tuple[Path, list[shapely.Polygon]]:
    """Gebouwenregister buildings as RFC 7946 GeoJSON (WGS 84 lon/lat); returns the polygons."""
    lon, lat = 3.7250, 51.0540  # Gent
    dlon, dlat = 0.00015, 0.0001  # about 10.5 m by 11.1 m
    polys = [
        shapely.box(lon + 3 * i * dlon, lat, lon + (3 * i + 1) * dlon, lat + dlat) for i in range(2)
    ]
    frame = gpd.GeoDataFrame(
        {
            "gebouwid": [1, 2],
            "versieid": [1, 1],
            "geommet": ["ingemetenGRB"] * 2,
            "status": ["gerealiseerd"] * 2,
        },
        geometry=polys,
        crs="EPSG:4326",
    )
    path = folder / "gebouwen.geojson"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path, polys


# --- GRB ----------------------------------------------------------------------------------

#: GRB Gbg records: OIDN -> TYPE (1 hoofdgebouw, 2 bijgebouw, 3 afgezoomd met virtuele gevels).
GRB_GBG_TYPES = {501: 1, 502: 2, 503: 3, 504: 1, 505: 7}
GRB_GBG_LABELS = {
    1: "hoofdgebouw",
    2: "bijgebouw",
    3: "gebouw afgezoomd met virtuele gevels",
    7: "onbekend",
}


def grb_gbg_shapefile(folder: Path, with_type: bool = True) -> Path:
    """GRB Gbg layer (OIDN, UIDN, VERSIE, BEGINDATUM, VERSDATUM, TYPE, LBLTYPE, ...), .prj."""
    oidn = list(GRB_GBG_TYPES)
    types = list(GRB_GBG_TYPES.values())
    data: dict[str, object] = {
        "OIDN": oidn,
        "UIDN": [10_000 + o for o in oidn],
        "VERSIE": [1] * len(oidn),
        "BEGINDATUM": ["2019-03-01"] * len(oidn),
        "VERSDATUM": ["2021-06-15"] * len(oidn),
    }
    if with_type:
        data["TYPE"] = types
    data["LBLTYPE"] = [GRB_GBG_LABELS[t] for t in types]
    data["OPNDATUM"] = ["2018-11-20"] * len(oidn)
    data["BGNINV"] = [5] * len(oidn)
    frame = gpd.GeoDataFrame(
        data, geometry=[square(*_at(i)) for i in range(len(oidn))], crs="EPSG:31370"
    )
    path = folder / ("Gbg.shp" if with_type else "Gbg_lbl.shp")
    frame.to_file(path, engine="pyogrio")
    return path


def grb_gbg_layer(folder: Path, records: list[tuple[int, int, BaseGeometry]], name: str) -> Path:
    """A GRB Gbg Shapefile (with .prj) of hand-drawn footprints: (OIDN, TYPE, polygon) per record."""
    data: dict[str, object] = {
        "OIDN": [r[0] for r in records],
        "UIDN": [10_000 + r[0] for r in records],
        "VERSIE": [1] * len(records),
        "BEGINDATUM": ["2019-03-01"] * len(records),
        "VERSDATUM": ["2021-06-15"] * len(records),
        "TYPE": [r[1] for r in records],
        "LBLTYPE": [GRB_GBG_LABELS[r[1]] for r in records],
        "OPNDATUM": ["2018-11-20"] * len(records),
        "BGNINV": [5] * len(records),
    }
    frame = gpd.GeoDataFrame(data, geometry=[r[2] for r in records], crs="EPSG:31370")
    path = folder / name
    frame.to_file(path, engine="pyogrio")
    return path


#: GRB upload records, in the real test files' schema; GRBIDN -> expected outcome.
GRB_UPLOAD_ROWS = [
    # GRBIDN, IDNV, GVDV, GVDE, EVENTTYPE, GRBOBJECT, GRID, TPC
    (7001, 1, "2024-01-02", "1900-01-01", 1, 1, "-9", 1),
    (7002, 2, "2024-01-02", "2024-03-01", 3, 1, "https://data.vlaanderen.be/id/gebouw/7", 1),
    (7003, 1, "2024-01-02", None, 2, 1, "-9", 3),
    (7004, 1, "2024-01-02", "1900-01-01", 5, 1, "https://data.vlaanderen.be/id/gebouw/8", 1),
    (7005, 1, "2024-01-02", "1900-01-01", 1, 3, "-9", 10),
    (7006, 1, "2024-01-02", "1900-01-01", 1, 1, "-9", 2),
    (7007, 1, "2024-01-02", "1900-01-01", 1, 2, "-9", 1),
]
GRB_UPLOAD_KEPT = ["7001", "7003", "7006", "7007"]  # 7006: an annex (is_main False)
GRB_UPLOAD_REJECTED = {
    "7002": "ended version (gvde set)",
    "7004": "demolished (eventtype 5)",
    "7005": "not a building",
}


def grb_upload_shapefile_without_prj(folder: Path) -> Path:
    """GRB upload records like the real test files: Lambert 72 coordinates, no .prj."""
    columns = ["GRBIDN", "IDNV", "GVDV", "GVDE", "EVENTTYPE", "GRBOBJECT", "GRID", "TPC"]
    frame = gpd.GeoDataFrame(
        pd.DataFrame(GRB_UPLOAD_ROWS, columns=columns),
        geometry=[square(*_at(i)) for i in range(len(GRB_UPLOAD_ROWS))],
        crs=None,
    )
    path = folder / "gebouw_ALL.shp"
    with warnings.catch_warnings():  # "'crs' was not provided": that is the point
        warnings.simplefilter("ignore", UserWarning)
        frame.to_file(path, engine="pyogrio")
    if path.with_suffix(".prj").exists():  # pragma: no cover - GDAL writes none without a CRS
        path.with_suffix(".prj").unlink()
    return path


# --- Adressenregister ---------------------------------------------------------------------

ADDRESS_FIELDS = [
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
]

#: adresid, straatnm, huisnr, busnr, postcode, status, has point
ADDRESS_ROWS: list[tuple[int | None, str | None, str, str | None, int, str, bool]] = [
    (3001, "Veldstraat", "12", None, 9000, "inGebruik", True),
    (3002, "Veldstraat", "14", "1", 9000, "inGebruik", True),
    (3003, "Veldstraat", "14", "2", 9000, "inGebruik", True),
    (3004, "Kouter", "3A", None, 9000, "voorgesteld", True),
    (3005, "Kouter", "5", None, 9000, "gehistoreerd", True),
    (3006, "Kouter", "7", None, 9000, "afgekeurd", True),
    (3007, "Kouter", "9", None, 9000, "inGebruik", False),
    (3002, "Veldstraat", "14", "1", 9000, "inGebruik", True),  # duplicate adresid
    (3008, "Kouter", "11", None, 900, "inGebruik", True),  # three-digit postcode
    (3009, None, "13", None, 9000, "inGebruik", True),  # no street name
    (None, "Kouter", "15", None, 9000, "inGebruik", True),  # no adresid
    (3010, "Kouter", "17", None, 9000, "InGebruik", True),  # case differs
]
ADDRESS_KEPT = ["3001", "3002", "3003", "3004", "3010"]
ADDRESS_REJECTED = {
    "3005": "status gehistoreerd",
    "3006": "status afgekeurd",
    "3007": "null geometry",
    "3002": "duplicate id",
    "3008": "bad value postcode=900",
    "3009": "missing straatnm",
    "record 11": "missing id",
}


def address_frame(crs: str | None = "EPSG:31370") -> gpd.GeoDataFrame:
    """The Adressenregister fixture rows with every field of the real extract."""
    x, y = GENT_31370
    rows = []
    geoms: list[BaseGeometry | None] = []
    for i, (aid, street, nr, box, postcode, status, has_point) in enumerate(ADDRESS_ROWS):
        full = f"{street} {nr}{' bus ' + box if box else ''}, {postcode} Gent"
        rows.append(
            {
                "adresid": aid,
                "straatnmid": 45_000 + i,
                "straatnm": street,
                "huisnr": nr,
                "busnr": box,
                "postcode": postcode,
                "gemeenteid": 44021,
                "gemeentenm": "Gent",
                "status": status,
                "posgeommet": "aangeduidDoorBeheerder",
                "posspec": "gebouweenheid" if box else "perceel",
                "offtoegknd": "false",
                "voladres": full,
            }
        )
        geoms.append(shapely.Point(x + 20.0 * i + 5.0, y + 5.0) if has_point else None)
    frame = pd.DataFrame(rows, columns=ADDRESS_FIELDS)
    frame["adresid"] = frame["adresid"].astype("Int64")
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=crs)


def addresses_shapefile(folder: Path) -> Path:
    """Adressenregister extract as a Shapefile with .prj."""
    path = folder / "Adres.shp"
    address_frame().to_file(path, engine="pyogrio")
    return path


def address_points(
    folder: Path, points: list[tuple[int, str, str | None, BaseGeometry]], name: str
) -> Path:
    """An Adressenregister Shapefile (every field of the real extract) of hand-placed points.

    ``points``: (adresid, huisnr, busnr, point) per address, all in use, in the Veldstraat.
    """
    rows = [
        {
            "adresid": aid,
            "straatnmid": 45_000,
            "straatnm": "Veldstraat",
            "huisnr": nr,
            "busnr": box,
            "postcode": 9000,
            "gemeenteid": 44021,
            "gemeentenm": "Gent",
            "status": "inGebruik",
            "posgeommet": "aangeduidDoorBeheerder",
            "posspec": "gebouweenheid" if box else "perceel",
            "offtoegknd": "false",
            "voladres": f"Veldstraat {nr}{' bus ' + box if box else ''}, 9000 Gent",
        }
        for aid, nr, box, _ in points
    ]
    frame = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=ADDRESS_FIELDS),
        geometry=[p[3] for p in points],
        crs="EPSG:31370",
    )
    path = folder / name
    frame.to_file(path, engine="pyogrio")
    return path


# --- Gebouwenregister units and links -----------------------------------------------------

#: gebouwehid, gebouwid, functie, status
UNIT_ROWS: list[tuple[int | None, int | None, str | None, str]] = [
    (8001, 1001, "wonen", "gerealiseerd"),
    (8002, 1001, "wonen", "gerealiseerd"),
    (8003, 1001, "gemeenschappelijkDeel", "gerealiseerd"),
    (8004, 1002, "handel", "gepland"),
    (8005, 1002, "nietGekend", "gerealiseerd"),
    (8006, 1003, "wonen", "gehistoreerd"),
    (8007, 1003, "wonen", "nietGerealiseerd"),
    (8001, 1001, "wonen", "gerealiseerd"),  # duplicate unit id
    (8008, None, "wonen", "gerealiseerd"),  # no building
    (8009, 1004, None, "gerealiseerd"),  # functie unknown: kept, <NA>
]
UNIT_KEPT = ["8001", "8002", "8003", "8004", "8005", "8009"]
UNIT_REJECTED = {
    "8006": "status gehistoreerd",
    "8007": "status nietGerealiseerd",
    "8001": "duplicate id",
    "8008": "missing building id",
}


def unit_frame() -> pd.DataFrame:
    frame = pd.DataFrame(UNIT_ROWS, columns=["gebouwehid", "gebouwid", "functie", "status"])
    frame["gebouwehid"] = frame["gebouwehid"].astype("Int64")
    frame["gebouwid"] = frame["gebouwid"].astype("Int64")
    frame["posgeommet"] = "aangeduidDoorBeheerder"
    return frame


def units_dbf(folder: Path) -> Path:
    """Building units as a standalone dBASE table (.dbf), as in the register extract."""
    path = folder / "GebouwEenheid.dbf"
    pyogrio.write_dataframe(unit_frame(), path, driver="ESRI Shapefile")
    return path


def units_csv(folder: Path) -> Path:
    """Building units as a semicolon CSV with upper-case headers."""
    path = folder / "gebouweenheden.csv"
    unit_frame().rename(columns=str.upper).to_csv(path, sep=";", index=False)
    return path


def units_points_gpkg(folder: Path) -> Path:
    """Building units as points (their position) in a GeoPackage."""
    x, y = GENT_31370
    frame = gpd.GeoDataFrame(
        unit_frame(),
        geometry=[shapely.Point(x + i, y) for i in range(len(UNIT_ROWS))],
        crs="EPSG:31370",
    )
    path = folder / "gebouweenheden.gpkg"
    frame.to_file(path, layer="gebouweenheid", engine="pyogrio")
    return path


#: adresobjid (unit), adresid
LINK_ROWS: list[tuple[int | None, int | None]] = [
    (8001, 3001),
    (8002, 3002),
    (8002, 3003),  # a unit with two addresses: both kept
    (8003, 3002),  # an address of two units: both kept
    (8001, 3001),  # duplicate pair
    (None, 3004),
    (8004, None),
]
LINK_KEPT = [("8001", "3001"), ("8002", "3002"), ("8002", "3003"), ("8003", "3002")]
LINK_REJECTED = {"8001/3001": "duplicate link", "/3004": "missing id", "8004/": "missing id"}


def links_dbf(folder: Path) -> Path:
    frame = pd.DataFrame(LINK_ROWS, columns=["adresobjid", "adresid"]).astype("Int64")
    path = folder / "GebouwEenheidAdresKoppeling.dbf"
    pyogrio.write_dataframe(frame, path, driver="ESRI Shapefile")
    return path


# --- Statbel statistical sectors ----------------------------------------------------------

SECTOR_ROWS = [
    # cd_sector, tx_sector_descr_nl, cd_sub_munty, cd_munty_refnis, tx_munty_descr_nl, geometry
    ("44021A00-", "GENT-CENTRUM", "44021A", 44021, "Gent", "square"),
    ("44021A01-", "KOUTER", "44021A", 44021, "Gent", "bowtie"),
    ("44021A02-", "VELDSTRAAT", "44021A", 44021, "Gent", "null"),
    ("44021A00-", "GENT-CENTRUM", "44021A", 44021, "Gent", "square"),  # duplicate
    ("44021B10-", "STATION", "44021B", 44021, "Gent", "multi2"),
]
SECTOR_KEPT = ["44021A00-", "44021A01-", "44021B10-"]
SECTOR_REJECTED = {"44021A02-": "null geometry", "44021A00-": "duplicate id"}


def statbel_sectors(folder: Path, name: str) -> Path:
    """Statbel statistical sectors (GeoPackage or Shapefile, by ``name``), sectors 200 m wide."""
    rows = [r[:5] for r in SECTOR_ROWS]
    frame = gpd.GeoDataFrame(
        pd.DataFrame(
            rows,
            columns=[
                "cd_sector",
                "tx_sector_descr_nl",
                "cd_sub_munty",
                "cd_munty_refnis",
                "tx_munty_descr_nl",
            ],
        ),
        geometry=[_sector_geometry(r[5], i) for i, r in enumerate(SECTOR_ROWS)],
        crs="EPSG:31370",
    )
    path = folder / name
    with warnings.catch_warnings():  # a Shapefile cuts names to 10 characters, as Statbel's do
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        frame.to_file(path, engine="pyogrio")
    return path


def _sector_geometry(kind: str, i: int) -> BaseGeometry | None:
    x, y = GENT_31370[0] + 300.0 * i, GENT_31370[1]
    if kind == "square":
        return square(x, y, 200.0)
    if kind == "bowtie":
        return bowtie(x, y, 200.0)
    if kind == "multi2":
        return shapely.MultiPolygon([square(x, y, 100.0), square(x + 150.0, y, 50.0)])
    return None


# --- facts --------------------------------------------------------------------------------

FACTS_DUTCH_CSV = """\
adresid;gebouwid;Bouwjaar;EPC_score;EPC_label;dak_geïsoleerd;muur_geisoleerd;vloer_geisoleerd;\
beglazing;verwarming;verbruik_gas_kwh;verbruik_elektriciteit_kwh;opmerking
3001;1001;1932;412,5;e;2015;nee;Nee;dubbel;gascondensatieketel;18.250,5;3200;lek dak
3002;;1975;;;ja;ja;;hr;Lucht/water-warmtepomp;;4100;
;1002;;;;;;;enkel;0;21000;;
3003;;2500;;Z;;;;;;;;
3004;;;;;;;;;kolenkachel;-5;;
;;1990;;;;;;;;;;geen id
3001;;1950;;;;;;;;;;dubbel
3005;;1988;250;C;1;0;1;driedubbel;5;;2750,75;
3006;;;;;misschien;;;;;;;
"""
FACTS_KEPT = ["3001", "3002", "1002", "3005"]
FACTS_REJECTED = {
    "3003": "bad value Bouwjaar=2500, EPC_label=Z",
    "3004": "bad value verwarming=kolenkachel, verbruik_gas_kwh=-5",
    "record 6": "missing id",
    "3006": "bad value dak_geïsoleerd=misschien",
    "3001": "duplicate id",
}


def facts_dutch_csv(folder: Path) -> Path:
    """Facts with Dutch headers, semicolons, decimal commas, in Windows-1252 (Excel export)."""
    path = folder / "feiten.csv"
    path.write_bytes(FACTS_DUTCH_CSV.encode("cp1252"))
    return path


FACTS_ENGLISH_CSV = """\
address_id,building_id,construction_year,epc_score_kwh_m2,epc_label,roof_insulated,\
wall_insulated,floor_insulated,glazing,heating_system,gas_kwh,electricity_kwh
,1001,1932.0,95.0,A,true,false,false,triple,heat_pump_ground_water,0,5100.5
3001.0,,1970,650,F,0,0,0,single,gas_boiler,32000,2900
"""


def facts_english_csv(folder: Path) -> Path:
    path = folder / "facts.csv"
    path.write_text(FACTS_ENGLISH_CSV, encoding="utf-8")
    return path
