"""A plain-Python reference of the stock evolution, for one dwelling and one run.

Written from the rules in the module notes of :mod:`scenarios.evolution`, not from the kernel:
plain loops over Python values, the aggregates by their names in ``QUANTITIES``, the choices
as the smallest or largest of explicit keys. It shares only the counter-based random numbers
(:func:`scenarios.evolution.uniform`, which the rules name) and the inputs.
"""

from __future__ import annotations

from typing import Any

from scenarios.evolution import (
    QUANTITIES,
    EvolutionCandidates,
    EvolutionProgrammes,
    EvolutionRun,
    EvolutionStock,
    EvolutionTree,
    EvolutionYears,
    uniform,
)
from sim.labels import LABELS

SALE, COMPLY, WHEN, RENOVATE, PROGRAMME = 2, 3, 4, 5, 100


def evolve_one(
    i: int,
    r: int,
    stock: EvolutionStock,
    cand: EvolutionCandidates,
    tree: EvolutionTree,
    yt: EvolutionYears,
    prog: EvolutionProgrammes,
    run: EvolutionRun,
) -> tuple[list[dict[str, float]], dict[str, Any]]:
    """Dwelling ``i`` in run ``r``: per year its contribution to the aggregates (by name), and
    its own outputs (``states`` per year, ``first``, ``investment``, ``premium``, ``joined``,
    ``obligation``)."""
    k = tree.depth.size
    key = stock.keys[i]
    price_f, co2_f, cost_f, uptake_f, sale_f = (float(x) for x in run.factors[r])
    level = run.measure_factor[r]

    def reachable_from(s: int) -> list[int]:
        return [t for t in range(k) if tree.reachable[t, s]]

    def net(scheme: int, t: int) -> float:
        return float(cand.invest[scheme, i, t] - cand.premium[scheme, i, t])

    def cheapest(s: int, target: int, fossil_only: bool, scheme: int) -> int:
        ok = [
            t
            for t in reachable_from(s)
            if cand.label[i, t] <= target and (cand.fossil_free[i, t] or not fossil_only)
        ]
        return min(ok, key=lambda t: (net(scheme, t), tree.depth[t], t)) if ok else -1

    def best_score(s: int) -> int:
        return min(reachable_from(s), key=lambda t: (cand.score[i, t], t))

    def best_value(s: int) -> int:
        # the most energy-cost saving per net euro, 1 to max_steps measures further
        options = []
        for t in reachable_from(s):
            steps = tree.depth[t] - tree.depth[s]
            saving = cand.cost_ref[i, s] - cand.cost_ref[i, t]
            if 1 <= steps <= run.max_steps and saving > 0:
                options.append((saving / max(net(0, t) - net(0, s), 1.0), -t))
        return -max(options)[1] if options else s

    def path(s: int, t: int) -> list[int]:
        """The candidates from ``s`` (left out) down to ``t``."""
        nodes = []
        while t != s:
            nodes.append(t)
            t = int(tree.parent[t])
        return nodes

    def investment(scheme: int, s: int, t: int) -> float:
        central = cand.invest[scheme, i, t] - cand.invest[scheme, i, s]
        extra = sum(
            (level[tree.step_measure[u]] - 1.0)
            * (cand.invest[scheme, i, u] - cand.invest[scheme, i, tree.parent[u]])
            for u in path(s, t)
            if level[tree.step_measure[u]] != 1.0
        )
        return float((central + extra) * cost_f)

    s = 0
    invited = renovated = collective = lekp = lekp_ff = False
    obligation: dict[str, Any] | None = None  # the open obligation
    triggered = met = late = 0
    invested = premium = 0.0
    first = joined = obliged_first = 0
    states: list[int] = []
    rows: list[dict[str, float]] = []
    for y, year in enumerate(yt.years.tolist()):
        before = s
        moved = False

        def move(t: int, scheme: int) -> None:
            nonlocal s, moved, invested, premium
            invested += investment(scheme, s, t)
            premium += float(cand.premium[scheme, i, t] - cand.premium[scheme, i, s])
            s = t
            moved = True

        # 1. the klimaattafel invitation
        if stock.invite_year[i] != 0 and year >= stock.invite_year[i]:
            invited = True
        if y > 0:  # the first year is the current state
            # 2. a sale opens the obligation
            kind = 1 if stock.is_apartment[i] else 0
            sold = uniform(run.seed, key, r, year, SALE) < run.sale_rate * sale_f
            if sold and obligation is None and yt.obliged[y, kind, cand.label[i, s]]:
                u = uniform(run.seed, key, r, year, WHEN)
                obligation = {
                    "target": int(yt.obligation_target[y, kind]),
                    "deadline": year + run.deadline_years,
                    "complies": uniform(run.seed, key, r, year, COMPLY) < run.compliance,
                    "acts": year + int(u * (run.deadline_years + 1)),
                }
                triggered += 1
                obliged_first = obliged_first or year
            # 3. the collective programmes
            for p in range(prog.prog_start.size):
                if joined or not stock.member[i, p]:
                    continue
                start, end = int(prog.prog_start[p]), int(prog.prog_end[p])
                if not start <= year <= end:
                    continue
                if uniform(run.seed, key, r, 0, PROGRAMME + 2 * p) >= prog.prog_participation[p]:
                    continue
                u = uniform(run.seed, key, r, 0, PROGRAMME + 2 * p + 1)
                if year != start + int(u * (end - start + 1)):
                    continue
                scheme = int(prog.prog_scheme[p])
                t = cheapest(s, int(prog.prog_target[p]), bool(prog.prog_fossil_free[p]), scheme)
                if t >= 0 and t != s:
                    move(t, scheme)
                    joined = year
                    collective = True
                    if run.lekp_from <= year <= run.lekp_to:
                        lekp = True
                        lekp_ff = bool(cand.fossil_free[i, t])
            # the obligation: met, acted on, or late
            if obligation is not None:
                if cand.label[i, s] <= obligation["target"]:
                    obligation = None
                    met += 1
                elif obligation["complies"] and year >= obligation["acts"]:
                    t = cheapest(s, obligation["target"], False, 0)
                    t = best_score(s) if t < 0 else t
                    if t != s:
                        move(t, 0)
                    if cand.label[i, s] <= obligation["target"]:
                        met += 1
                    else:
                        late += 1
                    obligation = None
                elif year >= obligation["deadline"]:
                    obligation = None
                    late += 1
            # 4. a voluntary renovation
            rate = stock.base_rate[r if stock.base_rate.shape[0] > 1 else 0, i] * uptake_f
            rate *= run.uplift if invited else 1.0
            if uniform(run.seed, key, r, year, RENOVATE) < rate:
                t = best_value(s)
                if t != s:
                    move(t, 0)
        if moved:
            renovated = True
            first = first or year
        # 5. the state at the end of the year
        fp = price_f if y > 0 else 1.0
        fe = co2_f if y > 0 else 1.0
        el = run.electricity
        final = cand.final[i, s]
        bill = sum(yt.price[y, c] * fp * final[c] for c in range(final.size))
        co2 = sum(yt.co2f[y, c] * (fe if c == el else 1.0) * final[c] for c in range(final.size))
        pv = float(cand.pv[i, s])
        self_use = min(pv * run.pv_self_share, float(final[el]))
        bill -= fp * (yt.price[y, el] * self_use + yt.inject_price[y] * (pv - self_use))
        co2 -= yt.co2f[y, el] * fe * self_use
        row = dict.fromkeys((name for name, _ in QUANTITIES), 0.0)
        row.update(
            {
                "dwellings": 1.0,
                f"label_{LABELS[cand.label[i, s]]}": 1.0,
                "final_energy_kwh": float(final.sum()),
                "primary_energy_kwh": float(cand.primary[i, s]),
                "co2_kg": float(co2),
                "energy_cost_eur": float(bill),
                "heating_need_kwh": float(cand.need[i, s]),
                "investment_cum_eur": invested,
                "premium_cum_eur": premium,
                "renovations": float(moved),
                "renovated_cum": float(renovated),
                "collective_renovations_cum": float(collective),
                "lekp_collective_cum": float(lekp),
                "lekp_fossil_free_cum": float(lekp_ff),
                "klimaattafel_invited_cum": float(invited),
                "obligation_triggered_cum": float(triggered),
                "obligation_met_cum": float(met),
                "obligation_late_cum": float(late),
                "obligation_open": float(obligation is not None),
                "fossil_free": float(cand.fossil_free[i, s]),
                # the measures added this year that apply to the dwelling
                "measures": float(sum(bool(cand.applied[i, u]) for u in path(before, s))),
            }
        )
        rows.append(row)
        states.append(s)
    own = {
        "states": states,
        "first": first,
        "investment": invested,
        "premium": premium,
        "joined": joined,
        "obligation": obliged_first,
    }
    return rows, own
