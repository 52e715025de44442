"""Year-by-year evolution of the stock: who renovates when, and to which candidate.

One numba kernel moves every dwelling through the years of the horizon along its candidate
tree (:mod:`scenarios.candidates`) and adds its state to aggregates per run, year and
neighbourhood (statistical sector). Per dwelling and year, in this order:

1. **Klimaattafel**: the municipality's plan, the same in every run: a dwelling is invited in
   its ``invite_year`` (0: never; :func:`scenarios.run.invitation_years`) and renovates
   ``uplift`` times as often from then on.
2. **Sale** with probability ``sale_rate × sale factor``. A sale of a dwelling whose label is
   worse than the renovation obligation's minimum of the sale year (``obliged[year, type,
   label]``, :meth:`scenarios.policy.Policy.obligation_applies`) opens an obligation: that
   minimum as target (houses / apartments), deadline ``deadline_years`` later. A share
   ``compliance`` of the buyers renovate, in a year drawn uniformly from the sale year to the
   deadline, to the cheapest reachable candidate that meets the target (else the best
   reachable one).
3. **Collective programmes**: a member dwelling (in the programme's sectors or clusters) joins
   with probability ``participation`` in a year drawn uniformly in the programme's years (from
   the horizon's second year on, :func:`scenarios.run.household_years`), and
   moves to the cheapest candidate meeting the programme's target label (fossil-free if asked)
   at the programme's prices. Joining counts as a collective renovation; within the LEKP period
   it counts toward the LEKP goal, and as fossil-free when the candidate burns no fossil fuel.
4. **Voluntary renovation** with probability ``base_rate × uptake factor (× uplift)``: the
   household does the next 1 to ``measures_per_renovation`` measures of its trajectory, picking
   the reachable candidate with the most energy-cost saving per net euro.

The first year of the horizon is the current state: households decide nothing in it (steps 2-4
start in the second year), but the municipality's invitations planned for it are counted in it.
Its prices and CO2 factors are known, so the run's uncertain price and electricity-CO2 factors
act from the second year on: every run has the same first-year bill and CO2.

Random numbers are counter-based (a SplitMix64 hash of seed, dwelling key, run, year and
stream), so a dwelling draws the same numbers whatever partition or thread computes it: the
single-process and the Dask runs are identical. Aggregates of one (run, sector) are summed by
one thread in dwelling order, so sums are bit-identical too.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from scenarios.candidates import cheapest_from
from sim._jit import jit, jit_parallel, prange
from sim.pv_economics import pv_bill_credit, pv_self_use

#: Aggregated quantities (last axis of the aggregate array), with units.
QUANTITIES: tuple[tuple[str, str], ...] = (
    ("dwellings", "-"),
    ("label_A+", "-"),
    ("label_A", "-"),
    ("label_B", "-"),
    ("label_C", "-"),
    ("label_D", "-"),
    ("label_E", "-"),
    ("label_F", "-"),
    ("final_energy_kwh", "kWh/a"),
    ("primary_energy_kwh", "kWh/a"),
    ("co2_kg", "kg/a"),
    ("energy_cost_eur", "EUR/a"),
    ("heating_need_kwh", "kWh/a"),
    ("investment_cum_eur", "EUR"),
    ("premium_cum_eur", "EUR"),
    ("renovations", "-"),
    ("renovated_cum", "-"),
    ("collective_renovations_cum", "-"),
    ("lekp_collective_cum", "-"),
    ("lekp_fossil_free_cum", "-"),
    ("klimaattafel_invited_cum", "-"),
    ("obligation_triggered_cum", "-"),
    ("obligation_met_cum", "-"),
    ("obligation_late_cum", "-"),
    ("obligation_open", "-"),
    ("fossil_free", "-"),
    ("measures", "-"),
)
Q = {name: i for i, (name, _) in enumerate(QUANTITIES)}
# The kernel writes its sums by these names (numba reads module integers as constants): the
# positions follow QUANTITIES, never a literal index kept in step by hand.
_I_DWELLINGS = Q["dwellings"]
_I_FINAL = Q["final_energy_kwh"]
_I_PRIMARY = Q["primary_energy_kwh"]
_I_CO2 = Q["co2_kg"]
_I_COST = Q["energy_cost_eur"]
_I_NEED = Q["heating_need_kwh"]
_I_INVESTMENT = Q["investment_cum_eur"]
_I_PREMIUM = Q["premium_cum_eur"]
_I_RENOVATIONS = Q["renovations"]
_I_RENOVATED = Q["renovated_cum"]
_I_COLLECTIVE = Q["collective_renovations_cum"]
_I_LEKP = Q["lekp_collective_cum"]
_I_LEKP_FOSSIL_FREE = Q["lekp_fossil_free_cum"]
_I_INVITED = Q["klimaattafel_invited_cum"]
_I_TRIGGERED = Q["obligation_triggered_cum"]
_I_MET = Q["obligation_met_cum"]
_I_LATE = Q["obligation_late_cum"]
_I_OPEN = Q["obligation_open"]
_I_FOSSIL_FREE = Q["fossil_free"]
_I_MEASURES = Q["measures"]
_I_LABEL = Q["label_A+"]  # the labels follow in LABELS order (checked below)
if [n for n, _ in QUANTITIES[_I_LABEL : _I_LABEL + 7]] != [
    f"label_{x}" for x in ("A+", "A", "B", "C", "D", "E", "F")
]:
    raise RuntimeError("QUANTITIES must list label_A+ ... label_F together, in that order")

#: Factors drawn per run (order of ``factors`` columns).
FACTORS: tuple[str, ...] = (
    "energy_price_factor",
    "co2_electricity_factor",
    "investment_cost_factor",
    "uptake_factor",
    "sale_rate_factor",
)

# no stream 1: the klimaattafel invitations are the municipality's plan, not a draw per run
_STREAM_SALE, _STREAM_COMPLY, _STREAM_WHEN, _STREAM_RENOVATE = 2, 3, 4, 5
_STREAM_PROGRAMME = 100  # + 2 × programme index (+1 for the joining year)


@jit
def _mix(z: np.uint64) -> np.uint64:
    """SplitMix64 finaliser."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@jit
def uniform(seed: np.uint64, key: np.uint64, run: int, year: int, stream: int) -> float:
    """A uniform number in [0, 1) from a hash of its coordinates (counter-based RNG)."""
    golden = np.uint64(0x9E3779B97F4A7C15)
    h = _mix(seed + golden)
    h = _mix(h ^ key)
    h = _mix(h ^ (np.uint64(run) * golden))
    h = _mix(h ^ (np.uint64(year) * np.uint64(0xD1B54A32D192ED03)))
    h = _mix(h ^ (np.uint64(stream) * np.uint64(0xABC98388FB8FAC03)))
    return float(h >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@jit
def uniform_array(seed: np.uint64, keys: np.ndarray, stream: int) -> np.ndarray:
    """:func:`uniform` for many dwelling keys (run 0, year 0)."""
    out = np.empty(keys.shape[0])
    for i in range(keys.shape[0]):
        out[i] = uniform(seed, keys[i], 0, 0, stream)
    return out


@jit
def _best_reachable(i: int, s: int, score: np.ndarray, reachable: np.ndarray) -> int:
    """Reachable candidate with the lowest energy score."""
    best = s
    for t in range(score.shape[1]):
        if reachable[t, s] and score[i, t] < score[i, best]:
            best = t
    return best


class EvolutionStock(NamedTuple):
    """The dwellings of the partition, sorted by sector."""

    #: (N,) uint64
    keys: NDArray[Any]
    #: (G+1,) int64: dwellings of sector g are rows sector_start[g]:sector_start[g+1]
    sector_start: NDArray[Any]
    #: (1, N) or (R, N): annual voluntary renovation probability (per run where the
    #: construction years are drawn per run)
    base_rate: NDArray[Any]
    #: (N,) bool
    is_apartment: NDArray[Any]
    #: (N, P) bool: programme membership
    member: NDArray[Any]
    #: (N,) int64: year of the klimaattafel invitation (0 = never)
    invite_year: NDArray[Any]


class EvolutionCandidates(NamedTuple):
    """The candidates of every dwelling (:class:`scenarios.candidates.Candidates`)."""

    #: (N, K) int8
    label: NDArray[Any]
    #: (N, K) energy score
    score: NDArray[Any]
    #: (N, K, C)
    final: NDArray[Any]
    #: (N, K)
    pv: NDArray[Any]
    #: (N, K)
    primary: NDArray[Any]
    #: (N, K)
    need: NDArray[Any]
    #: (N, K) bool
    fossil_free: NDArray[Any]
    #: (N, K) energy cost at reference prices (voluntary choice)
    cost_ref: NDArray[Any]
    #: (S, N, K) cumulative investment per price scheme
    invest: NDArray[Any]
    #: (S, N, K)
    premium: NDArray[Any]
    #: (N, K) bool: the measure candidate k adds applies to the dwelling (else skipped)
    applied: NDArray[Any]


class EvolutionTree(NamedTuple):
    """The tree of the candidates."""

    #: (K, K) bool
    reachable: NDArray[Any]
    #: (K,) int64
    depth: NDArray[Any]
    #: (K,) int64: parent candidate (one measure less); -1 for the root
    parent: NDArray[Any]
    #: (K,) int64: column of measure_factor of the measure candidate k adds
    step_measure: NDArray[Any]


class EvolutionYears(NamedTuple):
    """Prices, CO2 factors and the renovation obligation by year of the horizon."""

    #: (Y,) int64
    years: NDArray[Any]
    #: (Y, C)
    price: NDArray[Any]
    #: (Y, C)
    co2f: NDArray[Any]
    #: (Y,)
    inject_price: NDArray[Any]
    #: (Y, 2) int8: target label by year for [house, apartment], -1 none
    obligation_target: NDArray[Any]
    #: (Y, 2, 7) bool: a sale in year y of a [house, apartment] with label l is obliged
    obliged: NDArray[Any]


class EvolutionProgrammes(NamedTuple):
    """The collective programmes of the scenario."""

    #: (P,) int64
    prog_start: NDArray[Any]
    #: (P,) int64
    prog_end: NDArray[Any]
    #: (P,)
    prog_participation: NDArray[Any]
    #: (P,) int64
    prog_target: NDArray[Any]
    #: (P,) bool
    prog_fossil_free: NDArray[Any]
    #: (P,) int64
    prog_scheme: NDArray[Any]


class EvolutionRun(NamedTuple):
    """The Monte Carlo runs' factors and the scenario's scalar parameters."""

    #: (R, 5): FACTORS
    factors: NDArray[Any]
    #: (R, M): cost level of each measure per run (Catalogue.cost_factors)
    measure_factor: NDArray[Any]
    #: uint64
    seed: np.uint64
    #: annual probability that a dwelling is sold
    sale_rate: float
    #: share of obliged buyers who renovate
    compliance: float
    #: uptake factor of a klimaattafel invitation
    uplift: float
    #: measures per voluntary renovation
    max_steps: int
    #: years to renovate after a sale
    deadline_years: int
    #: first year of the LEKP period
    lekp_from: int
    #: last year of the LEKP period
    lekp_to: int
    #: carrier index of electricity
    electricity: int
    #: share of PV output used on site
    pv_self_share: float
    #: (O,) indices into years for per-dwelling output
    out_years: NDArray[Any]


class EvolutionOutputs(NamedTuple):
    """The arrays the kernel writes."""

    #: out (R, Y, G, Q) float64
    agg: NDArray[Any]
    #: out (R, N, O) int8: candidate per output year
    state_out: NDArray[Any]
    #: out (R, N) int64: first renovation year (0 = none)
    first_year_out: NDArray[Any]
    #: out (R, N): cumulative investment at the end
    invest_out: NDArray[Any]
    #: out (R, N)
    premium_out: NDArray[Any]
    #: out (R, N) int64: year of joining a programme (0 = none)
    collective_out: NDArray[Any]
    #: out (R, N) int64: year of the first obligation (0 = none)
    obligation_out: NDArray[Any]


@jit_parallel
def evolve_kernel(stock, cand, tree, yt, prog, run, out):
    """Every run x sector x dwelling x year, every argument by name: ``stock``
    (:class:`EvolutionStock`), ``cand`` (:class:`EvolutionCandidates`), ``tree``
    (:class:`EvolutionTree`), ``yt`` (:class:`EvolutionYears`), ``prog``
    (:class:`EvolutionProgrammes`), ``run`` (:class:`EvolutionRun`) and ``out``, the arrays it
    writes (:class:`EvolutionOutputs`). A name that does not exist fails when it compiles."""
    keys = stock.keys
    sector_start = stock.sector_start
    base_rate = stock.base_rate
    is_apartment = stock.is_apartment
    member = stock.member
    invite_year = stock.invite_year
    label = cand.label
    score = cand.score
    final = cand.final
    pv = cand.pv
    primary = cand.primary
    need = cand.need
    fossil_free = cand.fossil_free
    cost_ref = cand.cost_ref
    invest = cand.invest
    premium = cand.premium
    applied = cand.applied
    reachable = tree.reachable
    depth = tree.depth
    parent = tree.parent
    step_measure = tree.step_measure
    years = yt.years
    price = yt.price
    co2f = yt.co2f
    inject_price = yt.inject_price
    obligation_target = yt.obligation_target
    obliged = yt.obliged
    prog_start = prog.prog_start
    prog_end = prog.prog_end
    prog_participation = prog.prog_participation
    prog_target = prog.prog_target
    prog_fossil_free = prog.prog_fossil_free
    prog_scheme = prog.prog_scheme
    factors = run.factors
    measure_factor = run.measure_factor
    seed = run.seed
    sale_rate = run.sale_rate
    compliance = run.compliance
    uplift = run.uplift
    max_steps = run.max_steps
    deadline_years = run.deadline_years
    lekp_from = run.lekp_from
    lekp_to = run.lekp_to
    electricity = run.electricity
    pv_self_share = run.pv_self_share
    out_years = run.out_years
    agg = out.agg
    state_out = out.state_out
    first_year_out = out.first_year_out
    invest_out = out.invest_out
    premium_out = out.premium_out
    collective_out = out.collective_out
    obligation_out = out.obligation_out
    n_runs = factors.shape[0]
    n_sectors = sector_start.shape[0] - 1
    n_years = years.shape[0]
    n_prog = prog_start.shape[0]
    n_out = out_years.shape[0]
    c_n = final.shape[2]
    for job in prange(n_runs * n_sectors):
        r = job // n_sectors
        g = job % n_sectors
        f_price = factors[r, 0]
        f_co2 = factors[r, 1]
        f_cost = factors[r, 2]
        f_uptake = factors[r, 3]
        f_sale = factors[r, 4]
        for i in range(sector_start[g], sector_start[g + 1]):
            key = keys[i]
            s = 0
            invited = False
            pending = False
            complies = False
            act_year = 0
            deadline = 0
            target = 0
            renovated = False
            collective = False
            lekp = False
            lekp_ff = False
            triggered = 0
            met = 0
            late = 0
            inv_cum = 0.0
            prem_cum = 0.0
            first = 0
            joined = 0
            obl_first = 0
            # programme joining years are drawn once per dwelling
            o = 0
            for y in range(n_years):
                year = years[y]
                moved = False
                s_before = s
                # 1. klimaattafel: the municipality's plan, the first year included
                if not invited and invite_year[i] != 0 and year >= invite_year[i]:
                    invited = True
                if y > 0:
                    # 2. sale and renovation obligation
                    if uniform(seed, key, r, year, _STREAM_SALE) < sale_rate * f_sale:
                        kind = 1 if is_apartment[i] else 0
                        if not pending and obliged[y, kind, label[i, s]]:
                            pending = True
                            target = obligation_target[y, kind]
                            deadline = year + deadline_years
                            triggered += 1
                            if obl_first == 0:
                                obl_first = year
                            complies = uniform(seed, key, r, year, _STREAM_COMPLY) < compliance
                            u = uniform(seed, key, r, year, _STREAM_WHEN)
                            act_year = year + int(u * (deadline_years + 1))
                    # 3. collective programmes
                    for p in range(n_prog):
                        if joined != 0 or not member[i, p]:
                            continue
                        if year < prog_start[p] or year > prog_end[p]:
                            continue
                        if (
                            uniform(seed, key, r, 0, _STREAM_PROGRAMME + 2 * p)
                            >= prog_participation[p]
                        ):
                            continue
                        span = prog_end[p] - prog_start[p] + 1
                        u = uniform(seed, key, r, 0, _STREAM_PROGRAMME + 2 * p + 1)
                        if year != prog_start[p] + int(u * span):
                            continue
                        sc = prog_scheme[p]
                        t = cheapest_from(
                            i,
                            s,
                            prog_target[p],
                            prog_fossil_free[p],
                            label,
                            fossil_free,
                            invest[sc],
                            premium[sc],
                            reachable,
                            depth,
                        )
                        if t >= 0 and t != s:
                            inv_cum += (
                                _investment(
                                    invest, sc, i, s, t, parent, step_measure, measure_factor[r]
                                )
                                * f_cost
                            )
                            prem_cum += premium[sc, i, t] - premium[sc, i, s]
                            s = t
                            moved = True
                            joined = year
                            collective = True
                            if lekp_from <= year <= lekp_to:
                                lekp = True
                                lekp_ff = bool(fossil_free[i, t])
                    # obligation: act, or count a missed deadline
                    if pending:
                        if label[i, s] <= target:
                            pending = False
                            met += 1
                        elif complies and year >= act_year:
                            t = cheapest_from(
                                i,
                                s,
                                target,
                                False,
                                label,
                                fossil_free,
                                invest[0],
                                premium[0],
                                reachable,
                                depth,
                            )
                            if t < 0:
                                t = _best_reachable(i, s, score, reachable)
                            if t != s:
                                inv_cum += (
                                    _investment(
                                        invest, 0, i, s, t, parent, step_measure, measure_factor[r]
                                    )
                                    * f_cost
                                )
                                prem_cum += premium[0, i, t] - premium[0, i, s]
                                s = t
                                moved = True
                            pending = False
                            if label[i, s] <= target:
                                met += 1
                            else:
                                late += 1
                        elif year >= deadline:
                            pending = False
                            late += 1
                    # 4. voluntary renovation
                    rate = base_rate[r if base_rate.shape[0] > 1 else 0, i] * f_uptake
                    if invited:
                        rate *= uplift
                    if uniform(seed, key, r, year, _STREAM_RENOVATE) < rate:
                        t = _next_steps_scheme(
                            i, s, max_steps, cost_ref, invest, premium, reachable, depth
                        )
                        if t != s:
                            inv_cum += (
                                _investment(
                                    invest, 0, i, s, t, parent, step_measure, measure_factor[r]
                                )
                                * f_cost
                            )
                            prem_cum += premium[0, i, t] - premium[0, i, s]
                            s = t
                            moved = True
                if moved:
                    renovated = True
                    if first == 0:
                        first = year
                # 5. aggregate the state at the end of the year
                a = agg[r, y, g]
                a[_I_DWELLINGS] += 1.0
                a[_I_LABEL + label[i, s]] += 1.0
                fin = 0.0
                cost = 0.0
                co2 = 0.0
                # the first year's prices and CO2 factors are known: the uncertain factors
                # act on the years after it
                fp = f_price if y > 0 else 1.0
                fe = f_co2 if y > 0 else 1.0
                for c in range(c_n):
                    e = final[i, s, c]
                    fin += e
                    pc = price[y, c] * fp
                    fc = co2f[y, c] * (fe if c == electricity else 1.0)
                    cost += pc * e
                    co2 += fc * e
                # PV on the bill and in CO2: sim.pv_economics
                self_use = pv_self_use(pv[i, s], pv_self_share, final[i, s, electricity])
                cost -= fp * pv_bill_credit(
                    pv[i, s], self_use, price[y, electricity], inject_price[y]
                )
                # PV used on site lowers the electricity bought; exported PV is no negative
                # emission of the dwelling (sim.core, CO2 accounting)
                co2 -= co2f[y, electricity] * fe * self_use
                a[_I_FINAL] += fin
                a[_I_PRIMARY] += primary[i, s]
                a[_I_CO2] += co2
                a[_I_COST] += cost
                a[_I_NEED] += need[i, s]
                a[_I_INVESTMENT] += inv_cum
                a[_I_PREMIUM] += prem_cum
                a[_I_RENOVATIONS] += 1.0 if moved else 0.0
                a[_I_RENOVATED] += 1.0 if renovated else 0.0
                a[_I_COLLECTIVE] += 1.0 if collective else 0.0
                a[_I_LEKP] += 1.0 if lekp else 0.0
                a[_I_LEKP_FOSSIL_FREE] += 1.0 if lekp_ff else 0.0
                a[_I_INVITED] += 1.0 if invited else 0.0
                a[_I_TRIGGERED] += triggered
                a[_I_MET] += met
                a[_I_LATE] += late
                a[_I_OPEN] += 1.0 if pending else 0.0
                a[_I_FOSSIL_FREE] += 1.0 if fossil_free[i, s] else 0.0
                # a dwelling only moves to a descendant: count the measures added this year
                # that apply to it (a measure that does not apply is skipped, not done)
                node = s
                while node != s_before and node > 0:
                    if applied[i, node]:
                        a[_I_MEASURES] += 1.0
                    node = parent[node]
                if o < n_out and out_years[o] == y:
                    state_out[r, i, o] = s
                    o += 1
            first_year_out[r, i] = first
            invest_out[r, i] = inv_cum
            premium_out[r, i] = prem_cum
            collective_out[r, i] = joined
            obligation_out[r, i] = obl_first


@jit
def _investment(
    invest: np.ndarray,
    sc: int,
    i: int,
    s: int,
    t: int,
    parent: np.ndarray,
    step_measure: np.ndarray,
    level: np.ndarray,
) -> float:
    """Investment of moving from candidate ``s`` to its descendant ``t`` at this run's cost
    levels: the central difference ``invest[t] − invest[s]`` plus, for each measure added on the
    way, ``(level − 1) ×`` its central step cost. With every level 1 the extra term is exactly
    0, so a catalogue without ranges gives the central investment bit for bit."""
    extra = 0.0
    u = t
    while u != s and u > 0:
        p = parent[u]
        lv = level[step_measure[u]]
        if lv != 1.0:
            extra += (lv - 1.0) * (invest[sc, i, u] - invest[sc, i, p])
        u = p
    return (invest[sc, i, t] - invest[sc, i, s]) + extra


@jit
def _next_steps_scheme(
    i: int,
    s: int,
    max_steps: int,
    cost_ref: np.ndarray,
    invest: np.ndarray,
    premium: np.ndarray,
    reachable: np.ndarray,
    depth: np.ndarray,
) -> int:
    """Voluntary renovation: among candidates 1..max_steps measures below ``s``, the one with
    the most energy-cost saving per net euro (individual prices); ``s`` when nothing saves."""
    best = s
    best_ratio = 0.0
    net_s = invest[0, i, s] - premium[0, i, s]
    for t in range(cost_ref.shape[1]):
        if t == s or not reachable[t, s]:
            continue
        d = depth[t] - depth[s]
        if d < 1 or d > max_steps:
            continue
        saving = cost_ref[i, s] - cost_ref[i, t]
        if saving <= 0.0:
            continue
        extra = invest[0, i, t] - premium[0, i, t] - net_s
        ratio = saving / max(extra, 1.0)
        if ratio > best_ratio:
            best_ratio = ratio
            best = t
    return best
