"""Readers of the heat zoning: decided zones on real file formats; the demo town's streets as zones."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from buildings import synthetic_municipality as sm
from buildings.demo import demo_streets
from buildings.errors import SourceFileError
from buildings.streets import read_streets
from scenarios.heat.io_zones import read_fixed_zones
from scenarios.heat.zones import street_layer

X0, Y0 = 156_500.0, 239_500.0


def _write(gdf: gpd.GeoDataFrame, path: Path, **kw: object) -> Path:
    driver = "GPKG" if path.suffix == ".gpkg" else "ESRI Shapefile"
    pyogrio.write_dataframe(gdf, path, driver=driver, **kw)
    return path


# ------------------------------------------------------------------------------- fixed zones
def _zones(strategies: list[str], boxes: list[tuple[float, float, float, float]], **kw: object):
    return gpd.GeoDataFrame(
        {"zone_id": [f"Z{i + 1}" for i in range(len(boxes))], "strategy": strategies, **kw},
        geometry=[shapely.box(X0 + a, Y0 + b, X0 + c, Y0 + d) for a, b, c, d in boxes],
        crs="EPSG:31370",
    )


def test_fixed_zones_map_words_and_strategy_ids(tmp_path: Path) -> None:
    z = _zones(
        [" Warmtenet", "collective_hp", "individueel", "nader onderzoeken", "HYBRID"],
        [(0, 0, 100, 100), (100, 0, 200, 100), (200, 0, 300, 100), (0, 100, 100, 200),
         (100, 100, 200, 200)],
    )  # fmt: skip
    # shared borders only (and a 0.5 m² digitising sliver): no overlap
    z.loc[1, "geometry"] = shapely.box(X0 + 99.995, Y0, X0 + 200, Y0 + 100)
    out = read_fixed_zones(_write(z, tmp_path / "vast.gpkg"))
    assert out["zone_id"].tolist() == ["Z1", "Z2", "Z3", "Z4", "Z5"]
    assert out["advice"].tolist() == [
        "warmtenet",
        "individueel",
        "individueel",
        "nader onderzoeken",
        "hybride",
    ]
    assert out["strategy"].tolist() == ["network", "collective_hp", pd.NA, pd.NA, "hybrid"]
    assert out.crs == "EPSG:31370"


def test_overlapping_fixed_zones_are_named_with_their_overlap(tmp_path: Path) -> None:
    z = _zones(["warmtenet", "individueel", "hybride"], [(0, 0, 100, 100), (50, 0, 150, 100),
                                                          (500, 0, 600, 100)])  # fmt: skip
    with pytest.raises(SourceFileError) as err:
        read_fixed_zones(_write(z, tmp_path / "overlap.gpkg"))
    text = str(err.value)
    assert "zones Z1 (rij 1) en Z2 (rij 2) overlappen over 5.000 m²" in text
    assert "Z3" not in text
    assert "er is niets berekend" in text


def test_fixed_zones_bad_input_gets_dutch_messages(tmp_path: Path) -> None:
    z = _zones(["warmtenet", "stadsverwarming"], [(0, 0, 100, 100), (200, 0, 300, 100)])
    with pytest.raises(SourceFileError, match=r"onbekende strategie \(Z2: 'stadsverwarming'\)"):
        read_fixed_zones(_write(z, tmp_path / "onbekend.gpkg"))
    good = _zones(["warmtenet"], [(0, 0, 100, 100)])
    with pytest.raises(SourceFileError, match="geografisch coördinatenstelsel"):
        read_fixed_zones(_write(good.to_crs("EPSG:4326"), tmp_path / "wgs.gpkg"))
    shp = _write(good, tmp_path / "zonder_prj.shp")
    shp.with_suffix(".prj").unlink()
    with pytest.raises(SourceFileError, match="geen coördinatenstelsel"):
        read_fixed_zones(shp)
    with pytest.raises(SourceFileError, match="strategy: verplicht veld ontbreekt"):
        read_fixed_zones(_write(good.drop(columns="strategy"), tmp_path / "zonder.gpkg"))
    lines = good.copy()
    lines["geometry"] = shapely.boundary(lines.geometry.to_numpy())
    with pytest.raises(SourceFileError, match="geen vlak"):
        read_fixed_zones(_write(lines, tmp_path / "lijnen.gpkg"))
    # 3812 is reprojected
    out = read_fixed_zones(_write(good.to_crs("EPSG:3812"), tmp_path / "l08.gpkg"))
    assert out.geometry.iloc[0].area == pytest.approx(10_000.0, rel=1e-3)


# ------------------------------------------------------------------------------- the demo town
def test_every_demo_building_lies_within_the_street_corridor(small_demo_folder: Path) -> None:
    streets = read_streets(demo_streets(small_demo_folder)).frame
    truth = sm.generate_truth(seed=5, n_buildings=600)
    res = truth[truth["role"] == "residential"]
    c = shapely.centroid(res.geometry.to_numpy())
    layer = street_layer(streets, shapely.get_x(c), shapely.get_y(c))
    assert len(layer.rejects) == 0
    assert len(layer.zones) > 20
