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
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scenarios.catalogue import Catalogue, Table, rule_ok, table_column, table_rows
from scenarios.policy import DEFAULT_INCOME_CATEGORY, Policy, premium_measure_problems
from sim._jit import jit
from sim.carriers import CARRIERS, ELECTRICITY, CarrierTables
from sim.core import SimulationResult, SystemParameters, simulate
from sim.errors import InputError, Problems, at_rows
from sim.pv_economics import pv_bill_credit, pv_self_use
from sim.stock import DwellingArrays
from sim.variants import (
    VARIANT_TARGETS,
    VariantArrays,
    apply_variant_state,
    heat_recovery_defaults,
)

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
    measures : tuple of str
        The measures of the orders, in order of first appearance.
    last : ndarray of int64, shape (K,)
        Each candidate's last measure as an index into ``measures`` (-1 for candidate 0).
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
    measures: tuple[str, ...]
    last: NDArray[np.int64]
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
    dwellings: Table,
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
    dwellings : Table
        Twin rows (``docs/twin_schema.md``) with the core's input columns: a DataFrame, or a
        mapping of column names to arrays (:data:`scenarios.catalogue.Table`).
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
    try:  # a tuple of tuples (all_subsets) is its own cache key: no copy
        tree = candidate_tree(orders)
    except TypeError:  # lists: unhashable
        tree = candidate_tree(tuple(tuple(o) for o in orders))
    known = set(catalogue.ids)
    if tree.repeats or not known.issuperset(tree.measures):
        for i, order in enumerate(orders):  # say where, order by order (a rare path)
            for j, mid in enumerate(order):
                if mid not in known:
                    problems.add(
                        f"orders[{i}][{j}]",
                        f"onbekende maatregel '{mid}'; kies uit {catalogue.ids}",
                    )
            if len(set(order)) != len(order):
                problems.add(f"orders[{i}]", "een maatregel staat meer dan eens in de volgorde")
    for d in discounts:
        if not 0.0 <= d < 1.0:
            problems.add("discounts", f"korting {d} moet tussen 0 en 1 liggen")
    problems.raise_if_any()

    packages = tree.packages
    k = len(packages)
    n = table_rows(dwellings)
    measures = catalogue.sorted_ids(tree.measures)

    carriers = policy.carrier_tables(year)
    sp = SystemParameters.default() if system_params is None else system_params
    schemes = scheme_invoices(dwellings, measures, catalogue, discounts)

    arrays = DwellingArrays.from_mapping(dwellings, what="twin rows")
    c = len(CARRIERS)
    need, primary, score, co2, cost, pv, x_co2, x_cost = (np.empty((n, k)) for _ in range(8))
    final = np.empty((n, k, c))
    x_final = np.empty((n, k, c))
    label = np.empty((n, k), dtype=np.int8)
    applied = np.ones((n, k), dtype=bool)
    results = _TreeResults(
        need, primary, score, co2, cost, pv, x_co2, x_cost, final, x_final, label, applied
    )
    # the rules on what no measure changes are judged once per dwelling, the others (and the
    # supply temperature the emitters need) state by state
    fixed = {
        col: table_column(dwellings, col)
        for col in catalogue.rule_columns(measures)
        if col not in _VARYING and col != SUPPLY_RULE_COLUMN
    }
    physics = _TreePhysics(
        tree=tree,
        measures=measures,
        variants=catalogue.variants(measures),
        catalogue=catalogue,
        carriers=carriers,
        system_params=sp,
    )
    # the dwellings in groups whose states (dwellings x candidates) fit _STACKED_ROWS
    per_group = max(1, _STACKED_ROWS // k)
    for r0 in range(0, n, per_group):
        r1 = min(n, r0 + per_group)
        part = arrays if (r0, r1) == (0, n) else arrays.take(np.arange(r0, r1))
        try:
            physics.run(part, {col: v[r0:r1] for col, v in fixed.items()}, results, r0)
        except InputError as exc:  # rows of this group, as the dwellings' rows
            raise at_rows(exc, np.arange(r0, r1)) from None

    fossil = np.asarray([CARRIERS.index(x) for x in FOSSIL_CARRIERS])
    parent_arr = tree.parent.copy()
    last = last_column(tree.last, tree.measures, measures)
    # what each candidate costs from the current state: the invoices of the measures that apply
    # on its path; and their premiums (per income category, :func:`with_income`)
    invest = {sch: along_tree(parent_arr, applied, inv, last) for sch, inv in schemes.items()}
    income = np.broadcast_to(np.asarray(income_category, dtype=object), (n,))
    premium = scheme_premiums(
        dwellings, measures, catalogue, policy, schemes, income, parent_arr, applied, last
    )
    return Candidates(
        packages=packages,
        parent=parent_arr,
        reachable=tree.reachable.copy(),
        depth=tree.depth.copy(),
        measures=tree.measures,
        last=tree.last.copy(),
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
    dwellings: Table,
    measures: Sequence[str],
    catalogue: Catalogue,
    discounts: Sequence[float] = (),
) -> dict[str, NDArray[np.float64]]:
    """Invoice of each measure for each dwelling per price scheme [EUR], shape (N, M)."""
    n = table_rows(dwellings)
    if not measures:
        names = ("individual", "collective", *(scheme_name(d) for d in discounts))
        return {name: np.zeros((n, 0)) for name in names}
    individual = catalogue.costs(dwellings, measures)
    invoices = {
        "individual": individual,
        "collective": individual * catalogue.collective_factors(measures),
    }
    for d in discounts:
        invoices[scheme_name(d)] = individual * (1.0 - d)
    return invoices


def scheme_premiums(
    dwellings: Table,
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
    if not measures:
        return {name: along_tree(parent, applied, inv, last) for name, inv in invoices.items()}
    area = np.nan_to_num(catalogue.areas(dwellings, measures), nan=0.0)
    # every scheme in one call: the schemes' invoices one after the other
    s = len(invoices)
    stacked = policy.premium(
        list(measures),
        np.concatenate(list(invoices.values())),
        np.tile(income, s),
        area_m2=np.tile(area, (s, 1)),
    )
    n = applied.shape[0]
    return {
        name: along_tree(parent, applied, stacked[q * n : (q + 1) * n], last)
        for q, name in enumerate(invoices)
    }


def last_column(
    last: NDArray[np.int64], measures: Sequence[str], columns: Sequence[str]
) -> NDArray[np.int64]:
    """Each candidate's last measure (``last``, an index into ``measures``; -1 for none) as a
    column of a table whose columns are the measures ``columns`` (-1 for none)."""
    at = {m: j for j, m in enumerate(columns)}
    return np.asarray([*(at[m] for m in measures), -1], dtype=np.int64)[last]


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
    out = np.zeros(applied.shape)
    _along_tree_kernel(
        np.ascontiguousarray(parent, dtype=np.int64),
        np.ascontiguousarray(applied),
        np.ascontiguousarray(per_measure, dtype=np.float64),
        np.ascontiguousarray(last, dtype=np.int64),
        out,
    )
    return out


@jit
def _along_tree_kernel(
    parent: NDArray[np.int64],
    applied: NDArray[np.bool_],
    per_measure: NDArray[np.float64],
    last: NDArray[np.int64],
    out: NDArray[np.float64],
) -> None:
    # candidate after candidate (a parent before its children): each adds to its parent's sum
    for i in range(applied.shape[0]):
        for t in range(1, applied.shape[1]):
            add = per_measure[i, last[t]] if applied[i, t] else 0.0
            out[i, t] = out[i, parent[t]] + add


def with_income(
    cand: Candidates,
    dwellings: Table,
    catalogue: Catalogue,
    policy: Policy,
    income_category: str | ArrayLike,
) -> Candidates:
    """The same candidates under another premium category: only the premiums change (the
    physics, the invoices and which measures apply do not depend on the household's income).
    The price schemes are those ``cand`` was built with (its group discounts included)."""
    prefix = scheme_name(0.0).removesuffix("0")
    discounts = [float(s[len(prefix) :]) for s in cand.investment_eur if s.startswith(prefix)]
    measures = catalogue.sorted_ids(m for p in cand.packages for m in p)
    last = last_column(cand.last, cand.measures, measures)
    income = np.broadcast_to(np.asarray(income_category, dtype=object), (cand.n,))
    invoices = scheme_invoices(dwellings, measures, catalogue, discounts)
    premium = scheme_premiums(
        dwellings, measures, catalogue, policy, invoices, income, cand.parent, cand.applied, last
    )
    return dataclasses.replace(cand, premium_eur=premium)


#: States (dwellings x candidates) :func:`build_candidates` holds at once, and rows of its
#: largest core call: bounds its memory at large N (~0.5 kB of core inputs per row); the
#: dwellings are taken in groups of ``_STACKED_ROWS // K``.
_STACKED_ROWS = 1 << 20


#: What a measure can change in a state: the core inputs of the variants
#: (:data:`sim.variants.VARIANT_TARGETS`) and the design load the emitters were sized for.
_VARYING: tuple[str, ...] = (*VARIANT_TARGETS, "emitter_design_load_w")
_AT = {f: i for i, f in enumerate(_VARYING)}
_DWELLING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(DwellingArrays))

#: The rule columns judged state by state: what a measure can change, and the supply
#: temperature the emitters of the state need (computed by the core), in this order: the
#: columns of the rule program (:meth:`scenarios.catalogue.Catalogue.rule_program`).
_STATE_RULE_COLUMNS: tuple[str, ...] = (*_VARYING, SUPPLY_RULE_COLUMN)
_AT_LOAD = _AT["emitter_design_load_w"]
_AT_SUPPLY = len(_VARYING)


class _Walk(NamedTuple):
    """What :func:`_walk_kernel` reads of a tree and its measures: the candidates' parents,
    the schedule (per step the measure, an index into the build's measures, and its
    candidates ``nodes[start[s] : start[s + 1]]``) and per measure whether it puts in new
    emitters."""

    parent: NDArray[np.int64]
    measure: NDArray[np.int64]
    start: NDArray[np.int64]
    nodes: NDArray[np.int64]
    new_emitters: NDArray[np.bool_]


@jit
def _walk_kernel(
    walk: Any,
    s0: int,
    s1: int,
    states: NDArray[np.float64],
    supply: NDArray[np.float64],
    fixed_ok: NDArray[np.bool_],
    rules: Any,
    var: Any,
    heat_recovery: NDArray[np.float64],
    applied: NDArray[np.bool_],
    source: NDArray[np.int64],
) -> None:
    """Steps ``s0`` to ``s1`` of the schedule for the dwellings of ``states``: each candidate
    is its parent's state, with its measure applied (:func:`sim.variants.apply_variant_state`)
    where the measure's rules hold for that state (``fixed_ok``: those on what no measure
    changes, judged before; ``rules``: the others, a :class:`scenarios.catalogue.RuleProgram`
    over :data:`_STATE_RULE_COLUMNS`, the supply temperature of the parent's emitters from
    ``supply``, that of the state the parent equals). New emitters are sized for the state
    they heat (a design load of 0).
    ``source[i, t]``: the candidate whose state dwelling ``i`` has at ``t`` (``t`` itself where
    the measure applied, else its parent's source): only those states are simulated.
    (A heat pump applies only where its parent's emitters need at most the supply temperature
    its rule allows, never more than the core computes: :data:`sim.core.HP_MAX_SUPPLY_C`,
    checked when the catalogue is read.)"""
    m, f = states.shape[1], states.shape[2]
    for s in range(s0, s1):
        j = walk.measure[s]
        for q in range(walk.start[s], walk.start[s + 1]):
            t = walk.nodes[q]
            p = walk.parent[t]
            for i in range(m):
                x = states[t, i]
                for c in range(f):  # (an element loop: a slice copy checks for overlap)
                    x[c] = states[p, i, c]
                ok = fixed_ok[i, j]
                r = rules.start[j]
                while ok and r < rules.start[j + 1]:
                    c = rules.column[r]
                    value = supply[source[i, p], i] if c == _AT_SUPPLY else x[c]
                    codes = rules.codes[rules.code_start[r] : rules.code_end[r]]
                    ok = rule_ok(value, rules.op[r], rules.bound[r], codes)
                    r += 1
                if ok:
                    apply_variant_state(x, var, j, heat_recovery)
                    if walk.new_emitters[j]:
                        x[_AT_LOAD] = 0.0
                applied[i, t] = ok
                source[i, t] = t if ok else source[i, p]


class _TreeResults(NamedTuple):
    """The arrays :func:`build_candidates` fills, shape (N, K) (final energy (N, K, C))."""

    heating_need_kwh: NDArray[np.float64]
    primary_kwh: NDArray[np.float64]
    energy_score_kwh_m2: NDArray[np.float64]
    co2_kg: NDArray[np.float64]
    cost_eur: NDArray[np.float64]
    pv_kwh: NDArray[np.float64]
    expected_co2_kg: NDArray[np.float64]
    expected_cost_eur: NDArray[np.float64]
    final_kwh: NDArray[np.float64]
    expected_final_kwh: NDArray[np.float64]
    label: NDArray[np.int8]
    applied: NDArray[np.bool_]


@jit
def _fill_from_source(source: NDArray[np.int64], r0: int, out: Any) -> None:
    """The results of every state its measure left as it was: those of the state it equals
    (``source[i, t]``, simulated), for the dwellings of rows ``r0 + i`` of ``out``
    (:class:`_TreeResults`)."""
    for i in range(source.shape[0]):
        r = r0 + i
        for t in range(source.shape[1]):
            s = source[i, t]
            if s == t:
                continue
            out.heating_need_kwh[r, t] = out.heating_need_kwh[r, s]
            out.primary_kwh[r, t] = out.primary_kwh[r, s]
            out.energy_score_kwh_m2[r, t] = out.energy_score_kwh_m2[r, s]
            out.co2_kg[r, t] = out.co2_kg[r, s]
            out.cost_eur[r, t] = out.cost_eur[r, s]
            out.pv_kwh[r, t] = out.pv_kwh[r, s]
            out.expected_co2_kg[r, t] = out.expected_co2_kg[r, s]
            out.expected_cost_eur[r, t] = out.expected_cost_eur[r, s]
            out.label[r, t] = out.label[r, s]
            for c in range(out.final_kwh.shape[2]):
                out.final_kwh[r, t, c] = out.final_kwh[r, s, c]
                out.expected_final_kwh[r, t, c] = out.expected_final_kwh[r, s, c]


@dataclass(frozen=True)
class _StateInputs:
    """The core inputs of a group of dwellings, laid out to gather the inputs of many states
    in a few operations: the inputs no measure changes as one float and one integer table
    (field x dwelling), the others (the window areas by orientation) as they are."""

    arrays: DwellingArrays
    floats: tuple[str, ...]
    ints: tuple[str, ...]
    others: tuple[str, ...]
    float_table: NDArray[np.float64]
    int_table: NDArray[np.int64]

    @classmethod
    def of(cls, arrays: DwellingArrays) -> _StateInputs:
        fixed = [n for n in _DWELLING_NAMES if n not in _AT]
        one = [n for n in fixed if getattr(arrays, n).ndim == 1]
        floats = tuple(n for n in one if getattr(arrays, n).dtype == np.float64)
        ints = tuple(n for n in one if getattr(arrays, n).dtype == np.int64)
        others = tuple(n for n in fixed if n not in floats and n not in ints)
        return cls(
            arrays,
            floats,
            ints,
            others,
            np.stack([getattr(arrays, n) for n in floats]),
            np.stack([getattr(arrays, n) for n in ints])
            if ints
            else np.empty((0, arrays.n), np.int64),
        )

    def gather(self, rows: NDArray[np.intp], states: NDArray[np.float64]) -> DwellingArrays:
        """The inputs of dwelling ``rows[q]`` in state ``states[q]`` (fields of _VARYING)."""
        floats = self.float_table[:, rows]  # rows of these tables are contiguous
        ints = self.int_table[:, rows]
        varying = np.ascontiguousarray(states.T)
        inputs: dict[str, NDArray[Any]] = {n: floats[j] for j, n in enumerate(self.floats)}
        inputs.update({n: ints[j] for j, n in enumerate(self.ints)})
        inputs.update({n: getattr(self.arrays, n)[rows] for n in self.others})
        for name, k in _AT.items():
            dtype = getattr(self.arrays, name).dtype
            inputs[name] = varying[k] if dtype == np.float64 else varying[k].astype(dtype)
        return DwellingArrays(**inputs)


@dataclass(frozen=True)
class _TreePhysics:
    """The states of a tree of candidates for a group of dwellings, and their core results.

    Measure by measure (``tree.schedule``), in a kernel (:func:`_walk_kernel`): the children
    of every computed candidate that do the same next measure are judged and transformed. The
    core simulates the new states when a rule needs their results (the supply temperature) or
    at the end: the 2**M subsets of an order take one core call for the dwelling, one before
    each measure whose rule reads the supply temperature and one for the rest (4 for a house).
    A state is a row of ``states`` (candidate, dwelling, field of :data:`_VARYING`): what the
    measures so far changed; everything else is the dwelling's own. Only the states a measure
    changed are simulated; the others take the results of the state they equal.
    """

    tree: CandidateTree
    measures: Sequence[str]
    variants: VariantArrays
    catalogue: Catalogue
    carriers: CarrierTables
    system_params: SystemParameters

    def run(
        self,
        arrays: DwellingArrays,
        fixed: dict[str, NDArray[Any]],
        out: _TreeResults,
        r0: int,
    ) -> None:
        """Fill rows ``r0 : r0 + arrays.n`` of ``out`` for the dwellings ``arrays``; ``fixed``:
        their rule columns that no measure changes."""
        tree, cat = self.tree, self.catalogue
        m, k = arrays.n, len(tree.packages)
        states = np.empty((k, m, len(_VARYING)))
        supply = np.full((k, m), np.nan)
        computed = np.zeros(k, dtype=bool)
        simulated = np.zeros(k, dtype=bool)
        root = simulate(arrays, None, carriers=self.carriers, system_params=self.system_params)
        everyone = np.arange(m)
        self._store(out, r0, everyone, np.zeros(m, dtype=np.int64), root, supply)
        computed[0] = simulated[0] = True
        # the emitters every state keeps are those of the dwelling as it is: sized for its
        # design heat load now, not for the load after later insulation (sim.emitters); new
        # emitters (a measure with an emitter temperature) are sized for the dwelling they
        # heat, as the core sizes a package's new emitters: the state after them (a load of 0)
        arrays = dataclasses.replace(
            arrays,
            emitter_design_load_w=np.where(
                arrays.emitter_design_load_w > 0.0,
                arrays.emitter_design_load_w,
                root.design_heat_load_w[:, 0],
            ),
        )
        for f, i in _AT.items():
            states[0, :, i] = getattr(arrays, f)
        inputs = _StateInputs.of(arrays)
        fixed_ok = (
            np.ascontiguousarray(cat.applicable(fixed, self.measures, columns=fixed.keys()))
            if fixed
            else np.ones((m, len(self.measures)), dtype=bool)
        )
        rules = cat.rule_program(self.measures, _STATE_RULE_COLUMNS)
        # the tree's measures as the build's (columns of fixed_ok, variants and rules)
        pos = np.asarray([self.measures.index(mid) for mid in tree.measures], dtype=np.int64)
        walk = _Walk(
            tree.parent,
            pos[tree.step_measure],
            tree.step_start,
            tree.step_nodes,
            ~np.isnan(self.variants.emitter_temp_c),
        )
        needs_supply = np.zeros(len(self.measures), dtype=bool)
        for j in range(len(self.measures)):
            span = slice(rules.start[j], rules.start[j + 1])
            needs_supply[j] = bool((rules.column[span] == _AT_SUPPLY).any())
        # phases: the steps up to the next one whose rules need the supply temperature of its
        # parents, which the core computes first
        steps = len(walk.measure)
        breaks = [s for s in range(1, steps) if needs_supply[walk.measure[s]]]
        applied = np.ones((m, k), dtype=bool)
        source = np.zeros((m, k), dtype=np.int64)
        heat_recovery = heat_recovery_defaults()
        var = self.variants.columns()
        phases = zip([0, *breaks], [*breaks, steps], strict=True) if steps else iter(())
        for s0, s1 in phases:
            if needs_supply[walk.measure[s0]]:
                self._flush(inputs, states, supply, computed, simulated, source, out, r0)
            _walk_kernel(
                walk,
                s0,
                s1,
                states,
                supply,
                fixed_ok,
                rules,
                var,
                heat_recovery,
                applied,
                source,
            )
            computed[walk.nodes[walk.start[s0] : walk.start[s1]]] = True
        out.applied[r0 : r0 + m] = applied
        self._flush(inputs, states, supply, computed, simulated, source, out, r0)
        _fill_from_source(source, r0, out)

    def _flush(
        self,
        inputs: _StateInputs,
        states: NDArray[np.float64],
        supply: NDArray[np.float64],
        computed: NDArray[np.bool_],
        simulated: NDArray[np.bool_],
        source: NDArray[np.int64],
        out: _TreeResults,
        r0: int,
    ) -> None:
        """Simulate every computed state not simulated yet, in one core call: the states a
        measure changed (a state its measure left as it was takes the results of the state it
        equals, ``source``, at the end: :func:`_fill_from_source`)."""
        nodes = np.flatnonzero(computed & ~simulated)
        if nodes.size == 0:
            return
        src = source[:, nodes]
        own = src == nodes[None, :]
        rows, at = np.nonzero(own)
        if rows.size:
            t = nodes[at]
            res = simulate(
                inputs.gather(rows, states[t, rows]),
                None,
                carriers=self.carriers,
                system_params=self.system_params,
            )
            self._store(out, r0, rows, t, res, supply)
        simulated[nodes] = True

    @staticmethod
    def _store(
        out: _TreeResults,
        r0: int,
        rows: NDArray[np.intp],
        nodes: NDArray[np.int64],
        res: SimulationResult,
        supply: NDArray[np.float64],
    ) -> None:
        """The results of the states of dwellings ``rows`` (of the group) at candidates
        ``nodes``, one after the other."""
        at = r0 + rows
        for name in _TreeResults._fields[:8]:
            getattr(out, name)[at, nodes] = getattr(res, name)[:, 0]
        out.label[at, nodes] = res.label[:, 0]
        supply[nodes, rows] = res.hp_supply_temp_c[:, 0]
        own = res.final_kwh[:, 0, :]
        out.final_kwh[at, nodes] = own
        # the expected final energy of these rows only (SimulationResult.expected_final_kwh)
        out.expected_final_kwh[at, nodes] = own * res.expected_use_ratio[:, 0, None]


def all_subsets(
    order: Sequence[str], max_measures: int | None = None
) -> tuple[tuple[str, ...], ...]:
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
    return _subsets(tuple(order), max_measures)


@lru_cache(maxsize=64)
def _subsets(order: tuple[str, ...], max_measures: int | None) -> tuple[tuple[str, ...], ...]:
    m = len(order)
    limit = m if max_measures is None else max_measures
    out = []
    for mask in range((1 << m) - 1, 0, -1):  # 2**M subsets (M is small: tens at most)
        pkg = tuple(order[j] for j in range(m) if mask & (1 << (m - 1 - j)))
        if len(pkg) <= limit:
            out.append(pkg)
    return tuple(out)


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
    good as ``target_label`` (:func:`cheapest_from`: lowest net cost, then fewest measures,
    then lowest index).

    Parameters
    ----------
    cand : Candidates
    target_label : array_like of int, shape (N,) or scalar, or shape (N, L)
        Label index (0 = A+ ... 6 = F); the candidate's label index must be ≤ it. With shape
        (N, L), L targets per dwelling, each chosen for on its own.
    start : array_like of int, shape (N,) or scalar
        Candidate each dwelling is at now.
    scheme : str
        Price scheme (``"individual"``, ``"collective"``, ...).
    fossil_free : bool
        Only candidates without fossil heating.

    Returns
    -------
    ndarray of int64, shape (N,) (or (N, L))
        Candidate index; -1 where no reachable candidate meets the target.
    """
    n = cand.n
    given = np.asarray(target_label, np.int64)
    several = given.ndim == 2  # (N, L): several targets per dwelling at once
    target = np.ascontiguousarray(np.broadcast_to(given, given.shape if several else (n,)))
    s = np.ascontiguousarray(np.broadcast_to(np.asarray(start, dtype=np.int64), (n,)))
    out = _cheapest_all(
        target if several else target[:, None],
        s,
        bool(fossil_free),
        cand.label,
        cand.fossil_free,
        cand.investment_eur[scheme],
        cand.premium_eur[scheme],
        cand.reachable,
        cand.depth,
    )
    return out if several else out[:, 0]


@jit
def cheapest_from(
    i: int,
    s: int,
    target: int,
    fossil_only: bool,
    label: NDArray[np.int8],
    fossil_free: NDArray[np.bool_],
    invest: NDArray[np.float64],
    premium: NDArray[np.float64],
    reachable: NDArray[np.bool_],
    depth: NDArray[np.int64],
) -> int:
    """The optimiser's rule for dwelling ``i`` at candidate ``s``: the candidate reachable from
    ``s`` with label index ≤ ``target`` (and without fossil heating if ``fossil_only``) with the
    lowest net cost ``invest - premium`` (cumulative, one price scheme, shape (N, K)); ties go
    to fewer measures, then to the lower index. -1 if none.

    The one owner of this rule: :func:`cheapest_to_target` (every dwelling) and the scenario
    engine's choices (:mod:`scenarios.evolution`, per dwelling and year) call it.
    """
    best = -1
    best_net = 0.0
    for t in range(label.shape[1]):
        if not reachable[t, s] or label[i, t] > target:
            continue
        if fossil_only and not fossil_free[i, t]:
            continue
        net = invest[i, t] - premium[i, t]
        if best < 0 or net < best_net or (net == best_net and depth[t] < depth[best]):
            best = t
            best_net = net
    return best


@jit
def _cheapest_all(
    target: NDArray[np.int64],
    start: NDArray[np.int64],
    fossil_only: bool,
    label: NDArray[np.int8],
    fossil_free: NDArray[np.bool_],
    invest: NDArray[np.float64],
    premium: NDArray[np.float64],
    reachable: NDArray[np.bool_],
    depth: NDArray[np.int64],
) -> NDArray[np.int64]:
    # target (N, L): L targets per dwelling, each chosen for on its own
    out = np.empty(target.shape, dtype=np.int64)
    for i in range(target.shape[0]):
        for q in range(target.shape[1]):
            out[i, q] = cheapest_from(
                i,
                start[i],
                target[i, q],
                fossil_only,
                label,
                fossil_free,
                invest,
                premium,
                reachable,
                depth,
            )
    return out


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


@dataclass(frozen=True)
class CandidateTree:
    """The candidates of some orders as a tree: ``packages`` (K, the current state first),
    ``parent``, ``depth`` and ``reachable`` as in :class:`Candidates` (shared by every caller
    of :func:`candidate_tree`: copy before changing them)."""

    packages: tuple[tuple[str, ...], ...]
    parent: NDArray[np.int64]
    depth: NDArray[np.int64]
    reachable: NDArray[np.bool_]
    #: the distinct measures, in order of first appearance
    measures: tuple[str, ...]
    #: each candidate's last measure as an index into ``measures`` (-1 for the current state)
    last: NDArray[np.int64]
    #: whether an order holds a measure twice
    repeats: bool
    #: the order :func:`build_candidates` computes them in: per step a measure and the
    #: candidates that end with it, whose parents are all computed before
    schedule: tuple[tuple[str, tuple[int, ...]], ...]
    #: the schedule as arrays: the measure of step ``s`` (an index into ``measures``) and its
    #: candidates ``step_nodes[step_start[s] : step_start[s + 1]]``
    step_measure: NDArray[np.int64]
    step_start: NDArray[np.int64]
    step_nodes: NDArray[np.int64]


#: Trees :func:`candidate_tree` keeps: a household plan's tree of 12 measures (its most,
#: scenarios.household.MAX_ORDER_MEASURES) holds a 4,096 x 4,096 reachability table (16 MB).
_TREES_KEPT = 16


@lru_cache(maxsize=_TREES_KEPT)
def candidate_tree(orders: tuple[tuple[str, ...], ...]) -> CandidateTree:
    """Every prefix of every order, once, in tree order (a parent before its children).

    The same orders give the same tree (a dwelling's route, asked again and again), so it is
    built once.
    """
    packages: list[tuple[str, ...]] = [()]
    parent: list[int] = [-1]
    index: dict[tuple[str, ...], int] = {(): 0}
    for order in orders:
        for j in range(1, len(order) + 1):
            pkg = order[:j]
            if pkg not in index:
                index[pkg] = len(packages)
                packages.append(pkg)
                parent.append(index[pkg[:-1]])
    parents = np.asarray(parent, dtype=np.int64)
    depth = np.asarray([len(p) for p in packages], dtype=np.int64)
    # t below s (or t itself): s is one of t's ancestors, found depth by depth
    k = len(packages)
    reachable = np.eye(k, dtype=bool)
    up = np.arange(k)
    for _ in range(int(depth.max(initial=0))):
        up = np.where(up > 0, parents[np.maximum(up, 0)], 0)
        reachable[np.arange(k), up] = True
    measures = tuple(dict.fromkeys(m for o in orders for m in o))
    at = {m: j for j, m in enumerate(measures)}
    last = np.asarray([at[p[-1]] if p else -1 for p in packages], dtype=np.int64)
    repeats = any(len(set(o)) != len(o) for o in orders)
    schedule = _schedule(tuple(packages), parent)
    step_measure = np.asarray([at[mid] for mid, _ in schedule], dtype=np.int64)
    step_start = np.cumsum([0, *(len(nodes) for _, nodes in schedule)], dtype=np.int64)
    step_nodes = np.asarray([t for _, nodes in schedule for t in nodes], dtype=np.int64)
    return CandidateTree(
        tuple(packages),
        parents,
        depth,
        reachable,
        measures,
        last,
        repeats,
        schedule,
        step_measure,
        step_start,
        step_nodes,
    )


def _schedule(
    packages: tuple[tuple[str, ...], ...], parent: list[int]
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Steps of (measure, candidates ending with it) with every parent in an earlier step.

    A measure is taken whole when all its candidates' parents are computed (the 2**M subsets
    of an order then take M steps); else the measure with the most candidates ready. Within a
    step the candidates follow their parents' step and place (the walk reads a step's parents
    mostly in the order they were written).
    """
    todo: dict[str, list[int]] = {}
    for t in range(1, len(packages)):
        todo.setdefault(packages[t][-1], []).append(t)
    place = {0: (0, 0)}
    out: list[tuple[str, tuple[int, ...]]] = []
    while todo:
        ready = {mid: [t for t in ts if parent[t] in place] for mid, ts in todo.items()}
        whole = [mid for mid, ts in ready.items() if ts and len(ts) == len(todo[mid])]
        mid = whole[0] if whole else max(ready, key=lambda m: len(ready[m]))
        nodes = sorted(ready[mid], key=lambda t: place[parent[t]])
        taken = set(nodes)
        todo[mid] = [t for t in todo[mid] if t not in taken]
        if not todo[mid]:
            del todo[mid]
        for j, t in enumerate(nodes):
            place[t] = (len(out) + 1, j)
        out.append((mid, tuple(nodes)))
    return tuple(out)


def prefix_chain(cand: Candidates, order: Sequence[str]) -> list[int]:
    """The candidates of the prefixes of ``order`` (its first measure, the first two, ...).

    Raises
    ------
    KeyError
        When ``cand`` lacks a prefix of ``order``.
    """
    at = {m: j for j, m in enumerate(cand.measures)}
    chain: list[int] = []
    t = 0
    for mid in order:
        # the child of t whose last measure is mid (-2 matches no candidate)
        below = np.flatnonzero((cand.parent == t) & (cand.last == at.get(mid, -2)))
        if below.size == 0:
            raise KeyError(tuple(order[: len(chain) + 1]))
        t = int(below[0])
        chain.append(t)
    return chain


def tree_path(parent: NDArray[np.int64], t: int) -> list[int]:
    """Candidates from the root's first child down to ``t`` (the root itself left out)."""
    chain = []
    while t > 0:
        chain.append(t)
        t = int(parent[t])
    return chain[::-1]


__all__ = [
    "FOSSIL_CARRIERS",
    "Candidates",
    "all_subsets",
    "annual_cost_co2",
    "best_within_budget",
    "build_candidates",
    "cheapest_from",
    "cheapest_to_target",
    "last_column",
    "prefix_chain",
    "scheme_name",
    "tree_path",
    "with_income",
]
