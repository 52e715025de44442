"""Levelised cost of heat (LCOH) per zone and strategy, its Monte Carlo, and the advice.

For every zone (a statistical sector, a 100 m grid cell, a street segment) and four strategies
the yearly cost of heating the zone's dwellings is divided by the heat they take:

``network``
    A heat network. Distribution capital cost after Persson & Werner (2011): the annualised
    investment in pipes per unit of heat sold,

    .. math:: C_d = \\frac{a\\,(C_1 + C_2\\,d_a)}{e\\,q\\,w} = \\frac{a\\,(C_1 + C_2\\,d_a)}{Q_s/L}
              \\quad [EUR/GJ]

    with plot ratio :math:`e` (building floor area / land area), specific heat demand :math:`q`
    [GJ/m² floor], effective width :math:`w` (land area / trench length) [m], so that
    :math:`e\\,q\\,w = Q_s/L` is the linear heat density [GJ/m]; average pipe diameter
    :math:`d_a = 0.0486\\,\\ln(Q_s/L) + 0.0007` [m] (at least 0.02 m); annuity factor :math:`a`;
    construction cost constant :math:`C_1` [EUR/m] and coefficient :math:`C_2` [EUR/m²] of
    inner-city, outer-city and park areas. The trench length is the zone's street length when
    it is given (street segments), otherwise land area / :math:`w(e)` with the effective width of
    Persson et al. (2019) on hectare cells, :math:`w = 137.5\\,e + 5` for :math:`e \\le 0.4`,
    60 m above -- the 2019 relation rather than the 2011 one because it was fitted on hectare
    cells, the size of this tool's grid zones, and it is the one Hotmaps implements. Only the
    connection rate's share of the zone's heat is sold, so :math:`Q_s` = rate × demand. Plus the
    connection of each connected dwelling (the catalogue's ``heat_network`` measure), the
    substations' upkeep, pipe O&M as a share of the pipe investment, and the heat bought at the
    source grossed up for the network's losses.
``individual_hp``
    An air/water heat pump in every dwelling at the catalogue's price
    (``heat_pump_air_water``), plus what the dwelling needs to be ready for it
    (``hp_ready_cost_eur``, priced as the catalogue's readiness measure for lifetime and range);
    electricity at the seasonal performance factor of the core (:func:`sim.systems.
    seasonal_performance_factor`) at the supply temperature the emitters need; where that is
    above the catalogue's ``hp_supply_temp_c_max``, at the design temperature of the readiness
    measure's new emitters (``emitter_temp_c``, 45 °C in the shipped catalogue; the limit itself
    for a readiness measure without one); tap water at the heat pump's tap-water SPF; yearly
    service.
``hybrid``
    The catalogue's hybrid heat pump (``heat_pump_hybrid``) on the existing emitters: its heat
    pump delivers ``hp_share`` of the space heat (``sim/data/heating_systems.csv``), the gas
    condensing boiler it keeps the rest and the tap water at its efficiency
    (:func:`sim.systems.boiler_efficiency`); plus the fixed gas charge and yearly service. Only
    where there is a gas boiler to pair with (the catalogue's rule of the hybrid on the heating
    system, or a hybrid already); the zone's other dwellings get an air/water heat pump as in
    ``individual_hp``. A zone where no dwelling can take a hybrid has no hybrid strategy (NaN).
``collective_hp``
    Zones with apartment buildings only (NaN elsewhere): one collective heat pump per apartment
    building at the catalogue's building price (``heat_pump_collective``, the building's cost
    shared by floor area as in the catalogue), the houses of the zone with their own heat pump as
    in ``individual_hp``.

Every investment is annualised with one discount rate and the component's lifetime
(:func:`annuity_factor`); every price, lifetime and range is data: the catalogue
(``scenarios/data/measures.yaml``), the policy's energy prices (``policy_flanders.yaml``) and this
module's own ``scenarios/data/heat_costs.yaml`` (:class:`HeatCostParameters`).

Monte Carlo and advice
----------------------
:meth:`HeatCostParameters.sample` draws every sampled parameter per run from a triangular
distribution (low, value, high), and the catalogue measures' cost levels by a scenario's method
(:meth:`scenarios.catalogue.Catalogue.cost_factors`, not a scenario's draws); row 0 of every draw
is the central value.
:func:`zone_lcoh` first sums what it needs per zone once (:func:`zone_cost_sums`, ``np.bincount``
over the dwellings) and then combines these sums with each run's parameters in plain NumPy,
chunked over zones so that memory stays bounded. P10/P50/P90 and the probability that a strategy
is the cheapest are taken over the random runs (rows 1..R).

The advice maps strategies onto the words of a warmtezoneringsplan: ``network`` "warmtenet",
``hybrid`` "hybride", ``individual_hp`` **and** ``collective_hp`` "individueel" -- a collective
heat pump serves one building and needs no heat network in the public domain, which is the
line a heat zoning draws between collective and individual solutions. The probability of an
advice word is the sum of its strategies' probabilities; the word with the largest wins, unless
that probability is below ``advice_threshold`` (data file): then "nader onderzoeken".

Notes
-----
* Insulation (less heat demand) never lowers the network's cost per MWh: every network term is a
  fixed cost over the heat sold or a price per MWh; the pipe diameter shrinks with the linear
  heat density but :math:`(C_1 + C_2 d_a)/(Q_s/L)` still falls as :math:`Q_s/L` grows as long as
  :math:`C_1 > 0.0486\\,C_2`, true for every area class (tested with hypothesis).
* A denser zone (higher plot ratio at the same demand per m² floor) never costs more per MWh
  *within one area class*; where the plot ratio crosses a class boundary (0.3, 0.5) the
  construction cost per metre steps up (inner-city streets are dearer to dig), as in Persson &
  Werner's classes, and the cost per MWh can rise there.
* Costs the strategies share (emitters inside the dwelling where they already suffice, the
  household's electricity connection) are left out; fixed gas charges are counted for the
  hybrid only, which keeps its gas connection.

References
----------
.. [1] Persson U, Werner S (2011). Heat distribution and the future competitiveness of district
   heating. Applied Energy 88(3), 568-576.
.. [2] Persson U, Wiechers E, Moeller B, Werner S (2019). Heat Roadmap Europe: Heat distribution
   costs. Energy 176, 604-622.
.. [3] Hotmaps calculation module "District heating potential: economic assessment"
   (GitHub HotMaps/dh_economic_assessment), which implements [1] and [2].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple, Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scenarios.catalogue import (
    BUILDING_TOTAL_COLUMNS,
    Catalogue,
    building_share_cost,
    load_catalogue,
)
from scenarios.io_yaml import FileProblems, Loc, pydantic_message_nl, read_yaml_file, read_yaml_text
from scenarios.policy import Policy, load_policy
from sim.core import HP_MAX_SUPPLY_C
from sim.errors import Problems
from sim.systems import boiler_efficiency, default_system_tables, seasonal_performance_factor


class CostChange(Protocol):
    """What :meth:`HeatCostParameters.with_overrides` reads of one change (the shape of
    :class:`scenarios.heat.io_costs.CostOverride`; a protocol, so that this module does not
    import the reader that imports it)."""

    @property
    def value(self) -> float | None: ...
    @property
    def low(self) -> float | None: ...
    @property
    def high(self) -> float | None: ...
    @property
    def reason(self) -> str: ...


class CostChanges(Protocol):
    """What :meth:`HeatCostParameters.with_overrides` reads of a user's changes (the shape of
    :class:`scenarios.heat.io_costs.CostOverrides`)."""

    @property
    def parameters(self) -> Mapping[str, CostChange]: ...
    @property
    def origin(self) -> str: ...
    @property
    def what(self) -> str: ...
    @property
    def lines(self) -> Mapping[Loc, int]: ...


#: Strategy ids, in the order of the strategy axis of every result.
STRATEGIES: tuple[str, ...] = ("network", "individual_hp", "hybrid", "collective_hp")
#: The advice word of each strategy (Dutch, shown to users).
ADVICE_OF_STRATEGY: dict[str, str] = {
    "network": "warmtenet",
    "individual_hp": "individueel",
    "hybrid": "hybride",
    "collective_hp": "individueel",
}
#: The advice words a strategy can lead to, in the order ties are broken.
ADVICE_WORDS: tuple[str, ...] = ("warmtenet", "individueel", "hybride")
#: The advice where no word is probable enough (or the zone has no heat demand).
ADVICE_UNDECIDED: str = "nader onderzoeken"
#: How a zone's advice came about (``advice_source``, Dutch where it is shown): the model's
#: Monte Carlo, a decision by hand (``--zones-fixed``), a network area too small to be
#: viable (``scenarios.heat.areas``), or a network that no longer pays once the transmission
#: pipe from its heat source is costed (``scenarios.heat.sources``).
ADVICE_MODEL: str = "model"
ADVICE_FIXED: str = "vastgelegd"
ADVICE_SMALL_AREA: str = "te klein netgebied"
ADVICE_FAR_SOURCE: str = "verre warmtebron"
#: Area classes of Persson & Werner's construction costs, by rising plot ratio.
AREA_CLASSES: tuple[str, ...] = ("park", "outer_city", "inner_city")
#: GJ in a MWh.
GJ_PER_MWH: float = 3.6

_SHIPPED = "heat_costs.yaml"
#: Parameters the computation reads from the data file (each must be there).
PARAMETER_NAMES: tuple[str, ...] = (
    "discount_rate",
    "network_lifetime_years",
    "pipe_cost_factor",
    "c1_inner_city_eur_m",
    "c1_outer_city_eur_m",
    "c1_park_eur_m",
    "c2_inner_city_eur_m2",
    "c2_outer_city_eur_m2",
    "c2_park_eur_m2",
    "plot_ratio_outer_city_min",
    "plot_ratio_inner_city_min",
    "pipe_diameter_slope_m",
    "pipe_diameter_intercept_m",
    "pipe_diameter_min_m",
    "effective_width_slope_m",
    "effective_width_intercept_m",
    "effective_width_knee",
    "effective_width_max_m",
    "connection_rate",
    "network_heat_loss_share",
    "heat_source_price_eur_mwh",
    "network_om_share",
    "substation_maintenance_eur",
    "heat_pump_maintenance_eur",
    "hybrid_maintenance_eur",
    "collective_maintenance_eur",
    "gas_fixed_charge_eur",
    "dhw_share",
    "electricity_price_factor",
    "gas_price_factor",
    "hybrid_hp_share",
    "advice_threshold",
    # the transmission pipe from a heat source (scenarios.heat.sources); appended last so that
    # every parameter above keeps its random stream
    "transmission_route_factor",
    "transmission_full_load_hours",
)
#: Parameters the Monte Carlo holds at their central value: the computation reads only their
#: ``value`` (the construction cost constants C1 and C2, whose uncertainty is
#: ``pipe_cost_factor``; the area classes' plot ratios; the pipe-diameter and effective-width
#: relations; the advice's decision rule; the transmission pipe's sizing in
#: ``scenarios.heat.sources``). The data file must say ``sampled: false`` for them: drawn, they
#: would show a range in the report that the results do not have.
_HELD_AT_VALUE: tuple[str, ...] = (
    "c1_inner_city_eur_m",
    "c1_outer_city_eur_m",
    "c1_park_eur_m",
    "c2_inner_city_eur_m2",
    "c2_outer_city_eur_m2",
    "c2_park_eur_m2",
    "plot_ratio_outer_city_min",
    "plot_ratio_inner_city_min",
    "pipe_diameter_slope_m",
    "pipe_diameter_intercept_m",
    "pipe_diameter_min_m",
    "effective_width_slope_m",
    "effective_width_intercept_m",
    "effective_width_knee",
    "effective_width_max_m",
    "advice_threshold",
    "transmission_full_load_hours",
)
#: Roles of the catalogue measures the strategies are priced with.
MEASURE_ROLES: tuple[str, ...] = (
    "individual_heat_pump",
    "hybrid_heat_pump",
    "collective_heat_pump",
    "network_connection",
    "heat_pump_readiness",
)
#: Parameters whose central value is read elsewhere in the project (the file gives the range).
_REUSED: tuple[str, ...] = ("hybrid_hp_share",)
#: Where the project keeps the central value of each of :data:`_REUSED` (Dutch, for messages).
_REUSED_WHERE_NL: dict[str, str] = {
    "hybrid_hp_share": "sim/data/heating_systems.csv, kolom hp_share van de hybride warmtepomp "
    "(code 9)",
}


# ---------------------------------------------------------------------- the data file
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _ParameterEntry(_Model):
    value: float | None = None
    reuse: str | None = None
    low: float
    high: float
    unit: str = Field(min_length=1)
    source: str = Field(min_length=1)
    sampled: bool = True
    note: str | None = None


class _AssumptionEntry(_Model):
    reason: str = Field(min_length=1)
    range: str = Field(min_length=1)


class _File(_Model):
    schema_version: Literal[1]
    price_year: int = Field(ge=2000, le=2100)
    catalogue_measures: dict[str, str]
    labels_nl: dict[str, str] = Field(default_factory=dict)
    sources: dict[str, str] = Field(min_length=1)
    assumptions: dict[str, _AssumptionEntry] = Field(default_factory=dict)
    parameters: dict[str, _ParameterEntry]


@dataclass(frozen=True)
class HeatCostParameter:
    """One parameter of the heat-cost data file.

    Attributes
    ----------
    value, low, high : float
        Central value and range (``low <= value <= high``) [``unit``].
    unit : str
        Unit of the three numbers.
    source : str
        Id of its source (``sources``) or project assumption (``assumptions``).
    sampled : bool
        Drawn per Monte Carlo run (triangular low/value/high) or held at ``value``.
    reuse : str or None
        Where the central value comes from when the project already has it.
    """

    value: float
    low: float
    high: float
    unit: str
    source: str
    sampled: bool = True
    reuse: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ParameterOverride:
    """A user's change of one parameter (:meth:`HeatCostParameters.with_overrides`), kept with
    what it replaced so that the report shows both.

    Attributes
    ----------
    shipped : HeatCostParameter
        The parameter as the data file gives it, before any change.
    reason : str
        Why the user changed it (the override file's ``reden``; Dutch free text, shown as given).
    origin : str
        Where the change comes from: the override file's path, or what made it in memory.
    """

    shipped: HeatCostParameter
    reason: str
    origin: str


@dataclass(frozen=True)
class HeatCostDraws:
    """Parameter draws of a Monte Carlo: row 0 the central values, rows 1..R random.

    Attributes
    ----------
    values : dict of str to ndarray, shape (R + 1,)
        Every parameter of the data file, by name.
    cost_factors : dict of str to ndarray, shape (R + 1,)
        Cost level of each catalogue measure by role (:data:`MEASURE_ROLES`), a multiplier on
        its central price (:meth:`scenarios.catalogue.Catalogue.cost_factors`).
    """

    values: Mapping[str, NDArray[np.float64]]
    cost_factors: Mapping[str, NDArray[np.float64]]

    @property
    def runs(self) -> int:
        """Number of random runs R."""
        return int(next(iter(self.values.values())).shape[0]) - 1


@dataclass(frozen=True)
class HeatCostParameters:
    """The heat-cost parameters with the catalogue and policy they are used with.

    Use :meth:`load`; :meth:`value` gives a central value, :meth:`sample` the Monte Carlo draws,
    :meth:`with_overrides` a copy with a user's changes (``overrides``: what was changed and why,
    by parameter name; empty for the file as read).
    """

    parameters: Mapping[str, HeatCostParameter]
    sources: Mapping[str, str]
    assumptions: Mapping[str, tuple[str, str]]
    measures: Mapping[str, str]
    catalogue: Catalogue
    policy: Policy
    price_year: int
    overrides: Mapping[str, ParameterOverride] = field(default_factory=dict)
    #: what each parameter means, in Dutch (``labels_nl`` of the data file; "" where absent)
    labels_nl: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        catalogue: Catalogue | None = None,
        policy: Policy | None = None,
    ) -> HeatCostParameters:
        """Read and check a heat-cost file (default the shipped ``heat_costs.yaml``).

        Parameters
        ----------
        path : str or Path, optional
            A user's file in the format of the shipped one.
        catalogue : Catalogue, optional
            The measures catalogue whose prices are used; default the shipped one.
        policy : Policy, optional
            The policy whose energy prices are used; default the shipped one.

        Raises
        ------
        sim.errors.InputError
            With every problem found, each named by its place and line in the file (Dutch).
        """
        cat = load_catalogue() if catalogue is None else catalogue
        pol = load_policy() if policy is None else policy
        if path is None:
            text = resources.files("scenarios.data").joinpath(_SHIPPED).read_text("utf-8")
            problems = FileProblems(f"kostenbestand warmte {_SHIPPED}")
            doc = read_yaml_text(text, _SHIPPED, problems)
        else:
            problems = FileProblems(f"kostenbestand warmte {path}")
            doc = read_yaml_file(path, problems)
        if doc is None:
            problems.raise_if_any()
            raise RuntimeError("unreadable heat-cost file without problems")  # pragma: no cover
        parsed: _File | None = None
        try:
            parsed = _File.model_validate(doc.data)
        except ValidationError as exc:
            for err in exc.errors():
                problems.at(tuple(err["loc"]), pydantic_message_nl(err))
        if parsed is None:
            problems.raise_if_any()
            raise RuntimeError("heat-cost validation failed without problems")  # pragma: no cover
        params = _check_file(parsed, cat, problems)
        problems.raise_if_any()
        return cls(
            parameters=params,
            sources=dict(parsed.sources),
            assumptions={k: (a.reason, a.range) for k, a in parsed.assumptions.items()},
            measures=dict(parsed.catalogue_measures),
            catalogue=cat,
            policy=pol,
            price_year=parsed.price_year,
            labels_nl=dict(parsed.labels_nl),
        )

    def value(self, name: str) -> float:
        """Central value of parameter ``name``."""
        return self.parameters[name].value

    def with_overrides(self, overrides: CostChanges) -> HeatCostParameters:
        """A copy with a user's changes of value, low and high (this object is left as it is).

        Each changed parameter keeps its unit and source; ``overrides`` of the copy records what
        it replaced and the user's reason, which :meth:`references` (and so ``warmteplan.md``)
        shows beside the source. Applied to parameters that were changed before, the later
        change wins and the record keeps the value of the data file.

        Parameters
        ----------
        overrides : scenarios.heat.io_costs.CostOverrides
            From :func:`scenarios.heat.io_costs.read_cost_overrides` (a user's file) or
            :meth:`~scenarios.heat.io_costs.CostOverrides.from_mapping` (in memory).

        Raises
        ------
        sim.errors.InputError
            With every problem, in Dutch, naming the override file, the parameter and its line:
            a parameter that is not in this data file; one held fixed (``sampled: false``) or
            whose central value the project reads elsewhere (``reuse``), with where to change it
            instead; ``low <= value <= high`` broken once merged with the data file's values;
            a range outside the bounds the formulas need (shares in (0, 1], ...).

        Examples
        --------
        >>> from scenarios.heat.io_costs import CostOverrides
        >>> change = {"heat_source_price_eur_mwh": {"value": 45, "reden": "restwarmte"}}
        >>> changed = shipped_parameters().with_overrides(
        ...     CostOverrides.from_mapping({"schema_version": 1, "parameters": change})
        ... )
        >>> changed.value("heat_source_price_eur_mwh"), shipped_parameters().value(
        ...     "heat_source_price_eur_mwh"
        ... )
        (45.0, 60.0)
        """
        problems = FileProblems(overrides.what, overrides.lines)
        merged = dict(self.parameters)
        records = dict(self.overrides)
        for name, change in overrides.parameters.items():
            loc = ("parameters", name)
            p = self.parameters.get(name)
            if p is None:
                problems.at(loc, "onbekende parameter van het kostenbestand; laat ze weg")
                continue
            fixed = _not_overridable_nl(name, p)
            if fixed is not None:
                problems.at(loc, fixed)
                continue
            given = {"low": change.low, "value": change.value, "high": change.high}
            low, value, high = (getattr(p, k) if v is None else v for k, v in given.items())
            if not low <= value <= high:
                kept = [k for k, v in given.items() if v is None]
                problems.at(
                    loc,
                    f"moet low ≤ value ≤ high zijn, maar samen met het kostenbestand wordt dat "
                    f"{low:g} ≤ {value:g} ≤ {high:g}"
                    + (
                        f" ({' en '.join(f'{k} {getattr(p, k):g}' for k in kept)} uit het "
                        f"kostenbestand); pas de getallen aan of geef ook {' en '.join(kept)} op"
                        if kept
                        else "; pas de getallen aan"
                    ),
                )
                continue
            merged[name] = replace(p, value=float(value), low=float(low), high=float(high))
            before = self.overrides[name].shipped if name in self.overrides else p
            records[name] = ParameterOverride(before, change.reason, overrides.origin)
        _check_ranges({n: merged[n] for n in overrides.parameters if n in merged}, problems)
        problems.raise_if_any()
        return replace(self, parameters=merged, overrides=records)

    def lifetime_years(self, role: str) -> float:
        """Lifetime [year] of the catalogue measure of ``role`` (:data:`MEASURE_ROLES`)."""
        return float(self.catalogue.measure(self.measures[role]).cost.lifetime_years)

    def sample(self, runs: int, seed: int) -> HeatCostDraws:
        """Monte Carlo draws of every parameter and of the catalogue measures' cost levels.

        Parameters
        ----------
        runs : int
            R random runs (0: only the central values).
        seed : int
            Seed; each parameter from a stream of its own,
            ``numpy.random.default_rng([seed, 14, k])`` for the k-th of :data:`PARAMETER_NAMES`
            (so fixing one parameter, for a sensitivity study, leaves the others' draws as they
            were: common random numbers), the measures' cost levels from
            :meth:`Catalogue.cost_factors` with the same seed, for the measures of
            :data:`MEASURE_ROLES` in that order. That method draws one stream measure after
            measure, so these cost levels are a scenario run's with that seed only if the run
            draws the same measure list in the same order (in general it does not).

        Returns
        -------
        HeatCostDraws
            Arrays of shape (R + 1,); row 0 holds the central values.
        """
        problems = Problems("Monte Carlo van de warmtekosten")
        if int(runs) != runs or runs < 0:
            problems.add("runs", f"aantal runs {runs} moet een geheel getal ≥ 0 zijn")
        problems.raise_if_any()
        r = int(runs)
        values: dict[str, NDArray[np.float64]] = {}
        for k, name in enumerate(PARAMETER_NAMES):
            p = self.parameters[name]
            out = np.full(r + 1, p.value, dtype=np.float64)
            if p.sampled and p.high > p.low and r > 0:
                rng = np.random.default_rng([int(seed), 14, k])
                out[1:] = rng.triangular(p.low, p.value, p.high, r)
            values[name] = out
        ids = [self.measures[role] for role in MEASURE_ROLES]
        levels = self.catalogue.cost_factors(ids, r, int(seed))
        factors = {role: levels[:, j].copy() for j, role in enumerate(MEASURE_ROLES)}
        return HeatCostDraws(values=values, cost_factors=factors)

    def references(self) -> list[dict[str, str]]:
        """Every parameter with its value, range, unit and source text (for the report).

        Keys ``parameter``, ``label_nl`` (what it means, in Dutch), ``value``, ``range``,
        ``unit``, ``source`` (the text), ``source_id`` (its key in ``sources`` or
        ``assumptions``); and for a parameter a user changed (:meth:`with_overrides`)
        ``override`` ("aangepast door de gebruiker: <reden>"), ``shipped_value``,
        ``shipped_range`` (the data file's) and ``origin`` (the override file), empty strings
        for the others. ``source`` stays the data file's source.
        """
        out = []
        for name in PARAMETER_NAMES:
            p = self.parameters[name]
            if p.source in self.sources:
                text = self.sources[p.source]
            else:
                reason, rng = self.assumptions[p.source]
                text = f"PROJECT ASSUMPTION: {reason} (range {rng})"
            row = {
                "parameter": name,
                "label_nl": self.labels_nl.get(name, ""),
                "source_id": p.source,
                "value": f"{p.value:g}",
                "range": f"{p.low:g}-{p.high:g}",
                "unit": p.unit,
                "source": text,
                "override": "",
                "shipped_value": "",
                "shipped_range": "",
                "origin": "",
            }
            if (ov := self.overrides.get(name)) is not None:
                row["override"] = f"aangepast door de gebruiker: {ov.reason}"
                row["shipped_value"] = f"{ov.shipped.value:g}"
                row["shipped_range"] = f"{ov.shipped.low:g}-{ov.shipped.high:g}"
                row["origin"] = ov.origin
            out.append(row)
        return out


def _not_overridable_nl(name: str, p: HeatCostParameter) -> str | None:
    """Why a user's override file cannot change ``name`` and where to change it instead (Dutch),
    None when it can."""
    if name in _REUSED:
        return (
            "de centrale waarde van deze parameter komt uit het project zelf "
            f"({_REUSED_WHERE_NL[name]}) en geldt ook voor de scenario's; een kostenaanpassing "
            "kan ze niet wijzigen. Verander ze daar, of laat deze parameter weg"
        )
    if p.sampled or name == "advice_threshold":
        # the advice's decision rule is the municipality's to set (how sure the advice must
        # be before it names a strategy); it is not drawn, so its value is what counts
        return None
    if name.startswith(("c1_", "c2_")):
        return (
            "een bouwkostconstante van Persson & Werner die vast blijft (sampled: false in het "
            "kostenbestand); haar onzekerheid zit in pipe_cost_factor, een factor op C1 en C2 "
            "van elke zone: pas pipe_cost_factor aan in plaats van deze parameter"
        )
    what = (
        "een ontwerpwaarde van de transportleiding (Hotmaps)"
        if name.startswith("transmission_")
        else "een empirische constante van de methode van Persson & Werner (via Hotmaps)"
    )
    return (
        f"{what} die vast blijft (sampled: false in het kostenbestand); een kostenaanpassing "
        "kan ze niet wijzigen. Wie ze toch anders wil, rekent met een volledig eigen "
        "kostenbestand in het formaat van scenarios/data/heat_costs.yaml "
        "(HeatCostParameters.load) en vermeldt dat in het rapport"
    )


def _held_at_value_nl(name: str) -> str:
    """Why ``name`` cannot be ``sampled`` and what to vary instead (Dutch)."""
    if name.startswith(("c1_", "c2_")):
        instead = (
            "haar onzekerheid zit in pipe_cost_factor, een factor op C1 en C2 van elke zone: "
            "geef pipe_cost_factor de bandbreedte"
        )
    elif name == "advice_threshold":
        instead = (
            "het is een beslisregel (hoe zeker het advies moet zijn), geen onzekere waarde: "
            "kies haar waarde (value)"
        )
    elif name == "transmission_full_load_hours":
        instead = (
            "de onzekerheid van de transportleiding zit in transmission_route_factor en "
            "pipe_cost_factor: geef die de bandbreedte"
        )
    else:
        instead = (
            "de onzekerheid van de leidingkosten zit in pipe_cost_factor: geef pipe_cost_factor "
            "de bandbreedte, of reken met een andere waarde (value)"
        )
    return (
        "deze parameter wordt niet per Monte-Carlo-run getrokken: de berekening leest enkel "
        "haar waarde (value), dus getrokken zou het rapport een bandbreedte tonen die de "
        f"resultaten niet hebben. Zet sampled: false; {instead}"
    )


def _reused_value(name: str, catalogue: Catalogue, measures: Mapping[str, str]) -> float:
    """The project's own central value of a reused parameter."""
    if name == "hybrid_hp_share":
        code = int(catalogue.measure(measures["hybrid_heat_pump"]).effect["heating_system"])
        return float(default_system_tables().hp_share[code])
    raise KeyError(name)  # pragma: no cover - _REUSED lists the names handled here


def _check_file(
    parsed: _File, catalogue: Catalogue, problems: FileProblems
) -> dict[str, HeatCostParameter]:
    known_refs = set(parsed.sources) | set(parsed.assumptions)
    for role in MEASURE_ROLES:
        mid = parsed.catalogue_measures.get(role)
        if mid is None:
            problems.at(("catalogue_measures", role), "verplichte sleutel ontbreekt")
        elif mid not in catalogue.ids:
            problems.at(
                ("catalogue_measures", role),
                f"maatregel {mid!r} staat niet in de catalogus; kies een maatregel-id uit de "
                "catalogus",
            )
    for role in parsed.catalogue_measures:
        if role not in MEASURE_ROLES:
            problems.at(
                ("catalogue_measures", role),
                f"onbekende rol; kies uit {', '.join(MEASURE_ROLES)}",
            )
    for name in parsed.labels_nl:
        if name not in parsed.parameters:
            problems.at(("labels_nl", name), "geen parameter van dit bestand; laat ze weg")
    measures_ok = all(parsed.catalogue_measures.get(r) in catalogue.ids for r in MEASURE_ROLES)
    if measures_ok:
        for role in ("individual_heat_pump", "hybrid_heat_pump", "collective_heat_pump"):
            m = catalogue.measure(parsed.catalogue_measures[role])
            if "heating_system" not in m.effect:
                problems.at(
                    ("catalogue_measures", role),
                    f"maatregel {m.id!r} zet geen verwarmingssysteem (effect heating_system)",
                )
        hp = catalogue.measure(parsed.catalogue_measures["individual_heat_pump"])
        if "hp_supply_temp_c_max" not in hp.applies_if:
            # the catalogue gives every heat pump this rule: a measure without it is no heat pump
            problems.at(
                ("catalogue_measures", "individual_heat_pump"),
                f"maatregel {hp.id!r} is geen warmtepomp: ze heeft geen regel "
                "hp_supply_temp_c_max (applies_if) die zegt welke woningen er klaar voor zijn",
            )
        coll = catalogue.measure(parsed.catalogue_measures["collective_heat_pump"]).cost
        if coll.basis != "building_share" or set(coll.building) - {"floor_area_m2", "per_dwelling"}:
            problems.at(
                ("catalogue_measures", "collective_heat_pump"),
                "de collectieve warmtepomp moet als gebouwproject (basis building_share) met "
                "prijzen per m² vloer (floor_area_m2) en per woning (per_dwelling) geprijsd zijn",
            )
    out: dict[str, HeatCostParameter] = {}
    for name in PARAMETER_NAMES:
        if name not in parsed.parameters:
            problems.at(("parameters", name), "verplichte parameter ontbreekt")
    for name, p in parsed.parameters.items():
        loc = ("parameters", name)
        if name not in PARAMETER_NAMES:
            problems.at(loc, "onbekende parameter (tikfout?); zie PARAMETER_NAMES in de code")
            continue
        if name in _HELD_AT_VALUE and p.sampled:
            # sampled is true unless the file says otherwise: name the key where it is written
            where = (*loc, "sampled") if "sampled" in p.model_fields_set else loc
            problems.at(where, _held_at_value_nl(name))
        if p.source not in known_refs:
            problems.at(
                (*loc, "source"),
                f"bron {p.source!r} staat niet in 'sources' of 'assumptions'",
            )
        value = p.value
        if name in _REUSED:
            if p.value is not None:
                problems.at(
                    (*loc, "value"),
                    "deze waarde komt uit het project zelf (reuse); laat 'value' weg",
                )
            if measures_ok:
                value = _reused_value(name, catalogue, parsed.catalogue_measures)
        elif p.reuse is not None:
            problems.at((*loc, "reuse"), "voor deze parameter kan geen waarde hergebruikt worden")
        if value is None:
            if name not in _REUSED:
                problems.at((*loc, "value"), "verplichte sleutel ontbreekt")
            continue
        if not (np.isfinite(p.low) and np.isfinite(value) and np.isfinite(p.high)):
            problems.at(loc, "low, value en high moeten eindige getallen zijn")
            continue
        if not p.low <= value <= p.high:
            problems.at(
                loc,
                f"moet low ≤ value ≤ high zijn (nu {p.low:g} ≤ {value:g} ≤ {p.high:g})",
            )
            continue
        out[name] = HeatCostParameter(
            value=float(value),
            low=float(p.low),
            high=float(p.high),
            unit=p.unit,
            source=p.source,
            sampled=p.sampled,
            reuse=p.reuse,
            note=p.note,
        )
    _check_ranges(out, problems)
    return out


def _check_ranges(out: Mapping[str, HeatCostParameter], problems: FileProblems) -> None:
    """Bounds that make the formulas meaningful, over the whole range of each parameter."""
    shares = ("connection_rate", "dhw_share", "hybrid_hp_share", "advice_threshold")
    for name in shares:
        if name in out and not (out[name].low > 0.0 and out[name].high <= 1.0):
            problems.at(("parameters", name), "moet tussen 0 (niet inbegrepen) en 1 liggen")
    if "network_heat_loss_share" in out:
        p = out["network_heat_loss_share"]
        if not (p.low >= 0.0 and p.high < 1.0):
            problems.at(("parameters", "network_heat_loss_share"), "moet in [0, 1) liggen")
    positive = (
        "network_lifetime_years",
        "pipe_cost_factor",
        "electricity_price_factor",
        "gas_price_factor",
        "pipe_diameter_min_m",
        "effective_width_max_m",
        "transmission_full_load_hours",  # scenarios.heat.sources divides by it
    )
    for name in positive:
        if name in out and not out[name].low > 0.0:
            problems.at(("parameters", name), "moet > 0 zijn")
    for name in out:
        if name not in positive and name not in shares and out[name].low < 0.0:
            problems.at(("parameters", name), "moet ≥ 0 zijn")
    a, b = "plot_ratio_outer_city_min", "plot_ratio_inner_city_min"
    if a in out and b in out and not out[a].value <= out[b].value:
        problems.at(("parameters", b), f"moet ≥ {a} zijn")
    # insulation must never make a network cheaper per MWh: (C1 + C2 d_a)/lhd falls with lhd
    # only while C1 > slope * C2 (module notes); check it for every area class
    slope = out.get("pipe_diameter_slope_m")
    for cls in AREA_CLASSES:
        c1, c2 = out.get(f"c1_{cls}_eur_m"), out.get(f"c2_{cls}_eur_m2")
        if slope is None or c1 is None or c2 is None:
            continue
        if not c1.low > slope.high * c2.high:
            problems.at(
                ("parameters", f"c1_{cls}_eur_m"),
                f"C1 moet groter zijn dan pipe_diameter_slope_m × C2 ({slope.high:g} × "
                f"{c2.high:g}); anders zou een lagere warmtevraag een warmtenet per MWh "
                "goedkoper maken",
            )


@cache
def _shipped_parameters() -> HeatCostParameters:
    return HeatCostParameters.load()


def shipped_parameters() -> HeatCostParameters:
    """The shipped parameters with the shipped catalogue and policy (read once per process)."""
    return _shipped_parameters()


# ---------------------------------------------------------------------- Persson & Werner
def annuity_factor(rate: ArrayLike, years: ArrayLike) -> NDArray[np.float64]:
    """Capital recovery factor :math:`r / (1 - (1 + r)^{-n})` [1/year]; :math:`1/n` at r = 0.

    Examples
    --------
    >>> round(float(annuity_factor(0.05, 20)), 6)
    0.080243
    >>> float(annuity_factor(0.0, 20))
    0.05
    """
    r = np.asarray(rate, dtype=np.float64)
    n = np.asarray(years, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(r == 0.0, 1.0 / n, r / (1.0 - (1.0 + r) ** (-n)))
    return np.asarray(a, dtype=np.float64)


def effective_width_m(
    plot_ratio: ArrayLike,
    *,
    slope_m: float,
    intercept_m: float,
    knee: float,
    max_m: float,
) -> NDArray[np.float64]:
    """Effective width w = land area / trench length [m] from the plot ratio (Persson et al. 2019).

    :math:`w = slope\\,e + intercept` for :math:`e \\le knee`, ``max_m`` above (the shipped
    137.5 e + 5 and 60 m meet at e = 0.4).

    Examples
    --------
    >>> effective_width_m([0.2, 1.0], slope_m=137.5, intercept_m=5.0, knee=0.4, max_m=60.0).tolist()
    [32.5, 60.0]
    """
    e = np.asarray(plot_ratio, dtype=np.float64)
    return np.asarray(np.where(e <= knee, slope_m * e + intercept_m, max_m), dtype=np.float64)


def average_pipe_diameter_m(
    linear_heat_density_gj_m: ArrayLike, *, slope_m: float, intercept_m: float, min_m: float
) -> NDArray[np.float64]:
    """Average pipe diameter :math:`d_a = slope \\ln(Q_s/L) + intercept` [m], at least ``min_m``.

    Examples
    --------
    >>> d = average_pipe_diameter_m(10.0, slope_m=0.0486, intercept_m=0.0007, min_m=0.02)
    >>> round(float(d), 6)
    0.112606
    """
    lhd = np.asarray(linear_heat_density_gj_m, dtype=np.float64)
    with np.errstate(divide="ignore"):
        d = slope_m * np.log(lhd) + intercept_m
    return np.asarray(np.maximum(d, min_m), dtype=np.float64)


def distribution_capital_cost_eur_gj(
    linear_heat_density_gj_m: ArrayLike,
    average_pipe_diameter: ArrayLike,
    c1_eur_m: ArrayLike,
    c2_eur_m2: ArrayLike,
    annuity: ArrayLike,
) -> NDArray[np.float64]:
    """Distribution capital cost :math:`C_d = a (C_1 + C_2 d_a) / (Q_s/L)` [EUR/GJ].

    Persson & Werner (2011): with :math:`Q_s/L = e\\,q\\,w` (plot ratio × specific heat demand
    [GJ/m²] × effective width [m]) this is their :math:`a (C_1 + C_2 d_a)/(e q w)`.

    Parameters
    ----------
    linear_heat_density_gj_m : array_like
        Heat sold per metre of trench and year, :math:`Q_s/L = e q w` [GJ/m].
    average_pipe_diameter : array_like
        :math:`d_a` [m] (:func:`average_pipe_diameter_m`).
    c1_eur_m, c2_eur_m2 : array_like
        Construction cost constant [EUR/m] and coefficient [EUR/m²].
    annuity : array_like
        Annuity factor [1/year] (:func:`annuity_factor`).
    """
    lhd = np.asarray(linear_heat_density_gj_m, dtype=np.float64)
    cost = np.asarray(annuity, np.float64) * (
        np.asarray(c1_eur_m, np.float64)
        + np.asarray(c2_eur_m2, np.float64) * np.asarray(average_pipe_diameter, np.float64)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(cost / lhd, dtype=np.float64)


def area_class(plot_ratio: ArrayLike, params: HeatCostParameters) -> NDArray[np.int64]:
    """Index into :data:`AREA_CLASSES` (0 park, 1 outer city, 2 inner city) by plot ratio."""
    e = np.asarray(plot_ratio, dtype=np.float64)
    outer = params.value("plot_ratio_outer_city_min")
    inner = params.value("plot_ratio_inner_city_min")
    return np.asarray((e >= outer).astype(np.int64) + (e >= inner).astype(np.int64))


def construction_costs(
    params: HeatCostParameters,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """C1 [EUR/m] and C2 [EUR/m²] of each area class, in the order of :data:`AREA_CLASSES`."""
    c1 = np.array([params.value(f"c1_{c}_eur_m") for c in AREA_CLASSES])
    c2 = np.array([params.value(f"c2_{c}_eur_m2") for c in AREA_CLASSES])
    return c1, c2


# ---------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class ZoneCostInputs:
    """Per-zone inputs of :func:`zone_lcoh` (Z zones; arrays of shape (Z,)).

    Attributes
    ----------
    area_m2 : ndarray
        Land area of the zone [m²] (> 0).
    floor_area_m2 : ndarray
        Floor area of the zone's buildings [m²] (≥ 0); plot ratio = floor / land area.
    street_length_m : ndarray
        Trench length along the zone's streets [m]; NaN where none is known (then land area /
        effective width).
    """

    area_m2: NDArray[np.float64]
    floor_area_m2: NDArray[np.float64]
    street_length_m: NDArray[np.float64]

    @property
    def n_zones(self) -> int:
        """Number of zones Z."""
        return int(np.asarray(self.area_m2).shape[0])


@dataclass(frozen=True)
class DwellingCostInputs:
    """Per-dwelling inputs of :func:`zone_lcoh` (N dwellings of one year; arrays of shape (N,)).

    Attributes
    ----------
    zone : ndarray of int
        Index of the dwelling's zone, 0..Z-1.
    building : ndarray of int
        Index of the dwelling's building (any integers ≥ 0; equal for dwellings of one building).
    heat_demand_kwh : ndarray
        Heat for space heating and tap water delivered to the dwelling per year [kWh].
    hp_supply_temp_c : ndarray
        Supply temperature its emitters need on the design day [°C].
    hp_ready_cost_eur : ndarray
        What makes an air/water heat pump applicable, the heat pump excluded [EUR] (≥ 0).
    floor_area_m2 : ndarray
        Floor area [m²] (> 0): the catalogue prices heat pumps by it.
    is_apartment : ndarray of bool
        A flat in an apartment building.
    attachment : ndarray of str, optional
        ``open``/``halfopen``/``gesloten``/``apartment`` for the catalogue's price factors; default
        ``apartment`` for flats and ``open`` for houses.
    heating_system : ndarray of int, optional
        Space-heating code (``sim/data/heating_systems.csv``) in that year. A hybrid needs a gas
        boiler to pair with: the catalogue's rule of the hybrid (its ``heating_system_in``) says
        which dwellings can take one; a dwelling that has a hybrid already keeps it. Default: every
        dwelling can (a gas grid everywhere).
    """

    zone: NDArray[np.int64]
    building: NDArray[np.int64]
    heat_demand_kwh: NDArray[np.float64]
    hp_supply_temp_c: NDArray[np.float64]
    hp_ready_cost_eur: NDArray[np.float64]
    floor_area_m2: NDArray[np.float64]
    is_apartment: NDArray[np.bool_]
    attachment: NDArray[Any] | None = None
    heating_system: NDArray[np.int64] | None = None

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, zone: ArrayLike) -> DwellingCostInputs:
        """From the per-dwelling table of ``scenarios.heat.demand`` (one year) and zone indices.

        ``building_id`` (str) is turned into integer indices; ``attachment`` and
        ``heating_system`` are used when the frame has them.
        """
        # (the ids as they are: a categorical column is factorised on its codes, not its text)
        building = pd.factorize(frame["building_id"])[0].astype(np.int64)
        att = frame["attachment"].to_numpy() if "attachment" in frame.columns else None
        return cls(
            zone=np.asarray(zone),
            building=building,
            heat_demand_kwh=frame["heat_demand_kwh"].to_numpy(np.float64),
            hp_supply_temp_c=frame["hp_supply_temp_c"].to_numpy(np.float64),
            hp_ready_cost_eur=frame["hp_ready_cost_eur"].to_numpy(np.float64),
            floor_area_m2=frame["floor_area_m2"].to_numpy(np.float64),
            is_apartment=frame["is_apartment"].to_numpy(bool),
            attachment=att,
            heating_system=(
                frame["heating_system"].to_numpy(np.int64)
                if "heating_system" in frame.columns
                else None
            ),
        )


def _float(problems: Problems, name: str, x: ArrayLike, n: int | None) -> NDArray[np.float64]:
    arr = np.asarray(x)
    if arr.ndim != 1 or (n is not None and arr.shape[0] != n):
        problems.add(name, f"moet een rij van {n} waarden zijn (nu vorm {arr.shape})")
        return np.zeros(0 if n is None else n)
    try:
        return np.ascontiguousarray(arr, dtype=np.float64)
    except (TypeError, ValueError):
        problems.add(name, "moet getallen bevatten")
        return np.zeros(arr.shape[0])


def _check_inputs(
    zones: ZoneCostInputs, dwellings: DwellingCostInputs
) -> tuple[ZoneCostInputs, DwellingCostInputs]:
    p = Problems("invoer van de warmtekosten per zone")
    z = np.asarray(zones.area_m2).shape[0] if np.asarray(zones.area_m2).ndim == 1 else 0
    area = _float(p, "area_m2", zones.area_m2, None)
    floor = _float(p, "floor_area_m2 (zone)", zones.floor_area_m2, z)
    street = _float(p, "street_length_m", zones.street_length_m, z)
    if not p:  # shapes right: check the values
        bad = np.flatnonzero(~(np.isfinite(area) & (area > 0)))
        if bad.size:
            p.add("area_m2", "oppervlakte van de zone moet > 0 m² zijn", bad)
        bad = np.flatnonzero(~(np.isfinite(floor) & (floor >= 0)))
        if bad.size:
            p.add("floor_area_m2 (zone)", "vloeroppervlakte moet ≥ 0 m² zijn", bad)
        bad = np.flatnonzero(~np.isnan(street) & ~(np.isfinite(street) & (street > 0)))
        if bad.size:
            p.add(
                "street_length_m",
                "straatlengte moet > 0 m zijn, of leeg (NaN) als er geen straat gekend is",
                bad,
            )
    shape_problems = len(p.items)
    zone_idx = np.asarray(dwellings.zone)
    n = zone_idx.shape[0] if zone_idx.ndim == 1 else 0
    if zone_idx.ndim != 1 or zone_idx.dtype.kind not in "iu":
        p.add("zone", "moet een rij gehele getallen (zone-index per woning) zijn")
        zone_idx = np.zeros(n, dtype=np.int64)
    building = np.asarray(dwellings.building)
    if building.ndim != 1 or building.shape[0] != n or building.dtype.kind not in "iu":
        p.add("building", f"moet een rij van {n} gehele getallen (gebouw-index) zijn")
        building = np.zeros(n, dtype=np.int64)
    heat = _float(p, "heat_demand_kwh", dwellings.heat_demand_kwh, n)
    temp = _float(p, "hp_supply_temp_c", dwellings.hp_supply_temp_c, n)
    ready = _float(p, "hp_ready_cost_eur", dwellings.hp_ready_cost_eur, n)
    dfloor = _float(p, "floor_area_m2", dwellings.floor_area_m2, n)
    apt = np.asarray(dwellings.is_apartment)
    if apt.ndim != 1 or apt.shape[0] != n:
        p.add("is_apartment", f"moet een rij van {n} waarden waar/onwaar zijn")
        apt = np.zeros(n, dtype=bool)
    att = None if dwellings.attachment is None else np.asarray(dwellings.attachment)
    if att is not None and (att.ndim != 1 or att.shape[0] != n):
        p.add("attachment", f"moet een rij van {n} woningtypes zijn")
    hs = None if dwellings.heating_system is None else np.asarray(dwellings.heating_system)
    if hs is not None and (hs.ndim != 1 or hs.shape[0] != n or hs.dtype.kind not in "iu"):
        p.add("heating_system", f"moet een rij van {n} gehele getallen (systeemcode) zijn")
    if len(p.items) == shape_problems:  # the dwellings' shapes are right: check their values
        checks = (
            (
                "zone",
                (zone_idx < 0) | (zone_idx >= z),
                f"zone-index moet tussen 0 en {z - 1} liggen",
            ),
            ("building", building < 0, "gebouw-index moet ≥ 0 zijn"),
            (
                "heat_demand_kwh",
                ~(np.isfinite(heat) & (heat >= 0)),
                "warmtevraag moet ≥ 0 kWh zijn",
            ),
            (
                "hp_supply_temp_c",
                ~(np.isfinite(temp) & (temp >= 0) & (temp <= 120)),
                "aanvoertemperatuur moet een getal tussen 0 en 120 °C zijn",
            ),
            (
                "hp_ready_cost_eur",
                ~(np.isfinite(ready) & (ready >= 0)),
                "kost om warmtepompklaar te maken moet ≥ 0 EUR zijn (0 als er niets nodig is)",
            ),
            (
                "floor_area_m2",
                ~(np.isfinite(dfloor) & (dfloor > 0)),
                "vloeroppervlakte moet > 0 m² zijn",
            ),
        )
        for name, bad_mask, message in checks:
            bad = np.flatnonzero(bad_mask)
            if bad.size:
                p.add(name, message, bad)
    p.raise_if_any()
    return (
        ZoneCostInputs(area, floor, street),
        DwellingCostInputs(
            zone=zone_idx.astype(np.int64),
            building=building.astype(np.int64),
            heat_demand_kwh=heat,
            hp_supply_temp_c=temp,
            hp_ready_cost_eur=ready,
            floor_area_m2=dfloor,
            is_apartment=apt.astype(bool),
            attachment=att,
            heating_system=None if hs is None else hs.astype(np.int64),
        ),
    )


# ---------------------------------------------------------------------- per-zone sums
class ZoneCostSums(NamedTuple):
    """What :func:`zone_lcoh` needs of each zone, summed once over its dwellings (shape (Z,)).

    Prices are the catalogue's central prices [EUR]; heat [kWh]; electricity and gas at the
    central performance [kWh]. ``*_house`` / ``*_flat``: houses and flats in apartment buildings.
    """

    heat_house_kwh: NDArray[np.float64]
    heat_flat_kwh: NDArray[np.float64]
    n_house: NDArray[np.float64]
    n_flat: NDArray[np.float64]
    hp_capex_house_eur: NDArray[np.float64]
    hp_capex_flat_eur: NDArray[np.float64]
    ready_house_eur: NDArray[np.float64]
    ready_flat_eur: NDArray[np.float64]
    hp_space_elec_house_kwh: NDArray[np.float64]
    hp_space_elec_flat_kwh: NDArray[np.float64]
    #: the hybrid strategy: hybrids where a gas boiler is there to pair with ...
    heat_hybrid_kwh: NDArray[np.float64]
    n_hybrid: NDArray[np.float64]
    hybrid_capex_eur: NDArray[np.float64]
    hybrid_space_elec_kwh: NDArray[np.float64]
    hybrid_space_gas_kwh: NDArray[np.float64]
    #: ... and an air/water heat pump in the other dwellings of the zone
    heat_no_hybrid_kwh: NDArray[np.float64]
    n_no_hybrid: NDArray[np.float64]
    hp_capex_no_hybrid_eur: NDArray[np.float64]
    ready_no_hybrid_eur: NDArray[np.float64]
    hp_space_elec_no_hybrid_kwh: NDArray[np.float64]
    collective_capex_eur: NDArray[np.float64]
    connection_capex_eur: NDArray[np.float64]
    trench_length_m: NDArray[np.float64]
    area_class: NDArray[np.int64]
    #: tap-water seasonal performance factor of the heat pump [-] and efficiency of the
    #: hybrid's boiler for tap water [-] (one value each, broadcast)
    hp_dhw_spf: float
    boiler_dhw_efficiency: float


def _spf_by_temperature(code: int, temp_c: NDArray[np.float64]) -> NDArray[np.float64]:
    """The core's SPF of heat pump ``code`` for space heat at each supply temperature.

    Evaluated exactly at each distinct temperature rounded to 0.1 K (at most 501 calls of
    :func:`sim.systems.seasonal_performance_factor` on 25..75 °C).
    """
    t = np.round(np.clip(temp_c, 25.0, HP_MAX_SUPPLY_C), 1)
    uniq, inverse = np.unique(t, return_inverse=True)
    spf = np.array([_spf(int(code), float(u)) for u in uniq])
    return np.asarray(spf[inverse.ravel()], dtype=np.float64)


@cache
def _spf(code: int, temp_c: float) -> float:
    return seasonal_performance_factor(code, temp_c)


@cache
def _dhw_spf(code: int) -> float:
    # tap water alone: no space-heating need; the design supply does not enter
    return seasonal_performance_factor(code, 55.0, np.zeros(12), dhw_kwh=1.0)


def zone_cost_sums(
    zones: ZoneCostInputs, dwellings: DwellingCostInputs, params: HeatCostParameters
) -> ZoneCostSums:
    """Sum per zone what the LCOH of each strategy needs (:class:`ZoneCostSums`).

    The heat pumps' prices, the hybrid's and the connection's come from the catalogue
    (:meth:`Catalogue.costs`), the collective heat pump's building price shared by floor area
    over the building's flats (:func:`scenarios.catalogue.building_share_cost`), performance from
    :mod:`sim.systems`. Raises :class:`sim.errors.InputError` (Dutch) on bad input.
    """
    zones, dw = _check_inputs(zones, dwellings)
    z = zones.n_zones
    cat = params.catalogue
    roles = params.measures
    tables = default_system_tables()
    apt = dw.is_apartment
    house = ~apt
    att = dw.attachment if dw.attachment is not None else np.where(apt, "apartment", "open")
    table = {"floor_area_m2": dw.floor_area_m2, "attachment": att}
    prices = cat.costs(
        table,
        [roles["individual_heat_pump"], roles["hybrid_heat_pump"], roles["network_connection"]],
    )
    hp_price, hybrid_price, conn_price = prices[:, 0], prices[:, 1], prices[:, 2]

    # collective heat pump: the building's price over its flats, shared by floor area
    coll = cat.measure(roles["collective_heat_pump"])
    b = dw.building
    nb = int(b.max()) + 1 if b.size else 0
    flat_floor = np.bincount(b, weights=np.where(apt, dw.floor_area_m2, 0.0), minlength=nb)
    flat_count = np.bincount(b, weights=apt.astype(np.float64), minlength=nb)
    totals = {
        BUILDING_TOTAL_COLUMNS["floor_area_m2"]: flat_floor[b],
        "building_n_dwellings": flat_count[b],
    }
    share = building_share_cost(
        {"floor_area_m2": dw.floor_area_m2},
        totals,
        {str(q): price for q, price in coll.cost.building.items()},
        coll.cost.fixed_eur,
        coll.effect,
    )
    coll_price = np.where(apt, share, 0.0)

    # performance: the heat pump at the supply its emitters need; where that is above the
    # catalogue's limit for a heat pump, the readiness measure was priced (hp_ready_cost_eur):
    # its new emitters' design temperature when it sets one, else the limit itself
    hp_measure = cat.measure(roles["individual_heat_pump"])
    hp_code = int(hp_measure.effect["heating_system"])
    t_max = float(hp_measure.applies_if["hp_supply_temp_c_max"])  # the loader checked it
    readiness = cat.measure(roles["heat_pump_readiness"]).effect
    t_ready = min(float(readiness.get("emitter_temp_c", t_max)), t_max)
    t_hp = np.where(dw.hp_supply_temp_c > t_max, t_ready, dw.hp_supply_temp_c)
    spf_hp = _spf_by_temperature(hp_code, t_hp)
    hy_code = int(cat.measure(roles["hybrid_heat_pump"]).effect["heating_system"])
    spf_hy = _spf_by_temperature(hy_code, dw.hp_supply_temp_c)
    boiler = int(tables.backup_code[hy_code])
    eta_boiler = boiler_efficiency(
        tables.eff_at_35c[boiler], tables.eff_at_70c[boiler], dw.hp_supply_temp_c
    )
    heat = dw.heat_demand_kwh
    # the hybrid needs a gas boiler to pair with: the catalogue's rule on the heating system
    if dw.heating_system is None:
        hyb = np.ones(heat.shape[0], dtype=bool)
    else:
        rule = cat.applicable(
            {"heating_system": dw.heating_system},
            [roles["hybrid_heat_pump"]],
            columns=["heating_system"],
        )[:, 0]
        hyb = rule | (dw.heating_system == hy_code)
    nohy = ~hyb

    def zsum(w: NDArray[Any]) -> NDArray[np.float64]:
        return np.asarray(
            np.bincount(dw.zone, weights=np.asarray(w, np.float64), minlength=z), dtype=np.float64
        )

    e = zones.floor_area_m2 / zones.area_m2
    width = effective_width_m(
        e,
        slope_m=params.value("effective_width_slope_m"),
        intercept_m=params.value("effective_width_intercept_m"),
        knee=params.value("effective_width_knee"),
        max_m=params.value("effective_width_max_m"),
    )
    trench = np.where(np.isnan(zones.street_length_m), zones.area_m2 / width, zones.street_length_m)
    return ZoneCostSums(
        heat_house_kwh=zsum(np.where(house, heat, 0.0)),
        heat_flat_kwh=zsum(np.where(apt, heat, 0.0)),
        n_house=zsum(house),
        n_flat=zsum(apt),
        hp_capex_house_eur=zsum(np.where(house, hp_price, 0.0)),
        hp_capex_flat_eur=zsum(np.where(apt, hp_price, 0.0)),
        ready_house_eur=zsum(np.where(house, dw.hp_ready_cost_eur, 0.0)),
        ready_flat_eur=zsum(np.where(apt, dw.hp_ready_cost_eur, 0.0)),
        hp_space_elec_house_kwh=zsum(np.where(house, heat / spf_hp, 0.0)),
        hp_space_elec_flat_kwh=zsum(np.where(apt, heat / spf_hp, 0.0)),
        heat_hybrid_kwh=zsum(np.where(hyb, heat, 0.0)),
        n_hybrid=zsum(hyb),
        hybrid_capex_eur=zsum(np.where(hyb, hybrid_price, 0.0)),
        hybrid_space_elec_kwh=zsum(np.where(hyb, heat / spf_hy, 0.0)),
        hybrid_space_gas_kwh=zsum(np.where(hyb, heat / eta_boiler, 0.0)),
        heat_no_hybrid_kwh=zsum(np.where(nohy, heat, 0.0)),
        n_no_hybrid=zsum(nohy),
        hp_capex_no_hybrid_eur=zsum(np.where(nohy, hp_price, 0.0)),
        ready_no_hybrid_eur=zsum(np.where(nohy, dw.hp_ready_cost_eur, 0.0)),
        hp_space_elec_no_hybrid_kwh=zsum(np.where(nohy, heat / spf_hp, 0.0)),
        collective_capex_eur=zsum(coll_price),
        connection_capex_eur=zsum(conn_price),
        trench_length_m=np.asarray(trench, dtype=np.float64),
        area_class=area_class(e, params),
        hp_dhw_spf=_dhw_spf(hp_code),
        boiler_dhw_efficiency=float(tables.dhw_efficiency[boiler]),
    )


# ---------------------------------------------------------------------- the Monte Carlo
def _lcoh_chunk(
    s: ZoneCostSums,
    sl: slice,
    v: Mapping[str, NDArray[np.float64]],
    f: Mapping[str, NDArray[np.float64]],
    lifetimes: Mapping[str, float],
    prices: tuple[float, float],
    c1c2: tuple[NDArray[np.float64], NDArray[np.float64]],
    transmission_eur: NDArray[np.float64] | None = None,
    source_price_eur_mwh: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """LCOH [EUR/MWh] of zones ``sl`` for every draw and strategy, shape (R + 1, C, S);
    ``transmission_eur`` and ``source_price_eur_mwh`` as in :func:`zone_lcoh` (shape (Z,))."""

    def col(x: NDArray[Any]) -> NDArray[np.float64]:
        return np.asarray(x[sl], dtype=np.float64)[None, :]

    def run(name: str) -> NDArray[np.float64]:
        return v[name][:, None]

    def fac(role: str) -> NDArray[np.float64]:
        return f[role][:, None]

    heat_h, heat_f = col(s.heat_house_kwh), col(s.heat_flat_kwh)
    heat_kwh = heat_h + heat_f
    n_h, n_f = col(s.n_house), col(s.n_flat)
    with np.errstate(divide="ignore", invalid="ignore"):
        heat_mwh = np.where(heat_kwh > 0, heat_kwh / 1000.0, np.nan)
    rate = run("discount_rate")
    a_hp = annuity_factor(rate, lifetimes["individual_heat_pump"])
    a_ready = annuity_factor(rate, lifetimes["heat_pump_readiness"])
    a_hy = annuity_factor(rate, lifetimes["hybrid_heat_pump"])
    a_col = annuity_factor(rate, lifetimes["collective_heat_pump"])
    a_conn = annuity_factor(rate, lifetimes["network_connection"])
    a_net = annuity_factor(rate, run("network_lifetime_years"))
    p_el = prices[0] * run("electricity_price_factor")  # EUR/kWh
    p_gas = prices[1] * run("gas_price_factor")
    dhw = run("dhw_share")
    spf_dhw = s.hp_dhw_spf

    out = np.empty((rate.shape[0], heat_kwh.shape[1], len(STRATEGIES)), dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # network: pipes after Persson & Werner over the heat sold, connections, source heat
        m = run("connection_rate")
        sold_mwh = m * heat_mwh
        trench = col(s.trench_length_m)
        lhd = sold_mwh * GJ_PER_MWH / trench
        d_a = average_pipe_diameter_m(
            lhd,
            slope_m=float(v["pipe_diameter_slope_m"][0]),
            intercept_m=float(v["pipe_diameter_intercept_m"][0]),
            min_m=float(v["pipe_diameter_min_m"][0]),
        )
        cls = s.area_class[sl]
        c1 = c1c2[0][cls][None, :] * run("pipe_cost_factor")
        c2 = c1c2[1][cls][None, :] * run("pipe_cost_factor")
        pipes_eur_gj = distribution_capital_cost_eur_gj(
            lhd, d_a, c1, c2, a_net + run("network_om_share")
        )
        connections = m * (
            col(s.connection_capex_eur) * fac("network_connection") * a_conn
            + (n_h + n_f) * run("substation_maintenance_eur")
        )
        price = run("heat_source_price_eur_mwh")
        if source_price_eur_mwh is not None:  # a given source's own price, where it has one
            given = col(source_price_eur_mwh)
            price = np.where(np.isnan(given), price, given)
        source = price / (1.0 - run("network_heat_loss_share"))
        out[:, :, 0] = pipes_eur_gj * GJ_PER_MWH + connections / sold_mwh + source
        if transmission_eur is not None:
            # the pipe from the source: its straight-line investment along the route, at the
            # pipes' cost level, annualised and maintained like the distribution pipes
            trans = (
                col(transmission_eur)
                * run("transmission_route_factor")
                * run("pipe_cost_factor")
                * (a_net + run("network_om_share"))
            )
            out[:, :, 0] += trans / sold_mwh

        # individual heat pumps (every dwelling) and the houses' part of the collective strategy
        ready_f = fac("heat_pump_readiness") * a_ready
        hp_f = fac("individual_heat_pump") * a_hp
        house_eur = (
            col(s.hp_capex_house_eur) * hp_f
            + col(s.ready_house_eur) * ready_f
            + ((1.0 - dhw) * col(s.hp_space_elec_house_kwh) + dhw * heat_h / spf_dhw) * p_el
            + n_h * run("heat_pump_maintenance_eur")
        )
        flat_individual_eur = (
            col(s.hp_capex_flat_eur) * hp_f
            + col(s.ready_flat_eur) * ready_f
            + ((1.0 - dhw) * col(s.hp_space_elec_flat_kwh) + dhw * heat_f / spf_dhw) * p_el
            + n_f * run("heat_pump_maintenance_eur")
        )
        out[:, :, 1] = (house_eur + flat_individual_eur) / heat_mwh

        # hybrid: heat pump for hp_share of the space heat, the boiler the rest and tap water,
        # where there is a gas boiler to pair with; an air/water heat pump in the other dwellings
        h = run("hybrid_hp_share")
        n_hy = col(s.n_hybrid)
        hybrid_eur = (
            col(s.hybrid_capex_eur) * fac("hybrid_heat_pump") * a_hy
            + (1.0 - dhw) * h * col(s.hybrid_space_elec_kwh) * p_el
            + (
                (1.0 - dhw) * (1.0 - h) * col(s.hybrid_space_gas_kwh)
                + dhw * col(s.heat_hybrid_kwh) / s.boiler_dhw_efficiency
            )
            * p_gas
            + n_hy * (run("gas_fixed_charge_eur") + run("hybrid_maintenance_eur"))
            + col(s.hp_capex_no_hybrid_eur) * hp_f
            + col(s.ready_no_hybrid_eur) * ready_f
            + (
                (1.0 - dhw) * col(s.hp_space_elec_no_hybrid_kwh)
                + dhw * col(s.heat_no_hybrid_kwh) / spf_dhw
            )
            * p_el
            + col(s.n_no_hybrid) * run("heat_pump_maintenance_eur")
        )
        out[:, :, 2] = np.where(n_hy > 0, hybrid_eur / heat_mwh, np.nan)

        # collective heat pump per apartment building, the houses individual
        flat_collective_eur = (
            col(s.collective_capex_eur) * fac("collective_heat_pump") * a_col
            + col(s.ready_flat_eur) * ready_f
            + ((1.0 - dhw) * col(s.hp_space_elec_flat_kwh) + dhw * heat_f / spf_dhw) * p_el
            + n_f * run("collective_maintenance_eur")
        )
        collective = (house_eur + flat_collective_eur) / heat_mwh
        out[:, :, 3] = np.where(n_f > 0, collective, np.nan)
    return out


#: The percentiles of the LCOH reported per zone and strategy.
PERCENTILES: tuple[float, ...] = (10.0, 50.0, 90.0)


def percentiles_over_runs(
    values: NDArray[np.float64], q: Sequence[float] = PERCENTILES
) -> NDArray[np.float64]:
    """Percentiles over the first axis (runs), as ``np.percentile(values, q, axis=0)`` (linear).

    The runs are sorted along a contiguous last axis (NumPy's vectorised sort), which is several
    times faster than ``np.percentile`` over a strided axis; a series with NaN gives NaN.

    Examples
    --------
    >>> x = np.arange(11.0)[:, None]
    >>> percentiles_over_runs(x, (10.0, 55.0))[:, 0].tolist()
    [1.0, 5.5]
    """
    # a C-contiguous copy with the runs last (np.sort would keep the strided layout)
    x = np.ascontiguousarray(np.moveaxis(np.asarray(values, dtype=np.float64), 0, -1))
    x.sort(axis=-1)
    n = x.shape[-1]
    out = np.empty((len(q), *x.shape[:-1]), dtype=np.float64)
    for k, qk in enumerate(q):
        pos = (n - 1) * float(qk) / 100.0
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        g = pos - lo
        a, b = x[..., lo], x[..., hi]
        # numpy's linear interpolation (lerp from the nearer end)
        out[k] = np.where(g >= 0.5, b - (b - a) * (1.0 - g), a + (b - a) * g)
    nan = np.isnan(x[..., -1])  # the sort puts NaN last
    out[:, nan] = np.nan
    return out


@dataclass(frozen=True)
class LcohResult:
    """Levelised cost of heat per zone and strategy, its spread and the advice.

    Attributes
    ----------
    strategies : tuple of str
        :data:`STRATEGIES`, the order of the strategy axis S.
    central : ndarray, shape (Z, S)
        LCOH at the central values (draw 0) [EUR/MWh]; NaN where a strategy does not apply
        (``collective_hp`` without apartment buildings, ``hybrid`` where no dwelling has a gas
        boiler to pair with) or the zone has no heat demand.
    p10, p50, p90 : ndarray, shape (Z, S)
        Percentiles over the random runs [EUR/MWh] (the central value when runs = 0).
    p_cheapest : ndarray, shape (Z, S)
        Share of the random runs in which the strategy is the cheapest; sums to 1 over the
        available strategies of a zone; 0 for a strategy that does not apply; NaN for a zone
        without heat demand.
    advice : ndarray of str, shape (Z,)
        "warmtenet", "individueel", "hybride" or "nader onderzoeken".
    advice_probability : ndarray, shape (Z,)
        Probability of the advice word (sum over its strategies); for "nader onderzoeken" the
        probability of the most probable word; NaN for a zone without heat demand.
    advice_strategy : ndarray of str, shape (Z,)
        The strategy most often cheapest ("" for a zone without heat demand).
    runs : int
        Number of random runs R.
    lcoh_runs : ndarray, shape (Z, S, R + 1), or None
        Every draw's LCOH (``keep_runs=True`` only; row 0 central).
    """

    strategies: tuple[str, ...]
    central: NDArray[np.float64]
    p10: NDArray[np.float64]
    p50: NDArray[np.float64]
    p90: NDArray[np.float64]
    p_cheapest: NDArray[np.float64]
    advice: NDArray[np.object_]
    advice_probability: NDArray[np.float64]
    advice_strategy: NDArray[np.object_]
    runs: int
    lcoh_runs: NDArray[np.float64] | None = field(default=None, repr=False)

    def frame(self) -> pd.DataFrame:
        """One row per zone: ``lcoh_<strategy>_p10/_p50/_p90_eur_mwh``, ``p_cheapest_<strategy>``,
        ``advice``, ``advice_probability``, ``advice_strategy``."""
        cols: dict[str, Any] = {}
        for j, s in enumerate(self.strategies):
            cols[f"lcoh_{s}_p10_eur_mwh"] = self.p10[:, j]
            cols[f"lcoh_{s}_p50_eur_mwh"] = self.p50[:, j]
            cols[f"lcoh_{s}_p90_eur_mwh"] = self.p90[:, j]
        for j, s in enumerate(self.strategies):
            cols[f"p_cheapest_{s}"] = self.p_cheapest[:, j]
        cols["advice"] = self.advice
        cols["advice_probability"] = self.advice_probability
        cols["advice_strategy"] = self.advice_strategy
        return pd.DataFrame(cols)


def advise(
    p_cheapest: NDArray[np.float64], threshold: float
) -> tuple[NDArray[np.object_], NDArray[np.float64]]:
    """Advice word and its probability from the strategies' probabilities of being cheapest.

    Parameters
    ----------
    p_cheapest : ndarray, shape (Z, S)
        In the order of :data:`STRATEGIES`; a row of NaN is a zone without heat demand.
    threshold : float
        Least probability of the winning word; below it "nader onderzoeken".

    Examples
    --------
    >>> words, prob = advise(np.array([[0.1, 0.5, 0.1, 0.3], [0.5, 0.2, 0.3, 0.0]]), 0.6)
    >>> words.tolist(), prob.round(2).tolist()
    (['individueel', 'nader onderzoeken'], [0.8, 0.5])
    """
    p = np.asarray(p_cheapest, dtype=np.float64)
    words = np.zeros((p.shape[0], len(ADVICE_WORDS)))
    for j, s in enumerate(STRATEGIES):
        words[:, ADVICE_WORDS.index(ADVICE_OF_STRATEGY[s])] += p[:, j]
    nodata = np.isnan(words).any(axis=1)
    best = np.argmax(np.where(np.isnan(words), -1.0, words), axis=1)
    prob = words[np.arange(p.shape[0]), best]
    advice = np.asarray(ADVICE_WORDS, dtype=object)[best]
    advice = np.where(nodata | (prob < threshold), ADVICE_UNDECIDED, advice).astype(object)
    return advice, np.where(nodata, np.nan, prob)


def zone_lcoh(
    zones: ZoneCostInputs,
    dwellings: DwellingCostInputs,
    params: HeatCostParameters | None = None,
    *,
    year: int,
    runs: int = 200,
    seed: int = 0,
    chunk_zones: int = 4096,
    keep_runs: bool = False,
    transmission_eur: ArrayLike | None = None,
    source_price_eur_mwh: ArrayLike | None = None,
) -> LcohResult:
    """Levelised cost of heat per zone and strategy with its Monte Carlo, and the advice.

    Parameters
    ----------
    zones : ZoneCostInputs
        Z zones.
    dwellings : DwellingCostInputs
        N dwellings of one year, each with its zone index.
    params : HeatCostParameters, optional
        Default the shipped parameters, catalogue and policy (:func:`shipped_parameters`).
    year : int
        Year of the energy prices (``params.policy.prices``).
    runs : int
        Random Monte Carlo runs R (0: the central values only).
    seed : int
        Seed of the draws (:meth:`HeatCostParameters.sample`).
    chunk_zones : int
        Zones computed at once: memory ~ 8 × (R + 1) × chunk × S × 10 bytes.
    keep_runs : bool
        Keep every draw's LCOH (shape (Z, S, R + 1); for small Z only).
    transmission_eur : array_like, shape (Z,), optional
        The zone's share of the straight-line investment in the transmission pipe from its
        heat source [EUR] (``scenarios.heat.sources``; 0 where none). Each draw multiplies it by
        ``transmission_route_factor`` and ``pipe_cost_factor``, annualises it with the network's
        annuity plus ``network_om_share`` and adds it over the heat sold to the network's LCOH.
    source_price_eur_mwh : array_like, shape (Z,), optional
        Price of the heat of the zone's source [EUR/MWh] in place of
        ``heat_source_price_eur_mwh`` (the same in every draw); NaN where the parameter holds.

    Returns
    -------
    LcohResult
    """
    prm = shipped_parameters() if params is None else params
    sums = zone_cost_sums(zones, dwellings, prm)
    draws = prm.sample(runs, seed)
    return lcoh_from_sums(
        sums,
        draws,
        prm,
        year=year,
        chunk_zones=chunk_zones,
        keep_runs=keep_runs,
        transmission_eur=transmission_eur,
        source_price_eur_mwh=source_price_eur_mwh,
    )


def lcoh_from_sums(
    sums: ZoneCostSums,
    draws: HeatCostDraws,
    params: HeatCostParameters,
    *,
    year: int,
    chunk_zones: int = 4096,
    keep_runs: bool = False,
    transmission_eur: ArrayLike | None = None,
    source_price_eur_mwh: ArrayLike | None = None,
) -> LcohResult:
    """:func:`zone_lcoh` from zone sums and draws made before (e.g. one draw for several years)."""
    z = int(sums.heat_house_kwh.shape[0])
    extra = {
        name: None if x is None else np.asarray(x, dtype=np.float64)
        for name, x in (
            ("transmission_eur", transmission_eur),
            ("source_price_eur_mwh", source_price_eur_mwh),
        )
    }
    problems = Problems("warmtebron per zone")
    for name, x in extra.items():
        if x is not None and x.shape != (z,):
            problems.add(name, f"moet één waarde per zone zijn ({z}), nu vorm {x.shape}")
        elif x is not None and not ((np.isfinite(x) & (x >= 0)) | np.isnan(x)).all():
            problems.add(name, "moet ≥ 0 zijn (of leeg waar geen bron)")
    t = extra["transmission_eur"]
    if t is not None and t.shape == (z,) and np.isnan(t).any():
        problems.add("transmission_eur", "moet een getal zijn (0 waar geen leiding)")
    problems.raise_if_any()
    r = draws.runs
    price = params.policy.prices(year)
    prices = (float(price["electricity"]), float(price["natural_gas"]))
    lifetimes = {role: params.lifetime_years(role) for role in MEASURE_ROLES}
    c1c2 = construction_costs(params)
    ns = len(STRATEGIES)
    central = np.full((z, ns), np.nan)
    pct = np.full((3, z, ns), np.nan)
    p_cheapest = np.full((z, ns), np.nan)
    kept = np.full((z, ns, r + 1), np.nan) if keep_runs else None
    step = max(1, int(chunk_zones))
    for start in range(0, z, step):
        sl = slice(start, min(z, start + step))
        lc = _lcoh_chunk(
            sums,
            sl,
            draws.values,
            draws.cost_factors,
            lifetimes,
            prices,
            c1c2,
            extra["transmission_eur"],
            extra["source_price_eur_mwh"],
        )
        central[sl] = lc[0]
        rnd = lc[1:] if r > 0 else lc[:1]
        pct[:, sl] = percentiles_over_runs(rnd, PERCENTILES)
        # the network applies wherever there is heat
        has_heat = np.asarray(~np.isnan(rnd[..., 0]).all(axis=0), dtype=bool)
        cheapest = np.argmin(np.where(np.isnan(rnd), np.inf, rnd), axis=2)
        counts = np.stack([(cheapest == j).sum(axis=0) for j in range(ns)], axis=1)
        p = counts / float(rnd.shape[0])
        p_cheapest[sl] = np.where(has_heat[:, None], p, np.nan)
        if kept is not None:
            kept[sl] = np.moveaxis(lc, 0, 2)
    advice, prob = advise(p_cheapest, params.value("advice_threshold"))
    best = np.argmax(np.nan_to_num(p_cheapest, nan=-1.0), axis=1)
    strategy = np.where(
        np.isnan(p_cheapest).all(axis=1), "", np.asarray(STRATEGIES, dtype=object)[best]
    ).astype(object)
    return LcohResult(
        strategies=STRATEGIES,
        central=central,
        p10=pct[0],
        p50=pct[1],
        p90=pct[2],
        p_cheapest=p_cheapest,
        advice=advice,
        advice_probability=prob,
        advice_strategy=strategy,
        runs=r,
        lcoh_runs=kept,
    )


__all__ = [
    "ADVICE_FAR_SOURCE",
    "ADVICE_FIXED",
    "ADVICE_MODEL",
    "ADVICE_OF_STRATEGY",
    "ADVICE_SMALL_AREA",
    "ADVICE_UNDECIDED",
    "ADVICE_WORDS",
    "AREA_CLASSES",
    "MEASURE_ROLES",
    "PARAMETER_NAMES",
    "PERCENTILES",
    "STRATEGIES",
    "DwellingCostInputs",
    "HeatCostDraws",
    "HeatCostParameter",
    "HeatCostParameters",
    "LcohResult",
    "ParameterOverride",
    "ZoneCostInputs",
    "ZoneCostSums",
    "advise",
    "annuity_factor",
    "area_class",
    "average_pipe_diameter_m",
    "construction_costs",
    "distribution_capital_cost_eur_gj",
    "effective_width_m",
    "lcoh_from_sums",
    "percentiles_over_runs",
    "shipped_parameters",
    "zone_cost_sums",
    "zone_lcoh",
]
