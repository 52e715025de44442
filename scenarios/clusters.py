"""Collective renovation clusters: contiguous groups of similar dwellings, one project each.

A *cluster* is a group of buildings that touch one another through party walls (directly or via
a chain of neighbours) and are alike enough to be renovated with one envelope package by one
contractor: the candidates for a *wijkverbeteringscontract* (neighbourhood-improvement contract).

Method
------
1. **Buildings.** The twin has one row per dwelling; its rows are grouped by ``building_id``
   into one row per building (footprint, dwellings, construction year, kind, mean U-values).
2. **Party-wall graph.** Pairs of buildings sharing a wall, as the twin gives them
   (:func:`buildings.twin.party_walls`: the same edge matching and the same 2 m threshold with
   which the twin decides ``attachment``). They are passed in, so that ``scenarios`` depends
   only on ``sim`` (the layout's one-way dependencies); ``wijk clusters`` computes them.
3. **Similarity.** An edge is kept only when both buildings have the same construction period
   (the TABULA-BE periods of ``sim/data/archetypes_be.csv``), the same kind (house or
   apartment building) and envelopes close enough for one package: ``|ΔU_wall|`` and
   ``|ΔU_roof|`` at most :data:`MAX_DELTA_U_WALL_W_M2K` / :data:`MAX_DELTA_U_ROOF_W_M2K`.
   A building with an unknown year or U-value keeps no edge.
4. **Components.** Connected components of the kept edges
   (:func:`scipy.sparse.csgraph.connected_components`); components of at least
   ``min_buildings`` buildings are clusters.
5. **Economics.** Every dwelling of a cluster follows the collective envelope package
   :data:`ENVELOPE_ORDER` through :func:`scenarios.trajectory.stappenplan` with the collective
   (group-purchase) prices; per cluster the investments, premiums and the annual CO2 saving
   (CO2 now minus CO2 after the dwelling's last step) are summed.
6. **Ranking.** By ``co2_saved_kg_per_eur`` (annual kg CO2 saved per euro invested, gross of
   premiums) descending, then by ``n_dwellings`` descending, then by ``cluster_id``.

Everything is vectorised over buildings and dwellings; the only per-group work is pandas
``groupby`` and the footprint union of :meth:`geopandas.GeoDataFrame.dissolve` per cluster.

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
from scenarios.policy import DEFAULT_INCOME_CATEGORY, Policy, load_policy
from scenarios.trajectory import stappenplan
from sim.archetypes import archetype_table
from sim.errors import Problems
from sim.stock import DWELLING_COLUMNS

#: Order of the collective envelope package: roof first (cheapest kWh saved), cavity fill before
#: exterior insulation (which then applies only where the fill did not reach U ≤ 0.6), floor,
#: then glazing -- the envelope part of :data:`api.trajectory_cli.DEFAULT_ORDER`. Installations
#: (heat pump, PV) are individual choices and stay out of a collective envelope contract.
ENVELOPE_ORDER: tuple[str, ...] = (
    "roof_insulation",
    "cavity_wall_fill",
    "exterior_wall_insulation",
    "floor_insulation",
    "glazing_hr",
)
#: Largest difference of wall U-value between two neighbours of one cluster [W/(m²·K)].
#: Rationale (project assumption): an uninsulated Flemish cavity or solid wall has U ≈ 1.0-2.2,
#: a post-insulated or post-1990 wall U ≈ 0.3-0.6 (TABULA-BE, ``sim/data/archetypes_be.csv``).
#: 0.5 keeps walls of one state together and splits insulated from uninsulated neighbours,
#: which need a different measure (no cavity fill, no exterior insulation).
MAX_DELTA_U_WALL_W_M2K: float = 0.5
#: Largest difference of roof U-value between two neighbours of one cluster [W/(m²·K)].
#: Same reasoning: uninsulated roofs U ≈ 1.5-4, insulated U ≈ 0.2-0.6.
MAX_DELTA_U_ROOF_W_M2K: float = 0.5
#: Smallest number of buildings of a cluster. Two neighbours are a private arrangement; a
#: collective contract (shared scaffolding, one tender) starts at a short row of three.
MIN_BUILDINGS: int = 3
#: Kinds of building compared by the similarity test.
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
#: Columns of the party-wall table the twin gives (``buildings.twin.party_walls``).
WALL_COLUMNS: tuple[str, ...] = ("building_a", "building_b", "shared_length_m")
#: Columns of the party-wall graph of :func:`party_wall_graph`.
EDGE_COLUMNS: tuple[str, ...] = ("i", "j", "shared_length_m")
#: Columns of the cluster table of :func:`find_clusters` (plus ``geometry``).
CLUSTER_COLUMNS: tuple[str, ...] = (
    "rank",
    "cluster_id",
    "n_buildings",
    "n_dwellings",
    "n_dwellings_renovated",
    "sector_id",
    "sector_name",
    "period",
    "period_years",
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
    "component_size",
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
        (``<NA>``) for buildings in no cluster, ``component_size`` says how many similar
        buildings their contiguous group has (below ``min_buildings``, or 1 for a building
        without a similar neighbour).
    edges : DataFrame
        The party-wall graph (:data:`EDGE_COLUMNS`, positions in ``membership``) with a boolean
        column ``similar``: the edge is kept by the similarity test.
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


def party_wall_graph(buildings: gpd.GeoDataFrame, walls: pd.DataFrame) -> pd.DataFrame:
    """The party-wall graph over the rows of :func:`building_table`.

    Parameters
    ----------
    buildings : GeoDataFrame
        One row per building (:func:`building_table`).
    walls : DataFrame
        :data:`WALL_COLUMNS`: pairs of building ids sharing a wall and its length [m], as
        :func:`buildings.twin.party_walls` gives them for the twin (the twin's matching of
        shared edges and its 2 m threshold). Pairs with a building not in ``buildings`` are
        left out.

    Returns
    -------
    DataFrame
        :data:`EDGE_COLUMNS`: ``i < j`` (positions in ``buildings``) and ``shared_length_m`` [m].

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> b = gpd.GeoDataFrame({"building_id": ["a", "b", "c"]},
    ...                      geometry=[box(0, 0, 6, 10), box(6, 0, 12, 9), box(12, 8, 20, 20)])
    >>> w = pd.DataFrame({"building_a": ["b"], "building_b": ["a"], "shared_length_m": [9.0]})
    >>> party_wall_graph(b, w)
       i  j  shared_length_m
    0  0  1              9.0
    """
    missing = [c for c in WALL_COLUMNS if c not in walls]
    if missing:
        problems = Problems("gemene muren")
        problems.add(", ".join(missing), "kolom ontbreekt; geef buildings.twin.party_walls(twin)")
        problems.raise_if_any()
    pos = pd.Series(np.arange(len(buildings)), index=buildings["building_id"].astype(str))
    a = pos.reindex(walls["building_a"].astype(str)).to_numpy(dtype=np.float64)
    b = pos.reindex(walls["building_b"].astype(str)).to_numpy(dtype=np.float64)
    ok = ~(np.isnan(a) | np.isnan(b)) & (a != b)
    i = np.minimum(a[ok], b[ok]).astype(np.int64)
    j = np.maximum(a[ok], b[ok]).astype(np.int64)
    length = walls["shared_length_m"].to_numpy(dtype=np.float64)[ok]
    out = pd.DataFrame({"i": i, "j": j, "shared_length_m": length})
    return out.sort_values(["i", "j"], kind="stable").reset_index(drop=True)


def similar_edges(
    buildings: pd.DataFrame,
    edges: pd.DataFrame,
    max_delta_u_wall_w_m2k: float = MAX_DELTA_U_WALL_W_M2K,
    max_delta_u_roof_w_m2k: float = MAX_DELTA_U_ROOF_W_M2K,
) -> NDArray[np.bool_]:
    """Which party-wall edges join two similar buildings.

    Parameters
    ----------
    buildings : DataFrame
        :func:`building_table` (``period``, ``kind``, ``u_wall_w_m2k``, ``u_roof_w_m2k``).
    edges : DataFrame
        :func:`party_wall_graph` of the same buildings.
    max_delta_u_wall_w_m2k, max_delta_u_roof_w_m2k : float
        Largest difference of wall and roof U-value [W/(m²·K)].

    Returns
    -------
    ndarray of bool, one per edge
        Same period (both known), same kind, and both U differences within the limits (a NaN
        U-value fails).
    """
    i = edges["i"].to_numpy(dtype=np.int64)
    j = edges["j"].to_numpy(dtype=np.int64)
    period = buildings["period"].to_numpy(dtype=object)
    kind = buildings["kind"].to_numpy(dtype=object)
    u_wall = buildings["u_wall_w_m2k"].to_numpy(dtype=np.float64)
    u_roof = buildings["u_roof_w_m2k"].to_numpy(dtype=np.float64)
    known = pd.notna(period[i]) & pd.notna(period[j])
    with np.errstate(invalid="ignore"):
        return np.asarray(
            known
            & (period[i] == period[j])
            & (kind[i] == kind[j])
            & (np.abs(u_wall[i] - u_wall[j]) <= max_delta_u_wall_w_m2k)
            & (np.abs(u_roof[i] - u_roof[j]) <= max_delta_u_roof_w_m2k),
            dtype=bool,
        )


def component_labels(n: int, edges: pd.DataFrame, keep: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Connected component of each of ``n`` buildings over the kept edges (0-based labels)."""
    i = edges["i"].to_numpy(dtype=np.int64)[keep]
    j = edges["j"].to_numpy(dtype=np.int64)[keep]
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


# --------------------------------------------------------------------------------------------
# Clusters
# --------------------------------------------------------------------------------------------


def _majority(keys: NDArray[np.int64], values: NDArray[Any], weights: NDArray[Any]) -> pd.Series:
    """Most frequent (weighted) value per key; ties go to the smallest value."""
    f = pd.DataFrame({"k": keys, "v": values, "w": weights})
    s = f.groupby(["k", "v"], sort=True)["w"].sum().reset_index()
    s = s.sort_values(["k", "w", "v"], ascending=[True, False, True], kind="stable")
    return s.drop_duplicates("k").set_index("k")["v"]


def _per_dwelling_package(
    rows: pd.DataFrame,
    order: Sequence[str],
    catalogue: Catalogue,
    policy: Policy,
    year: int,
    income_category: str,
) -> pd.DataFrame:
    """Investment, premium and annual savings of the collective package for each dwelling."""
    plan = stappenplan(
        rows, order, catalogue, policy, year, income_category=income_category, collective=True
    )
    g = plan.groupby("dwelling_id", sort=False)
    now = plan[plan["step"] == 0].set_index("dwelling_id")
    last = plan.drop_duplicates("dwelling_id", keep="last").set_index("dwelling_id")
    out = pd.DataFrame(
        {
            "investment_eur": g["investment_eur"].sum(),
            "premium_eur": g["premium_eur"].sum(),
            "co2_saved_kg": now["co2_kg"] - last["co2_kg"],
            "energy_cost_saving_eur": now["energy_cost_eur"] - last["energy_cost_eur"],
            "renovated": last["step"] > 0,
        }
    )
    return out.reindex(rows["dwelling_id"].to_numpy())


def find_clusters(
    twin: gpd.GeoDataFrame,
    walls: pd.DataFrame,
    catalogue: Catalogue | None = None,
    policy: Policy | None = None,
    year: int = 2025,
    *,
    order: Sequence[str] = ENVELOPE_ORDER,
    min_buildings: int = MIN_BUILDINGS,
    max_delta_u_wall_w_m2k: float = MAX_DELTA_U_WALL_W_M2K,
    max_delta_u_roof_w_m2k: float = MAX_DELTA_U_ROOF_W_M2K,
    income_category: str = DEFAULT_INCOME_CATEGORY,
) -> ClusterResult:
    """Collective renovation clusters of the twin, ranked by CO2 saved per euro.

    Parameters
    ----------
    twin : GeoDataFrame
        Twin rows (``docs/twin_schema.md``), one per dwelling, in a projected CRS.
    walls : DataFrame
        Party walls between the twin's buildings, :data:`WALL_COLUMNS`
        (:func:`buildings.twin.party_walls`).
    catalogue : Catalogue, optional
        Measures and prices; default :func:`scenarios.catalogue.load_catalogue`.
    policy : Policy, optional
        Energy prices, CO2 factors and premiums; default :func:`scenarios.policy.load_policy`.
    year : int
        Year of the prices, CO2 factors and premiums [year].
    order : sequence of str
        The collective package: measure ids in the order they are done (:data:`ENVELOPE_ORDER`).
    min_buildings : int
        Smallest cluster [buildings]; at least 2.
    max_delta_u_wall_w_m2k, max_delta_u_roof_w_m2k : float
        Largest difference of wall and roof U-value between linked neighbours [W/(m²·K)].
    income_category : str
        Premium category assumed for every dwelling (``scenarios.policy.INCOME_CATEGORIES``,
        ``cat1`` least to ``cat4`` most supported).

    Returns
    -------
    ClusterResult
        ``clusters`` (GeoDataFrame, EPSG:31370, :data:`CLUSTER_COLUMNS`), ``membership`` (one
        row per building) and ``edges`` (the party-wall graph with its ``similar`` flag).
        Money [EUR incl. VAT], ``co2_saved_t_per_year`` [t CO2 per year],
        ``energy_cost_saving_eur`` [EUR per year], ``co2_saved_kg_per_eur`` [kg CO2 per year per
        EUR invested], ``footprint_area_m2`` [m²].

    Raises
    ------
    InputError
        Missing columns or geometry, a geographic CRS, duplicate dwelling ids, a bad
        ``min_buildings``, unknown measures (all problems at once).

    Notes
    -----
    ``co2_saved_kg_per_eur`` divides by the gross investment (collective prices, premiums not
    subtracted): premiums move money between government and owner but do not change what the
    project costs society. It is 0 for a cluster where no measure applies (nothing to invest).
    """
    problems = Problems("instellingen voor renovatieclusters")
    if not int(min_buildings) >= 2:
        problems.add("min_buildings", f"is {min_buildings}; een cluster telt minstens 2 gebouwen")
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
    edges = party_wall_graph(buildings, walls)
    keep = similar_edges(buildings, edges, max_delta_u_wall_w_m2k, max_delta_u_roof_w_m2k)
    edges = edges.assign(similar=keep)
    labels = component_labels(n_b, edges, keep)
    size = np.bincount(labels, minlength=labels.max() + 1 if n_b else 0)[labels]
    clustered = size >= int(min_buildings)

    # cluster id: "cl_" + smallest building id of the component (buildings are sorted by id,
    # so that is the building_id of the component's first member)
    ids = buildings["building_id"].to_numpy(dtype=object)
    first_of = pd.Series(np.arange(n_b)).groupby(labels).min()
    cluster_of_building = np.full(n_b, None, dtype=object)
    first_member = ids[first_of.reindex(labels).to_numpy()]
    cluster_of_building[clustered] = "cl_" + first_member[clustered].astype(str)
    membership = pd.DataFrame(
        {
            "building_id": ids,
            "cluster_id": pd.array(cluster_of_building, dtype="string"),
            "component_size": size.astype(np.int64),
            **{
                c: buildings[c].to_numpy()
                for c in ("n_dwellings", "sector_id", "kind", "period", "u_wall_w_m2k")
            },
            "u_roof_w_m2k": buildings["u_roof_w_m2k"].to_numpy(),
        }
    )[list(MEMBERSHIP_COLUMNS)]

    # dwellings of clustered buildings and their package
    bpos = pd.Index(ids).get_indexer(twin["building_id"].astype(str).to_numpy())
    in_cluster = clustered[bpos]
    rows = twin.loc[in_cluster]
    if rows.empty:
        empty = gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in CLUSTER_COLUMNS}, geometry=[], crs=TWIN_CRS
        )
        return ClusterResult(empty, membership, edges)
    econ = _per_dwelling_package(rows, order, catalogue, policy, year, income_category)
    d_cluster = cluster_of_building[bpos[in_cluster]].astype(str)
    d = econ.reset_index(drop=True).assign(cluster_id=d_cluster)
    d["sector_id"] = buildings["sector_id"].to_numpy()[bpos[in_cluster]]
    by = d.groupby("cluster_id", sort=True)
    table = pd.DataFrame(
        {
            "n_dwellings": by.size(),
            "n_dwellings_renovated": by["renovated"].sum().astype(np.int64),
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

    b = buildings.loc[clustered].assign(cluster_id=cluster_of_building[clustered].astype(str))
    bk = keys.get_indexer(b["cluster_id"].to_numpy())
    gb = b.drop(columns="geometry").groupby("cluster_id", sort=True)
    table["n_buildings"] = gb.size()
    table["period"] = gb["period"].first()
    table["kind"] = gb["kind"].first()
    table["attachment"] = _majority(
        bk, b["attachment"].to_numpy(dtype=object), np.ones(len(b), dtype=np.int64)
    ).to_numpy()
    table["construction_year_min"] = gb["construction_year"].min()
    table["construction_year_max"] = gb["construction_year"].max()
    # envelope of the cluster, weighted by dwellings (as the package is priced per dwelling)
    w = b["n_dwellings"].to_numpy(dtype=np.float64)
    for c in ("u_wall_w_m2k", "u_roof_w_m2k"):
        table[c] = (
            pd.Series(b[c].to_numpy() * w).groupby(bk).sum().to_numpy()
            / pd.Series(w).groupby(bk).sum().to_numpy()
        )
    names = buildings.drop_duplicates("sector_id").set_index("sector_id")["sector_name"]
    table["sector_name"] = table["sector_id"].map(names).fillna("")
    periods = construction_periods().set_index("period")["period_years"]
    table["period_years"] = table["period"].map(periods)
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
    "MAX_DELTA_U_ROOF_W_M2K",
    "MAX_DELTA_U_WALL_W_M2K",
    "MEMBERSHIP_COLUMNS",
    "MIN_BUILDINGS",
    "REQUIRED_COLUMNS",
    "ClusterResult",
    "building_table",
    "component_labels",
    "construction_period",
    "construction_periods",
    "find_clusters",
    "party_wall_graph",
    "similar_edges",
]
