"""Fixtures shared by every test package."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import pytest

from buildings.demo import demo_sources
from buildings.twin import build_twin

if TYPE_CHECKING:
    from api.service import ServiceState


@pytest.fixture(scope="session")
def demo_twin(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    """The demo town's twin (about 4,200 dwellings), through the real readers."""
    return build_twin(demo_sources(tmp_path_factory.mktemp("demo_twin"))).dwellings


@pytest.fixture(scope="session")
def demo_state(demo_twin: gpd.GeoDataFrame) -> ServiceState:
    """The service's state of the demo twin (default policy, 2025), loaded once per test process:
    loading computes every dwelling's household plan (~15 s)."""
    from api.service import load_state

    return load_state(demo_twin)
