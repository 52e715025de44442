"""Numbers and labels formatted for Dutch readers (residents, municipal staff)."""

from __future__ import annotations

import pandas as pd


def nl_number(value: float, decimals: int = 0) -> str:
    """A number in Dutch notation: ``.`` groups thousands, ``,`` marks decimals.

    Examples
    --------
    >>> nl_number(105898.4)
    '105.898'
    >>> nl_number(-4.04, 1)
    '-4,0'
    """
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def nl_percent(share: float) -> str:
    """A share as a Dutch percentage, e.g. ``0.17 -> '17%'``."""
    return f"{nl_number(100.0 * share)}%"


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
    per year, the median over the Monte Carlo runs (P50; the central run when there are none) and
    the P10-P90 band, as text. The first year is the current state: it shows the central run
    (today's prices and factors) and no band.

    The median, not the central run, is shown: the central run is one draw of who renovates when
    (with the central values of the uncertain inputs), and in a small municipality that draw alone
    can fall outside the band of the others."""
    town = indicators[indicators["level"] == "gemeente"]
    values = {
        (str(i), int(y)): (float(c), float(m), float(lo), float(hi))
        for i, y, c, m, lo, hi in zip(
            town["indicator"],
            town["year"],
            town["central"],
            town["p50"],
            town["p10"],
            town["p90"],
            strict=True,
        )
    }
    out = []
    for name, label, kind in KEY_INDICATORS:
        cells = []
        for y in years:
            central, median, low, high = values[(name, y)]
            if y == years[0]:
                cells.append((indicator_text(central, kind), ""))
            else:
                band = f"{indicator_text(low, kind)}–{indicator_text(high, kind)}"
                cells.append((indicator_text(median, kind), band))
        out.append((label, cells))
    return out


#: The one Dutch sentence that says which figure is which (the EPC method or the expected use),
#: shown wherever a plan or a dwelling's figures are (command line, page, reports).
TWO_QUANTITIES_NL = (
    "Label en energiescore volgen de EPC-methode (standaardgebruik, zoals op het EPC); "
    "besparing, CO2 en energiekost volgen het verwachte werkelijke verbruik van een huishouden, "
    "dat in oude woningen veel lager ligt."
)
