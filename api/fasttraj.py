"""The trajectory answer of one dwelling read from precomputed candidates, without pandas.

:func:`scenarios.trajectory.plan_table` and the optimiser (:func:`~scenarios.candidates.
cheapest_to_target`, :func:`~scenarios.candidates.best_within_budget`) are vectorised over
many dwellings; for the one dwelling of an HTTP request their fixed costs (a DataFrame per
call, ``to_dict``, slicing every candidate array) dominate. Here the same numbers are read from
one row of the candidate arrays (views, no copies) with plain Python floats: IEEE double
arithmetic, the same operations in the same order, hence bit-identical answers
(``tests/api/test_fasttraj.py`` compares both paths for every dwelling of the demo town).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scenarios.candidates import Candidates, tree_path
from sim.labels import LABELS

#: Numeric fields of a step, in the order of the answer (units as ``TRAJECTORY_COLUMNS``).
STEP_FIELDS: tuple[str, ...] = (
    "investment_eur",
    "premium_eur",
    "net_cost_eur",
    "saving_eur",
    "saving_kwh",
    "co2_kg",
    "co2_saving_kg",
    "energy_cost_eur",
    "heating_need_kwh",
    "energy_score_kwh_m2",
    "simple_payback_years",
)


@dataclass(frozen=True)
class TreePlan:
    """What does not depend on the dwelling: the chain of ``order`` in a candidate tree.

    Attributes
    ----------
    order : tuple of str
        Measure ids in the order they are done.
    chain : tuple of int
        Candidate index of each prefix of ``order`` (``chain[j]`` = the first ``j + 1``).
    paths : tuple of tuple of int
        Per candidate, the candidates from the root's first child down to it.
    last : tuple of str
        Per candidate, its last measure (``""`` for the current state).
    from_root : ndarray of bool, shape (K,)
        Candidates reachable from the current state (all of them, in a tree).
    depth : ndarray of int64, shape (K,)
        Number of measures per candidate.
    """

    order: tuple[str, ...]
    chain: tuple[int, ...]
    paths: tuple[tuple[int, ...], ...]
    last: tuple[str, ...]
    from_root: NDArray[np.bool_]
    depth: NDArray[np.int64]

    @classmethod
    def of(cls, cand: Candidates, order: Sequence[str]) -> TreePlan:
        """The chain of ``order`` in ``cand`` (which must hold every prefix of it)."""
        index = {pkg: t for t, pkg in enumerate(cand.packages)}
        return cls(
            order=tuple(order),
            chain=tuple(index[tuple(order[: j + 1])] for j in range(len(order))),
            paths=tuple(tuple(tree_path(cand.parent, t)) for t in range(cand.k)),
            last=tuple(p[-1] if p else "" for p in cand.packages),
            from_root=np.ascontiguousarray(cand.reachable[:, 0]),
            depth=cand.depth,
        )


def _num(x: float) -> float | None:
    """NaN -> None (JSON null), as ``api.service._clean`` does."""
    return None if math.isnan(x) else x


def plan_steps(
    cand: Candidates,
    i: int,
    plan: TreePlan,
    names_nl: dict[str, str],
    scheme: str = "individual",
) -> tuple[list[dict[str, Any]], list[str]]:
    """The stappenplan of dwelling row ``i`` as answer records, and the measures skipped.

    The same numbers as :func:`scenarios.trajectory.plan_table` for that dwelling (the step
    invoice against the previous candidate of the chain, savings against the previous step
    done, payback only where the step saves money), formatted as :func:`api.service.trajectory`
    answers them: NaN as None, ``measure`` None for the current state.
    """
    applied = cand.applied[i].tolist()
    need = cand.heating_need_kwh[i].tolist()
    score = cand.energy_score_kwh_m2[i].tolist()
    co2 = cand.expected_co2_kg[i].tolist()
    cost = cand.expected_cost_eur[i].tolist()
    label = cand.label[i].tolist()
    # the same reduction as plan_table's ``expected_final_kwh.sum(axis=2)`` (numpy's order)
    final = cand.expected_final_kwh[i].sum(axis=1).tolist()
    invest = cand.investment_eur[scheme][i].tolist()
    prem = cand.premium_eur[scheme][i].tolist()

    def record(
        step: int, t: int, measure: str, invoice: float, premium: float, before: int
    ) -> dict[str, Any]:
        if step == 0:
            saving = saving_kwh = co2_saving = 0.0
        else:
            saving = cost[before] - cost[t]
            saving_kwh = final[before] - final[t]
            co2_saving = co2[before] - co2[t]
        net = invoice - premium
        payback = net / saving if saving > 0 and step > 0 else math.nan
        values = {
            "investment_eur": invoice,
            "premium_eur": premium,
            "net_cost_eur": net,
            "saving_eur": saving,
            "saving_kwh": saving_kwh,
            "co2_kg": co2[t],
            "co2_saving_kg": co2_saving,
            "energy_cost_eur": cost[t],
            "heating_need_kwh": need[t],
            "energy_score_kwh_m2": score[t],
            "simple_payback_years": payback,
        }
        return {
            "step": step,
            "measure": measure or None,
            "measure_nl": names_nl.get(measure, "huidige toestand"),
            **{k: _num(values[k]) for k in STEP_FIELDS},
            "label": LABELS[max(label[t], 0)],
        }

    steps = [record(0, 0, "", 0.0, 0.0, 0)]
    skipped: list[str] = []
    previous = before = 0
    for mid, t in zip(plan.order, plan.chain, strict=True):
        if applied[t]:
            invoice = invest[t] - invest[previous]
            premium = prem[t] - prem[previous]
            steps.append(record(len(steps), t, mid, invoice, premium, before))
            before = t
        else:
            skipped.append(mid)
        previous = t
    return steps, skipped


def cheapest_to_target_row(
    cand: Candidates, i: int, plan: TreePlan, target_label: int, scheme: str = "individual"
) -> int:
    """:func:`scenarios.candidates.cheapest_to_target` from the current state, for row ``i``."""
    net = cand.investment_eur[scheme][i] - cand.premium_eur[scheme][i]
    ok = plan.from_root & (cand.label[i] <= target_label)
    key = np.where(ok, net, np.inf)
    best = int(np.lexsort((plan.depth, key))[0])
    return best if ok[best] else -1


def best_within_budget_row(
    cand: Candidates, i: int, plan: TreePlan, budget_eur: float, scheme: str = "individual"
) -> int:
    """:func:`scenarios.candidates.best_within_budget` (lowest CO2) from the current state, for
    row ``i``."""
    net = cand.investment_eur[scheme][i] - cand.premium_eur[scheme][i]
    extra = net - net[0]
    ok = plan.from_root & (extra <= np.float64(budget_eur) + 1e-9)
    order = np.lexsort((plan.depth, net, cand.expected_co2_kg[i]))
    return int(order[int(ok[order].argmax())])


def option(
    cand: Candidates, i: int, plan: TreePlan, t: int, scheme: str = "individual"
) -> dict[str, Any] | None:
    """Candidate ``t`` of row ``i`` as an answer: the measures done (skipped ones left out),
    net cost [EUR], label, CO2 [kg/a] and energy cost [EUR/a]; None for ``t < 0``."""
    if t < 0:
        return None
    applied = cand.applied[i]
    return {
        "measures": [plan.last[node] for node in plan.paths[t] if applied[node]],
        "net_cost_eur": float(cand.investment_eur[scheme][i, t] - cand.premium_eur[scheme][i, t]),
        "label": LABELS[int(cand.label[i, t])],
        "co2_kg": float(cand.expected_co2_kg[i, t]),
        "energy_cost_eur": float(cand.expected_cost_eur[i, t]),
    }


__all__ = [
    "STEP_FIELDS",
    "TreePlan",
    "best_within_budget_row",
    "cheapest_to_target_row",
    "option",
    "plan_steps",
]
