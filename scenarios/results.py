"""Scenario results in the service: the output folder of ``wijk scenario run``, read once.

The service shows what a scenario expects (label shares, CO2, LEKP progress per neighbourhood
and per year, with P10-P90) beside the current state and the dossiers. It reads the
``indicatoren.parquet`` a run wrote (``docs/nomenclature.md``, "Scenario results"), the name
of the scenario from the copy of its file and the policy the run used (``beleid.yaml``): the
LEKP goals, the LEKP period and the long-term goal the service and the reports show are those of
that policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from scenarios.io_yaml import FileProblems, read_yaml_file
from scenarios.outputs import POLICY_FILE, municipality_series
from scenarios.policy import Policy, load_policy
from sim.errors import InputError, Problems

#: Indicators the map and the reports take from a scenario (per sector and year).
MAP_INDICATORS: tuple[str, ...] = (
    "share_label_a_or_better",
    "lekp_collective_progress",
    "co2_reduction_share",
)


@dataclass(frozen=True)
class ScenarioResults:
    """The indicators of one scenario run and the policy it was computed with."""

    name: str
    folder: Path
    indicators: pd.DataFrame
    policy: Policy

    @property
    def years(self) -> list[int]:
        """Years of the run."""
        return sorted(int(y) for y in self.indicators["year"].unique())

    def default_year(self) -> int:
        """The year the map shows unless asked: the end of the LEKP period of the run's policy
        when the run reaches it, else the run's last year."""
        end = int(self.policy.lekp.period.to_year)
        return end if end in self.years else self.years[-1]

    def sector_values(self, year: int) -> dict[str, dict[str, float]]:
        """Per sector id: the central estimate (the median of the runs, column ``central``) of
        :data:`MAP_INDICATORS` in ``year``."""
        sel = self.indicators[
            (self.indicators["level"] == "sector")
            & (self.indicators["year"] == year)
            & self.indicators["indicator"].isin(MAP_INDICATORS)
        ]
        out: dict[str, dict[str, float]] = {}
        for area, name, value in zip(sel["area_id"], sel["indicator"], sel["central"], strict=True):
            out.setdefault(str(area), {})[f"scenario_{name}"] = float(value)
        return out

    def rows(
        self,
        level: str | None = None,
        area_id: str | None = None,
        indicator: str | None = None,
        year: int | None = None,
        limit: int = 5000,
    ) -> list[dict[str, Any]]:
        """Indicator rows matching the filters (all when a filter is None), at most ``limit``."""
        t = self.indicators
        mask = pd.Series(True, index=t.index)
        if level is not None:
            mask &= t["level"] == level
        if area_id is not None:
            mask &= t["area_id"].astype(str) == area_id
        if indicator is not None:
            mask &= t["indicator"] == indicator
        if year is not None:
            mask &= t["year"] == year
        sel = t[mask].head(limit)
        records = sel.astype({c: str for c in ("level", "area_id", "area_name", "indicator")})
        return [{str(k): v for k, v in r.items()} for r in records.to_dict("records")]

    def municipality(self, indicator: str) -> pd.DataFrame:
        """Year, central, P10, P50, P90 of one indicator for the municipality."""
        return municipality_series(self.indicators, indicator)


def load_results(folder: Path) -> ScenarioResults:
    """Read a ``wijk scenario run`` output folder.

    Raises
    ------
    InputError
        When the folder, its ``indicatoren.parquet`` or its ``beleid.yaml`` is missing or not
        from a scenario run, or its ``scenario.yaml`` (optional; it gives the name) is not
        readable YAML within the limits of :mod:`scenarios.io_yaml`.
    """
    folder = Path(folder)
    problems = Problems(f"scenarioresultaten {folder}")
    table_path = folder / "indicatoren.parquet"
    if not table_path.is_file():
        problems.add(
            "indicatoren.parquet",
            "ontbreekt; geef de map die `wijk scenario run ... --out MAP` schreef",
        )
        problems.raise_if_any()
    table = pd.read_parquet(table_path)
    needed = {"level", "area_id", "area_name", "year", "indicator", "central", "p10", "p50", "p90"}
    missing = sorted(needed - set(table.columns))
    if missing:
        problems.add("indicatoren.parquet", f"kolommen ontbreken: {missing}; maak het opnieuw")
        problems.raise_if_any()
    policy_path = folder / POLICY_FILE
    if not policy_path.is_file():
        problems.add(
            POLICY_FILE,
            "ontbreekt: zonder het beleid van de berekening kan de dienst de doelen niet tonen; "
            "reken het scenario opnieuw door met `wijk scenario run ... --out MAP`",
        )
        problems.raise_if_any()
    try:
        policy = load_policy(policy_path)
    except InputError as exc:
        for p in exc.problems:
            problems.add(f"{POLICY_FILE}, {p.field}", p.message, p.rows)
        problems.raise_if_any()
        raise  # pragma: no cover - the problems were raised
    name = folder.name
    scenario_file = folder / "scenario.yaml"
    if scenario_file.is_file():
        # the copy of the user's scenario: read with the same limits as every YAML file
        read = FileProblems(f"scenarioresultaten {folder}")
        doc = read_yaml_file(scenario_file, read)
        if doc is None:
            for p in read.items:
                problems.add(f"scenario.yaml, {p.field}", p.message, p.rows)
            problems.raise_if_any()
        elif isinstance(doc.data, dict) and isinstance(doc.data.get("name"), str | int | float):
            name = str(doc.data["name"])
    return ScenarioResults(name=name, folder=folder, indicators=table, policy=policy)


__all__ = ["MAP_INDICATORS", "ScenarioResults", "load_results"]
