"""The catalogue, the policy and the core work together on twin rows (guards the interfaces)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from buildings.demo import demo_sources
from buildings.twin import build_twin
from scenarios.catalogue import load_catalogue
from scenarios.policy import load_policy
from sim.core import simulate
from sim.stock import DWELLING_COLUMNS, DwellingArrays


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return build_twin(demo_sources(tmp_path_factory.mktemp("twin"))).dwellings


def test_catalogue_packages_simulate_on_the_twin_with_yearly_policy(twin: gpd.GeoDataFrame) -> None:
    cat = load_catalogue()
    pol = load_policy()
    steps = [
        ["roof_insulation"],
        ["roof_insulation", "glazing_hr"],
        ["roof_insulation", "glazing_hr", "heat_pump_air_water"],
    ]
    variants = cat.variants(steps, names=["roof", "roof+glass", "roof+glass+hp"])
    arrays = DwellingArrays.from_frame(twin[list(DWELLING_COLUMNS)])
    now = simulate(arrays, None, carriers=pol.carrier_tables(2030))
    res = simulate(arrays, variants, carriers=pol.carrier_tables(2030))
    # cumulative steps: the heating need never rises along the trajectory (the heat pump leaves it)
    need = np.hstack([now.heating_need_kwh, res.heating_need_kwh])
    assert (np.diff(need, axis=1) <= 1e-9 * need[:, :-1] + 1e-9).all()
    # ... and the heat pump step cuts CO2 where the dwelling burnt fuel
    assert (res.co2_kg[:, 2] <= res.co2_kg[:, 1] + 1e-9).mean() > 0.9
    costs = cat.costs(twin, steps)
    assert costs.shape == (len(twin), 3) and (np.diff(costs, axis=1) > 0).all()
    premium = pol.premium(["roof_insulation"], costs[:, :1], np.full(len(twin), "cat2"))
    assert ((premium >= 0) & (premium <= costs[:, :1])).all()
