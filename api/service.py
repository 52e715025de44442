"""Service functions behind the HTTP API: address search, dwelling card, trajectory, maps.

The routes (:mod:`api.http.routes`) stay thin; everything here works on a :class:`ServiceState` loaded
once at start-up (the twin of one or more municipalities, the catalogue and the policy, the
current state of every dwelling, the neighbourhood polygons and the collective-renovation
clusters). Nothing here is personal data: the twin describes buildings and public addresses;
what a resident tells a facilitator lives in the dossiers (:mod:`api.db`).
"""

from __future__ import annotations

import bisect
import gc
import itertools
import json
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import geopandas as gpd
import numba
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from api.formatting import nl_number
from buildings import uncertainty
from buildings.sectors import sector_outlines
from scenarios.catalogue import Catalogue, Table, load_catalogue
from scenarios.household import (
    OVERRIDABLE,
    HouseholdPlans,
    apply_overrides,
    heat_pump_too_hot_nl,
    household_plan,
    household_plans,
    question_problems,
)
from scenarios.policy import DEFAULT_INCOME_CATEGORY, Policy, load_policy
from sim.carriers import CARRIERS
from sim.core import HeatPumpTooHot, simulate
from sim.labels import current_labels
from sim.reference_data import load_table
from sim.stock import DWELLING_COLUMNS, DwellingArrays

#: Dwelling cards kept per worker process (as JSON text of about 1.5 kB each).
CARD_CACHE_SIZE: int = 20_000


def normalise(text: str) -> str:
    """Lower case, accents removed, one space between words (for address matching).

    Examples
    --------
    >>> normalise("  Sint-Jozefsstraat  12 BUS 3 ")
    'sint-jozefsstraat 12 bus 3'
    """
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().replace(",", " ").split())


class AddressIndex:
    """Prefix search over "street number[ bus box] postcode" of every dwelling (sorted keys)."""

    def __init__(self, twin: pd.DataFrame) -> None:
        box = twin["box_number"].astype(object)
        has_box = box.notna() & (box.astype(str) != "")
        label = (
            twin["street"].astype(str)
            + " "
            + twin["house_number"].astype(str)
            + np.where(has_box, " bus " + box.astype(str), "")
            + ", "
            + twin["postcode"].astype(str)
        )
        keys = np.asarray([normalise(x) for x in label], dtype=object)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.labels = label.to_numpy(dtype=object)[order]
        self.dwelling_ids = twin["dwelling_id"].astype(str).to_numpy(dtype=object)[order]
        self.address_ids = twin["address_id"].astype(str).to_numpy(dtype=object)[order]
        # for the fall-back search and the card: plain Python strings and a dict
        self._key_list: list[str] = [str(k) for k in self.keys]
        self._joined = "\n".join(self._key_list)
        self._starts: list[int] = list(
            itertools.accumulate((len(k) + 1 for k in self._key_list), initial=0)
        )
        self._row_of: dict[str, int] = {}
        for r, d in enumerate(self.dwelling_ids):
            self._row_of.setdefault(str(d), r)

    def search(self, query: str, limit: int = 10) -> list[dict[str, str]]:
        """Addresses whose "street number ..." starts with ``query`` (case and accents ignored).

        A query without a match as prefix falls back to addresses containing every word of it.
        """
        q = normalise(query)
        if not q:
            return []
        lo = int(np.searchsorted(self.keys, q, side="left"))
        hi = int(np.searchsorted(self.keys, q + "\x7f", side="left"))
        rows: Sequence[int] = range(lo, min(hi, lo + limit))
        if lo == hi:
            rows = self._containing(q.split(), limit)
        return [
            {
                "dwelling_id": str(self.dwelling_ids[r]),
                "address_id": str(self.address_ids[r]),
                "address": str(self.labels[r]),
            }
            for r in rows
        ]

    def _containing(self, words: list[str], limit: int) -> list[int]:
        """The first ``limit`` rows (in key order) whose key contains every word.

        ``str.find`` over all keys joined by newlines (no key holds one: :func:`normalise`
        splits on white space) walks the occurrences of the longest word in C; only the keys
        it hits are checked for the other words, and the walk stops at ``limit`` rows.
        """
        longest = max(words, key=len)
        others = [w for w in words if w is not longest]
        rows: list[int] = []
        text, starts, keys = self._joined, self._starts, self._key_list
        at = text.find(longest)
        while at >= 0 and len(rows) < limit:
            r = bisect.bisect_right(starts, at) - 1
            if all(w in keys[r] for w in others):
                rows.append(r)
            at = text.find(longest, starts[r + 1])  # the next key (a sentinel ends the list)
        return rows

    def label_of(self, dwelling_id: str) -> str:
        """The address label of a dwelling (the first one in key order)."""
        return str(self.labels[self._row_of[dwelling_id]])


@dataclass
class ServiceState:
    """What the service holds in memory."""

    twin: gpd.GeoDataFrame  # indexed by dwelling_id
    table: pd.DataFrame  # the same rows without geometry
    catalogue: Catalogue
    policy: Policy
    index: AddressIndex
    current: pd.DataFrame  # current state per dwelling (need, label, CO2, cost)
    sectors: gpd.GeoDataFrame  # EPSG:4326, per sector: polygon and current-state indicators
    year: int = 2025
    # cards already computed (they depend only on the dwelling), bounded: see dwelling_card
    card_cache: dict[tuple[str, int], str] = field(default_factory=dict)
    # the plan of every dwelling on its own route, per premium category, computed at start-up
    # (vectorised over the twin): a question without corrections is then a lookup
    plans: HouseholdPlans | None = None
    # the table's columns as plain arrays, and each dwelling's row in them: a corrected plan
    # reads its dwelling from these (a DataFrame row costs a millisecond to take)
    columns: dict[str, NDArray[Any]] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)

    @property
    def municipalities(self) -> list[str]:
        """NIS codes of the municipalities in the twin."""
        return sorted(self.twin["municipality_nis"].astype(str).unique())


class NotFound(LookupError):
    """An id the twin does not hold (Dutch message)."""


def load_state(
    twin: gpd.GeoDataFrame,
    sectors: gpd.GeoDataFrame | None = None,
    year: int = 2025,
    policy: Policy | None = None,
) -> ServiceState:
    """Prepare the service for a twin: index, current state of every dwelling, sector map.

    ``policy`` is the policy of everything the service shows (prices, premiums, the LEKP goals
    and the long-term goal); default the shipped one. With scenario results it must be the
    policy of the run (:attr:`scenarios.results.ScenarioResults.policy`).

    Notes
    -----
    The state lives as long as the process. Its hundreds of thousands of Python objects (the
    twin's object columns, pandas and geopandas internals) are moved out of the cyclic garbage
    collector's reach (:func:`gc.freeze`): otherwise every full collection under load walks
    them all, which was measured at 50-190 ms per collection, dozens of times a minute, and made
    the service's p90/p99 latency (``wijk serve-bench``).
    """
    twin = twin.copy()
    twin["dwelling_id"] = twin["dwelling_id"].astype(str)
    twin = twin.set_index("dwelling_id", drop=False)
    twin.index.name = None  # the column stays; an unnamed index avoids ambiguity
    catalogue = load_catalogue()
    policy = load_policy() if policy is None else policy
    arrays = DwellingArrays.from_frame(twin[list(DWELLING_COLUMNS)], what="tweeling")
    res = simulate(arrays, None, carriers=policy.carrier_tables(year))
    current = pd.DataFrame(
        {
            "heating_need_kwh": res.heating_need_kwh[:, 0],
            "energy_score_kwh_m2": res.energy_score_kwh_m2[:, 0],
            # a registered EPC is the current label ("gekend EPC")
            "label": current_labels(
                res.label[:, 0],
                twin["epc_label_registered"]
                .astype(object)
                .where(twin["epc_label_registered"].notna(), None)
                if "epc_label_registered" in twin
                else np.full(len(twin), None, dtype=object),
            ),
            # what the household emits and pays: the expected actual use
            "co2_kg": res.expected_co2_kg[:, 0],
            "energy_cost_eur": res.expected_cost_eur[:, 0],
        },
        index=twin.index,
    )
    table = pd.DataFrame(twin.drop(columns="geometry"))
    state = ServiceState(
        plans=household_plans(table, catalogue, policy, year),
        columns={str(c): table[c].to_numpy() for c in table.columns},
        position={str(d): i for i, d in enumerate(table["dwelling_id"].astype(str))},
        twin=twin,
        table=table,
        catalogue=catalogue,
        policy=policy,
        index=AddressIndex(twin),
        current=current,
        sectors=_sector_map(twin, current, sectors),
        year=year,
    )
    gc.collect()
    gc.freeze()
    return state


def _sector_map(
    twin: gpd.GeoDataFrame, current: pd.DataFrame, polygons: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """Per sector: current-state indicators and the polygon (given, else the convex hull of its
    buildings; ``outline_source`` says which, :func:`buildings.sectors.sector_outlines`)."""
    frame = pd.DataFrame(
        {
            "sector_id": twin["sector_id"].astype(str).to_numpy(),
            "sector_name": twin["sector_name"].astype(str).to_numpy()
            if "sector_name" in twin
            else twin["sector_id"].astype(str).to_numpy(),
            "label": current["label"].to_numpy(),
            "co2_kg": current["co2_kg"].to_numpy(),
            "score": current["energy_score_kwh_m2"].to_numpy(),
        }
    )
    g = frame.groupby("sector_id", sort=True)
    stats = pd.DataFrame(
        {
            "sector_name": g["sector_name"].first(),
            "dwellings": g.size(),
            "share_label_a_or_better": g["label"].apply(lambda s: s.isin(["A+", "A"]).mean()),
            "share_label_e_or_f": g["label"].apply(lambda s: s.isin(["E", "F"]).mean()),
            "co2_per_dwelling_kg": g["co2_kg"].mean(),
            "mean_energy_score_kwh_m2": g["score"].mean(),
        }
    ).reset_index()
    # sector ids as the stats have them ("<NA>" for dwellings outside every sector: a hull)
    plain = twin[["sector_id", "geometry"]].assign(sector_id=twin["sector_id"].astype(str))
    outlines = sector_outlines(plain, polygons)[["sector_id", "outline_source", "geometry"]]
    out = stats.merge(outlines, on="sector_id", how="left")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=outlines.crs).to_crs(4326)


# ---------------------------------------------------------------------- the dwelling card
def _row(state: ServiceState, dwelling_id: str) -> pd.DataFrame:
    """The dwelling's twin row as a plain DataFrame (no geometry: faster to compute with)."""
    if dwelling_id not in state.twin.index:
        raise NotFound(f"woning '{dwelling_id}' staat niet in de tweeling")
    return state.table.loc[[dwelling_id]]


def _record(state: ServiceState, dwelling_id: str) -> dict[str, NDArray[Any]]:
    """The dwelling's twin row as plain arrays of length one (a table, see
    :data:`scenarios.catalogue.Table`)."""
    i = state.position.get(dwelling_id)
    if i is None:
        raise NotFound(f"woning '{dwelling_id}' staat niet in de tweeling")
    return {c: v[i : i + 1] for c, v in state.columns.items()}


def _clean(value: Any) -> Any:
    """JSON-friendly scalar: NaN/NA -> None, numpy -> Python."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value


def dwelling_card(state: ServiceState, dwelling_id: str, samples: int = 200) -> dict[str, Any]:
    """Known facts with their provenance and the estimated current state with the uncertainty
    of its label.

    The label's uncertainty: the dwelling is simulated ``samples`` times with the inputs that
    are estimated (not known facts) drawn around their estimate -- the spreads of
    ``sim/data/estimate_spread.csv`` (project assumptions: U-values ±25 % where they come from
    the archetype, infiltration ±30 %, set-point ±1.5 °C) -- and the share of draws per label
    is reported. A dwelling whose construction year was drawn from the stock's periods
    (``construction_year_source`` = ``drawn``, :mod:`buildings.years`) draws its period too:
    its year-dependent inputs follow the drawn period's archetype
    (:func:`buildings.years.redraw_factors`). The draws are seeded by the dwelling id (same
    card, same answer).

    A card depends only on the dwelling: it is computed once per worker and kept (at most
    :data:`CARD_CACHE_SIZE` cards, the oldest dropped first); every call gets its own copy.
    """
    key = (dwelling_id, samples)
    text = state.card_cache.get(key)
    if text is None:
        # kept as JSON text: a copy per call for free, and strings are nothing the garbage
        # collector has to walk (thousands of cached dicts would make its full collections slow)
        text = json.dumps(_dwelling_card(state, dwelling_id, samples))
        while len(state.card_cache) >= CARD_CACHE_SIZE:
            state.card_cache.pop(next(iter(state.card_cache)), None)
        state.card_cache[key] = text
    return dict(json.loads(text))


def one_thread() -> None:
    """Let the core run on the calling thread alone.

    One request is one dwelling: its few hundred states take the core a fraction of a
    millisecond, less than waking a team of threads for them costs (twice the CPU, measured);
    and under load the worker processes already keep every core busy. The setting is per
    thread (numba's), so every thread that computes a request calls this first.
    """
    if numba.get_num_threads() != 1:
        numba.set_num_threads(1)


def _dwelling_card(state: ServiceState, dwelling_id: str, samples: int) -> dict[str, Any]:
    """The card of :func:`dwelling_card`, computed."""
    one_thread()
    row = _row(state, dwelling_id)
    r = row.iloc[0]
    facts = {
        "address": state.index.label_of(dwelling_id),
        "dwelling_id": dwelling_id,
        "building_id": str(r["building_id"]),
        "municipality": _clean(r.get("municipality")),
        "municipality_nis": str(r["municipality_nis"]),
        "sector_id": str(r["sector_id"]),
        "sector_name": _clean(r.get("sector_name")),
        "attachment": str(r["attachment"]),
        "storeys": _clean(r["storeys"]),
        "dwellings_in_building": _clean(r["n_dwellings_in_building"]),
    }
    provenance = {
        "construction_year": (r["construction_year"], r.get("construction_year_source")),
        "floor_area_m2": (r["floor_area_m2"], r.get("floor_area_source")),
        "u_roof_w_m2k": (r["u_roof_w_m2k"], r.get("u_roof_w_m2k_source")),
        "u_wall_w_m2k": (r["u_wall_w_m2k"], r.get("u_wall_w_m2k_source")),
        "u_floor_w_m2k": (r["u_floor_w_m2k"], r.get("u_floor_w_m2k_source")),
        "u_window_w_m2k": (r["u_window_w_m2k"], r.get("u_window_w_m2k_source")),
        "heating_system": (r["heating_system"], r.get("heating_system_source")),
        "storeys": (r["storeys"], r.get("storeys_source")),
    }
    known = {
        k: {"value": _clean(v), "source": _clean(s) or "archetype"}
        for k, (v, s) in provenance.items()
    }
    for k in ("epc_label", "epc_score_kwh_m2", "gas_kwh", "electricity_kwh"):
        value = _clean(r.get(k))
        if value is not None:
            known[k] = {"value": value, "source": "facts"}
    cur = state.current.loc[dwelling_id].to_dict()
    probs = label_probabilities(state, row, samples)
    return {
        **facts,
        "facts": known,
        "heating_system_nl": _system_name(int(r["heating_system"])),
        "current": {
            "heating_need_kwh": float(cur["heating_need_kwh"]),
            "energy_score_kwh_m2": float(cur["energy_score_kwh_m2"]),
            "label": str(cur["label"]),
            "label_probabilities": probs,
            "co2_kg": float(cur["co2_kg"]),
            "energy_cost_eur": float(cur["energy_cost_eur"]),
        },
    }


def _system_name(code: int) -> str:
    from sim.systems import default_system_tables

    return default_system_tables().labels_nl[code]


def label_probabilities(
    state: ServiceState, row: pd.DataFrame, samples: int = 200
) -> dict[str, float]:
    """Share of ``samples`` draws of the estimated inputs per label
    (:func:`buildings.uncertainty.label_probabilities`, at the service's prices)."""
    return uncertainty.label_probabilities(
        row.iloc[0], state.policy.carrier_tables(state.year), samples
    )


# ---------------------------------------------------------------------- trajectories
def _carrier_nl(carrier: str) -> str:
    return _carrier_names_nl().get(carrier, carrier)


@cache
def _carrier_names_nl() -> dict[str, str]:
    """The carriers' Dutch names (``sim/data/energy_carriers.csv``), read once."""
    table = load_table("energy_carriers.csv")
    return {str(k): str(v) for k, v in zip(table["name"], table["label_nl"], strict=True)}


def calibrate_use(
    state: ServiceState, row: Table, measured: dict[str, float]
) -> tuple[Table, dict[str, Any]]:
    """Set the household's ``use_factor`` from its measured annual use, by the twin's rule
    (:func:`buildings.calibration.measured_use_factor`).

    The measured use calibrates the *expected* use (what the household burns and pays), never
    the EPC method: the score and label keep the standard conditions. Returns the dwelling and
    a note: the factor found, or why the measured use was not used (a carrier the dwelling does
    not heat with, or a factor outside the accepted range, then clipped).
    """
    from buildings.calibration import household_use_factor

    arrays = DwellingArrays.from_mapping(row, what="woning")
    values = np.full((1, len(CARRIERS)), np.nan)
    for carrier, kwh in measured.items():
        values[0, CARRIERS.index(carrier)] = kwh
    res, (factor, source, raw, used) = household_use_factor(arrays, values)
    expected = res.expected_final_kwh[:, 0, :]
    c = int(used[0]) if used[0] >= 0 else CARRIERS.index(next(iter(measured)))
    carrier = CARRIERS[c]
    note: dict[str, Any] = {
        "carrier": carrier,
        "measured_kwh": float(measured[carrier]),
        "estimated_kwh": float(expected[0, c]),
    }
    if used[0] < 0:
        note["calibrated"] = False
        names = ", ".join(_carrier_nl(k).lower() for k in measured)
        note["reason_nl"] = f"de woning gebruikt volgens de schatting geen {names} voor verwarming"
        return row, note
    if str(source[0]).endswith("_clipped"):
        note["calibrated"] = False
        note["reason_nl"] = (
            f"het gemeten verbruik is {nl_number(float(raw[0]), 2)} keer het verwachte verbruik "
            f"({nl_number(float(expected[0, c]))} kWh); dat past niet bij deze woning. Controleer "
            "het verbruik of de kenmerken van de woning"
        )
        return row, note
    note.update({"calibrated": True, "use_factor": round(float(factor[0]), 3)})
    return {**row, "use_factor": np.full(1, float(factor[0]))}, note


def is_lookup(
    overrides: dict[str, float] | None = None,
    measured: dict[str, float] | None = None,
    order: Sequence[str] | None = None,
    **_: Any,
) -> bool:
    """Whether :func:`trajectory` answers this question from the plans computed at start-up."""
    return not overrides and not measured and not order


def trajectory(
    state: ServiceState,
    dwelling_id: str,
    overrides: dict[str, float] | None = None,
    measured: dict[str, float] | None = None,
    order: Sequence[str] | None = None,
    target_label: str = "A",
    budget_eur: float | None = None,
    income_category: str = DEFAULT_INCOME_CATEGORY,
) -> dict[str, Any]:
    """The household plan of one dwelling after the resident's corrections
    (:func:`scenarios.household.household_plan`: the stappenplan, the cheapest combination to
    ``target_label`` and, with a budget, the lowest CO2 within it), with the calibration note.

    ``measured`` maps a carrier (``natural_gas``, ``heating_oil``, ``electricity``, ...) to a
    measured annual use [kWh]; the first one the dwelling heats with sets the household's
    expected-use factor (:func:`calibrate_use`), so every step's energy bill and CO2 are those
    of the household as it lives; the labels stay the EPC method's.

    A question without corrections on the dwelling's own route is answered from the plans
    computed at start-up (:func:`scenarios.household.household_plans`): the same function, for
    every dwelling at once.
    """
    row: Table = _record(state, dwelling_id)  # raises NotFound
    problems = question_problems(state.catalogue, order, target_label, income_category, budget_eur)
    for carrier in measured or {}:
        if carrier not in CARRIERS:
            problems.add(
                f"measured.{carrier}", f"onbekende energiedrager; kies uit {list(CARRIERS)}"
            )
    problems.raise_if_any()
    if is_lookup(overrides, measured, order) and state.plans is not None:
        answer = state.plans.answer(dwelling_id, income_category, target_label, budget_eur)
        answer["calibration"] = None
        return answer
    one_thread()
    row = apply_overrides(row, overrides or {})
    calibration = None
    if measured:
        try:
            row, calibration = calibrate_use(state, row, {k: float(v) for k, v in measured.items()})
        except HeatPumpTooHot as exc:  # (the plan says the same of the corrected dwelling)
            raise heat_pump_too_hot_nl(exc) from None
    answer = household_plan(
        row,
        state.catalogue,
        state.policy,
        state.year,
        order=order,
        income_category=income_category,
        target_label=target_label,
        budget_eur=budget_eur,
    )
    answer["dwelling_id"] = dwelling_id
    answer["calibration"] = calibration
    return answer


def sectors_geojson(state: ServiceState) -> dict[str, Any]:
    """The neighbourhoods with their current-state indicators, as GeoJSON (EPSG:4326)."""
    return _geojson(state.sectors)


def clusters_geojson(state: ServiceState) -> dict[str, Any]:
    """The collective-renovation clusters of the twin, ranked, as GeoJSON (EPSG:4326)."""
    from scenarios.clusters import find_clusters

    twin = state.twin.reset_index(drop=True)
    found = find_clusters(twin, state.catalogue, state.policy, year=state.year)
    return _geojson(found.clusters.sort_values("rank").to_crs(4326))


def _geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    return dict(json.loads(frame.to_json(na="null", drop_id=True)))


__all__ = [
    "OVERRIDABLE",
    "AddressIndex",
    "NotFound",
    "ServiceState",
    "apply_overrides",
    "calibrate_use",
    "clusters_geojson",
    "dwelling_card",
    "is_lookup",
    "label_probabilities",
    "load_state",
    "normalise",
    "sectors_geojson",
    "trajectory",
]
