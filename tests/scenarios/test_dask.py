"""The same scenario on a real Dask LocalCluster (worker processes) gives identical results."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from distributed import LocalCluster

from scenarios.catalogue import load_catalogue
from scenarios.policy import load_policy
from scenarios.run import run_scenario
from tests.scenarios.test_run import example


def test_local_cluster_with_worker_processes_matches_one_process(
    demo_twin: gpd.GeoDataFrame,
) -> None:
    cat, pol = load_catalogue(), load_policy()
    scenario = example()
    here = run_scenario(scenario, demo_twin, cat, pol, partition_dwellings=1_000)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        assert len(cluster.workers) == 2
        there = run_scenario(
            scenario,
            demo_twin,
            cat,
            pol,
            scheduler=cluster.scheduler_address,
            partition_dwellings=1_000,
        )
    assert there.meta["partitions"] > 2  # the work was really split
    assert there.sector_ids == here.sector_ids
    np.testing.assert_array_equal(there.aggregates, here.aggregates)  # bit for bit
    pd.testing.assert_frame_equal(there.dwellings, here.dwellings)
    # and the same as a single partition in one process
    whole = run_scenario(scenario, demo_twin, cat, pol)
    np.testing.assert_array_equal(whole.aggregates, here.aggregates)
