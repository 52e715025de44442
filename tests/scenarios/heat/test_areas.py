"""Coherent heat-network areas (scenarios.heat.areas): hand-made grids, sectors and streets, and
a brute-force reference for the grid's connectivity."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from scenarios.heat.areas import (
    ADVICE_SMALL_AREA,
    grid_neighbours,
    network_areas,
    touching_pairs,
)
from scenarios.heat.zones import ZoneLayer, grid_layer, zone_parameters
from sim.errors import InputError
from tests.conftest import DemoHeat

NET, IND, HYB, UND = "warmtenet", "individueel", "hybride", "nader onderzoeken"


def _grid(cells: list[tuple[int, int]]) -> ZoneLayer:
    """A grid layer with one dwelling in the middle of each (col, row) cell."""
    x = np.array([c * 100.0 + 50.0 for c, _ in cells])
    y = np.array([r * 100.0 + 50.0 for _, r in cells])
    return grid_layer(x, y)


def _table(ids: list[str], advice: list[str], mwh: list[float], **extra: object) -> pd.DataFrame:
    t = pd.DataFrame(
        {
            "zone_id": ids,
            "year": 2025,
            "heat_demand_mwh": mwh,
            "advice": advice,
            "advice_probability": np.linspace(0.6, 0.9, len(ids)),
            "advice_source": "model",
            "lcoh_network_p50_eur_mwh": np.arange(len(ids), dtype=float) + 80.0,
        }
    )
    for k, v in extra.items():
        t[k] = v
    return t


def _cell(c: int, r: int) -> str:
    return f"100mE{c}N{r}"


def test_two_clusters_one_too_small_diagonals_join() -> None:
    # cluster A: three cells touching only by their corners, 3 x 900 = 2700 MWh >= 2000
    # cluster B: two side-by-side cells, 2 x 700 = 1400 MWh < 2000 -> demoted
    # a hybride cell between does not join; (5, 0) is two cells from A: not a neighbour
    cells = [(0, 0), (1, 1), (2, 2), (10, 10), (11, 10), (3, 2), (5, 2)]
    advice = [NET, NET, NET, NET, NET, HYB, NET]
    mwh = [900.0, 900.0, 900.0, 700.0, 700.0, 5000.0, 3000.0]
    ids = [_cell(c, r) for c, r in cells]
    t = _table(ids, advice, mwh)
    out = network_areas(t, _grid(cells), min_demand_mwh=2000.0).set_index("zone_id")
    assert zone_parameters()["network_area_min_demand_mwh"] == 2000.0
    a = [_cell(0, 0), _cell(1, 1), _cell(2, 2)]
    b = [_cell(10, 10), _cell(11, 10)]
    assert (out.loc[a, "advice"] == NET).all()
    assert out.loc[a, "network_area_mwh"].tolist() == pytest.approx([2700.0] * 3, abs=1e-9)
    assert out.loc[a, "network_area_id"].nunique() == 1
    assert (out.loc[b, "advice"] == UND).all()
    assert (out.loc[b, "advice_source"] == ADVICE_SMALL_AREA).all()
    assert (out.loc[b, "network_area_id"] == "").all()
    assert out.loc[b, "network_area_mwh"].tolist() == pytest.approx([1400.0] * 2, abs=1e-9)
    # the lone cell (5, 2) is big enough on its own: the largest area is N1
    assert out.loc[_cell(5, 2), "network_area_id"] == "N1"
    assert out.loc[a[0], "network_area_id"] == "N2"
    assert out.loc[_cell(3, 2), "advice"] == HYB
    assert out.loc[_cell(3, 2), "network_area_id"] == ""
    assert np.isnan(out.loc[_cell(3, 2), "network_area_mwh"])
    # costs and the probability of the word the zone had are kept
    t2 = t.set_index("zone_id")
    for col in ("advice_probability", "lcoh_network_p50_eur_mwh", "heat_demand_mwh"):
        assert out[col].to_numpy() == pytest.approx(t2.loc[out.index, col].to_numpy(), abs=0)
    # the input is not mutated
    assert t["advice"].tolist() == advice


def test_minimum_is_inclusive_and_changes_the_outcome() -> None:
    cells = [(0, 0), (0, 1)]
    t = _table([_cell(*c) for c in cells], [NET, NET], [1000.0, 1000.0])
    assert (network_areas(t, _grid(cells), min_demand_mwh=2000.0)["advice"] == NET).all()
    assert (network_areas(t, _grid(cells), min_demand_mwh=2000.1)["advice"] == UND).all()


def test_decided_zone_stays_and_keeps_its_group() -> None:
    # a decided warmtenet cell of 100 MWh with a model neighbour of 100 MWh: far below the
    # minimum, but the municipality decided the network: both stay
    # a decided "individueel" cell between two model warmtenet cells does not connect them
    cells = [(0, 0), (1, 0), (5, 0), (6, 0), (7, 0)]
    advice = [NET, NET, NET, IND, NET]
    src = ["vastgelegd", "model", "model", "vastgelegd", "model"]
    t = _table([_cell(*c) for c in cells], advice, [100.0, 100.0, 1500.0, 50.0, 1500.0])
    t["advice_source"] = src
    out = network_areas(t, _grid(cells), min_demand_mwh=2000.0)
    assert out["advice"].tolist() == [NET, NET, UND, IND, UND]
    assert out["advice_source"].tolist() == [
        "vastgelegd",
        "model",
        ADVICE_SMALL_AREA,
        "vastgelegd",
        ADVICE_SMALL_AREA,
    ]
    assert out["network_area_mwh"].tolist()[:2] == pytest.approx([200.0, 200.0], abs=1e-9)


def test_years_are_separate_graphs() -> None:
    cells = [(0, 0), (1, 0)]
    layer = _grid(cells)
    ids = [_cell(*c) for c in cells]
    t = pd.concat(
        [
            _table(ids, [NET, NET], [1200.0, 1200.0]).assign(year=2025),
            _table(ids, [NET, HYB], [1200.0, 1200.0]).assign(year=2050),
        ],
        ignore_index=True,
    )
    out = network_areas(t, layer, min_demand_mwh=2000.0)
    assert out["advice"].tolist() == [NET, NET, UND, HYB]
    assert out["network_area_mwh"].tolist()[:3] == pytest.approx([2400.0, 2400.0, 1200.0])


def test_sectors_touch_within_the_tolerance() -> None:
    # s1 and s2 share a side; s3 lies 0.5 m from s2 (a digitising gap); s4 is 20 m away
    polys = [
        shapely.box(0, 0, 100, 100),
        shapely.box(100, 0, 200, 100),
        shapely.box(200.5, 0, 300, 100),
        shapely.box(320, 0, 400, 100),
    ]
    zones = gpd.GeoDataFrame(
        {"zone_id": ["s1", "s2", "s3", "s4"], "area_m2": 1.0, "street_length_m": np.nan},
        geometry=polys,
        crs="EPSG:31370",
    )
    layer = ZoneLayer("sector", zones, np.zeros(0, dtype=np.int64), pd.DataFrame())
    t = _table(["s1", "s2", "s3", "s4"], [NET] * 4, [800.0, 800.0, 800.0, 1900.0])
    out = network_areas(t, layer, min_demand_mwh=2000.0, tolerance_m=1.0)
    assert out["advice"].tolist() == [NET, NET, NET, UND]
    assert out["network_area_mwh"].tolist()[:3] == pytest.approx([2400.0] * 3, abs=1e-9)
    exact = network_areas(t, layer, min_demand_mwh=2000.0, tolerance_m=0.0)
    assert exact["advice"].tolist() == [UND, UND, UND, UND]  # 1600 with s1+s2, 800 for s3


def test_street_segments_touch_at_ends_and_in_the_middle() -> None:
    # a: main street; b starts on the middle of a (a T junction); c continues a at its end;
    # d crosses nothing (parallel, 30 m off); dense d alone is too small
    lines = [
        shapely.LineString([(0, 0), (100, 0)]),
        shapely.LineString([(50, 0), (50, 80)]),
        shapely.LineString([(100, 0), (200, 0)]),
        shapely.LineString([(0, 30), (40, 30)]),
    ]
    zones = gpd.GeoDataFrame(
        {"zone_id": ["a", "b", "c", "d"], "area_m2": 1.0, "street_length_m": 100.0},
        geometry=lines,
        crs="EPSG:31370",
    )
    layer = ZoneLayer("street", zones, np.zeros(0, dtype=np.int64), pd.DataFrame())
    t = _table(["a", "b", "c", "d"], [NET] * 4, [700.0, 700.0, 700.0, 1999.0])
    out = network_areas(t, layer, min_demand_mwh=2000.0)
    assert out["advice"].tolist() == [NET, NET, NET, UND]
    assert set(out["network_area_id"][:3]) == {"N1"}
    assert sorted(touching_pairs(np.array(lines, dtype=object), 0.0).tolist()) == [[0, 1], [0, 2]]


def test_unknown_zone_and_bad_minimum_are_refused() -> None:
    layer = _grid([(0, 0)])
    with pytest.raises(InputError, match="niet in de zonelaag"):
        network_areas(_table(["100mE9N9"], [NET], [1.0]), layer)
    with pytest.raises(InputError, match="min_demand_mwh"):
        network_areas(_table([_cell(0, 0)], [NET], [1.0]), layer, min_demand_mwh=float("nan"))


# ------------------------------------------------------------------ brute-force reference
def _reference(
    cells: np.ndarray, net: np.ndarray, mwh: np.ndarray, least: float
) -> tuple[np.ndarray, np.ndarray]:
    """Plain Python: flood fill over the 8-neighbourhood of the warmtenet cells."""
    where = {(int(c), int(r)): i for i, (c, r) in enumerate(cells)}
    group = np.full(len(cells), -1)
    k = 0
    for start in range(len(cells)):
        if not net[start] or group[start] >= 0:
            continue
        stack = [start]
        group[start] = k
        while stack:
            i = stack.pop()
            c, r = cells[i]
            for dc, dr in itertools.product((-1, 0, 1), repeat=2):
                j = where.get((int(c) + dc, int(r) + dr))
                if j is not None and net[j] and group[j] < 0:
                    group[j] = k
                    stack.append(j)
        k += 1
    total = np.full(len(cells), np.nan)
    for g in range(k):
        total[group == g] = mwh[group == g].sum()
    demoted = net & (total < least)
    return total, demoted


@pytest.mark.parametrize("seed", range(6))
def test_grid_matches_a_flood_fill(seed: int) -> None:
    rng = np.random.default_rng(seed)
    side = int(rng.integers(3, 25))
    n = int(rng.integers(1, side * side))
    flat = rng.choice(side * side, size=n, replace=False)
    cells = np.column_stack([flat % side + 1000, flat // side + 2000])
    net = rng.random(n) < 0.6
    mwh = rng.uniform(0.0, 1000.0, n)
    advice = np.where(net, NET, HYB)
    ids = [_cell(int(c), int(r)) for c, r in cells]
    t = _table(ids, list(advice), list(mwh))
    out = network_areas(t, _grid([tuple(c) for c in cells]), min_demand_mwh=1500.0)
    total, demoted = _reference(cells, net, mwh, 1500.0)
    np.testing.assert_allclose(out["network_area_mwh"].to_numpy(), total, rtol=1e-12)
    assert (out["advice"].to_numpy() == UND).tolist() == demoted.tolist()
    # rows in the same group share an id, rows in different kept groups do not
    kept = net & ~demoted
    ident = out["network_area_id"].to_numpy()
    assert (ident[kept] != "").all()
    assert (ident[~kept] == "").all()


@pytest.mark.parametrize("seed", range(4))
def test_grid_neighbours_match_all_pairs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    flat = rng.choice(400, size=int(rng.integers(2, 200)), replace=False)
    col, row = flat % 20 - 7, flat // 20 + 3
    got = {tuple(sorted(p)) for p in grid_neighbours(col, row).tolist()}
    want = {
        (i, j)
        for i, j in itertools.combinations(range(len(col)), 2)
        if max(abs(col[i] - col[j]), abs(row[i] - row[j])) == 1
    }
    assert got == want
    assert len(grid_neighbours(col, row)) == len(want)  # each pair once


# ------------------------------------------------------------------ in the heat plan
def test_the_heat_plan_of_the_demo_town_has_only_viable_areas(demo_heat: DemoHeat) -> None:
    from buildings.sectors import sector_outlines
    from buildings.twin import read_twin_sectors
    from scenarios.catalogue import load_catalogue
    from scenarios.heat.io_plan import warmteplan_md
    from scenarios.heat.plan import HeatPlanInputs, heat_plan

    timings: dict[str, float] = {}
    plan = heat_plan(
        HeatPlanInputs(
            twin=demo_heat.twin,
            sectors=sector_outlines(demo_heat.twin, read_twin_sectors(demo_heat.twin_path)),
            catalogue=load_catalogue(),
            today=2025,
            states=demo_heat.states,
            runs=20,
            layers=("sector", "grid"),
        ),
        timings,
    )
    assert {"sector:areas", "grid:areas"} <= set(timings)
    least = zone_parameters()["network_area_min_demand_mwh"]
    for name, layer in plan.layers.items():
        net = layer["advice"] == NET
        assert (layer.loc[net, "network_area_id"] != "").all(), name
        assert (layer.loc[net, "network_area_mwh"] >= least - 1e-9).all(), name
        # an area's demand is the sum of its zones' demands
        sums = layer[net].groupby(["year", "network_area_id"])
        np.testing.assert_allclose(
            sums["heat_demand_mwh"].sum(), sums["network_area_mwh"].first(), rtol=1e-12
        )
        demoted = layer["advice_source"] == ADVICE_SMALL_AREA
        assert (layer.loc[demoted, "advice"] == UND).all()
        assert (layer.loc[~net, "network_area_id"] == "").all()
    grid = plan.layers["grid"]
    n_demoted = int(((grid["year"] == 2025) & (grid["advice_source"] == ADVICE_SMALL_AREA)).sum())
    assert n_demoted > 0  # the demo town has small dense clusters outside its centre
    assert f"rooster van 100 m: {n_demoted} zones" in warmteplan_md(plan, "Demo")
    # the rule is idempotent: the kept areas are whole components, so applying it again to
    # the plan's own advice demotes nothing more
    layer = grid_layer(plan.demand["x"].to_numpy(), plan.demand["y"].to_numpy())
    again = network_areas(pd.DataFrame(grid.drop(columns="geometry")), layer)
    assert again["advice"].tolist() == grid["advice"].tolist()
