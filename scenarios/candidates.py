"""Trajectory candidates per dwelling and the optimiser that picks among them.

A *candidate* is a renovation state a dwelling can reach: a package of measures done in a
given order. Candidates come from one or more *orders* (ordered lists of measure ids): every
prefix of every order is a candidate, and orders sharing a first part share those candidates.
Together they form a tree (a trie) rooted at the current state (candidate 0, no measure):
a household that has done the measures of candidate ``s`` can go on to any candidate ``t``
below ``s`` in the tree (``Candidates.reachable[t, s]``), paying only the measures in between.

Every candidate is simulated by the core on top of its parent (interactions, not sums). A
measure whose rules (:meth:`scenarios.catalogue.Catalogue.applicable`) do not hold for a
dwelling as it is at that point is skipped for that dwelling (``applied`` is False): the
candidate then equals its parent for that dwelling and costs nothing more.

The optimiser (:func:`cheapest_to_target`, :func:`best_within_budget`) chooses, per dwelling
and in one vectorised pass over all dwellings, among the candidates reachable from where the
dwelling is.

Costs per price scheme: ``"individual"`` (catalogue prices), ``"collective"`` (the catalogue's
group-purchase prices) and, on request, ``"collective_<d>"`` with a flat group discount ``d``
on the individual prices (a collective programme's own discount).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from scenarios.catalogue import Catalogue
from scenarios.policy import DEFAULT_INCOME_CATEGORY, Policy, premium_measure_problems
from sim.carriers import CARRIERS, ELECTRICITY
from sim.core import SystemParameters, simulate
from sim.errors import Problems
from sim.pv_economics import pv_bill_credit, pv_self_use
from sim.stock import DWELLING_COLUMNS, WINDOW_COLUMNS, DwellingArrays
from sim.variants import apply_variant

#: Carriers counted as fossil heating: a candidate without final energy of these is fossil-free.
FOSSIL_CARRIERS: tuple[str, ...] = ("natural_gas", "heating_oil")


@dataclass(frozen=True)
class Candidates:
    """Candidates of N dwellings: K renovation states in a tree, simulated by the core.

    Attributes
    ----------
    packages : tuple of tuple of str, length K
        Measures of each candidate in the order they are done; ``packages[0] == ()``.
    parent : ndarray of int64, shape (K,)
        Parent candidate in the tree (-1 for candidate 0).
    reachable : ndarray of bool, shape (K, K)
        ``reachable[t, s]``: candidate ``t`` lies below ``s`` in the tree (or ``t == s``).
    depth : ndarray of int64, shape (K,)
        Number of measures of the candidate (skipped ones included).
    applied : ndarray of bool, shape (N, K)
        Whether the candidate's last measure applies to the dwelling (True for candidate 0).
    heating_need_kwh, primary_kwh, energy_score_kwh_m2, co2_kg, cost_eur, pv_kwh : (N, K)
        Core results at the reference year's prices and CO2 factors
        [kWh/a, kWh/a, kWh/(m²·a), kg/a, EUR/a, kWh/a].
    final_kwh : ndarray, shape (N, K, C)
        Final energy per carrier (``sim.carriers.CARRIERS``) [kWh/a], EPC method.
    expected_final_kwh, expected_co2_kg, expected_cost_eur : (N, K, C), (N, K), (N, K)
        The expected actual use (:mod:`sim.expected_use`): what savings in euro and CO2 use
        [kWh/a, kg/a, EUR/a]. ``co2_kg`` and ``cost_eur`` are the EPC method's.
    label : ndarray of int8, shape (N, K)
        EPC label index (0 = A+ ... 6 = F).
    fossil_free : ndarray of bool, shape (N, K)
        No final energy of ``FOSSIL_CARRIERS``.
    investment_eur, premium_eur : dict of str to ndarray (N, K)
        Cumulative investment and premium from candidate 0 to the candidate, per price scheme
        [EUR, price year of the catalogue].
    year : int
        Reference year of prices, CO2 factors and premiums.
    """

    packages: tuple[tuple[str, ...], ...]
    parent: NDArray[np.int64]
    reachable: NDArray[np.bool_]
    depth: NDArray[np.int64]
    applied: NDArray[np.bool_]
    heating_need_kwh: NDArray[np.float64]
    primary_kwh: NDArray[np.float64]
    energy_score_kwh_m2: NDArray[np.float64]
    co2_kg: NDArray[np.float64]
    cost_eur: NDArray[np.float64]
    pv_kwh: NDArray[np.float64]
    final_kwh: NDArray[np.float64]
    expected_final_kwh: NDArray[np.float64]
    expected_co2_kg: NDArray[np.float64]
    expected_cost_eur: NDArray[np.float64]
    label: NDArray[np.int8]
    fossil_free: NDArray[np.bool_]
    investment_eur: dict[str, NDArray[np.float64]]
    premium_eur: dict[str, NDArray[np.float64]]
    year: int

    @property
    def n(self) -> int:
        """Number of dwellings."""
        return int(self.applied.shape[0])

    @property
    def k(self) -> int:
        """Number of candidates."""
        return len(self.packages)

    def net_cost(self, scheme: str = "individual") -> NDArray[np.float64]:
        """Cumulative investment minus premium [EUR], shape (N, K)."""
        return self.investment_eur[scheme] - self.premium_eur[scheme]

    def names(self) -> list[str]:
        """``"roof_insulation+glazing_hr"`` per candidate (``""`` for the current state)."""
        return ["+".join(p) for p in self.packages]

    def done(self, index: ArrayLike) -> NDArray[np.object_]:
        """The measures each dwelling actually does to reach candidate ``index[i]``.

        Skipped (non-applicable) measures are left out. ``index`` has shape (N,); -1 gives "".
        """
        idx = np.asarray(index, dtype=np.int64)
        out = np.full(self.n, "", dtype=object)
        for t in np.unique(idx[idx > 0]):  # a loop over candidates, not over dwellings
            rows = np.flatnonzero(idx == t)
            chain = tree_path(self.parent, int(t))
            parts = np.full(rows.size, "", dtype=object)
            for node in chain:
                name = self.packages[node][-1]
                hit = self.applied[rows, node]
                parts = np.where(hit, np.where(parts == "", name, parts + "+" + name), parts)
            out[rows] = parts
        return out

    def take(self, rows: NDArray[np.integer]) -> Candidates:
        """The candidates of a subset of dwellings."""
        per_dwelling = {
            "applied",
            "heating_need_kwh",
            "primary_kwh",
            "energy_score_kwh_m2",
            "co2_kg",
            "cost_eur",
            "pv_kwh",
            "final_kwh",
            "expected_final_kwh",
            "expected_co2_kg",
            "expected_cost_eur",
            "label",
            "fossil_free",
        }
        values: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name in per_dwelling:
                values[f.name] = v[rows]
            elif f.name in ("investment_eur", "premium_eur"):
                values[f.name] = {s: a[rows] for s, a in v.items()}
            else:
                values[f.name] = v
        return Candidates(**values)  # type: ignore[arg-type]


#: Rule column computed by the core, not read from the twin: the design supply temperature the
#: dwelling's emitters need [°C] (``sim.core``, ``hp_supply_temp_c``).
SUPPLY_RULE_COLUMN = "hp_supply_temp_c"


def build_candidates(
    dwellings: pd.DataFrame,
    orders: Sequence[Sequence[str]],
    catalogue: Catalogue,
    policy: Policy,
    year: int = 2025,
    income_category: str | ArrayLike = DEFAULT_INCOME_CATEGORY,
    discounts: Sequence[float] = (),
    system_params: SystemParameters | None = None,
) -> Candidates:
    """Simulate every prefix of every order for every dwelling.

    Parameters
    ----------
    dwellings : DataFrame
        Twin rows (``docs/twin_schema.md``) with the core's input columns.
    orders : sequence of sequence of str
        Ordered measure ids; each prefix of each order is a candidate.
    catalogue, policy : Catalogue, Policy
        Measures with their effects, costs and rules; prices, CO2 factors and premiums.
    year : int
        Reference year of prices, CO2 factors and premiums.
    income_category : str or array_like of str
        Premium category per dwelling (``scenarios.policy.INCOME_CATEGORIES``, ``cat1`` least to
        ``cat4`` most supported) or one for all.
    discounts : sequence of float
        Extra price schemes ``"collective_<d>"``: the individual prices less a flat discount ``d``.
    system_params : SystemParameters, optional
        Passed to the core.

    Returns
    -------
    Candidates
        K candidates in tree order (a parent always before its children).

    Raises
    ------
    InputError
        Unknown measures or a measure twice in one order, premium entries of the policy for
        measures the catalogue lacks (:func:`scenarios.policy.premium_measure_problems`), before
        any computation.
    """
    problems = Problems("trajectkandidaten")
    for problem in premium_measure_problems(policy, catalogue):
        problems.add(f"beleidsbestand: {problem.field}", problem.message)
    for i, order in enumerate(orders):
        for j, mid in enumerate(order):
            if mid not in catalogue.ids:
                problems.add(
                    f"orders[{i}][{j}]", f"onbekende maatregel '{mid}'; kies uit {catalogue.ids}"
                )
        if len(set(order)) != len(order):
            problems.add(f"orders[{i}]", "een maatregel staat meer dan eens in de volgorde")
    for d in discounts:
        if not 0.0 <= d < 1.0:
            problems.add("discounts", f"korting {d} moet tussen 0 en 1 liggen")
    problems.raise_if_any()

    packages: list[tuple[str, ...]] = [()]
    parent: list[int] = [-1]
    index: dict[tuple[str, ...], int] = {(): 0}
    for order in orders:
        for j in range(1, len(order) + 1):
            pkg = tuple(order[:j])
            if pkg not in index:
                index[pkg] = len(packages)
                packages.append(pkg)
                parent.append(index[pkg[:-1]])
    k = len(packages)
    n = len(dwellings)
    measures = sorted({m for p in packages for m in p}, key=catalogue.ids.index)
    col = {m: j for j, m in enumerate(measures)}

    carriers = policy.carrier_tables(year)
    sp = SystemParameters.default() if system_params is None else system_params
    schemes = scheme_invoices(dwellings, measures, catalogue, discounts)

    arrays = DwellingArrays.from_frame(dwellings[list(DWELLING_COLUMNS)], what="twin rows")
    c = len(CARRIERS)
    need, primary, score, co2, cost, pv, x_co2, x_cost = (np.empty((n, k)) for _ in range(8))
    final = np.empty((n, k, c))
    x_final = np.empty((n, k, c))
    supply = np.empty((n, k))
    label = np.empty((n, k), dtype=np.int8)
    applied = np.ones((n, k), dtype=bool)

    def store(
        t: int,
        res_rows: NDArray[np.int64] | slice,
        res: Any,
        pick: NDArray[np.int64] | slice = slice(None),
    ) -> None:
        # the results ``res[pick]`` are those of dwellings ``res_rows`` in candidate ``t``
        need[res_rows, t] = res.heating_need_kwh[pick, 0]
        primary[res_rows, t] = res.primary_kwh[pick, 0]
        score[res_rows, t] = res.energy_score_kwh_m2[pick, 0]
        co2[res_rows, t] = res.co2_kg[pick, 0]
        cost[res_rows, t] = res.cost_eur[pick, 0]
        pv[res_rows, t] = res.pv_kwh[pick, 0]
        final[res_rows, t, :] = res.final_kwh[pick, 0, :]
        x_final[res_rows, t, :] = res.expected_final_kwh[pick, 0, :]
        x_co2[res_rows, t] = res.expected_co2_kg[pick, 0]
        x_cost[res_rows, t] = res.expected_cost_eur[pick, 0]
        supply[res_rows, t] = res.hp_supply_temp_c[pick, 0]
        label[res_rows, t] = res.label[pick, 0]

    root = simulate(arrays, None, carriers=carriers, system_params=sp)
    store(0, slice(None), root)
    # the emitters every state keeps are those of the dwelling as it is: sized for its design heat
    # load now, not for the load after later insulation (sim.emitters)
    arrays = dataclasses.replace(
        arrays,
        emitter_design_load_w=np.where(
            arrays.emitter_design_load_w > 0.0,
            arrays.emitter_design_load_w,
            root.design_heat_load_w[:, 0],
        ),
    )

    # level by level (candidates of one depth), and within a level per measure: the children
    # of every parent that do the same next measure are judged, transformed and simulated in
    # one call, their parents' dwellings stacked (a loop over levels and measures, each call
    # vectorised over dwellings x candidates; 2**M subsets of M measures take ~M²/2 calls,
    # not 2**M). Only the states of the level above are kept.
    children: list[list[int]] = [[] for _ in range(k)]
    for t in range(1, k):
        children[parent[t]].append(t)
    # the rules read a few columns: carry only those (a plain frame, no geometry) down the tree
    rule_cols = catalogue.rule_columns(measures)
    changing = [c for c in rule_cols if c in DWELLING_COLUMNS]
    # the supply temperature the emitters need is a result of the core: the root's, then each
    # state's own (a heat pump is judged on the dwelling after the earlier steps)
    # (as plain arrays per state; one DataFrame per stacked call, for the catalogue's rules)
    start = {
        c: supply[:, 0] if c == SUPPLY_RULE_COLUMN else dwellings[c].to_numpy() for c in rule_cols
    }
    # candidates stacked in one call: at most this many rows (or one candidate's N)
    per_call = max(1, _STACKED_ROWS // max(n, 1))
    Rules = dict[str, NDArray[Any]]
    level: dict[int, tuple[DwellingArrays, Rules]] = {0: (arrays, start)}
    while level:
        below: dict[int, tuple[DwellingArrays, Rules]] = {}
        by_measure: dict[str, list[int]] = {}
        for node in level:
            for t in children[node]:
                by_measure.setdefault(packages[t][-1], []).append(t)
        for mid, nodes in by_measure.items():
            variant = catalogue.variants([mid])
            for c0 in range(0, len(nodes), per_call):
                chunk = nodes[c0 : c0 + per_call]
                state = _stack([level[parent[t]][0] for t in chunk])
                rules = [level[parent[t]][1] for t in chunk]
                frame = pd.DataFrame(
                    {c: np.concatenate([r[c] for r in rules]) for c in rule_cols}
                    if len(rules) > 1
                    else rules[0]
                )
                ok_all = catalogue.applicable(frame, [mid])[:, 0]
                new_all = where_rows(ok_all, apply_variant(state, variant, 0), state)
                rows_all = np.flatnonzero(ok_all)
                res = None
                if rows_all.size:
                    res = simulate(
                        new_all.take(rows_all), None, carriers=carriers, system_params=sp
                    )
                    if not np.isnan(variant.emitter_temp_c[0]):
                        # new emitters, sized for the dwelling at this step
                        sized = new_all.emitter_design_load_w.copy()
                        sized[rows_all] = res.design_heat_load_w[:, 0]
                        new_all = dataclasses.replace(new_all, emitter_design_load_w=sized)
                for j, t in enumerate(chunk):
                    node = parent[t]
                    part = slice(j * n, (j + 1) * n)
                    ok = ok_all[part]
                    applied[:, t] = ok
                    # the parent's results, then those of the dwellings the measure changes
                    for a in (need, primary, score, co2, cost, pv, x_co2, x_cost, supply, label):
                        a[:, t] = a[:, node]
                    final[:, t, :] = final[:, node, :]
                    x_final[:, t, :] = x_final[:, node, :]
                    if res is not None:
                        pick = np.flatnonzero((rows_all >= j * n) & (rows_all < (j + 1) * n))
                        store(t, rows_all[pick] - j * n, res, pick)
                # the rule columns of the new states, once for the chunk, for the next level
                if not any(children[t] for t in chunk):
                    continue
                new_rules = {c: frame[c].to_numpy() for c in rule_cols}
                for name in changing:
                    new_rules[name] = column(new_all, name)
                if SUPPLY_RULE_COLUMN in rule_cols:
                    new_rules[SUPPLY_RULE_COLUMN] = supply[:, chunk].T.reshape(-1)
                for j, t in enumerate(chunk):
                    if children[t]:
                        part = slice(j * n, (j + 1) * n)
                        below[t] = (
                            _rows(new_all, part),
                            {c: v[part] for c, v in new_rules.items()},
                        )
        level = below

    fossil = np.asarray([CARRIERS.index(x) for x in FOSSIL_CARRIERS])
    parent_arr = np.asarray(parent, dtype=np.int64)
    last = np.asarray([col[p[-1]] if p else -1 for p in packages], dtype=np.int64)
    # what each candidate costs from the current state: the invoices of the measures that apply
    # on its path; and their premiums (per income category, :func:`with_income`)
    invest = {sch: along_tree(parent_arr, applied, inv, last) for sch, inv in schemes.items()}
    income = np.broadcast_to(np.asarray(income_category, dtype=object), (n,))
    premium = scheme_premiums(
        dwellings, measures, catalogue, policy, schemes, income, parent_arr, applied, last
    )
    return Candidates(
        packages=tuple(packages),
        parent=parent_arr,
        reachable=_reachable(parent_arr),
        depth=np.asarray([len(p) for p in packages], dtype=np.int64),
        applied=applied,
        heating_need_kwh=need,
        primary_kwh=primary,
        energy_score_kwh_m2=score,
        co2_kg=co2,
        cost_eur=cost,
        pv_kwh=pv,
        final_kwh=final,
        expected_final_kwh=x_final,
        expected_co2_kg=x_co2,
        expected_cost_eur=x_cost,
        label=label,
        fossil_free=np.asarray(~(final[:, :, fossil] > 0.0).any(axis=2)),
        investment_eur=invest,
        premium_eur=premium,
        year=int(year),
    )


def scheme_invoices(
    dwellings: pd.DataFrame,
    measures: Sequence[str],
    catalogue: Catalogue,
    discounts: Sequence[float] = (),
) -> dict[str, NDArray[np.float64]]:
    """Invoice of each measure for each dwelling per price scheme [EUR], shape (N, M)."""
    n = len(dwellings)
    if not measures:
        names = ("individual", "collective", *(scheme_name(d) for d in discounts))
        return {name: np.zeros((n, 0)) for name in names}
    individual = catalogue.costs(dwellings, measures)
    invoices = {
        "individual": individual,
        "collective": catalogue.costs(dwellings, measures, collective=True),
    }
    for d in discounts:
        invoices[scheme_name(d)] = individual * (1.0 - d)
    return invoices


def scheme_premiums(
    dwellings: pd.DataFrame,
    measures: Sequence[str],
    catalogue: Catalogue,
    policy: Policy,
    invoices: dict[str, NDArray[np.float64]],
    income: NDArray[np.object_],
    parent: NDArray[np.int64],
    applied: NDArray[np.bool_],
    last: NDArray[np.int64],
) -> dict[str, NDArray[np.float64]]:
    """Cumulative premium of each candidate per price scheme [EUR], shape (N, K).

    A measure without a premium entry in the policy gets no premium (``Policy.premium``).
    """
    area = np.nan_to_num(catalogue.areas(dwellings, measures), nan=0.0)
    out = {}
    for name, inv in invoices.items():
        per_measure = policy.premium(list(measures), inv, income, area_m2=area) if measures else inv
        out[name] = along_tree(parent, applied, per_measure, last)
    return out


def along_tree(
    parent: NDArray[np.int64],
    applied: NDArray[np.bool_],
    per_measure: NDArray[np.float64],
    last: NDArray[np.int64],
) -> NDArray[np.float64]:
    """Sum of a per-measure amount over each candidate's path, shape (N, K).

    ``per_measure`` (N, M) is the amount of each measure for each dwelling, ``last[t]`` the
    column of candidate ``t``'s last measure; a measure that does not apply to a dwelling
    (``applied`` False) adds nothing. Candidates are in tree order (parents first).
    """
    n, k = applied.shape
    out = np.zeros((n, k))
    for t in range(1, k):  # a loop over candidates, each vectorised over dwellings
        add = np.where(applied[:, t], per_measure[:, last[t]], 0.0)
        out[:, t] = out[:, parent[t]] + add
    return out


def with_income(
    cand: Candidates,
    dwellings: pd.DataFrame,
    catalogue: Catalogue,
    policy: Policy,
    income_category: str | ArrayLike,
) -> Candidates:
    """The same candidates under another premium category: only the premiums change (the
    physics, the invoices and which measures apply do not depend on the household's income).
    The price schemes are those ``cand`` was built with (its group discounts included)."""
    prefix = scheme_name(0.0).removesuffix("0")
    discounts = [float(s[len(prefix) :]) for s in cand.investment_eur if s.startswith(prefix)]
    measures = sorted({m for p in cand.packages for m in p}, key=catalogue.ids.index)
    col = {m: j for j, m in enumerate(measures)}
    last = np.asarray([col[p[-1]] if p else -1 for p in cand.packages], dtype=np.int64)
    income = np.broadcast_to(np.asarray(income_category, dtype=object), (cand.n,))
    invoices = scheme_invoices(dwellings, measures, catalogue, discounts)
    premium = scheme_premiums(
        dwellings, measures, catalogue, policy, invoices, income, cand.parent, cand.applied, last
    )
    return dataclasses.replace(cand, premium_eur=premium)


#: Rows of one stacked call of :func:`build_candidates` (dwellings x candidates): bounds the
#: memory of a level's states (~0.5 kB of inputs per row) at large N.
_STACKED_ROWS = 1 << 20


def _stack(states: Sequence[DwellingArrays]) -> DwellingArrays:
    """The dwellings of several states, one after the other (the first itself if only one)."""
    if len(states) == 1:
        return states[0]
    return DwellingArrays(
        **{f.name: np.concatenate([getattr(s, f.name) for s in states]) for f in fields(states[0])}
    )


def _rows(state: DwellingArrays, part: slice) -> DwellingArrays:
    """Dwellings ``part`` of ``state`` as views (no copy; states are never modified in place)."""
    return DwellingArrays(**{f.name: getattr(state, f.name)[part] for f in fields(state)})


def all_subsets(order: Sequence[str], max_measures: int | None = None) -> list[tuple[str, ...]]:
    """Every combination of the measures of ``order`` (kept in that order), as orders.

    Passed to :func:`build_candidates` this gives a candidate for every subset (2**M for M
    measures; the prefixes of one subset are subsets too, so the tree holds each once), which
    makes :func:`cheapest_to_target` and :func:`best_within_budget` exhaustive over them.

    Examples
    --------
    >>> for package in all_subsets(["roof", "walls", "glazing"]):
    ...     print(package)
    ('roof', 'walls', 'glazing')
    ('roof', 'walls')
    ('roof', 'glazing')
    ('roof',)
    ('walls', 'glazing')
    ('walls',)
    ('glazing',)
    """
    m = len(order)
    limit = m if max_measures is None else max_measures
    out = []
    for mask in range((1 << m) - 1, 0, -1):  # 2**M subsets (M is small: tens at most)
        pkg = tuple(order[j] for j in range(m) if mask & (1 << (m - 1 - j)))
        if len(pkg) <= limit:
            out.append(pkg)
    return out


def scheme_name(discount: float) -> str:
    """Name of the price scheme with a flat group discount (``"collective_0.15"``)."""
    return f"collective_{discount:g}"


def annual_cost_co2(
    final_kwh: NDArray[np.float64],
    pv_kwh: NDArray[np.float64],
    price_eur_kwh: ArrayLike,
    co2_kg_kwh: ArrayLike,
    system_params: SystemParameters | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Energy cost [EUR/a] and CO2 [kg/a] of final energy under other prices and CO2 factors.

    The same accounting as the core (PV self-use valued at the electricity price, the rest at
    the injection price; PV used on site lowers the electricity bought and its CO2, exported
    PV is no negative emission of the dwelling), so that a scenario can re-price candidates
    year by year without simulating again. Pass the expected final energy for what the
    household pays and emits.

    Parameters
    ----------
    final_kwh : ndarray, shape (..., C)
        Final energy per carrier [kWh/a].
    pv_kwh : ndarray, shape (...)
        PV output [kWh/a].
    price_eur_kwh, co2_kg_kwh : array_like, shape (C,)
        Price [EUR/kWh] and CO2 factor [kg/kWh] per carrier.
    """
    sp = SystemParameters.default() if system_params is None else system_params
    price = np.asarray(price_eur_kwh, dtype=np.float64)
    factor = np.asarray(co2_kg_kwh, dtype=np.float64)
    # PV on the bill and in CO2: sim.pv_economics, as in the core
    self_use = pv_self_use(pv_kwh, sp.pv_self_consumption_share, final_kwh[..., ELECTRICITY])
    cost = final_kwh @ price - pv_bill_credit(
        pv_kwh, self_use, price[ELECTRICITY], sp.pv_injection_price_eur_kwh
    )
    co2 = final_kwh @ factor - factor[ELECTRICITY] * self_use
    return cost, co2


# ---------------------------------------------------------------------- optimiser
def cheapest_to_target(
    cand: Candidates,
    target_label: ArrayLike,
    start: ArrayLike = 0,
    scheme: str = "individual",
    fossil_free: bool = False,
) -> NDArray[np.int64]:
    """Per dwelling, the cheapest candidate reachable from ``start`` with a label at least as
    good as ``target_label`` (lowest net cost, then fewest measures, then lowest index).

    Parameters
    ----------
    cand : Candidates
    target_label : array_like of int, shape (N,) or scalar
        Label index (0 = A+ ... 6 = F); the candidate's label index must be ≤ it.
    start : array_like of int, shape (N,) or scalar
        Candidate each dwelling is at now.
    scheme : str
        Price scheme (``"individual"``, ``"collective"``, ...).
    fossil_free : bool
        Only candidates without fossil heating.

    Returns
    -------
    ndarray of int64, shape (N,)
        Candidate index; -1 where no reachable candidate meets the target.
    """
    n = cand.n
    target = np.broadcast_to(np.asarray(target_label), (n,))
    s = np.broadcast_to(np.asarray(start, dtype=np.int64), (n,))
    ok = cand.reachable[:, s].T & (cand.label <= target[:, None])
    if fossil_free:
        ok &= cand.fossil_free
    return _argmin_where(ok, cand.net_cost(scheme), cand.depth)


def best_within_budget(
    cand: Candidates,
    budget_eur: ArrayLike,
    start: ArrayLike = 0,
    scheme: str = "individual",
    objective: str = "expected_co2_kg",
) -> NDArray[np.int64]:
    """Per dwelling, the reachable candidate with the lowest ``objective`` whose extra net cost
    from ``start`` is within ``budget_eur`` (ties: cheaper, then fewer measures, then lower index).

    ``objective`` is one of ``expected_co2_kg`` (default: what the household will emit),
    ``expected_cost_eur``, ``co2_kg``, ``primary_kwh``, ``energy_score_kwh_m2``, ``cost_eur``,
    ``heating_need_kwh``. The current state is always within budget, so every dwelling gets an
    answer.
    """
    n = cand.n
    s = np.broadcast_to(np.asarray(start, dtype=np.int64), (n,))
    budget = np.broadcast_to(np.asarray(budget_eur, dtype=np.float64), (n,))
    if objective not in (
        "expected_co2_kg",
        "expected_cost_eur",
        "co2_kg",
        "primary_kwh",
        "energy_score_kwh_m2",
        "cost_eur",
        "heating_need_kwh",
    ):
        problems = Problems("optimalisatie")
        problems.add("objective", f"onbekend doel '{objective}'")
        problems.raise_if_any()
    net = cand.net_cost(scheme)
    extra = net - np.take_along_axis(net, s[:, None], axis=1)
    ok = cand.reachable[:, s].T & (extra <= budget[:, None] + 1e-9)
    value = getattr(cand, objective)
    # lexicographic: objective, then net cost, then depth -- via a stable sort of keys
    order = np.lexsort((np.broadcast_to(cand.depth, net.shape), net, value), axis=1)
    ok_sorted = np.take_along_axis(ok, order, axis=1)
    first = ok_sorted.argmax(axis=1)
    return np.take_along_axis(order, first[:, None], axis=1)[:, 0].astype(np.int64)


def _argmin_where(
    ok: NDArray[np.bool_], cost: NDArray[np.float64], depth: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Row-wise index of the lowest ``cost`` where ``ok`` (ties: lower depth, then index)."""
    key = np.where(ok, cost, np.inf)
    order = np.lexsort((np.broadcast_to(depth, key.shape), key), axis=1)
    best = order[:, 0]
    found = np.take_along_axis(ok, best[:, None], axis=1)[:, 0]
    return np.where(found, best, -1).astype(np.int64)


def column(state: DwellingArrays, name: str) -> NDArray[Any]:
    """One core input column of ``state`` (window areas are stored as one 2-D array)."""
    if name in WINDOW_COLUMNS:
        return np.asarray(state.window_area_m2[:, WINDOW_COLUMNS.index(name)])
    return np.asarray(getattr(state, name))


def _reachable(parent: NDArray[np.int64]) -> NDArray[np.bool_]:
    k = parent.size
    out = np.eye(k, dtype=bool)
    for t in range(k):  # K is small (tens): a loop over candidates
        for a in tree_path(parent, t):
            out[t, a] = True
        out[t, 0] = True
    return out


def tree_path(parent: NDArray[np.int64], t: int) -> list[int]:
    """Candidates from the root's first child down to ``t`` (the root itself left out)."""
    chain = []
    while t > 0:
        chain.append(t)
        t = int(parent[t])
    return chain[::-1]


def where_rows(mask: NDArray[np.bool_], a: DwellingArrays, b: DwellingArrays) -> DwellingArrays:
    """Dwelling inputs from ``a`` where ``mask`` holds, else from ``b``."""
    values = {}
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        m = mask[:, None] if x.ndim == 2 else mask
        values[f.name] = np.ascontiguousarray(np.where(m, x, y))
    return DwellingArrays(**values)


__all__ = [
    "FOSSIL_CARRIERS",
    "Candidates",
    "all_subsets",
    "annual_cost_co2",
    "best_within_budget",
    "build_candidates",
    "cheapest_to_target",
    "column",
    "scheme_name",
    "tree_path",
    "where_rows",
    "with_income",
]
