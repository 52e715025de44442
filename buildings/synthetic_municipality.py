"""The embedded default: a synthetic Flemish town written as the files a municipality downloads.

:func:`generate_municipality` draws, deterministically from a seed, a small Flemish town on the
real boundary of Lichtervelde (West Flanders, NIS 36011) and writes it in the schemas of the
real sources, so that the twin builder reads it exactly as it reads a municipality's downloads:

============================================  ====================================================
file                                          source it imitates
============================================  ====================================================
``Gebouw.shp`` (+ .shx .dbf .prj .cpg)        Gebouwenregister extract, buildings (polygons)
``Gebouweenheid.shp`` (+ sidecars)            Gebouwenregister extract, building units (points)
``AdresGebouweenheidKoppeling.dbf`` (+ .cpg)  Gebouwenregister extract, unit-address links
``Adres.shp`` (+ sidecars)                    Adressenregister extract (points)
``sectoren.gpkg`` (layer ``sectoren``)        Statbel statistical sectors
``Wegsegment.shp`` (+ sidecars)               Wegenregister road segments (street centrelines)
``DHMVIIDSMRAS1m_k12.tif``, ``..._k13.tif``   DHM Vlaanderen II DSM, 1 m GeoTIFF tiles
``DHMVIIDTMRAS1m_k12.tif``, ``..._k13.tif``   DHM Vlaanderen II DTM, 1 m GeoTIFF tiles
``feiten.csv``                                known facts per address (municipal/EPC records)
============================================  ====================================================

All in EPSG:31370 (Belge 1972 / Belgian Lambert 72). :func:`generate_truth` returns what was
built (type, storeys, heights, dwellings, construction year of every building), so the twin's
results can be tested against a constructed truth.

The town
--------
A market square (Markt) with the church; 6-8 old roads radiating from it; continuous terraced
rows (gesloten, with halfopen row ends) along the old roads and side streets nearest the square,
with apartment buildings inserted in the rows and shops or offices on some ground floors;
freestanding apartment blocks around a station square on the Stationsstraat; further out,
semi-detached pairs and detached houses on lots along the old roads (ribbon development,
lintbebouwing) and in allotments (verkavelingen: straight streets branching off the old roads,
some with a cross street), a few small apartment buildings there, and garden sheds. Allotments
are laid out first inside the three urban wijken of Lichtervelde (Centrum, Noord, West); the
rural wijk (Buitengebied) gets ribbons. Streets, names and numbers are synthetic: only the
boundary is real.

Register contents follow the real extracts: one house number per building, odd numbers on the
left and even on the right of a street, numbered outward from the square (the Markt itself
numbered around the square), occasional skipped numbers and letter suffixes (``12A``);
buildings with several units get a common part (``gemeenschappelijkDeel``) that carries the
house-number address, and every other unit a box number (``busnr``) in the floor-based style
"floor digit + sequence" with the ground floor written without its zero (ground floor 1, 2, ...;
first floor 11, 12, ...; second floor 21, ...), as in the regulation of Lanaken
(https://www.lanaken.be/huis-en-busnummering); styles differ between municipalities
(sequential 1..n and "0.1/1.1" are also in use). A few buildings are planned (``gepland``) or
under construction (``inAanbouw``) with planned units and proposed (``voorgesteld``) addresses,
a few are demolished (``gehistoreerd``, some overlapping their replacement), sheds and the
church have no units and no address.

Two vocabularies (``value_style``): ``"oslo"`` (default) writes the code-list values of the OSLO
vocabularies and the registers' API (``gerealiseerd``, ``ingemetenGRB``, ``inGebruik``, unit
functions ``wonen``/``handel``/``kantoor``/``gemeenschappelijkDeel``); ``"extract"`` writes them
as the current shapefile extracts do (``Gerealiseerd``, ``IngemetenGRB``, ``InGebruik``, and
``NietGekend`` for every unit that is not the common part: the extract projections of
Informatievlaanderen/building-registry map only ``Common`` to ``GemeenschappelijkDeel``).
Field names and types follow the extract schemas of Informatievlaanderen/building-registry and
address-registry (``BuildingDbaseSchema``, ``BuildingUnitDbaseSchema``,
``BuildingUnitAddressLinkDbaseSchema``, ``AddressDbaseSchemaV2``): ids are DBF numbers
(``gebouwid``, ``gebouwehid``, ``adresid``) except ``gebouwid`` in the units and ``adresobjid``
in the links, which are text; ``offtoegknd`` and ``afwijking`` are DBF logicals.

Realism and sources (details in ``buildings/data/SOURCES.md``)
----------------------------------------------------------------
- Building types in the proportions of the Flemish residential stock on 1 Jan 2025 (Statbel:
  gesloten 658,191; halfopen 617,643; open 914,627; apartment buildings 151,968), rounded by
  largest remainder: ``buildings/data/flemish_stock_shares.csv``.
- Construction years in the Statbel age classes (before 1900, 1900-1918, ..., 2011+). The share
  built after 1981 per type is Statbel's (1 Jan 2018, plus the net growth of the stock to 2025
  counted as new); the split within "before 1982" and "after 1981" is an approximation of this
  project (``buildings/data/construction_periods.csv``). Years are assigned so that the centre
  is older than the ribbons, and each allotment is built within a few years.
- Footprints: terraced houses 5-8 m wide x 9-14 m deep sharing walls exactly (identical vertex
  coordinates on the shared edge, with the shallower neighbour's corner inserted in the deeper
  one's wall), semi-detached pairs sharing one wall, detached houses 8-14 x 8-12 m on lots,
  apartment buildings 15-40 x 12-16 m.
- Storeys, roofs, shops, facts coverage, EPC scores and heating systems: assumptions, each
  with its basis in ``buildings/data/synthetic_town_parameters.csv``.
- Terrain: a gentle analytic surface (a few metres of relief, one shallow brook valley) around
  24 m TAW. DSM = DTM + roofs (flat roofs at storeys x storey height, gable and hip roofs with
  the eaves there and the ridge above) + garden trees + noise (sigma 3 cm).

API: :func:`generate_municipality` (generate and write), :func:`build_municipality` (the
frames in memory, :class:`SyntheticMunicipality`), :func:`write_municipality`,
:func:`generate_truth`; the shipped data through :func:`stock_type_shares`,
:func:`construction_period_shares` and :func:`demo_wijken`.

Sizes: by default 3,000 residential buildings (about 3,130 building records, 4,600 addresses
and 4,200 dwellings; about 3 s with rasters). ``n_buildings`` is the number of residential
buildings; above :data:`SINGLE_TOWN_MAX` the town pattern is tiled (up to four distinct towns
per tile size, translated on a grid east and south of Lichtervelde, street names of copies
suffixed with their tile number, sector codes renumbered) and not clipped to the boundary: for
benchmarks, without rasters (1,000,000 buildings: about 70 s and 6 GB of memory).

Examples
--------
>>> from buildings.synthetic_municipality import generate_truth
>>> truth = generate_truth(seed=1, n_buildings=200)
>>> int((truth["role"] == "residential").sum())
200
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import NDArray
from shapely.geometry import Polygon

from buildings.schema import TWIN_CRS
from buildings.streets import WEGSEGMENT_FIELDS
from buildings.years import period_shares
from sim.csvsafe import write_csv
from sim.reference_data import load_table

__all__ = [
    "BUILDING_TYPES",
    "DEFAULT_RESIDENTIAL_BUILDINGS",
    "DEFAULT_SEED",
    "MUNICIPALITY_NAME",
    "MUNICIPALITY_NIS",
    "SINGLE_TOWN_MAX",
    "SyntheticMunicipality",
    "build_municipality",
    "construction_period_shares",
    "demo_wijken",
    "generate_municipality",
    "generate_truth",
    "stock_type_shares",
    "write_municipality",
]

#: NIS code, name and postcode of the real municipality whose boundary the town is drawn in.
MUNICIPALITY_NIS = "36011"
MUNICIPALITY_NAME = "Lichtervelde"
POSTCODE = "8810"
#: Default seed and size (residential buildings) of the embedded default.
DEFAULT_SEED = 20261125
DEFAULT_RESIDENTIAL_BUILDINGS = 3000
#: Above this many residential buildings the town pattern is tiled (benchmarks).
SINGLE_TOWN_MAX = 6000
#: Residential buildings per tile when tiling.
TILE_BUILDINGS = 4000
#: Stock date of the synthetic extract: DBF "last update" header, GeoPackage timestamps, versions.
EXTRACT_DATE = dt.date(2026, 11, 25)
#: Building types of the truth, as Statbel counts them.
BUILDING_TYPES: tuple[str, ...] = ("open", "halfopen", "gesloten", "apartment")
#: DHM Vlaanderen II tile numbers used for the two raster tiles (west, east). Illustrative: the
#: split line is the middle of the synthetic area, not the real kaartblad boundary.
RASTER_TILES: tuple[str, str] = ("k12", "k13")

ValueStyle = Literal["oslo", "extract"]

_URI = "https://data.vlaanderen.be/id"
# Values as the shapefile extracts write them (value_style="extract").
_EXTRACT_VALUES: dict[str, str] = {
    "gerealiseerd": "Gerealiseerd",
    "gepland": "Gepland",
    "inAanbouw": "InAanbouw",
    "gehistoreerd": "Gehistoreerd",
    "ingemetenGRB": "IngemetenGRB",
    "ingeschetst": "Ingeschetst",
    "inGebruik": "InGebruik",
    "voorgesteld": "Voorgesteld",
    "aangeduidDoorBeheerder": "AangeduidDoorBeheerder",
    "afgeleidVanObject": "AfgeleidVanObject",
    "gebouweenheid": "Gebouweenheid",
    "perceel": "Perceel",
    "gemeenschappelijkDeel": "GemeenschappelijkDeel",
    "wonen": "NietGekend",
    "handel": "NietGekend",
    "kantoor": "NietGekend",
}

# --- geometry of the town [m] (ranges of the brief where it gives them, else assumptions) -----
_MARKT_RADIUS = 40.0  # radius of the market square; the old roads start at its edge
_MARKT_NAME_RADIUS = 80.0  # frontage closer to the centre than this faces the square ("Markt")
_HALF_WIDTH = {"radial": 6.0, "centre": 5.0, "station": 6.0, "allotment": 4.5}
_BAND = {"centre": 30.0, "station": 35.0, "allotment": 45.0}  # depth of lots beside a street
_WIDTH = {  # façade width ranges [m]
    "gesloten": (5.0, 8.0),
    "row_end": (6.0, 9.0),
    "row_allotment": (5.5, 7.5),
    "pair": (7.0, 10.0),
    "open": (8.0, 14.0),
}
_DEPTH = {  # building depth ranges [m]
    "gesloten": (9.0, 14.0),
    "row_allotment": (9.0, 12.0),
    "pair": (9.0, 12.0),
    "open": (8.0, 12.0),
}
_SETBACK = {  # façade behind the road edge [m]
    "centrum": (0.0, 0.0),
    "schil": (0.5, 5.0),
    "lint": (6.0, 12.0),
    "verkaveling": (5.0, 9.0),
    "station": (3.0, 6.0),
}
_GARDEN = {  # lot depth behind the building [m]
    "centrum": (3.0, 12.0),
    "schil": (6.0, 18.0),
    "lint": (14.0, 30.0),
    "verkaveling": (12.0, 25.0),
    "station": (6.0, 12.0),
}
_ROW_LENGTH = {"centrum": (6, 18), "schil": (3, 9)}  # interior houses per terraced row
# Relative preference of each kind of lot per zone (multiplied by the remaining budget).
_KIND_WEIGHTS: dict[str, dict[str, float]] = {
    "centrum": {"row": 2.0, "pair": 1.0, "open": 0.3, "apartment": 1.0},
    "schil": {"row": 1.0, "pair": 1.0, "open": 0.6, "apartment": 0.5},
    "lint": {"row": 0.05, "pair": 0.6, "open": 1.0, "apartment": 0.15},
    "v_open": {"row": 0.05, "pair": 0.15, "open": 1.0, "apartment": 0.08},
    "v_halfopen": {"row": 0.1, "pair": 1.0, "open": 0.2, "apartment": 0.1},
    "v_mixed": {"row": 0.3, "pair": 0.6, "open": 0.6, "apartment": 0.6},
    "v_rows": {"row": 1.0, "pair": 0.3, "open": 0.1, "apartment": 0.2},
}
_ALLOTMENT_CHARACTERS = (("v_open", 0.5), ("v_halfopen", 0.3), ("v_mixed", 0.15), ("v_rows", 0.05))

#: Columns of the roof table that place a roof part: origin, façade and depth unit vectors, width,
#: depth [m], eaves height [m] and tangent of the pitch.
_ROOF_FRAME = ("ox", "oy", "ux", "uy", "vx", "vy", "w", "d", "eaves", "tan")

# Random streams: each purpose draws from its own generator, so the layout does not change when
# e.g. the facts or the rasters change.
_LAYOUT, _ATTRIBUTES, _FACTS, _IDS, _RASTER, _SECTORS, _TERRAIN = range(7)


# ---------------------------------------------------------------------------------------------
# Shipped reference data


@cache
def _read_data(name: str) -> pd.DataFrame:
    ref = resources.files("buildings.data").joinpath(name)
    with resources.as_file(ref) as path:
        return pd.read_csv(path, comment="#", skipinitialspace=True)


def stock_type_shares() -> pd.Series:
    """Shares of the building types in the Flemish residential stock (Statbel, 1 Jan 2025).

    Returns
    -------
    pandas.Series
        Share [-] by building type (index :data:`BUILDING_TYPES`), summing to 1.
    """
    table = _read_data("flemish_stock_shares.csv").set_index("building_type")
    counts = table["buildings_2025"].astype(float)
    return (counts / counts.sum()).reindex(list(BUILDING_TYPES))


def construction_period_shares() -> pd.DataFrame:
    """Construction-period shares per building type used by the generator.

    The one table of the project (:func:`buildings.years.period_shares`), which the twin also
    draws unknown construction years from: the share built after 1981 is Statbel's count of
    1 Jan 2018 plus the net growth of the stock from 2018 to 2025 (counted as new buildings),
    over the 2025 stock; the split within the two groups is the approximation of
    ``construction_periods.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per period (``period``, ``year_from``, ``year_to``) and one share column [-]
        per building type; each type column sums to 1.
    """
    return period_shares().copy()


@cache
def _params() -> dict[str, float]:
    table = _read_data("synthetic_town_parameters.csv")
    return {str(k): float(v) for k, v in zip(table["key"], table["value"], strict=True)}


def _p(key: str) -> float:
    return _params()[key]


def _footprint(kind: str, side: str) -> tuple[float, float]:
    """Range [m] of an apartment building's façade width or depth (``apartments.<kind>.<side>_*``)."""
    return _p(f"apartments.{kind}.{side}_min_m"), _p(f"apartments.{kind}.{side}_max_m")


@cache
def _street_names() -> dict[str, tuple[str, ...]]:
    table = _read_data("street_names.csv")
    kinds = table["kind"].astype(str).to_numpy()
    names = table["name"].astype(str).to_numpy()
    return {kind: tuple(names[kinds == kind]) for kind in np.unique(kinds)}


@cache
def _wijken() -> gpd.GeoDataFrame:
    ref = resources.files("buildings.data").joinpath("lichtervelde_wijken.geojson")
    with resources.as_file(ref) as path:
        frame = gpd.read_file(path)
    return (
        frame.set_crs(TWIN_CRS, allow_override=True).sort_values("geoitem").reset_index(drop=True)
    )


def demo_wijken() -> gpd.GeoDataFrame:
    """The four wijken of Lichtervelde (real boundaries, shipped in ``buildings/data``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``geoitem`` (``36011W01`` ... ``W04``), ``naam``, ``niveau``, Polygon geometry in
        EPSG:31370. Their union is the municipality. Source: provinciesincijfers
        gebiedsniveaus, Modellicentie Gratis Hergebruik v1.0, "Wijken voor omgevingsanalyse.
        © gemeentebesturen, verzameld door Data & Analyse van de Vlaamse provincies".
    """
    return _wijken().copy()


# ---------------------------------------------------------------------------------------------
# Layout of one town


@dataclass
class _Street:
    """A straight street: start (x0, y0), unit direction (tx, ty), length [m]."""

    name: str
    kind: str
    x0: float
    y0: float
    tx: float
    ty: float
    length: float
    half_width: float
    parent: int
    r_junction: float
    age_base: float = 0.5

    def point(self, s: float, side: int, v: float) -> tuple[float, float]:
        """World point at distance ``s`` along the street and ``v`` to the ``side`` (+1 left)."""
        return (
            self.x0 + s * self.tx - side * v * self.ty,
            self.y0 + s * self.ty + side * v * self.tx,
        )

    def rect(self, s0: float, s1: float, side: int, v0: float, v1: float) -> Polygon:
        return Polygon(
            [
                self.point(s0, side, v0),
                self.point(s1, side, v0),
                self.point(s1, side, v1),
                self.point(s0, side, v1),
            ]
        )


@dataclass
class _Job:
    """One side of a street stretch to be built up."""

    street: int
    side: int
    s_a: float
    s_b: float
    zone: str
    key: float
    urban: bool
    character: str = ""


@dataclass
class _Bldg:
    role: str  # residential | shed | church | planned | under_construction | demolished
    btype: str | None
    zone: str
    ring: list[tuple[float, float]]
    rects: list[tuple[float, ...]]  # (ox, oy, ux, uy, vx, vy, w, d) per roof part
    street: int = -1
    side: int = 0
    s_mid: float = 0.0
    door: tuple[float, float] | None = None
    lot: tuple[float, float, float, float] | None = None  # s0, s1, v_back_of_building, v_end
    shared: int = 0
    key: float = 0.5
    commercial: str = ""  # "" | handel | kantoor
    parent: int = -1  # for sheds and demolished buildings: the building they belong to


class _Index:
    """Grid hash of placed lots and road corridors, to refuse overlapping lots."""

    def __init__(self, cell: float = 64.0) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.geoms: list[Polygon] = []

    def _keys(self, geom: Polygon) -> Iterable[tuple[int, int]]:
        x0, y0, x1, y1 = geom.bounds
        c = self.cell
        for i in range(math.floor(x0 / c), math.floor(x1 / c) + 1):
            for j in range(math.floor(y0 / c), math.floor(y1 / c) + 1):
                yield i, j

    def add(self, geom: Polygon) -> None:
        k = len(self.geoms)
        self.geoms.append(geom)
        for key in self._keys(geom):
            self.cells.setdefault(key, []).append(k)

    def hits(self, geom: Polygon) -> bool:
        cand: set[int] = set()
        for key in self._keys(geom):
            cand.update(self.cells.get(key, ()))
        if not cand:
            return False
        others = np.array([self.geoms[k] for k in sorted(cand)], dtype=object)
        return bool(shapely.intersects(geom, others).any())


def _largest_remainder(shares: NDArray[np.float64], total: int) -> NDArray[np.int64]:
    raw = shares * total
    out = np.floor(raw).astype(np.int64)
    rest = int(total - out.sum())
    if rest > 0:
        order = np.argsort(-(raw - out), kind="stable")
        out[order[:rest]] += 1
    return out


def _u(rng: np.random.Generator, lo_hi: tuple[float, float]) -> float:
    return float(rng.uniform(lo_hi[0], lo_hi[1]))


class _TownBuilder:
    """Lays out one town with exactly ``n_res`` residential buildings (greedy, budgeted)."""

    def __init__(self, rng: np.random.Generator, n_res: int) -> None:
        self.rng = rng
        self.n_res = n_res
        wijken = _wijken()
        self.municipality = shapely.union_all(wijken.geometry.to_numpy())
        urban = wijken.loc[wijken["geoitem"] != f"{MUNICIPALITY_NIS}W01", "geometry"]
        self.urban = shapely.union_all(urban.to_numpy())
        centre_wijk = wijken.loc[wijken["geoitem"] == f"{MUNICIPALITY_NIS}W02", "geometry"].iloc[0]
        shapely.prepare(self.municipality)
        shapely.prepare(self.urban)
        c = centre_wijk.centroid
        self.cx, self.cy = float(c.x), float(c.y)
        self.scale = float(np.clip(math.sqrt(n_res / DEFAULT_RESIDENTIAL_BUILDINGS), 0.35, 1.45))
        self.r1 = 300.0 * self.scale  # edge of the centre
        self.r2 = 650.0 * self.scale  # edge of the 19th-20th century extension
        self.r_max = 1600.0 * self.scale  # longest old road
        self.index = _Index()
        self.streets: list[_Street] = []
        self.corridors: list[Polygon] = []
        self.blds: list[_Bldg] = []
        shares = stock_type_shares().to_numpy(dtype=float)
        target = _largest_remainder(shares, n_res)
        self.rem = dict(zip(BUILDING_TYPES, (int(t) for t in target), strict=True))
        n_apt = self.rem["apartment"]
        self.rem_station = round(_p("apartments.station_share") * n_apt)
        self.rem_centre_apt = round(_p("apartments.centre_share") * n_apt)
        self.extra = {
            "planned": max(1, round(_p("status.planned_share") * n_res)),
            "under_construction": max(1, round(_p("status.under_construction_share") * n_res)),
        }
        names = _street_names()
        self.radial_names = list(rng.permutation(np.array(names["radial"], dtype=object)))
        self.centre_names = list(rng.permutation(np.array(names["centre"], dtype=object)))
        self.allot_names = list(rng.permutation(np.array(names["allotment"], dtype=object)))
        self.used_names: set[str] = {"Markt", "Stationsstraat"}

    # --- streets ---------------------------------------------------------------------------
    def _name(self, pool: list[str]) -> str:
        while pool:
            name = str(pool.pop())
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        # more streets than names: vary the suffix of a used allotment name (Lindenlaan -> Lindenhof)
        bases = sorted(self.used_names)
        for suffix in ("hof", "dreef", "pad", "gaarde", "weg", "plein"):
            for base in bases:
                stem = base.removesuffix("straat").removesuffix("laan").removesuffix("hof")
                name = f"{stem}{suffix}"
                if stem != base and name not in self.used_names:
                    self.used_names.add(name)
                    return name
        name = f"Straat {len(self.used_names) + 1}"
        self.used_names.add(name)
        return name

    def _ray_to_boundary(self, x: float, y: float, dx: float, dy: float) -> float:
        ray = shapely.LineString([(x, y), (x + 20000.0 * dx, y + 20000.0 * dy)])
        cut = ray.intersection(self.municipality.boundary)
        pts = shapely.get_parts(shapely.points(shapely.get_coordinates(cut)))
        if len(pts) == 0:
            return 20000.0
        return float(min(math.hypot(p.x - x, p.y - y) for p in pts))

    def _add_street(self, street: _Street) -> int:
        self.streets.append(street)
        corridor = street.rect(0.0, street.length, 1, -street.half_width, street.half_width)
        self.corridors.append(corridor)
        self.index.add(corridor)
        return len(self.streets) - 1

    def _try_street(
        self,
        kind: str,
        x0: float,
        y0: float,
        angle: float,
        length: float,
        parent: int,
        min_length: float,
        r_junction: float,
        name_pool: list[str],
    ) -> int:
        """Add the longest version (steps of 15 m) of a street that keeps its lot band clear."""
        tx, ty = math.cos(angle), math.sin(angle)
        band = _BAND[kind]
        others = np.array([c for k, c in enumerate(self.corridors) if k != parent], dtype=object)
        hw = _HALF_WIDTH[kind]
        start = self.streets[parent].half_width + 2.0 if parent >= 0 else 0.0
        while length >= min_length:
            probe = _Street("", kind, x0, y0, tx, ty, length, hw, parent, r_junction)
            corridor = probe.rect(0.0, length, 1, -hw, hw)
            block = probe.rect(start, length + band / 2, 1, -band, band)
            if shapely.contains(self.municipality, corridor) and not (
                len(others) and shapely.intersects(block, others).any()
            ):
                probe.name = self._name(name_pool)
                return self._add_street(probe)
            length -= 15.0
        return -1

    def plan_streets(self) -> None:
        rng = self.rng
        n_radial = int(rng.integers(6, 9))
        base = float(rng.uniform(0.0, 2.0 * math.pi))
        station_k = int(rng.integers(n_radial))
        self.radials: list[int] = []
        for k in range(n_radial):
            angle = base + 2.0 * math.pi * k / n_radial + float(rng.uniform(-0.15, 0.15))
            dx, dy = math.cos(angle), math.sin(angle)
            reach = self._ray_to_boundary(self.cx, self.cy, dx, dy) - 60.0
            length = min(self.r_max, reach) - _MARKT_RADIUS
            name = "Stationsstraat" if k == station_k else self._name(self.radial_names)
            st = _Street(
                name,
                "radial",
                self.cx + _MARKT_RADIUS * dx,
                self.cy + _MARKT_RADIUS * dy,
                dx,
                dy,
                max(length, 50.0),
                _HALF_WIDTH["radial"],
                -1,
                0.0,
            )
            self.radials.append(self._add_street(st))
        # station square across the Stationsstraat
        rad = self.streets[self.radials[station_k]]
        r_s = min(480.0 * self.scale + float(rng.uniform(0.0, 60.0)), rad.length * 0.8)
        px, py = rad.point(r_s, 1, 0.0)
        half = 160.0
        nx, ny = -rad.ty, rad.tx
        self.station = self._try_street(
            "station",
            px - half * nx,
            py - half * ny,
            math.atan2(ny, nx),
            2 * half,
            self.radials[station_k],
            80.0,
            r_s + _MARKT_RADIUS,
            ["Stationsplein"],
        )
        # side streets of the centre
        for k in self.radials:
            rad = self.streets[k]
            r = 110.0 * self.scale + float(rng.uniform(0.0, 30.0))
            while r < min(430.0 * self.scale, rad.length - 40.0):
                side = 1 if rng.random() < 0.5 else -1
                px, py = rad.point(r, side, 0.0)
                angle = math.atan2(rad.ty, rad.tx) + side * (
                    math.pi / 2 + float(rng.uniform(-0.2, 0.2))
                )
                self._try_street(
                    "centre",
                    px,
                    py,
                    angle,
                    float(rng.uniform(70.0, 170.0)),
                    k,
                    50.0,
                    r + _MARKT_RADIUS,
                    self.centre_names,
                )
                r += float(rng.uniform(70.0, 120.0))
        # allotments: urban wijken first, nearest first
        cands: list[tuple[int, float, int, int, float]] = []
        for k in self.radials:
            rad = self.streets[k]
            for side in (1, -1):
                r = 260.0 * self.scale + float(rng.uniform(0.0, 80.0))
                while r < rad.length - 60.0:
                    px, py = rad.point(r, side, 100.0)
                    urban = bool(shapely.contains_xy(self.urban, px, py))
                    cands.append((0 if urban else 1, r, k, side, float(rng.random())))
                    r += float(rng.uniform(100.0, 140.0))
        cands.sort(key=lambda c: (c[0], c[1], c[4]))
        for _prio, r, k, side, _tie in cands:
            rad = self.streets[k]
            px, py = rad.point(r, side, 0.0)
            angle = math.atan2(rad.ty, rad.tx) + side * (
                math.pi / 2 + float(rng.uniform(-0.3, 0.3))
            )
            spine = self._try_street(
                "allotment",
                px,
                py,
                angle,
                float(rng.uniform(120.0, 320.0)),
                k,
                80.0,
                r + _MARKT_RADIUS,
                self.allot_names,
            )
            if spine < 0:
                continue
            sp = self.streets[spine]
            sp.age_base = 0.45 + 0.3 * min((r + _MARKT_RADIUS) / self.r_max, 1.0)
            sp.age_base += float(rng.uniform(0.0, 0.3))
            if rng.random() < 0.45:
                ex, ey = sp.point(sp.length, 1, 0.0)
                left, right = float(rng.uniform(60.0, 150.0)), float(rng.uniform(60.0, 150.0))
                nx, ny = -sp.ty, sp.tx
                cross = self._try_street(
                    "allotment",
                    ex - right * nx,
                    ey - right * ny,
                    math.atan2(ny, nx),
                    left + right,
                    spine,
                    80.0,
                    sp.r_junction + sp.length,
                    self.allot_names,
                )
                if cross >= 0:
                    self.streets[cross].age_base = sp.age_base + float(rng.uniform(0.0, 0.05))

    def jobs(self) -> list[_Job]:
        rng = self.rng
        out: list[_Job] = []
        for k, st in enumerate(self.streets):
            if st.kind == "station":
                continue
            for side in (1, -1):
                if st.kind == "radial":
                    # the centre and its extension in one stretch each (continuous rows), the
                    # ribbon beyond in 200 m stretches (so nearer allotments come first)
                    cuts = [0.0, self.r1 - _MARKT_RADIUS, self.r2 - _MARKT_RADIUS]
                    cuts += list(np.arange(cuts[-1] + 200.0, st.length, 200.0))
                    edges = [c for c in cuts if c < st.length] + [st.length]
                    for s, s_b in itertools.pairwise(edges):
                        zone = (
                            "centrum" if s_b <= cuts[1] else "schil" if s_b <= cuts[2] else "lint"
                        )
                        px, py = st.point((s + s_b) / 2, side, 25.0)
                        urban = bool(shapely.contains_xy(self.urban, px, py))
                        out.append(_Job(k, side, s, s_b, zone, _MARKT_RADIUS + s, urban))
                    continue
                px, py = st.point(st.length / 2, side, 25.0)
                urban = bool(shapely.contains_xy(self.urban, px, py))
                key = st.r_junction + st.length / 2
                if st.kind == "centre":
                    out.append(_Job(k, side, 0.0, st.length, "centrum", key, urban))
                else:
                    u = float(rng.random())
                    acc = 0.0
                    character = _ALLOTMENT_CHARACTERS[-1][0]
                    for name, p in _ALLOTMENT_CHARACTERS:
                        acc += p
                        if u < acc:
                            character = name
                            break
                    out.append(_Job(k, side, 0.0, st.length, "verkaveling", key, urban, character))
        return out

    # --- lots ------------------------------------------------------------------------------
    def _fits(self, st: _Street, side: int, s0: float, s1: float, v0: float, v1: float) -> bool:
        inner = st.rect(s0 + 0.05, s1 - 0.05, side, v0 + 0.05, v1 - 0.05)
        return bool(shapely.contains(self.municipality, inner)) and not self.index.hits(inner)

    def _commit_row(
        self,
        k: int,
        side: int,
        s_bounds: list[float],
        front: float,
        depths: list[float],
        gardens: list[float],
        kinds: list[str],
        zone: str,
        role: str = "residential",
    ) -> list[int]:
        """Add a row of buildings sharing walls: house i spans s_bounds[i]..s_bounds[i+1]."""
        st = self.streets[k]
        n = len(depths)
        ids: list[int] = []
        for i in range(n):
            s0, s1, d = s_bounds[i], s_bounds[i + 1], depths[i]
            local = [(s0, front), (s1, front)]
            if i < n - 1 and depths[i + 1] < d:
                local.append((s1, front + depths[i + 1]))
            local += [(s1, front + d), (s0, front + d)]
            if i > 0 and depths[i - 1] < d:
                local.append((s0, front + depths[i - 1]))
            ring = [_mm(st.point(s, side, v)) for s, v in local]
            ring.append(ring[0])
            ox, oy = st.point(s0, side, front)
            rect = (ox, oy, st.tx, st.ty, -side * st.ty, side * st.tx, s1 - s0, d)
            door_s = s0 + (s1 - s0) * float(self.rng.uniform(0.3, 0.7))
            door = _mm(st.point(door_s, side, front + 1.2))
            lot_end = front + d + gardens[i]
            self.index.add(st.rect(s0, s1, side, st.half_width, lot_end))
            btype = kinds[i]
            r = math.hypot(ox - self.cx, oy - self.cy)
            b = _Bldg(
                role,
                btype if role == "residential" else None,
                zone,
                ring,
                [rect],
                street=k,
                side=side,
                s_mid=(s0 + s1) / 2,
                door=door,
                lot=(s0, s1, front + d, lot_end),
                shared=(i > 0) + (i < n - 1),
                key=self._age_key(zone, r, k, btype),
            )
            self.blds.append(b)
            ids.append(len(self.blds) - 1)
        return ids

    def _age_key(self, zone: str, r: float, k: int, btype: str) -> float:
        rng = self.rng
        if btype == "apartment":
            if zone == "station":
                return 0.7 + float(rng.uniform(0.0, 0.3))
            if zone in ("centrum", "schil"):
                return float(rng.uniform(0.3, 1.0))
        if zone == "centrum":
            key = 0.5 * r / self.r2 + float(rng.normal(0.0, 0.12))
        elif zone == "schil":
            key = 0.25 + 0.4 * r / self.r2 + float(rng.normal(0.0, 0.12))
        elif zone == "lint":
            key = 0.35 + 0.3 * min(r / self.r_max, 1.0) + float(rng.normal(0.0, 0.2))
        elif zone == "verkaveling":
            key = self.streets[k].age_base + float(rng.normal(0.0, 0.03))
        else:
            key = 0.7 + float(rng.uniform(0.0, 0.3))
        return key + (0.2 if btype == "apartment" else 0.0)

    def place_church(self) -> None:
        angle = float(self.rng.uniform(-0.3, 0.3))  # churches face roughly east
        ux, uy = math.cos(angle), math.sin(angle)
        vx, vy = -uy, ux
        # nave, transept, west tower (parts overlap, so their union is one polygon)
        parts = [(-22.0, 22.0, -7.0, 7.0), (0.0, 12.0, -15.0, 15.0), (-31.0, -21.0, -4.5, 4.5)]
        rects: list[tuple[float, ...]] = []
        polys = []
        for a0, a1, b0, b1 in parts:
            ox = self.cx + a0 * ux + b0 * vx
            oy = self.cy + a0 * uy + b0 * vy
            rects.append((ox, oy, ux, uy, vx, vy, a1 - a0, b1 - b0))
            corners = [(a0, b0), (a1, b0), (a1, b1), (a0, b1)]
            polys.append(
                Polygon(
                    [
                        _mm((self.cx + a * ux + b * vx, self.cy + a * uy + b * vy))
                        for a, b in corners
                    ]
                )
            )
        shape = shapely.union_all(polys)
        ring = [(float(x), float(y)) for x, y in shape.exterior.coords]
        self.index.add(shape)
        self.blds.append(_Bldg("church", None, "centrum", ring, rects, key=0.0))

    def fill_station(self) -> None:
        if self.station < 0:  # no room for a station square: its blocks go elsewhere
            self.rem_station = 0
            return
        st = self.streets[self.station]
        rng = self.rng
        for side in (1, -1):
            s = float(rng.uniform(0.0, 5.0))
            while s < st.length and self.rem_station > 0:
                w = _u(rng, _footprint("apartment_station", "width"))
                d = _u(rng, _footprint("apartment_station", "depth"))
                yl, yr = _u(rng, (4.0, 8.0)), _u(rng, (4.0, 8.0))
                front = st.half_width + _u(rng, _SETBACK["station"])
                garden = _u(rng, _GARDEN["station"])
                lot_end = front + d + garden
                if s + yl + w + yr > st.length:
                    break
                if self._fits(st, side, s, s + yl + w + yr, st.half_width, lot_end):
                    self.index.add(st.rect(s, s + yl + w + yr, side, st.half_width, lot_end))
                    self._commit_row(
                        self.station,
                        side,
                        [s + yl, s + yl + w],
                        front,
                        [d],
                        [garden],
                        ["apartment"],
                        "station",
                    )
                    self.rem_station -= 1
                    self.rem["apartment"] -= 1
                    s += yl + w + yr
                else:
                    s += 3.0
        self.rem_station = 0  # blocks that did not fit stand elsewhere

    def fill_rows(self, job: _Job) -> None:
        """Continuous terraced rows (centre and its extension) until the gesloten budget is spent."""
        st = self.streets[job.street]
        rng = self.rng
        s = job.s_a + float(rng.uniform(0.0, 2.0))
        while s < job.s_b - 10.0 and self.rem["gesloten"] > 0:
            lo, hi = _ROW_LENGTH[job.zone]
            k_int = min(int(rng.integers(lo, hi + 1)), self.rem["gesloten"])
            front = st.half_width + _u(rng, _SETBACK[job.zone])
            bounds = [s]
            depths: list[float] = []
            gardens: list[float] = []
            kinds: list[str] = []
            n_apt = 0
            while len(depths) < k_int + 2:
                i = len(depths)
                apt_left = self.rem_centre_apt - n_apt
                # spread the centre's apartment buildings over its rows (x1.3: rows end early)
                p_apt = min(1.0, 1.3 * apt_left / max(self.rem["gesloten"] + apt_left, 1))
                if job.zone == "centrum" and apt_left > 0 and rng.random() < p_apt:
                    w = _u(rng, _footprint("apartment_centre", "width"))
                    d = _u(rng, _footprint("apartment_centre", "depth"))
                    kind = "apartment"
                elif i in (0, k_int + 1):
                    w, d, kind = _u(rng, _WIDTH["row_end"]), _u(rng, _DEPTH["gesloten"]), "house"
                else:
                    w, d, kind = _u(rng, _WIDTH["gesloten"]), _u(rng, _DEPTH["gesloten"]), "house"
                garden = _u(rng, _GARDEN[job.zone])
                cur = bounds[-1]
                if cur + w > job.s_b or not self._fits(
                    st, job.side, cur, cur + w, st.half_width, front + d + garden
                ):
                    break
                bounds.append(cur + w)
                depths.append(d)
                gardens.append(garden)
                kinds.append(kind)
                n_apt += kind == "apartment"
            if len(depths) < 2:
                s += 2.5
                continue
            types = _row_types(kinds)
            if self.rem["gesloten"] < types.count("gesloten"):
                s += 2.5  # cannot happen (k_int is capped); guard the budget anyway
                continue
            self._commit_row(job.street, job.side, bounds, front, depths, gardens, types, job.zone)
            for t in types:
                self.rem[t] -= 1
            self.rem_centre_apt -= types.count("apartment")
            s = bounds[-1] + float(rng.uniform(1.5, 4.0))

    def _remaining_units(self) -> dict[str, float]:
        rows_left = math.ceil(max(self.rem["gesloten"], 0) / 4)  # rows still to build
        ends_for_rows = 2 * rows_left  # keep halfopen row ends for them
        return {
            "row": float(rows_left) if self.rem["halfopen"] >= 2 else 0.0,
            "pair": float(max(self.rem["halfopen"] - ends_for_rows, 0) // 2),
            "open": float(max(self.rem["open"], 0)),
            "apartment": float(max(self.rem["apartment"], 0)),
        }

    def budgets_done(self) -> bool:
        if self.rem["gesloten"] > 0 and self.rem["halfopen"] < 2:
            # no halfopen row ends left: the remaining terraced houses become detached ones
            self.rem["open"] += self.rem["gesloten"]
            self.rem["gesloten"] = 0
        if self.rem["halfopen"] == 1 and self.rem["gesloten"] == 0:
            # an odd halfopen budget cannot be met with pairs: one more detached house instead
            self.rem["halfopen"], self.rem["open"] = 0, self.rem["open"] + 1
        return all(v <= 0 for v in self.rem.values())

    def fill_mixed(self, job: _Job) -> bool:
        """Pairs, detached houses, short rows and small apartment buildings on lots.

        Returns False when every budget (and the planned/under-construction extras) is spent.
        """
        st = self.streets[job.street]
        rng = self.rng
        weights = _KIND_WEIGHTS[job.character or job.zone]
        gaps = job.zone == "lint" and not job.urban
        s = job.s_a + float(rng.uniform(0.0, 3.0))
        while s < job.s_b - 8.0:
            done = self.budgets_done()
            if done and not any(self.extra.values()):
                return False
            if done:
                kind = "open"
                role = "planned" if self.extra["planned"] > 0 else "under_construction"
            else:
                role = "residential"
                units = self._remaining_units()
                w_kind = np.array(
                    [weights[k] * units[k] for k in ("row", "pair", "open", "apartment")]
                )
                if w_kind.sum() <= 0:
                    return True
                kind = str(
                    np.array(["row", "pair", "open", "apartment"])[
                        rng.choice(4, p=w_kind / w_kind.sum())
                    ]
                )
            used = self._place_lot(job, st, s, kind, role)
            if used > 0:
                if role != "residential":
                    self.extra[role] -= 1
                s += used
                if gaps and rng.random() < 0.15:
                    s += float(rng.uniform(20.0, 120.0))
            else:
                s += 3.0
        return True

    def _place_lot(self, job: _Job, st: _Street, s: float, kind: str, role: str) -> float:
        """Try one lot of ``kind`` at ``s``; return the frontage used [m] or 0."""
        rng = self.rng
        zone = job.zone
        front = st.half_width + _u(rng, _SETBACK[zone])
        garden = _u(rng, _GARDEN[zone])
        yl, yr = _u(rng, (3.0, 5.0)), _u(rng, (3.0, 5.0))
        if kind == "open":
            widths = [_u(rng, _WIDTH["open"])]
            depths = [_u(rng, _DEPTH["open"])]
            types = ["open"]
        elif kind == "pair":
            d = _u(rng, _DEPTH["pair"])
            widths = [_u(rng, _WIDTH["pair"]), _u(rng, _WIDTH["pair"])]
            depths = [d, d]
            types = ["halfopen", "halfopen"]
        elif kind == "row":
            k_int = min(int(rng.integers(2, 7)), self.rem["gesloten"])
            if self.rem["halfopen"] < 4:
                k_int = self.rem["gesloten"]  # the last pair of row ends takes every one left
            d = _u(rng, _DEPTH["row_allotment"])
            widths = [_u(rng, _WIDTH["row_allotment"]) for _ in range(k_int + 2)]
            depths = [d + float(rng.uniform(-0.3, 0.3)) for _ in widths]
            types = ["halfopen", *(["gesloten"] * k_int), "halfopen"]
        else:
            spec = "apartment_centre" if zone == "centrum" else "apartment_suburb"
            widths = [_u(rng, _footprint(spec, "width"))]
            depths = [_u(rng, _footprint(spec, "depth"))]
            types = ["apartment"]
            yl, yr = _u(rng, (4.0, 6.0)), _u(rng, (4.0, 6.0))
        total = yl + sum(widths) + yr
        if s + total > job.s_b:
            return 0.0
        lot_end = front + max(depths) + garden
        if not self._fits(st, job.side, s, s + total, st.half_width, lot_end):
            return 0.0
        bounds = [s + yl]
        for w in widths:
            bounds.append(bounds[-1] + w)
        self.index.add(st.rect(s, s + total, job.side, st.half_width, lot_end))  # with side yards
        gardens = [lot_end - front - d for d in depths]
        self._commit_row(job.street, job.side, bounds, front, depths, gardens, types, zone, role)
        if role == "residential":
            for t in types:
                self.rem[t] -= 1
        return total

    def build(self) -> None:
        self.plan_streets()
        self.place_church()
        self.fill_station()
        jobs = self.jobs()
        row_jobs = sorted(
            (j for j in jobs if j.zone in ("centrum", "schil")), key=lambda j: (j.key, j.street)
        )
        for job in row_jobs:
            if self.rem["gesloten"] <= 0:
                break
            self.fill_rows(job)
        self.rem_centre_apt = 0  # apartment buildings left over stand in suburbs and ribbons
        ordered = sorted(jobs, key=lambda j: (not j.urban and j.zone != "centrum", j.key, j.street))
        for job in ordered:
            if not self.fill_mixed(job):
                break
        placed = sum(b.role == "residential" for b in self.blds)
        if not self.budgets_done() or any(self.extra.values()) or placed != self.n_res:
            raise RuntimeError(
                f"synthetic town: no room left for {self.rem} and {self.extra} "
                f"(n_buildings={self.n_res}); use a smaller n_buildings or tiling"
            )


def _row_types(kinds: list[str]) -> list[str]:
    n = len(kinds)
    out = []
    for i, kind in enumerate(kinds):
        if kind == "apartment":
            out.append("apartment")
        elif i in (0, n - 1):
            out.append("halfopen")
        else:
            out.append("gesloten")
    return out


def _mm(p: tuple[float, float]) -> tuple[float, float]:
    """Coordinates rounded to 1 mm (identical inputs give identical shared vertices)."""
    return (round(p[0], 3), round(p[1], 3))


# ---------------------------------------------------------------------------------------------
# Attributes, units, addresses, facts


@dataclass
class _Town:
    """One generated town in plain tables with local integer keys (b, u, a, st)."""

    bld: pd.DataFrame
    ring_xy: NDArray[np.float64]
    ring_off: NDArray[np.int64]
    units: pd.DataFrame
    addr: pd.DataFrame
    streets: pd.DataFrame
    facts: pd.DataFrame
    sectors: gpd.GeoDataFrame
    roofs: pd.DataFrame
    trees: pd.DataFrame
    terrain: dict[str, float]
    centre: tuple[float, float]
    #: Street centreline segments split at junctions (:func:`_street_segments`), local frame.
    segments: pd.DataFrame | None = None


def _terrain_params(rng: np.random.Generator, cx: float, cy: float) -> dict[str, float]:
    return {
        "cx": cx,
        "cy": cy,
        "base": _p("terrain.base_m"),
        "relief": _p("terrain.relief_m"),
        "valley": _p("terrain.valley_depth_m"),
        "l1": float(rng.uniform(1800.0, 2600.0)),
        "l2": float(rng.uniform(2200.0, 3200.0)),
        "l3": float(rng.uniform(1200.0, 1800.0)),
        "p1": float(rng.uniform(0.0, 2 * math.pi)),
        "p2": float(rng.uniform(0.0, 2 * math.pi)),
        "p3": float(rng.uniform(0.0, 2 * math.pi)),
        "a3": float(rng.uniform(0.0, math.pi)),
        "va": float(rng.uniform(0.0, math.pi)),
        "vd": float(rng.uniform(-600.0, 600.0)),
        "sx": float(rng.uniform(-8e-4, 8e-4)),
        "sy": float(rng.uniform(-8e-4, 8e-4)),
    }


def _terrain(
    x: NDArray[np.float64], y: NDArray[np.float64], t: dict[str, float]
) -> NDArray[np.float64]:
    """Ground level [m TAW]: gentle undulations, a tilt and one shallow brook valley."""
    xr, yr = x - t["cx"], y - t["cy"]
    two_pi = 2.0 * math.pi
    z = t["base"] + t["relief"] * (
        0.6 * np.sin(two_pi * xr / t["l1"] + t["p1"]) * np.cos(two_pi * yr / t["l2"] + t["p2"])
        + 0.4
        * np.sin(two_pi * (xr * math.cos(t["a3"]) + yr * math.sin(t["a3"])) / t["l3"] + t["p3"])
    )
    dist = xr * math.sin(t["va"]) - yr * math.cos(t["va"]) - t["vd"]
    z = z - t["valley"] * np.exp(-(dist**2) / (2.0 * 120.0**2)) + t["sx"] * xr + t["sy"] * yr
    return np.asarray(z, dtype=np.float64)


def _choice(rng: np.random.Generator, options: dict[str, float]) -> str:
    keys = list(options)
    p = np.array([options[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _period_group(year: float) -> str:
    for limit, group in ((1946, "p1"), (1971, "p2"), (1991, "p3"), (2006, "p4"), (2015, "p5")):
        if year < limit:
            return group
    return "p6"


def _assign_years(blds: list[_Bldg], rng: np.random.Generator) -> dict[int, int]:
    """Construction year per residential building: the type's period shares, older where the key is lower."""
    periods = construction_period_shares()
    years: dict[int, int] = {}
    for btype in BUILDING_TYPES:
        members = [i for i, b in enumerate(blds) if b.role == "residential" and b.btype == btype]
        if not members:
            continue
        counts = _largest_remainder(periods[btype].to_numpy(dtype=float), len(members))
        drawn = np.concatenate(
            [
                rng.integers(int(lo), int(hi) + 1, size=int(c))
                for lo, hi, c in zip(periods["year_from"], periods["year_to"], counts, strict=True)
            ]
        )
        drawn.sort(kind="stable")
        order = sorted(members, key=lambda i: (blds[i].key, i))
        for i, year in zip(order, drawn, strict=True):
            years[i] = int(year)
    return years


# The street segments are written with the fields of the Wegenregister's ``Wegsegment.dbf``
# (:data:`buildings.streets.WEGSEGMENT_FIELDS`) and read back by buildings.streets.read_streets.
# Code-list values written (road-registry RoadSegmentMorphology, RoadSegmentCategory): the old
# roads are local connecting roads, the rest access roads; the Markt is a square.
_SEGMENT_MORF = {"street": (103, "weg bestaande uit één rijbaan"), "markt": (106, "verkeersplein")}
_SEGMENT_WEGCAT = {"radial": ("L2", "lokale weg type 2"), "other": ("L3", "lokale weg type 3")}


def _street_segments(builder: _TownBuilder, markt: int) -> pd.DataFrame:
    """The town's street centrelines split at every junction, as the Wegenregister segments them.

    Deterministic (no random draw): straight streets from their start along their direction;
    the Markt a ring of radius ``_MARKT_RADIUS`` through the starts of the old roads (plus 16
    regular vertices), split there. A street is cut where another street's end lies on it
    (within 1 cm) or where another street crosses it. Returns ``street`` (index into the
    town's street names; ``markt`` for the Markt), ``kind`` and ``geometry`` (local frame).
    The streets are those of the layout: an allotment's cross street that the layout shortened
    clear of its neighbours may no longer reach its spine and then stands apart.
    """
    streets = builder.streets
    p0 = np.array([[st.x0, st.y0] for st in streets], dtype=np.float64).reshape(-1, 2)
    t = np.array([[st.tx, st.ty] for st in streets], dtype=np.float64).reshape(-1, 2)
    length = np.array([st.length for st in streets], dtype=np.float64)
    p1 = p0 + t * length[:, None]
    lines = shapely.linestrings(np.stack([p0, p1], axis=1)) if len(streets) else np.array([])
    ends = np.concatenate([p0, p1])
    rows: list[tuple[int, str, Any]] = []
    tol = 0.01
    for i, st in enumerate(streets):
        # the cut vertices are the other street's own end points (or the crossing point), so
        # that both streets share the road node to the last bit
        crossing = shapely.intersection(lines[i], np.delete(lines, i))
        pts = shapely.get_coordinates(crossing[shapely.get_type_id(crossing) == 0])
        cand = np.concatenate([ends, pts, p0[i : i + 1], p1[i : i + 1]])
        rel = cand - p0[i]
        s = rel @ t[i]
        off = np.abs(rel[:, 0] * t[i, 1] - rel[:, 1] * t[i, 0])
        inner = (off < tol) & (s > tol) & (s < length[i] - tol)
        inner[-2:] = True  # the street's own ends
        s_in, xy = s[inner], cand[inner]
        s_in[-2:] = (0.0, length[i])
        order = np.argsort(s_in, kind="stable")
        s_in, xy = s_in[order], xy[order]
        keep = np.r_[True, np.diff(s_in) > tol]  # one vertex per junction
        keep[-1] = True
        s_in, xy = s_in[keep], xy[keep]
        if len(s_in) > 2 and s_in[-1] - s_in[-2] <= tol:
            xy = np.delete(xy, -2, axis=0)
        for a, b in itertools.pairwise(xy):
            seg = shapely.linestrings(np.array([a, b]))
            rows.append((i, "radial" if st.kind == "radial" else "other", seg))
    # the Markt: a ring through the starts of the old roads, cut there
    radial_angles = [math.atan2(st.ty, st.tx) % (2 * math.pi) for st in streets if st.parent < 0]
    regular = list(np.linspace(0.0, 2 * math.pi, 16, endpoint=False))
    angles = sorted({round(a, 9) for a in [*radial_angles, *regular]})
    cut_at = {round(a, 9) for a in radial_angles}
    starts = {
        round(math.atan2(st.ty, st.tx) % (2 * math.pi), 9): (st.x0, st.y0)
        for st in streets
        if st.parent < 0
    }
    ring = [(a, round(a, 9) in cut_at) for a in angles]
    first = next((k for k, (_, cut) in enumerate(ring) if cut), 0)
    ring = ring[first:] + ring[:first]
    ring.append(ring[0])
    piece: list[tuple[float, float]] = []
    for k, (a, cut) in enumerate(ring):
        # an old road starts at cx + R (cos a, sin a): its own start point, to the last bit
        xy = starts.get(
            round(a, 9),
            (builder.cx + _MARKT_RADIUS * math.cos(a), builder.cy + _MARKT_RADIUS * math.sin(a)),
        )
        piece.append(xy)
        if cut and k > 0 and len(piece) > 1:
            rows.append((markt, "markt", shapely.linestrings(piece)))
            piece = [xy]
    return pd.DataFrame(rows, columns=["street", "kind", "geometry"])


def _build_town(seed: int, n_res: int, variant: int = 0) -> _Town:
    """Generate one town: layout, attributes, units, addresses, facts, sectors."""
    streams = [np.random.default_rng([seed, variant, n_res, s]) for s in range(7)]
    builder = _TownBuilder(streams[_LAYOUT], n_res)
    builder.build()
    blds = builder.blds
    rng = streams[_ATTRIBUTES]
    terrain = _terrain_params(streams[_TERRAIN], builder.cx, builder.cy)
    years = _assign_years(blds, rng)

    # --- storeys, roofs, heights, commercial ground floors ---------------------------------
    rows: list[dict[str, Any]] = []
    roof_rows: list[tuple[Any, ...]] = []
    for i, b in enumerate(blds):
        year = years.get(i)
        rec: dict[str, Any] = {"role": b.role, "btype": b.btype, "zone": b.zone, "year": year}
        if b.role in ("residential", "planned", "under_construction"):
            storeys = _storeys(b, year, rng)
            storey_h = _u(rng, (_p("storey_height.min"), _p("storey_height.max")))
            flat_p = _flat_roof_probability(b.btype, year)
            w, d = b.rects[0][6], b.rects[0][7]
            if rng.random() < flat_p:
                roof, pitch = "flat", 0.0
            else:
                old = year is not None and year < 1946
                pitch = _u(
                    rng,
                    (_p("roof.pitch_old.min"), _p("roof.pitch_old.max"))
                    if old
                    else (_p("roof.pitch_new.min"), _p("roof.pitch_new.max")),
                )
                if b.btype == "open" and rng.random() < _p("roof.hip.open"):
                    roof = "hip"
                elif b.btype == "open" and d > w:
                    roof = "gable_v"  # ridge along the longer side
                else:
                    roof = "gable_u"  # ridge parallel to the street
            eaves = storeys * storey_h
            tan = math.tan(math.radians(pitch))
            half = {"flat": 0.0, "gable_u": d / 2, "gable_v": w / 2, "hip": min(w, d) / 2}[roof]
            rec.update(storeys=storeys, roof=roof, eaves=eaves, height=eaves + tan * half)
            if b.role == "residential":
                roof_rows.append((i, *b.rects[0], roof, eaves, tan))
            if b.zone == "centrum" and b.role == "residential":
                share = (
                    "shop.centre_apartment_share"
                    if b.btype == "apartment"
                    else "shop.centre_house_share"
                )
                if b.btype in ("apartment", "gesloten", "halfopen") and rng.random() < _p(share):
                    b.commercial = "kantoor" if rng.random() < _p("shop.office_share") else "handel"
        elif b.role == "church":
            # nave and transept: gable roofs; tower: a spire (a steep hipped roof) on its walls
            nave_eaves, nave_tan, tower_eaves, spire_tan = (
                12.0,
                math.tan(math.radians(50.0)),
                22.0,
                math.tan(math.radians(80.0)),
            )
            tower_half = min(b.rects[2][6], b.rects[2][7]) / 2
            rec.update(
                storeys=None,
                roof="gable_u",
                eaves=nave_eaves,
                height=tower_eaves + spire_tan * tower_half,
            )
            for rect in b.rects[:2]:
                roof_rows.append((i, *rect, "gable_u", nave_eaves, nave_tan))
            roof_rows.append((i, *b.rects[2], "hip", tower_eaves, spire_tan))
        rows.append(rec)

    # --- sheds and demolished buildings -----------------------------------------------------
    _add_sheds(builder, rows, roof_rows, rng)
    _add_demolished(builder, rows, years, rng)
    blds = builder.blds

    # --- house numbers ----------------------------------------------------------------------
    street_names = [st.name for st in builder.streets]
    markt = len(street_names)
    street_names.append("Markt")
    numbered = [
        i for i, b in enumerate(blds) if b.role in ("residential", "planned", "under_construction")
    ]
    street_of = {i: blds[i].street for i in numbered}
    for i in numbered:
        b = blds[i]
        st = builder.streets[b.street]
        if st.kind == "radial" and _MARKT_RADIUS + b.s_mid < _MARKT_NAME_RADIUS:
            street_of[i] = markt
    house_number = _house_numbers(blds, numbered, street_of, markt, builder, rng)

    # --- units and addresses ----------------------------------------------------------------
    units, addr = _units_and_addresses(blds, rows, numbered, street_of, house_number, rng)

    bld = pd.DataFrame(rows)
    bld["street"] = [street_of.get(i, -1) for i in range(len(blds))]
    bld["house_number"] = [house_number.get(i) for i in range(len(blds))]
    bld["commercial"] = [b.commercial for b in blds]
    bld["shared"] = [b.shared for b in blds]
    bld["parent"] = [b.parent for b in blds]
    ub = units["b"].to_numpy()
    wonen = ((units["functie"] == "wonen") & (units["status"] != "gehistoreerd")).to_numpy()
    bld["n_dwellings"] = np.bincount(ub[wonen], minlength=len(blds))
    bld["n_units"] = np.bincount(ub, minlength=len(blds))
    ring_lengths = np.array([len(b.ring) for b in blds], dtype=np.int64)
    ring_off = np.concatenate([[0], np.cumsum(ring_lengths)]).astype(np.int64)
    ring_xy = np.array([p for b in blds for p in b.ring], dtype=np.float64)
    centroids = shapely.centroid(_polygons(ring_xy, ring_off))
    cx, cy = shapely.get_x(centroids), shapely.get_y(centroids)
    bld["ground_elevation_m"] = np.round(_terrain(cx, cy, terrain), 3)
    bld["footprint_area_m2"] = np.round(shapely.area(_polygons(ring_xy, ring_off)), 2)
    _status_and_method(bld, years, rng)

    roofs = pd.DataFrame(
        roof_rows,
        columns=["b", "ox", "oy", "ux", "uy", "vx", "vy", "w", "d", "roof", "eaves", "tan"],
    )
    trees = _trees(builder, streams[_RASTER])
    facts = _facts(bld, units, addr, streams[_FACTS])
    sectors = _sectors(streams[_SECTORS])
    streets = pd.DataFrame({"name": street_names})
    return _Town(
        bld,
        ring_xy,
        ring_off,
        units,
        addr,
        streets,
        facts,
        sectors,
        roofs,
        trees,
        terrain,
        (builder.cx, builder.cy),
        segments=_street_segments(builder, markt),
    )


def _storeys(b: _Bldg, year: int | None, rng: np.random.Generator) -> int:
    if b.btype == "apartment":
        kind = {"centrum": "apartment_centre", "station": "apartment_station"}.get(
            b.zone, "apartment_suburb"
        )
        lo, hi = int(_p(f"storeys.{kind}.min")), int(_p(f"storeys.{kind}.max"))
        return int(rng.integers(lo, hi + 1))
    if b.btype == "open" or b.btype is None:
        one = (
            _p("storeys.open.1_1950_1989")
            if year and 1950 <= year <= 1989
            else _p("storeys.open.1")
        )
        return 1 if rng.random() < one else 2
    options = {str(s): _p(f"storeys.{b.btype}.{s}") for s in (1, 2, 3)}
    return int(_choice(rng, options))


def _flat_roof_probability(btype: str | None, year: int | None) -> float:
    if btype == "apartment":
        return _p("roof.flat.apartment")
    if year is None:
        return _p("roof.flat.house_since_2005")  # planned buildings are new
    if year >= 2005:
        return _p("roof.flat.house_since_2005")
    if 1960 <= year <= 1981:
        return _p("roof.flat.house_1960_1981")
    return _p("roof.flat.house_other")


def _add_sheds(
    builder: _TownBuilder,
    rows: list[dict[str, Any]],
    roof_rows: list[tuple[Any, ...]],
    rng: np.random.Generator,
) -> None:
    """Garden sheds in the back gardens of some open and halfopen houses (no units, no address)."""
    share = _p("status.shed_share")
    for i in range(len(builder.blds)):
        b = builder.blds[i]
        if b.role != "residential" or b.btype not in ("open", "halfopen") or b.lot is None:
            continue
        s0, s1, v_back, v_end = b.lot
        ws, ds = _u(rng, (2.5, 4.0)), _u(rng, (2.5, 4.0))
        if v_end - v_back < ds + 9.0 or s1 - s0 < ws + 2.0 or rng.random() >= share:
            continue
        st = builder.streets[b.street]
        sa = _u(rng, (s0 + 1.0, s1 - 1.0 - ws))
        va = _u(rng, (v_back + 5.0, v_end - 2.0 - ds))
        corners = [(sa, va), (sa + ws, va), (sa + ws, va + ds), (sa, va + ds)]
        ring = [_mm(st.point(s, b.side, v)) for s, v in corners]
        ring.append(ring[0])
        ox, oy = st.point(sa, b.side, va)
        rect = (ox, oy, st.tx, st.ty, -b.side * st.ty, b.side * st.tx, ws, ds)
        height = _u(rng, (2.3, 2.8))
        builder.blds.append(_Bldg("shed", None, b.zone, ring, [rect], street=b.street, parent=i))
        rows.append(
            {
                "role": "shed",
                "btype": None,
                "zone": b.zone,
                "year": None,
                "storeys": 1,
                "roof": "flat",
                "eaves": height,
                "height": height,
            }
        )
        roof_rows.append((len(builder.blds) - 1, *rect, "flat", height, 0.0))


def _add_demolished(
    builder: _TownBuilder,
    rows: list[dict[str, Any]],
    years: dict[int, int],
    rng: np.random.Generator,
) -> None:
    """Demolished predecessors of recent buildings, still in the extract as ``gehistoreerd``.

    The predecessor overlaps its replacement (a reader that keeps it would see two buildings on
    one spot); no units are linked to addresses.
    """
    n = max(2, round(_p("status.demolished_share") * builder.n_res))
    recent = [
        i
        for i, b in enumerate(builder.blds)
        if b.role == "residential" and b.btype in ("open", "apartment") and years.get(i, 0) >= 2001
    ]
    for i in np.asarray(recent, dtype=np.int64)[rng.permutation(len(recent))][:n]:
        b = builder.blds[int(i)]
        ox, oy, ux, uy, vx, vy, w, d = b.rects[0]
        wd, dd = min(w - 1.0, _u(rng, (6.0, 9.0))), min(d, _u(rng, (7.0, 10.0)))
        a0 = _u(rng, (-1.0, max(w - wd, 0.0))) if b.btype == "open" else 0.5
        b0 = _u(rng, (-2.0, 1.0)) if b.btype == "open" else 0.0
        corners = [(a0, b0), (a0 + wd, b0), (a0 + wd, b0 + dd), (a0, b0 + dd)]
        ring = [_mm((ox + a * ux + c * vx, oy + a * uy + c * vy)) for a, c in corners]
        ring.append(ring[0])
        rect = (ox + a0 * ux + b0 * vx, oy + a0 * uy + b0 * vy, ux, uy, vx, vy, wd, dd)
        builder.blds.append(
            _Bldg("demolished", None, b.zone, ring, [rect], street=b.street, parent=int(i))
        )
        rows.append(
            {
                "role": "demolished",
                "btype": None,
                "zone": b.zone,
                "year": int(rng.integers(1900, 1971)),
                "storeys": None,
                "roof": None,
                "eaves": None,
                "height": None,
            }
        )


def _house_numbers(
    blds: list[_Bldg],
    numbered: list[int],
    street_of: dict[int, int],
    markt: int,
    builder: _TownBuilder,
    rng: np.random.Generator,
) -> dict[int, str]:
    """Odd numbers left, even right, outward from the start; the Markt numbered around."""
    out: dict[int, str] = {}
    skip, letter = _p("address.number_skip_share"), _p("address.letter_suffix_share")
    markt_members = [i for i in numbered if street_of[i] == markt]
    angle = {
        i: math.atan2(blds[i].ring[0][1] - builder.cy, blds[i].ring[0][0] - builder.cx)
        for i in markt_members
    }
    for n, i in enumerate(sorted(markt_members, key=lambda i: (angle[i], i)), start=1):
        out[i] = str(n)
    groups: dict[tuple[int, int], list[int]] = {}
    for i in numbered:
        if street_of[i] != markt:
            groups.setdefault((street_of[i], blds[i].side), []).append(i)
    for (_st, side), members in sorted(groups.items()):
        number = 1 if side == 1 else 2
        previous: int | None = None
        for i in sorted(members, key=lambda i: (blds[i].s_mid, i)):
            single = blds[i].btype in ("open", "halfopen", "gesloten")
            if previous is not None and single and rng.random() < letter:
                out[i] = f"{previous}A"
                previous = None  # one letter per number
                continue
            if rng.random() < skip:
                number += 2
            out[i] = str(number)
            previous = number
            number += 2
    return out


def _units_and_addresses(
    blds: list[_Bldg],
    rows: list[dict[str, Any]],
    numbered: list[int],
    street_of: dict[int, int],
    house_number: dict[int, str],
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Building units and their addresses (one house number per building, box numbers per unit)."""
    unit_rows: list[tuple[Any, ...]] = []
    addr_rows: list[tuple[Any, ...]] = []
    parcel_share = _p("address.parcel_position_share")
    flat_lo, flat_hi = _p("apartments.flat_size_min_m2"), _p("apartments.flat_size_max_m2")
    usable = _p("apartments.usable_ratio")
    for i in numbered:
        b = blds[i]
        rec = rows[i]
        planned = b.role != "residential"
        status_u = "gepland" if planned else "gerealiseerd"
        status_a = "voorgesteld" if planned else "inGebruik"
        door = b.door if b.door is not None else b.ring[0]
        street, hn = street_of[i], house_number[i]
        # (functie, floor) of every unit except the common part
        members: list[tuple[str, int]] = []
        if b.btype == "apartment":
            storeys = int(rec["storeys"])
            first = 1 if b.commercial else 0
            floors = max(storeys - first, 1)
            w, d = b.rects[0][6], b.rects[0][7]
            per_floor = int(np.clip(round(w * d * usable / _u(rng, (flat_lo, flat_hi))), 1, 9))
            if per_floor * floors < 2:  # an apartment building holds at least two flats
                per_floor = 2
            if per_floor * floors > 30:
                per_floor = 30 // floors
            if b.commercial:
                members.append((b.commercial, 0))
            members += [("wonen", first + f) for f in range(floors) for _ in range(per_floor)]
        elif b.commercial:
            members = [(b.commercial, 0), ("wonen", 1)]
        else:
            members = [("wonen", 0)]
        if len(members) == 1:
            a = len(addr_rows)
            spec = "perceel" if (not planned and rng.random() < parcel_share) else "gebouweenheid"
            addr_rows.append((i, street, hn, None, status_a, spec, door[0], door[1]))
            unit_rows.append(
                (i, members[0][0], status_u, "aangeduidDoorBeheerder", door[0], door[1], a)
            )
            continue
        # several units: the common part carries the house number, each unit a box number
        a = len(addr_rows)
        addr_rows.append((i, street, hn, None, status_a, "gebouweenheid", door[0], door[1]))
        c = shapely.centroid(Polygon(b.ring))
        unit_rows.append((i, "gemeenschappelijkDeel", status_u, "afgeleidVanObject", c.x, c.y, a))
        seq: dict[int, int] = {}
        for functie, floor in members:
            seq[floor] = seq.get(floor, 0) + 1
            box = str(seq[floor]) if floor == 0 else f"{floor}{seq[floor]}"
            a = len(addr_rows)
            addr_rows.append((i, street, hn, box, status_a, "gebouweenheid", door[0], door[1]))
            unit_rows.append((i, functie, status_u, "aangeduidDoorBeheerder", door[0], door[1], a))
    # demolished buildings keep one retired unit without address
    for i, b in enumerate(blds):
        if b.role == "demolished":
            c = shapely.centroid(Polygon(b.ring))
            unit_rows.append((i, "wonen", "gehistoreerd", "afgeleidVanObject", c.x, c.y, -1))
    units = pd.DataFrame(unit_rows, columns=["b", "functie", "status", "posgeommet", "x", "y", "a"])
    addr = pd.DataFrame(
        addr_rows, columns=["b", "street", "huisnr", "busnr", "status", "posspec", "x", "y"]
    )
    addr["offtoegknd"] = rng.random(len(addr)) >= _p("address.not_official_share")
    return units, addr


def _status_and_method(bld: pd.DataFrame, years: dict[int, int], rng: np.random.Generator) -> None:
    role = bld["role"].to_numpy()
    status = np.select(
        [role == "planned", role == "under_construction", role == "demolished"],
        ["gepland", "inAanbouw", "gehistoreerd"],
        "gerealiseerd",
    )
    u = rng.random(len(bld))
    year = bld["year"].to_numpy(dtype=float, na_value=np.nan)
    sketched = (
        (role == "planned")
        | ((role == "under_construction") & (u < 0.5))
        | ((role == "residential") & (year >= 2023) & (u < _p("geommet.sketched_recent")))
        | ((role == "shed") & (u < _p("geommet.sketched_shed")))
    )
    bld["status"] = status
    bld["geommet"] = np.where(sketched, "ingeschetst", "ingemetenGRB")


def _trees(builder: _TownBuilder, rng: np.random.Generator) -> pd.DataFrame:
    """Garden trees in back gardens (DSM only)."""
    out: list[tuple[float, float, float, float]] = []
    per_house = _p("trees.per_house")
    for b in builder.blds:
        if b.role != "residential" or b.lot is None or rng.random() >= per_house:
            continue
        s0, s1, v_back, v_end = b.lot
        radius = _u(rng, (_p("trees.radius_min_m"), _p("trees.radius_max_m")))
        if v_end - v_back < 2 * radius + 2.0 or s1 - s0 < 2 * radius:
            continue
        st = builder.streets[b.street]
        s = _u(rng, (s0 + radius, s1 - radius))
        v = _u(rng, (v_back + radius + 1.0, v_end - radius))
        x, y = st.point(s, b.side, v)
        out.append((x, y, radius, _u(rng, (_p("trees.height_min_m"), _p("trees.height_max_m")))))
    return pd.DataFrame(out, columns=["x", "y", "radius", "height"])


def _facts(
    bld: pd.DataFrame, units: pd.DataFrame, addr: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Known facts per dwelling address (``feiten.csv``), keyed by the local address index."""
    dw = units.loc[
        (units["functie"] == "wonen") & (units["status"] == "gerealiseerd") & (units["a"] >= 0)
    ]
    b = dw["b"].to_numpy()
    n = len(dw)
    year = bld["year"].to_numpy(dtype=float, na_value=np.nan)[b]
    apartment = (bld["btype"].to_numpy() == "apartment")[b]
    footprint = bld["footprint_area_m2"].to_numpy(dtype=float)[b]
    storeys = bld["storeys"].to_numpy(dtype=float, na_value=1.0)[b]
    n_dw = bld["n_dwellings"].to_numpy(dtype=float)[b]
    floor_area = np.where(
        apartment,
        footprint * storeys * _p("apartments.usable_ratio") / np.maximum(n_dw, 1),
        footprint * storeys * 0.85,
    )
    groups = np.array([_period_group(y) for y in year])
    heating_names = load_table("heating_systems.csv").set_index("name")["label_nl"]

    def known(key: str) -> NDArray[np.bool_]:
        return np.asarray(rng.random(n) < _p(key))

    def draw(prefix: str) -> NDArray[np.object_]:
        out = np.empty(n, dtype=object)
        for g in np.unique(groups):
            opts = {
                k.split(".")[2]: v for k, v in _params().items() if k.startswith(f"{prefix}.{g}.")
            }
            sel = np.flatnonzero(groups == g)
            out[sel] = [_choice(rng, opts) for _ in sel]
        return out

    epc_known = known("facts.epc_known")
    roof_p = np.array([_p(f"roof_insulated.{g}") for g in groups])
    wall_p = np.array([_p(f"wall_insulated.{g}") for g in groups])
    roof_ins = rng.random(n) < roof_p
    wall_ins = rng.random(n) < wall_p
    glazing = draw("glazing")
    heating = draw("heating")
    heating_known = known("facts.heating_known")
    btype = bld["btype"].to_numpy(dtype=object)[b]
    arch_type = np.where(
        apartment,
        np.where(
            storeys >= _p("truth.apartment_block_min_storeys"), "apartment_block", "apartment_small"
        ),
        btype,
    )
    score, gas_true = _true_epc_and_gas(
        arch_type, year, floor_area, roof_ins, wall_ins, glazing, heating, rng
    )
    # the certificate: the EPC method on the dwelling's true state, with the spread between
    # assessors (an independent noise model, not a formula of the twin's own estimate)
    epc_score = np.round(score * np.exp(rng.normal(0.0, _p("truth.epc_assessor_sigma"), n)))
    from sim.labels import epc_label  # the core's label rule (imported late: numba start-up)

    labels = epc_label(epc_score)
    gas = np.isin(heating, ["gas_boiler", "gas_condensing"]) & heating_known
    gas_known = gas & (rng.random(n) < _p("facts.gas_use_known"))
    # the meter: the expected use of the true state times the household's own behaviour
    gas_kwh = np.round(gas_true * np.exp(rng.normal(0.0, _p("truth.household_use_sigma"), n)), -1)
    facts = pd.DataFrame(
        {
            "a": dw["a"].to_numpy(),
            "bouwjaar": _known_int(known("facts.construction_year_known"), year),
            "epc_label": _known_text(epc_known, labels),
            "epc_score": _known_int(epc_known, epc_score),
            "dak_geisoleerd": _bool_text(known("facts.roof_known"), roof_ins),
            "muur_geisoleerd": _bool_text(known("facts.wall_known"), wall_ins),
            "beglazing": _known_text(known("facts.glazing_known"), glazing),
            "verwarming": _known_text(heating_known, heating_names.reindex(heating).to_numpy()),
            "verbruik_gas_kwh": _known_int(gas_known, gas_kwh),
        }
    )
    facts = facts.loc[facts.drop(columns="a").notna().any(axis=1)].reset_index(drop=True)
    return facts


def _true_epc_and_gas(
    arch_type: NDArray[np.object_],
    year: NDArray[np.float64],
    floor_area: NDArray[np.float64],
    roof_ins: NDArray[np.bool_],
    wall_ins: NDArray[np.bool_],
    glazing: NDArray[np.object_],
    heating: NDArray[np.object_],
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """EPC score of each dwelling's certificate and expected gas use of its TRUE state (both
    hidden from the twin).

    The true state is the archetype of its type and year, with the generator's own factor of
    its class (``truth.u_factor_*``, fixed, independent of the model's calibration) times a
    lognormal spread per dwelling
    (``truth.u_sigma``: dwellings of one age class differ), its true insulation, glazing and
    heating system. The gas use is the expected use of that true state.

    The certificate is what an assessor can show: in a dwelling built before EPB, an
    insulated roof or wall counts only where its insulation can be proven
    (``truth.assessor_proof_share``); every other envelope element gets the EPC method's
    pessimistic default: the bare, uninsulated element of the type (or the archetype's, when
    that is worse; ``truth.assessor_default``, the generator's own reading of the EPC rules,
    not the model's calibrated weight). Glazing and the heating system are seen.
    The caller adds the spread between assessors and the household's own behaviour.
    """
    from buildings.twin import INSULATION_FACTS, fact_overrides, insulated_u
    from sim.archetypes import bare_element_u, dwelling_inputs
    from sim.core import simulate
    from sim.epc import ENVELOPE_U, EpcConventions
    from sim.stock import DWELLING_COLUMNS, DwellingArrays

    ov = fact_overrides()
    conv = EpcConventions.default()
    n = len(year)
    d = dwelling_inputs(arch_type, year, floor_area)
    apartment = np.char.startswith(arch_type.astype(str), "apartment")
    pre_epb = year < conv.epb_since_year
    k_class = np.where(
        pre_epb,
        np.where(apartment, _p("truth.u_factor_apartment"), _p("truth.u_factor_house")),
        1.0,
    )
    # insulation means what it means in the twin (one rule: buildings.twin.insulated_u)
    bare = bare_element_u(arch_type)
    for flag, fact in ((roof_ins, "roof_insulated"), (wall_ins, "wall_insulated")):
        col = INSULATION_FACTS[fact]
        u = d[col].to_numpy() * k_class
        d[col] = np.where(flag, insulated_u(u, bare[col].to_numpy(), ov[fact][0]), u)
    d["u_floor_w_m2k"] = d["u_floor_w_m2k"].to_numpy() * k_class
    d["u_window_w_m2k"] = d["u_window_w_m2k"].to_numpy() * k_class
    spread = np.exp(rng.normal(0.0, _p("truth.u_sigma"), n))
    for j, col in enumerate(ENVELOPE_U):
        d[col] = np.clip(d[col].to_numpy() * spread, conv.u_min[j], conv.u_max[j]) * (d[col] > 0)
    for kind in ("single", "double", "hr", "triple"):
        sel = glazing == kind
        d.loc[sel, "u_window_w_m2k"], d.loc[sel, "g_window"] = ov[f"glazing_{kind}"]
    codes = load_table("heating_systems.csv").set_index("name")["code"]
    hs = codes.reindex(heating).to_numpy(dtype=float)
    d["heating_system"] = np.where(np.isfinite(hs), hs, d["heating_system"]).astype(np.int64)
    hp = np.isin(d["heating_system"], [5, 6])
    d["emitter_temp_c"] = np.where(hp, np.minimum(d["emitter_temp_c"], 55.0), d["emitter_temp_c"])
    true = simulate(DwellingArrays.from_frame(d[list(DWELLING_COLUMNS)], what="true dwellings"))
    # the assessor's view: defaults for what cannot be proven (pre-EPB only)
    assessed = d.copy()
    arch = dwelling_inputs(arch_type, year, floor_area)
    bare_u = bare_element_u(arch_type)
    proof = _p("truth.assessor_proof_share")
    proven = {
        "u_roof_w_m2k": roof_ins & (rng.random(n) < proof),
        "u_wall_w_m2k": wall_ins & (rng.random(n) < proof),
        "u_floor_w_m2k": np.zeros(n, dtype=bool),
    }
    for j, col in enumerate(ENVELOPE_U):
        if col not in proven:
            continue  # windows: the glazing is seen
        default = np.clip(
            np.maximum(arch[col].to_numpy(), bare_u[col].to_numpy()), conv.u_min[j], conv.u_max[j]
        )
        use_default = pre_epb & ~proven[col] & (arch[col].to_numpy() > 0)
        assessed[col] = np.where(use_default, default, d[col].to_numpy())
    cert = simulate(
        DwellingArrays.from_frame(assessed[list(DWELLING_COLUMNS)], what="assessed dwellings")
    )
    return cert.energy_score_kwh_m2[:, 0], true.expected_final_kwh[:, 0, 0]


def _known_text(known: NDArray[np.bool_], values: Any) -> pd.Series:
    """Text where ``known``, <NA> elsewhere."""
    return pd.Series(values, dtype="string").where(pd.Series(known))


def _known_int(known: NDArray[np.bool_], values: NDArray[np.float64]) -> pd.Series:
    """Whole numbers where ``known``, <NA> elsewhere."""
    return pd.Series(np.where(known, np.round(values), np.nan)).astype("Int64")


def _bool_text(known: NDArray[np.bool_], value: NDArray[np.bool_]) -> pd.Series:
    return _known_text(known, np.where(value, "true", "false"))


def _sectors(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Statistical sectors: each wijk of Lichtervelde split into 2-3 Voronoi cells."""
    wijken = _wijken()
    plan = {"W02": (3, "0"), "W03": (2, "1"), "W04": (2, "2"), "W01": (3, "9")}
    compass = ["Oost", "Noordoost", "Noord", "Noordwest", "West", "Zuidwest", "Zuid", "Zuidoost"]
    rows: list[dict[str, Any]] = []
    for _, wijk in wijken.iterrows():
        suffix = str(wijk["geoitem"])[-3:]
        n_cells, tens = plan[suffix]
        geom = wijk.geometry
        x0, y0, x1, y1 = geom.bounds
        pts: list[tuple[float, float]] = []
        while len(pts) < n_cells:
            x, y = float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1))
            if shapely.contains_xy(geom, x, y):
                pts.append((x, y))
        cells = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=geom, ordered=True)
        short = str(wijk["naam"]).replace(f" ({MUNICIPALITY_NAME})", "")
        centre = geom.centroid
        names: list[str] = []
        for j, cell in enumerate(shapely.get_parts(cells)):
            part = shapely.make_valid(shapely.intersection(cell, geom))
            polys = [
                p for p in shapely.get_parts(part) if p.geom_type == "Polygon" and p.area > 1.0
            ]
            sector = shapely.multipolygons(polys)
            c = sector.centroid
            octant = round(math.atan2(c.y - centre.y, c.x - centre.x) / (math.pi / 4)) % 8
            name = f"{short} {compass[octant]}"
            if name in names:
                name = f"{name} {j + 1}"
            names.append(name)
            rows.append(
                {
                    "cd_sector": f"{MUNICIPALITY_NIS}A{tens}{j}-",
                    "tx_sector_descr_nl": name,
                    "cd_sub_munty": f"{MUNICIPALITY_NIS}A",
                    "cd_munty_refnis": MUNICIPALITY_NIS,
                    "tx_munty_descr_nl": MUNICIPALITY_NAME,
                    "geometry": sector,
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=TWIN_CRS)


def _polygons(ring_xy: NDArray[np.float64], ring_off: NDArray[np.int64]) -> NDArray[np.object_]:
    n = len(ring_off) - 1
    return np.asarray(
        shapely.from_ragged_array(
            shapely.GeometryType.POLYGON, ring_xy, (ring_off, np.arange(n + 1, dtype=np.int64))
        )
    )


# ---------------------------------------------------------------------------------------------
# Assembly: ids, register frames, truth


@dataclass
class SyntheticMunicipality:
    """A generated municipality: the register frames as they are written, and the truth.

    Attributes
    ----------
    buildings : GeoDataFrame
        ``Gebouw.shp`` records (``id, gebouwid, versieid, geommet, status``), polygons.
    units : GeoDataFrame
        ``Gebouweenheid.shp`` records (``id, gebouwehid, versieid, gebouwid, functie, status,
        posgeommet, afwijking``), points.
    links : DataFrame
        ``AdresGebouweenheidKoppeling.dbf`` records (``objecttype, adresobjid, adresid``).
    addresses : GeoDataFrame
        ``Adres.shp`` records (``id, adresid, creatieid, versieid, posspec, posgeommet,
        straatnmid, straatnm, huisnr, busnr, postcode, gemeenteid, gemeentenm, status,
        offtoegknd, voladres``), points.
    sectors : GeoDataFrame
        ``sectoren.gpkg`` (``cd_sector, tx_sector_descr_nl, cd_sub_munty, cd_munty_refnis,
        tx_munty_descr_nl``), MultiPolygons.
    facts : DataFrame
        ``feiten.csv`` (``adresid, bouwjaar, epc_label, epc_score, dak_geisoleerd,
        muur_geisoleerd, beglazing, verwarming, verbruik_gas_kwh``).
    truth : GeoDataFrame
        One row per building record with what was built (see :func:`generate_truth`).
    tiled : bool
        True when the town pattern was tiled (no rasters possible).
    road_segments : GeoDataFrame
        ``Wegsegment.shp`` records (:data:`buildings.streets.WEGSEGMENT_FIELDS`): the street
        centrelines split at their junctions, in the Wegenregister's schema, lines.
    """

    buildings: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    links: pd.DataFrame
    addresses: gpd.GeoDataFrame
    sectors: gpd.GeoDataFrame
    facts: pd.DataFrame
    truth: gpd.GeoDataFrame
    tiled: bool = False
    #: ``Wegsegment.shp`` records (:data:`buildings.streets.WEGSEGMENT_FIELDS`), street
    #: centrelines split at junctions, lines.
    road_segments: gpd.GeoDataFrame | None = None
    _town: _Town | None = field(default=None, repr=False)


def _timestamps(rng: np.random.Generator, n: int, start: dt.date, end: dt.date) -> NDArray[np.str_]:
    """ISO timestamps with the Belgian UTC offset (+01:00 winter, +02:00 summer time)."""
    t0 = np.datetime64(start.isoformat(), "s").astype(np.int64)
    t1 = np.datetime64(end.isoformat(), "s").astype(np.int64)
    secs = rng.integers(t0, t1, size=n)
    local = secs.astype("datetime64[s]")
    text = np.datetime_as_string(local, unit="s")
    month = (local.astype("datetime64[M]").astype(np.int64) % 12) + 1
    summer = (month >= 4) & (month <= 10)  # DST boundaries approximated to whole months
    return np.char.add(text, np.where(summer, "+02:00", "+01:00"))


def _assemble(
    seed: int, towns: list[tuple[_Town, float, float, int]], tiled: bool
) -> SyntheticMunicipality:
    """Concatenate towns (with their offsets and tile numbers), assign ids, build the frames."""
    rng = np.random.default_rng([seed, 0, 0, _IDS])
    blds, units, addrs, streets, facts, sectors, rings, offs = [], [], [], [], [], [], [], []
    segments: list[pd.DataFrame] = []
    nb = nu = na = ns = nr = 0
    for town, dx, dy, tile in towns:
        bld = town.bld.copy()
        bld["tile"] = tile
        bld["street"] = np.where(bld["street"] >= 0, bld["street"] + ns, -1)
        u = town.units.copy()
        u["b"] += nb
        u["a"] = np.where(u["a"] >= 0, u["a"] + na, -1)
        u["x"] += dx
        u["y"] += dy
        a = town.addr.copy()
        a["b"] += nb
        a["street"] += ns
        a["x"] += dx
        a["y"] += dy
        f = town.facts.copy()
        f["a"] += na
        names = town.streets["name"]
        st = pd.DataFrame({"name": names if tile == 0 else names + f" ({tile + 1})"})
        sec = town.sectors.copy()
        if tile > 0 or tiled:
            sec["geometry"] = sec.geometry.translate(dx, dy)
            q = np.arange(len(sec)) + tile * len(sec)
            letters = np.array([chr(ord("A") + int(v) // 1000 % 26) for v in q])
            sec["cd_sector"] = [
                f"{MUNICIPALITY_NIS}{ltr}{(int(v) // 10) % 100:02d}{int(v) % 10}"
                for ltr, v in zip(letters, q, strict=True)
            ]
            sec["cd_sub_munty"] = [f"{MUNICIPALITY_NIS}{ltr}" for ltr in letters]
            sec["tx_sector_descr_nl"] = sec["tx_sector_descr_nl"] + f" ({tile + 1})"
        xy = town.ring_xy + np.array([dx, dy])
        if town.segments is not None:
            seg = town.segments.copy()
            seg["street"] += ns
            shift = np.array([dx, dy])
            seg["geometry"] = shapely.transform(
                seg["geometry"].to_numpy(), lambda c, shift=shift: c + shift
            )
            segments.append(seg)
        blds.append(bld)
        units.append(u)
        addrs.append(a)
        facts.append(f)
        streets.append(st)
        sectors.append(sec)
        rings.append(xy)
        offs.append(town.ring_off[:-1] + nr)
        nb += len(bld)
        nu += len(u)
        na += len(a)
        ns += len(st)
        nr += len(xy)
    bld = pd.concat(blds, ignore_index=True)
    unit = pd.concat(units, ignore_index=True)
    addr = pd.concat(addrs, ignore_index=True)
    fact = pd.concat(facts, ignore_index=True)
    street = pd.concat(streets, ignore_index=True)
    sector = pd.concat(sectors, ignore_index=True)
    ring_xy = np.concatenate(rings)
    ring_off = np.concatenate([*offs, [nr]]).astype(np.int64)

    # ids: random permutations of id ranges, as real ids carry no spatial order
    gebouwid = 3_000_000 + rng.permutation(nb)
    gebouwehid = 10_000_000 + rng.permutation(nu)
    adresid = 2_000_000 + rng.permutation(na)
    straatnmid = 40_000 + rng.permutation(ns)
    end = EXTRACT_DATE
    b_versie = _timestamps(rng, nb, dt.date(2019, 6, 1), end)
    u_versie = _timestamps(rng, nu, dt.date(2019, 6, 1), end)
    a_creatie = _timestamps(rng, na, dt.date(2018, 1, 1), dt.date(2023, 1, 1))
    a_versie = _timestamps(rng, na, dt.date(2023, 1, 1), end)

    polys = _polygons(ring_xy, ring_off)
    buildings = gpd.GeoDataFrame(
        {
            "id": np.char.add(f"{_URI}/gebouw/", gebouwid.astype(str)),
            "gebouwid": gebouwid.astype(np.int32),
            "versieid": b_versie,
            "geommet": bld["geommet"].to_numpy(),
            "status": bld["status"].to_numpy(),
        },
        geometry=polys,
        crs=TWIN_CRS,
    )
    ub = unit["b"].to_numpy()
    units_gdf = gpd.GeoDataFrame(
        {
            "id": np.char.add(f"{_URI}/gebouweenheid/", gebouwehid.astype(str)),
            "gebouwehid": gebouwehid.astype(np.int32),
            "versieid": u_versie,
            "gebouwid": gebouwid[ub].astype(str),
            "functie": unit["functie"].to_numpy(),
            "status": unit["status"].to_numpy(),
            "posgeommet": unit["posgeommet"].to_numpy(),
            "afwijking": np.zeros(nu, dtype=bool),
        },
        geometry=shapely.points(
            np.round(unit["x"].to_numpy(), 3), np.round(unit["y"].to_numpy(), 3)
        ),
        crs=TWIN_CRS,
    )
    linked = unit["a"].to_numpy() >= 0
    links = pd.DataFrame(
        {
            "objecttype": "Gebouweenheid",
            "adresobjid": gebouwehid[linked].astype(str),
            "adresid": adresid[unit["a"].to_numpy()[linked]].astype(np.int32),
        }
    )
    st_idx = addr["street"].to_numpy()
    straatnm = street["name"].to_numpy()[st_idx].astype(str)
    huisnr = addr["huisnr"].astype(str).to_numpy()
    busnr = addr["busnr"].to_numpy()
    has_box = pd.notna(busnr)
    base = np.char.add(np.char.add(straatnm, " "), huisnr.astype(str))
    box_text = np.where(has_box, np.char.add(" bus ", np.where(has_box, busnr, "").astype(str)), "")
    voladres = np.char.add(np.char.add(base, box_text), f", {POSTCODE} {MUNICIPALITY_NAME}")
    addresses = gpd.GeoDataFrame(
        {
            "id": np.char.add(f"{_URI}/adres/", adresid.astype(str)),
            "adresid": adresid.astype(np.int32),
            "creatieid": a_creatie,
            "versieid": a_versie,
            "posspec": addr["posspec"].to_numpy(),
            "posgeommet": "aangeduidDoorBeheerder",
            "straatnmid": straatnmid[st_idx].astype(str),
            "straatnm": straatnm,
            "huisnr": huisnr,
            "busnr": busnr,
            "postcode": POSTCODE,
            "gemeenteid": MUNICIPALITY_NIS,
            "gemeentenm": MUNICIPALITY_NAME,
            "status": addr["status"].to_numpy(),
            "offtoegknd": addr["offtoegknd"].to_numpy(dtype=bool),
            "voladres": voladres,
        },
        geometry=shapely.points(
            np.round(addr["x"].to_numpy(), 3), np.round(addr["y"].to_numpy(), 3)
        ),
        crs=TWIN_CRS,
    )
    facts_out = pd.concat(
        [pd.DataFrame({"adresid": adresid[fact["a"].to_numpy()]}), fact.drop(columns="a")], axis=1
    )

    # truth
    has_street = bld["street"].to_numpy() >= 0
    street_name = _known_text(has_street, street["name"].to_numpy()[np.maximum(bld["street"], 0)])
    truth = gpd.GeoDataFrame(
        {
            "gebouwid": gebouwid.astype(str),
            "role": bld["role"].to_numpy(),
            "status": bld["status"].to_numpy(),
            "building_type": pd.array(bld["btype"].to_numpy(), dtype="string"),
            "zone": bld["zone"].to_numpy(),
            "street": street_name,
            "house_number": pd.array(bld["house_number"].to_numpy(), dtype="string"),
            "construction_year": pd.array(
                bld["year"].to_numpy(dtype=float, na_value=np.nan)
            ).astype("Int64"),
            "storeys": pd.array(bld["storeys"].to_numpy(dtype=float, na_value=np.nan)).astype(
                "Int64"
            ),
            "n_dwellings": bld["n_dwellings"].to_numpy(),
            "n_units": bld["n_units"].to_numpy(),
            "commercial_ground_floor": bld["commercial"].to_numpy() != "",
            "roof_type": pd.array(bld["roof"].to_numpy(), dtype="string"),
            "eaves_height_m": np.round(bld["eaves"].to_numpy(dtype=float, na_value=np.nan), 3),
            "height_m": np.round(bld["height"].to_numpy(dtype=float, na_value=np.nan), 3),
            "ground_elevation_m": bld["ground_elevation_m"].to_numpy(),
            "footprint_area_m2": bld["footprint_area_m2"].to_numpy(),
            "n_shared_walls": bld["shared"].to_numpy(),
            "parent_gebouwid": _known_text(
                bld["parent"].to_numpy() >= 0,
                gebouwid[np.maximum(bld["parent"].to_numpy() + _parent_offset(bld), 0)].astype(str),
            ),
            "tile": bld["tile"].to_numpy(),
        },
        geometry=polys,
        crs=TWIN_CRS,
    )
    joined = gpd.sjoin(
        gpd.GeoDataFrame(geometry=truth.geometry.representative_point(), crs=TWIN_CRS),
        sector[["cd_sector", "geometry"]],
        how="left",
        predicate="within",
    )
    truth["cd_sector"] = pd.array(
        joined.groupby(level=0)["cd_sector"].first().reindex(truth.index).to_numpy(), dtype="string"
    )
    road_segments = _road_segments(segments, street["name"].to_numpy(), straatnmid)
    return SyntheticMunicipality(
        buildings=buildings,
        units=units_gdf,
        links=links,
        addresses=addresses,
        sectors=gpd.GeoDataFrame(sector, geometry="geometry", crs=TWIN_CRS).reset_index(drop=True),
        facts=facts_out,
        truth=truth,
        tiled=tiled,
        road_segments=road_segments,
        _town=towns[0][0] if not tiled else None,
    )


def _road_segments(
    segments: list[pd.DataFrame], names: NDArray[Any], straatnmid: NDArray[np.int64]
) -> gpd.GeoDataFrame | None:
    """``Wegsegment.shp`` records of the towns' segments (deterministic ids, no random draw).

    Segment ids count from 1,000,001 in order; road nodes (``B_WK_OIDN``, ``E_WK_OIDN``) are
    the distinct end points (to the millimetre), numbered from 2,000,001; street name ids are
    the address register's ``straatnmid`` of the street, so a segment and the addresses along
    it name the same street.
    """
    if not segments:
        return None
    seg = pd.concat(segments, ignore_index=True)
    geoms = seg["geometry"].to_numpy()
    n = len(seg)
    oidn = 1_000_001 + np.arange(n, dtype=np.int64)
    uidn = np.char.add(oidn.astype(str), "_1")
    first = np.round(shapely.get_coordinates(shapely.get_point(geoms, 0)), 3)
    last = np.round(shapely.get_coordinates(shapely.get_point(geoms, -1)), 3)
    node_codes, _ = pd.factorize(pd.Series([*map(tuple, first), *map(tuple, last)]))
    markt = (seg["kind"] == "markt").to_numpy()
    radial = (seg["kind"] == "radial").to_numpy()
    street = seg["street"].to_numpy()
    name = names[street].astype(str)
    name_id = straatnmid[street].astype(np.int64)
    date = EXTRACT_DATE.isoformat()
    beheer = MUNICIPALITY_NIS
    lbl_beheer = f"Gemeente {MUNICIPALITY_NAME}"
    return gpd.GeoDataFrame(
        {
            "WS_OIDN": oidn,
            "WS_UIDN": uidn,
            "WS_GIDN": uidn,
            "B_WK_OIDN": 2_000_001 + node_codes[:n].astype(np.int64),
            "E_WK_OIDN": 2_000_001 + node_codes[n:].astype(np.int64),
            "STATUS": np.full(n, 4, dtype=np.int64),
            "LBLSTATUS": "in gebruik",
            "MORF": np.where(markt, _SEGMENT_MORF["markt"][0], _SEGMENT_MORF["street"][0]),
            "LBLMORF": np.where(markt, _SEGMENT_MORF["markt"][1], _SEGMENT_MORF["street"][1]),
            "WEGCAT": np.where(radial, _SEGMENT_WEGCAT["radial"][0], _SEGMENT_WEGCAT["other"][0]),
            "LBLWEGCAT": np.where(
                radial, _SEGMENT_WEGCAT["radial"][1], _SEGMENT_WEGCAT["other"][1]
            ),
            "LSTRNMID": name_id,
            "LSTRNM": name,
            "RSTRNMID": name_id,
            "RSTRNM": name,
            "BEHEER": beheer,
            "LBLBEHEER": lbl_beheer,
            "METHODE": np.full(n, 3, dtype=np.int64),
            "LBLMETHOD": "ingemeten volgens GRB-specificaties",
            "OPNDATUM": date,
            "BEGINTIJD": date,
            "BEGINORG": beheer,
            "LBLBGNORG": lbl_beheer,
            "TGBEP": np.full(n, 1, dtype=np.int64),
            "LBLTGBEP": "openbare weg",
        },
        geometry=shapely.set_precision(geoms, 0.001),
        crs=TWIN_CRS,
    )[[*WEGSEGMENT_FIELDS, "geometry"]]


def _parent_offset(bld: pd.DataFrame) -> NDArray[np.int64]:
    """Offset of each building's town in the concatenated table (parents are town-local)."""
    tile = bld["tile"].to_numpy()
    starts = np.flatnonzero(np.r_[True, tile[1:] != tile[:-1]])
    offset = np.zeros(len(bld), dtype=np.int64)
    for s, e in zip(starts, [*starts[1:], len(bld)], strict=True):
        offset[s:e] = s
    return offset


def build_municipality(
    seed: int = DEFAULT_SEED, n_buildings: int | None = None
) -> SyntheticMunicipality:
    """Generate the municipality in memory (same seed and size, same result).

    Parameters
    ----------
    seed : int
        Seed of every random draw.
    n_buildings : int, optional
        Residential buildings (those Statbel counts: open, halfopen, gesloten, apartment);
        default :data:`DEFAULT_RESIDENTIAL_BUILDINGS`. Sheds, the church, planned,
        under-construction and demolished buildings come on top (about 6 %).

    Returns
    -------
    SyntheticMunicipality
    """
    n = DEFAULT_RESIDENTIAL_BUILDINGS if n_buildings is None else int(n_buildings)
    if n < 50:
        raise ValueError(f"n_buildings must be at least 50, got {n}")
    if n <= SINGLE_TOWN_MAX:
        return _assemble(seed, [(_build_town(seed, n), 0.0, 0.0, 0)], tiled=False)
    n_tiles = math.ceil(n / TILE_BUILDINGS)
    sizes = [n // n_tiles + (1 if t < n % n_tiles else 0) for t in range(n_tiles)]
    variants: dict[tuple[int, int], _Town] = {}
    towns: list[tuple[_Town, float, float, int]] = []
    grid = math.ceil(math.sqrt(n_tiles))
    spacing = 2 * 1600.0 * math.sqrt(TILE_BUILDINGS / DEFAULT_RESIDENTIAL_BUILDINGS) + 800.0
    for t, size in enumerate(sizes):
        key = (t % 4, size)
        if key not in variants:
            variants[key] = _build_town(seed, size, variant=key[0])
        col, row = t % grid, t // grid
        towns.append((variants[key], col * spacing, -row * spacing, t))
    return _assemble(seed, towns, tiled=True)


def generate_truth(seed: int = DEFAULT_SEED, n_buildings: int | None = None) -> gpd.GeoDataFrame:
    """What :func:`generate_municipality` builds for ``seed`` and ``n_buildings``, per building.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per record of ``Gebouw.shp`` (same order), EPSG:31370:

        - ``gebouwid`` (str), ``role`` (residential, shed, church, planned,
          under_construction, demolished), ``status`` (register status, OSLO spelling);
        - ``building_type`` (open, halfopen, gesloten, apartment; <NA> if not residential),
          ``zone`` (centrum, schil, lint, verkaveling, station);
        - ``street``, ``house_number``; ``construction_year``; ``storeys``;
          ``n_dwellings`` (units with function wonen), ``n_units``,
          ``commercial_ground_floor``;
        - ``roof_type`` (flat, gable_u = ridge parallel to the street, gable_v, hip),
          ``eaves_height_m`` and ``height_m`` (ridge; = eaves for flat roofs) above
          ``ground_elevation_m`` (terrain at the footprint centroid, m TAW) [m];
        - ``footprint_area_m2`` [m²], ``n_shared_walls`` (0, 1, 2 by construction),
          ``parent_gebouwid`` (house of a shed, replacement of a demolished building),
          ``tile``, ``cd_sector``, ``geometry``.
    """
    return build_municipality(seed, n_buildings).truth


# ---------------------------------------------------------------------------------------------
# Writers


def _style(frame: pd.DataFrame, columns: Iterable[str], value_style: ValueStyle) -> pd.DataFrame:
    if value_style == "oslo":
        return frame
    out = frame.copy()
    for col in columns:
        out[col] = out[col].map(lambda v: _EXTRACT_VALUES.get(v, v) if isinstance(v, str) else v)
    return out


def _dbf_options(resize: bool) -> dict[str, str]:
    # a fixed "last update" date keeps the DBF header byte-identical between runs; RESIZE shrinks
    # text fields to their longest value (as in real extracts) but rewrites the file: skipped for
    # benchmark-size (tiled) municipalities
    options = {"DBF_DATE_LAST_UPDATE": EXTRACT_DATE.isoformat()}
    if resize:
        options["RESIZE"] = "YES"
    return options


def _write_shapefile(frame: pd.DataFrame, path: Path, resize: bool) -> list[Path]:
    pyogrio.write_dataframe(
        frame, path, driver="ESRI Shapefile", encoding="UTF-8", layer_options=_dbf_options(resize)
    )
    stem = path.with_suffix("")
    return [
        p
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")
        if (p := stem.with_suffix(ext)).exists()
    ]


def _write_rasters(mun: SyntheticMunicipality, out_dir: Path, seed: int) -> list[Path]:
    """DHM Vlaanderen II style DSM and DTM GeoTIFFs (1 m, float32, deflate, tiled) in two tiles."""
    import rasterio
    from rasterio.transform import from_origin

    town = mun._town
    if town is None:
        raise ValueError(
            "rasters are only generated for a single town (n_buildings <= SINGLE_TOWN_MAX)"
        )
    rng = np.random.default_rng([seed, 0, 0, _RASTER])
    bounds = np.array(mun.truth.total_bounds)
    if len(town.trees):
        tx, ty, tr = town.trees["x"], town.trees["y"], town.trees["radius"]
        bounds = np.array(
            [
                min(bounds[0], (tx - tr).min()),
                min(bounds[1], (ty - tr).min()),
                max(bounds[2], (tx + tr).max()),
                max(bounds[3], (ty + tr).max()),
            ]
        )
    x0, y0 = math.floor(bounds[0] - 30.0), math.floor(bounds[1] - 30.0)
    x1, y1 = math.ceil(bounds[2] + 30.0), math.ceil(bounds[3] + 30.0)
    width, height = x1 - x0, y1 - y0
    xs = x0 + 0.5 + np.arange(width, dtype=np.float64)
    ys = y1 - 0.5 - np.arange(height, dtype=np.float64)
    ground = _terrain(xs[None, :], ys[:, None], town.terrain)
    roof = np.full((height, width), np.nan)
    ground_ref = town.bld["ground_elevation_m"].to_numpy(dtype=float)
    rf = {c: town.roofs[c].to_numpy(dtype=float) for c in _ROOF_FRAME}
    kinds = town.roofs["roof"].astype(str).to_numpy()
    owner = town.roofs["b"].to_numpy(dtype=np.int64)
    for k in range(len(kinds)):
        ox, oy, ux, uy, vx, vy, w, d, eaves, tan = (float(rf[c][k]) for c in _ROOF_FRAME)
        corners_x = [ox, ox + w * ux, ox + d * vx, ox + w * ux + d * vx]
        corners_y = [oy, oy + w * uy, oy + d * vy, oy + w * uy + d * vy]
        c0, c1 = math.floor(min(corners_x) - x0), math.ceil(max(corners_x) - x0)
        r0, r1 = math.floor(y1 - max(corners_y)), math.ceil(y1 - min(corners_y))
        px, py = np.meshgrid(xs[c0:c1] - ox, ys[r0:r1] - oy)
        a = px * ux + py * uy  # along the façade
        b = px * vx + py * vy  # into the depth
        inside = (a >= 0) & (a <= w) & (b >= 0) & (b <= d)
        if kinds[k] == "flat":
            h = np.full(a.shape, eaves)
        elif kinds[k] == "gable_u":
            h = eaves + tan * np.minimum(b, d - b)
        elif kinds[k] == "gable_v":
            h = eaves + tan * np.minimum(a, w - a)
        else:
            h = eaves + tan * np.minimum(np.minimum(a, w - a), np.minimum(b, d - b))
        window = roof[r0:r1, c0:c1]
        window[inside] = np.fmax(window[inside], ground_ref[owner[k]] + h[inside])
    surface = ground.copy()
    tree = {c: town.trees[c].to_numpy(dtype=float) for c in ("x", "y", "radius", "height")}
    for k in range(len(town.trees)):
        x, y, radius, top = (float(tree[c][k]) for c in ("x", "y", "radius", "height"))
        c0, c1 = math.floor(x - radius - x0), math.ceil(x + radius - x0)
        r0, r1 = math.floor(y1 - y - radius), math.ceil(y1 - y + radius)
        px, py = np.meshgrid(xs[c0:c1] - x, ys[r0:r1] - y)
        dist2 = (px**2 + py**2) / radius**2
        crown = np.where(dist2 < 1.0, top * np.sqrt(np.clip(1.0 - dist2, 0.0, 1.0)), 0.0)
        window = surface[r0:r1, c0:c1]
        np.maximum(window, ground[r0:r1, c0:c1] + crown, out=window)
    dsm = np.where(np.isnan(roof), surface, roof)
    dsm = dsm + rng.normal(0.0, _p("raster.dsm_noise_m"), dsm.shape)
    dtm = ground + rng.normal(0.0, _p("raster.dtm_noise_m"), ground.shape)
    profile = {
        "driver": "GTiff",
        "dtype": "float32",
        "count": 1,
        "height": height,
        "crs": TWIN_CRS,
        "nodata": -9999.0,
        "compress": "deflate",
        "predictor": 3,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    split = width // 2
    written: list[Path] = []
    for model, data in (("DSM", dsm), ("DTM", dtm)):
        for tile, (c0, c1) in zip(RASTER_TILES, ((0, split), (split, width)), strict=True):
            path = out_dir / f"DHMVII{model}RAS1m_{tile}.tif"
            transform = from_origin(x0 + c0, y1, 1.0, 1.0)
            with rasterio.open(path, "w", width=c1 - c0, transform=transform, **profile) as dst:
                dst.write(np.round(data[:, c0:c1], 2).astype(np.float32), 1)
            written.append(path)
    return written


def write_municipality(
    mun: SyntheticMunicipality,
    out_dir: Path,
    seed: int = DEFAULT_SEED,
    with_rasters: bool = True,
    value_style: ValueStyle = "oslo",
) -> dict[str, Path]:
    """Write ``mun`` as register-format files into ``out_dir``; return file name -> path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    resize = not mun.tiled
    written: list[Path] = []
    written += _write_shapefile(
        _style(mun.buildings, ("geommet", "status"), value_style), out_dir / "Gebouw.shp", resize
    )
    written += _write_shapefile(
        _style(mun.units, ("functie", "status", "posgeommet"), value_style),
        out_dir / "Gebouweenheid.shp",
        resize,
    )
    link_path = out_dir / "AdresGebouweenheidKoppeling.dbf"
    pyogrio.write_dataframe(
        mun.links,
        link_path,
        driver="ESRI Shapefile",
        encoding="UTF-8",
        layer_options=_dbf_options(resize),
    )
    written += [p for p in (link_path, link_path.with_suffix(".cpg")) if p.exists()]
    written += _write_shapefile(
        _style(mun.addresses, ("posspec", "posgeommet", "status"), value_style),
        out_dir / "Adres.shp",
        resize,
    )
    if mun.road_segments is not None:
        written += _write_shapefile(mun.road_segments, out_dir / "Wegsegment.shp", resize)
    gpkg = out_dir / "sectoren.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    # a fixed "last change" time stamp keeps the GeoPackage byte-identical between runs
    pyogrio.set_gdal_config_options(
        {"OGR_CURRENT_DATE": f"{EXTRACT_DATE.isoformat()}T00:00:00.000Z"}
    )
    try:
        pyogrio.write_dataframe(
            mun.sectors, gpkg, layer="sectoren", driver="GPKG", promote_to_multi=True
        )
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    written.append(gpkg)
    facts_path = out_dir / "feiten.csv"
    write_csv(mun.facts, facts_path, index=False, lineterminator="\n")
    written.append(facts_path)
    if with_rasters:
        written += _write_rasters(mun, out_dir, seed)
    return {p.name: p for p in written}


def generate_municipality(
    out_dir: Path,
    seed: int = DEFAULT_SEED,
    n_buildings: int | None = None,
    with_rasters: bool = True,
    value_style: ValueStyle = "oslo",
) -> dict[str, Path]:
    """Generate the synthetic municipality and write it as the files a municipality downloads.

    Parameters
    ----------
    out_dir : Path
        Folder to write into (created if needed; files of the same name are replaced).
    seed : int
        Seed: the same seed and size give byte-identical files.
    n_buildings : int, optional
        Residential buildings (default 3,000). Above :data:`SINGLE_TOWN_MAX` the town pattern
        is tiled, which requires ``with_rasters=False``.
    with_rasters : bool
        Write the DSM and DTM GeoTIFFs (two tiles each).
    value_style : {"oslo", "extract"}
        Code-list spelling of statuses, methods and unit functions (see module notes).

    Returns
    -------
    dict of str to Path
        Every file written, by file name (``"Gebouw.shp"``, ``"Gebouw.dbf"``, ...,
        ``"feiten.csv"``, ``"DHMVIIDSMRAS1m_k12.tif"``, ...).

    Raises
    ------
    ValueError
        If rasters are asked for a tiled (benchmark-size) municipality, or ``n_buildings`` < 50.
    """
    n = DEFAULT_RESIDENTIAL_BUILDINGS if n_buildings is None else int(n_buildings)
    if with_rasters and n > SINGLE_TOWN_MAX:
        raise ValueError(
            f"rasters are generated only up to {SINGLE_TOWN_MAX} buildings; "
            f"pass with_rasters=False for n_buildings={n}"
        )
    mun = build_municipality(seed, n)
    return write_municipality(mun, Path(out_dir), seed, with_rasters, value_style)
