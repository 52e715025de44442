"""Construction years without facts: drawn per building from the stock's periods, coherent per row.

Through the real code paths: real GRB Shapefiles (shared/data) and a large register-schema
Shapefile of street rows, read by the real readers and built by ``build_twin``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.stats import chisquare

from buildings import years
from buildings.geometry import synthetic_rows
from buildings.synthetic_municipality import construction_period_shares
from buildings.twin import TwinResult, TwinSources, build_twin, party_walls, twin_parameters
from tests.buildings.fixtures import ADDRESS_FIELDS
from tests.shared_data import SHARED, require

GRB_DIR = SHARED / "data" / "geo" / "basisregisters-grb_testdata"
#: the real GRB sample files (no .prj) and the CRS they are in
GRB = {
    "lambert72": (GRB_DIR / "gebouw_ALL_lambert72" / "gebouw_ALL.shp", "EPSG:31370"),
    "lambert2008": (GRB_DIR / "gebouw_ALL_lambert2008" / "gebouw_ALL.shp", "EPSG:3812"),
}
#: significance level of the chi-square tests (the draws are deterministic: a pass is stable)
ALPHA = 1e-3


def _addresses_in(buildings: gpd.GeoDataFrame, path: Path, crs: str) -> Path:
    """An Adressenregister extract (every field of the real one) with one address per building."""
    n = len(buildings)
    frame = pd.DataFrame(
        {
            "adresid": np.arange(500_001, 500_001 + n),
            "straatnmid": 77_000,
            "straatnm": "Dorpsstraat",
            "huisnr": [str(i + 1) for i in range(n)],
            "busnr": None,
            "postcode": 8810,
            "gemeenteid": 36011,
            "gemeentenm": "Lichtervelde",
            "status": "inGebruik",
            "posgeommet": "aangeduidDoorBeheerder",
            "posspec": "perceel",
            "offtoegknd": "false",
            "voladres": [f"Dorpsstraat {i + 1}, 8810 Lichtervelde" for i in range(n)],
        },
        columns=ADDRESS_FIELDS,
    )
    points = buildings.geometry.representative_point().to_numpy()
    gpd.GeoDataFrame(frame, geometry=points, crs=crs).to_file(path, engine="pyogrio")
    return path


def _grb_twin(
    folder: Path, which: str, facts: Path | None = None, reverse: bool = False
) -> TwinResult:
    """Twin of a real GRB sample file, one address per building; ``reverse``: rows reversed."""
    shp, crs = GRB[which]
    require(shp)
    buildings = gpd.read_file(shp)
    if reverse:  # the same records in the opposite order, in the same schema (no .prj)
        buildings = buildings.iloc[::-1].reset_index(drop=True)
        shp = folder / "gebouw_reversed.shp"
        buildings.to_file(shp, engine="pyogrio")
    addresses = _addresses_in(buildings.set_crs(crs), folder / "Adres.shp", crs)
    return build_twin(TwinSources(buildings=shp, addresses=addresses, facts=facts, crs=crs))


# ---------------------------------------------------------------------- real GRB input
@pytest.mark.parametrize("which", sorted(GRB))
def test_real_grb_without_facts_gets_drawn_years_not_a_constant(which: str, tmp_path: Path) -> None:
    twin = _grb_twin(tmp_path, which).dwellings
    per_building = twin.drop_duplicates("building_id")
    assert len(per_building) >= 4
    year = per_building["construction_year"].to_numpy()
    assert len(np.unique(year)) > 1  # no constant (it was 1998 for every building)
    assert (twin["construction_year_source"] == years.DRAWN).all()
    assert twin["imputed"].all()
    t = construction_period_shares()
    assert (years.period_of(twin["construction_year"]) >= 0).all()  # inside the periods
    assert year.min() >= t["year_from"].min() and year.max() <= t["year_to"].max()


def test_drawn_years_are_deterministic_and_independent_of_the_row_order(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    first = _grb_twin(tmp_path / "a", "lambert2008").dwellings
    again = _grb_twin(tmp_path / "b", "lambert2008").dwellings
    reversed_ = _grb_twin(tmp_path / "c", "lambert2008", reverse=True).dwellings

    def by_building(t: gpd.GeoDataFrame) -> pd.Series:
        return t.drop_duplicates("building_id").set_index("building_id")["construction_year"]

    a, b, c = by_building(first), by_building(again), by_building(reversed_)
    assert len(a) >= 4
    pd.testing.assert_series_equal(a, b)
    pd.testing.assert_series_equal(a.sort_index(), c.sort_index())


def test_a_year_depends_on_its_building_not_on_the_others() -> None:
    """The same building id, type and row get the same year whatever else is drawn with it."""
    ids = np.array([f"gebouw-{i}" for i in range(2_000)], dtype=object)
    kinds = np.array(years.STATBEL_TYPES, dtype=object)[np.arange(2_000) % 4]
    nan = np.full(2_000, np.nan)
    whole, _ = years.dwelling_years(nan, ids, kinds, None, 0.3)
    part, _ = years.dwelling_years(nan[:500], ids[1500:], kinds[1500:], None, 0.3)
    np.testing.assert_array_equal(whole[1500:], part)


def test_facts_with_cadastral_bouwjaar_and_bouwlagen_override_the_draw(tmp_path: Path) -> None:
    drawn = _grb_twin(tmp_path, "lambert2008").dwellings
    ids = sorted(drawn["building_id"].unique())[:3]
    facts = tmp_path / "kadaster.csv"
    rows = [f"{b};{1921 + k};{3 + k}" for k, b in enumerate(ids)]
    facts.write_text("gebouwid;bouwjaar;bouwlagen\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = _grb_twin(tmp_path, "lambert2008", facts=facts)
    assert result.accounting.set_index("source").loc[str(facts), "rejected"] == 0
    twin = result.dwellings.set_index("building_id")
    for k, b in enumerate(ids):
        rows_b = twin.loc[[b]]
        assert (rows_b["construction_year"] == 1921 + k).all()
        assert (rows_b["construction_year_source"] == "facts").all()
        assert (rows_b["storeys"] == 3 + k).all() and (rows_b["storeys_source"] == "facts").all()
        assert (rows_b["floor_area_source"] == "geometry+facts_storeys").all()
    others = twin.loc[~twin.index.isin(ids)]
    assert len(others) and set(others["construction_year_source"]) <= {"drawn", "imputed"}
    assert (others["storeys_source"] == "imputed").all()  # no DSM here: typical storeys
    # more storeys, more floor: the fact reaches the physics
    before = drawn.drop_duplicates("building_id").set_index("building_id")
    after = twin[~twin.index.duplicated()]
    for k, b in enumerate(ids):
        ratio = (3 + k) / before.at[b, "storeys"]
        total_after = twin.loc[[b], "floor_area_m2"].sum()
        total_before = drawn.loc[drawn["building_id"] == b, "floor_area_m2"].sum()
        assert total_after == pytest.approx(total_before * ratio, rel=1e-9), b
    assert len(after) == len(before)


def test_a_bad_bouwlagen_rejects_the_fact_record_with_its_value(tmp_path: Path) -> None:
    drawn = _grb_twin(tmp_path, "lambert2008").dwellings
    b = sorted(drawn["building_id"].unique())[0]
    facts = tmp_path / "kadaster.csv"
    facts.write_text(f"gebouwid;bouwjaar;bouwlagen\n{b};1930;2,5\n", encoding="utf-8")
    result = _grb_twin(tmp_path, "lambert2008", facts=facts)
    rej = result.rejects[result.rejects["source"] == str(facts)]
    assert list(rej["record_id"]) == [b] and "bouwlagen=2,5" in rej["reason"].iloc[0]
    row = result.dwellings[result.dwellings["building_id"] == b]
    assert (row["construction_year_source"] == years.DRAWN).all()  # nothing of it was used


# ---------------------------------------------------------------------- proportions
@pytest.mark.parametrize("kind", years.STATBEL_TYPES)
def test_drawn_periods_follow_the_statbel_shares_of_the_type(kind: str) -> None:
    """20,000 free-standing buildings of one type, no year known: the period counts against
    the table's shares (chi-square)."""
    n = 20_000
    ids = np.array([f"{kind}-{i}" for i in range(n)], dtype=object)
    keys = years.building_keys(ids)
    code = years.type_codes(np.full(n, kind, dtype=object))
    year, source = years.building_years(np.full(n, np.nan), code, keys, keys, 0.3)
    assert (source == years.DRAWN).all()
    shares = construction_period_shares()[kind].to_numpy()
    counts = np.bincount(years.period_of(year), minlength=len(shares))
    assert counts.sum() == n
    assert chisquare(counts, shares * n).pvalue > ALPHA
    # and the years inside each period are spread over it, not one year per period
    t = construction_period_shares()
    p = years.period_of(year)
    for k in np.flatnonzero(shares * n > 500):
        inside = year[p == k]
        width = t["year_to"].iloc[k] - t["year_from"].iloc[k] + 1
        assert len(np.unique(inside)) == width


@pytest.fixture(scope="module")
def rows_twin(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    """Twin of 20,000 street-row footprints written as a GRB upload Shapefile, no facts."""
    folder = tmp_path_factory.mktemp("rows")
    shp, _ = GRB["lambert72"]
    template = gpd.read_file(require(shp))
    live = template[(template["TPC"] == 1) & (template["EVENTTYPE"] != 5)].iloc[0]
    geoms = synthetic_rows(20_000, seed=11)
    n = len(geoms)
    frame = pd.DataFrame(
        {
            "GRBIDN": np.arange(9_000_001, 9_000_001 + n),
            "IDNV": 1,
            "GVDV": live["GVDV"],
            "GVDE": "1900-01-01",
            "EVENTTYPE": 1,
            "GRBOBJECT": 1,
            "GRID": [f"https://data.vlaanderen.be/id/gebouw/{70_000_001 + i}" for i in range(n)],
            "TPC": 1,
        }
    )
    buildings = gpd.GeoDataFrame(frame, geometry=geoms.to_numpy(), crs="EPSG:31370")
    bshp = folder / "gebouw_rows.shp"
    buildings.to_file(bshp, engine="pyogrio")
    addresses = _addresses_in(buildings, folder / "Adres.shp", "EPSG:31370")
    return build_twin(TwinSources(buildings=bshp, addresses=addresses)).dwellings


def test_free_standing_houses_of_a_large_real_schema_input_follow_the_open_shares(
    rows_twin: gpd.GeoDataFrame,
) -> None:
    houses = rows_twin[rows_twin["attachment"] == "open"].drop_duplicates("building_id")
    assert len(houses) > 1_000
    shares = construction_period_shares()["open"].to_numpy()
    counts = np.bincount(years.period_of(houses["construction_year"]), minlength=len(shares))
    assert chisquare(counts, shares * counts.sum()).pvalue > ALPHA
    # every TABULA-BE period of the detached house occurs (BE.01 ... BE.06)
    periods = houses["archetype_id"].astype(str).str.extract(r"\.(\d\d)\.")[0]
    assert set(periods) == {"01", "02", "03", "04", "05", "06"}
    assert (rows_twin["construction_year_source"] == years.DRAWN).all()


def _rows_of(twin: gpd.GeoDataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The twin's buildings and their party-wall rows (the test's own connected components)."""
    first = twin.drop_duplicates("building_id").reset_index(drop=True)
    pairs = party_walls(first)
    pos = pd.Index(first["building_id"])
    i = pos.get_indexer(pairs["building_a"])
    j = pos.get_indexer(pairs["building_b"])
    graph = coo_matrix((np.ones(len(i)), (i, j)), shape=(len(first), len(first)))
    return first, connected_components(graph, directed=False)[1]


def _share_in_modal_period(period: np.ndarray, row: np.ndarray) -> float:
    """Share of the buildings whose period is the most frequent one of their row."""
    frame = pd.DataFrame({"row": row, "period": period})
    count = frame.groupby(["row", "period"]).size()
    modal = count.groupby(level="row").max()
    return float(modal.sum() / len(frame))


def test_a_terrace_gets_mostly_one_period(rows_twin: gpd.GeoDataFrame) -> None:
    first, row = _rows_of(rows_twin)
    size = np.bincount(row)[row]
    terrace = size >= 3
    assert terrace.sum() > 5_000
    period = years.period_of(first["construction_year"])
    coherent = _share_in_modal_period(period[terrace], row[terrace])
    p = twin_parameters()["year_independent_share"]
    # at least the share that keeps the row's draw (those drawing alone may match it too)
    assert coherent >= 1.0 - p - 0.03
    # the same buildings drawn each on its own would not be coherent at all
    keys = years.building_keys(first["building_id"].to_numpy(dtype=object))
    code = years.type_codes(first["attachment"].to_numpy(dtype=object))
    alone, _ = years.building_years(np.full(len(first), np.nan), code, keys, keys, 0.3)
    independent = _share_in_modal_period(years.period_of(alone)[terrace], row[terrace])
    assert independent < coherent - 0.25


def test_known_years_of_a_row_pull_its_unknown_members() -> None:
    """Buildings without a year in a row with known years take the row's median (imputed),
    except those drawing on their own."""
    n = 3_000
    keys = years.building_keys([f"b{i}" for i in range(n)])
    rows = np.arange(n) // 6  # rows of six houses
    row_key = years.row_keys(keys, rows)
    known = np.where(np.arange(n) % 6 == 0, 1925.0 + rows % 50, np.nan)
    code = np.zeros(n, dtype=np.int64)
    year, source = years.building_years(known, code, keys, row_key, 0.3)
    unknown = np.isnan(known)
    pulled = source == "imputed"
    assert np.array_equal(year[pulled], (1925.0 + rows % 50)[pulled])
    assert (source[~unknown] == "facts").all()
    assert 0.6 < pulled[unknown].mean() < 0.8  # 1 - 0.3 of them, within sampling noise


def test_a_monte_carlo_run_draws_the_years_again_by_the_same_rule(
    rows_twin: gpd.GeoDataFrame,
) -> None:
    """redraw_years: run 0 is the twin itself, to the year; another run draws other years for
    the drawn dwellings, by the same rule (the type's shares, one draw per row); known years
    stay in every run."""
    share = twin_parameters()["year_independent_share"]
    twin = rows_twin.drop(columns="geometry")
    np.testing.assert_array_equal(
        years.redraw_years(twin, 0, share), twin["construction_year"].to_numpy(dtype=float)
    )
    run1 = years.redraw_years(twin, 1, share)
    assert (run1 != twin["construction_year"].to_numpy()).mean() > 0.5
    np.testing.assert_array_equal(run1, years.redraw_years(twin.iloc[::-1], 1, share)[::-1])
    first, row = _rows_of(rows_twin)
    size = np.bincount(row)[row]
    terrace = size >= 3
    by_building = pd.Series(run1, index=twin["building_id"].to_numpy()).groupby(level=0).first()
    period = years.period_of(by_building.loc[first["building_id"]].to_numpy())
    assert _share_in_modal_period(period[terrace], row[terrace]) >= 1.0 - share - 0.03
    houses = first["attachment"].to_numpy() == "open"
    shares = construction_period_shares()["open"].to_numpy()
    counts = np.bincount(period[houses], minlength=len(shares))
    assert chisquare(counts, shares * counts.sum()).pvalue > ALPHA
    # a known year (facts) stays what it is in every run
    known = twin.copy()
    known["construction_year_source"] = pd.Categorical(["facts"] * len(known))
    np.testing.assert_array_equal(
        years.redraw_years(known, 3, share), known["construction_year"].to_numpy(dtype=float)
    )
