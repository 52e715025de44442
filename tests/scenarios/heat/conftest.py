"""The demo town for the heat-plan tests: its twin written to a file, with renovation states."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from buildings.demo import demo_sources
from buildings.twin import build_twin, read_twin, write_twin


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
def demo_heat(tmp_path_factory: pytest.TempPathFactory) -> DemoHeat:
    folder = tmp_path_factory.mktemp("demo_heat")
    src = demo_sources(folder)
    path = folder / "twin.parquet"
    write_twin(build_twin(src), path)
    twin = read_twin(path)
    n = len(twin)
    rows = np.arange(n)
    states = {}
    for year, done in _STEPS.items():
        state = np.full(n, "", dtype=object)
        state[rows % 3 != 2] = done  # two thirds renovate
        states[year] = state.tolist()
    return DemoHeat(twin_path=path, twin=twin, sources=folder / "bronnen", states=states)
