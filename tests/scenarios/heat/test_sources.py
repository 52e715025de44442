"""Heat sources and the transmission pipe to a heat-network area (scenarios.heat.sources).

References used here, independent of the module's vectorised path: the transmission cost of one
area worked by hand (distance, Hotmaps' cost per metre, annuity, connected demand); every Monte
Carlo draw of the network's LCOH checked against the formula with that draw's parameters;
invariants (a source inside the area costs nothing; a farther source never costs less); the
demo town's plan with and without sources.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from buildings.errors import SourceFileError
from scenarios.heat.costs import (
    ADVICE_FAR_SOURCE,
    ADVICE_FIXED,
    STRATEGIES,
    DwellingCostInputs,
    ZoneCostInputs,
    shipped_parameters,
    zone_lcoh,
)
from scenarios.heat.sources import (
    AREA_TRANSMISSION_COLUMNS,
    TRANSMISSION_COLUMNS,
    area_transmission,
    demo_heat_sources,
    read_heat_sources,
    transmission_pipe_cost_eur_m,
    write_heat_sources,
)
from scenarios.heat.zones import ZoneLayer, grid_layer, zone_parameters
from sim.errors import InputError
from tests.conftest import DemoHeat

NET = STRATEGIES.index("network")


def _sources(names, xy, crs="EPSG:31370", **fields) -> gpd.GeoDataFrame:
    x, y = zip(*xy, strict=True)
    return gpd.GeoDataFrame({"naam": names, **fields}, geometry=gpd.points_from_xy(x, y), crs=crs)


def _problems(path: Path) -> str:
    with pytest.raises(SourceFileError) as info:
        read_heat_sources(path)
    return str(info.value)


# ------------------------------------------------------------------ reading the file
def test_read_gpkg_and_shapefile_with_its_cut_field_names(tmp_path: Path) -> None:
    src = _sources(
        ["RWZI Noord", "Bakkerij"],
        [(70_000.0, 190_000.0), (70_500.0, 190_200.0)],
        vermogen_kw=[800.0, np.nan],
        prijs_eur_mwh=[np.nan, 20.0],
    )
    for name in ("bronnen.gpkg", "bronnen.shp"):
        got = read_heat_sources(write_heat_sources(src, tmp_path / name))
        assert got["naam"].tolist() == ["RWZI Noord", "Bakkerij"]
        np.testing.assert_array_equal(got["vermogen_kw"], [800.0, np.nan])
        np.testing.assert_array_equal(got["prijs_eur_mwh"], [np.nan, 20.0])
        assert got.crs.to_epsg() == 31370
    # the Shapefile really has the 10-character names
    assert {"vermogen_k", "prijs_eur_"} <= set(gpd.read_file(tmp_path / "bronnen.shp").columns)


def test_lambert_2008_is_reprojected(tmp_path: Path) -> None:
    src = _sources(["A"], [(70_000.0, 190_000.0)]).to_crs(3812)
    got = read_heat_sources(write_heat_sources(src, tmp_path / "b.gpkg"))
    assert got.geometry.x[0] == pytest.approx(70_000.0, abs=0.01)  # [m]
    assert got.geometry.y[0] == pytest.approx(190_000.0, abs=0.01)  # [m]


def test_degrees_are_refused_as_a_crs_and_as_coordinates(tmp_path: Path) -> None:
    wgs = _sources(["A"], [(3.1, 51.0)], crs="EPSG:4326")
    text = _problems(write_heat_sources(wgs, tmp_path / "wgs.gpkg"))
    assert "wgs.gpkg" in text and "graden" in text and "EPSG:31370" in text
    # degrees saved as if they were Lambert 72
    mislabelled = _sources(["Kaai", "Gemaal"], [(3.1, 51.0), (70_000.0, 190_000.0)])
    text = _problems(write_heat_sources(mislabelled, tmp_path / "mis.gpkg"))
    assert "graden" in text and "Kaai" in text and "Gemaal" not in text


def test_sources_outside_belgium_are_refused(tmp_path: Path) -> None:
    far = _sources(["Ver", "Kaai"], [(70_000.0, 990_000.0), (70_000.0, 190_000.0)])
    text = _problems(write_heat_sources(far, tmp_path / "ver.gpkg"))
    assert "ver.gpkg" in text and "warmtebronnen buiten België: Ver;" in text
    # Lambert 2008 coordinates saved as Lambert 72: the file's CRS is wrong
    mislabelled = _sources(["A"], [(570_000.0, 690_000.0)])
    text = _problems(write_heat_sources(mislabelled, tmp_path / "l08.gpkg"))
    assert "l08.gpkg" in text and "geen enkele geometrie" in text and ".prj" in text


def test_no_crs_is_refused(tmp_path: Path) -> None:
    src = _sources(["A"], [(70_000.0, 190_000.0)], crs=None)
    path = tmp_path / "geen.shp"
    src.to_file(path, driver="ESRI Shapefile")
    text = _problems(path)
    assert "geen.shp" in text and "geen coördinatenstelsel" in text


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    src = gpd.GeoDataFrame(
        {
            "naam": ["Kaai", "", "Kaai", "Gemaal", "Vlak"],
            "vermogen_kw": [100.0, 200.0, -5.0, 300.0, 400.0],
            "prijs_eur_mwh": [10.0, 10.0, 10.0, -1.0, 10.0],
        },
        geometry=[
            shapely.Point(70_000, 190_000),
            shapely.Point(70_100, 190_000),
            shapely.Point(70_200, 190_000),
            shapely.Point(70_300, 190_000),
            shapely.box(70_400, 190_000, 70_450, 190_050),
        ],
        crs="EPSG:31370",
    )
    path = tmp_path / "bronnen.gpkg"
    src.to_file(path)
    with pytest.raises(SourceFileError) as info:
        read_heat_sources(path)
    err = info.value
    text = str(err)
    assert "warmtebronnen" in text and "bronnen.gpkg" in text
    assert "bronnen zonder naam: rij 2" in text
    assert "namen komen meer dan eens voor: Kaai" in text
    assert "geen punt" in text and "Vlak" in text
    assert {"naam", "vermogen_kw", "prijs_eur_mwh", "geometry"} <= set(err.fields)
    by_field = {p.field: p for p in err.problems if p.field in ("vermogen_kw", "prijs_eur_mwh")}
    assert "Kaai" in by_field["vermogen_kw"].message and by_field["vermogen_kw"].rows == (2,)
    assert "Gemaal" in by_field["prijs_eur_mwh"].message and by_field["prijs_eur_mwh"].rows == (3,)


def test_missing_name_field_empty_file_and_missing_file(tmp_path: Path) -> None:
    src = gpd.GeoDataFrame(
        {"name": ["A"]}, geometry=[shapely.Point(70_000, 190_000)], crs="EPSG:31370"
    )
    src.to_file(tmp_path / "a.gpkg")
    text = _problems(tmp_path / "a.gpkg")
    assert "naam" in text and "gevonden velden: name" in text
    src.iloc[:0].to_file(tmp_path / "leeg.gpkg")
    assert "geen warmtebronnen" in _problems(tmp_path / "leeg.gpkg")
    assert "niet gevonden" in _problems(tmp_path / "nergens.gpkg")


def test_text_in_a_number_field_is_named_and_blank_text_is_empty(tmp_path: Path) -> None:
    xy = [(70_000.0, 190_000.0), (70_100.0, 190_000.0), (70_200.0, 190_000.0)]
    src = _sources(["A", "B", "C"], xy)
    src["prijs_eur_mwh"] = ["veel", "12", " "]
    text = _problems(write_heat_sources(src.assign(vermogen_kw=np.nan), tmp_path / "t.gpkg"))
    named = text.split("geen getal:")[1].split(";")[0]
    assert "A" in named and "B" not in named and "C" not in named
    src["prijs_eur_mwh"] = ["", "12", " "]
    got = read_heat_sources(write_heat_sources(src, tmp_path / "ok.gpkg"))
    np.testing.assert_array_equal(got["prijs_eur_mwh"], [np.nan, 12.0, np.nan])


# ------------------------------------------------------------------ the pipe
def test_pipe_cost_per_metre_follows_hotmaps_table() -> None:
    # points of Hotmaps' trans_line_cap_cost (CM_TUW23/f0_main_call.py) and the midpoints
    got = transmission_pipe_cost_eur_m([0.2, 0.6, 20.0, 1000.0, 0.45, 0.1, 0.0])
    np.testing.assert_allclose(got, [195, 220, 426, 2683, 206 + 0.5 * 14, 195, 195], rtol=1e-12)
    q = np.linspace(0.0, 1500.0, 3001)
    assert (np.diff(transmission_pipe_cost_eur_m(q)) >= 0).all()


def _row_of_cells(n: int, mwh: float) -> tuple[ZoneLayer, pd.DataFrame]:
    """``n`` grid cells in a row (x 0..n*100 m, y 0..100 m), one network area N1."""
    layer = grid_layer(np.arange(n) * 100.0 + 50.0, np.full(n, 50.0))
    table = pd.DataFrame(
        {
            "zone_id": layer.zones["zone_id"].astype(str),
            "year": 2025,
            "heat_demand_mwh": mwh,
            "network_area_id": "N1",
        }
    )
    return layer, table


def test_transmission_cost_of_one_area_worked_by_hand() -> None:
    params = shipped_parameters()
    # the central values this hand calculation is made with (data file)
    assert params.value("connection_rate") == 0.6
    assert params.value("transmission_full_load_hours") == 3000.0
    assert params.value("transmission_route_factor") == 1.2
    assert params.value("pipe_cost_factor") == 1.0
    assert params.value("discount_rate") == 0.04
    assert params.value("network_lifetime_years") == 30.0
    assert params.value("network_om_share") == 0.01
    layer, table = _row_of_cells(3, 1000.0)  # cells x 0-300 m
    src = _sources(["Kaai"], [(800.0, 50.0)], vermogen_kw=[np.nan], prijs_eur_mwh=[np.nan])
    got = area_transmission(table, layer, src, params).iloc[0]
    # by hand: 500 m from the source to the east edge of the third cell (x = 300 m)
    distance = 500.0
    connected = 0.6 * 3 * 1000.0  # 1,800 MWh/a
    capacity = connected / 3000.0  # 0.6 MW: a point of the table, 220 EUR/m
    investment = distance * 220.0  # 110,000 EUR
    annuity = 0.04 / (1.0 - 1.04**-30)  # 0.0578301 /a
    per_mwh = investment * 1.2 * 1.0 * (annuity + 0.01) / connected
    assert annuity == pytest.approx(0.0578301, abs=1e-7)
    assert per_mwh == pytest.approx(4.974207, abs=1e-6)  # [EUR/MWh]
    assert got["source_name"] == "Kaai"
    assert got["source_distance_m"] == pytest.approx(distance, abs=1e-9)  # [m]
    assert got["capacity_mw"] == pytest.approx(capacity, rel=1e-12)
    assert got["pipe_cost_eur_m"] == pytest.approx(220.0, rel=1e-12)
    assert got["transmission_investment_eur"] == pytest.approx(investment, rel=1e-12)
    assert got["transmission_eur_mwh"] == pytest.approx(per_mwh, rel=1e-12)


@pytest.mark.parametrize("xy", [(150.0, 50.0), (300.0, 100.0), (300.5, 50.0)])
def test_a_source_inside_or_at_the_edge_costs_nothing(xy: tuple[float, float]) -> None:
    assert zone_parameters()["network_area_touch_tolerance_m"] >= 0.5
    layer, table = _row_of_cells(3, 1000.0)
    src = _sources(["In", "Ver"], [xy, (5_000.0, 50.0)], vermogen_kw=[1.0, 1.0])
    src["prijs_eur_mwh"] = np.nan
    got = area_transmission(table, layer, src).iloc[0]
    assert got["source_name"] == "In"
    assert got["transmission_investment_eur"] == 0.0
    assert got["transmission_eur_mwh"] == 0.0


@settings(max_examples=40, deadline=None)
@given(
    d1=st.floats(0.0, 20_000.0),
    d2=st.floats(0.0, 20_000.0),
    mwh=st.floats(50.0, 50_000.0),
    n=st.integers(1, 6),
)
def test_a_farther_source_never_costs_less(d1: float, d2: float, mwh: float, n: int) -> None:
    layer, table = _row_of_cells(n, mwh)
    edge = n * 100.0
    near, far = sorted((d1, d2))
    cost = [
        area_transmission(
            table,
            layer,
            _sources(["S"], [(edge + d, 50.0)]).assign(vermogen_kw=np.nan, prijs_eur_mwh=np.nan),
        )["transmission_eur_mwh"].iloc[0]
        for d in (0.0, near, far)
    ]
    assert 0.0 <= cost[1] <= cost[2]
    assert cost[0] == 0.0


# ------------------------------------------------------------------ into the LCOH, every draw
def _zone_inputs(heat_kwh: list[list[float]]) -> tuple[ZoneCostInputs, DwellingCostInputs]:
    zone = np.concatenate([np.full(len(h), i) for i, h in enumerate(heat_kwh)]).astype(np.int64)
    n = len(zone)
    z = len(heat_kwh)
    return (
        ZoneCostInputs(
            area_m2=np.full(z, 1e4),
            floor_area_m2=np.full(z, 5000.0),
            street_length_m=np.full(z, np.nan),
        ),
        DwellingCostInputs(
            zone=zone,
            building=np.arange(n, dtype=np.int64),
            heat_demand_kwh=np.concatenate(heat_kwh).astype(np.float64),
            hp_supply_temp_c=np.full(n, 50.0),
            hp_ready_cost_eur=np.zeros(n),
            floor_area_m2=np.full(n, 100.0),
            is_apartment=np.zeros(n, bool),
        ),
    )


def test_every_draw_carries_the_pipe_and_the_source_price() -> None:
    params = shipped_parameters()
    zones, dwellings = _zone_inputs([[15_000.0] * 30, [12_000.0] * 20])
    runs, seed = 60, 3
    investment = np.array([250_000.0, 0.0])  # [EUR]
    price = np.array([25.0, np.nan])  # [EUR/MWh]
    base = zone_lcoh(zones, dwellings, params, year=2025, runs=runs, seed=seed, keep_runs=True)
    with_pipe = zone_lcoh(
        zones,
        dwellings,
        params,
        year=2025,
        runs=runs,
        seed=seed,
        keep_runs=True,
        transmission_eur=investment,
        source_price_eur_mwh=price,
    )
    v = params.sample(runs, seed).values
    rate, life = v["discount_rate"], v["network_lifetime_years"]
    annuity = np.where(rate == 0, 1 / life, rate / (1 - (1 + rate) ** -life))
    sold = v["connection_rate"] * 30 * 15.0  # MWh of zone 0
    pipe = investment[0] * v["transmission_route_factor"] * v["pipe_cost_factor"]
    pipe = pipe * (annuity + v["network_om_share"]) / sold
    heat = (25.0 - v["heat_source_price_eur_mwh"]) / (1 - v["network_heat_loss_share"])
    assert with_pipe.lcoh_runs is not None and base.lcoh_runs is not None
    np.testing.assert_allclose(
        with_pipe.lcoh_runs[0, NET] - base.lcoh_runs[0, NET], pipe + heat, rtol=1e-9, atol=1e-9
    )
    # the zone without a pipe and without a price of its own is untouched, draw by draw
    np.testing.assert_array_equal(with_pipe.lcoh_runs[1], base.lcoh_runs[1])
    # the other strategies are untouched
    others = [j for j in range(len(STRATEGIES)) if j != NET]
    np.testing.assert_array_equal(with_pipe.lcoh_runs[:, others], base.lcoh_runs[:, others])


@settings(max_examples=25, deadline=None)
@given(
    investment=st.floats(0.0, 5e7),
    heat=st.floats(1_000.0, 40_000.0),
    seed=st.integers(0, 50),
)
def test_a_pipe_never_makes_the_network_cheaper(investment: float, heat: float, seed: int) -> None:
    """A source anywhere costs at least what the same source inside the area costs."""
    zones, dwellings = _zone_inputs([[heat] * 10])
    inside = zone_lcoh(
        zones,
        dwellings,
        year=2025,
        runs=20,
        seed=seed,
        keep_runs=True,
        transmission_eur=np.zeros(1),
    )
    away = zone_lcoh(
        zones,
        dwellings,
        year=2025,
        runs=20,
        seed=seed,
        keep_runs=True,
        transmission_eur=np.array([investment]),
    )
    assert inside.lcoh_runs is not None and away.lcoh_runs is not None
    assert (away.lcoh_runs[0, NET] >= inside.lcoh_runs[0, NET]).all()
    assert away.p_cheapest[0, NET] <= inside.p_cheapest[0, NET]


def test_bad_per_zone_arrays_are_refused() -> None:
    zones, dwellings = _zone_inputs([[10_000.0], [10_000.0]])
    with pytest.raises(InputError) as info:
        zone_lcoh(
            zones,
            dwellings,
            year=2025,
            runs=0,
            transmission_eur=np.array([1.0, np.nan]),
            source_price_eur_mwh=np.array([-1.0, 3.0]),
        )
    assert set(info.value.fields) == {"transmission_eur", "source_price_eur_mwh"}
    with pytest.raises(InputError, match="één waarde per zone"):
        zone_lcoh(zones, dwellings, year=2025, runs=0, transmission_eur=np.zeros(3))


# ------------------------------------------------------------------ in the heat plan
def _plan(demo: DemoHeat, runs: int, **extra: object):
    from buildings.sectors import sector_outlines
    from buildings.twin import read_twin_sectors
    from scenarios.catalogue import load_catalogue
    from scenarios.heat.plan import HeatPlanInputs, heat_plan

    return heat_plan(
        HeatPlanInputs(
            twin=demo.twin,
            sectors=sector_outlines(demo.twin, read_twin_sectors(demo.twin_path)),
            catalogue=load_catalogue(),
            today=2025,
            states=demo.states,
            runs=runs,
            layers=("sector", "grid"),
            **extra,  # type: ignore[arg-type]
        )
    )


@pytest.fixture(scope="module")
def plain(demo_heat: DemoHeat):
    return _plan(demo_heat, 20)


def _town_east_of(demo: DemoHeat, metres: float, kw: float = np.nan) -> gpd.GeoDataFrame:
    x = demo.twin.geometry.centroid.x.to_numpy()
    y = demo.twin.geometry.centroid.y.to_numpy()
    return _sources(
        ["Ver"], [(x.max() + metres, y.mean())], vermogen_kw=[kw], prijs_eur_mwh=[np.nan]
    )


def test_without_sources_nothing_changes(plain, demo_heat: DemoHeat) -> None:
    from scenarios.heat.io_plan import warmteplan_md

    assert plain.transmission is None
    for layer in plain.layers.values():
        assert not set(TRANSMISSION_COLUMNS) & set(layer.columns)
    text = warmteplan_md(plain, "Demo", cost_parameters=shipped_parameters())
    assert "Warmtebronnen" not in text and "transmission_" not in text
    assert "en met de warmtebron verbinden, zitten niet in de kost" in text
    # a source in every zone (no pipe anywhere, no price of its own) changes nothing but the
    # three columns: the same draws, the same costs, advice and areas
    zones = plain.layers["grid"].drop_duplicates("zone_id")
    points = shapely.get_coordinates(zones.geometry.representative_point())
    everywhere = _sources(
        [f"s{i}" for i in range(len(points))],
        [tuple(p) for p in points],
        vermogen_kw=np.nan,
        prijs_eur_mwh=np.nan,
    )
    beside = _plan(demo_heat, 20, sources=everywhere)
    assert beside.transmission is not None
    grid = beside.transmission[beside.transmission["layer"] == "grid"]
    assert len(grid) and (grid["transmission_eur_mwh"] == 0.0).all()
    got = beside.layers["grid"]
    assert (got.loc[got["network_area_id"] != "", "source_name"] != "").all()
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.drop(columns=list(TRANSMISSION_COLUMNS))),
        pd.DataFrame(plain.layers["grid"]),
    )


def test_pipe_enters_the_network_cost_of_the_area_zones(demo_heat: DemoHeat) -> None:
    """Central draw only (runs=0: P50 is the central value): the network's P50 rises by exactly
    the area's transmission cost, nothing else moves."""
    before = _plan(demo_heat, 0)
    after = _plan(demo_heat, 0, sources=_town_east_of(demo_heat, 2_000.0))
    for name in ("sector", "grid"):
        a, b = after.layers[name], before.layers[name]
        fed = (a["source_name"] != "").to_numpy()
        assert fed.any()
        assert (a.loc[fed, "source_distance_m"] > 2_000.0 - 1e-6).all()
        np.testing.assert_allclose(
            a.loc[fed, "lcoh_network_p50_eur_mwh"] - b.loc[fed, "lcoh_network_p50_eur_mwh"],
            a.loc[fed, "transmission_eur_mwh"],
            rtol=1e-9,
        )
        assert (a.loc[fed, "transmission_eur_mwh"] > 0).all()
        np.testing.assert_array_equal(
            a.loc[~fed, "lcoh_network_p50_eur_mwh"], b.loc[~fed, "lcoh_network_p50_eur_mwh"]
        )
        assert a.loc[~fed, "transmission_eur_mwh"].isna().all()


def test_a_far_source_demotes_marginal_areas(plain, demo_heat: DemoHeat) -> None:
    from scenarios.heat.io_plan import warmteplan_md

    far = _plan(demo_heat, 20, sources=_town_east_of(demo_heat, 15_000.0, kw=100.0))
    least = zone_parameters()["network_area_min_demand_mwh"]
    grid, before = far.layers["grid"], plain.layers["grid"]
    lost = (grid["advice_source"] == ADVICE_FAR_SOURCE).to_numpy()
    assert lost.any()
    # they were network zones, are no longer, and show the costs with the pipe
    assert (before.loc[lost, "advice"] == "warmtenet").all()
    assert (grid.loc[lost, "advice"] != "warmtenet").all()
    assert (
        grid.loc[lost, "lcoh_network_p50_eur_mwh"] > before.loc[lost, "lcoh_network_p50_eur_mwh"]
    ).all()
    # the areas were formed again: what remains is viable
    net = grid["advice"] == "warmtenet"
    assert (grid.loc[net, "network_area_mwh"] >= least - 1e-9).all()
    assert (grid.loc[~net, "network_area_id"] == "").all()
    # no zone became a network zone, the zones' rows and order are as they were
    assert grid["zone_id"].tolist() == before["zone_id"].tolist()
    assert not (net & (before["advice"] != "warmtenet")).any()
    pipes = far.transmission
    assert pipes is not None
    fed = (grid["source_name"] != "").to_numpy()
    assert lost.sum() <= pipes.loc[pipes["layer"] == "grid", "zones_lost"].sum()
    assert pipes.loc[pipes["layer"] == "grid", "zones_lost"].sum() == (fed & ~net).sum()
    text = warmteplan_md(far, "Demo", cost_parameters=shipped_parameters())
    section = text.split("## Warmtebronnen en transportleidingen")[1].split("\n## ")[0]
    assert (
        "| Ver |" in section
        and f"rooster van 100 m: {int(((grid['year'] == 2025) & lost).sum())} zones" in section
    )
    assert "transmission_route_factor" in text  # its parameters listed with the others
    assert list(pipes.columns) == list(AREA_TRANSMISSION_COLUMNS)
    # a 100 kW source cannot feed the areas it is the nearest source of
    assert "Bron Ver (100 kW) voedt in 2025 netgebieden" in section
    assert "er is een bijkomende bron nodig" in section


def test_a_decided_network_zone_keeps_its_decision(demo_heat: DemoHeat) -> None:
    plain = _plan(demo_heat, 0)
    sector = plain.layers["sector"]
    net = sector[(sector["year"] == 2025) & (sector["advice"] == "warmtenet")]
    fixed = gpd.GeoDataFrame(
        {"zone_id": ["vast"], "advice": ["warmtenet"]},
        geometry=[net.geometry.iloc[0]],
        crs="EPSG:31370",
    )
    far = _plan(demo_heat, 0, fixed=fixed, sources=_town_east_of(demo_heat, 200_000.0)).layers[
        "sector"
    ]
    zone = far[(far["zone_id"] == net["zone_id"].iloc[0])]
    assert (zone["advice"] == "warmtenet").all() and (zone["advice_source"] == ADVICE_FIXED).all()
    assert (zone["transmission_eur_mwh"] > 0).all()


def test_demo_source_lies_at_the_towns_east_edge(demo_heat: DemoHeat, tmp_path: Path) -> None:
    x = demo_heat.twin.geometry.centroid.x.to_numpy()
    y = demo_heat.twin.geometry.centroid.y.to_numpy()
    src = demo_heat_sources(x, y)
    assert src.geometry.x[0] == x.max() and src.geometry.y[0] == pytest.approx(y.mean())
    back = read_heat_sources(write_heat_sources(src, tmp_path / "demo.gpkg"))
    assert back["naam"].tolist() == src["naam"].tolist()


def test_parameters_of_the_pipe_are_in_the_data_file() -> None:
    params = shipped_parameters()
    for name in ("transmission_route_factor", "transmission_full_load_hours"):
        p = params.parameters[name]
        assert p.low <= p.value <= p.high and p.source in params.sources
    # a changed route factor reaches the cost (the field is really read)
    changed = dataclasses.replace(
        params,
        parameters={
            **params.parameters,
            "transmission_route_factor": dataclasses.replace(
                params.parameters["transmission_route_factor"], value=2.4
            ),
        },
    )
    layer, table = _row_of_cells(2, 2000.0)
    src = _sources(["S"], [(1_200.0, 50.0)], vermogen_kw=[np.nan], prijs_eur_mwh=[np.nan])
    one = area_transmission(table, layer, src, params)["transmission_eur_mwh"].iloc[0]
    two = area_transmission(table, layer, src, changed)["transmission_eur_mwh"].iloc[0]
    assert two == pytest.approx(2 * one, rel=1e-12)


def test_written_folder_has_the_pipes_only_with_sources(
    plain, demo_heat: DemoHeat, tmp_path: Path
) -> None:
    import pyogrio

    from scenarios.heat.io_plan import write_heat_plan

    with_src = _plan(demo_heat, 0, sources=_town_east_of(demo_heat, 2_000.0))
    a = write_heat_plan(plain, tmp_path / "zonder", title="Demo")
    b = write_heat_plan(with_src, tmp_path / "met", title="Demo")
    assert not (a / "transportleidingen.csv").exists()
    pipes = pd.read_csv(b / "transportleidingen.csv")
    assert len(pipes) == len(with_src.transmission) and (pipes["source_name"] == "Ver").all()
    for layer in ("sector", "grid"):
        info = pyogrio.read_info(a / "warmtezones.gpkg", layer=layer)
        assert not set(TRANSMISSION_COLUMNS) & set(info["fields"])
        got = gpd.read_file(b / "warmtezones.gpkg", layer=layer)
        fed = got["network_area_id"] != ""
        assert (got.loc[fed, "source_name"] == "Ver").all()
        assert got.loc[got["source_name"] == "", "transmission_eur_mwh"].isna().all()


def test_one_pass_re_advice_then_the_areas_again() -> None:
    """Steps 4-5 with a stand-in for the costs: a zone that loses the network gets 'verre
    warmtebron', what remains of its area below the minimum 'te klein netgebied'."""
    from scenarios.heat.areas import network_areas
    from scenarios.heat.sources import transmission_pass

    least = zone_parameters()["network_area_min_demand_mwh"]
    cols = [0, 1, 2, 3, 4, 10, 11]
    layer = grid_layer(np.array(cols) * 100.0 + 50.0, np.full(len(cols), 50.0))
    ids = layer.zones["zone_id"].astype(str).tolist()
    mwh = [least / 4] * 5 + [least * 0.75] * 2  # A: 1.25 x the minimum, B: 1.5 x
    table = pd.DataFrame(
        {
            "zone_id": ids,
            "year": 2025,
            "heat_demand_mwh": mwh,
            "advice": "warmtenet",
            "advice_probability": 0.9,
            "advice_source": "model",
            "lcoh_network_p50_eur_mwh": 80.0,
        }
    )
    table = network_areas(table, layer)
    assert sorted(set(table["network_area_id"])) == ["N1", "N2"]
    src = _sources(["West"], [(-100.0, 50.0)], vermogen_kw=[np.nan], prijs_eur_mwh=[np.nan])
    calls = []

    def recost(year, zone_ids, invest, price):
        calls.append((year, list(zone_ids), invest.copy(), price.copy()))
        lose = np.array([z == ids[-1] for z in zone_ids])  # the easternmost cell of B
        return pd.DataFrame(
            {
                "lcoh_network_p50_eur_mwh": 80.0 + invest / 1000.0,
                "advice": np.where(lose, "individueel", "warmtenet"),
                "advice_probability": np.where(lose, 0.7, 0.8),
            }
        )

    out, areas = transmission_pass(table, layer, src, recost)
    ((year, zone_ids, invest, price),) = calls
    assert year == 2025 and zone_ids == ids and np.isnan(price).all()
    # each area's straight-line investment shared by heat demand
    per_area = areas.set_index("network_area_id")["transmission_investment_eur"]
    b = table["network_area_id"].to_numpy()
    for area in ("N1", "N2"):
        np.testing.assert_allclose(invest[b == area].sum(), per_area[area], rtol=1e-12)
    # A: 100 m from the source, B: 1,100 m
    dist = areas.set_index("network_area_id")["source_distance_m"]
    a_id = b[0]
    assert dist[a_id] == pytest.approx(100.0) and dist[b[-1]] == pytest.approx(1_100.0)
    assert out["advice"].tolist() == ["warmtenet"] * 5 + ["nader onderzoeken", "individueel"]
    assert out["advice_source"].tolist() == ["model"] * 5 + [
        "te klein netgebied",
        ADVICE_FAR_SOURCE,
    ]
    assert out["advice_probability"].tolist() == [0.8] * 5 + [0.8, 0.7]
    assert out["network_area_mwh"].iloc[5] == pytest.approx(least * 0.75)
    assert (out["network_area_id"].iloc[:5] == "N1").all() and (
        out["network_area_id"].iloc[5:] == ""
    ).all()
    assert out["source_name"].tolist() == ["West"] * 7
    assert areas.set_index("network_area_id")["zones_lost"].to_dict() == {a_id: 0, b[-1]: 2}
    np.testing.assert_allclose(out["lcoh_network_p50_eur_mwh"], 80.0 + invest / 1000.0, rtol=1e-12)
