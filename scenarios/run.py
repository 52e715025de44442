"""Run a scenario over the stock, year by year, in one process or on Dask.

The flow (``docs/scenario_schema.md`` for the scenario file):

1. :func:`prepare_stock`: sort the twin by sector and dwelling id, give every dwelling a stable
   64-bit key (hash of its id) from which all its random draws derive, its premium category
   (drawn from the scenario's shares, or the policy's Flemish shares when the scenario gives
   none) and tenure (drawn from the scenario's shares unless the twin has them), its annual
   voluntary renovation probability, its collective-programme memberships and the year of its
   klimaattafel invitation (:func:`invitation_years`). This is global work, done once, so that
   any split of the stock gives the same per-dwelling inputs.
2. :func:`run_partition`, per group of sectors: build the trajectory candidates of its dwellings
   (:mod:`scenarios.candidates`, simulated by the core) and move them through the years
   (:mod:`scenarios.evolution`) for the central run and every Monte Carlo run.
3. :func:`run_scenario`: run the partitions in this process or as Dask tasks, put the sectors
   back in their global order and roll the aggregates up into indicators
   (:mod:`scenarios.indicators`).

Identical results on any partitioning: a dwelling's draws depend only on its key, its results
only on its own row, and each (run, sector) aggregate is summed in the same dwelling order by
one thread. The municipality is the sum of its sectors.

What the municipality decides happens as planned in every run: the klimaattafel invitations
(``invitations_per_year`` in each year of ``klimaattafels.years``, the first year of the horizon
included, to the same households in every run) and the collective programmes (their members and
years). What households decide is drawn per run: joining a programme, renovating, selling,
complying with the renovation obligation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scenarios.candidates import (
    Candidates,
    annual_cost_co2,
    build_candidates,
    cheapest_to_target,
    scheme_name,
)
from scenarios.catalogue import Catalogue
from scenarios.evolution import (
    FACTORS,
    QUANTITIES,
    EvolutionCandidates,
    EvolutionOutputs,
    EvolutionProgrammes,
    EvolutionRun,
    EvolutionStock,
    EvolutionTree,
    EvolutionYears,
    evolve_kernel,
)
from scenarios.policy import INCOME_CATEGORIES, Policy
from scenarios.scenario import Scenario
from sim.carriers import CARRIERS, ELECTRICITY
from sim.core import SystemParameters
from sim.labels import LABELS

Progress = Callable[[str], None]

#: Tenure classes of the uptake model.
TENURES: tuple[str, ...] = ("owner", "private_rent", "social_rent")
#: Attachment classes of the uptake model (twin column ``attachment``).
ATTACHMENTS: tuple[str, ...] = ("open", "halfopen", "gesloten", "apartment")
#: Twin columns a partition needs besides the core's input columns.
PARTITION_COLUMNS: tuple[str, ...] = (
    "dwelling_id",
    "building_id",
    "sector_id",
    "attachment",
    "construction_year",
)
#: Label index of A (A+ and A count as "label A").
LABEL_A: int = LABELS.index("A")

_STREAM_INCOME, _STREAM_TENURE, _STREAM_INVITATION_ORDER = 11, 12, 13
#: How long to try to reach a Dask scheduler given by address.
SCHEDULER_TIMEOUT_S: float = 20.0


class SchedulerUnavailable(RuntimeError):
    """The Dask scheduler at the given address cannot be reached (Dutch message)."""


def _noop(_: str) -> None:
    return None


@dataclass(frozen=True)
class StockInputs:
    """Per-dwelling inputs of the evolution, in global order (sector, then dwelling id).

    Attributes
    ----------
    frame : DataFrame
        Twin rows (no geometry) in that order.
    keys : ndarray of uint64
        Stable key per dwelling (hash of ``dwelling_id``).
    income : ndarray of str
        Premium category of Mijn VerbouwPremie (``scenarios.policy.INCOME_CATEGORIES``).
    tenure : ndarray of str
        ``owner`` | ``private_rent`` | ``social_rent``.
    base_rate : ndarray, shape (1, N) or (R, N)
        Annual probability of a voluntary renovation (before the run's uptake factor); one row
        for every run, or one per run where the construction years are drawn again per run
        (its age factor follows the run's year; row 0 is the twin's year).
    member : ndarray of bool, shape (N, P)
        Membership of the scenario's collective programmes.
    invite_year : ndarray of int64
        Year of the klimaattafel invitation, 0 for a dwelling never invited
        (:func:`invitation_years`).
    sector_ids : list of str
        Sectors in order; ``frame.sector_id`` is sorted along it.
    """

    frame: pd.DataFrame
    keys: NDArray[np.uint64]
    income: NDArray[np.object_]
    tenure: NDArray[np.object_]
    base_rate: NDArray[np.float64]
    member: NDArray[np.bool_]
    invite_year: NDArray[np.int64]
    sector_ids: list[str]

    def rows_of(self, sectors: Sequence[str]) -> NDArray[np.int64]:
        """Row positions of the dwellings of ``sectors``."""
        return np.flatnonzero(self.frame["sector_id"].isin(list(sectors)).to_numpy())


#: ``(frame, run) -> construction years`` of a Monte Carlo run (see :func:`prepare_stock`).
YearDraws = Callable[[pd.DataFrame, int], NDArray[np.float64]]


@dataclass
class PartitionResult:
    """What one partition returns (numbers only; picklable for Dask)."""

    sector_ids: list[str]
    aggregates: NDArray[np.float64]  # (R, Y, G, Q)
    dwellings: pd.DataFrame
    final_state: NDArray[np.int8]  # (R, N)


@dataclass
class ScenarioResult:
    """Result of :func:`run_scenario`.

    Attributes
    ----------
    years : ndarray of int
        Years of the horizon; indicators hold the state at the end of each year (the first year
        is the current state, before any renovation).
    sector_ids : list of str
    aggregates : ndarray, shape (R, Y, G, Q)
        Sums per run (0 = central), year, sector and quantity (``QUANTITIES``).
    dwellings : DataFrame
        One row per dwelling, central run (``docs/scenario_schema.md``, outputs).
    candidates : list of str
        Names of the trajectory candidates.
    factors : ndarray, shape (R, 5)
        The factors of each run (``FACTORS``).
    """

    years: NDArray[np.int64]
    sector_ids: list[str]
    aggregates: NDArray[np.float64]
    dwellings: pd.DataFrame
    candidates: list[str]
    factors: NDArray[np.float64]
    meta: dict[str, Any] = field(default_factory=dict)


def stable_keys(ids: pd.Series | Sequence[str]) -> NDArray[np.uint64]:
    """64-bit key per id, the same on every machine and Python process (SipHash with a fixed
    key, :func:`pandas.util.hash_array`)."""
    values = np.asarray(pd.Series(ids, dtype=object).astype(str).to_numpy(dtype=object))
    return pd.util.hash_array(values, categorize=False).astype(np.uint64)


def _draw_category(
    keys: NDArray[np.uint64], seed: int, stream: int, shares: dict[str, float], names: Sequence[str]
) -> NDArray[np.object_]:
    from scenarios.evolution import uniform_array

    u = uniform_array(np.uint64(seed), keys, stream)
    p = np.asarray([shares.get(x, 0.0) for x in names], dtype=np.float64)
    edges = np.cumsum(p) / p.sum()
    idx = np.minimum(np.searchsorted(edges, u, side="right"), len(names) - 1)
    return np.asarray(names, dtype=object)[idx]


def invitation_years(keys: NDArray[np.uint64], scenario: Scenario) -> NDArray[np.int64]:
    """Year in which each dwelling is invited to a klimaattafel (0: never), the municipality's plan.

    The municipality invites ``invitations_per_year`` households in every year of
    ``klimaattafels.years`` (the first year of the horizon included), each household once, until
    every dwelling is invited. Whom it invites is a fixed list, the same in every Monte Carlo
    run: the dwellings in the order of a hash of the seed and their key (a random-looking order
    with no preference for a type or label; ties, which a 64-bit hash makes unlikely, in the
    global dwelling order). So the number invited by the end of year ``y`` is
    ``min(n_dwellings, invitations_per_year * years_so_far)`` in every run.

    Parameters
    ----------
    keys : ndarray of uint64
        Stable dwelling keys in global order (:attr:`StockInputs.keys`).
    scenario : Scenario

    Returns
    -------
    ndarray of int64, shape (N,)

    Examples
    --------
    >>> from importlib import resources
    >>> from scenarios.scenario import load_scenario
    >>> s = load_scenario(str(resources.files("scenarios.data") / "scenario_lichtervelde.yaml"))
    >>> s.klimaattafels.invitations_per_year, s.klimaattafels.years.start, s.klimaattafels.years.end
    (30, 2025, 2030)
    >>> years = invitation_years(stable_keys([f"d{i}" for i in range(1000)]), s)
    >>> [int((years == y).sum()) for y in range(2024, 2032)]
    [0, 30, 30, 30, 30, 30, 30, 0]
    """
    from scenarios.evolution import uniform_array

    out = np.zeros(len(keys), dtype=np.int64)
    kt = scenario.klimaattafels
    if kt is None or kt.invitations_per_year == 0:
        return out
    u = uniform_array(
        np.uint64(scenario.seed), np.asarray(keys, dtype=np.uint64), _STREAM_INVITATION_ORDER
    )
    order = np.argsort(u, kind="stable")
    n = int(kt.invitations_per_year)
    for k, year in enumerate(range(kt.years.start, kt.years.end + 1)):
        out[order[k * n : (k + 1) * n]] = year
    return out


def prepare_stock(
    twin: pd.DataFrame,
    scenario: Scenario,
    policy: Policy,
    cluster_members: dict[int, NDArray[np.bool_]] | None = None,
    year_draws: YearDraws | None = None,
) -> StockInputs:
    """Global per-dwelling inputs of a scenario run (see the module docstring).

    ``policy`` gives the households' premium-category shares when the scenario has none.

    ``year_draws(frame, run)`` gives the construction years of the dwellings of ``frame`` as
    Monte Carlo run ``run`` draws them, where the twin's years are uncertain (drawn from the
    stock's periods, :func:`buildings.years.redraw_years`): the age factor of each run's
    renovation rate then follows that run's years. The candidates' physics (their labels and
    energy) keeps the twin's years in every run.

    ``cluster_members`` maps a programme index with ``clusters: N`` to a boolean array over
    ``twin`` rows (the dwellings of the N best clusters).
    """
    order = np.lexsort(
        (twin["dwelling_id"].astype(str).to_numpy(), twin["sector_id"].astype(str).to_numpy())
    )
    frame = pd.DataFrame(twin.drop(columns="geometry", errors="ignore")).iloc[order]
    frame = frame.reset_index(drop=True)
    keys = stable_keys(frame["dwelling_id"])
    seed = int(scenario.seed)
    up = scenario.uptake
    income = _draw_category(
        keys, seed, _STREAM_INCOME, scenario.income_shares(policy), INCOME_CATEGORIES
    )
    if "tenure" in frame:
        tenure = frame["tenure"].astype(str).to_numpy(dtype=object)
    else:
        tenure = _draw_category(keys, seed, _STREAM_TENURE, dict(up.tenure_shares), TENURES)
    attach = frame["attachment"].astype(str).to_numpy(dtype=object)
    rate = pd.Series(attach).map(dict(up.renovation_rate)).fillna(0.0).to_numpy(np.float64)
    rate = rate * pd.Series(tenure).map(dict(up.tenure_factor)).fillna(1.0).to_numpy(np.float64)

    def age_factor(year: NDArray[np.float64]) -> NDArray[np.float64]:
        age = np.ones(len(year))
        for band in reversed(up.age_factor):  # the tightest bound wins
            age = np.where(year < band.built_before, band.factor, age)
        return age

    year = frame["construction_year"].to_numpy(np.float64)
    runs = [year]
    if year_draws is not None:  # an uncertain year: each run its own draw (run 0: the twin's)
        runs += [year_draws(frame, r) for r in range(1, scenario.uncertainty.runs + 1)]
    base_rate = np.clip(rate[None, :] * np.stack([age_factor(y) for y in runs]), 0.0, 1.0)

    programmes = scenario.collective_programmes
    member = np.zeros((len(frame), len(programmes)), dtype=bool)
    sectors = frame["sector_id"].astype(str).to_numpy(dtype=object)
    for p, prog in enumerate(programmes):
        if prog.clusters is not None:
            if cluster_members is None or p not in cluster_members:
                raise ValueError(f"programme {prog.name}: cluster membership not given")
            member[:, p] = np.asarray(cluster_members[p])[order]
        elif prog.sectors == "all":
            member[:, p] = True
        else:
            member[:, p] = np.isin(sectors, list(prog.sectors or []))
    sector_ids = list(dict.fromkeys(sectors.tolist()))
    return StockInputs(
        frame=frame,
        keys=keys,
        income=income,
        tenure=tenure,
        base_rate=base_rate,
        member=member,
        invite_year=invitation_years(keys, scenario),
        sector_ids=sector_ids,
    )


def year_tables(
    scenario: Scenario, policy: Policy, system_params: SystemParameters | None = None
) -> dict[str, NDArray[Any]]:
    """Prices, CO2 factors and the renovation obligation per year of the horizon.

    ``obligation_target`` (Y, 2) is the minimum label of a deed in that year for [house,
    apartment] (-1: none); ``obliged`` (Y, 2, 7) says whether a deed of a dwelling with label
    index ``l`` is obliged (:meth:`scenarios.policy.Policy.obligation_applies`).
    """
    sp = SystemParameters.default() if system_params is None else system_params
    years = np.arange(scenario.horizon.start, scenario.horizon.end + 1, dtype=np.int64)
    mult = np.asarray(
        [
            float(scenario.prices.multiplier.get(c, 1.0)) if scenario.prices else 1.0
            for c in CARRIERS
        ]
    )
    price = np.empty((years.size, len(CARRIERS)))
    co2 = np.empty_like(price)
    for y, year in enumerate(years):
        tables = policy.carrier_tables(float(year))
        price[y] = np.asarray(tables.price_eur_kwh) * mult
        co2[y] = np.asarray(tables.co2_kg_kwh)
    kind = np.asarray([False, True])  # [house, apartment]
    target = policy.obligation_target(years[:, None], kind[None, :]).astype(np.int8)
    obliged = policy.obligation_applies(
        np.arange(len(LABELS))[None, None, :], years[:, None, None], kind[None, :, None]
    )
    return {
        "years": years,
        "price": price,
        "co2f": co2,
        "inject_price": np.full(years.size, sp.pv_injection_price_eur_kwh),
        "obligation_target": np.ascontiguousarray(target),
        "obliged": np.ascontiguousarray(obliged),
    }


def household_years(start: int, end: int, horizon_start: int) -> tuple[int, int]:
    """Years in which households can join a programme planned over ``start``-``end``.

    The first year of the horizon is the current state, in which households decide nothing; a
    programme planned from that year spreads its joining over its later years (and over the
    second year of the horizon if it was planned in the first year only), so that its
    participation is reached as planned.

    Examples
    --------
    >>> household_years(2026, 2030, 2025), household_years(2025, 2030, 2025)
    ((2026, 2030), (2026, 2030))
    >>> household_years(2025, 2025, 2025)
    (2026, 2026)
    """
    first = max(start, horizon_start + 1)
    return first, max(end, first)


def run_partition(
    frame: pd.DataFrame,
    keys: NDArray[np.uint64],
    income: NDArray[np.object_],
    base_rate: NDArray[np.float64],
    member: NDArray[np.bool_],
    invite_year: NDArray[np.int64],
    sector_ids: list[str],
    scenario: Scenario,
    catalogue: Catalogue,
    policy: Policy,
    threads: int | None = None,
) -> PartitionResult:
    """Candidates and evolution of the dwellings of some sectors (rows sorted by sector).

    ``invite_year`` is the year of each dwelling's klimaattafel invitation, planned over the
    whole stock (:func:`invitation_years`).
    """
    if threads is not None:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]
    start = scenario.horizon.start
    progs = scenario.collective_programmes
    discounts = sorted({p.discount for p in progs if p.discount is not None})
    cand = build_candidates(
        frame,
        scenario.candidates.orders,
        catalogue,
        policy,
        year=start,
        income_category=income,
        discounts=discounts,
    )
    schemes = list(cand.investment_eur)
    prog_scheme = np.asarray(
        [
            schemes.index(scheme_name(p.discount) if p.discount is not None else "collective")
            for p in progs
        ],
        dtype=np.int64,
    )
    tables = year_tables(scenario, policy)
    years = tables["years"]
    kt = scenario.klimaattafels
    uplift = 1.0 if kt is None else float(kt.uptake_factor)
    prog_years = np.asarray(
        [household_years(p.years.start, p.years.end, start) for p in progs], dtype=np.int64
    ).reshape(len(progs), 2)
    draws = scenario.parameter_draws()
    factors = np.ascontiguousarray(np.stack([draws[f] for f in FACTORS], axis=1), dtype=np.float64)
    # each run's cost level per measure, drawn from the catalogue's ranges (run 0: central)
    step_measure, measure_factor = measure_cost_levels(
        cand.packages, catalogue, scenario.uncertainty.runs, scenario.seed
    )
    out_years = np.asarray(
        sorted({int(y) - start for y in _output_years(scenario)}), dtype=np.int64
    )
    sector_codes = frame["sector_id"].astype(str).to_numpy(dtype=object)
    bounds = np.flatnonzero(np.r_[True, sector_codes[1:] != sector_codes[:-1]])
    sector_start = np.r_[bounds, len(frame)].astype(np.int64)
    part_sectors = [str(sector_codes[b]) for b in bounds]
    if part_sectors != list(sector_ids):
        raise ValueError("partition rows are not sorted by its sectors")
    n, r, g = len(frame), factors.shape[0], len(part_sectors)
    invest = np.ascontiguousarray(np.stack([cand.investment_eur[s] for s in schemes]))
    premium = np.ascontiguousarray(np.stack([cand.premium_eur[s] for s in schemes]))
    agg = np.zeros((r, years.size, g, len(QUANTITIES)))
    state_out = np.zeros((r, n, out_years.size), dtype=np.int8)
    first_year = np.zeros((r, n), dtype=np.int64)
    invest_out = np.zeros((r, n))
    premium_out = np.zeros((r, n))
    collective_out = np.zeros((r, n), dtype=np.int64)
    obligation_out = np.zeros((r, n), dtype=np.int64)
    sp = SystemParameters.default()
    ob = policy.renovation_obligation
    evolve_kernel(
        EvolutionStock(
            keys=np.ascontiguousarray(keys, dtype=np.uint64),
            sector_start=sector_start,
            base_rate=np.ascontiguousarray(base_rate, dtype=np.float64),
            is_apartment=np.ascontiguousarray(
                frame["attachment"].astype(str).to_numpy() == "apartment"
            ),
            member=np.ascontiguousarray(member, dtype=np.bool_).reshape(n, len(progs)),
            invite_year=np.ascontiguousarray(invite_year, dtype=np.int64),
        ),
        EvolutionCandidates(
            label=cand.label,
            score=cand.energy_score_kwh_m2,
            final=cand.expected_final_kwh,
            pv=cand.pv_kwh,
            primary=cand.primary_kwh,
            need=cand.heating_need_kwh,
            fossil_free=cand.fossil_free,
            cost_ref=cand.expected_cost_eur,
            invest=invest,
            premium=premium,
            applied=cand.applied,
        ),
        EvolutionTree(
            reachable=cand.reachable,
            depth=cand.depth,
            parent=cand.parent,
            step_measure=step_measure,
        ),
        EvolutionYears(
            years=years,
            price=tables["price"],
            co2f=tables["co2f"],
            inject_price=tables["inject_price"],
            obligation_target=tables["obligation_target"],
            obliged=tables["obliged"],
        ),
        EvolutionProgrammes(
            prog_start=np.ascontiguousarray(prog_years[:, 0]),
            prog_end=np.ascontiguousarray(prog_years[:, 1]),
            prog_participation=np.asarray([p.participation for p in progs], dtype=np.float64),
            prog_target=np.asarray([LABELS.index(p.target_label) for p in progs], dtype=np.int64),
            prog_fossil_free=np.asarray([p.fossil_free for p in progs], dtype=np.bool_),
            prog_scheme=prog_scheme,
        ),
        EvolutionRun(
            factors=factors,
            measure_factor=measure_factor,
            seed=np.uint64(scenario.seed),
            sale_rate=float(scenario.uptake.sale_rate),
            compliance=float(scenario.uptake.obligation_compliance),
            uplift=uplift,
            max_steps=int(scenario.uptake.measures_per_renovation),
            deadline_years=int(ob.deadline_years),
            lekp_from=int(policy.lekp.period.from_year),
            lekp_to=int(policy.lekp.period.to_year),
            electricity=ELECTRICITY,
            pv_self_share=float(sp.pv_self_consumption_share),
            out_years=out_years,
        ),
        EvolutionOutputs(
            agg=agg,
            state_out=state_out,
            first_year_out=first_year,
            invest_out=invest_out,
            premium_out=premium_out,
            collective_out=collective_out,
            obligation_out=obligation_out,
        ),
    )
    final_state = state_out[:, :, -1] if out_years.size else np.zeros((r, n), dtype=np.int8)
    table = _dwelling_table(
        frame,
        cand,
        state_out[0],
        out_years + start,
        first_year[0],
        invest_out[0],
        premium_out[0],
        collective_out[0],
        obligation_out[0],
        final_state,
        income,
        tables,
        factors[0],
    )
    return PartitionResult(
        sector_ids=part_sectors, aggregates=agg, dwellings=table, final_state=final_state
    )


def _output_years(scenario: Scenario) -> list[int]:
    years = list(scenario.output.years) if scenario.output is not None else []
    return sorted({*years, scenario.horizon.end})


def _dwelling_table(
    frame: pd.DataFrame,
    cand: Candidates,
    state: NDArray[np.int8],
    out_years: NDArray[np.int64],
    first_year: NDArray[np.int64],
    invest: NDArray[np.float64],
    premium: NDArray[np.float64],
    collective: NDArray[np.int64],
    obligation: NDArray[np.int64],
    final_state: NDArray[np.int8],
    income: NDArray[np.object_],
    tables: dict[str, NDArray[Any]],
    central: NDArray[np.float64],
) -> pd.DataFrame:
    """Per-dwelling results of the central run (CO2 of a year with that year's factors and the
    central run's CO2 factor of electricity)."""
    rows = np.arange(len(frame))
    labels = np.asarray(LABELS, dtype=object)
    keep = [
        c
        for c in (
            "dwelling_id",
            "building_id",
            "address_id",
            "street",
            "house_number",
            "box_number",
            "postcode",
            "sector_id",
            "attachment",
            "construction_year",
            "floor_area_m2",
        )
        if c in frame
    ]
    out = frame[keep].reset_index(drop=True).copy()
    out["income_category"] = income
    out["label_now"] = labels[cand.label[:, 0]]
    out["energy_score_now_kwh_m2"] = cand.energy_score_kwh_m2[:, 0]
    # CO2 and energy cost: the expected actual use (sim.expected_use); labels: the EPC method
    out["co2_now_kg"] = cand.expected_co2_kg[:, 0]
    out["energy_cost_now_eur"] = cand.expected_cost_eur[:, 0]
    for o, year in enumerate(out_years):
        s = state[:, o].astype(np.int64)
        out[f"label_{year}"] = labels[cand.label[rows, s]]
        out[f"measures_{year}"] = cand.done(s)
        y = int(np.flatnonzero(tables["years"] == year)[0])
        co2f = tables["co2f"][y].copy()
        if y > 0:  # the first year's factor is known (scenarios.evolution)
            co2f[ELECTRICITY] *= central[FACTORS.index("co2_electricity_factor")]
        _, co2 = annual_cost_co2(
            cand.expected_final_kwh[rows, s], cand.pv_kwh[rows, s], tables["price"][y], co2f
        )
        out[f"co2_{year}_kg"] = co2
    years = {
        "first_renovation_year": first_year,
        "collective_year": collective,
        "obligation_year": obligation,
    }
    for name, v in years.items():
        out[name] = pd.array(np.where(v > 0, v, 0), dtype="Int64")
        out.loc[v == 0, name] = pd.NA
    out["investment_eur"] = invest
    out["premium_eur"] = premium
    # share of the Monte Carlo runs (central run only when there are none) reaching label A
    sampled = final_state[1:] if final_state.shape[0] > 1 else final_state
    reach = np.zeros(len(frame))
    for r in range(sampled.shape[0]):  # a loop over runs, vectorised over dwellings
        reach += cand.label[rows, sampled[r].astype(np.int64)] <= LABEL_A
    out["p_label_a_end"] = reach / sampled.shape[0]
    # the optimiser: cheapest trajectory to label A from the current state (individual prices)
    best = cheapest_to_target(cand, LABEL_A)
    net = cand.net_cost("individual")
    out["to_label_a_measures"] = cand.done(best)
    out["to_label_a_net_cost_eur"] = np.where(best >= 0, net[rows, np.maximum(best, 0)], np.nan)
    out["to_label_a_reachable"] = best >= 0
    # ... and to the renovation obligation's label, were the dwelling sold in the second year of
    # the horizon (the first in which sales happen): only where that sale would be obliged
    # (a label worse than the minimum of that year)
    y1 = min(1, len(tables["years"]) - 1)
    kind = (frame["attachment"].astype(str) == "apartment").to_numpy().astype(np.int64)
    target = tables["obligation_target"][y1, kind]
    applies = tables["obliged"][y1, kind, cand.label[:, 0]]
    to_obligation = np.where(applies, cheapest_to_target(cand, np.maximum(target, 0)), -1)
    out["obligation_target_label"] = np.where(applies, labels[np.maximum(target, 0)], "")
    out["to_obligation_measures"] = np.where(to_obligation >= 0, cand.done(to_obligation), "")
    out["to_obligation_net_cost_eur"] = np.where(
        to_obligation >= 0, net[rows, np.maximum(to_obligation, 0)], np.nan
    )
    return out


def partitions(stock: StockInputs, max_dwellings: int) -> list[list[str]]:
    """Consecutive groups of whole sectors with at most ``max_dwellings`` dwellings each
    (a sector larger than that is a partition of its own)."""
    counts = stock.frame["sector_id"].astype(str).value_counts(sort=False)
    groups: list[list[str]] = []
    current: list[str] = []
    size = 0
    for sector in stock.sector_ids:
        c = int(counts[sector])
        if current and size + c > max_dwellings:
            groups.append(current)
            current, size = [], 0
        current.append(sector)
        size += c
    if current:
        groups.append(current)
    return groups


def _partition_args(stock: StockInputs, sectors: list[str]) -> tuple[Any, ...]:
    rows = stock.rows_of(sectors)
    return (
        stock.frame.iloc[rows].reset_index(drop=True),
        stock.keys[rows],
        stock.income[rows],
        stock.base_rate[:, rows],
        stock.member[rows],
        stock.invite_year[rows],
        sectors,
    )


def run_scenario(
    scenario: Scenario,
    twin: pd.DataFrame,
    catalogue: Catalogue,
    policy: Policy,
    *,
    cluster_members: dict[int, NDArray[np.bool_]] | None = None,
    scheduler: str | None = None,
    partition_dwellings: int = 250_000,
    progress: Progress | None = None,
    year_draws: YearDraws | None = None,
) -> ScenarioResult:
    """Simulate the stock of ``twin`` under ``scenario`` for every year of its horizon.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`scenarios.scenario.load_scenario`), already checked
        against the twin (:func:`scenarios.scenario.check_scenario`).
    twin : DataFrame
        Twin rows (``docs/twin_schema.md``).
    catalogue, policy : Catalogue, Policy
    cluster_members : dict, optional
        Per programme index with ``clusters: N``, the member dwellings (bool over ``twin`` rows).
    scheduler : str, optional
        ``None``: in this process. ``"local"``: a Dask ``LocalCluster`` of worker processes on
        this machine. ``"tcp://HOST:PORT"``: an existing Dask scheduler. The results are the
        same in every case.
    partition_dwellings : int
        Dwellings per partition (whole sectors): bounds the memory of one task.
    progress : callable, optional
        Called with a short Dutch description of each stage.
    year_draws : callable, optional
        The construction years of each Monte Carlo run, where the twin's are uncertain
        (:func:`prepare_stock`).
    """
    step = progress or _noop
    step("woningen voorbereiden")
    stock = prepare_stock(twin, scenario, policy, cluster_members, year_draws)
    groups = partitions(stock, partition_dwellings)
    common = (scenario, catalogue, policy)
    results: list[PartitionResult] = []
    if scheduler is None:
        for i, sectors in enumerate(groups):
            step(f"deel {i + 1}/{len(groups)} doorrekenen")
            results.append(run_partition(*_partition_args(stock, sectors), *common))  # type: ignore[call-arg]
    else:
        results = _run_on_dask(stock, groups, common, scheduler, step)
    step("indicatoren samenstellen")
    return ScenarioResult(
        years=np.arange(scenario.horizon.start, scenario.horizon.end + 1, dtype=np.int64),
        sector_ids=[s for r in results for s in r.sector_ids],
        aggregates=np.concatenate([r.aggregates for r in results], axis=2),
        dwellings=_categorical_measures(
            pd.concat([r.dwellings for r in results], ignore_index=True)
        ),
        candidates=["", *("+".join(p) for p in scenario.candidates.packages())],
        factors=np.stack([scenario.parameter_draws()[f] for f in FACTORS], axis=1),
        meta={"partitions": len(groups), "scheduler": scheduler or "proces"},
    )


def measure_cost_levels(
    packages: Sequence[tuple[str, ...]], catalogue: Catalogue, runs: int, seed: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The measure each candidate adds and each measure's cost level per run.

    Returns
    -------
    step_measure : ndarray of int64, shape (K,)
        Column in ``measure_factor`` of the last measure of each candidate (0 for the root).
    measure_factor : ndarray, shape (R + 1, max(M, 1))
        :meth:`Catalogue.cost_factors` of the M measures of the candidates, in catalogue order;
        the same on every partition because it depends only on the seed and the measures.
    """
    measures = catalogue.sorted_ids(m for p in packages for m in p)
    col = {m: j for j, m in enumerate(measures)}
    step = np.asarray([col[p[-1]] if p else 0 for p in packages], dtype=np.int64)
    if not measures:
        return step, np.ones((int(runs) + 1, 1), dtype=np.float64)
    levels = catalogue.cost_factors(measures, int(runs), int(seed))
    return step, np.ascontiguousarray(levels, dtype=np.float64)


def _categorical_measures(table: pd.DataFrame) -> pd.DataFrame:
    """Measure lists as categoricals with sorted categories (the same on any partitioning)."""
    for col in table.columns:
        if str(col).startswith("measures_") or col in (
            "to_label_a_measures",
            "to_obligation_measures",
            "obligation_target_label",
        ):
            values = table[col].astype(str)
            table[col] = pd.Categorical(values, categories=sorted(values.unique()))
    return table


def _run_packed(rows: tuple[Any, ...], *common: Any, threads: int | None = None) -> PartitionResult:
    """:func:`run_partition` on the packed per-partition arguments (a Dask task)."""
    return run_partition(*rows, *common, threads=threads)  # type: ignore[misc]


def _run_on_dask(
    stock: StockInputs,
    groups: list[list[str]],
    common: tuple[Any, ...],
    scheduler: str,
    step: Progress,
) -> list[PartitionResult]:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S}s")
        except (OSError, TimeoutError) as exc:
            raise SchedulerUnavailable(
                f"de Dask-scheduler {scheduler} is niet bereikbaar ({exc}); start hem (dask "
                "scheduler) of laat --scheduler weg om in dit proces te rekenen"
            ) from exc
    try:
        shared = client.scatter(list(common), broadcast=True)
        futures = []
        for sectors in groups:
            # the partition's rows go straight to a worker (not through the task graph)
            [rows] = client.scatter([_partition_args(stock, sectors)])
            futures.append(client.submit(_run_packed, rows, *shared, threads=1, pure=False))
        for done, _ in enumerate(as_completed(futures), start=1):
            step(f"deel {done}/{len(groups)} doorgerekend op Dask")
        return list(client.gather(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
