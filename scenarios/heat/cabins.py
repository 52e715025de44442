"""Distribution cabins: read them, link each building to one, and see which overload in which year.

A distribution cabin (MV/LV substation, *distributiecabine*) is a point with the rated power of
its transformer in kVA. The study asks, per cabin and scenario year, whether the design-day peak
of the dwellings it feeds -- heat pumps after diversity plus the existing household peak after
diversity (``scenarios.heat.gridload``) -- stays below what the transformer delivers in kW,
``capacity_kva`` × power factor.

File format (:func:`read_cabins`): a point layer (GeoPackage, Shapefile, GeoJSON) with

* ``cabin_id``: the cabin's id (text, unique);
* ``capacity_kva``: rated power of the transformer [kVA], > 0.

Other field names are matched case-insensitively from :data:`ID_FIELDS` and
:data:`CAPACITY_FIELDS`, or given with ``id_field=`` / ``capacity_field=``. No open-data schema
of Fluvius' distribution cabins was found in this project (Fluvius does not appear to publish
cabin capacities openly), so the aliases are the plain Dutch names a network operator's extract
is likely to use, not a published schema. The CRS must be metric: EPSG:31370 as is, another
projected CRS in metres (EPSG:3812, Lambert 2008) is reprojected, a geographic CRS (degrees) or
none is refused with what to do, and so are cabins outside Belgium
(:func:`buildings.io.read_point_layer`, shared with the heat sources).

Without a cabin file the demo town gets :func:`synthetic_cabins`: cabins at the centroids of
groups of about ``synthetic_cabin_dwellings`` nearby dwellings (a deterministic k-means: start
points spread along a Morton (Z-order) curve, then Lloyd iterations), each with the smallest of
the sizes 250/400/630 kVA (several 630 kVA transformers where one is not enough) that carries
today's load -- household peak plus today's electric heating, both after diversity -- at
``synthetic_cabin_design_loading`` (``scenarios/data/grid_load.csv``; PROJECT ASSUMPTIONS).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from buildings.errors import Problems, SourceFileError
from buildings.io import find_field, listing, read_point_layer, source_error
from scenarios.heat.gridload import (
    GridLoadParameters,
    coincidence_factor,
    household_peak_kw,
    zone_peak,
)

#: The CRS of everything in the study.
CABIN_CRS = "EPSG:31370"
#: Field names accepted for the cabin id (case-insensitive), first match wins.
ID_FIELDS: tuple[str, ...] = ("cabin_id", "cabine_id", "cabinenummer", "cabinenr", "cabine", "id")
#: Field names accepted for the rated power [kVA] (case-insensitive), first match wins.
CAPACITY_FIELDS: tuple[str, ...] = (
    "capacity_kva",
    "capaciteit_kva",
    "vermogen_kva",
    "transfo_kva",
    "nominaal_vermogen_kva",
    "kva",
)
#: Columns of :func:`read_cabins` and :func:`synthetic_cabins` (plus ``geometry``).
CABIN_COLUMNS: tuple[str, ...] = ("cabin_id", "capacity_kva")
#: Columns of :func:`cabin_loading`.
CABIN_LOADING_COLUMNS: tuple[str, ...] = (
    "cabin_id",
    "year",
    "n_dwellings",
    "n_electrified",
    "hp_peak_kw",
    "household_peak_kw",
    "peak_kw",
    "capacity_kva",
    "loading_share",
    "overloaded",
    "first_overload_year",
)
#: Layer name of :func:`write_cabins` in a GeoPackage.
CABIN_LAYER = "cabines"


def _ids_text(ids: Sequence[object] | NDArray[Any], limit: int = 10) -> str:
    """The first ``limit`` ids joined, with how many more there are."""
    return listing(list(ids), limit=limit)


def _find_field(fields: list[str], wanted: tuple[str, ...]) -> str | None:
    """The first of ``wanted`` among ``fields`` (:func:`buildings.io.find_field`: any case, a
    Shapefile name cut to 10 characters)."""
    return next((f for name in wanted if (f := find_field(fields, name)) is not None), None)


def read_cabins(
    path: str | Path,
    layer: str | None = None,
    id_field: str | None = None,
    capacity_field: str | None = None,
) -> gpd.GeoDataFrame:
    """Read distribution cabins: points with an id and a rated power in kVA.

    Parameters
    ----------
    path : str or Path
        Point layer (GeoPackage, Shapefile, GeoJSON).
    layer : str, optional
        Layer to read when the file holds several.
    id_field, capacity_field : str, optional
        Field names of the id and the rated power [kVA]; default the first of
        :data:`ID_FIELDS` / :data:`CAPACITY_FIELDS` the file has.

    Returns
    -------
    GeoDataFrame
        ``cabin_id`` (str), ``capacity_kva`` (float), Point geometries in EPSG:31370, in the
        file's order.

    Raises
    ------
    SourceFileError
        With a Dutch message naming the file and the cabins (or rows) at fault: file missing or
        unreadable, no id or capacity field, geometries that are not points, no or a
        geographic CRS, coordinates that look like degrees, cabins outside Belgium (none in
        Belgium: the file's CRS is wrong), cabins without an id, duplicate ids, cabins without
        a capacity
        (missing, zero, negative or not a number). Every problem is listed at once and nothing
        is returned half-read.
    """
    p = Path(path)
    points = read_point_layer(
        p,
        layer,
        f"cabinebestand {p}",
        noun="cabines",
        why_metres="afstanden tot de cabines vragen meters",
        point_rule="cabines zijn punten",
        id_fields=(id_field,) if id_field else ID_FIELDS,
    )
    gdf, fields, problems = points.table, points.fields, points.problems
    id_col = points.id_field
    cap_col = _find_field(fields, (capacity_field,) if capacity_field else CAPACITY_FIELDS)
    found = ", ".join(fields) or "geen"
    if id_col is None:
        problems.add(
            id_field or "cabin_id",
            f"veld met het cabinenummer ontbreekt (gevonden velden: {found}); noem het "
            f"{' of '.join((id_field,) if id_field else ID_FIELDS[:3])}",
        )
    if cap_col is None:
        problems.add(
            capacity_field or "capacity_kva",
            f"veld met het vermogen in kVA ontbreekt (gevonden velden: {found}); noem het "
            f"{' of '.join((capacity_field,) if capacity_field else CAPACITY_FIELDS[:3])}",
        )
    if id_col is None or cap_col is None:  # nothing more can be checked without them
        problems.raise_if_any(SourceFileError)
    id_col, cap_col = str(id_col), str(cap_col)
    ids, no_id, label = points.ids, points.no_id, points.labels
    if no_id.any():
        problems.add(id_col, "cabines zonder nummer", np.flatnonzero(no_id))
    dup = ids.duplicated(keep=False).to_numpy() & ~no_id
    if dup.any():
        problems.add(
            id_col,
            f"cabinenummers komen meer dan eens voor: {_ids_text(sorted(set(ids[dup])))}; "
            "elk nummer mag maar één keer voorkomen",
            np.flatnonzero(dup),
        )
    cap = pd.to_numeric(gdf[cap_col], errors="coerce").to_numpy(np.float64)
    no_cap = ~(np.isfinite(cap) & (cap > 0.0))
    if no_cap.any():
        problems.add(
            cap_col,
            f"cabines zonder (geldig) vermogen -- ontbrekend, nul, negatief of geen getal: "
            f"{_ids_text(label[no_cap])}; vul het vermogen van de transformator in kVA in",
            np.flatnonzero(no_cap),
        )
    problems.raise_if_any(SourceFileError)
    return gpd.GeoDataFrame(
        {"cabin_id": ids.astype(str).to_numpy(), "capacity_kva": cap},
        geometry=gpd.GeoSeries(points.geometry, crs=CABIN_CRS),
        crs=CABIN_CRS,
    )


def write_cabins(cabins: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write cabins (``cabin_id``, ``capacity_kva``, points) as a GeoPackage (layer
    :data:`CABIN_LAYER`) or, for a ``.shp`` path, a Shapefile (whose field names are cut at 10
    characters: ``capacity_kva`` is written as ``kva``, which :func:`read_cabins` reads);
    returns the path."""
    p = Path(path)
    out = cabins[[*CABIN_COLUMNS, cabins.geometry.name]]
    if p.suffix.lower() == ".shp":
        out = out.rename(columns={"capacity_kva": "kva"})
        out.to_file(p, driver="ESRI Shapefile", engine="pyogrio")
    else:
        out.to_file(p, layer=CABIN_LAYER, driver="GPKG", engine="pyogrio")
    return p


def assign_cabins(
    x: ArrayLike,
    y: ArrayLike,
    cabins: gpd.GeoDataFrame,
    link: pd.DataFrame | None = None,
    building_id: ArrayLike | None = None,
) -> NDArray[np.int64]:
    """Index (row of ``cabins``) of the cabin that feeds each building.

    Without ``link``: the nearest cabin (straight-line distance in EPSG:31370; shapely's
    ``STRtree.query_nearest``, vectorised). With ``link`` (columns ``building_id``,
    ``cabin_id``, e.g. the network operator's connection register): the linked cabin.

    Parameters
    ----------
    x, y : array_like, shape (B,)
        Building centroids [m], EPSG:31370.
    cabins : GeoDataFrame
        :func:`read_cabins` or :func:`synthetic_cabins`.
    link : DataFrame, optional
        ``building_id`` → ``cabin_id``.
    building_id : array_like of str, shape (B,), optional
        The buildings' ids; needed with ``link``.

    Raises
    ------
    SourceFileError
        No cabins; a link naming cabins that do not exist, buildings missing from the link or
        linked to two cabins (ids listed).
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    what = "koppeling gebouwen-cabines"
    if len(cabins) == 0:
        raise source_error(what, "cabins", "er zijn geen cabines om gebouwen aan te koppelen")
    if link is None:
        if len(xs) == 0:
            return np.zeros(0, dtype=np.int64)
        # the rows are (dwelling, year) pairs and buildings do not move: query each distinct
        # point once and give every row its point's cabin
        xy, row_point = np.unique(np.column_stack([xs, ys]), axis=0, return_inverse=True)
        tree = shapely.STRtree(cabins.geometry.to_numpy())
        pairs = tree.query_nearest(shapely.points(xy[:, 0], xy[:, 1]), all_matches=False)
        nearest = np.empty(len(xy), dtype=np.int64)
        nearest[pairs[0]] = pairs[1]
        return nearest[row_point.reshape(-1)]
    problems = Problems(what)
    for col in ("building_id", "cabin_id"):
        if col not in link.columns:
            problems.add(col, "kolom ontbreekt in de koppeltabel (building_id, cabin_id)")
    if building_id is None:
        problems.add("building_id", "de gebouwnummers zijn nodig om de koppeltabel te gebruiken")
    problems.raise_if_any(SourceFileError)
    bid = pd.Series(np.asarray(building_id), dtype="string")
    lk = pd.DataFrame(
        {
            "building_id": link["building_id"].astype("string"),
            "cabin_id": link["cabin_id"].astype("string"),
        }
    ).drop_duplicates()
    cab_index = pd.Series(np.arange(len(cabins)), index=pd.Index(cabins["cabin_id"].astype(str)))
    unknown = sorted(set(lk["cabin_id"].dropna()) - set(cab_index.index))
    if unknown:
        problems.add(
            "cabin_id",
            f"de koppeltabel noemt cabines die niet in het cabinebestand staan: "
            f"{_ids_text(unknown)}; voeg ze toe of verbeter de nummers",
        )
    twice = lk["building_id"][lk["building_id"].duplicated()].unique()
    if len(twice):
        problems.add(
            "building_id",
            f"gebouwen aan twee of meer cabines gekoppeld: {_ids_text(sorted(twice))}; "
            "geef per gebouw één cabine",
        )
    mapping = lk.drop_duplicates("building_id").set_index("building_id")["cabin_id"]
    cab = bid.map(mapping)
    missing = cab.isna().to_numpy()
    if missing.any():
        problems.add(
            "building_id",
            f"gebouwen zonder cabine in de koppeltabel: "
            f"{_ids_text(list(dict.fromkeys(bid[missing].tolist())))}; "
            "vul de koppeltabel aan (of laat ze weg om elk gebouw aan de dichtste cabine te koppelen)",
            np.flatnonzero(missing),
        )
    problems.raise_if_any(SourceFileError)
    return cab.map(cab_index).to_numpy(np.int64)


def cabin_loading(
    cabin_of_dwelling: ArrayLike,
    dwellings: pd.DataFrame,
    cabins: gpd.GeoDataFrame,
    power_factor: float | None = None,
    params: GridLoadParameters | None = None,
    peak_w: ArrayLike | None = None,
) -> pd.DataFrame:
    """Design-day loading of every cabin in every year of ``dwellings``.

    Parameters
    ----------
    cabin_of_dwelling : array_like of int, shape (len(dwellings),)
        Row of ``cabins`` feeding each ROW of ``dwellings`` (:func:`assign_cabins` of the row's
        building).
    dwellings : DataFrame
        Rows of ``scenarios.heat.demand`` (one or many years).
    cabins : GeoDataFrame
        ``cabin_id``, ``capacity_kva``.
    power_factor : float, optional
        cos φ at peak [-]; default ``power_factor`` of ``scenarios/data/grid_load.csv``.
    params : GridLoadParameters, optional
        Default the shipped data file.
    peak_w : array_like, shape (len(dwellings),), optional
        The rows' electrical peaks [W] when already computed
        (:func:`scenarios.heat.gridload.dwelling_electric_peak_w` with the same ``params``);
        computed here without it.

    Returns
    -------
    DataFrame
        :data:`CABIN_LOADING_COLUMNS`, one row per cabin and year: ``hp_peak_kw`` (heating
        electrification after diversity by the cabin's electrified dwellings),
        ``household_peak_kw`` (existing peak after diversity by its dwellings), ``peak_kw``
        their sum, ``loading_share`` = ``peak_kw`` / (``capacity_kva`` × power factor),
        ``overloaded`` (share > 1), ``first_overload_year`` (the cabin's first overloaded year,
        <NA> when never).
    """
    p = GridLoadParameters.default() if params is None else params
    pf = p.power_factor if power_factor is None else float(power_factor)
    if not 0.0 < pf <= 1.0:
        raise source_error("cabinebelasting", "power_factor", f"{pf} ligt niet in (0, 1]")
    z = zone_peak(cabin_of_dwelling, dwellings, len(cabins), params=p, peak_w=peak_w)
    cap = cabins["capacity_kva"].to_numpy(np.float64)[z["zone"].to_numpy()]
    total = z["peak_kw"].to_numpy() + z["household_peak_kw"].to_numpy()
    share = total / (cap * pf)
    out = pd.DataFrame(
        {
            "cabin_id": cabins["cabin_id"].astype(str).to_numpy()[z["zone"].to_numpy()],
            "year": z["year"].to_numpy(),
            "n_dwellings": z["n_dwellings"].to_numpy(),
            "n_electrified": z["n_electrified"].to_numpy(),
            "hp_peak_kw": z["peak_kw"].to_numpy(),
            "household_peak_kw": z["household_peak_kw"].to_numpy(),
            "peak_kw": total,
            "capacity_kva": cap,
            "loading_share": share,
            "overloaded": share > 1.0,
        }
    )
    first = out.loc[out["overloaded"]].groupby("cabin_id")["year"].min()
    out["first_overload_year"] = out["cabin_id"].map(first).astype("Int64")
    return out.sort_values(["cabin_id", "year"], kind="stable").reset_index(drop=True)[
        list(CABIN_LOADING_COLUMNS)
    ]


def _morton(ix: NDArray[np.int64], iy: NDArray[np.int64]) -> NDArray[np.int64]:
    """Z-order key of 16-bit cell indices (bits of x and y interleaved)."""
    key = np.zeros(len(ix), dtype=np.int64)
    for b in range(16):
        key |= ((ix >> b) & 1) << (2 * b)
        key |= ((iy >> b) & 1) << (2 * b + 1)
    return key


def synthetic_cabins(
    x: ArrayLike,
    y: ArrayLike,
    dwellings_per_cabin: int | None = None,
    kva: tuple[float, ...] | None = None,
    params: GridLoadParameters | None = None,
    iterations: int = 25,
    today_peak_w: ArrayLike | None = None,
) -> gpd.GeoDataFrame:
    """Plausible distribution cabins for a town without a cabin file (the demo town).

    Deterministic: k = ⌈N / ``dwellings_per_cabin``⌉ groups of nearby dwellings by k-means
    (start points every N/k-th dwelling along a Morton curve over the town, then ``iterations``
    Lloyd steps); one cabin at each group's centroid, rated for the load it carries today: the
    group's household peak after diversity plus, with ``today_peak_w``, today's electric
    heating after diversity (``scenarios.heat.gridload``), at ``synthetic_cabin_design_loading``
    of its kVA × power factor. It gets the smallest of ``kva`` that carries that; where even the
    largest does not, as many of the largest as needed (a cabin with several transformers). So
    no synthetic cabin is overloaded today, as a network operator would have built it. A
    stand-in, said so in the study's report: real cabins come from the network operator.

    Parameters
    ----------
    x, y : array_like, shape (N,)
        One point per dwelling (a building with several dwellings repeats its centroid) [m].
    dwellings_per_cabin : int, optional
        Default ``synthetic_cabin_dwellings`` of ``scenarios/data/grid_load.csv``.
    kva : tuple of float, optional
        Transformer sizes to choose from [kVA]; default 250, 400, 630 (the data file).
    params : GridLoadParameters, optional
        Default the shipped data file.
    iterations : int
        Lloyd iterations.
    today_peak_w : array_like, shape (N,), optional
        Each dwelling's electrical heating peak today [W] (:func:`dwelling_electric_peak_w` of
        today's rows); without it only the household peak sizes the cabins.

    Returns
    -------
    GeoDataFrame
        ``cabin_id`` (``cab_0001`` …, west to east), ``capacity_kva``, points in EPSG:31370.
    """
    p = GridLoadParameters.default() if params is None else params
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    per = int(p.synthetic_cabin_dwellings if dwellings_per_cabin is None else dwellings_per_cabin)
    sizes = np.sort(
        np.asarray(
            (p.synthetic_cabin_kva_small, p.synthetic_cabin_kva_medium, p.synthetic_cabin_kva_large)
            if kva is None
            else kva,
            dtype=np.float64,
        )
    )
    n = len(xs)
    if n == 0 or per < 1:
        raise source_error(
            "synthetische cabines", "x", "geen woningen of dwellings_per_cabin < 1: geen cabines"
        )
    k = max(1, int(np.ceil(n / per)))
    pts = np.column_stack([xs, ys])
    span = max(np.ptp(xs), np.ptp(ys), 1.0)
    ix = ((xs - xs.min()) / span * 65535).astype(np.int64)
    iy = ((ys - ys.min()) / span * 65535).astype(np.int64)
    order = np.lexsort((ys, xs, _morton(ix, iy)))
    centres = pts[order[((np.arange(k) + 0.5) * n / k).astype(np.int64)]]
    label = np.zeros(n, dtype=np.int64)
    for _ in range(iterations):
        label = cKDTree(centres).query(pts)[1].astype(np.int64)
        count = np.bincount(label, minlength=len(centres)).astype(np.float64)
        keep = count > 0
        cx = np.bincount(label, weights=xs, minlength=len(centres))
        cy = np.bincount(label, weights=ys, minlength=len(centres))
        new = np.column_stack([cx[keep] / count[keep], cy[keep] / count[keep]])
        if new.shape == centres.shape and np.allclose(new, centres, atol=1e-6, rtol=0.0):
            centres = new
            break
        centres = new
    label = cKDTree(centres).query(pts)[1].astype(np.int64)
    members = np.bincount(label, minlength=len(centres))
    used = members > 0
    need_kw = household_peak_kw(members, p)
    if today_peak_w is not None:
        pw = np.asarray(today_peak_w, dtype=np.float64)
        if pw.shape != (n,) or not (np.isfinite(pw) & (pw >= 0.0)).all():
            raise source_error(
                "synthetische cabines",
                "today_peak_w",
                f"verwacht één piek ≥ 0 W per woning ({n}); gekregen vorm {pw.shape}",
            )
        n_el = np.bincount(label, weights=(pw > 0.0).astype(np.float64), minlength=len(centres))
        hp_kw = np.bincount(label, weights=pw, minlength=len(centres)) / 1000.0
        need_kw = need_kw + hp_kw * coincidence_factor(n_el, p.hp_coincidence_inf)
    need_kva = (need_kw / (p.power_factor * p.synthetic_cabin_design_loading))[used]
    centres = centres[used]
    pick = np.searchsorted(sizes, need_kva, side="left")
    largest = sizes[-1]
    cap = np.where(
        pick < len(sizes),
        sizes[np.minimum(pick, len(sizes) - 1)],
        largest * np.ceil(need_kva / largest),
    )
    west_east = np.lexsort((centres[:, 1], centres[:, 0]))
    centres, cap = centres[west_east], cap[west_east]
    return gpd.GeoDataFrame(
        {
            "cabin_id": [f"cab_{i + 1:04d}" for i in range(len(centres))],
            "capacity_kva": cap,
        },
        geometry=gpd.GeoSeries(shapely.points(centres[:, 0], centres[:, 1]), crs=CABIN_CRS),
        crs=CABIN_CRS,
    )


__all__ = [
    "CABIN_COLUMNS",
    "CABIN_CRS",
    "CABIN_LAYER",
    "CABIN_LOADING_COLUMNS",
    "CAPACITY_FIELDS",
    "ID_FIELDS",
    "assign_cabins",
    "cabin_loading",
    "read_cabins",
    "synthetic_cabins",
    "write_cabins",
]
