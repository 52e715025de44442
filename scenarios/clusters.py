"""Collective renovation clusters: groups of neighbouring dwellings that one project can serve.

A *cluster* is what a municipality can run as one collective renovation project or one
*wijkverbeteringscontract*: a street, a block or a contiguous group of tens of dwellings that
need the same package of measures, so that one tender, one contractor and one scaffold round
serve them all. Construction periods may be mixed; the package decides.

Method
------
1. **Buildings.** The twin has one row per dwelling; its rows are grouped by ``building_id``
   into one row per building (footprint, dwellings, construction year, kind, mean U-values).
2. **Package.** Every dwelling follows the collective package (:data:`ENVELOPE_ORDER` by default)
   through :func:`scenarios.trajectory.stappenplan` at the collective (group-purchase) prices;
   the measures that apply to it are its package. A building's package is the union over its
   dwellings (an apartment building is renovated as one). A building where nothing applies is
   in no cluster.
3. **Neighbours.** Two buildings are neighbours when their footprints lie at most
   ``max_gap_m`` apart (:data:`MAX_GAP_M`; a party wall is a gap of 0): the houses of one street
   side, a terrace, a block. The edge is kept when both buildings need the same package.
4. **Groups.** Connected components of the kept edges
   (:func:`scipy.sparse.csgraph.connected_components`). A group with more than
   ``max_dwellings`` dwellings is cut into parts along its longer extent (recursive bisection at
   the dwelling-weighted median of the building centroids) until each part fits: a project a
   contractor can tender. Groups or parts of at least ``min_dwellings`` dwellings are clusters.
5. **Economics.** Per cluster the investments, premiums, the annual CO2 and energy-cost saving
   (now minus after the dwelling's last step) and the number of dwellings that reach the goal
   label (the policy's long-term goal, ``long_term_goal``).
6. **Ranking.** ``rank`` by ``co2_saved_kg_per_eur`` (annual kg CO2 saved per euro invested,
   gross of premiums) descending, then ``n_dwellings`` descending, then ``cluster_id``;
   ``rank_goal`` by ``n_dwellings_goal`` descending, then the same keys.

Everything is vectorised over buildings and dwellings; the per-group work is pandas
``groupby``, the bisection of the few oversized groups and the footprint union per cluster.

Identifiers
-----------
``cluster_id`` is ``"cl_"`` + the smallest ``building_id`` (string order) of the cluster: the same
buildings give the same id whatever the year, prices or row order, so a cluster can be followed
from one run to the next. ``rank`` (1..K) is its place in the ranking of this run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from scenarios.catalogue import Catalogue, load_catalogue
from scenarios.policy import Policy, load_policy
from scenarios.trajectory import stappenplan
from sim.archetypes import archetype_table
from sim.errors import Problems
from sim.labels import LABELS
from sim.stock import DWELLING_COLUMNS

#: Order of the collective envelope package: roof first (cheapest kWh saved), cavity fill before
#: exterior insulation (which then applies only where the fill did not reach U ≤ 0.6), floor,
#: then glazing -- the envelope part of :data:`scenarios.trajectory.DEFAULT_ORDER`. Installations
#: (heat pump, PV) are individual choices and stay out of a collective envelope contract.
ENVELOPE_ORDER: tuple[str, ...] = (
    "roof_insulation",
    "cavity_wall_fill",
    "exterior_wall_insulation",
    "floor_insulation",
    "glazing_hr",
)
#: Largest gap between the footprints of two neighbouring buildings of one project [m].
#: Rationale (project assumption, range 10-30 m): the side gap between detached houses of one
#: street side is about 6-12 m (side yards of 3-6 m), terraces and semi-detached pairs touch
#: (gap 0); 20 m links a street side and the buildings of a block, and usually not the other
#: side of a street (road 8-12 m plus two front yards of 5-9 m).
MAX_GAP_M: float = 20.0
#: Smallest cluster [dwellings]. Rationale (project assumption, range 5-20): a collective
#: renovation or a wijkverbeteringscontract works at the scale of a street or a block,
#: typically tens of dwellings (issue 10); below ten a group purchase saves little on
#: scaffolding, tendering and guidance.
MIN_DWELLINGS: int = 10
#: Largest cluster [dwellings]. Rationale (project assumption, range 30-150): one tender for one
#: contractor and one guidance trajectory; bigger contiguous groups are cut into such parts.
MAX_DWELLINGS: int = 60
#: Kinds of building (``building_table``).
KINDS: tuple[str, ...] = ("house", "apartment")

#: Columns of the per-building table of :func:`building_table` (plus ``geometry``).
BUILDING_COLUMNS: tuple[str, ...] = (
    "building_id",
    "n_dwellings",
    "sector_id",
    "sector_name",
    "attachment",
    "kind",
    "construction_year",
    "period",
    "u_wall_w_m2k",
    "u_roof_w_m2k",
)
#: CRS of the twin (EPSG:31370, Belgian Lambert 72; ``docs/twin_schema.md``).
TWIN_CRS = "EPSG:31370"
#: Columns of the neighbour graph of :func:`neighbour_graph`.
EDGE_COLUMNS: tuple[str, ...] = ("i", "j", "gap_m")
#: Columns of the cluster table of :func:`find_clusters` (plus ``geometry``).
CLUSTER_COLUMNS: tuple[str, ...] = (
    "rank",
    "cluster_id",
    "n_buildings",
    "n_dwellings",
    "n_dwellings_renovated",
    "n_dwellings_goal",
    "goal_label",
    "rank_goal",
    "package",
    "sector_id",
    "sector_name",
    "kind",
    "attachment",
    "construction_year_min",
    "construction_year_max",
    "u_wall_w_m2k",
    "u_roof_w_m2k",
    "investment_eur",
    "premium_eur",
    "net_investment_eur",
    "co2_saved_t_per_year",
    "energy_cost_saving_eur",
    "co2_saved_kg_per_eur",
    "footprint_area_m2",
)
#: Columns of the per-building membership table of :func:`find_clusters`.
MEMBERSHIP_COLUMNS: tuple[str, ...] = (
    "building_id",
    "cluster_id",
    "package",
    "group_dwellings",
    "n_dwellings",
    "sector_id",
    "kind",
    "period",
    "u_wall_w_m2k",
    "u_roof_w_m2k",
)
#: Twin columns this module needs besides the core's inputs (``sim.stock.DWELLING_COLUMNS``).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "dwelling_id",
    "building_id",
    "sector_id",
    "attachment",
    "construction_year",
)


@dataclass(frozen=True)
class ClusterResult:
    """What :func:`find_clusters` found.

    Attributes
    ----------
    clusters : GeoDataFrame
        One row per cluster, :data:`CLUSTER_COLUMNS` and ``geometry`` (union of the member
        footprints, EPSG:31370), sorted by ``rank``.
    membership : DataFrame
        One row per building of the twin, :data:`MEMBERSHIP_COLUMNS`; ``cluster_id`` is missing
        (``<NA>``) for buildings in no cluster; ``package`` is the building's package (measure
        ids joined by ``+``, empty when nothing applies) and ``group_dwellings`` the dwellings of
        its group of neighbours with the same package (before a cut into parts; below
        ``min_dwellings`` for a building in no cluster).
    edges : DataFrame
        The neighbour graph (:data:`EDGE_COLUMNS`, positions in ``membership``) with a boolean
        column ``similar``: both buildings need the same (non-empty) package.
    """

    clusters: gpd.GeoDataFrame
    membership: pd.DataFrame
    edges: pd.DataFrame


# --------------------------------------------------------------------------------------------
# Construction periods
# --------------------------------------------------------------------------------------------


def construction_periods() -> pd.DataFrame:
    """The construction periods of the TABULA-BE archetypes (``sim/data/archetypes_be.csv``).

    Returns
    -------
    DataFrame
        ``period`` (``BE.01`` ...), ``year_from``, ``year_to`` (inclusive [year]; 9999 = open end)
        and ``period_years`` (``"-1945"``, ``"1946-1970"``, ..., ``"2012-"``), sorted by year.

    Examples
    --------
    >>> list(construction_periods()["period_years"])
    ['-1945', '1946-1970', '1971-1990', '1991-2005', '2006-2011', '2012-']
    """
    t = archetype_table()[["period", "year_from", "year_to"]]
    t = t.drop_duplicates("period").sort_values("year_from").reset_index(drop=True)
    start = np.where(t["year_from"] <= 0, "", t["year_from"].astype(str))
    end = np.where(t["year_to"] >= 9999, "", t["year_to"].astype(str))
    t["period_years"] = [f"{a}-{b}" for a, b in zip(start, end, strict=True)]
    return t


def construction_period(construction_year: Any) -> NDArray[np.object_]:
    """The TABULA-BE period code of each construction year; ``None`` where the year is unknown.

    Parameters
    ----------
    construction_year : array_like of float
        Construction year [year]; NaN for unknown.

    Returns
    -------
    ndarray of object
        ``"BE.01"`` ... ``"BE.06"`` or ``None``.

    Examples
    --------
    >>> list(construction_period([1930, 1946, 1970.0, 2020, float("nan")]))
    ['BE.01', 'BE.02', 'BE.02', 'BE.06', None]
    """
    t = construction_periods()
    year = np.floor(np.asarray(construction_year, dtype=np.float64))
    idx = np.searchsorted(t["year_to"].to_numpy(dtype=np.float64), year, side="left")
    ok = np.isfinite(year) & (idx < len(t)) & (year >= t["year_from"].iloc[0])
    codes = np.asarray(t["period"], dtype=object)
    out = np.full(year.shape, None, dtype=object)
    out[ok] = codes[idx[ok]]
    return out


# --------------------------------------------------------------------------------------------
# Buildings and the party-wall graph
# --------------------------------------------------------------------------------------------


def _check_twin(twin: Any, what: str) -> None:
    """Every problem of the twin rows at once (:class:`InputError`), before anything is computed."""
    problems = Problems(what)
    if not isinstance(twin, gpd.GeoDataFrame) or twin._geometry_column_name not in twin.columns:
        problems.add(
            "geometry",
            "ontbreekt: geef de tweeling als GeoDataFrame met de grondvlakken "
            "(twin.parquet van `wijk twin build` of `wijk twin demo`)",
        )
        problems.raise_if_any()
    missing = [c for c in (*REQUIRED_COLUMNS, *DWELLING_COLUMNS) if c not in twin.columns]
    if missing:
        problems.add(
            ", ".join(missing),
            "kolom(men) ontbreken; bouw de tweeling opnieuw met `wijk twin build` "
            "(schema in docs/twin_schema.md)",
        )
    if twin.crs is None:
        problems.add(
            "geometry",
            "heeft geen coördinatenstelsel; zet het op EPSG:31370 (Lambert 72)",
        )
    elif CRS.from_user_input(twin.crs).is_geographic:
        problems.add(
            "geometry",
            f"staat in het geografische stelsel {CRS.from_user_input(twin.crs).name} (graden); "
            "muurlengtes vragen meters: zet de tweeling om naar EPSG:31370",
        )
    geoms = np.asarray(twin.geometry.array, dtype=object)
    type_id = shapely.get_type_id(geoms)
    bad = np.flatnonzero((type_id != 3) & (type_id != 6) | shapely.is_empty(geoms))
    if bad.size:
        problems.add(
            "geometry",
            "ontbreekt, is leeg of is geen (Multi)Polygon; elke woning heeft het grondvlak van "
            "haar gebouw nodig",
            bad,
        )
    if "building_id" in twin.columns:
        no_id = np.flatnonzero(twin["building_id"].isna().to_numpy())
        if no_id.size:
            problems.add("building_id", "ontbreekt; elke woning hoort bij een gebouw", no_id)
    if "dwelling_id" in twin.columns:
        dup = np.flatnonzero(twin["dwelling_id"].duplicated(keep=False).to_numpy())
        if dup.size:
            problems.add(
                "dwelling_id", "komt meer dan eens voor; woning-ids moeten uniek zijn", dup
            )
    problems.raise_if_any()


def _metric(twin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``twin`` in EPSG:31370 (reprojected from another projected CRS such as EPSG:3812)."""
    if CRS.from_user_input(twin.crs).to_epsg(min_confidence=70) == 31370:
        return twin
    return twin.to_crs(TWIN_CRS)


def building_table(twin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per building of the twin (its dwellings grouped by ``building_id``).

    Parameters
    ----------
    twin : GeoDataFrame
        Twin rows (``docs/twin_schema.md``), one per dwelling, in a projected CRS.

    Returns
    -------
    GeoDataFrame
        :data:`BUILDING_COLUMNS` and ``geometry`` (the footprint), in EPSG:31370, sorted by
        ``building_id``: ``n_dwellings`` — rows of the building; ``sector_id``,
        ``sector_name``, ``attachment`` — of its first row; ``kind`` — ``apartment`` when the
        building has several dwellings or its attachment is ``apartment``, else ``house``;
        ``construction_year`` — median of its rows [year]; ``period`` — TABULA-BE period code
        (:func:`construction_period`); ``u_wall_w_m2k``, ``u_roof_w_m2k`` — mean over its
        dwellings [W/(m²·K)] (NaN when one is unknown).

    Notes
    -----
    The twin gives every dwelling of a building the building's footprint. Where the rows of a
    building do not carry the same footprint, their union is used.
    """
    _check_twin(twin, f"tweeling ({len(twin)} woningen)")
    twin = _metric(twin)
    bid = twin["building_id"].astype(str).to_numpy()
    codes, uniques = pd.factorize(bid, sort=True)
    n_b = len(uniques)
    _, first = np.unique(codes, return_index=True)
    counts = np.bincount(codes, minlength=n_b)
    geoms = np.asarray(twin.geometry.array, dtype=object)
    footprint = geoms[first].copy()
    differs = ~shapely.equals_exact(geoms, footprint[codes], tolerance=0.0)
    if differs.any():  # rare: rows of one building with different footprints -> their union
        odd = np.unique(codes[differs])
        rows = np.isin(codes, odd)
        union = gpd.GeoDataFrame({"b": codes[rows]}, geometry=geoms[rows]).dissolve(by="b")
        footprint[union.index.to_numpy()] = np.asarray(union.geometry.array, dtype=object)

    def mean_of(col: str) -> NDArray[np.float64]:
        v = pd.to_numeric(twin[col], errors="coerce").to_numpy(dtype=np.float64)
        return np.bincount(codes, weights=v, minlength=n_b) / counts  # NaN stays NaN

    attachment = twin["attachment"].astype(str).to_numpy()[first]
    is_apartment = (attachment == "apartment") | (counts > 1)
    year = (
        pd.to_numeric(twin["construction_year"], errors="coerce")
        .groupby(codes)
        .median()
        .to_numpy(dtype=np.float64)
    )
    sector = twin["sector_id"].astype(object).where(twin["sector_id"].notna(), "")
    name = (
        twin["sector_name"].astype(object).where(twin["sector_name"].notna(), "")
        if "sector_name" in twin.columns
        else pd.Series("", index=twin.index, dtype=object)
    )
    out = gpd.GeoDataFrame(
        {
            "building_id": np.asarray(uniques, dtype=object),
            "n_dwellings": counts.astype(np.int64),
            "sector_id": sector.astype(str).to_numpy()[first],
            "sector_name": name.astype(str).to_numpy()[first],
            "attachment": attachment,
            "kind": np.where(is_apartment, "apartment", "house").astype(object),
            "construction_year": year,
            "period": construction_period(year),
            "u_wall_w_m2k": mean_of("u_wall_w_m2k"),
            "u_roof_w_m2k": mean_of("u_roof_w_m2k"),
        },
        geometry=footprint,
        crs=TWIN_CRS,
    )
    return out


def neighbour_graph(buildings: gpd.GeoDataFrame, max_gap_m: float = MAX_GAP_M) -> pd.DataFrame:
    """Pairs of buildings whose footprints lie at most ``max_gap_m`` apart.

    Parameters
    ----------
    buildings : GeoDataFrame
        One row per building (:func:`building_table`), in EPSG:31370.
    max_gap_m : float
        Largest distance between the two footprints [m]; touching footprints have 0.

    Returns
    -------
    DataFrame
        :data:`EDGE_COLUMNS`: ``i < j`` (positions in ``buildings``) and ``gap_m`` [m], sorted.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> b = gpd.GeoDataFrame({"building_id": ["a", "b", "c"]},
    ...                      geometry=[box(0, 0, 6, 10), box(6, 0, 12, 9), box(40, 0, 50, 10)])
    >>> neighbour_graph(b, 20.0)
       i  j  gap_m
    0  0  1    0.0
    """
    geoms = np.asarray(buildings.geometry.array, dtype=object)
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="dwithin", distance=float(max_gap_m))
    keep = a < b
    i, j = a[keep].astype(np.int64), b[keep].astype(np.int64)
    gap = shapely.distance(geoms[i], geoms[j]) if len(i) else np.zeros(0)
    out = pd.DataFrame({"i": i, "j": j, "gap_m": np.asarray(gap, dtype=np.float64)})
    return out.sort_values(["i", "j"], kind="stable").reset_index(drop=True)


def component_labels(n: int, edges: pd.DataFrame, keep: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Connected component of each of ``n`` buildings over the kept edges (0-based labels)."""
    i = edges["i"].to_numpy(dtype=np.int64)[keep]
    j = edges["j"].to_numpy(dtype=np.int64)[keep]
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def split_groups(
    labels: NDArray[np.int64],
    xy: NDArray[np.float64],
    weight: NDArray[np.int64],
    max_weight: int,
) -> NDArray[np.int64]:
    """Cut every group heavier than ``max_weight`` into parts that are not.

    A group is split at the weighted median of its members' coordinates along its longer
    extent (x or y), recursively, so that parts stay compact pieces of the street or block.
    A single member heavier than ``max_weight`` (a large apartment building) stays whole.

    Parameters
    ----------
    labels : ndarray of int, shape (N,)
        Group of each member.
    xy : ndarray of float, shape (N, 2)
        A representative point of each member [m].
    weight : ndarray of int, shape (N,)
        Weight of each member (its dwellings).
    max_weight : int
        Largest weight of a part.

    Returns
    -------
    ndarray of int, shape (N,)
        New labels 0..K-1: members of one part share a label; parts never mix groups.

    Examples
    --------
    >>> xy = np.array([[0.0, 0], [10, 0], [20, 0], [30, 0], [500, 0]])
    >>> split_groups(np.array([0, 0, 0, 0, 1]), xy, np.array([5, 5, 5, 5, 5]), 10).tolist()
    [0, 0, 1, 1, 2]
    """
    out = np.full(len(labels), -1, dtype=np.int64)
    next_label = 0
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    stack = [part for part in np.split(order, bounds) if len(part)]
    stack.reverse()
    while stack:
        members = stack.pop()
        if weight[members].sum() <= max_weight or len(members) == 1:
            out[members] = next_label
            next_label += 1
            continue
        pts = xy[members]
        axis = int(np.argmax(pts.max(axis=0) - pts.min(axis=0)))
        sort = members[np.argsort(pts[:, axis], kind="stable")]
        cum = np.cumsum(weight[sort])
        cut = int(np.searchsorted(cum, cum[-1] / 2.0, side="left")) + 1
        cut = min(max(cut, 1), len(sort) - 1)
        stack.extend([sort[cut:], sort[:cut]])
    return out


# --------------------------------------------------------------------------------------------
# Clusters
# --------------------------------------------------------------------------------------------


def _majority(keys: NDArray[np.int64], values: NDArray[Any], weights: NDArray[Any]) -> pd.Series:
    """Most frequent (weighted) value per key; ties go to the smallest value."""
    f = pd.DataFrame({"k": keys, "v": values, "w": weights})
    s = f.groupby(["k", "v"], sort=True)["w"].sum().reset_index()
    s = s.sort_values(["k", "w", "v"], ascending=[True, False, True], kind="stable")
    return s.drop_duplicates("k").set_index("k")["v"]


def goal_label(policy: Policy) -> str:
    """The goal label of the clusters: the policy's long-term goal (``long_term_goal.label``)."""
    return str(policy.long_term_goal.label)


def _per_dwelling_package(
    rows: pd.DataFrame,
    order: Sequence[str],
    catalogue: Catalogue,
    policy: Policy,
    year: int,
    goal: str,
    income: dict[str, Any],
) -> pd.DataFrame:
    """The collective package of each dwelling: its measures (``package_bits``: bit k set when
    ``order[k]`` applies), money, savings, label reached."""
    plan = stappenplan(rows, order, catalogue, policy, year, collective=True, **income)
    g = plan.groupby("dwelling_id", sort=False)
    now = plan[plan["step"] == 0].set_index("dwelling_id")
    last = plan.drop_duplicates("dwelling_id", keep="last").set_index("dwelling_id")
    done = plan[plan["step"] > 0]
    bit = pd.Index(list(order)).get_indexer(pd.Index(done["measure"]))
    bits = pd.Series(np.left_shift(1, bit), index=done["dwelling_id"].to_numpy())
    bits = bits.groupby(level=0, sort=False).sum()  # each measure once per dwelling
    label = last["label"].astype(str).to_numpy()
    out = pd.DataFrame(
        {
            "investment_eur": g["investment_eur"].sum(),
            "premium_eur": g["premium_eur"].sum(),
            "co2_saved_kg": now["co2_kg"] - last["co2_kg"],
            "energy_cost_saving_eur": now["energy_cost_eur"] - last["energy_cost_eur"],
            "renovated": last["step"] > 0,
            "reaches_goal": pd.Series(
                np.isin(label, LABELS[: LABELS.index(goal) + 1]), index=last.index
            ),
            "package_bits": bits.reindex(last.index).fillna(0).astype(np.int64),
        }
    )
    return out.reindex(rows["dwelling_id"].to_numpy())


def _building_packages(
    bpos: NDArray[np.int64], bits: NDArray[np.int64], n_b: int, order: Sequence[str]
) -> NDArray[np.object_]:
    """A building's package: the union (bitwise or) of its dwellings' measures, as measure ids
    joined by ``+`` in package order (empty when nothing applies)."""
    union = np.zeros(n_b, dtype=np.int64)
    np.bitwise_or.at(union, bpos, bits)
    names = {
        u: "+".join(m for k, m in enumerate(order) if u >> k & 1) for u in np.unique(union).tolist()
    }
    return np.asarray([names[u] for u in union.tolist()], dtype=object)


def find_clusters(
    twin: gpd.GeoDataFrame,
    catalogue: Catalogue | None = None,
    policy: Policy | None = None,
    year: int = 2025,
    *,
    order: Sequence[str] = ENVELOPE_ORDER,
    min_dwellings: int = MIN_DWELLINGS,
    max_dwellings: int = MAX_DWELLINGS,
    max_gap_m: float = MAX_GAP_M,
    income_category: str | None = None,
) -> ClusterResult:
    """Collective renovation clusters of the twin, ranked by CO2 saved per euro.

    Parameters
    ----------
    twin : GeoDataFrame
        Twin rows (``docs/twin_schema.md``), one per dwelling, in a projected CRS.
    catalogue : Catalogue, optional
        Measures and prices; default :func:`scenarios.catalogue.load_catalogue`.
    policy : Policy, optional
        Energy prices, CO2 factors, premiums and the long-term goal label; default
        :func:`scenarios.policy.load_policy`.
    year : int
        Year of the prices, CO2 factors and premiums [year].
    order : sequence of str
        The collective package: measure ids in the order they are done (:data:`ENVELOPE_ORDER`).
    min_dwellings, max_dwellings : int
        Size bounds of a cluster [dwellings] (:data:`MIN_DWELLINGS`, :data:`MAX_DWELLINGS`); a
        larger group of neighbours is cut into parts. ``1 <= min_dwellings <= max_dwellings``.
    max_gap_m : float
        Largest gap between neighbouring footprints [m] (:data:`MAX_GAP_M`), at least 0.
    income_category : str, optional
        Premium category assumed for every dwelling; default that of
        :func:`scenarios.trajectory.stappenplan`.

    Returns
    -------
    ClusterResult
        ``clusters`` (GeoDataFrame, EPSG:31370, :data:`CLUSTER_COLUMNS`), ``membership`` (one
        row per building) and ``edges`` (the neighbour graph with its ``similar`` flag).
        Money [EUR incl. VAT], ``co2_saved_t_per_year`` [t CO2 per year],
        ``energy_cost_saving_eur`` [EUR per year], ``co2_saved_kg_per_eur`` [kg CO2 per year per
        EUR invested], ``footprint_area_m2`` [m²].

    Raises
    ------
    InputError
        Missing columns or geometry, a geographic CRS, duplicate dwelling ids, bad size bounds
        or gap, unknown measures (all problems at once).

    Notes
    -----
    ``co2_saved_kg_per_eur`` divides by the gross investment (collective prices, premiums not
    subtracted): premiums move money between government and owner but do not change what the
    project costs society.
    """
    problems = Problems("instellingen voor renovatieclusters")
    if not 1 <= int(min_dwellings) <= int(max_dwellings):
        problems.add(
            "min_dwellings, max_dwellings",
            f"zijn {min_dwellings} en {max_dwellings}; nodig: 1 ≤ minimum ≤ maximum woningen",
        )
    if not (np.isfinite(max_gap_m) and max_gap_m >= 0.0):
        problems.add("max_gap_m", f"is {max_gap_m}; geef een afstand van 0 m of meer")
    catalogue = load_catalogue() if catalogue is None else catalogue
    policy = load_policy() if policy is None else policy
    unknown = [m for m in order if m not in catalogue.ids]
    if unknown or not order:
        problems.add(
            "order",
            f"onbekende maatregel(en) {unknown}; kies uit {catalogue.ids}"
            if unknown
            else "het pakket is leeg; geef minstens één maatregel",
        )
    problems.raise_if_any()

    buildings = building_table(twin)
    twin = _metric(twin)
    n_b = len(buildings)
    ids = buildings["building_id"].to_numpy(dtype=object)
    goal = goal_label(policy)
    income = {} if income_category is None else {"income_category": income_category}

    # every dwelling's package, then each building's
    bpos = pd.Index(ids).get_indexer(twin["building_id"].astype(str).to_numpy())
    econ = _per_dwelling_package(twin, order, catalogue, policy, year, goal, income)
    econ = econ.reset_index(drop=True)
    package = _building_packages(bpos, econ["package_bits"].to_numpy(np.int64), n_b, order)

    edges = neighbour_graph(buildings, max_gap_m)
    i, j = edges["i"].to_numpy(dtype=np.int64), edges["j"].to_numpy(dtype=np.int64)
    keep = (package[i] == package[j]) & (package[i] != "")
    edges = edges.assign(similar=keep)
    labels = component_labels(n_b, edges, keep)
    dwellings = buildings["n_dwellings"].to_numpy(dtype=np.int64)
    group = np.bincount(labels, weights=dwellings, minlength=labels.max() + 1 if n_b else 0)
    group_dwellings = group[labels].astype(np.int64) if n_b else np.zeros(0, dtype=np.int64)
    point = shapely.get_coordinates(
        shapely.point_on_surface(np.asarray(buildings.geometry.array, dtype=object))
    )
    parts = split_groups(labels, point, dwellings, int(max_dwellings)) if n_b else labels
    part_size = np.bincount(parts, weights=dwellings, minlength=parts.max() + 1 if n_b else 0)
    clustered = (part_size[parts] >= int(min_dwellings)) & (package != "") if n_b else parts > 0

    # cluster id: "cl_" + smallest building id of the part (buildings are sorted by id)
    first_of = pd.Series(np.arange(n_b)).groupby(parts).min()
    first_member = ids[first_of.reindex(parts).to_numpy()] if n_b else ids
    cluster_of_building = np.full(n_b, None, dtype=object)
    cluster_of_building[clustered] = "cl_" + first_member[clustered].astype(str)
    membership = pd.DataFrame(
        {
            "building_id": ids,
            "cluster_id": pd.array(cluster_of_building, dtype="string"),
            "package": package,
            "group_dwellings": group_dwellings,
            **{
                c: buildings[c].to_numpy()
                for c in ("n_dwellings", "sector_id", "kind", "period", "u_wall_w_m2k")
            },
            "u_roof_w_m2k": buildings["u_roof_w_m2k"].to_numpy(),
        }
    )[list(MEMBERSHIP_COLUMNS)]

    in_cluster = clustered[bpos]
    if not in_cluster.any():
        empty = gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in CLUSTER_COLUMNS}, geometry=[], crs=TWIN_CRS
        )
        return ClusterResult(empty, membership, edges)
    d = econ.loc[in_cluster].reset_index(drop=True)
    d["cluster_id"] = cluster_of_building[bpos[in_cluster]].astype(str)
    d["sector_id"] = buildings["sector_id"].to_numpy()[bpos[in_cluster]]
    by = d.groupby("cluster_id", sort=True)
    table = pd.DataFrame(
        {
            "n_dwellings": by.size(),
            "n_dwellings_renovated": by["renovated"].sum().astype(np.int64),
            "n_dwellings_goal": by["reaches_goal"].sum().astype(np.int64),
            "investment_eur": by["investment_eur"].sum(),
            "premium_eur": by["premium_eur"].sum(),
            "co2_saved_kg": by["co2_saved_kg"].sum(),
            "energy_cost_saving_eur": by["energy_cost_saving_eur"].sum(),
        }
    )
    keys = pd.Index(table.index)
    sector_key = keys.get_indexer(d["cluster_id"].to_numpy())
    table["sector_id"] = _majority(
        sector_key, d["sector_id"].to_numpy(dtype=object), np.ones(len(d), dtype=np.int64)
    ).to_numpy()

    b = buildings.loc[clustered].assign(
        cluster_id=cluster_of_building[clustered].astype(str), package=package[clustered]
    )
    bk = keys.get_indexer(b["cluster_id"].to_numpy())
    gb = b.drop(columns="geometry").groupby("cluster_id", sort=True)
    w = b["n_dwellings"].to_numpy(dtype=np.int64)
    table["n_buildings"] = gb.size()
    table["package"] = gb["package"].first()
    table["goal_label"] = goal
    table["kind"] = _majority(bk, b["kind"].to_numpy(dtype=object), w).to_numpy()
    table["attachment"] = _majority(bk, b["attachment"].to_numpy(dtype=object), w).to_numpy()
    table["construction_year_min"] = gb["construction_year"].min()
    table["construction_year_max"] = gb["construction_year"].max()
    # envelope of the cluster, weighted by dwellings (as the package is priced per dwelling)
    wf = w.astype(np.float64)
    for c in ("u_wall_w_m2k", "u_roof_w_m2k"):
        table[c] = (
            pd.Series(b[c].to_numpy() * wf).groupby(bk).sum().to_numpy()
            / pd.Series(wf).groupby(bk).sum().to_numpy()
        )
    names = buildings.drop_duplicates("sector_id").set_index("sector_id")["sector_name"]
    table["sector_name"] = table["sector_id"].map(names).fillna("")
    table["net_investment_eur"] = table["investment_eur"] - table["premium_eur"]
    table["co2_saved_t_per_year"] = table["co2_saved_kg"] / 1000.0
    inv = table["investment_eur"].to_numpy(dtype=np.float64)
    saved = table["co2_saved_kg"].to_numpy(dtype=np.float64)
    table["co2_saved_kg_per_eur"] = np.divide(saved, inv, out=np.zeros_like(saved), where=inv > 0.0)

    shapes = gpd.GeoDataFrame(
        {"cluster_id": b["cluster_id"].to_numpy()}, geometry=b.geometry.to_numpy(), crs=TWIN_CRS
    ).dissolve(by="cluster_id", sort=True)
    # sum of the member footprints (the union may merge slivers of a few cm between them)
    area = shapely.area(np.asarray(b.geometry.array, dtype=object))
    table["footprint_area_m2"] = pd.Series(area).groupby(bk).sum().to_numpy()

    table = table.rename_axis("cluster_id").reset_index()
    by_goal = table.sort_values(
        ["n_dwellings_goal", "co2_saved_kg_per_eur", "n_dwellings", "cluster_id"],
        ascending=[False, False, False, True],
        kind="stable",
    )
    table["rank_goal"] = pd.Series(
        np.arange(1, len(table) + 1, dtype=np.int64), index=by_goal.index
    ).sort_index()
    table = table.sort_values(
        ["co2_saved_kg_per_eur", "n_dwellings", "cluster_id"],
        ascending=[False, False, True],
        kind="stable",
    ).reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1, dtype=np.int64)
    geometry = shapes.geometry.reindex(table["cluster_id"].to_numpy()).to_numpy()
    clusters = gpd.GeoDataFrame(table[list(CLUSTER_COLUMNS)], geometry=geometry, crs=TWIN_CRS)
    return ClusterResult(clusters, membership, edges)


__all__ = [
    "BUILDING_COLUMNS",
    "CLUSTER_COLUMNS",
    "EDGE_COLUMNS",
    "ENVELOPE_ORDER",
    "KINDS",
    "MAX_DWELLINGS",
    "MAX_GAP_M",
    "MEMBERSHIP_COLUMNS",
    "MIN_DWELLINGS",
    "REQUIRED_COLUMNS",
    "ClusterResult",
    "building_table",
    "component_labels",
    "construction_period",
    "construction_periods",
    "find_clusters",
    "goal_label",
    "neighbour_graph",
    "split_groups",
]
