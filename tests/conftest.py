"""Fixtures shared by every test package."""

from __future__ import annotations

import geopandas as gpd
import pytest

from buildings.demo import demo_sources
from buildings.twin import build_twin


@pytest.fixture(scope="session")
def demo_twin(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    """The demo town's twin (about 4,200 dwellings), through the real readers."""
    return build_twin(demo_sources(tmp_path_factory.mktemp("demo_twin"))).dwellings
