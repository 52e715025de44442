"""Renovation-goal indicators rolled up per sector and municipality, per year, with bands.

Input: the aggregates of a scenario run, shape (R, Y, G, Q) -- run (0 = central, 1.. = Monte
Carlo), year, statistical sector and quantity (:data:`scenarios.evolution.QUANTITIES`). The
municipality is the sum of its sectors, computed per run before any percentile (the band of a
sum, not the sum of bands). Ratios (shares, LEKP progress) are computed per run too.

Output: a long table, one row per area, year and indicator, with the central estimate and the
P10/P50/P90 over the Monte Carlo runs.

The central estimate (``central``, "centrale raming") is the median (P50) of the Monte Carlo
runs, taken per area, year and indicator; without Monte Carlo runs it is the central run (run 0,
every uncertain factor at its central value) and the band is that run too. The median is used,
not the central run: the central run fixes the uncertain factors but still draws which
households renovate, sell and join, so it is one draw among the others, and in a small town it
fell outside its own P10-P90 band (114 of the 1,092 municipality rows of the example scenario
before the change). The median lies inside the band by construction and is the figure half of
the runs stay below. An expected-value run (every factor central, fractional decisions) was not
chosen: the stock model moves whole dwellings, and a mean can leave the band too. Like
every percentile it is not additive: the medians of the sectors need not sum to the median of
the municipality, nor the label shares to exactly 1 (each run's figures do).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scenarios.evolution import QUANTITIES, Q
from scenarios.policy import Policy
from sim.labels import LABELS

#: What the ``central`` column is, in the words of the reports (Dutch, read by municipal staff).
CENTRAL_ESTIMATE_NL: str = (
    "De centrale raming is de mediaan (P50) van de Monte Carlo-runs: de helft van de runs komt "
    "lager uit, de helft hoger; P10–P90 is de band waarbinnen 8 op de 10 runs vallen. Zonder "
    "Monte Carlo-runs is het de centrale run (elke onzekere factor op zijn centrale waarde)."
)

#: Columns of the indicator table.
INDICATOR_COLUMNS: tuple[str, ...] = (
    "level",
    "area_id",
    "area_name",
    "year",
    "indicator",
    "unit",
    "description_nl",
    "central",
    "p10",
    "p50",
    "p90",
)

# Dutch descriptions of the indicators (read by municipal staff in the CSV); those naming a goal
# of the policy are completed by descriptions_nl
_DESCRIPTIONS_NL: dict[str, str] = {
    "dwellings": "aantal woningen",
    **{f"label_{x}": f"woningen met EPC-label {x}" for x in LABELS},
    "final_energy_kwh": "eindenergie per jaar (verwacht werkelijk verbruik)",
    "primary_energy_kwh": "primaire energie per jaar (EPC-methode)",
    "co2_kg": "CO2-uitstoot per jaar (verwacht werkelijk verbruik; uitgevoerde zonnestroom niet afgetrokken)",
    "energy_cost_eur": "energiefactuur per jaar (verwacht werkelijk verbruik, alle woningen samen)",
    "heating_need_kwh": "netto energiebehoefte voor verwarming per jaar",
    "investment_cum_eur": "geïnvesteerd in renovaties sinds het beginjaar",
    "premium_cum_eur": "ontvangen premies sinds het beginjaar",
    "renovations": "woningen die dit jaar renoveren",
    "measures": "maatregelen die dit jaar uitgevoerd worden (alle woningen samen)",
    "renovated_cum": "woningen die sinds het beginjaar minstens één keer renoveerden",
    "collective_renovations_cum": "woningen gerenoveerd in een collectief project (cumulatief)",
    "lekp_fossil_free_cum": "waarvan fossielvrij (LEKP)",
    "klimaattafel_invited_cum": "huishoudens uitgenodigd op een klimaattafel (cumulatief)",
    "obligation_triggered_cum": "verkopen die de renovatieverplichting activeerden (cumulatief)",
    "obligation_met_cum": "renovatieverplichtingen nagekomen (cumulatief)",
    "obligation_late_cum": "renovatieverplichtingen niet nagekomen binnen de termijn (cumulatief)",
    "obligation_open": "lopende renovatieverplichtingen",
    "fossil_free": "woningen zonder fossiele verwarming",
    **{f"share_label_{x}": f"aandeel woningen met label {x}" for x in LABELS},
    "co2_reduction_share": "CO2-daling tegenover het beginjaar",
    "lekp_collective_progress": "LEKP-voortgang collectieve renovaties (aandeel van het doel)",
    "lekp_fossil_free_progress": "LEKP-voortgang fossielvrij (aandeel van het doel)",
    "lekp_klimaattafel_progress": "LEKP-voortgang klimaattafels (aandeel van het doel)",
    "obligation_share_of_stock": "aandeel woningen ooit onder renovatieverplichting",
}


def _nl(value: float) -> str:
    """A goal value in Dutch notation (decimal comma), without trailing zeros."""
    return f"{value:g}".replace(".", ",")


def descriptions_nl(policy: Policy) -> dict[str, str]:
    """Dutch description of every indicator; the goals, their values and years come from
    ``policy`` (the LEKP period and goals per 1,000 housing units, the long-term label goal).

    Examples
    --------
    >>> from scenarios.policy import load_policy
    >>> descriptions_nl(load_policy())["lekp_collective_target"]
    'LEKP-doel collectieve renovaties (50 per 1.000 wooneenheden, 2021-2030)'
    """
    period = policy.lekp.period
    per = policy.lekp.per_1000_housing_units
    years = f"{period.from_year}-{period.to_year}"
    goal = policy.long_term_goal
    return {
        **_DESCRIPTIONS_NL,
        "share_label_a_or_better": (
            f"aandeel woningen met label A of beter (langetermijndoel: label {goal.label} of "
            f"beter in {goal.year})"
        ),
        "lekp_collective_cum": f"collectieve energiebesparende renovaties binnen de LEKP-periode {years}",
        "lekp_collective_target": (
            f"LEKP-doel collectieve renovaties ({_nl(per.collective_renovations.value)} per 1.000 "
            f"wooneenheden, {years})"
        ),
        "lekp_fossil_free_target": (
            f"LEKP-doel fossielvrije collectieve renovaties ({_nl(per.fossil_free.value)} per "
            f"1.000 wooneenheden, {years})"
        ),
        "lekp_klimaattafel_target": (
            f"LEKP-doel uitnodigingen klimaattafel ({_nl(per.klimaattafel_invitations.value)} per "
            f"1.000 wooneenheden, {years})"
        ),
    }


def _derived(
    values: NDArray[np.float64], policy: Policy
) -> tuple[list[str], list[str], NDArray[np.float64]]:
    """Append the derived indicators to the summed quantities (last axis)."""
    names = [n for n, _ in QUANTITIES]
    units = [u for _, u in QUANTITIES]
    dw = values[..., Q["dwellings"]]
    safe = np.where(dw > 0, dw, 1.0)
    extra: list[tuple[str, str, NDArray[np.float64]]] = []
    for x in LABELS:
        extra.append((f"share_label_{x}", "-", values[..., Q[f"label_{x}"]] / safe))
    a_or_better = values[..., Q["label_A+"]] + values[..., Q["label_A"]]
    extra.append(("share_label_a_or_better", "-", a_or_better / safe))
    co2 = values[..., Q["co2_kg"]]
    co2_0 = co2[:, :1]
    extra.append(
        (
            "co2_reduction_share",
            "-",
            np.where(co2_0 > 0, 1.0 - co2 / np.where(co2_0 > 0, co2_0, 1.0), 0.0),
        )
    )
    counts = policy.lekp_goal_counts(dw)
    goals = (
        ("lekp_collective", "lekp_collective_cum", counts["collective_renovations"]),
        ("lekp_fossil_free", "lekp_fossil_free_cum", counts["fossil_free"]),
        ("lekp_klimaattafel", "klimaattafel_invited_cum", counts["klimaattafel_invitations"]),
    )
    for name, source, target in goals:
        extra.append((f"{name}_target", "-", target))
        extra.append(
            (
                f"{name}_progress",
                "-",
                np.where(
                    target > 0, values[..., Q[source]] / np.where(target > 0, target, 1.0), 0.0
                ),
            )
        )
    extra.append(
        ("obligation_share_of_stock", "-", values[..., Q["obligation_triggered_cum"]] / safe)
    )
    out = np.concatenate([values, np.stack([e[2] for e in extra], axis=-1)], axis=-1)
    return names + [e[0] for e in extra], units + [e[1] for e in extra], out


def indicator_table(
    aggregates: NDArray[np.float64],
    years: Sequence[int] | NDArray[np.int64],
    sector_ids: Sequence[str],
    sector_names: Sequence[str],
    municipality: tuple[str, str],
    policy: Policy,
) -> pd.DataFrame:
    """Indicators per area (sectors, then the municipality), year and indicator.

    Parameters
    ----------
    aggregates : ndarray, shape (R, Y, G, Q)
        Sums per run, year, sector and quantity.
    years : sequence of int, length Y
    sector_ids, sector_names : sequence of str, length G
    municipality : (str, str)
        Id (NIS code) and name of the municipality.
    policy : Policy
        For the LEKP goals per 1,000 housing units and the descriptions naming them.

    Returns
    -------
    DataFrame
        ``INDICATOR_COLUMNS``; ``level`` is ``sector`` or ``gemeente``; ``central`` is the
        central estimate, the median of the Monte Carlo runs (equal to ``p50``; the central run
        when there are no Monte Carlo runs), so ``p10 <= central <= p90`` everywhere.
    """
    total = aggregates.sum(axis=2, keepdims=True)
    per_area = np.concatenate([aggregates, total], axis=2)  # (R, Y, A, Q)
    names, units, values = _derived(per_area, policy)
    descriptions = descriptions_nl(policy)
    runs = values[1:] if values.shape[0] > 1 else values[:1]
    p10, p50, p90 = np.percentile(runs, [10.0, 50.0, 90.0], axis=0)
    central = p50  # the central estimate: see the module notes
    n_y, n_a, n_i = central.shape
    area_ids = [*map(str, sector_ids), municipality[0]]
    area_names = [*map(str, sector_names), municipality[1]]
    levels = ["sector"] * len(sector_ids) + ["gemeente"]

    # row order: area, year, indicator
    def flat(a: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.transpose(a, (1, 0, 2)).reshape(-1)

    # text columns as categoricals built from integer codes: no string per row (9 M rows for
    # the whole of Flanders)
    area = np.repeat(np.arange(n_a), n_y * n_i)
    ind = np.tile(np.arange(n_i), n_a * n_y)

    def cat(codes: NDArray[np.int64], values: Sequence[str]) -> pd.Categorical:
        first: dict[str, int] = {}
        for v in values:
            first.setdefault(v, len(first))
        uniq = list(first)
        pos = np.asarray([first[v] for v in values], dtype=np.int64)
        return pd.Categorical.from_codes(pos[codes], categories=pd.Index(uniq, dtype=object))

    table = pd.DataFrame(
        {
            "level": cat(area, levels),
            "area_id": cat(area, area_ids),
            "area_name": cat(area, area_names),
            "year": np.tile(np.repeat(np.asarray(years, dtype=np.int64), n_i), n_a),
            "indicator": cat(ind, names),
            "unit": cat(ind, units),
            "description_nl": cat(ind, [descriptions[x] for x in names]),
            "central": flat(central),
            "p10": flat(p10),
            "p50": flat(p50),
            "p90": flat(p90),
        }
    )
    return table


def wide(table: pd.DataFrame, year: int, column: str = "central") -> pd.DataFrame:
    """One row per area and one column per indicator, for one year."""
    sel = table[table["year"] == year]
    out = sel.pivot_table(
        index=["level", "area_id", "area_name"],
        columns="indicator",
        values=column,
        sort=False,
        observed=True,
    )
    out.columns.name = None
    return out.reset_index()


__all__ = [
    "CENTRAL_ESTIMATE_NL",
    "INDICATOR_COLUMNS",
    "descriptions_nl",
    "indicator_table",
    "wide",
]
