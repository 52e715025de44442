"""Fixtures shared by the scenario tests: the embedded demo twin, built once per test process."""

from __future__ import annotations

import geopandas as gpd
import pytest

from buildings.demo import demo_sources
from buildings.twin import build_twin
from scenarios.catalogue import Catalogue, load_catalogue
from scenarios.policy import Policy, load_policy


@pytest.fixture(scope="session")
def demo_twin(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    """The demo town's twin (about 4,200 dwellings), through the real readers."""
    return build_twin(demo_sources(tmp_path_factory.mktemp("demo_twin"))).dwellings


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The shipped measures catalogue."""
    return load_catalogue()


@pytest.fixture(scope="session")
def policy() -> Policy:
    """The shipped Flemish policy."""
    return load_policy()
