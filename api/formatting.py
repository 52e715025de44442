"""Numbers and labels formatted for Dutch readers (residents, municipal staff)."""

from __future__ import annotations

import math

import pandas as pd


def nl_number(value: float, decimals: int = 0) -> str:
    """A number in Dutch notation: ``.`` groups thousands, ``,`` marks decimals.

    Examples
    --------
    >>> nl_number(105898.4)
    '105.898'
    >>> nl_number(-4.04, 1)
    '-4,0'
    >>> nl_number(float("nan")), nl_percent(float("nan"))
    ('–', '–')
    """
    if not math.isfinite(value):  # a figure that does not exist (NaN), never "nan" to a reader
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def nl_percent(share: float) -> str:
    """A share as a Dutch percentage, e.g. ``0.17 -> '17%'`` (``–`` where there is none)."""
    return f"{nl_number(100.0 * share)}%" if math.isfinite(share) else "–"


#: Goal indicators shown to municipal staff: indicator id, Dutch label, how it is written.
KEY_INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("share_label_a_or_better", "woningen met label A of beter", "pct"),
    ("co2_kg", "CO2-uitstoot (ton/jaar)", "ton"),
    ("co2_reduction_share", "CO2-daling tegenover het beginjaar", "pct"),
    ("energy_cost_eur", "energiefactuur (miljoen €/jaar)", "meur"),
    ("investment_cum_eur", "geïnvesteerd sinds het beginjaar (miljoen €)", "meur"),
    ("lekp_collective_cum", "collectieve renovaties (LEKP-periode)", "n"),
    ("lekp_collective_progress", "LEKP-doel collectieve renovaties gehaald", "pct"),
    ("lekp_klimaattafel_progress", "LEKP-doel klimaattafels gehaald", "pct"),
    ("obligation_triggered_cum", "verkopen met renovatieverplichting", "n"),
)


def indicator_text(value: float, kind: str) -> str:
    """An indicator value as written for readers: ``pct``, ``ton`` (from kg), ``meur`` (from EUR)
    or ``n`` (a count).

    Examples
    --------
    >>> indicator_text(0.214, "pct"), indicator_text(22_640_400.0, "ton")
    ('21%', '22.640')
    """
    if kind == "pct":
        return nl_percent(value)
    if kind == "ton":
        return nl_number(value / 1000.0)
    if kind == "meur":
        return nl_number(value / 1e6, 1)
    return nl_number(value)


def goal_rows(
    indicators: pd.DataFrame, years: list[int]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The municipality's :data:`KEY_INDICATORS` for ``years``: per indicator its Dutch label and,
    per year, the central estimate (``central``: the median of the Monte Carlo runs, see
    :data:`scenarios.indicators.CENTRAL_ESTIMATE_NL`) and the P10-P90 band, as text. The band is
    left out where the runs agree (P10 = P90), e.g. the counts of the first year, the current
    state."""
    town = indicators[indicators["level"] == "gemeente"]
    values = {
        (str(i), int(y)): (float(c), float(lo), float(hi))
        for i, y, c, lo, hi in zip(
            town["indicator"], town["year"], town["central"], town["p10"], town["p90"], strict=True
        )
    }
    out = []
    for name, label, kind in KEY_INDICATORS:
        cells = []
        for y in years:
            central, low, high = values[(name, y)]
            band = f"{indicator_text(low, kind)}–{indicator_text(high, kind)}" if low < high else ""
            cells.append((indicator_text(central, kind), band))
        out.append((label, cells))
    return out


def central_legend_nl(n_runs: int) -> str:
    """The Dutch legend under a table of goal indicators: which figure is the central estimate
    and what the band in brackets is (:data:`scenarios.indicators.CENTRAL_ESTIMATE_NL`).

    Examples
    --------
    >>> central_legend_nl(20)
    'Centrale raming: de mediaan van 20 Monte Carlo-runs; tussen haakjes P10–P90 (8 op de 10 runs vallen erbinnen).'
    """
    if n_runs <= 0:
        return (
            "Centrale raming: de centrale run (elke onzekere factor op zijn centrale waarde); "
            "zonder Monte Carlo-runs is er geen band."
        )
    return (
        f"Centrale raming: de mediaan van {n_runs} Monte Carlo-runs; tussen haakjes P10–P90 "
        "(8 op de 10 runs vallen erbinnen)."
    )


#: The one Dutch sentence that says which figure is which (the EPC method or the expected use),
#: shown wherever a plan or a dwelling's figures are (command line, page, reports).
TWO_QUANTITIES_NL = (
    "Label en energiescore volgen de EPC-methode (standaardgebruik, zoals op het EPC); "
    "besparing, CO2 en energiekost volgen het verwachte werkelijke verbruik van een huishouden, "
    "dat in oude woningen veel lager ligt."
)
