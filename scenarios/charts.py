"""Charts of a scenario run (matplotlib, Dutch labels), written as PNG and/or SVG.

Files are deterministic: no creation date in the metadata and a fixed SVG hash salt, so the
same run draws the same bytes.

Each chart is a :class:`matplotlib.figure.Figure` of its own, saved with ``Figure.savefig``
(which picks the Agg or SVG canvas for the format), not a pyplot figure: importing this module
or writing charts never changes the caller's matplotlib backend, so a notebook keeps its
inline figures, and no figure is left registered with pyplot.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from scenarios.policy import Policy
from sim.labels import LABELS

#: Label colours (EPC convention, green A+ to red F).
LABEL_COLOURS = ("#00843d", "#4cb848", "#bed630", "#fff200", "#fdb913", "#f37021", "#ed1c24")


def _town(indicators: pd.DataFrame, name: str) -> pd.DataFrame:
    sel = indicators[(indicators["level"] == "gemeente") & (indicators["indicator"] == name)]
    return sel.sort_values("year")


def new_figure(figsize: tuple[float, float] | None = None) -> tuple[Figure, Axes]:
    """A figure of its own with one axes (size from the rc context unless ``figsize`` [in]); not
    pyplot, so writing charts never changes the caller's backend (a notebook keeps its inline
    figures). Shared by the scenario charts and the heat plan's (``scenarios.heat.io_plan``)."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def save_figure(fig: Figure, folder: Path, stem: str, formats: Sequence[str]) -> None:
    """``fig`` as ``folder/stem.<fmt>`` per format, without the metadata that changes per run."""
    for fmt in formats:
        meta = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        fig.savefig(folder / f"{stem}.{fmt}", format=fmt, metadata=meta, dpi=110)


def lekp_chart_year(indicators: pd.DataFrame, policy: Policy) -> int:
    """The year of the LEKP chart: the end of the policy's LEKP period when the run reaches it,
    else the run's last year."""
    years = set(indicators["year"].astype(int))
    end = int(policy.lekp.period.to_year)
    return end if end in years else max(years)


def write_charts(
    indicators: pd.DataFrame, folder: Path, formats: Sequence[str], policy: Policy
) -> list[Path]:
    """Draw the standard charts of a run into ``folder``; returns the files written.

    ``policy`` is the policy of the run: the long-term goal in the title of the label-A chart and
    the end of the LEKP period for the LEKP chart come from it.
    """
    goal = policy.long_term_goal
    folder.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": "wijkrenovatietool", "figure.figsize": (7, 4)}):
        # 1. label shares over the years (the central estimate: each share's median over the
        # runs, so the stack may miss 100 % by a little; see scenarios.indicators)
        fig, ax = new_figure()
        years = _town(indicators, "share_label_A")["year"].to_numpy()
        shares = [_town(indicators, f"share_label_{x}")["central"].to_numpy() for x in LABELS]
        ax.stackplot(years, shares, labels=list(LABELS), colors=LABEL_COLOURS)
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("jaar")
        ax.set_ylabel("aandeel woningen")
        ax.set_title("EPC-labels van de woningen (centrale raming: mediaan van de runs)")
        ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), title="label")
        fig.tight_layout()
        save_figure(fig, folder, "labels", formats)

        # 2-4. quantities with their P10-P90 band
        for stem, name, scale, unit, title in (
            ("co2", "co2_kg", 1e-3, "ton CO2 per jaar", "CO2-uitstoot van de woningen"),
            (
                "label_a",
                "share_label_a_or_better",
                1.0,
                "aandeel woningen",
                f"Woningen met label A of beter (doel: label {goal.label} in {goal.year})",
            ),
            (
                "investering",
                "investment_cum_eur",
                1e-6,
                "miljoen euro",
                "Geïnvesteerd (cumulatief)",
            ),
        ):
            d = _town(indicators, name)
            fig, ax = new_figure()
            ax.fill_between(
                d["year"], d["p10"] * scale, d["p90"] * scale, alpha=0.3, label="P10-P90"
            )
            # the central estimate is the median of the runs (P50): one line
            ax.plot(d["year"], d["central"] * scale, label="centrale raming (mediaan)")
            ax.set_xlabel("jaar")
            ax.set_ylabel(unit)
            if stem == "label_a":
                ax.yaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_title(title)
            ax.legend()
            fig.tight_layout()
            save_figure(fig, folder, stem, formats)

        # 5. LEKP progress per sector at the end of the LEKP period (or the last year)
        prog = indicators[
            (indicators["indicator"] == "lekp_collective_progress")
            & (indicators["level"] == "sector")
        ]
        year = lekp_chart_year(prog, policy)
        p = prog[prog["year"] == year].sort_values("central")
        fig, ax = new_figure(figsize=(7, max(3.0, 0.3 * len(p) + 1)))
        ax.barh(p["area_name"].astype(str), p["central"])
        ax.axvline(1.0, color="black", lw=1)
        ax.set_xlabel("aandeel van het LEKP-doel (1 = doel gehaald), centrale raming")
        ax.set_title(f"Collectieve renovaties per wijk tegen het LEKP-doel, {year}")
        fig.tight_layout()
        save_figure(fig, folder, "lekp_wijken", formats)
    return sorted(folder.iterdir())


__all__ = ["lekp_chart_year", "new_figure", "save_figure", "write_charts"]
