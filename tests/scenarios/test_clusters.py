"""Collective renovation clusters: a hand-made street worked out by hand, then the demo town."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely import box
from typer.testing import CliRunner

from api.cli import app
from buildings.demo import demo_sources
from buildings.twin import build_twin, party_walls, write_twin
from scenarios.catalogue import load_catalogue
from scenarios.clusters import (
    CLUSTER_COLUMNS,
    ENVELOPE_ORDER,
    MEMBERSHIP_COLUMNS,
    ClusterResult,
    building_table,
    construction_period,
    find_clusters,
    party_wall_graph,
)
from scenarios.policy import load_policy
from scenarios.trajectory import stappenplan
from sim.archetypes import dwelling_inputs
from sim.errors import InputError

runner = CliRunner()


def _find(twin: gpd.GeoDataFrame, **kwargs: object) -> ClusterResult:
    """find_clusters with the twin's own party walls (as ``wijk clusters`` passes them)."""
    walls = (
        party_walls(twin)
        if isinstance(twin, gpd.GeoDataFrame)
        else pd.DataFrame(columns=["building_a", "building_b", "shared_length_m"])
    )
    return find_clusters(twin, walls, **kwargs)  # type: ignore[arg-type]


# (building_id, footprint, archetype building type, construction year, dwellings)
# A1..A5: a terrace of five 1930 houses, 6 m wide, 10 m deep, walls of 10 m between them;
# B1, B2: two 1975 houses built onto the end of the terrace (B1 shares 10 m with A5);
# C: a detached 1930 house 70 m further on.
STREET: list[tuple[str, shapely.Geometry, str, int, int]] = [
    ("A1", box(0, 0, 6, 10), "halfopen", 1930, 1),
    ("A2", box(6, 0, 12, 10), "gesloten", 1930, 1),
    ("A3", box(12, 0, 18, 10), "gesloten", 1930, 1),
    ("A4", box(18, 0, 24, 10), "gesloten", 1930, 1),
    ("A5", box(24, 0, 30, 10), "gesloten", 1930, 1),
    ("B1", box(30, 0, 36, 10), "gesloten", 1975, 1),
    ("B2", box(36, 0, 42, 10), "halfopen", 1975, 1),
    ("C", box(100, 0, 110, 10), "open", 1930, 1),
]
# Lambert 72 offset: the street lies in Flanders
X0, Y0 = 60_000.0, 200_000.0


def town(spec: list[tuple[str, shapely.Geometry, str, int, int]] = STREET) -> gpd.GeoDataFrame:
    """Twin rows (docs/twin_schema.md) for the buildings of ``spec``, one row per dwelling."""
    rows = [(b, g, t, y, k) for b, g, t, y, n in spec for k in range(n)]
    btype = ["apartment_small" if t == "apartment" else t for _, _, t, _, _ in rows]
    phys = dwelling_inputs(btype, [y for *_, y, _ in rows], np.full(len(rows), 120.0))
    n_in = {b: n for b, *_, n in spec}
    frame = pd.DataFrame(
        {
            "dwelling_id": [f"{b}/{k}" for b, *_, k in rows],
            "building_id": [b for b, *_ in rows],
            "sector_id": ["S1"] * len(rows),
            "sector_name": ["Dorp"] * len(rows),
            "attachment": [t for _, _, t, _, _ in rows],
            "n_dwellings_in_building": [n_in[b] for b, *_ in rows],
            "storeys": 2,
            "construction_year": [y for *_, y, _ in rows],
        }
    )
    frame = pd.concat([frame, phys.reset_index(drop=True)], axis=1)
    geoms = shapely.transform(
        np.asarray([g for _, g, *_ in rows]), lambda c: c + np.array([X0, Y0])
    )
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=31370)


@pytest.fixture(scope="module")
def street() -> gpd.GeoDataFrame:
    return town()


@pytest.fixture(scope="module")
def found(street: gpd.GeoDataFrame) -> ClusterResult:
    return _find(street)


def members(result: ClusterResult) -> dict[str, list[str]]:
    m = result.membership.dropna(subset=["cluster_id"])
    return {str(k): sorted(g["building_id"]) for k, g in m.groupby("cluster_id")}


# --------------------------------------------------------------------------------------------
# The hand-worked street
# --------------------------------------------------------------------------------------------


def test_party_wall_graph_has_the_six_walls_of_the_street(street: gpd.GeoDataFrame) -> None:
    b = building_table(street)
    assert list(b["building_id"]) == ["A1", "A2", "A3", "A4", "A5", "B1", "B2", "C"]
    edges = party_wall_graph(b, party_walls(street))
    pairs = [
        (b["building_id"][i], b["building_id"][j])
        for i, j in zip(edges["i"], edges["j"], strict=True)
    ]
    assert pairs == [
        ("A1", "A2"),
        ("A2", "A3"),
        ("A3", "A4"),
        ("A4", "A5"),
        ("A5", "B1"),
        ("B1", "B2"),
    ]
    np.testing.assert_allclose(edges["shared_length_m"], 10.0, rtol=0, atol=1e-9)


def test_the_terrace_is_the_one_cluster_and_the_rest_is_accounted_for(found: ClusterResult) -> None:
    assert members(found) == {"cl_A1": ["A1", "A2", "A3", "A4", "A5"]}
    c = found.clusters.iloc[0]
    assert (c["rank"], c["n_buildings"], c["n_dwellings"]) == (1, 5, 5)
    assert (c["period"], c["period_years"], c["kind"], c["attachment"]) == (
        "BE.01",
        "-1945",
        "house",
        "gesloten",
    )
    assert c["sector_id"] == "S1" and c["sector_name"] == "Dorp"
    # every building is in the membership table; the pair and the detached house say why not
    m = found.membership.set_index("building_id")
    assert list(found.membership.columns) == list(MEMBERSHIP_COLUMNS)
    assert len(m) == 8
    assert m.loc[["B1", "B2", "C"], "cluster_id"].isna().all()
    assert m.loc[["B1", "B2"], "component_size"].tolist() == [2, 2]
    assert m.loc["C", "component_size"] == 1
    # the wall between A5 and B1 exists but joins two periods
    assert found.edges["similar"].tolist() == [True, True, True, True, False, True]


def test_with_pairs_allowed_the_newer_pair_is_a_second_cluster_ranked_by_its_ratio(
    street: gpd.GeoDataFrame,
) -> None:
    res = _find(street, min_buildings=2)
    assert members(res) == {"cl_A1": ["A1", "A2", "A3", "A4", "A5"], "cl_B1": ["B1", "B2"]}
    c = res.clusters
    ratio = c["co2_saved_t_per_year"] * 1000.0 / c["investment_eur"]
    np.testing.assert_allclose(c["co2_saved_kg_per_eur"], ratio, rtol=1e-12)
    assert c["rank"].tolist() == [1, 2]
    assert (np.diff(c["co2_saved_kg_per_eur"].to_numpy()) <= 0).all()
    # uninsulated 1930 walls save more per euro than 1975 walls with some insulation
    assert c["cluster_id"].tolist() == ["cl_A1", "cl_B1"]


def test_an_insulated_house_breaks_the_chain(street: gpd.GeoDataFrame) -> None:
    t = street.copy()
    t.loc[t["building_id"] == "A3", "u_wall_w_m2k"] = 0.4  # ΔU = 1.6 > 0.5 to both neighbours
    res = _find(t, min_buildings=2)
    assert members(res) == {"cl_A1": ["A1", "A2"], "cl_A4": ["A4", "A5"], "cl_B1": ["B1", "B2"]}
    # a difference within the limit keeps the chain
    t.loc[t["building_id"] == "A3", "u_wall_w_m2k"] = 2.017339 - 0.45
    assert members(_find(t))["cl_A1"] == ["A1", "A2", "A3", "A4", "A5"]


def test_period_and_kind_separate_even_with_equal_envelopes(street: gpd.GeoDataFrame) -> None:
    # an apartment building of the same period against A1, and B1/B2 given A's U-values
    spec = [("F", box(-8, 0, 0, 10), "apartment", 1930, 3), *STREET]
    t = town(spec)
    a = t.loc[t["building_id"] == "A2", ["u_wall_w_m2k", "u_roof_w_m2k"]].iloc[0]
    for col in ("u_wall_w_m2k", "u_roof_w_m2k"):
        t.loc[t["building_id"].isin(["F", "B1", "B2"]), col] = a[col]
    t.loc[t["building_id"] == "F", "attachment"] = "apartment"
    res = _find(t, min_buildings=2)
    assert members(res) == {"cl_A1": ["A1", "A2", "A3", "A4", "A5"], "cl_B1": ["B1", "B2"]}
    m = res.membership.set_index("building_id")
    assert m.loc["F", "kind"] == "apartment" and m.loc["F", "n_dwellings"] == 3
    assert pd.isna(m.loc["F", "cluster_id"])


def test_a_short_garden_wall_is_no_link() -> None:
    # D shares 1 m (< 2 m) with the detached house C: no party wall; with 2.5 m it is one
    short = [*STREET, ("D", box(110, 9, 116, 19), "open", 1930, 1)]
    assert "cl_C" not in members(_find(town(short), min_buildings=2))
    long = [*STREET, ("D", box(110, 7.5, 116, 17.5), "open", 1930, 1)]
    assert members(_find(town(long), min_buildings=2))["cl_C"] == ["C", "D"]


def test_money_and_co2_are_the_stappenplan_of_the_members_at_collective_prices(
    street: gpd.GeoDataFrame, found: ClusterResult
) -> None:
    rows = street[street["building_id"].str.startswith("A")]
    cat, pol = load_catalogue(), load_policy()
    plan = stappenplan(rows, ENVELOPE_ORDER, cat, pol, 2025, collective=True)
    last = plan.drop_duplicates("dwelling_id", keep="last")
    co2_saved = plan.loc[plan["step"] == 0, "co2_kg"].sum() - last["co2_kg"].sum()
    c = found.clusters.iloc[0]
    assert c["investment_eur"] == pytest.approx(plan["investment_eur"].sum(), rel=1e-12)
    assert c["premium_eur"] == pytest.approx(plan["premium_eur"].sum(), rel=1e-12)
    assert c["net_investment_eur"] == pytest.approx(
        c["investment_eur"] - c["premium_eur"], rel=1e-12
    )
    assert c["co2_saved_t_per_year"] == pytest.approx(co2_saved / 1000.0, rel=1e-12)
    assert c["co2_saved_t_per_year"] > 0 and c["energy_cost_saving_eur"] > 0
    assert c["n_dwellings_renovated"] == 5
    # the group price is below the sum of the individual prices
    single = stappenplan(rows, ENVELOPE_ORDER, cat, pol, 2025, collective=False)
    assert c["investment_eur"] < single["investment_eur"].sum()


def test_polygon_is_the_union_of_the_member_footprints(
    street: gpd.GeoDataFrame, found: ClusterResult
) -> None:
    c = found.clusters
    assert c.crs.to_epsg() == 31370
    geom = c.geometry.iloc[0]
    footprints = street.loc[street["building_id"].str.startswith("A"), "geometry"]
    assert geom.area == pytest.approx(footprints.area.sum(), rel=1e-12)
    assert c["footprint_area_m2"].iloc[0] == pytest.approx(300.0, rel=1e-12)
    assert shapely.equals(geom, shapely.union_all(footprints.to_numpy()))
    assert geom.geom_type == "Polygon"  # touching footprints merge into one outline


def test_result_depends_neither_on_row_order_nor_mutates_the_input(
    street: gpd.GeoDataFrame, found: ClusterResult
) -> None:
    before = street.copy()
    shuffled = street.sample(frac=1.0, random_state=3)
    again = _find(shuffled)
    pd.testing.assert_frame_equal(
        again.clusters.drop(columns="geometry"), found.clusters.drop(columns="geometry")
    )
    pd.testing.assert_frame_equal(again.membership, found.membership)
    pd.testing.assert_frame_equal(street, before)


def test_construction_periods_follow_the_archetype_bounds() -> None:
    got = construction_period([1945, 1946, 1990, 1991, 2011, 2012, 2030, np.nan])
    assert list(got) == ["BE.01", "BE.02", "BE.03", "BE.04", "BE.05", "BE.06", "BE.06", None]


def test_bad_input_is_reported_all_at_once(street: gpd.GeoDataFrame) -> None:
    t = street.drop(columns=["construction_year", "u_roof_w_m2k"])
    with pytest.raises(InputError) as err:
        _find(t.to_crs(4326))
    text = str(err.value)
    assert "construction_year" in text and "u_roof_w_m2k" in text and "geografische" in text
    with pytest.raises(InputError, match="min_buildings") as err:
        _find(street, min_buildings=1, order=["roof_insulation", "gouden_dak"])
    assert "gouden_dak" in str(err.value)
    no_geom = pd.DataFrame(street.drop(columns="geometry"))
    with pytest.raises(InputError, match="geometry"):
        _find(no_geom)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# The demo town
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[gpd.GeoDataFrame, Path]:
    out = tmp_path_factory.mktemp("clusters_demo")
    result = build_twin(demo_sources(out))
    write_twin(result, out / "twin.parquet")
    return result.dwellings, out / "twin.parquet"


@pytest.fixture(scope="module")
def demo_found(demo: tuple[gpd.GeoDataFrame, Path]) -> ClusterResult:
    return _find(demo[0])


def test_demo_clusters_keep_the_invariants(
    demo: tuple[gpd.GeoDataFrame, Path], demo_found: ClusterResult
) -> None:
    twin = demo[0]
    c, m, e = demo_found.clusters, demo_found.membership, demo_found.edges
    assert len(c) >= 10, "the demo town has terraces: expect some clusters"
    assert list(c.columns) == [*CLUSTER_COLUMNS, "geometry"]
    # every building once in the membership, at most one cluster each
    assert m["building_id"].is_unique and len(m) == twin["building_id"].nunique()
    in_cluster = m.dropna(subset=["cluster_id"])
    assert c["n_buildings"].sum() == len(in_cluster)
    assert c["cluster_id"].is_unique and set(c["cluster_id"]) == set(in_cluster["cluster_id"])
    assert (c["n_buildings"] >= 3).all()
    assert c["n_dwellings"].sum() <= len(twin)
    sizes = in_cluster.groupby("cluster_id")["n_dwellings"].sum()
    assert (c.set_index("cluster_id")["n_dwellings"] == sizes.reindex(c["cluster_id"])).all()
    # each cluster is one connected piece of kept edges, and no kept edge leaves a cluster
    label = m["cluster_id"].to_numpy(dtype=object)
    kept = e[e["similar"]]
    li, lj = label[kept["i"].to_numpy()], label[kept["j"].to_numpy()]
    assert all(
        (a is pd.NA) == (b is pd.NA) and (a is pd.NA or a == b) for a, b in zip(li, lj, strict=True)
    )
    inside = np.asarray([a is not pd.NA for a in li], dtype=bool)
    n = len(m)
    graph = coo_matrix(
        (np.ones(inside.sum()), (kept["i"].to_numpy()[inside], kept["j"].to_numpy()[inside])),
        shape=(n, n),
    )
    _, comp = connected_components(graph, directed=False)
    pieces = pd.Series(comp[in_cluster.index.to_numpy()]).groupby(
        in_cluster["cluster_id"].to_numpy()
    )
    assert (pieces.nunique() == 1).all()
    # members are alike: one period and one kind per cluster
    assert (in_cluster.groupby("cluster_id")[["period", "kind"]].nunique() == 1).all().all()
    # ranking: by ratio, then size; ranks 1..K; polygons cover the member footprints
    assert c["rank"].tolist() == list(range(1, len(c) + 1))
    key = list(zip(-c["co2_saved_kg_per_eur"], -c["n_dwellings"], c["cluster_id"], strict=True))
    assert key == sorted(key)
    np.testing.assert_allclose(
        c["co2_saved_kg_per_eur"],
        c["co2_saved_t_per_year"] * 1000 / c["investment_eur"],
        rtol=1e-12,
    )
    np.testing.assert_allclose(c.geometry.area, c["footprint_area_m2"], rtol=1e-3)
    assert c.crs.to_epsg() == 31370


def test_cli_writes_a_geopackage_and_a_table(
    demo: tuple[gpd.GeoDataFrame, Path], tmp_path: Path
) -> None:
    out = tmp_path / "uit"
    result = runner.invoke(
        app, ["clusters", "--twin", str(demo[1]), "--out", str(out), "--top", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "wijkverbeteringscontract" in result.output and "rang" in result.output
    layer = gpd.read_file(out / "clusters.gpkg", layer="clusters")
    table = pd.read_csv(out / "clusters.csv")
    assert len(layer) == len(table) > 0
    assert set(CLUSTER_COLUMNS) <= set(layer.columns) and "geometry" not in table.columns
    assert layer.crs.to_epsg() == 31370
    assert layer["rank"].tolist() == table["rank"].tolist() == list(range(1, len(table) + 1))
    members_csv = pd.read_csv(out / "cluster_buildings.csv")
    assert members_csv["cluster_id"].notna().sum() == table["n_buildings"].sum()


def test_cli_without_twin_runs_on_the_embedded_demo(tmp_path: Path) -> None:
    result = runner.invoke(app, ["clusters", "--out", str(tmp_path / "d"), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "clusters.gpkg").exists() and (
        tmp_path / "d" / "twin.parquet"
    ).exists()


def test_cli_bad_twin_gives_a_dutch_error_not_a_traceback(
    street: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    def flat(text: str) -> str:  # rich wraps long paths at the console width
        return text.replace("\n", "")

    missing = tmp_path / "geen.parquet"
    result = runner.invoke(app, ["clusters", "--twin", str(missing), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "Fout:" in result.output and "bestaat niet" in flat(result.output)
    assert str(missing) in flat(result.output) and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()

    garbage = tmp_path / "kapot.parquet"
    garbage.write_text("geen parquet")
    result = runner.invoke(app, ["clusters", "--twin", str(garbage), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0 and str(garbage) in flat(result.output)
    assert "Traceback" not in result.output

    # a GeoParquet twin of the right schema version that lacks columns
    import pyarrow.parquet as pq

    thin = tmp_path / "dun.parquet"
    street[["dwelling_id", "building_id", "geometry"]].to_parquet(thin)
    table = pq.read_table(thin)
    from buildings.twin import TWIN_SCHEMA_VERSION

    version = TWIN_SCHEMA_VERSION.encode()
    meta = {**(table.schema.metadata or {}), b"wijk_twin_schema_version": version}
    pq.write_table(table.replace_schema_metadata(meta), thin)
    result = runner.invoke(app, ["clusters", "--twin", str(thin), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert str(thin) in flat(result.output) and "construction_year" in flat(result.output)
    assert "ontbreken" in flat(result.output)


def test_no_cluster_gives_an_empty_table_with_every_column(street: gpd.GeoDataFrame) -> None:
    res = _find(street, min_buildings=6)
    assert res.clusters.empty and list(res.clusters.columns) == [*CLUSTER_COLUMNS, "geometry"]
    assert res.membership["cluster_id"].isna().all() and len(res.membership) == 8
