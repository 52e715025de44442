"""Distribution cabins: reading, assignment, loading, synthetic cabins (scenarios.heat.cabins)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from buildings.errors import SourceFileError
from scenarios.heat.cabins import (
    CABIN_LOADING_COLUMNS,
    assign_cabins,
    cabin_loading,
    read_cabins,
    synthetic_cabins,
    write_cabins,
)
from scenarios.heat.gridload import GridLoadParameters, dwelling_electric_peak_w, household_peak_kw

DATA = Path(__file__).parent / "data"
P = GridLoadParameters.default()


def test_read_cabins_lambert72() -> None:
    c = read_cabins(DATA / "cabins_ok.geojson")
    assert list(c.columns) == ["cabin_id", "capacity_kva", "geometry"]
    assert c.crs.to_epsg() == 31370
    assert c["cabin_id"].tolist() == ["C1", "C2", "C3"]
    assert c["capacity_kva"].tolist() == [250.0, 400.0, 630.0]
    assert c.geometry.iloc[0].equals(shapely.Point(70000.0, 170000.0))


def test_read_cabins_lambert2008_is_reprojected_and_other_names_accepted() -> None:
    c = read_cabins(DATA / "cabins_3812.geojson")  # CABINENUMMER, Vermogen_kVA
    assert c.crs.to_epsg() == 31370
    assert c["cabin_id"].tolist() == ["C1", "C2", "C3"]
    # the fixture was made from the same Lambert 72 points; the round trip is within 1 cm
    assert c.geometry.iloc[0].x == pytest.approx(70000.0, abs=0.01)
    assert c.geometry.iloc[2].y == pytest.approx(169800.0, abs=0.01)


def _message(path: Path, **kw: str) -> str:
    with pytest.raises(SourceFileError) as e:
        read_cabins(path, **kw)
    text = str(e.value)
    assert path.name in text  # the file is named
    return text


def test_geographic_crs_is_refused_with_what_to_do() -> None:
    text = _message(DATA / "cabins_4326.geojson")
    assert (
        "geografisch" in text
        and "EPSG:31370" in text
        and "Zet de laag om" in text
        and "afstanden tot de cabines" in text
    )


def test_no_crs_is_refused(tmp_path: Path) -> None:
    c = read_cabins(DATA / "cabins_ok.geojson")
    path = tmp_path / "cabines_zonder_prj.shp"
    write_cabins(c, path)
    path.with_suffix(".prj").unlink()
    text = _message(path)
    assert "geen coördinatenstelsel" in text and ".prj" in text


def _cabin_file(tmp_path: Path, name: str, xy: list[tuple[float, float]]) -> Path:
    x, y = zip(*xy, strict=True)
    cabins = gpd.GeoDataFrame(
        {"cabin_id": [f"C{i + 1}" for i in range(len(xy))], "capacity_kva": 400.0},
        geometry=gpd.points_from_xy(x, y),
        crs="EPSG:31370",
    )
    return write_cabins(cabins, tmp_path / name)


def test_cabins_outside_belgium_are_refused(tmp_path: Path) -> None:
    # Lambert 2008 coordinates saved as Lambert 72 (a wrong .prj): no cabin lies in Belgium;
    # before, every building went to the nearest of these far cabins
    lambert_2008 = [(570_000.0, 670_000.0), (570_500.0, 670_200.0)]
    text = _message(_cabin_file(tmp_path, "cabines_3812_als_31370.gpkg", lambert_2008))
    assert "geen enkele geometrie" in text and "ligt in België" in text and ".prj" in text
    # one cabin far away (a typo in its coordinates) among good ones: it is named, not the others
    with pytest.raises(SourceFileError) as e:
        read_cabins(
            _cabin_file(tmp_path, "cabines.gpkg", [(70_000.0, 170_000.0), (700_000.0, 170_000.0)])
        )
    text = str(e.value)
    assert "cabines.gpkg" in text and "cabines buiten België: C2;" in text
    assert e.value.rows == [1]


def test_degree_coordinates_in_a_metric_crs_are_refused(tmp_path: Path) -> None:
    # WGS 84 longitudes/latitudes saved as Lambert 72
    path = _cabin_file(tmp_path, "cabines_graden.gpkg", [(4.35, 50.85), (70_000.0, 170_000.0)])
    text = _message(path)
    assert "graden" in text and "C1" in text and "EPSG:31370" in text
    assert "C2" not in text.split("graden")[1]  # the good cabin is not blamed
    # only degrees: the degrees are named, not a wrong .prj
    text = _message(_cabin_file(tmp_path, "alle_graden.gpkg", [(4.35, 50.85), (4.4, 50.9)]))
    assert "graden" in text and "C1, C2" in text and "geen enkele geometrie" not in text


def test_cabins_without_capacity_are_listed() -> None:
    text = _message(DATA / "cabins_no_capacity.geojson")
    assert "zonder (geldig) vermogen" in text
    for cabin in ("C2", "C3", "C4"):  # missing, zero, negative
        assert cabin in text
    assert "C1" not in text.split("vermogen")[-1]  # the good one is not blamed


def test_duplicate_ids_are_listed() -> None:
    with pytest.raises(SourceFileError) as e:
        read_cabins(DATA / "cabins_duplicates.geojson")
    assert "meer dan eens" in str(e.value) and "C1" in str(e.value)
    assert e.value.rows == [0, 1]


def test_not_points_are_listed() -> None:
    text = _message(DATA / "cabins_polygons.geojson")
    assert "geen punt" in text and "P2" in text


def test_missing_id_field_and_missing_file() -> None:
    text = _message(DATA / "cabins_no_id_field.geojson")
    assert "cabin_id" in text and "naam" in text  # what it found, what to call it
    c = read_cabins(DATA / "cabins_no_id_field.geojson", id_field="naam")
    assert c["cabin_id"].tolist() == ["C1", "C2", "C3"]
    missing = DATA / "bestaat_niet.gpkg"
    with pytest.raises(SourceFileError, match="niet gevonden"):
        read_cabins(missing)


def test_write_and_read_back_geopackage(tmp_path: Path) -> None:
    c = read_cabins(DATA / "cabins_ok.geojson")
    back = read_cabins(write_cabins(c, tmp_path / "cabines.gpkg"))
    pd.testing.assert_frame_equal(
        pd.DataFrame(back.drop(columns="geometry")), pd.DataFrame(c.drop(columns="geometry"))
    )
    assert back.geom_equals(c).all()


def test_nearest_assignment_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    cx, cy = rng.uniform(0, 5000, 60), rng.uniform(0, 5000, 60)
    cabins = gpd.GeoDataFrame(
        {"cabin_id": [f"c{i}" for i in range(60)], "capacity_kva": 400.0},
        geometry=shapely.points(cx, cy),
        crs="EPSG:31370",
    )
    x, y = rng.uniform(-500, 5500, 5000), rng.uniform(-500, 5500, 5000)
    got = assign_cabins(x, y, cabins)
    d2 = (x[:, None] - cx[None, :]) ** 2 + (y[:, None] - cy[None, :]) ** 2
    want = d2.argmin(axis=1)
    # ties have probability zero with random floats; compare distances to be safe
    np.testing.assert_allclose(d2[np.arange(len(x)), got], d2[np.arange(len(x)), want], rtol=0)
    assert (got == want).mean() == 1.0


def test_nearest_assignment_of_repeated_points_is_per_row() -> None:
    # the rows of a heat plan repeat each building's point in every year (and per dwelling):
    # the cabins of the distinct points, broadcast, are those of querying every row
    rng = np.random.default_rng(5)
    cx, cy = rng.uniform(0, 2000, 25), rng.uniform(0, 2000, 25)
    cabins = gpd.GeoDataFrame(
        {"cabin_id": [f"c{i}" for i in range(25)], "capacity_kva": 400.0},
        geometry=shapely.points(cx, cy),
        crs="EPSG:31370",
    )
    bx, by = rng.uniform(0, 2000, 300), rng.uniform(0, 2000, 300)
    pick = rng.integers(0, 300, 2000)  # 2000 rows on 300 buildings, shuffled
    x, y = bx[pick], by[pick]
    # a point exactly halfway between two cabins: a tie, decided the same way for every row
    x[:3], y[:3] = (cx[0] + cx[1]) / 2.0, (cy[0] + cy[1]) / 2.0
    got = assign_cabins(x, y, cabins)
    tree = shapely.STRtree(cabins.geometry.to_numpy())
    want = np.array([tree.query_nearest(shapely.Point(a, b))[0] for a, b in zip(x, y, strict=True)])
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.int64 and got.shape == (2000,)


def test_link_table() -> None:
    cabins = read_cabins(DATA / "cabins_ok.geojson")
    link = pd.DataFrame({"building_id": ["b1", "b2", "b3"], "cabin_id": ["C3", "C1", "C3"]})
    got = assign_cabins([0, 0, 0], [0, 0, 0], cabins, link=link, building_id=["b2", "b3", "b1"])
    assert got.tolist() == [0, 2, 2]
    bad = pd.DataFrame({"building_id": ["b1", "b2"], "cabin_id": ["C9", "C1"]})
    with pytest.raises(SourceFileError) as e:
        assign_cabins(
            [0, 0, 0, 0], [0, 0, 0, 0], cabins, link=bad, building_id=["b1", "b2", "b4", "b4"]
        )
    text = str(e.value)
    assert text.count("b4") == 1  # a building of several dwellings (rows) is named once
    assert "C9" in text and "niet in het cabinebestand" in text  # unknown cabin
    assert "b4" in text and "zonder cabine" in text  # building missing from the link


def _town(n_per_cabin: list[int], years: tuple[int, ...], hp_from: dict[int, int]) -> pd.DataFrame:
    """Dwellings of cabins 0..k-1; in year y the first hp_from[y] dwellings of each cabin have an
    air/water heat pump (8 kW, 45 °C), the others a gas boiler."""
    rows = []
    for y in years:
        for c, n in enumerate(n_per_cabin):
            for i in range(n):
                hp = i < hp_from[y]
                rows.append((y, c, 5 if hp else 1, 8000.0, 45.0))
    return pd.DataFrame(
        rows, columns=["year", "cabin", "heating_system", "design_heat_load_w", "hp_supply_temp_c"]
    ).assign(dhw_system=1)


def test_overloaded_cabin_and_its_first_year() -> None:
    cabins = gpd.GeoDataFrame(
        {"cabin_id": ["A", "B"], "capacity_kva": [250.0, 630.0]},
        geometry=shapely.points([0.0, 100.0], [0.0, 0.0]),
        crs="EPSG:31370",
    )
    years = (2025, 2030, 2040)
    d = _town([100, 100], years, {2025: 0, 2030: 20, 2040: 100})
    out = cabin_loading(d["cabin"].to_numpy(), d, cabins, power_factor=0.95, params=P)
    assert list(out.columns) == list(CABIN_LOADING_COLUMNS)
    assert len(out) == 6
    # by hand, cabin A in 2040: 100 heat pumps of p = 8000/COP W each, Rusck-diversified,
    # plus 100 households after diversity
    p1 = dwelling_electric_peak_w(d.iloc[:1].assign(heating_system=5), P)[0] / 1000.0
    g = P.hp_coincidence_inf + (1.0 - P.hp_coincidence_inf) / 10.0
    hh = P.household_admd_kw * 100 + (P.household_peak_single_kw - P.household_admd_kw) * 10.0
    assert float(household_peak_kw(100, P)) == pytest.approx(hh, rel=1e-12)
    a40 = out[(out["cabin_id"] == "A") & (out["year"] == 2040)].iloc[0]
    assert a40["peak_kw"] == pytest.approx(100 * p1 * g + hh, rel=1e-12)
    assert a40["loading_share"] == pytest.approx((100 * p1 * g + hh) / (250 * 0.95), rel=1e-12)
    # today nothing overloads; A (250 kVA) overloads once the heat pumps come, B (630) not
    assert not out.loc[out["year"] == 2025, "overloaded"].any()
    a = out[out["cabin_id"] == "A"].set_index("year")
    first = int(a.loc[a["overloaded"]].index.min())
    assert a["first_overload_year"].dropna().unique().tolist() == [first]
    assert a.loc[2040, "overloaded"]
    assert out.loc[out["cabin_id"] == "B", "first_overload_year"].isna().all()
    assert out.loc[out["cabin_id"] == "B", "n_dwellings"].tolist() == [100, 100, 100]


def test_loading_takes_the_peaks_already_computed() -> None:
    cabins = gpd.GeoDataFrame(
        {"cabin_id": ["A", "B"], "capacity_kva": [250.0, 630.0]},
        geometry=shapely.points([0.0, 100.0], [0.0, 0.0]),
        crs="EPSG:31370",
    )
    d = _town([40, 60], (2025, 2040), {2025: 5, 2040: 40})
    which = d["cabin"].to_numpy()
    pw = dwelling_electric_peak_w(d, P)
    plain = cabin_loading(which, d, cabins, params=P)
    given = cabin_loading(which, d, cabins, params=P, peak_w=pw)
    pd.testing.assert_frame_equal(given, plain)
    # the peaks given are the ones used: doubled peaks double the heat-pump part
    doubled = cabin_loading(which, d, cabins, params=P, peak_w=2.0 * pw)
    np.testing.assert_allclose(doubled["hp_peak_kw"], 2.0 * plain["hp_peak_kw"], rtol=1e-12)
    pd.testing.assert_series_equal(doubled["household_peak_kw"], plain["household_peak_kw"])


def test_synthetic_cabins_are_deterministic_and_sized() -> None:
    rng = np.random.default_rng(7)
    # two villages 3 km apart: 500 and 150 dwellings
    x = np.concatenate([rng.normal(0, 200, 500), rng.normal(3000, 100, 150)])
    y = np.concatenate([rng.normal(0, 200, 500), rng.normal(0, 100, 150)])
    a = synthetic_cabins(x, y, dwellings_per_cabin=120, params=P)
    b = synthetic_cabins(x, y, dwellings_per_cabin=120, params=P)
    pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
    assert a.crs.to_epsg() == 31370
    assert len(a) == int(np.ceil(650 / 120))
    assert a["cabin_id"].is_unique
    cap = a["capacity_kva"].to_numpy()
    assert set(cap) <= {250.0, 400.0, 630.0}
    # every cabin carries today's household peak of its dwellings at the design loading, and
    # the size is the smallest that does
    idx = assign_cabins(x, y, a)
    n = np.bincount(idx, minlength=len(a))
    assert n.sum() == 650 and (n > 0).all()
    need = household_peak_kw(n, P) / (P.power_factor * P.synthetic_cabin_design_loading)
    assert (need <= cap).all()
    smaller = np.array([{250.0: 0.0, 400.0: 250.0, 630.0: 400.0}[c] for c in cap])
    assert (need > smaller).all()
    # no cabin of the far village serves the other: clusters are local
    east = a.geometry.x.to_numpy() > 1500
    assert set(idx[500:]) <= set(np.flatnonzero(east))


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    text = (
        (DATA / "cabins_4326.geojson")
        .read_text(encoding="utf-8")
        .replace('"capacity_kva": 400', '"capacity_kva": 0')
    )
    path = tmp_path / "cabines_wgs84.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceFileError) as e:
        read_cabins(path)
    assert set(e.value.fields) == {"crs", "capacity_kva"}
    assert "C2" in str(e.value)


def test_no_cabins_is_an_error() -> None:
    empty = gpd.GeoDataFrame(
        {"cabin_id": [], "capacity_kva": []}, geometry=gpd.GeoSeries([]), crs="EPSG:31370"
    )
    with pytest.raises(SourceFileError, match="geen cabines"):
        assign_cabins([0.0], [0.0], empty)


def test_synthetic_cabins_carry_todays_electric_heating() -> None:
    # 300 dwellings in one street, half heated electrically today (8 kW design load, air/water
    # heat pump at 45 °C): the cabins are sized so that nothing is overloaded today, with several
    # 630 kVA transformers where one is not enough
    rng = np.random.default_rng(11)
    x, y = rng.uniform(0, 600, 300), rng.uniform(0, 40, 300)
    hs = np.where(np.arange(300) % 2 == 0, 5, 1)
    today = pd.DataFrame(
        {
            "year": 2025,
            "heating_system": hs,
            "dhw_system": 1,
            "design_heat_load_w": 8000.0,
            "hp_supply_temp_c": 45.0,
        }
    )
    pw = dwelling_electric_peak_w(today, P)
    big = synthetic_cabins(x, y, dwellings_per_cabin=300, params=P, today_peak_w=pw)
    assert len(big) == 1
    cap = float(big["capacity_kva"].iloc[0])
    load = cabin_loading(np.zeros(300, dtype=np.int64), today, big, params=P)
    share = float(load["loading_share"].iloc[0])
    assert np.isfinite(share) and share <= P.synthetic_cabin_design_loading + 1e-12
    # by hand: the need in kVA, then the smallest size or a multiple of the largest
    n_el = int((pw > 0).sum())
    g = P.hp_coincidence_inf + (1 - P.hp_coincidence_inf) / np.sqrt(n_el)
    need = (float(household_peak_kw(300, P)) + g * pw.sum() / 1000) / (
        P.power_factor * P.synthetic_cabin_design_loading
    )
    want = next((s for s in (250.0, 400.0, 630.0) if need <= s), 630.0 * np.ceil(need / 630.0))
    assert cap == want
    assert cap > 630.0  # this street needs several transformers: that branch is exercised
    # without today's heating the same street gets a smaller cabin
    small = synthetic_cabins(x, y, dwellings_per_cabin=300, params=P)
    assert float(small["capacity_kva"].iloc[0]) < cap


def test_demo_town_from_demand_to_cabins(demo_twin: gpd.GeoDataFrame) -> None:
    # the production path: the demand rows of scenarios.heat.demand, synthetic cabins sized for
    # today, every dwelling an air/water heat pump (with the emitters it needs) by 2040
    from scenarios.catalogue import load_catalogue
    from scenarios.heat.demand import dwelling_heat
    from scenarios.heat.gridload import zone_peak

    twin = demo_twin.iloc[:600].copy()
    hp = ["low_temperature_emitters+heat_pump_air_water"] * len(twin)
    rows = dwelling_heat(twin, load_catalogue(), 2025, {2040: hp})
    today = rows[rows["year"] == 2025]
    cabins = synthetic_cabins(
        today["x"], today["y"], params=P, today_peak_w=dwelling_electric_peak_w(today, P)
    )
    idx = assign_cabins(rows["x"], rows["y"], cabins)
    out = cabin_loading(idx, rows, cabins, params=P)
    assert len(out) == 2 * len(cabins)
    assert out.groupby("year")["n_dwellings"].sum().tolist() == [len(twin), len(twin)]
    now = out[out["year"] == 2025]
    assert (now["loading_share"] <= P.synthetic_cabin_design_loading + 1e-9).all()
    later = out[out["year"] == 2040]
    assert (later["peak_kw"].to_numpy() >= now["peak_kw"].to_numpy()).all()
    # an unrenovated town all on heat pumps overloads cabins sized for today (measured: all 5,
    # loading 1.04-1.92 with the shipped parameters); they appear with 2040 as first year
    assert later["overloaded"].any()
    assert set(out["first_overload_year"].dropna()) == {2040}
    over = later.loc[later["overloaded"], "cabin_id"]
    assert (out.loc[out["cabin_id"].isin(over), "first_overload_year"] == 2040).all()
    # the same rows per zone: undiversified sums close, the 2040 peak is all heat pumps
    z = zone_peak(np.zeros(len(rows), dtype=np.int64), rows, 1, params=P)
    pw = dwelling_electric_peak_w(rows, P)
    for year, part in z.groupby("year"):
        mask = (rows["year"] == year).to_numpy()
        assert part["peak_undiversified_kw"].item() == pytest.approx(
            pw[mask].sum() / 1e3, rel=1e-12
        )
    assert z.loc[z["year"] == 2040, "n_electrified"].item() == len(twin)
