"""What readers see of the goal indicators: the central estimate, with its band where runs differ."""

from __future__ import annotations

import pandas as pd

from api.formatting import KEY_INDICATORS, goal_rows


def test_every_year_shows_the_central_estimate_with_its_band_where_runs_differ() -> None:
    rows = []
    for name, _, _ in KEY_INDICATORS:
        rows.append(("gemeente", name, 2025, 0.10, 0.10, 0.10, 0.10))  # the runs agree
        rows.append(("gemeente", name, 2030, 0.50, 0.50, 0.45, 0.55))
        rows.append(("gemeente", name, 2040, 0.60, 0.60, 0.52, 0.71))
    table = pd.DataFrame(
        rows, columns=["level", "indicator", "year", "central", "p50", "p10", "p90"]
    )
    out = dict(goal_rows(table, [2025, 2030, 2040]))
    now, later, last = out["woningen met label A of beter"]
    assert now == ("10%", "")  # no band where P10 = P90
    assert later == ("50%", "45%–55%")  # the central estimate and P10-P90
    assert last == ("60%", "52%–71%")
