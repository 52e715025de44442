"""Fixtures shared by every test package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pytest

from buildings.demo import demo_sources
from buildings.twin import TwinResult, build_twin, read_twin, write_twin

if TYPE_CHECKING:
    from api.service import ServiceState


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TwinResult]:
    """The demo town's sources (in ``<folder>/bronnen``) and the twin built from them, once per
    test process (:func:`demo_twin` and :func:`demo_heat` share it)."""
    folder = tmp_path_factory.mktemp("demo_twin")
    return folder, build_twin(demo_sources(folder))


@pytest.fixture(scope="session")
def demo_twin(demo_build: tuple[Path, TwinResult]) -> gpd.GeoDataFrame:
    """The demo town's twin (about 4,200 dwellings), through the real readers."""
    return demo_build[1].dwellings


@pytest.fixture(scope="session")
def small_demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder holding a small demo town's sources (seed 5, 600 buildings, no rasters), in
    ``bronnen/`` (:func:`buildings.demo.demo_streets` gives its street centrelines)."""
    out = tmp_path_factory.mktemp("small_demo")
    demo_sources(out, seed=5, n_buildings=600, with_rasters=False)
    return out


@pytest.fixture(scope="session")
def demo_state(demo_twin: gpd.GeoDataFrame) -> ServiceState:
    """The service's state of the demo twin (default policy, 2025), loaded once per test process:
    loading computes every dwelling's household plan (~15 s)."""
    from api.service import load_state

    return load_state(demo_twin)


@dataclass
class DemoHeat:
    """The demo twin (file and frame), its sources folder and renovation states by year."""

    twin_path: Path
    twin: gpd.GeoDataFrame
    sources: Path
    states: dict[int, list[str]]


#: What the synthetic scenario has done by each year, cumulatively, for every third dwelling
#: (offset by year): insulation first, a heat pump after new emitters later.
_STEPS = {
    2030: "roof_insulation",
    2040: "roof_insulation+exterior_wall_insulation",
    2050: "roof_insulation+exterior_wall_insulation+low_temperature_emitters+heat_pump_air_water",
}


@pytest.fixture(scope="session")
def demo_heat(demo_build: tuple[Path, TwinResult]) -> DemoHeat:
    folder, built = demo_build
    path = folder / "twin.parquet"
    write_twin(built, path)
    twin = read_twin(path)
    n = len(twin)
    rows = np.arange(n)
    states = {}
    for year, done in _STEPS.items():
        state = np.full(n, "", dtype=object)
        state[rows % 3 != 2] = done  # two thirds renovate
        states[year] = state.tolist()
    return DemoHeat(twin_path=path, twin=twin, sources=folder / "bronnen", states=states)
