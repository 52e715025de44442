"""What readers see of the goal indicators: the current state as it is, later years as bands."""

from __future__ import annotations

import pandas as pd

from api.formatting import KEY_INDICATORS, goal_rows


def test_first_year_is_the_central_run_later_years_the_median_with_band() -> None:
    rows = []
    for name, _, _ in KEY_INDICATORS:
        rows.append(("gemeente", name, 2025, 0.10, 0.20, 0.05, 0.30))  # central != median
        rows.append(("gemeente", name, 2030, 0.40, 0.50, 0.45, 0.55))
    table = pd.DataFrame(
        rows, columns=["level", "indicator", "year", "central", "p50", "p10", "p90"]
    )
    out = dict(goal_rows(table, [2025, 2030]))
    now, later = out["woningen met label A of beter"]
    assert now == ("10%", "")  # today: the central run, no band
    assert later == ("50%", "45%–55%")  # later: median and P10-P90
