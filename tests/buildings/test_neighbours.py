"""Which buildings hold dwellings, and what their neighbours are: annexes, garages, shops.

Hand-drawn footprints in the GRB Gbg schema (hoofdgebouw / bijgebouw) and address points in
the Adressenregister schema, written as Shapefiles and read by the real readers through
:func:`buildings.twin.build_twin`; and the real GRB test file of the shared data.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from buildings.errors import SourceFileError
from buildings.io import read_buildings
from buildings.twin import TwinResult, TwinSources, build_twin, twin_parameters
from sim.core import simulate
from sim.reference_data import simulation_defaults
from sim.stock import DWELLING_COLUMNS, DwellingArrays
from tests.buildings import fixtures as fx
from tests.shared_data import SHARED, require

X, Y = fx.GENT_31370
HOOFDGEBOUW, BIJGEBOUW = 1, 2

#: OIDN -> (GRB type, footprint). Plots 300 m apart; shared walls drawn exactly.
BUILDINGS: dict[int, tuple[int, shapely.Polygon]] = {
    100: (HOOFDGEBOUW, shapely.box(X, Y, X + 10, Y + 10)),  # house alone: the reference
    101: (HOOFDGEBOUW, shapely.box(X + 300, Y, X + 310, Y + 10)),  # the same house ...
    102: (BIJGEBOUW, shapely.box(X + 310, Y, X + 314, Y + 6)),  # ... with its annex: 6 m
    103: (HOOFDGEBOUW, shapely.box(X + 600, Y, X + 610, Y + 10)),  # house next to ...
    104: (HOOFDGEBOUW, shapely.box(X + 610, Y, X + 640, Y + 30)),  # ... a 900 m² shop: 10 m
    105: (HOOFDGEBOUW, shapely.box(X + 900, Y, X + 1000, Y + 200)),  # 20,000 m², one address
    106: (HOOFDGEBOUW, shapely.box(X + 1200, Y, X + 1220, Y + 15)),  # 12 addresses
    108: (HOOFDGEBOUW, shapely.box(X + 1500, Y, X + 1510, Y + 10)),  # house next to ...
    107: (HOOFDGEBOUW, shapely.box(X + 1510, Y, X + 1513, Y + 6)),  # ... an 18 m² garage
    109: (BIJGEBOUW, shapely.box(X + 1800, Y, X + 1805, Y + 5)),  # a shed in a garden
}
#: OIDN -> addresses (house number, box numbers) placed inside the building.
ADDRESSES: dict[int, list[tuple[str, str | None]]] = {
    100: [("1", None)],
    101: [("3", None)],
    103: [("5", None)],
    104: [("7", None)],
    105: [("9", None)],
    106: [("11", str(n)) for n in range(1, 13)],
    108: [("13", None)],
}


def _sources(folder: Path) -> TwinSources:
    records = [(oidn, kind, geom) for oidn, (kind, geom) in BUILDINGS.items()]
    points = []
    for oidn, rows in ADDRESSES.items():
        inside = BUILDINGS[oidn][1].centroid
        for nr, box in rows:
            points.append((len(points) + 1, nr, box, inside))
    # one known construction year for every main building (a cadastral extract's "bouwjaar"):
    # the houses compared below differ only by their neighbours, not by a drawn year
    facts = folder / "bouwjaren.csv"
    houses = [100, 101, 103, 106, 108]  # those that hold dwellings
    facts.write_text(
        "building_id,bouwjaar\n" + "".join(f"{o},1965\n" for o in houses), encoding="utf-8"
    )
    return TwinSources(
        buildings=fx.grb_gbg_layer(folder, records, "Gbg.shp"),
        addresses=fx.address_points(folder, points, "Adres.shp"),
        facts=facts,
    )


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> TwinResult:
    return build_twin(_sources(tmp_path_factory.mktemp("neighbours")))


def _row(result: TwinResult, oidn: int) -> pd.Series:
    twin = result.dwellings
    rows = twin.loc[twin["building_id"] == str(oidn)]
    assert len(rows) == 1, f"building {oidn}: {len(rows)} dwellings"
    return rows.iloc[0]


def _reasons(result: TwinResult) -> dict[str, str]:
    r = result.rejects
    return dict(zip(r["record_id"], r["reason"], strict=True))


def test_the_wall_to_an_annex_is_unheated_not_exterior_not_adiabatic(town: TwinResult) -> None:
    par = twin_parameters()
    alone, annexed = _row(town, 100), _row(town, 101)
    # the house is two storeys (6 m of wall), the annex one (3 m): 6 m × 3 m against the annex,
    # the 6 m × 3 m above it is façade
    assert annexed["unheated_wall_m"] == pytest.approx(6.0)
    assert annexed["wall_unheated_area_m2"] == pytest.approx(6.0 * 3.0)
    assert annexed["party_wall_m"] == pytest.approx(0.0)  # no heated neighbour
    assert alone["unheated_wall_m"] == 0.0 and alone["party_wall_m"] == 0.0
    # not exterior: the façade lengths leave the 6 m out
    facade = [f"facade_{o}_m" for o in "nesw"]
    assert annexed[facade].sum() == pytest.approx(40.0 - 6.0)
    assert alone[facade].sum() == pytest.approx(40.0)
    # envelope areas of the core: façade (walls, windows, door) 240 - 18 m², the 18 m² to the
    # annex in the party-wall element with b = b_unheated_space (not 0: not adiabatic)
    outer = ["wall_area_m2", "door_area_m2"] + [f"window_area_{o}_m2" for o in "nesw"]
    assert alone[outer].sum() == pytest.approx(40.0 * 6.0)
    assert annexed[outer].sum() == pytest.approx(40.0 * 6.0 - 18.0)
    assert annexed["party_wall_area_m2"] == pytest.approx(18.0)
    assert annexed["b_party_wall"] == pytest.approx(par["b_unheated_space"])
    assert 0.0 < par["b_unheated_space"] < 1.0
    # an annex does not make a detached house semi-detached
    assert annexed["attachment"] == alone["attachment"] == "open"
    assert annexed["archetype_id"] == alone["archetype_id"]


def test_the_core_loses_b_u_a_through_the_wall_to_the_annex(town: TwinResult) -> None:
    """Hand-worked: the design heat load through the annex wall is b · U_wall · 18 m² · ΔT."""
    par, sd = twin_parameters(), simulation_defaults()
    twin = town.dwellings.set_index("building_id")
    rows = twin.loc[["100", "101"], list(DWELLING_COLUMNS)]
    adiabatic = rows.loc[["101"]].assign(b_party_wall=0.0)
    arrays = DwellingArrays.from_frame(pd.concat([rows, adiabatic]), what="test")
    load = simulate(arrays).design_heat_load_w[:, 0]
    u_wall = float(rows.loc["101", "u_wall_w_m2k"])
    delta_t = sd["theta_int_design_c"] - sd["theta_e_design_c"]
    hand = par["b_unheated_space"] * u_wall * 18.0 * delta_t
    assert hand > 0.0
    assert load[1] - load[2] == pytest.approx(hand, rel=1e-9)
    # the annex shelters the house: it loses less than alone, more than behind a heated wall
    assert load[2] < load[1] < load[0]


def test_annexes_are_accounted_with_their_main_building(town: TwinResult) -> None:
    reasons = _reasons(town)
    assert reasons["102"] == "annex (bijgebouw) of building 101"
    assert reasons["109"] == "annex (bijgebouw), free-standing"
    dutch = dict(zip(town.rejects["record_id"], town.rejects["reden"], strict=True))
    assert dutch["102"].startswith("bijgebouw bij gebouw 101")
    buildings = town.accounting.iloc[0]
    assert (
        "bijgebouw bij een hoofdgebouw (onverwarmde ruimte, geen woning): 1"
        in (buildings["rejected_by_reason"])
    )


def test_a_small_building_without_address_is_an_unheated_garage(town: TwinResult) -> None:
    house = _row(town, 108)
    assert house["unheated_wall_m"] == pytest.approx(6.0)
    assert house["party_wall_m"] == pytest.approx(0.0)
    assert house["attachment"] == "open"
    assert _reasons(town)["107"] == "garage or shed: small, no address"


def test_a_house_next_to_an_excluded_shop_keeps_its_party_wall(town: TwinResult) -> None:
    house = _row(town, 103)
    assert house["party_wall_m"] == pytest.approx(10.0)
    assert house["unheated_wall_m"] == 0.0
    assert house["attachment"] == "halfopen"
    assert house["b_party_wall"] == 0.0  # heated neighbour: adiabatic
    reasons = _reasons(town)
    assert reasons["104"].startswith("non-residential")
    assert not (town.dwellings["building_id"] == "104").any()


def test_a_huge_building_with_one_address_is_never_one_dwelling(town: TwinResult) -> None:
    cap = twin_parameters()["max_dwelling_floor_area_m2"]
    assert not (town.dwellings["building_id"] == "105").any()
    assert _reasons(town)["105"].startswith("non-residential")
    # its address is accounted, not lost
    addr = town.rejects.loc[town.rejects["reason"] == "address of a non-residential building"]
    assert len(addr) == 2  # the shop's and the big building's
    assert town.dwellings["floor_area_m2"].max() <= cap


def test_twelve_addresses_make_twelve_dwellings(town: TwinResult) -> None:
    flats = town.dwellings.loc[town.dwellings["building_id"] == "106"]
    assert len(flats) == 12
    assert set(flats["n_dwellings_in_building"]) == {12}
    assert set(flats["attachment"]) == {"apartment"}
    # 300 m² × 4 storeys × 0.85 (reference/gross) × 0.85 (in the dwellings) / 12
    par = twin_parameters()
    expected = (
        300.0
        * par["default_storeys_apartment"]
        * par["reference_to_gross_floor_area"]
        * par["apartment_dwelling_floor_share"]
        / 12
    )
    np.testing.assert_allclose(flats["floor_area_m2"], expected)


def test_accounting_read_equals_in_twin_plus_rejected(town: TwinResult) -> None:
    acc = town.accounting.set_index("source")
    assert (acc["read"] == acc["in_twin"] + acc["rejected"]).all()
    buildings, addresses = acc.iloc[0], acc.iloc[1]
    assert buildings["read"] == len(BUILDINGS)
    # in the twin: the buildings that hold dwellings
    assert buildings["in_twin"] == town.dwellings["building_id"].nunique() == 5
    assert addresses["read"] == sum(len(a) for a in ADDRESSES.values())
    assert addresses["in_twin"] == len(town.dwellings)


def test_a_woonfunctie_fact_decides_before_the_size_rule(tmp_path: Path) -> None:
    """A building fact ``woonfunctie`` (a cadastral or municipal use): "ja" keeps a large
    building's one dwelling above the cap (a fact says so), "nee" excludes a house, with its own
    reason; by building id or by an address of the building; the accounting still adds up."""
    src = _sources(tmp_path)
    facts = Path(str(src.facts))
    text = facts.read_text(encoding="utf-8").replace("building_id,bouwjaar", "gebouwid;bouwjaar")
    rows = [line.replace(",", ";") + ";" for line in text.splitlines()[1:]]
    facts.write_text(
        "gebouwid;bouwjaar;adresid;woonfunctie\n"
        + "\n".join(rows)
        + "\n105;;;ja\n"  # the 20,000 m² building: a dwelling, so the facts say
        + ";;"
        + "3;nee\n",  # by address: the 3rd address point, the house of building 103
        encoding="utf-8",
    )
    result = build_twin(src)
    cap = twin_parameters()["max_dwelling_floor_area_m2"]
    big = _row(result, 105)
    assert big["floor_area_m2"] > cap  # kept above the cap: a fact says it is a dwelling
    assert not (result.dwellings["building_id"] == "103").any()
    rejects = result.rejects.loc[result.rejects["source"] == str(src.buildings)]
    row = rejects.set_index("record_id").loc["103"]
    assert row["reason"] == "non-residential: so the facts say (woonfunctie)"
    assert "volgens de feiten" in row["reden"]
    acc = result.accounting.set_index("source")
    assert (acc["read"] == acc["in_twin"] + acc["rejected"]).all()


def test_unit_function_wonen_confirms_a_large_dwelling(tmp_path: Path) -> None:
    """With the Gebouwenregister, the unit function decides: 'wonen' keeps a large building a
    dwelling; an unknown function ('NietGekend') leaves it to the size rule."""
    import geopandas as gpd
    import pyogrio

    big = shapely.box(X, Y, X + 30, Y + 30)  # 900 m²: 1530 m² of floor for one address
    kiosk = shapely.box(X + 30, Y, X + 35, Y + 5)  # 25 m², a shop unit, against the big one
    frame = gpd.GeoDataFrame(
        {
            "gebouwid": [1, 2, 3],
            "versieid": [1, 1, 1],
            "geommet": ["ingemetenGRB"] * 3,
            "status": ["gerealiseerd"] * 3,
        },
        geometry=[big, shapely.box(X + 300, Y, X + 330, Y + 30), kiosk],
        crs="EPSG:31370",
    )
    buildings = tmp_path / "Gebouw.shp"
    frame.to_file(buildings, engine="pyogrio")
    addresses = fx.address_points(
        tmp_path,
        [
            (201, "1", None, big.centroid),
            (202, "3", None, shapely.Point(X + 315, Y + 15)),
            (203, "1A", None, kiosk.centroid),
        ],
        "Adres.shp",
    )
    units = pd.DataFrame(
        {
            "gebouwehid": [11, 12, 13],
            "gebouwid": [1, 2, 3],
            "functie": ["wonen", "NietGekend", "handel"],
            "status": ["gerealiseerd"] * 3,
        }
    )
    units_path = tmp_path / "GebouwEenheid.dbf"
    pyogrio.write_dataframe(units, units_path, driver="ESRI Shapefile")
    links_path = tmp_path / "GebouwEenheidAdresKoppeling.dbf"
    pyogrio.write_dataframe(
        pd.DataFrame({"adresobjid": [11, 12, 13], "adresid": [201, 202, 203]}),
        links_path,
        driver="ESRI Shapefile",
    )
    src = TwinSources(buildings=buildings, addresses=addresses, units=units_path, links=links_path)
    result = build_twin(src)
    assert list(result.dwellings["building_id"]) == ["1"]
    reasons = _reasons(result)
    assert reasons["2"].startswith("non-residential")
    assert reasons["12"] == "unit in a non-residential building"
    assert reasons["12->202"] == "link to a unit in a non-residential building"
    assert reasons["202"] == "address of a non-residential building"
    assert "1" not in reasons and "201" not in reasons and "11" not in reasons
    acc = result.accounting
    assert (acc["read"] == acc["in_twin"] + acc["rejected"]).all()
    # building 2 (with its address, unit and link) and the kiosk (with its shop unit, address, link)
    assert list(acc["rejected"]) == [2, 2, 2, 2]
    # the kiosk has a shop unit: no garage, a heated neighbour of the dwelling
    assert reasons["3"] == "no residential address"
    dwelling = _row(result, 1)
    assert dwelling["party_wall_m"] == pytest.approx(5.0)
    assert dwelling["unheated_wall_m"] == 0.0
    # without the register's units the size rule decides: both large buildings are no dwelling
    # (the kiosk becomes a small dwelling: GRB and addresses alone cannot tell)
    result = build_twin(replace(src, units=None, links=None))
    assert list(result.dwellings["building_id"]) == ["3"]
    reasons = _reasons(result)
    assert reasons["1"].startswith("non-residential") and reasons["2"].startswith("non-residential")
    # and when no building is left at all: a Dutch error naming the file
    two = fx.address_points(
        tmp_path,
        [(201, "1", None, big.centroid), (202, "3", None, shapely.Point(X + 315, Y + 15))],
        "Adres2.shp",
    )
    with pytest.raises(SourceFileError, match="geen enkel gebouw met een adres") as err:
        build_twin(TwinSources(buildings=buildings, addresses=two))
    assert "Gebouw.shp" in str(err.value)


def test_real_grb_sample_annexes_are_neighbours_not_rejects(tmp_path: Path) -> None:
    """The real GRB test file: 4 main buildings and 2 annexes kept; an address in each main."""
    path = require(
        SHARED / "data/geo/basisregisters-grb_testdata/gebouw_ALL_lambert72/gebouw_ALL.shp"
    )
    read = read_buildings(path, crs="EPSG:31370")
    main = read.frame.loc[read.frame["is_main"]]
    points = [
        (i + 1, str(2 * i + 1), None, geom.representative_point())
        for i, geom in enumerate(main.geometry)
    ]
    addresses = fx.address_points(tmp_path, points, "Adres.shp")
    result = build_twin(TwinSources(buildings=path, addresses=addresses, crs="EPSG:31370"))
    assert sorted(result.dwellings["building_id"]) == sorted(main["building_id"])
    annexes = read.frame.loc[~read.frame["is_main"], "building_id"]
    reasons = _reasons(result)
    for annex in annexes:
        assert reasons[annex].startswith("annex (bijgebouw)")
    assert "annex (bijgebouw)" not in set(read.rejects["reason"])
    acc = result.accounting.iloc[0]
    assert acc["read"] == 10 and acc["in_twin"] == 4
    assert acc["read"] == acc["in_twin"] + acc["rejected"]
