"""The synthetic municipality: register-format files, determinism, and a truth that holds.

The default town is generated twice (two folders) for the whole module; the other tests read
those files with geopandas/pyogrio/rasterio, as the twin does, and compare them with
:func:`generate_truth`. Float tolerances are stated at each assertion.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from rasterio.features import rasterize
from rasterio.merge import merge

import buildings.synthetic_municipality as sm
from buildings.synthetic_municipality import (
    BUILDING_TYPES,
    DEFAULT_RESIDENTIAL_BUILDINGS,
    MUNICIPALITY_NIS,
    _footprint,
    build_municipality,
    construction_period_shares,
    generate_municipality,
    generate_truth,
    stock_type_shares,
)
from sim.reference_data import load_table
from tests.shared_data import SHARED, load_tool, require

# Field names of the real extracts (Informatievlaanderen building-registry / address-registry
# DbaseSchemas) and of Statbel's statistical sectors.
GEBOUW_FIELDS = ["id", "gebouwid", "versieid", "geommet", "status"]
EENHEID_FIELDS = [
    "id",
    "gebouwehid",
    "versieid",
    "gebouwid",
    "functie",
    "status",
    "posgeommet",
    "afwijking",
]
LINK_FIELDS = ["objecttype", "adresobjid", "adresid"]
ADRES_FIELDS = [
    "id", "adresid", "creatieid", "versieid", "posspec", "posgeommet", "straatnmid", "straatnm",
    "huisnr", "busnr", "postcode", "gemeenteid", "gemeentenm", "status", "offtoegknd", "voladres",
]  # fmt: skip
SECTOR_FIELDS = [
    "cd_sector",
    "tx_sector_descr_nl",
    "cd_sub_munty",
    "cd_munty_refnis",
    "tx_munty_descr_nl",
]
FEITEN_FIELDS = [
    "adresid", "bouwjaar", "epc_label", "epc_score", "dak_geisoleerd", "muur_geisoleerd",
    "beglazing", "verwarming", "verbruik_gas_kwh",
]  # fmt: skip
TIFS = [f"DHMVII{m}RAS1m_{k}.tif" for m in ("DSM", "DTM") for k in ("k12", "k13")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], dict[str, Path]]:
    """The default municipality written twice, into two folders."""
    first = generate_municipality(tmp_path_factory.mktemp("a"))
    second = generate_municipality(tmp_path_factory.mktemp("b"))
    return first, second


@pytest.fixture(scope="module")
def files(runs: tuple[dict[str, Path], dict[str, Path]]) -> dict[str, Path]:
    return runs[0]


@pytest.fixture(scope="module")
def truth() -> gpd.GeoDataFrame:
    return generate_truth()


@pytest.fixture(scope="module")
def register(files: dict[str, Path]) -> dict[str, pd.DataFrame]:
    return {
        "buildings": gpd.read_file(files["Gebouw.shp"]),
        "units": gpd.read_file(files["Gebouweenheid.shp"]),
        "links": pyogrio.read_dataframe(files["AdresGebouweenheidKoppeling.dbf"]),
        "addresses": gpd.read_file(files["Adres.shp"]),
    }


def test_same_seed_writes_byte_identical_files(runs: tuple[dict[str, Path], ...]) -> None:
    first, second = runs
    assert sorted(first) == sorted(second)
    differ = [n for n in first if first[n].read_bytes() != second[n].read_bytes()]
    assert not differ, f"files differ between two runs with the same seed: {differ}"


def test_another_seed_gives_another_town() -> None:
    a, b = generate_truth(seed=1, n_buildings=200), generate_truth(seed=2, n_buildings=200)
    assert sorted(a["footprint_area_m2"]) != sorted(b["footprint_area_m2"])


def test_every_file_is_written_and_returned(files: dict[str, Path]) -> None:
    expected = {
        f"{stem}{ext}"
        for stem in ("Gebouw", "Gebouweenheid", "Adres", "Wegsegment")
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")
    }
    expected |= {"AdresGebouweenheidKoppeling.dbf", "AdresGebouweenheidKoppeling.cpg"}
    expected |= {"sectoren.gpkg", "feiten.csv", *TIFS}
    assert set(files) == expected
    assert {p.name for p in next(iter(files.values())).parent.iterdir()} == expected


def test_files_have_the_register_schemas_and_crs(files: dict[str, Path]) -> None:
    checks = [
        ("Gebouw.shp", GEBOUW_FIELDS, "Polygon"),
        ("Gebouweenheid.shp", EENHEID_FIELDS, "Point"),
        ("Adres.shp", ADRES_FIELDS, "Point"),
        ("sectoren.gpkg", SECTOR_FIELDS, "MultiPolygon"),
    ]
    for name, fields, geometry_type in checks:
        info = pyogrio.read_info(files[name])
        assert list(info["fields"]) == fields, name
        assert info["geometry_type"] == geometry_type, name
        assert info["crs"] == "EPSG:31370", name
    assert pyogrio.list_layers(files["sectoren.gpkg"])[:, 0].tolist() == ["sectoren"]
    assert (
        list(pyogrio.read_info(files["AdresGebouweenheidKoppeling.dbf"])["fields"]) == LINK_FIELDS
    )
    assert list(pd.read_csv(files["feiten.csv"], nrows=1).columns) == FEITEN_FIELDS
    # ids are DBF numbers where the real extracts have numbers, text where they have text
    dtypes = dict(
        zip(*(pyogrio.read_info(files["Adres.shp"])[k] for k in ("fields", "dtypes")), strict=True)
    )
    assert dtypes["adresid"] == "int32" and dtypes["offtoegknd"] == "bool"
    assert dtypes["huisnr"] == "object" and dtypes["straatnmid"] == "object"


def test_rasters_are_dhm_style_geotiffs(files: dict[str, Path]) -> None:
    bounds = {}
    for name in TIFS:
        with rasterio.open(files[name]) as src:
            assert src.crs.to_epsg() == 31370
            assert src.dtypes == ("float32",)
            assert src.nodata == -9999.0
            assert src.res == (1.0, 1.0)
            assert src.profile["compress"] == "deflate" and src.profile["tiled"]
            bounds[name] = src.bounds
    # two tiles side by side: the west tile ends where the east one starts
    assert bounds["DHMVIIDSMRAS1m_k12.tif"].right == bounds["DHMVIIDSMRAS1m_k13.tif"].left
    assert bounds["DHMVIIDSMRAS1m_k12.tif"] == bounds["DHMVIIDTMRAS1m_k12.tif"]


def test_truth_matches_the_written_buildings(truth: gpd.GeoDataFrame, register: dict) -> None:
    b = register["buildings"]
    assert b["gebouwid"].astype(str).tolist() == truth["gebouwid"].tolist()
    # the Shapefile writer orients rings clockwise: compare normalised footprints, exactly
    written, built = (
        shapely.normalize(b.geometry.to_numpy()),
        shapely.normalize(truth.geometry.to_numpy()),
    )
    assert shapely.equals_exact(written, built, tolerance=0.0).all()
    assert (b["status"].to_numpy() == truth["status"].to_numpy()).all()


def test_building_types_follow_the_statbel_shares(truth: gpd.GeoDataFrame) -> None:
    res = truth.loc[truth["role"] == "residential"]
    assert len(res) == DEFAULT_RESIDENTIAL_BUILDINGS
    shares = res["building_type"].value_counts(normalize=True)
    expected = stock_type_shares()
    for btype in BUILDING_TYPES:
        # Statbel 1 Jan 2025: 28.1 / 26.4 / 39.0 / 6.5 % (gesloten, halfopen, open, apartment)
        assert abs(shares[btype] - expected[btype]) <= 0.03, btype
    assert abs(expected["open"] - 914_627 / 2_342_429) < 1e-12


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(60, 700))
def test_any_seed_and_size_gives_exactly_n_residential_buildings(seed: int, n: int) -> None:
    truth = generate_truth(seed=seed, n_buildings=n)
    res = truth.loc[truth["role"] == "residential"]
    assert len(res) == n
    target = stock_type_shares() * n
    counts = res["building_type"].value_counts()
    for btype in BUILDING_TYPES:
        # largest-remainder rounding, and at most one odd halfopen turned into a detached house
        assert abs(counts.get(btype, 0) - target[btype]) < 2.0, btype


def test_terraced_rows_share_their_walls_exactly(truth: gpd.GeoDataFrame) -> None:
    live = truth.loc[truth["status"] != "gehistoreerd"].reset_index(drop=True)
    geoms = live.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pair = left < right
    left, right = left[pair], right[pair]
    shared = shapely.intersection(geoms[left], geoms[right])
    # no overlaps: buildings only touch along walls [m²]
    assert shapely.area(shared).max() == 0.0
    # each touching pair shares a whole wall whose end points are vertices of both footprints
    assert shapely.length(shared).min() >= 8.0  # shortest building depth is 8 m
    for a, b, line in zip(left, right, shared, strict=True):
        ends = shapely.get_coordinates(shapely.line_merge(line))[[0, -1]]
        va = {tuple(p) for p in shapely.get_coordinates(geoms[a])}
        vb = {tuple(p) for p in shapely.get_coordinates(geoms[b])}
        assert all(tuple(p) in va and tuple(p) in vb for p in ends)
    walls = np.bincount(np.r_[left, right], minlength=len(live))
    assert (walls == live["n_shared_walls"].to_numpy()).all()
    kind = live["building_type"].to_numpy(dtype=object, na_value="")
    assert (walls[kind == "gesloten"] == 2).all()
    assert (walls[kind == "halfopen"] == 1).all()
    assert (walls[kind == "open"] == 0).all()


def test_footprints_have_the_brief_dimensions(truth: gpd.GeoDataFrame) -> None:
    res = truth.loc[truth["role"] == "residential"]
    rect = shapely.oriented_envelope(res.geometry.to_numpy())
    coords = shapely.get_coordinates(rect).reshape(-1, 5, 2)
    sides = np.sort(np.stack([np.hypot(*(coords[:, 1] - coords[:, 0]).T),
                              np.hypot(*(coords[:, 2] - coords[:, 1]).T)], axis=1), axis=1)  # fmt: skip
    kind = res["building_type"].to_numpy(dtype=object)
    tol = 1e-3  # m, coordinates are rounded to 1 mm
    ges = sides[kind == "gesloten"]
    assert ((ges[:, 0] >= 5 - tol) & (ges[:, 1] <= 14 + tol)).all()
    opn = sides[kind == "open"]
    assert ((opn[:, 0] >= 8 - tol) & (opn[:, 1] <= 14 + tol)).all()
    apt = sides[kind == "apartment"]
    # apartment footprints: buildings/data/synthetic_town_parameters.csv (apartments.<kind>.*)
    sizes = [
        _footprint(k, side)
        for k in ("apartment_centre", "apartment_station", "apartment_suburb")
        for side in ("width", "depth")
    ]
    smallest, largest = min(lo for lo, _ in sizes), max(hi for _, hi in sizes)
    assert ((apt[:, 0] >= smallest - tol) & (apt[:, 1] <= largest + tol)).all()


def test_every_dwelling_unit_has_one_address_and_link(register: dict) -> None:
    units, links, addresses = register["units"], register["links"], register["addresses"]
    live = units.loc[units["status"] != "gehistoreerd"]
    unit_id = live["gebouwehid"].astype(str)
    assert links["adresobjid"].isin(unit_id).all()
    assert links["adresid"].is_unique and links["adresid"].isin(addresses["adresid"]).all()
    assert set(addresses["adresid"]) == set(links["adresid"])
    dwellings = unit_id[live["functie"] == "wonen"]
    per_unit = links["adresobjid"].value_counts()
    assert (per_unit.reindex(dwellings, fill_value=0) == 1).all()
    assert addresses["voladres"].is_unique


def test_apartment_buildings_have_one_house_number_with_box_numbers(
    truth: gpd.GeoDataFrame, register: dict
) -> None:
    units, links, addresses = register["units"], register["links"], register["addresses"]
    units = units.assign(gebouwehid=units["gebouwehid"].astype(str))
    joined = links.merge(units, left_on="adresobjid", right_on="gebouwehid").merge(
        addresses.drop(columns="geometry"), on="adresid", suffixes=("_unit", "")
    )
    apartments = truth.loc[truth["building_type"] == "apartment", "gebouwid"]
    flats = joined.loc[joined["gebouwid"].isin(apartments)]
    per_building = flats.groupby("gebouwid").agg(
        numbers=("huisnr", "nunique"),
        streets=("straatnm", "nunique"),
        boxes=("busnr", "nunique"),
        flats=("functie", lambda f: (f == "wonen").sum()),
    )
    assert (per_building["numbers"] == 1).all() and (per_building["streets"] == 1).all()
    assert (per_building["flats"] >= 2).all() and (per_building["flats"] <= 30).all()
    assert (per_building["boxes"] >= per_building["flats"]).all()
    # floor-based box numbers: ground floor 1, 2, ...; floor f: f1, f2, ...
    assert flats["busnr"].dropna().str.fullmatch(r"[1-9]|[1-9][1-9]").all()
    # the house-number address (no box) belongs to the common part
    no_box = flats.loc[flats["busnr"].isna(), "functie"]
    assert (no_box == "gemeenschappelijkDeel").all()
    # single-unit buildings: one address, without box number
    single = truth.loc[truth["n_units"] == 1, "gebouwid"]
    houses = joined.loc[joined["gebouwid"].isin(single)]
    assert houses["busnr"].isna().all() and houses["gebouwid"].is_unique


def test_addresses_lie_inside_their_building_near_the_facade(register: dict) -> None:
    units, links, addresses = register["units"], register["links"], register["addresses"]
    buildings = register["buildings"].set_index(register["buildings"]["gebouwid"].astype(str))
    unit_building = units.set_index(units["gebouwehid"].astype(str))["gebouwid"]
    point = addresses.set_index("adresid").geometry
    footprint = buildings.geometry.loc[unit_building.loc[links["adresobjid"]].to_numpy()].to_numpy()
    where = point.loc[links["adresid"]].to_numpy()
    assert shapely.contains_properly(footprint, where).all()
    # within 2 m of the footprint's outline (1.2 m behind the façade) [m]
    assert shapely.distance(shapely.boundary(footprint), where).max() <= 2.0


def test_dsm_minus_dtm_on_flat_roofs_is_the_true_height(
    files: dict[str, Path], truth: gpd.GeoDataFrame
) -> None:
    dsm, transform = merge([files["DHMVIIDSMRAS1m_k12.tif"], files["DHMVIIDSMRAS1m_k13.tif"]])
    dtm, transform_dtm = merge([files["DHMVIIDTMRAS1m_k12.tif"], files["DHMVIIDTMRAS1m_k13.tif"]])
    assert transform == transform_dtm
    diff = (dsm[0] - dtm[0]).astype(np.float64)
    flat = truth.loc[(truth["roof_type"] == "flat") & (truth["status"] == "gerealiseerd")]
    flat = flat.loc[flat["role"] == "residential"].reset_index(drop=True)
    inner = flat.geometry.buffer(-1.0)  # away from the edges of the footprint
    keep = ~inner.is_empty
    labels = rasterize(
        ((g, i + 1) for i, g in zip(np.flatnonzero(keep), inner[keep], strict=True)),
        out_shape=diff.shape,
        transform=transform,
        dtype="int32",
    )
    on = labels > 0
    medians = pd.Series(diff[on]).groupby(labels[on] - 1).median()
    error = medians.to_numpy() - flat["height_m"].to_numpy()[medians.index]
    assert len(medians) > 100
    assert np.abs(error).max() <= 0.05  # m, DSM noise sigma 3 cm, DTM noise 1 cm
    # pitched roofs rise above the eaves: the DSM peak lies between eaves and ridge [m]
    pitched = truth.loc[(truth["role"] == "residential") & (truth["roof_type"] != "flat")].head(200)
    lab = rasterize(
        ((g, i + 1) for i, g in enumerate(pitched.geometry.buffer(-0.5))),
        out_shape=diff.shape,
        transform=transform,
        dtype="int32",
    )
    top = pd.Series(diff[lab > 0]).groupby(lab[lab > 0] - 1).max()
    eaves = pitched["eaves_height_m"].to_numpy()[top.index]
    ridge = pitched["height_m"].to_numpy()[top.index]
    assert ((top.to_numpy() > eaves + 0.5) & (top.to_numpy() < ridge + 0.2)).all()
    # the terrain is gentle: a few metres of relief over the town [m]
    ground = dtm[0][dtm[0] != -9999.0]
    assert 2.0 < np.percentile(ground, 99) - np.percentile(ground, 1) < 12.0


def test_construction_years_follow_the_period_shares_and_the_town_plan(
    truth: gpd.GeoDataFrame,
) -> None:
    res = truth.loc[truth["role"] == "residential"]
    periods = construction_period_shares()
    assert np.allclose(periods[list(BUILDING_TYPES)].sum(), 1.0, atol=1e-12)
    for btype in BUILDING_TYPES:
        years = res.loc[res["building_type"] == btype, "construction_year"].to_numpy(dtype=float)
        counts, _ = np.histogram(
            years, bins=[*periods["year_from"], periods["year_to"].iloc[-1] + 1]
        )
        # largest-remainder rounding of the shares: within one building per class
        assert np.abs(counts - periods[btype].to_numpy() * len(years)).max() < 1.0, btype
    median = res.groupby("zone")["construction_year"].median()
    assert median["centrum"] < median["schil"] < median["verkaveling"]


def test_units_and_statuses_use_the_register_vocabulary(register: dict) -> None:
    b, u, a = register["buildings"], register["units"], register["addresses"]
    assert set(b["status"]) == {"gerealiseerd", "gepland", "inAanbouw", "gehistoreerd"}
    assert set(b["geommet"]) == {"ingemetenGRB", "ingeschetst"}
    assert (b["geommet"] == "ingemetenGRB").mean() > 0.95
    assert (b["status"] == "gerealiseerd").mean() > 0.97
    assert set(u["functie"]) == {"wonen", "gemeenschappelijkDeel", "handel", "kantoor"}
    assert set(a["status"]) == {"inGebruik", "voorgesteld"}
    assert set(a["posspec"]) == {"gebouweenheid", "perceel"}
    assert set(a["posgeommet"]) == {"aangeduidDoorBeheerder"}
    assert (a["gemeenteid"] == MUNICIPALITY_NIS).all() and (a["postcode"] == "8810").all()
    assert a["voladres"].str.fullmatch(r".+ \d+[A-Z]?( bus \d+)?, 8810 Lichtervelde").all()
    assert b["versieid"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00").all()


def test_extract_style_spells_values_as_the_shapefile_extracts(tmp_path: Path) -> None:
    files = generate_municipality(
        tmp_path, seed=3, n_buildings=150, with_rasters=False, value_style="extract"
    )
    assert not any(p.suffix == ".tif" for p in files.values())
    b = gpd.read_file(files["Gebouw.shp"])
    u = gpd.read_file(files["Gebouweenheid.shp"])
    a = gpd.read_file(files["Adres.shp"])
    assert set(b["status"]) <= {"Gerealiseerd", "Gepland", "InAanbouw", "Gehistoreerd"}
    assert set(u["functie"]) <= {"NietGekend", "GemeenschappelijkDeel"}
    assert set(a["status"]) <= {"InGebruik", "Voorgesteld"}


def test_sectors_cover_the_municipality_and_every_building(
    files: dict[str, Path], truth: gpd.GeoDataFrame
) -> None:
    sectors = gpd.read_file(files["sectoren.gpkg"], layer="sectoren")
    assert 6 <= len(sectors) <= 12
    assert sectors["cd_sector"].str.fullmatch(rf"{MUNICIPALITY_NIS}A\d\d[-\d]").all()
    assert (sectors["cd_sub_munty"] == f"{MUNICIPALITY_NIS}A").all()
    assert (sectors["cd_munty_refnis"] == MUNICIPALITY_NIS).all()
    municipality = shapely.union_all(sm.demo_wijken().geometry.to_numpy())
    union = shapely.union_all(sectors.geometry.to_numpy())
    assert shapely.symmetric_difference(union, municipality).area < 1.0  # m²
    assert sectors.geometry.area.sum() == pytest.approx(municipality.area, abs=1.0)  # no overlaps
    assert truth["cd_sector"].notna().all()
    assert shapely.contains(municipality, truth.geometry.to_numpy()).all()


def test_facts_are_plausible_and_use_the_core_vocabulary(
    files: dict[str, Path], truth: gpd.GeoDataFrame, register: dict
) -> None:
    facts = pd.read_csv(files["feiten.csv"], dtype={"epc_label": "string"})
    assert (
        facts["adresid"].is_unique and facts["adresid"].isin(register["addresses"]["adresid"]).all()
    )
    labels = set(load_table("heating_systems.csv")["label_nl"])
    assert set(facts["verwarming"].dropna()) <= labels
    assert set(facts["dak_geisoleerd"].dropna().astype(str).str.lower()) <= {"true", "false"}
    dwellings = (register["units"]["functie"] == "wonen") & (
        register["units"]["status"] == "gerealiseerd"
    )
    missing_year = 1 - facts["bouwjaar"].notna().sum() / dwellings.sum()
    assert 0.05 < missing_year < 0.15  # about 10 % of the dwellings must be imputed
    epc = facts.dropna(subset=["epc_score"])
    from sim.labels import epc_label

    assert (epc_label(epc["epc_score"].to_numpy(dtype=float)) == epc["epc_label"].to_numpy()).all()
    assert facts["verbruik_gas_kwh"].dropna().between(500, 120_000).all()  # kWh per dwelling
    # known construction years are the true ones
    link = register["links"].merge(
        register["units"].assign(gebouwehid=register["units"]["gebouwehid"].astype(str)),
        left_on="adresobjid",
        right_on="gebouwehid",
    )
    year = facts.merge(link[["adresid", "gebouwid"]], on="adresid").dropna(subset=["bouwjaar"])
    true_year = truth.set_index("gebouwid")["construction_year"]
    assert (year["bouwjaar"].to_numpy() == true_year.loc[year["gebouwid"]].to_numpy()).all()


def test_tiled_benchmark_stock_keeps_ids_and_addresses_unique(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sm, "SINGLE_TOWN_MAX", 200)
    monkeypatch.setattr(sm, "TILE_BUILDINGS", 120)
    mun = build_municipality(seed=5, n_buildings=500)
    res = mun.truth.loc[mun.truth["role"] == "residential"]
    assert mun.tiled and len(res) == 500 and mun.truth["tile"].nunique() == 5
    assert mun.buildings["gebouwid"].is_unique and mun.units["gebouwehid"].is_unique
    assert mun.addresses["adresid"].is_unique and mun.addresses["voladres"].is_unique
    assert mun.sectors["cd_sector"].is_unique
    assert mun.truth["cd_sector"].notna().all()
    with pytest.raises(ValueError, match="with_rasters=False"):
        generate_municipality(Path("unused"), n_buildings=600, with_rasters=True)


def test_shipped_boundary_equals_a_fresh_derivation() -> None:
    geo_dir = require(
        SHARED / "data" / "geo" / "provinciesincijfers_gebiedsniveaus" / "gemeente.shp"
    ).parent
    tool = load_tool("derive_demo_boundary")
    fresh = tool.derive_wijken(geo_dir)
    shipped = sm.demo_wijken()
    assert fresh["geoitem"].tolist() == shipped["geoitem"].tolist()
    assert fresh["naam"].tolist() == shipped["naam"].tolist()
    assert shapely.equals_exact(
        fresh.geometry.to_numpy(), shipped.geometry.to_numpy(), tolerance=0.006
    ).all()
    assert re.fullmatch(r"36011W0[1-4]", shipped["geoitem"].iloc[0])
