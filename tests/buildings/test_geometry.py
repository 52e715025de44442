"""Footprint geometry: party walls, attachment, exposed façades per orientation, CRS handling.

References are hand-computed rectangles, rows, an L-shape, a courtyard and rotated squares,
and invariants (façade + party wall = perimeter; row order does not matter).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS
from shapely import Polygon, box
from shapely.affinity import rotate

from buildings.errors import SourceFileError
from buildings.geometry import (
    FACADE_COLUMNS,
    attachment_types,
    facade_lengths,
    footprint_metrics,
    footprint_walls,
    neighbour_counts,
    party_wall_lengths,
    roof_area,
    shared_walls,
    synthetic_rows,
    to_twin_crs,
)
from buildings.geometry import _synthetic_blocks as synthetic_blocks
from sim.errors import InputError

X0, Y0 = 150_000.0, 200_000.0  # somewhere in Flanders, EPSG:31370 [m]
N, E, S, W = range(4)


def row(n: int = 7, width: float = 6.0, depth: float = 10.0, gap: float = 0.0) -> list[Polygon]:
    """``n`` terraced houses side by side along x, fronts facing south, ``gap`` between them."""
    return [
        box(X0 + k * (width + gap), Y0, X0 + k * (width + gap) + width, Y0 + depth)
        for k in range(n)
    ]


def invariant_gap(geoms: object) -> np.ndarray:
    """|perimeter - party wall - exposed façades| per footprint [m]."""
    walls, _ = footprint_walls(geoms)
    gap = walls["perimeter_m"] - walls["party_wall_m"] - walls[list(FACADE_COLUMNS)].sum(axis=1)
    return gap.abs().to_numpy()


# --------------------------------------------------------------------------------------------
# Rows of terraced houses
# --------------------------------------------------------------------------------------------


def test_row_of_seven_is_five_gesloten_and_two_halfopen() -> None:
    geoms = row(7)
    pairs = shared_walls(geoms)
    assert list(zip(pairs["i"], pairs["j"], strict=True)) == [(k, k + 1) for k in range(6)]
    np.testing.assert_allclose(pairs["length_m"], 10.0, atol=0.01)
    types = attachment_types(7, pairs)
    assert list(types) == ["halfopen"] + ["gesloten"] * 5 + ["halfopen"]
    np.testing.assert_allclose(
        party_wall_lengths(7, pairs), [10, 20, 20, 20, 20, 20, 10], atol=0.01
    )
    np.testing.assert_array_equal(neighbour_counts(7, pairs), [1, 2, 2, 2, 2, 2, 1])


def test_row_facades_are_fronts_backs_and_two_gables() -> None:
    f = facade_lengths(row(7), None)
    np.testing.assert_allclose(f[:, N], 6.0, atol=1e-9)
    np.testing.assert_allclose(f[:, S], 6.0, atol=1e-9)
    np.testing.assert_allclose(f[:, E], [0, 0, 0, 0, 0, 0, 10], atol=1e-9)
    np.testing.assert_allclose(f[:, W], [10, 0, 0, 0, 0, 0, 0], atol=1e-9)


@pytest.mark.parametrize("gap", [0.01, 0.02, 0.03, -0.02])
def test_row_with_slivers_gives_the_same_result(gap: float) -> None:
    """Gaps of 1-3 cm (and a 2 cm overlap) between neighbours change nothing beyond 1 cm."""
    geoms = row(7, gap=gap)
    walls, pairs = footprint_walls(geoms)
    assert len(pairs) == 6
    np.testing.assert_allclose(pairs["length_m"], 10.0, atol=0.01)
    assert list(walls["attachment"]) == ["halfopen"] + ["gesloten"] * 5 + ["halfopen"]
    np.testing.assert_allclose(walls["party_wall_m"], [10, 20, 20, 20, 20, 20, 10], atol=0.01)
    np.testing.assert_allclose(walls["facade_n_m"], 6.0, atol=0.01)
    np.testing.assert_allclose(walls["facade_e_m"], [0, 0, 0, 0, 0, 0, 10], atol=0.01)
    np.testing.assert_allclose(invariant_gap(geoms), 0.0, atol=1e-5)


def test_gap_wider_than_tolerance_is_no_party_wall() -> None:
    walls, pairs = footprint_walls(row(3, gap=0.08), tolerance_m=0.05)
    assert pairs.empty
    assert list(walls["attachment"]) == ["open"] * 3


def test_row_with_unequal_depths_shares_the_shorter_wall() -> None:
    """A 12 m deep house between two 9 m deep ones: 9 m walls, the rest of its sides exposed."""
    geoms = [
        box(X0, Y0, X0 + 5, Y0 + 9),
        box(X0 + 5, Y0, X0 + 11, Y0 + 12),
        box(X0 + 11, Y0, X0 + 18, Y0 + 9),
    ]
    walls, pairs = footprint_walls(geoms)
    np.testing.assert_allclose(pairs["length_m"], [9.0, 9.0], atol=0.01)
    mid = walls.iloc[1]
    assert mid["facade_e_m"] == pytest.approx(3.0, abs=1e-9)
    assert mid["facade_w_m"] == pytest.approx(3.0, abs=1e-9)
    assert mid["facade_n_m"] == pytest.approx(6.0, abs=1e-9)
    np.testing.assert_allclose(invariant_gap(geoms), 0.0, atol=1e-5)


def test_detached_house_is_open_with_full_facades() -> None:
    geoms = [box(X0, Y0, X0 + 9, Y0 + 11), box(X0 + 14, Y0, X0 + 20, Y0 + 10)]
    walls, pairs = footprint_walls(geoms)
    assert pairs.empty
    assert list(walls["attachment"]) == ["open", "open"]
    np.testing.assert_allclose(walls["party_wall_m"], 0.0, atol=0.0)
    np.testing.assert_allclose(walls.loc[0, list(FACADE_COLUMNS)], [9, 11, 9, 11], atol=1e-9)


def test_corner_touch_and_short_contact_are_no_neighbours() -> None:
    """Touching at a corner point, or sharing 0.3 m < min_length_m, is no shared wall."""
    geoms = [
        box(X0, Y0, X0 + 6, Y0 + 10),
        box(X0 + 6, Y0 + 10, X0 + 12, Y0 + 20),  # corner to corner
        box(X0 - 6, Y0 + 9.7, X0, Y0 + 19.7),  # 0.3 m along the west wall
    ]
    walls, pairs = footprint_walls(geoms)
    assert pairs.empty
    assert list(walls["attachment"]) == ["open"] * 3
    np.testing.assert_allclose(invariant_gap(geoms), 0.0, atol=1e-9)


def test_short_wall_is_party_wall_but_not_a_neighbour() -> None:
    """1.5 m shared: counted as party wall (>= 0.5 m) but not as attachment (< 2 m)."""
    geoms = [box(X0, Y0, X0 + 6, Y0 + 10), box(X0 + 6, Y0 + 8.5, X0 + 12, Y0 + 18.5)]
    walls, pairs = footprint_walls(geoms)
    np.testing.assert_allclose(pairs["length_m"], [1.5], atol=0.01)
    assert list(walls["attachment"]) == ["open", "open"]
    np.testing.assert_allclose(walls["party_wall_m"], 1.5, atol=0.01)
    np.testing.assert_allclose(party_wall_lengths(2, pairs, min_wall_m=2.0), 0.0, atol=0.0)


# --------------------------------------------------------------------------------------------
# Shapes and orientation
# --------------------------------------------------------------------------------------------


def l_shape() -> Polygon:
    """L: 10 m wide along the street (south), 12 m deep on the west, 4 m wide wing, [m]."""
    return Polygon(
        [
            (X0, Y0),
            (X0 + 10, Y0),
            (X0 + 10, Y0 + 5),
            (X0 + 4, Y0 + 5),
            (X0 + 4, Y0 + 12),
            (X0, Y0 + 12),
        ]
    )


def test_l_shape_facades_and_area() -> None:
    """Hand-computed: N 6 + 4, E 5 + 7, S 10, W 12; area 10·5 + 4·7; perimeter 44."""
    shape = l_shape()
    m = footprint_metrics([shape])
    assert m.loc[0, "area_m2"] == pytest.approx(78.0, abs=1e-9)
    assert m.loc[0, "perimeter_m"] == pytest.approx(44.0, abs=1e-9)
    np.testing.assert_allclose(facade_lengths([shape], None)[0], [10, 12, 10, 12], atol=1e-9)


def test_l_shape_with_a_neighbour_in_the_inner_corner() -> None:
    """A 6 × 7 m annex filling the inner corner shares 6 m (north of the wing) + 7 m (east of
    the stem) with the L: 13 m, over two edges at right angles."""
    neighbour = box(X0 + 4, Y0 + 5, X0 + 10, Y0 + 12)
    walls, pairs = footprint_walls([l_shape(), neighbour])
    np.testing.assert_allclose(pairs["length_m"], [13.0], atol=0.01)
    np.testing.assert_allclose(walls.loc[0, list(FACADE_COLUMNS)], [4, 5, 10, 12], atol=1e-9)
    np.testing.assert_allclose(walls.loc[1, list(FACADE_COLUMNS)], [6, 7, 0, 0], atol=1e-9)
    np.testing.assert_allclose(invariant_gap([l_shape(), neighbour]), 0.0, atol=1e-9)


@pytest.mark.parametrize("clockwise", [False, True])
def test_square_at_45_degrees_has_one_side_per_orientation(clockwise: bool) -> None:
    """Outward normals at 45, 135, 225 and 315° lie on the sector boundaries; the tie rule
    (clockwise-next sector) gives one side to each of N, E, S, W, whatever the ring direction."""
    square = rotate(box(X0, Y0, X0 + 10, Y0 + 10), 45.0)
    if clockwise:
        square = shapely.reverse(square)
    assert shapely.is_ccw(square.exterior) != clockwise
    np.testing.assert_allclose(facade_lengths([square], None)[0], [10, 10, 10, 10], atol=1e-9)


def test_tie_rule_sends_boundary_normals_clockwise() -> None:
    """A right triangle whose hypotenuse faces exactly north-east (45°) counts it as east."""
    tri = Polygon([(X0, Y0), (X0 + 10, Y0), (X0, Y0 + 10)])
    f = facade_lengths([tri], None)[0]
    np.testing.assert_allclose(f, [0.0, 10 * np.sqrt(2), 10.0, 10.0], atol=1e-9)


def test_rotated_row_keeps_party_walls_and_turns_facades() -> None:
    """A row turned 30° counter-clockwise: fronts (normal 180°) face 150° (S), backs 330° (N),
    gables 60° (E) and 240° (W); party walls unchanged."""
    geoms = [rotate(g, 30.0, origin=(X0, Y0)) for g in row(5)]
    walls, pairs = footprint_walls(geoms)
    np.testing.assert_allclose(pairs["length_m"], 10.0, atol=0.01)
    np.testing.assert_allclose(walls["facade_s_m"], 6.0, atol=1e-6)
    np.testing.assert_allclose(walls["facade_n_m"], 6.0, atol=1e-6)
    np.testing.assert_allclose(walls["facade_e_m"], [0, 0, 0, 0, 10], atol=1e-6)
    np.testing.assert_allclose(walls["facade_w_m"], [10, 0, 0, 0, 0], atol=1e-6)


def test_courtyard_walls_are_facades() -> None:
    """A 20 × 20 m block with a 10 × 10 m courtyard: the courtyard walls face into it."""
    block = box(X0, Y0, X0 + 20, Y0 + 20).difference(box(X0 + 5, Y0 + 5, X0 + 15, Y0 + 15))
    m = footprint_metrics([block])
    assert m.loc[0, "area_m2"] == pytest.approx(300.0, abs=1e-9)
    assert m.loc[0, "perimeter_m"] == pytest.approx(120.0, abs=1e-9)
    np.testing.assert_allclose(facade_lengths([block], None)[0], [30, 30, 30, 30], atol=1e-9)


def test_multipolygon_and_empty_footprints() -> None:
    mp = shapely.MultiPolygon([box(X0, Y0, X0 + 5, Y0 + 5), box(X0 + 10, Y0, X0 + 15, Y0 + 5)])
    walls, pairs = footprint_walls([mp, Polygon(), box(X0 + 15, Y0, X0 + 20, Y0 + 5)])
    np.testing.assert_allclose(pairs["length_m"], [5.0], atol=0.01)
    np.testing.assert_allclose(walls["area_m2"], [50, 0, 25], atol=1e-9)
    np.testing.assert_allclose(walls.loc[0, list(FACADE_COLUMNS)], [10, 5, 10, 10], atol=1e-9)
    np.testing.assert_allclose(walls.loc[1, list(FACADE_COLUMNS)], 0.0, atol=0.0)


def test_areas_and_perimeters_are_exact() -> None:
    m = footprint_metrics(gpd.GeoSeries(row(3, width=6.5, depth=9.25), crs="EPSG:31370"))
    np.testing.assert_allclose(m["area_m2"], 6.5 * 9.25, atol=1e-9)
    np.testing.assert_allclose(m["perimeter_m"], 2 * (6.5 + 9.25), atol=1e-9)


def test_roof_area() -> None:
    np.testing.assert_allclose(roof_area([100.0, 100.0], [0.0, 60.0]), [100.0, 200.0], rtol=1e-12)
    with pytest.raises(InputError, match="roof_pitch_deg"):
        roof_area([100.0], [90.0])


# --------------------------------------------------------------------------------------------
# Whole-stock invariants
# --------------------------------------------------------------------------------------------


def test_synthetic_rows_match_their_construction() -> None:
    layout = synthetic_blocks(3000, seed=3)
    geoms = synthetic_rows(3000, seed=3)
    assert len(geoms) == 3000
    assert geoms.crs == CRS("EPSG:31370")
    assert bool(shapely.is_valid(geoms.array).all())
    walls, _ = footprint_walls(geoms)
    np.testing.assert_allclose(walls["party_wall_m"], layout.shared_m, atol=0.01)
    expected = np.where(
        layout.block_size == 1,
        "open",
        np.where(
            (layout.position == 0) | (layout.position == layout.block_size - 1),
            "halfopen",
            "gesloten",
        ),
    )
    np.testing.assert_array_equal(walls["attachment"].to_numpy(), expected)
    np.testing.assert_allclose(invariant_gap(geoms), 0.0, atol=1e-5)


def test_separate_functions_agree_with_footprint_walls() -> None:
    geoms = synthetic_rows(500, seed=5)
    walls, pairs = footprint_walls(geoms)
    pd.testing.assert_frame_equal(pairs, shared_walls(geoms))
    np.testing.assert_allclose(
        facade_lengths(geoms, pairs), walls[list(FACADE_COLUMNS)].to_numpy(), atol=1e-9
    )
    np.testing.assert_allclose(
        facade_lengths(geoms, None), walls[list(FACADE_COLUMNS)].to_numpy(), atol=1e-9
    )
    metrics = footprint_metrics(geoms)
    np.testing.assert_allclose(metrics["area_m2"], walls["area_m2"], atol=0.0)
    np.testing.assert_array_equal(attachment_types(500, pairs), walls["attachment"].to_numpy())


def test_empty_pairs_means_all_walls_exposed() -> None:
    geoms = row(3)
    empty = pd.DataFrame({"i": [], "j": [], "length_m": []})
    np.testing.assert_allclose(facade_lengths(geoms, empty).sum(axis=1), 32.0, atol=1e-9)


def test_inputs_are_not_mutated() -> None:
    geoms = synthetic_rows(200, seed=1)
    before = geoms.copy()
    footprint_walls(geoms)
    assert geoms.geom_equals_exact(before, tolerance=0.0).all()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_results_do_not_depend_on_row_order(seed: int, perm_seed: int) -> None:
    geoms = synthetic_rows(150, seed=seed)
    perm = np.random.default_rng(perm_seed).permutation(len(geoms))
    walls, pairs = footprint_walls(geoms)
    walls_p, pairs_p = footprint_walls(geoms.iloc[perm])
    # Same index travels with the rows: realign and compare.
    pd.testing.assert_frame_equal(walls_p.loc[walls.index], walls, check_exact=False, atol=1e-9)
    # Pairs are positions: map the permuted positions back to the original ones.
    a, b = perm[pairs_p["i"].to_numpy()], perm[pairs_p["j"].to_numpy()]
    back = pd.DataFrame(
        {"i": np.minimum(a, b), "j": np.maximum(a, b), "length_m": pairs_p["length_m"]}
    )
    back = back.sort_values(["i", "j"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, pairs, check_exact=False, atol=1e-9)


def test_no_footprints_gives_empty_results() -> None:
    walls, pairs = footprint_walls([])
    assert walls.shape == (0, 9) and pairs.empty
    assert facade_lengths([], None).shape == (0, 4)


def test_bad_geometries_are_all_reported() -> None:
    geoms = [box(0, 0, 1, 1), None, shapely.Point(0, 0), shapely.LineString([(0, 0), (1, 1)])]
    with pytest.raises(SourceFileError) as err:
        footprint_metrics(geoms)
    assert err.value.rows == [1, 2, 3]
    assert "ontbreekt" in str(err.value) and "geen Polygon" in str(err.value)


def test_pairs_for_other_footprints_are_refused() -> None:
    with pytest.raises(InputError, match="verschillende posities"):
        party_wall_lengths(2, pd.DataFrame({"i": [0], "j": [5], "length_m": [3.0]}))


# --------------------------------------------------------------------------------------------
# CRS at the edge
# --------------------------------------------------------------------------------------------


def lambert72_frame() -> gpd.GeoDataFrame:
    """Footprints across Flanders (Ghent-ish, Brussels-ish, Limburg-ish) in EPSG:31370."""
    geoms = [
        *row(3),
        box(105_000, 194_000, 105_012, 194_009),
        box(230_000, 180_000, 230_008, 180_011),
    ]
    return gpd.GeoDataFrame({"building_id": list("abcde")}, geometry=geoms, crs="EPSG:31370")


@pytest.mark.parametrize("crs", ["EPSG:3812", "EPSG:4326", "EPSG:4258", "EPSG:32631"])
def test_reprojected_input_gives_the_same_areas(crs: str) -> None:
    """Footprints made in Lambert 72, stored in another CRS and brought back with
    to_twin_crs. Found: areas within 1e-7 m², coordinates within 0.4 mm (pyproj's inverse
    pipelines are not exact inverses); asserted 1e-5 m² and 1 mm."""
    ref = lambert72_frame()
    back = to_twin_crs(ref.to_crs(crs), "gebouwen.shp")
    assert back.crs == CRS("EPSG:31370")
    np.testing.assert_allclose(back.area, ref.area, atol=1e-5)
    np.testing.assert_allclose(
        back.get_coordinates().to_numpy(), ref.get_coordinates().to_numpy(), atol=1e-3
    )
    np.testing.assert_allclose(
        footprint_metrics(back)["area_m2"], footprint_metrics(ref)["area_m2"], atol=1e-5
    )


def test_lambert2008_areas_differ_from_lambert72_by_scale_only() -> None:
    """Areas measured directly in EPSG:3812 differ from EPSG:31370 by the projections' scale
    factors: found 1.6e-5 relative for these footprints; asserted under 1e-4."""
    ref = lambert72_frame()
    np.testing.assert_allclose(ref.to_crs("EPSG:3812").area, ref.area, rtol=1e-4)


def test_lambert72_in_esri_spelling_is_not_moved() -> None:
    esri = CRS("EPSG:31370").to_wkt("WKT1_ESRI")
    ref = lambert72_frame()
    out = to_twin_crs(ref.set_crs(esri, allow_override=True), "gebouwen.shp")
    assert out.crs == CRS("EPSG:31370")
    assert out.geom_equals_exact(ref.geometry, tolerance=0.0).all()


def test_frame_without_crs_is_refused_with_advice() -> None:
    frame = lambert72_frame().set_crs(None, allow_override=True)
    with pytest.raises(SourceFileError) as err:
        to_twin_crs(frame, "Gebouw.shp")
    message = str(err.value)
    assert "Gebouw.shp" in message
    assert "geen coördinatenstelsel (.prj ontbreekt)" in message
    assert "--crs EPSG:31370" in message


def test_wrongly_declared_crs_is_refused() -> None:
    """Lambert 72 coordinates labelled as Lambert 2008 land outside Belgium."""
    frame = lambert72_frame().set_crs("EPSG:3812", allow_override=True)
    with pytest.raises(SourceFileError, match="buiten België"):
        to_twin_crs(frame, "Gebouw.shp")


def test_metres_labelled_as_degrees_are_refused() -> None:
    frame = lambert72_frame().set_crs("EPSG:4326", allow_override=True)
    with pytest.raises(SourceFileError, match="zijn geen graden"):
        to_twin_crs(frame, "Gebouw.shp")


def test_geographic_footprints_are_never_measured() -> None:
    geographic = lambert72_frame().to_crs("EPSG:4326")
    with pytest.raises(SourceFileError, match="to_twin_crs"):
        footprint_metrics(geographic)
    with pytest.raises(SourceFileError, match="to_twin_crs"):
        shared_walls(geographic.geometry)
