"""Heat zones: grid, sectors, streets and the sums per zone, against hand-worked figures and invariants."""

from __future__ import annotations

import math
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.heat.zones import (
    ZONE_TABLE_COLUMNS,
    _checked_parameters,
    aggregate,
    aggregate_years,
    catchment_areas,
    grid_layer,
    sector_layer,
    street_layer,
    zone_parameters,
)
from scenarios.heat.zones_benchmark import benchmark_grid, main
from sim.errors import InputError

X0, Y0 = 156_500.0, 239_500.0  # Essen centre (EPSG:31370), the extent of the shared DHM tiles


def _dwellings(x: list[float], y: list[float], **cols: object) -> pd.DataFrame:
    n = len(x)
    base: dict[str, object] = {
        "dwelling_id": [f"d{i}" for i in range(n)],
        "building_id": [f"b{i}" for i in range(n)],
        "year": 2025,
        "x": x,
        "y": y,
        "heat_demand_kwh": [10_000.0] * n,
        "floor_area_m2": [100.0] * n,
    }
    base.update(cols)
    return pd.DataFrame(base)


# ------------------------------------------------------------------------------- grid
def test_grid_cells_are_aligned_on_multiples_of_the_side_with_stable_ids() -> None:
    d = _dwellings(
        [X0 + 12.0, X0 + 99.999, X0 + 100.0, X0 - 0.5, np.nan],
        [Y0 + 87.0, Y0 + 1.0, Y0 + 1.0, Y0 + 1.0, Y0],
    )
    layer = grid_layer(d["x"], d["y"])
    # a point on the border belongs to the cell east of it (floor)
    assert layer.zones["zone_id"].tolist() == ["100mE1564N2395", "100mE1565N2395", "100mE1566N2395"]
    assert layer.zone_of.tolist() == [1, 1, 2, 0, -1]
    assert layer.zones.crs == "EPSG:31370"
    np.testing.assert_allclose(layer.zones["area_m2"], 10_000.0, rtol=0, atol=0)
    assert layer.zones.geometry.iloc[1].equals(shapely.box(X0, Y0, X0 + 100, Y0 + 100))
    assert layer.rejects["row"].tolist() == [4]
    assert "geen geldige coördinaten" in layer.rejects["reason"].iloc[0]
    # another cell side
    assert grid_layer([X0 + 260.0], [Y0 + 10.0], cell_m=250.0).zones["zone_id"].tolist() == [
        "250mE627N958"
    ]


def test_zone_parameters_are_checked_against_their_range() -> None:
    ref = resources.files("scenarios.data").joinpath("heat_zones.csv")
    with resources.as_file(ref) as path:
        table = pd.read_csv(path, comment="#")
    assert _checked_parameters(table) == zone_parameters()
    assert (table["low"] <= table["value"]).all() and (table["value"] <= table["high"]).all()
    wide = table.copy()
    wide.loc[wide["key"] == "street_corridor_half_width_m", "value"] = 500.0
    with pytest.raises(
        InputError,
        match=r"street_corridor_half_width_m: waarde 500.0 ligt niet tussen low 30.0 en high 100.0",
    ):
        _checked_parameters(wide)
    text = table.astype({"low": object})
    text.loc[text["key"] == "grid_cell_m", "low"] = "honderd"
    with pytest.raises(InputError, match="grid_cell_m: waarde, low en high moeten getallen zijn"):
        _checked_parameters(text)
    with pytest.raises(InputError, match="high: kolom ontbreekt"):
        _checked_parameters(table.drop(columns="high"))


def test_grid_default_side_comes_from_the_data_file() -> None:
    assert zone_parameters()["grid_cell_m"] == 100.0
    with pytest.raises(InputError, match="celgrootte"):
        grid_layer([X0], [Y0], cell_m=0.0)
    with pytest.raises(InputError, match="x heeft 2 waarden, y 1"):
        grid_layer([X0, X0], [Y0])


def test_aggregate_by_hand_one_cell() -> None:
    # three dwellings in one cell, two of them in one building; a fourth in the next cell
    d = _dwellings(
        [X0 + 10, X0 + 10, X0 + 60, X0 + 150],
        [Y0 + 10, Y0 + 10, Y0 + 40, Y0 + 40],
        building_id=["a", "a", "b", "c"],
        heat_demand_kwh=[12_000.0, 9_000.0, 24_000.0, 5_000.0],
        floor_area_m2=[90.0, 80.0, 150.0, 60.0],
    )
    t = aggregate(grid_layer(d["x"], d["y"]), d)
    assert list(t.columns) == list(ZONE_TABLE_COLUMNS)
    first = t.iloc[0]
    assert first["zone_id"] == "100mE1565N2395"
    assert (first["n_dwellings"], first["n_buildings"], first["year"]) == (3, 2, 2025)
    # 45 MWh on 1 ha; floor 320 m2 on 10,000 m2
    assert first["heat_demand_mwh"] == pytest.approx(45.0, rel=1e-12)
    assert first["heat_density_mwh_ha"] == pytest.approx(45.0, rel=1e-12)
    assert first["plot_ratio"] == pytest.approx(0.032, rel=1e-12)
    assert math.isnan(first["street_length_m"]) and math.isnan(first["linear_heat_density_mwh_m"])
    assert t.iloc[1]["heat_demand_mwh"] == pytest.approx(5.0, rel=1e-12)


def test_aggregate_refuses_bad_frames_in_dutch() -> None:
    d = _dwellings([X0, X0 + 1], [Y0, Y0], heat_demand_kwh=[np.nan, -1.0])
    layer = grid_layer(d["x"], d["y"])
    with pytest.raises(
        InputError,
        match=r"heat_demand_kwh: ontbreekt, is geen getal of is negatief -- rijen 1, 2 "
        r"\(vanaf 1 geteld\)",
    ):
        aggregate(layer, d)
    good = _dwellings([X0, X0 + 1], [Y0, Y0], year=[2025, 2030])
    with pytest.raises(
        InputError, match=r"2 jaren \(2025, 2030\) in één tabel: gebruik aggregate_years"
    ):
        aggregate(grid_layer(good["x"], good["y"]), good)
    with pytest.raises(InputError, match="zonelaag grid is gemaakt op 2 rijen"):
        aggregate(layer, good.iloc[:1])
    with pytest.raises(InputError, match="kolommen ontbreken: floor_area_m2"):
        aggregate(layer, good.drop(columns="floor_area_m2"))


def test_aggregate_years_equals_aggregate_of_each_year() -> None:
    rng = np.random.default_rng(3)
    n = 200
    x, y = X0 + rng.uniform(0, 400, n), Y0 + rng.uniform(0, 300, n)
    years = [2025, 2030, 2050]
    frames = [
        _dwellings(list(x), list(y), year=yr, heat_demand_kwh=rng.uniform(0, 3e4, n))
        for yr in years
    ]
    both = pd.concat(frames, ignore_index=True)
    together = aggregate_years(grid_layer(both["x"], both["y"]), both)
    apart = pd.concat([aggregate(grid_layer(f["x"], f["y"]), f) for f in frames])
    key = ["zone_id", "year"]
    pd.testing.assert_frame_equal(
        together.sort_values(key).reset_index(drop=True),
        apart.sort_values(key).reset_index(drop=True),
        rtol=1e-12,
    )


@st.composite
def _frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    coord = st.one_of(st.floats(-150.0, 450.0), st.just(np.nan))
    xs = draw(st.lists(coord, min_size=n, max_size=n))
    ys = draw(st.lists(st.floats(-150.0, 450.0), min_size=n, max_size=n))
    demand = draw(st.lists(st.floats(0.0, 1e6), min_size=n, max_size=n))
    floor = draw(st.lists(st.floats(0.0, 1e3), min_size=n, max_size=n))
    buildings = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    years = draw(st.lists(st.sampled_from([2025, 2030]), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "building_id": [f"b{b}" for b in buildings],
            "year": years,
            "x": np.array(xs) + X0,
            "y": np.array(ys) + Y0,
            "heat_demand_kwh": demand,
            "floor_area_m2": floor,
        }
    )


def _layers(d: pd.DataFrame) -> list:
    streets = gpd.GeoDataFrame(
        {"segment_id": ["s1", "s2", "s3"]},
        geometry=[
            shapely.LineString([(X0, Y0), (X0 + 300, Y0)]),
            shapely.LineString([(X0 + 300, Y0), (X0 + 300, Y0 + 300)]),
            shapely.LineString([(X0, Y0 + 200), (X0 + 300, Y0 + 200)]),
        ],
        crs="EPSG:31370",
    )
    return [
        grid_layer(d["x"], d["y"], cell_m=50.0),
        street_layer(streets, d["x"], d["y"], max_distance_m=80.0, spacing_m=10.0),
    ]


@settings(max_examples=60, deadline=None)
@given(_frames(), st.randoms(use_true_random=False))
def test_zone_sums_close_and_do_not_depend_on_row_order(d: pd.DataFrame, rnd: object) -> None:
    perm = np.arange(len(d))
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    shuffled = d.iloc[perm].reset_index(drop=True)
    for layer, layer_s in zip(_layers(d), _layers(shuffled), strict=True):
        t = aggregate_years(layer, d)
        # every row in a zone or in the rejects, never both
        rejected = d.iloc[layer.rejects["row"].to_numpy()]
        assert len(rejected) + int((layer.zone_of >= 0).sum()) == len(d)
        assert set(layer.rejects["row"]) == set(np.flatnonzero(layer.zone_of < 0))
        for year in (2025, 2030):
            total = d.loc[d["year"] == year, "heat_demand_kwh"].sum() / 1000.0
            in_zones = t.loc[t["year"] == year, "heat_demand_mwh"].sum()
            out = rejected.loc[rejected["year"] == year, "heat_demand_kwh"].sum() / 1000.0
            assert in_zones + out == pytest.approx(total, rel=1e-9, abs=1e-9)
        assert int(t["n_dwellings"].sum()) == int((layer.zone_of >= 0).sum())
        np.testing.assert_allclose(
            t["heat_density_mwh_ha"], t["heat_demand_mwh"] / t["area_ha"], rtol=1e-12
        )
        # the same table from the shuffled rows (order of zones and years is the layer's)
        key = ["zone_id", "year"]
        pd.testing.assert_frame_equal(
            t.sort_values(key).reset_index(drop=True),
            aggregate_years(layer_s, shuffled).sort_values(key).reset_index(drop=True),
            rtol=1e-9,
        )


# ------------------------------------------------------------------------------- sectors
def _sectors(crs: str = "EPSG:31370") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"sector_id": ["36011A001", "36011A000"]},
        geometry=[
            shapely.box(X0 + 200, Y0, X0 + 400, Y0 + 100),
            shapely.box(X0, Y0, X0 + 200, Y0 + 300),
        ],
        crs="EPSG:31370",
    ).to_crs(crs)


def test_sector_layer_uses_polygon_areas_and_lists_dwellings_without_sector() -> None:
    sid = pd.array(["36011A000", "36011A001", None, "", "99999X999"], dtype="string")
    d = _dwellings([X0] * 5, [Y0] * 5, sector_id=sid)
    layer = sector_layer(_sectors(), d["sector_id"])
    assert layer.zones["zone_id"].tolist() == ["36011A000", "36011A001"]  # ordered by id
    np.testing.assert_allclose(layer.zones["area_m2"], [60_000.0, 20_000.0], rtol=1e-12)
    assert layer.zone_of.tolist() == [0, 1, -1, -1, -1]
    assert layer.rejects["reason"].tolist() == [
        "geen statistische sector (sector_id ontbreekt)",
        "geen statistische sector (sector_id ontbreekt)",
        "sector 99999X999 ontbreekt in de sectorlaag",
    ]
    t = aggregate(layer, d)
    assert t["heat_density_mwh_ha"].tolist() == pytest.approx([10.0 / 6.0, 10.0 / 2.0], rel=1e-12)


def test_sector_layer_in_lambert_2008_gives_the_same_areas_and_refuses_degrees() -> None:
    sid = ["36011A000"]
    a = sector_layer(_sectors("EPSG:3812"), sid).zones["area_m2"]
    np.testing.assert_allclose(a, [60_000.0, 20_000.0], rtol=1e-6)
    with pytest.raises(InputError, match=r"geografisch coördinatenstelsel .*graden"):
        sector_layer(_sectors("EPSG:4326"), sid)
    with pytest.raises(InputError, match="geen coördinatenstelsel"):
        sector_layer(_sectors().set_crs(None, allow_override=True), sid)
    dup = pd.concat([_sectors(), _sectors()], ignore_index=True)
    with pytest.raises(InputError, match="id komt meermaals voor"):
        sector_layer(dup, sid)


# ------------------------------------------------------------------------------- streets
def _street(coords: list[tuple[float, float]]) -> shapely.LineString:
    return shapely.LineString([(X0 + a, Y0 + b) for a, b in coords])


def test_isolated_segment_catchment_is_its_rounded_corridor() -> None:
    d, length = 50.0, 100.0
    area = catchment_areas(np.array([_street([(0, 0), (length, 0)])]), np.array([0]), d, 5.0)
    # the buffer's arcs are polygons: 0.2 % short of the half discs
    assert area[0] == pytest.approx(2 * d * length + math.pi * d * d, rel=0.005)


def test_catchments_split_the_land_and_never_count_it_twice() -> None:
    # two parallel streets 40 m apart (corridors of 50 m overlap) and a cross street
    lines = np.array(
        [
            _street([(0, 0), (200, 0)]),
            _street([(0, 40), (200, 40)]),
            _street([(200, -60), (200, 120), (260, 200)]),
        ]
    )
    d = 50.0
    areas = catchment_areas(lines, np.arange(3), d, 2.0)
    union = shapely.union_all(shapely.buffer(lines, d)).area
    assert areas.sum() == pytest.approx(union, rel=0.005)
    # the two parallel streets get the same share
    assert areas[0] == pytest.approx(areas[1], rel=0.01)


def _lattice_catchments(lines: np.ndarray, d: float, cell: float) -> np.ndarray:
    """Slow, plain reference: a lattice over the area, each point to its nearest line (all
    distances computed), counted where that distance is within d. Where two segments meet at a
    node, the land whose nearest point on both is the node is a tie: shared equally (the
    Voronoi method splits it along the bisector, the same in area for equal angles)."""
    x0, y0, x1, y1 = shapely.total_bounds(lines)
    gx = np.arange(x0 - d, x1 + d, cell) + cell / 2
    gy = np.arange(y0 - d, y1 + d, cell) + cell / 2
    px, py = (a.ravel() for a in np.meshgrid(gx, gy))
    dist = shapely.distance(shapely.points(px, py)[:, None], lines[None, :])
    best = dist.min(axis=1, keepdims=True)
    tie = (dist <= best + 1e-9) & (best <= d)
    weight = tie / np.maximum(tie.sum(axis=1, keepdims=True), 1)
    return weight.sum(axis=0) * cell * cell


def test_catchments_agree_with_a_brute_force_lattice() -> None:
    # a small network: a junction, a bend, a dead end, a square ring and a street 30 m off
    lines = np.array(
        [
            _street([(0, 0), (120, 0)]),
            _street([(120, 0), (240, 10)]),
            _street([(120, 0), (120, 90), (180, 150)]),
            _street([(-60, 60), (60, 60)]),
            _street([(0, 30), (100, 30)]),
            _street([(240, 10), (260, 30), (240, 50), (220, 30), (240, 10)]),
        ]
    )
    fast = catchment_areas(lines, np.arange(len(lines)), 50.0, 2.0)
    slow = _lattice_catchments(lines, 50.0, 2.0)
    np.testing.assert_allclose(fast, slow, rtol=0.015)
    # a subset gives the same areas
    np.testing.assert_allclose(catchment_areas(lines, np.array([4, 1]), 50.0, 2.0), fast[[4, 1]])


def _random_segments(n: int, x0: float, y0: float, span: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.uniform(0, span, (n, 2)) + np.array([x0, y0])
    angle, length = rng.uniform(0, math.pi, n), rng.uniform(30, 150, n)
    b = a + np.column_stack([np.cos(angle) * length, np.sin(angle) * length])
    return np.asarray(shapely.linestrings(np.stack([a, b], axis=1)), dtype=object)


def test_far_away_segments_leave_every_catchment_identical(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a municipality's 300 segments, 50 of them taking dwellings, and 3,000 segments of the rest
    # of Flanders 10-30 km away, given before and after them (a Wegenregister of all Flanders)
    local = _random_segments(300, X0, Y0, 1_500.0, seed=1)
    far = _random_segments(3_000, X0 - 10_000.0, Y0 + 10_000.0, 20_000.0, seed=2)
    which = np.sort(np.random.default_rng(3).choice(len(local), 50, replace=False))
    # count the points of each Voronoi diagram: the work, without timing it
    diagram_points: list[int] = []
    voronoi = shapely.voronoi_polygons

    def counting(points: object, **kw: object) -> object:
        diagram_points.append(int(shapely.get_num_geometries(points)))
        return voronoi(points, **kw)

    monkeypatch.setattr(shapely, "voronoi_polygons", counting)
    alone = catchment_areas(local, which, 50.0, 5.0)
    everything = np.concatenate([far[:1_500], local, far[1_500:]])
    areas = catchment_areas(everything, which + 1_500, 50.0, 5.0)
    # only the segments near the wanted ones enter the diagram, not the 3,000 far ones
    assert diagram_points[0] == diagram_points[1] < shapely.length(local).sum() / 5.0
    np.testing.assert_array_equal(areas, alone)
    # the street layer on all of them: the same zones with the same areas
    streets = gpd.GeoDataFrame(
        {"segment_id": [f"s{i}" for i in range(len(everything))]},
        geometry=everything,
        crs="EPSG:31370",
    )
    mid = shapely.line_interpolate_point(local[which], 0.5, normalized=True)
    x, y = shapely.get_x(mid) + 1.0, shapely.get_y(mid) + 1.0
    layer = street_layer(streets, x, y, max_distance_m=50.0, spacing_m=5.0)
    small = street_layer(streets.iloc[1_500:1_800], x, y, max_distance_m=50.0, spacing_m=5.0)
    assert len(layer.zones) > 40
    pd.testing.assert_frame_equal(pd.DataFrame(layer.zones), pd.DataFrame(small.zones))
    np.testing.assert_array_equal(layer.zone_of, small.zone_of)


def test_a_near_segment_without_dwellings_still_takes_its_share() -> None:
    # a segment 60 m off takes no dwelling but the land nearer to it: the wanted catchment shrinks
    wanted = _street([(0, 0), (100, 0)])
    lines = np.array([_street([(0, 60), (100, 60)]), wanted, _street([(5_000, 0), (5_100, 0)])])
    alone = catchment_areas(np.array([wanted]), np.array([0]), 50.0, 2.0)[0]
    shared = catchment_areas(lines, np.array([1]), 50.0, 2.0)[0]
    # the bisector lies 30 m north: lost are the strip 30-50 m (20 m x 100 m) and, at each end,
    # the part of the quarter disc of 50 m above 30 m
    cap = 1250 * math.pi / 2 - (15 * 40 + 1250 * math.asin(0.6))
    assert alone - shared == pytest.approx(20 * 100 + 2 * cap, rel=0.01)


def test_street_layer_by_hand() -> None:
    streets = gpd.GeoDataFrame(
        {"segment_id": ["w1", "w2", "w3"]},
        geometry=[
            _street([(0, 0), (100, 0)]),
            _street([(0, 100), (100, 100)]),
            _street([(500, 500), (600, 500)]),  # takes no dwelling: no zone
        ],
        crs="EPSG:31370",
    )
    d = _dwellings(
        [X0 + 20, X0 + 50, X0 + 50, X0 + 400],
        [Y0 + 15, Y0 + 60, Y0 + 60, Y0 + 0],
        building_id=["a", "b", "b", "c"],
        heat_demand_kwh=[20_000.0, 30_000.0, 10_000.0, 5_000.0],
    )
    layer = street_layer(streets, d["x"], d["y"], max_distance_m=50.0, spacing_m=2.0)
    assert layer.zones["zone_id"].tolist() == ["w1", "w2"]
    assert layer.zone_of.tolist() == [0, 1, 1, -1]
    assert layer.rejects["reason"].tolist() == [
        "geen straatas binnen 50 m (dichtstbijzijnde op 300 m)"
    ]
    # two parallel 100 m streets 100 m apart with d = 50: each 100 x 100 m + a half disc at each end
    np.testing.assert_allclose(layer.zones["area_m2"], 100 * 100 + math.pi * 50**2, rtol=0.02)
    t = aggregate(layer, d)
    assert t["street_length_m"].tolist() == [100.0, 100.0]
    assert t["linear_heat_density_mwh_m"].tolist() == pytest.approx([0.2, 0.4], rel=1e-12)
    assert t["n_buildings"].tolist() == [1, 1]
    r = d.iloc[layer.rejects["row"].to_numpy()]
    assert r["dwelling_id"].tolist() == ["d3"] and r["heat_demand_kwh"].tolist() == [5_000.0]


def test_street_layer_refuses_bad_streets() -> None:
    ok = gpd.GeoDataFrame(
        {"segment_id": ["w1"]}, geometry=[_street([(0, 0), (100, 0)])], crs="EPSG:31370"
    )
    with pytest.raises(InputError, match=r"geografisch coördinatenstelsel .*graden"):
        street_layer(ok.to_crs("EPSG:4326"), [X0], [Y0])
    pts = gpd.GeoDataFrame(
        {"segment_id": ["p"]}, geometry=[shapely.Point(X0, Y0)], crs="EPSG:31370"
    )
    with pytest.raises(InputError, match="geen lijn"):
        street_layer(pts, [X0], [Y0])
    with pytest.raises(InputError, match="geen enkel straatsegment"):
        street_layer(ok.iloc[:0], [X0], [Y0])
    # Lambert 2008 is reprojected: the same zone
    layer = street_layer(ok.to_crs("EPSG:3812"), [X0 + 50], [Y0 + 10])
    assert layer.zone_of.tolist() == [0]
    assert layer.zones["street_length_m"].iloc[0] == pytest.approx(100.0, abs=0.01)


def test_benchmark_runs_and_prints_its_figure(capsys: pytest.CaptureFixture[str]) -> None:
    # the figure for 3.3 M dwellings x 3 years is in the report; here a small run only shows it works
    r = benchmark_grid(30_000)
    # every dwelling stands in its cell in each of the 3 years: one zone row per cell and year
    assert r["cells"] > 1_000 and r["zone_rows"] == 3 * r["cells"]
    main(["3000"])
    assert capsys.readouterr().out.startswith("9,000 rows (3,000 dwellings x 3 years), ")
