"""Collective renovation clusters: a hand-made street worked out by hand, then the demo town."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box
from typer.testing import CliRunner

from api.cli import app
from buildings.demo import demo_sources
from buildings.twin import build_twin, write_twin
from scenarios.catalogue import load_catalogue
from scenarios.clusters import (
    CLUSTER_COLUMNS,
    ENVELOPE_ORDER,
    MAX_DWELLINGS,
    MEMBERSHIP_COLUMNS,
    MIN_DWELLINGS,
    ClusterResult,
    building_table,
    construction_period,
    find_clusters,
    goal_label,
    neighbour_graph,
    split_groups,
)
from scenarios.policy import load_policy
from scenarios.trajectory import stappenplan
from sim.archetypes import dwelling_inputs
from sim.errors import InputError

runner = CliRunner()


def _find(twin: gpd.GeoDataFrame, **kwargs: object) -> ClusterResult:
    return find_clusters(twin, **kwargs)  # type: ignore[arg-type]


# (building_id, footprint, archetype building type, construction year, dwellings)
# A1..A5: a terrace of five 1930 houses, 6 m wide, 10 m deep, walls of 10 m between them;
# B1, B2: two 1975 houses built onto the end of the terrace (B1 shares 10 m with A5);
# C: a detached 1930 house 58 m beyond B2.
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


def _plan(rows: gpd.GeoDataFrame) -> pd.DataFrame:
    """The collective envelope package of ``rows``, as find_clusters runs it."""
    return stappenplan(rows, ENVELOPE_ORDER, load_catalogue(), load_policy(), 2025, collective=True)


def _package(rows: gpd.GeoDataFrame) -> str:
    done = _plan(rows)
    done = done[done["step"] > 0]
    return "+".join(m for m in ENVELOPE_ORDER if m in set(done["measure"]))


def test_neighbours_are_footprints_within_the_gap(street: gpd.GeoDataFrame) -> None:
    """The terrace's 6 m wide houses lie 6 (m - k - 1) m apart: within 20 m when m - k <= 4.
    C lies 100 - 42 = 58 m from B2."""
    b = building_table(street)
    assert list(b["building_id"]) == ["A1", "A2", "A3", "A4", "A5", "B1", "B2", "C"]
    edges = neighbour_graph(b, 20.0)
    expected = [(k, m) for k in range(7) for m in range(k + 1, 7) if m - k <= 4]
    assert list(zip(edges["i"], edges["j"], strict=True)) == expected
    gaps = [6.0 * (m - k - 1) for k, m in expected]
    np.testing.assert_allclose(edges["gap_m"], gaps, atol=1e-9)
    far = neighbour_graph(b, 60.0)
    assert far.iloc[-1][["i", "j"]].tolist() == [6, 7]
    assert far.iloc[-1]["gap_m"] == pytest.approx(58.0, abs=1e-9)


def test_the_terrace_is_one_project_and_the_rest_is_accounted_for(
    street: gpd.GeoDataFrame,
) -> None:
    a = street[street["building_id"].str.startswith("A")]
    b = street[street["building_id"].str.startswith("B")]
    # the 1930 terrace needs one package; the 1975 houses, partly insulated, another
    assert _package(a.iloc[[0]]) == _package(a.iloc[[4]]) != _package(b.iloc[[0]])
    res = _find(street, min_dwellings=5)
    assert members(res) == {"cl_A1": ["A1", "A2", "A3", "A4", "A5"]}
    c = res.clusters.iloc[0]
    assert (c["rank"], c["rank_goal"], c["n_buildings"], c["n_dwellings"]) == (1, 1, 5, 5)
    assert c["package"] == _package(a)
    assert (c["kind"], c["attachment"], c["sector_name"]) == ("house", "gesloten", "Dorp")
    m = res.membership.set_index("building_id")
    assert list(res.membership.columns) == list(MEMBERSHIP_COLUMNS) and len(m) == 8
    assert m.loc[["B1", "B2", "C"], "cluster_id"].isna().all()
    assert m.loc[["A1", "B1", "C"], "group_dwellings"].tolist() == [5, 2, 1]
    # A5 and B1 are neighbours, but they need different packages
    ids = res.membership["building_id"].to_numpy()
    e = res.edges
    same = [ids[i][0] == ids[j][0] for i, j in zip(e["i"], e["j"], strict=True)]
    assert e["similar"].tolist() == same and not all(same)
    # with the default bounds (at least ten dwellings) the street holds no project
    assert _find(street).clusters.empty


def test_mixed_periods_join_when_the_package_is_the_same() -> None:
    """A 1965 and a 1975 house (TABULA-BE periods 1946-1970 and 1971-1990) both need roof,
    cavity fill, floor and glazing: one project, whatever the period."""
    spec = [(b, g, t, 1965 if b == "B1" else y, n) for b, g, t, y, n in STREET]
    t = town(spec)
    b1, b2 = t[t["building_id"] == "B1"], t[t["building_id"] == "B2"]
    assert construction_period([1965])[0] != construction_period([1975])[0]
    assert (
        _package(b1)
        == _package(b2)
        == ("roof_insulation+cavity_wall_fill+floor_insulation+glazing_hr")
    )
    res = _find(t, min_dwellings=2)
    assert members(res)["cl_B1"] == ["B1", "B2"]
    c = res.clusters.set_index("cluster_id").loc["cl_B1"]
    assert (c["construction_year_min"], c["construction_year_max"]) == (1965, 1975)


def test_a_house_that_needs_another_package_is_left_out(street: gpd.GeoDataFrame) -> None:
    """An insulated A3 needs nothing of the package: the project skips it. Its neighbours 6 m
    apart still make one project; with a gap of at most 5 m the row breaks in two."""
    t = street.copy()
    t.loc[t["building_id"] == "A3", ["u_wall_w_m2k", "u_roof_w_m2k", "u_floor_w_m2k"]] = 0.2
    t.loc[t["building_id"] == "A3", "u_window_w_m2k"] = 1.0
    res = _find(t, min_dwellings=2)
    assert res.membership.set_index("building_id").loc["A3", "package"] == ""
    assert members(res)["cl_A1"] == ["A1", "A2", "A4", "A5"]
    near = _find(t, min_dwellings=2, max_gap_m=5.0)
    assert members(near)["cl_A1"] == ["A1", "A2"] and members(near)["cl_A4"] == ["A4", "A5"]


def test_a_long_terrace_is_cut_into_compact_projects() -> None:
    """30 houses in a row, at most 10 per project: 30 -> 15 + 15 -> 8 + 7 + 8 + 7 (cut after
    the dwelling-weighted median along the row)."""
    row = [(f"R{k:02d}", box(6 * k, 0, 6 * k + 6, 10), "gesloten", 1930, 1) for k in range(30)]
    res = _find(town(row), min_dwellings=5, max_dwellings=10)
    got = sorted(members(res).values())
    assert [len(g) for g in got] == [8, 7, 8, 7] or sorted(len(g) for g in got) == [7, 7, 8, 8]
    # each part is a run of consecutive houses of the row
    for g in got:
        k = sorted(int(b[1:]) for b in g)
        assert k == list(range(k[0], k[0] + len(k)))
    assert (res.clusters["n_dwellings"] <= 10).all()
    assert res.membership["group_dwellings"].eq(30).all()


def test_split_groups_by_hand() -> None:
    xy = np.array([[0.0, 0.0], [0.0, 10.0], [0.0, 20.0], [0.0, 30.0], [100.0, 0.0]])
    # group 0 lies along y: weights 3, 3, 3, 3 (12 > 6) -> halves {0, 1} and {2, 3}
    out = split_groups(np.array([0, 0, 0, 0, 1]), xy, np.array([3, 3, 3, 3, 9]), 6)
    assert out.tolist() == [0, 0, 1, 1, 2]
    # a single building heavier than the limit stays whole
    assert split_groups(np.array([0]), xy[:1], np.array([99]), 6).tolist() == [0]


def test_money_co2_and_the_goal_are_the_stappenplan_of_the_members(
    street: gpd.GeoDataFrame,
) -> None:
    res = _find(street, min_dwellings=5)
    rows = street[street["building_id"].str.startswith("A")]
    plan = _plan(rows)
    last = plan.drop_duplicates("dwelling_id", keep="last")
    co2_saved = plan.loc[plan["step"] == 0, "co2_kg"].sum() - last["co2_kg"].sum()
    c = res.clusters.iloc[0]
    assert c["investment_eur"] == pytest.approx(plan["investment_eur"].sum(), rel=1e-12)
    assert c["premium_eur"] == pytest.approx(plan["premium_eur"].sum(), rel=1e-12)
    assert c["net_investment_eur"] == pytest.approx(
        c["investment_eur"] - c["premium_eur"], rel=1e-12
    )
    assert c["co2_saved_t_per_year"] == pytest.approx(co2_saved / 1000.0, rel=1e-12)
    assert c["co2_saved_t_per_year"] > 0 and c["energy_cost_saving_eur"] > 0
    assert c["n_dwellings_renovated"] == 5
    # the goal: label A, the policy's long-term goal
    assert goal_label(load_policy()) == c["goal_label"] == "A"
    reached = last["label"].astype(str).isin(["A+", "A"]).sum()
    assert c["n_dwellings_goal"] == reached
    # the group price is below the sum of the individual prices
    single = stappenplan(rows, ENVELOPE_ORDER, load_catalogue(), load_policy(), 2025)
    assert c["investment_eur"] < single["investment_eur"].sum()


def test_polygon_is_the_union_of_the_member_footprints(street: gpd.GeoDataFrame) -> None:
    c = _find(street, min_dwellings=5).clusters
    assert c.crs.to_epsg() == 31370
    geom = c.geometry.iloc[0]
    footprints = street.loc[street["building_id"].str.startswith("A"), "geometry"]
    assert geom.area == pytest.approx(footprints.area.sum(), rel=1e-12)
    assert c["footprint_area_m2"].iloc[0] == pytest.approx(300.0, rel=1e-12)
    assert shapely.equals(geom, shapely.union_all(footprints.to_numpy()))
    assert geom.geom_type == "Polygon"  # touching footprints merge into one outline


def test_result_depends_neither_on_row_order_nor_mutates_the_input(
    street: gpd.GeoDataFrame,
) -> None:
    before = street.copy()
    found = _find(street, min_dwellings=2)
    again = _find(street.sample(frac=1.0, random_state=3), min_dwellings=2)
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
    with pytest.raises(InputError) as err:
        _find(street, min_dwellings=20, max_dwellings=10, max_gap_m=-1.0, order=["gouden_dak"])
    text = str(err.value)
    assert "min_dwellings" in text and "max_gap_m" in text and "gouden_dak" in text
    no_geom = pd.DataFrame(street.drop(columns="geometry"))
    with pytest.raises(InputError, match="geometry"):
        _find(no_geom)  # type: ignore[arg-type]


def test_no_cluster_gives_an_empty_table_with_every_column(street: gpd.GeoDataFrame) -> None:
    res = _find(street, min_dwellings=6)
    assert res.clusters.empty and list(res.clusters.columns) == [*CLUSTER_COLUMNS, "geometry"]
    assert res.membership["cluster_id"].isna().all() and len(res.membership) == 8


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


def test_the_demo_s_ten_best_clusters_are_projects_of_tens_of_dwellings(
    demo_found: ClusterResult,
) -> None:
    c = demo_found.clusters
    assert len(c) >= 10
    assert (c.head(10)["n_dwellings"] >= MIN_DWELLINGS).all()
    by_goal = c.sort_values("rank_goal").head(10)
    assert (by_goal["n_dwellings"] >= MIN_DWELLINGS).all()


def test_demo_clusters_keep_the_invariants(
    demo: tuple[gpd.GeoDataFrame, Path], demo_found: ClusterResult
) -> None:
    twin = demo[0]
    c, m, e = demo_found.clusters, demo_found.membership, demo_found.edges
    assert list(c.columns) == [*CLUSTER_COLUMNS, "geometry"]
    # every building once in the membership, at most one cluster each
    assert m["building_id"].is_unique and len(m) == twin["building_id"].nunique()
    inside = m.dropna(subset=["cluster_id"])
    assert c["n_buildings"].sum() == len(inside)
    assert c["cluster_id"].is_unique and set(c["cluster_id"]) == set(inside["cluster_id"])
    sizes = inside.groupby("cluster_id")["n_dwellings"].sum()
    assert (c.set_index("cluster_id")["n_dwellings"] == sizes.reindex(c["cluster_id"])).all()
    # size bounds; one package per cluster, never empty
    single = c["n_buildings"] == 1
    assert (c["n_dwellings"] >= MIN_DWELLINGS).all()
    assert (c.loc[~single, "n_dwellings"] <= MAX_DWELLINGS).all()
    assert (inside.groupby("cluster_id")["package"].nunique() == 1).all()
    assert (inside["package"] != "").all()
    # a kept edge joins two buildings of one package; a group that was not cut is one cluster
    i, j = e.loc[e["similar"], "i"].to_numpy(), e.loc[e["similar"], "j"].to_numpy()
    pkg = m["package"].to_numpy(dtype=object)
    assert (pkg[i] == pkg[j]).all()
    whole = inside[inside["group_dwellings"] <= MAX_DWELLINGS]
    label = m["cluster_id"].fillna("").astype(str).to_numpy()
    kept_whole = np.isin(label[i], whole["cluster_id"].astype(str).unique())
    assert (label[i][kept_whole] == label[j][kept_whole]).all()
    # rankings
    assert c["rank"].tolist() == list(range(1, len(c) + 1))
    key = list(zip(-c["co2_saved_kg_per_eur"], -c["n_dwellings"], c["cluster_id"], strict=True))
    assert key == sorted(key)
    assert sorted(c["rank_goal"]) == list(range(1, len(c) + 1))
    g = c.sort_values("rank_goal")
    assert (np.diff(g["n_dwellings_goal"].to_numpy()) <= 0).all()
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
    assert "Dakisolatie" in result.output or "dak" in result.output.lower()
    layer = gpd.read_file(out / "clusters.gpkg", layer="clusters")
    table = pd.read_csv(out / "clusters.csv")
    assert len(layer) == len(table) > 0
    assert set(CLUSTER_COLUMNS) <= set(layer.columns) and "geometry" not in table.columns
    assert layer.crs.to_epsg() == 31370
    assert layer["rank"].tolist() == table["rank"].tolist() == list(range(1, len(table) + 1))
    members_csv = pd.read_csv(out / "cluster_buildings.csv")
    assert members_csv["cluster_id"].notna().sum() == table["n_buildings"].sum()
    # ranked by the goal, and with the user's own bounds
    result = runner.invoke(
        app,
        ["clusters", "--twin", str(demo[1]), "--out", str(out), "--rangschik", "doel",
         "--min-dwellings", "20", "--max-dwellings", "40"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "halen" in result.output
    table = pd.read_csv(out / "clusters.csv")
    assert table["rank_goal"].tolist() == list(range(1, len(table) + 1))
    assert (table["n_dwellings"] >= 20).all()


def test_cli_without_twin_runs_on_the_embedded_demo(tmp_path: Path) -> None:
    result = runner.invoke(app, ["clusters", "--out", str(tmp_path / "d"), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "clusters.gpkg").exists() and (
        tmp_path / "d" / "twin.parquet"
    ).exists()


def test_cli_bad_options_and_twin_give_a_dutch_error_not_a_traceback(
    street: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    def flat(text: str) -> str:  # rich wraps long paths at the console width
        return text.replace("\n", "")

    result = runner.invoke(
        app, ["clusters", "--min-dwellings", "50", "--max-dwellings", "10", "--out", str(tmp_path)]
    )
    assert result.exit_code != 0 and "--min-dwellings" in flat(result.output)
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["clusters", "--rangschik", "prijs", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "co2 of doel" in flat(result.output)

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
