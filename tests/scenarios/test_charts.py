"""Scenario charts: every file written, deterministic, and the caller's matplotlib left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.charts import write_charts
from scenarios.policy import load_policy
from sim.labels import LABELS

STEMS = ("co2", "investering", "label_a", "labels", "lekp_wijken")


def _indicators() -> pd.DataFrame:
    """Town and sector indicators of a small made-up run (the columns write_charts reads)."""
    rng = np.random.default_rng(1)
    rows = []
    for year in range(2025, 2051, 5):
        shares = rng.dirichlet(np.ones(len(LABELS)))
        for label, s in zip(LABELS, shares, strict=True):
            rows.append(("gemeente", "stad", f"share_label_{label}", year, s, 0.9 * s, 1.1 * s))
        for name, v in (
            ("co2_kg", 5e6),
            ("share_label_a_or_better", 0.2),
            ("investment_cum_eur", 3e7),
        ):
            rows.append(("gemeente", "stad", name, year, v, 0.8 * v, 1.2 * v))
        for k in range(6):
            v = float(rng.uniform(0.0, 1.5))
            rows.append(("sector", f"wijk {k}", "lekp_collective_progress", year, v, v, v))
    columns = ["level", "area_name", "indicator", "year", "central", "p10", "p90"]
    return pd.DataFrame(rows, columns=columns)


def test_every_chart_in_every_format_and_the_same_bytes_twice(tmp_path: Path) -> None:
    ind, policy = _indicators(), load_policy()
    a = write_charts(ind, tmp_path / "a", ["png", "svg"], policy)
    b = write_charts(ind, tmp_path / "b", ["png", "svg"], policy)
    assert [p.name for p in a] == sorted(f"{s}.{f}" for s in STEMS for f in ("png", "svg"))
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    png = (tmp_path / "a" / "co2.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert (tmp_path / "a" / "labels.svg").read_text("utf-8").startswith("<?xml")


def test_charts_leave_the_backend_and_pyplot_of_the_caller_alone(tmp_path: Path) -> None:
    # a fresh interpreter: the test session's matplotlib may already have been switched
    script = textwrap.dedent(
        f"""
        import matplotlib
        import matplotlib.pyplot as plt
        from tests.scenarios.test_charts import _indicators
        import scenarios.charts
        from scenarios.policy import load_policy
        scenarios.charts.write_charts(
            _indicators(), __import__("pathlib").Path({str(tmp_path)!r}), ["png"], load_policy()
        )
        print(matplotlib.get_backend(), plt.get_fignums())
        """
    )
    # svg: a non-interactive backend other than Agg, so a switch to Agg shows
    env = {**os.environ, "MPLBACKEND": "svg"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "svg []"
    assert len(list(tmp_path.glob("*.png"))) == len(STEMS)
