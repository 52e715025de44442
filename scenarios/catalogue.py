"""The catalogue of renovation measures, shipped as versioned data (``scenarios/data/measures.yaml``).

A measure has an *effect* on the core's inputs (a mapping onto the variant fields of
:mod:`sim.variants`), a *cost* as a function of the dwelling's size and *rules* saying for which
dwellings it applies. :func:`load_catalogue` reads and validates the file; every problem is
collected and raised once as :class:`sim.errors.InputError`, each with its place in the file
(``measures[3].cost.basis``) and a Dutch message.

All dwelling-level functions are vectorised over the N rows of a *table* in the twin schema
(``docs/twin_schema.md``) and return arrays of shape (N, M) for M measures or packages. A table
is a DataFrame or a mapping of column names to equally long arrays (:data:`Table`): the
candidates judge thousands of states per second on plain arrays, without building a DataFrame
for each.

Combining measures in one package (:meth:`Catalogue.variants`): the additive fields
(``r_add_*_m2kw``, ``pv_kwp_add``) add up; every other field (limits, codes, temperatures,
fractions) is taken from the *last* measure in the package that sets it ("last wins").

Shared building projects (cost basis ``building_share``): the project is priced on the totals
of the whole building (its roof, façades, ground floor, floor area, dwellings or PV power) and
each dwelling pays the share of its floor area, so the shares of one building's dwellings add
up to the building's cost. The totals come from the twin's ``building_*`` columns
(:data:`BUILDING_TOTAL_COLUMNS`), or, for a frame without them, from the rows of each
``building_id`` in the frame, which must then hold every dwelling of the building.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from scenarios.io_yaml import (
    CachingModel,
    FileProblems,
    pydantic_message_nl,
    read_yaml_file,
    read_yaml_text,
)
from sim._jit import jit
from sim.core import HP_MAX_SUPPLY_C, hp_too_hot
from sim.errors import Problems
from sim.stock import HEATING_SYSTEM_CODES, SPACE_HEATING_CODES, VENTILATION_CODES
from sim.systems import default_system_tables
from sim.variants import VARIANT_FIELDS, VariantArrays

#: Dwelling rows in the twin schema: a DataFrame, or a mapping of column names to equally long
#: arrays (what :func:`scenarios.candidates.build_candidates` passes for each state it judges).
Table = pd.DataFrame | Mapping[str, Any]

Basis = Literal[
    "roof_area_m2",
    "wall_area_m2",
    "ground_floor_area_m2",
    "window_area_m2",
    "floor_area_m2",
    "per_dwelling",
    "per_kwp",
    "building_share",
]
#: What a shared building project (basis ``building_share``) is priced on: building totals.
#: Bases priced per m² of an area: the area is the measure's size (``Catalogue.areas``), on which
#: premiums capped per m² are computed.
AREA_BASES: tuple[str, ...] = (
    "roof_area_m2",
    "wall_area_m2",
    "ground_floor_area_m2",
    "window_area_m2",
    "floor_area_m2",
)
BuildingQuantity = Literal[
    "roof_area_m2",
    "wall_area_m2",
    "ground_floor_area_m2",
    "window_area_m2",
    "floor_area_m2",
    "per_dwelling",
    "per_kwp",
]
Attachment = Literal["open", "halfopen", "gesloten", "apartment"]

#: Window-area columns whose sum is the ``window_area_m2`` basis / rule column.
WINDOW_COLUMNS = (
    "window_area_h_m2",
    "window_area_n_m2",
    "window_area_e_m2",
    "window_area_s_m2",
    "window_area_w_m2",
)
#: Twin columns usable in ``applies_if`` with ``_min`` / ``_max`` (``window_area_m2`` is derived).
RULE_NUMERIC_COLUMNS = (
    "construction_year",
    "storeys",
    "n_dwellings_in_building",
    "floor_area_m2",
    "roof_area_m2",
    "wall_area_m2",
    "ground_floor_area_m2",
    "window_area_m2",
    "u_roof_w_m2k",
    "u_wall_w_m2k",
    "u_floor_w_m2k",
    "u_window_w_m2k",
    "infiltration_ach",
    "pv_kwp",
    "hp_supply_temp_c",
)
#: Twin columns usable in ``applies_if`` with ``_in``.
RULE_CATEGORICAL_COLUMNS = ("attachment", "heating_system", "ventilation_system", "dhw_system")
#: Every valid ``applies_if`` key.
RULE_KEYS: frozenset[str] = frozenset(
    [f"{c}_min" for c in RULE_NUMERIC_COLUMNS]
    + [f"{c}_max" for c in RULE_NUMERIC_COLUMNS]
    + [f"{c}_in" for c in RULE_CATEGORICAL_COLUMNS]
)
#: Twin columns with the building totals of the areas (``buildings.twin``; docs/twin_schema.md).
BUILDING_TOTAL_COLUMNS: dict[str, str] = {
    q: f"building_{q}"
    for q in (
        "roof_area_m2",
        "wall_area_m2",
        "ground_floor_area_m2",
        "window_area_m2",
        "floor_area_m2",
    )
}
_ADDITIVE = ("r_add_roof_m2kw", "r_add_wall_m2kw", "r_add_floor_m2kw", "pv_kwp_add")
_CODES: dict[str, NDArray[np.int64]] = {
    "ventilation_system": VENTILATION_CODES,
    "heating_system": SPACE_HEATING_CODES,
    "dhw_system": HEATING_SYSTEM_CODES,
}
_SHIPPED = "measures.yaml"
#: Heating-system codes whose supply temperature is limited: the core's rule (``hp_too_hot``)
#: decides which kinds (heat pumps alone; a hybrid's boiler covers the peak).
_HEAT_PUMP_CODES: frozenset[int] = frozenset(
    code
    for code, kind in enumerate(default_system_tables().kind.tolist())
    if hp_too_hot(int(kind), HP_MAX_SUPPLY_C + 1.0)
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cost(_Model):
    """Price of a measure as a function of size [EUR incl. VAT].

    With basis ``building_share``, ``building`` gives the price per unit of each building total
    [EUR/m², EUR per dwelling, EUR/kWp] and ``fixed_eur`` is per building; the dwelling pays its
    floor-area share. Every other basis needs ``eur_per_unit`` and has ``fixed_eur`` per dwelling.
    """

    basis: Basis
    eur_per_unit: float | None = Field(default=None, ge=0)
    building: dict[BuildingQuantity, float] = Field(default_factory=dict)
    fixed_eur: float = Field(default=0.0, ge=0)
    by_attachment: dict[Attachment, float] = Field(default_factory=dict)
    #: Cost range as multipliers on the central cost (``low ≤ 1 ≤ high``); the Monte Carlo draws
    #: each measure's cost level per run between them (:meth:`Catalogue.cost_factors`).
    low: float = Field(default=1.0, gt=0)
    high: float = Field(default=1.0, gt=0)
    by_attachment_source: str | None = None
    #: Where the size dependence comes from (the split of a price into a per-unit and a fixed
    #: part), where it is not the price source itself.
    basis_source: str | None = None
    lifetime_years: int = Field(gt=0)
    lifetime_source: str | None = None
    collective_discount: float = Field(default=0.0, ge=0, lt=1)
    collective_source: str | None = None


class Measure(_Model):
    """One renovation measure: effect, cost and applicability rules."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_nl: str
    category: Literal["envelope", "ventilation", "heating", "renewable"]
    effect: dict[str, float] = Field(min_length=1)
    cost: Cost
    # rule values are checked in _semantic_problems (closed set of keys, number or list)
    applies_if: dict[str, Any] = Field(default_factory=dict)
    source: str
    effect_source: str | None = None


class Package(_Model):
    """A named package of catalogue measures (the demo's renovation packages): its variant is
    the measures combined by :meth:`Catalogue.variants`."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_nl: str = Field(min_length=1)
    description_nl: str = Field(min_length=1)
    measures: list[str] = Field(min_length=1)


class Assumption(_Model):
    """A project assumption: why the value was chosen and the range it may take."""

    reason: str = Field(min_length=1)
    range: str = Field(min_length=1)


class Catalogue(CachingModel):
    """The validated measures catalogue; see the module notes."""

    schema_version: Literal[1]
    currency: Literal["EUR"]
    price_year: int = Field(ge=2000, le=2100)
    vat_note: str | None = None
    sources: dict[str, str] = Field(min_length=1)
    assumptions: dict[str, Assumption] = Field(default_factory=dict)
    measures: list[Measure] = Field(min_length=1)
    packages: list[Package] = Field(default_factory=list)
    # variants built so far, by (packages, names): building one costs milliseconds and the same
    # measures are asked for again and again (a trajectory per request in the service)
    _variant_cache: dict[Any, VariantArrays] = PrivateAttr(default_factory=dict)
    _rule_column_cache: dict[tuple[str, ...], list[str]] = PrivateAttr(default_factory=dict)
    _rules_cache: dict[str, list[tuple[str, str, Any]]] = PrivateAttr(default_factory=dict)
    _program_cache: dict[Any, RuleProgram] = PrivateAttr(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        """Measure ids in file order."""
        return [m.id for m in self.measures]

    def sorted_ids(self, measure_ids: Iterable[str]) -> list[str]:
        """The distinct ``measure_ids`` in file order (unknown ids are left out)."""
        wanted = set(measure_ids)
        return [m.id for m in self.measures if m.id in wanted]

    def measure(self, measure_id: str) -> Measure:
        """The measure with id ``measure_id`` (:class:`InputError` if unknown)."""
        return self._lookup([[measure_id]])[0][0]

    # -- sources, assumptions and cost ranges -------------------------------------------------
    def references(self) -> list[tuple[str, str, str]]:
        """Every (measure id, field, reference id) of the catalogue: where each number's source
        or assumption is named (``source`` is the price, the other fields their own value)."""
        out: list[tuple[str, str, str]] = []
        for m in self.measures:
            refs = {
                "source": m.source,
                "effect_source": m.effect_source,
                "cost.lifetime_source": m.cost.lifetime_source,
                "cost.by_attachment_source": m.cost.by_attachment_source,
                "cost.basis_source": m.cost.basis_source,
                "cost.collective_source": m.cost.collective_source,
            }
            out.extend((m.id, k, v) for k, v in refs.items() if v is not None)
        return out

    def assumptions_table(self) -> list[dict[str, str]]:
        """The catalogue's project assumptions, each with the measures and fields that use it.

        Returns
        -------
        list of dict
            ``{"id", "reason", "range", "used_by"}`` per entry of ``assumptions`` in file order;
            ``used_by`` lists ``measure.field`` (e.g. ``roof_insulation.source``).
        """
        used: dict[str, list[str]] = {k: [] for k in self.assumptions}
        for mid, field, ref in self.references():
            if ref in used:
                used[ref].append(f"{mid}.{field}")
        return [
            {"id": k, "reason": a.reason, "range": a.range, "used_by": ", ".join(used[k])}
            for k, a in self.assumptions.items()
        ]

    def cost_factors(self, measure_ids: Sequence[str], runs: int, seed: int) -> NDArray[np.float64]:
        """Cost level of each measure per Monte Carlo run, as a multiplier on its central cost.

        Parameters
        ----------
        measure_ids : list of str
            M measures.
        runs : int
            R sampled runs.
        seed : int
            The scenario's seed; the draws come from ``numpy.random.default_rng([seed, 2])``
            (stream 1 is the scenario's global factors), measure after measure in the order given,
            so the same seed and measures give the same draws.

        Returns
        -------
        ndarray, shape (R + 1, M)
            Row 0 is the central run (1 for every measure); rows 1.. are triangular draws between
            the measure's ``low`` and ``high`` with mode 1 (the central cost). A measure with
            ``low == high == 1`` stays at 1.
        """
        measures = [self.measure(i) for i in measure_ids]
        rng = np.random.default_rng([int(seed), 2])
        out = np.ones((int(runs) + 1, len(measures)), dtype=np.float64)
        for j, m in enumerate(measures):
            lo, hi = m.cost.low, m.cost.high
            if runs > 0 and hi > lo:
                out[1:, j] = rng.triangular(lo, 1.0, hi, int(runs))
        return out

    # -- packages -----------------------------------------------------------------------------
    def _lookup(self, packages: list[list[str]]) -> list[list[Measure]]:
        by_id = {m.id: m for m in self.measures}
        problems = Problems("maatregelselectie")
        for j, pkg in enumerate(packages):
            if not pkg:
                problems.add(f"pakket[{j}]", "een pakket moet minstens één maatregel bevatten")
            for mid in pkg:
                if mid not in by_id:
                    problems.add(
                        f"pakket[{j}]",
                        f"onbekende maatregel {mid!r}; bekend zijn {', '.join(self.ids)}",
                    )
        problems.raise_if_any()
        return [[by_id[mid] for mid in pkg] for pkg in packages]

    def variants(
        self,
        measure_ids: Sequence[Sequence[str]] | Sequence[str],
        names: Sequence[str] | None = None,
    ) -> VariantArrays:
        """The core variants of measures or packages of measures.

        Parameters
        ----------
        measure_ids : list of str or list of list of str
            One variant per measure id, or one variant per package (list of ids; an empty
            list is the current state).
        names : list of str, optional
            Variant names; default the ids of each package joined by ``+``.

        Returns
        -------
        sim.variants.VariantArrays
            P variants. Within a package ``r_add_*`` and ``pv_kwp_add`` add up; any other field
            is taken from the last measure that sets it.
        """
        packages = _as_packages(measure_ids)
        cache_key = (tuple(map(tuple, packages)), None if names is None else tuple(names))
        if cache_key in self._variant_cache:
            return self._variant_cache[cache_key]
        # an empty package is the current state (a variant that keeps everything)
        nonempty = [p for p in packages if p]
        found = iter(self._lookup(nonempty) if nonempty else [])
        measures = [next(found) if p else [] for p in packages]
        if names is None:
            names = ["+".join(p) for p in packages]
        if len(names) != len(packages):
            problems = Problems("maatregelselectie")
            problems.add("names", f"{len(names)} namen voor {len(packages)} pakketten")
            problems.raise_if_any()
        rows: list[dict[str, Any]] = []
        for name, pkg in zip(names, measures, strict=True):
            row: dict[str, Any] = {"name": name}
            for m in pkg:
                for key, value in m.effect.items():
                    if key in _ADDITIVE:
                        row[key] = row.get(key, 0.0) + value
                    else:
                        row[key] = value  # last wins
            rows.append(row)
        frame = pd.DataFrame(rows, columns=["name", *VARIANT_FIELDS])
        out = VariantArrays.from_frame(frame, what="maatregelencatalogus")
        self._variant_cache[cache_key] = out
        return out

    def package_variants(self) -> VariantArrays:
        """The catalogue's packages as core variants, the current state (``current``) first:
        what ``wijk demo`` simulates for every dwelling (no applicability rules: a package is
        a what-if for the whole stock)."""
        return self.variants(
            [[], *(p.measures for p in self.packages)],
            names=["current", *(p.id for p in self.packages)],
        )

    def package_names(self) -> dict[str, tuple[str, str]]:
        """Per variant of :meth:`package_variants`: its Dutch name and description."""
        return {
            "current": ("Huidige toestand", "Huidige toestand"),
            **{p.id: (p.label_nl, p.description_nl) for p in self.packages},
        }

    # -- costs --------------------------------------------------------------------------------
    def costs(
        self,
        dwellings: Table,
        measure_ids: Sequence[Sequence[str]] | Sequence[str],
        collective: bool = False,
    ) -> NDArray[np.float64]:
        """Investment cost of each measure or package for each dwelling.

        Parameters
        ----------
        dwellings : Table
            N dwellings in the twin schema; needs the columns of the cost bases used and
            ``attachment`` when a measure has ``by_attachment`` multipliers.
        measure_ids : list of str or list of list of str
            M measures, or M packages (a package costs the sum of its measures).
        collective : bool
            Apply each measure's ``collective_discount`` (group purchase, shared scaffolding).

        Returns
        -------
        ndarray, shape (N, M)
            Cost [EUR incl. VAT, price year of the catalogue]. NaN where a needed size is NaN.
        """
        packages = self._lookup(_as_packages(measure_ids))
        needed = {m.cost.basis for pkg in packages for m in pkg}
        columns: set[str] = set()
        for b in needed:
            if b == "window_area_m2":
                columns.update(WINDOW_COLUMNS)
            elif b == "building_share":
                columns.update(("building_id", "floor_area_m2"))
            elif b not in ("per_dwelling", "per_kwp"):
                columns.add(b)
        if any(m.cost.by_attachment for pkg in packages for m in pkg):
            columns.add("attachment")
        _require(dwellings, columns)
        totals = _building_total_arrays(dwellings) if "building_share" in needed else {}
        n = table_rows(dwellings)
        out = np.zeros((n, len(packages)), dtype=np.float64)
        for j, pkg in enumerate(packages):
            for m in pkg:
                out[:, j] += self._measure_cost(dwellings, m, collective, totals)
        return out

    def collective_factors(self, measure_ids: Sequence[str]) -> NDArray[np.float64]:
        """Per measure, the collective price over the individual one: ``1 - collective_discount``
        (:meth:`costs` with ``collective`` is :meth:`costs` without, times these)."""
        return np.asarray([1.0 - self.measure(m).cost.collective_discount for m in measure_ids])

    def areas(self, dwellings: Table, measure_ids: Sequence[str]) -> NDArray[np.float64]:
        """Area each measure works on [m²], shape (N, M); NaN for measures not priced per m².

        This is the size of the cost basis (roof, wall, ground floor, window or floor area), which
        is also what premiums capped per m² are computed on.
        """
        measures = [self.measure(i) for i in measure_ids]
        columns: set[str] = set()
        for m in measures:
            if m.cost.basis == "window_area_m2":
                columns.update(WINDOW_COLUMNS)
            elif m.cost.basis in AREA_BASES:
                columns.add(m.cost.basis)
        _require(dwellings, columns)
        out = np.full((table_rows(dwellings), len(measures)), np.nan)
        for j, m in enumerate(measures):
            if m.cost.basis in AREA_BASES:
                out[:, j] = _numeric(dwellings, m.cost.basis)
        return out

    @staticmethod
    def _measure_cost(
        dwellings: Table, m: Measure, collective: bool, totals: Mapping[str, Any]
    ) -> NDArray[np.float64]:
        c = m.cost
        n = table_rows(dwellings)
        if c.basis == "building_share":
            prices = {str(q): price for q, price in c.building.items()}
            cost = building_share_cost(dwellings, totals, prices, c.fixed_eur, m.effect)
        else:
            if c.basis == "per_dwelling":
                qty = np.ones(n)
            elif c.basis == "per_kwp":
                qty = np.full(n, m.effect.get("pv_kwp_add", 0.0))
            else:
                qty = _numeric(dwellings, c.basis)
            cost = (c.eur_per_unit or 0.0) * qty + c.fixed_eur
        if c.by_attachment:
            factors = {str(k): v for k, v in c.by_attachment.items()}
            att = table_column(dwellings, "attachment")
            mult = np.asarray([factors.get(str(a), 1.0) for a in att], dtype=np.float64)
            cost = cost * mult
        if collective:
            cost = cost * (1.0 - c.collective_discount)
        return np.asarray(cost, dtype=np.float64)

    # -- applicability ------------------------------------------------------------------------
    def _rule_failures(
        self, dwellings: Table, m: Measure, reasons: bool = True
    ) -> list[tuple[NDArray[np.bool_], NDArray[np.object_] | None]]:
        """For each rule of ``m``: (fails, reason per dwelling, or None without ``reasons``);
        whether it holds is :func:`_rule_holds`, as for :meth:`applicable`."""
        out: list[tuple[NDArray[np.bool_], NDArray[np.object_] | None]] = []
        for col, op, bound in self._compiled_rules(m):
            fails = ~_rule_holds(dwellings, col, op, bound)
            reason = None
            if reasons and op in ("words", "codes"):
                allowed = m.applies_if[f"{col}_in"]
                allowed = list(allowed) if isinstance(allowed, list) else [allowed]
                raw = table_column(dwellings, col) if op == "words" else _numeric(dwellings, col)
                reason = np.asarray(
                    [f"{col} = {_num(x)} niet in {allowed}" for x in raw.tolist()], dtype=object
                )
            elif reasons:
                x = _numeric(dwellings, col)
                sign = "<" if op == "min" else ">"
                reason = np.where(
                    np.isnan(x),
                    f"{col} onbekend",
                    np.char.add(np.char.add(f"{col} = ", x.astype(str)), f" {sign} {bound:g}"),
                ).astype(object)
            out.append((fails, reason))
        return out

    def _needed_rule_columns(self, packages: list[list[Measure]]) -> set[str]:
        cols: set[str] = set()
        for pkg in packages:
            for m in pkg:
                for key in m.applies_if:
                    cols.update(_rule_inputs(key.rsplit("_", 1)[0]))
        return cols

    def rule_columns(self, measure_ids: Sequence[str] | None = None) -> list[str]:
        """Twin columns the applicability rules of ``measure_ids`` (default: all) read."""
        ids = tuple(self.ids if measure_ids is None else measure_ids)
        if ids not in self._rule_column_cache:
            found = self._needed_rule_columns(self._lookup([[m] for m in ids]))
            self._rule_column_cache[ids] = sorted(found)
        return list(self._rule_column_cache[ids])

    def applicable(
        self,
        dwellings: Table,
        measure_ids: Sequence[Sequence[str]] | Sequence[str],
        columns: Collection[str] | None = None,
    ) -> NDArray[np.bool_]:
        """Whether each measure (or every measure of each package) applies to each dwelling.

        Rules judge the dwelling as it is now (before any measure). A NaN value fails a
        ``_min``/``_max`` rule. With ``columns``, only the rules that read nothing but these
        columns are judged (the others hold): the candidates judge the rules on what a measure can change
        state by state, and the others once per dwelling. Returns an ndarray of bool, shape
        (N, M).
        """
        packages = self._lookup(_as_packages(measure_ids))
        rules = [[r for m in pkg for r in self._rules_reading(m, columns)] for pkg in packages]
        needed = {c for pkg in rules for col, _, _ in pkg for c in _rule_inputs(col)}
        _require(dwellings, needed)
        out = np.ones((table_rows(dwellings), len(packages)), dtype=bool)
        for j, pkg_rules in enumerate(rules):
            for col, op, bound in pkg_rules:
                out[:, j] &= _rule_holds(dwellings, col, op, bound)
        return out

    def _compiled_rules(self, m: Measure) -> list[tuple[str, str, Any]]:
        """The rules of ``m`` as (column, kind, bound): ``words`` (a set), ``codes`` (an
        array), ``min`` or ``max`` (a number); the same rules as :meth:`_rule_failures`, read
        once (the candidates judge every measure of a route per request)."""
        if m.id not in self._rules_cache:
            rules: list[tuple[str, str, Any]] = []
            for key, value in m.applies_if.items():
                col, op = key.rsplit("_", 1)
                if op == "in":
                    allowed = list(value) if isinstance(value, list) else [value]
                    if col == "attachment":
                        rules.append((col, "words", frozenset(str(a) for a in allowed)))
                    else:
                        rules.append((col, "codes", np.asarray(allowed, dtype=np.float64)))
                else:
                    rules.append((col, op, float(value)))
            self._rules_cache[m.id] = rules
        return self._rules_cache[m.id]

    def _rules_reading(
        self, m: Measure, columns: Collection[str] | None
    ) -> list[tuple[str, str, Any]]:
        """The rules of ``m`` that read nothing but ``columns`` (all of them for None)."""
        rules = self._compiled_rules(m)
        if columns is None:
            return rules
        judged = set(columns)
        return [r for r in rules if judged.issuperset(_rule_inputs(r[0]))]

    def rule_program(self, measure_ids: Sequence[str], columns: Sequence[str]) -> RuleProgram:
        """The rules of each measure that read nothing but ``columns``, as arrays for a kernel
        (:class:`RuleProgram`; :func:`rule_ok` judges one): the candidates judge them state by
        state. The other rules are left out (judge them with :meth:`applicable`).

        Raises
        ------
        ValueError
            A rule on words (the attachment) that reads only ``columns``: kernels judge numbers.
        """
        key = (tuple(measure_ids), tuple(columns))
        if key not in self._program_cache:
            at = {c: i for i, c in enumerate(columns)}
            start, column, op, bound, code_start, code_end = [0], [], [], [], [], []
            codes: list[float] = []
            for m in self._lookup([[mid] for mid in measure_ids]):
                for col, kind, value in self._rules_reading(m[0], columns):
                    if kind == "words" or col not in at:
                        raise ValueError(f"rule on {col} cannot be judged by a kernel")
                    column.append(at[col])
                    op.append(_RULE_OPS[kind])
                    bound.append(np.nan if kind == "codes" else float(value))
                    code_start.append(len(codes))
                    codes.extend(value.tolist() if kind == "codes" else [])
                    code_end.append(len(codes))
                start.append(len(column))
            self._program_cache[key] = RuleProgram(
                np.asarray(start, dtype=np.int64),
                np.asarray(column, dtype=np.int64),
                np.asarray(op, dtype=np.int64),
                np.asarray(bound, dtype=np.float64),
                np.asarray(code_start, dtype=np.int64),
                np.asarray(code_end, dtype=np.int64),
                np.asarray(codes, dtype=np.float64),
            )
        return self._program_cache[key]

    def explain(
        self, dwellings: pd.DataFrame, measure_ids: Sequence[Sequence[str]] | Sequence[str]
    ) -> pd.DataFrame:
        """Why a measure does not apply: ``""`` where it applies, else the failed rules (``; ``).

        Returns a DataFrame with the index of ``dwellings`` and one column per measure/package.
        """
        raw_packages = _as_packages(measure_ids)
        packages = self._lookup(raw_packages)
        _require(dwellings, self._needed_rule_columns(packages))
        result = {}
        for ids, pkg in zip(raw_packages, packages, strict=True):
            text = pd.Series("", index=dwellings.index, dtype=object)
            for m in pkg:
                for fails, reason in self._rule_failures(dwellings, m):
                    assert reason is not None  # asked for
                    add = pd.Series(np.where(fails, f"{m.id}: " + reason, ""), index=text.index)
                    sep = np.where((text != "") & (add != ""), "; ", "")
                    text = text + sep + add
            result["+".join(ids)] = text
        return pd.DataFrame(result, index=dwellings.index)


def building_totals(dwellings: pd.DataFrame) -> pd.DataFrame:
    """Totals of each dwelling's building: areas [m²] and the number of dwellings.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        Twin rows with ``building_id``. With the twin's ``building_*`` columns
        (:data:`BUILDING_TOTAL_COLUMNS`) and ``n_dwellings_in_building`` those are used, so one
        dwelling's row suffices; otherwise each building's rows in the frame are summed, and the
        frame must hold every dwelling of the building (checked against
        ``n_dwellings_in_building`` when present).

    Returns
    -------
    pandas.DataFrame
        Index of ``dwellings``; the columns of :data:`BUILDING_TOTAL_COLUMNS` [m²] and
        ``building_n_dwellings`` [-].

    Raises
    ------
    sim.errors.InputError
        Buildings of which the frame holds only some dwellings (totals unknown).
    """
    wanted = [*BUILDING_TOTAL_COLUMNS.values(), "n_dwellings_in_building"]
    if all(c in dwellings.columns for c in wanted):
        out = pd.DataFrame(
            {c: _numeric(dwellings, c) for c in BUILDING_TOTAL_COLUMNS.values()},
            index=dwellings.index,
        )
        out["building_n_dwellings"] = _numeric(dwellings, "n_dwellings_in_building")
        return out
    areas = [q for q in BUILDING_TOTAL_COLUMNS if q != "window_area_m2"]
    _require(dwellings, {"building_id", *areas, *WINDOW_COLUMNS})
    per_row = pd.DataFrame(
        {c: _numeric(dwellings, c) for c in BUILDING_TOTAL_COLUMNS}, index=dwellings.index
    )
    building = dwellings["building_id"].astype(str).to_numpy()
    groups = per_row.groupby(building, sort=False)
    out = groups.transform("sum").rename(columns=BUILDING_TOTAL_COLUMNS)
    out["building_n_dwellings"] = groups[per_row.columns[0]].transform("size").to_numpy(float)
    if "n_dwellings_in_building" in dwellings.columns:
        expected = _numeric(dwellings, "n_dwellings_in_building")
        partial = expected != out["building_n_dwellings"].to_numpy()
        if partial.any():
            problems = Problems("woningtabel")
            ids = sorted(set(building[partial].tolist()))
            problems.add(
                "building_id",
                f"van gebouw(en) {', '.join(ids[:5])}{' …' if len(ids) > 5 else ''} ontbreken "
                "woningen, dus zijn hun totalen (dak, gevels, vloer) onbekend voor een "
                "gemeenschappelijk gebouwproject: geef alle woningen van het gebouw mee, of bouw "
                "de tweeling opnieuw (`wijk twin build`, kolommen building_*)",
                np.flatnonzero(partial),
            )
            problems.raise_if_any()
    return out


def _building_total_arrays(dwellings: Table) -> dict[str, NDArray[np.float64]]:
    """:func:`building_totals` as plain arrays (read from the twin's columns when it has them)."""
    wanted = [*BUILDING_TOTAL_COLUMNS.values(), "n_dwellings_in_building"]
    if all(c in dwellings for c in wanted):
        out = {c: _numeric(dwellings, c) for c in BUILDING_TOTAL_COLUMNS.values()}
        out["building_n_dwellings"] = _numeric(dwellings, "n_dwellings_in_building")
        return out
    frame = dwellings if isinstance(dwellings, pd.DataFrame) else pd.DataFrame(dict(dwellings))
    totals = building_totals(frame)
    return {c: totals[c].to_numpy(dtype=np.float64) for c in totals.columns}


def building_share_cost(
    dwellings: Table,
    totals: Mapping[str, Any],
    eur_per_unit: Mapping[str, float],
    fixed_eur: float,
    effect: dict[str, float],
) -> NDArray[np.float64]:
    """Each dwelling's share of a shared building project [EUR].

    The building's cost is ``fixed_eur + Σ eur_per_unit[q] × total[q]`` over the building totals
    ``q`` (areas [m²]; ``per_dwelling``: the number of dwellings; ``per_kwp``: the measure's
    ``pv_kwp_add`` for every dwelling); a dwelling pays the share ``floor_area_m2 /
    building_floor_area_m2`` of it, so a building's dwellings pay in proportion to their floor
    area and their shares add up to the building's cost.

    Examples
    --------
    >>> d = pd.DataFrame({"floor_area_m2": [60.0, 90.0]})
    >>> t = pd.DataFrame({"building_floor_area_m2": [150.0, 150.0],
    ...                   "building_roof_area_m2": [100.0, 100.0],
    ...                   "building_n_dwellings": [2.0, 2.0]})
    >>> building_share_cost(d, t, {"roof_area_m2": 50.0}, 1000.0, {}).tolist()
    [2400.0, 3600.0]
    """
    n_dw = np.asarray(totals["building_n_dwellings"], dtype=np.float64)
    building = np.full(table_rows(dwellings), float(fixed_eur))
    for q, price in eur_per_unit.items():
        if q == "per_dwelling":
            qty = n_dw
        elif q == "per_kwp":
            qty = effect.get("pv_kwp_add", 0.0) * n_dw
        else:
            qty = np.asarray(totals[BUILDING_TOTAL_COLUMNS[q]], dtype=np.float64)
        building = building + price * qty
    floor = _numeric(dwellings, "floor_area_m2")
    total_floor = np.asarray(totals["building_floor_area_m2"], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total_floor > 0, floor / total_floor, np.nan)
    return np.asarray(building * share, dtype=np.float64)


def _as_packages(measure_ids: Sequence[Sequence[str]] | Sequence[str]) -> list[list[str]]:
    return [[x] if isinstance(x, str) else list(x) for x in measure_ids]


def _rule_inputs(col: str) -> tuple[str, ...]:
    """The twin columns a rule on ``col`` reads (the window area is the sum of the orientations)."""
    return WINDOW_COLUMNS if col == "window_area_m2" else (col,)


def _rule_holds(dwellings: Table, col: str, op: str, bound: Any) -> NDArray[np.bool_]:
    """Whether one applicability rule holds for each dwelling (:meth:`Catalogue._compiled_rules`):
    the attachment one of the ``words``, a code one of the ``codes``, a number at least
    ``min`` or at most ``max``. A missing value fails."""
    if op == "words":
        words = table_column(dwellings, col)
        return np.fromiter((str(w) in bound for w in words), dtype=bool, count=len(words))
    x = np.ascontiguousarray(_numeric(dwellings, col))
    out = np.empty(x.shape[0], dtype=bool)
    if op == "codes":
        _rule_holds_each(x, RULE_CODES, np.nan, bound, out)
    else:
        _rule_holds_each(x, _RULE_OPS[op], bound, _NO_CODES, out)
    return out


#: The kinds of numeric rules, as a kernel knows them (:func:`rule_ok`).
RULE_MIN, RULE_MAX, RULE_CODES = 0, 1, 2
_RULE_OPS = {"min": RULE_MIN, "max": RULE_MAX, "codes": RULE_CODES}
_NO_CODES = np.empty(0, dtype=np.float64)


class RuleProgram(NamedTuple):
    """Numeric applicability rules of M measures as arrays (:meth:`Catalogue.rule_program`).

    The rules of measure ``j`` are ``start[j]`` to ``start[j + 1]``; rule ``r`` reads column
    ``column[r]`` (an index into the caller's columns) and is of kind ``op[r]``
    (:data:`RULE_MIN`, :data:`RULE_MAX` with ``bound[r]``, or :data:`RULE_CODES` with the codes
    ``codes[code_start[r]:code_end[r]]``).
    """

    start: NDArray[np.int64]
    column: NDArray[np.int64]
    op: NDArray[np.int64]
    bound: NDArray[np.float64]
    code_start: NDArray[np.int64]
    code_end: NDArray[np.int64]
    codes: NDArray[np.float64]


@jit
def rule_ok(x: float, op: int, bound: float, codes: NDArray[np.float64]) -> bool:
    """Whether one numeric rule holds for the value ``x``: at least ``bound`` (RULE_MIN), at
    most ``bound`` (RULE_MAX) or one of ``codes`` (RULE_CODES). A missing value (NaN) fails."""
    if op == RULE_CODES:
        for c in codes:  # noqa: SIM110  (a loop numba compiles; any() of a generator it does not)
            if x == c:
                return True
        return False
    if op == RULE_MIN:
        return x >= bound
    return x <= bound


@jit
def _rule_holds_each(
    x: NDArray[np.float64],
    op: int,
    bound: float,
    codes: NDArray[np.float64],
    out: NDArray[np.bool_],
) -> None:
    for i in range(x.shape[0]):
        out[i] = rule_ok(x[i], op, bound, codes)


def table_rows(dwellings: Table) -> int:
    """Number of rows of a table (a DataFrame, or a mapping of equally long arrays)."""
    if isinstance(dwellings, pd.DataFrame):
        return len(dwellings)
    return len(next(iter(dwellings.values()))) if len(dwellings) else 0


def table_column(dwellings: Table, column: str) -> NDArray[Any]:
    """One column of a table as an array (no copy where possible)."""
    col = dwellings[column]
    return col.to_numpy() if isinstance(col, pd.Series) else np.asarray(col)


def _numeric(dwellings: Table, column: str) -> NDArray[np.float64]:
    """A column as float64; what is not a number (a missing value, a word) is NaN."""
    if column == "window_area_m2":
        # NaN when any orientation is unknown (a sum that is not the total would mislead a rule)
        return np.sum([_numeric(dwellings, c) for c in WINDOW_COLUMNS], axis=0)
    col = dwellings[column]
    if isinstance(col, pd.Series):
        if pd.api.types.is_numeric_dtype(col.dtype):
            return col.to_numpy(dtype=np.float64, na_value=np.nan)
        return pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
    arr = np.asarray(col)
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64, copy=False)
    return pd.to_numeric(pd.Series(arr), errors="coerce").to_numpy(dtype=np.float64)


def _require(dwellings: Table, columns: set[str]) -> None:
    missing = sorted(c for c in columns if c not in dwellings)
    if missing:
        problems = Problems("woningtabel")
        for c in missing:
            problems.add(c, "kolom ontbreekt; nodig voor de gekozen maatregelen")
        problems.raise_if_any()


# -- loading ----------------------------------------------------------------------------------
def _num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, int | float) else str(x)


def _check_heat_pump_reach(
    effect: Any, rules: Any, here: tuple[Any, ...], problems: FileProblems
) -> None:
    """A measure that installs a heat pump must say how hot its emitters may need to be
    (``applies_if: hp_supply_temp_c_max``), at most what a heat pump delivers
    (:data:`sim.core.HP_MAX_SUPPLY_C`, the core's rule): so the plan never proposes what the
    core refuses to compute."""
    if not isinstance(effect, dict) or effect.get("heating_system") not in _HEAT_PUMP_CODES:
        return
    limit = rules.get("hp_supply_temp_c_max") if isinstance(rules, dict) else None
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit > HP_MAX_SUPPLY_C:
        problems.at(
            (*here, "applies_if"),
            "een warmtepomp vraagt een regel hp_supply_temp_c_max van hoogstens "
            f"{HP_MAX_SUPPLY_C:g} °C: de aanvoertemperatuur die de afgifte op de ontwerpdag "
            "nodig heeft (bv. 55)",
        )


def _semantic_problems(data: Any, problems: FileProblems) -> None:
    """Checks across fields, on the raw data so they run even when pydantic found problems;
    each problem is named by its key path and line."""
    if not isinstance(data, dict):
        return
    raw_sources = data.get("sources")
    sources: dict[Any, Any] = dict(raw_sources) if isinstance(raw_sources, dict) else {}
    raw_assumptions = data.get("assumptions")
    if isinstance(raw_assumptions, dict):
        for key in raw_assumptions:
            if key in sources:
                problems.at(
                    ("assumptions", key), f"{key!r} staat al onder sources; kies één van beide"
                )
            sources[key] = raw_assumptions[key]
    measures = data.get("measures")
    if not isinstance(measures, list):
        return
    seen: set[str] = set()
    for i, m in enumerate(measures):
        if not isinstance(m, dict):
            continue
        here: tuple[int | str, ...] = ("measures", i)
        mid = m.get("id")
        if isinstance(mid, str):
            if mid in seen:
                problems.at((*here, "id"), f"maatregel {mid!r} komt twee keer voor")
            seen.add(mid)
        for key in ("source", "effect_source"):
            ref = m.get(key)
            if ref is not None and ref not in sources:
                problems.at(
                    (*here, key),
                    f"onbekende bron {ref!r}; definieer ze in sources of assumptions",
                )
        cost = m.get("cost")
        if isinstance(cost, dict):
            for key in (
                "collective_source",
                "lifetime_source",
                "by_attachment_source",
                "basis_source",
            ):
                ref = cost.get(key)
                if ref is not None and ref not in sources:
                    problems.at(
                        (*here, "cost", key),
                        f"onbekende bron {ref!r}; definieer ze in sources of assumptions",
                    )
            if cost.get("by_attachment") and cost.get("by_attachment_source") is None:
                problems.at(
                    (*here, "cost", "by_attachment_source"),
                    "factoren per bouwtype (by_attachment) vragen een bron of aanname",
                )
            lo, hi = cost.get("low", 1.0), cost.get("high", 1.0)
            if (
                all(isinstance(x, int | float) and not isinstance(x, bool) for x in (lo, hi))
                and not lo <= 1.0 <= hi
            ):
                problems.at(
                    (*here, "cost"),
                    f"kostenbereik van maatregel {mid!r} klopt niet: low ({_num(lo)}) ≤ 1 "
                    f"(de centrale kost) ≤ high ({_num(hi)}) moet gelden; low en high zijn "
                    "factoren op de centrale kost, bv. low: 0.8, high: 1.3",
                )
            if cost.get("basis") == "building_share":
                if not cost.get("building"):
                    problems.at(
                        (*here, "cost", "building"),
                        "basis building_share vraagt prijzen per gebouwtotaal, bv. "
                        "building: {roof_area_m2: 70.0}",
                    )
                if cost.get("eur_per_unit") is not None:
                    problems.at(
                        (*here, "cost", "eur_per_unit"),
                        "niet bij basis building_share: geef de prijzen onder building",
                    )
            elif cost.get("basis") is not None:
                if cost.get("eur_per_unit") is None:
                    problems.at((*here, "cost", "eur_per_unit"), "verplichte sleutel ontbreekt")
                if cost.get("building"):
                    problems.at(
                        (*here, "cost", "building"),
                        "alleen bij basis building_share (gedeeld project)",
                    )
            building = cost.get("building")
            if (
                isinstance(building, dict)
                and "per_kwp" in building
                and not (isinstance(m.get("effect"), dict) and "pv_kwp_add" in m["effect"])
            ):
                problems.at((*here, "cost", "building"), "per_kwp vraagt een effect pv_kwp_add")
            if cost.get("basis") == "per_kwp" and not (
                isinstance(m.get("effect"), dict) and "pv_kwp_add" in m["effect"]
            ):
                problems.at((*here, "cost", "basis"), "per_kwp vraagt een effect pv_kwp_add")
        effect = m.get("effect")
        if isinstance(effect, dict):
            for key, value in effect.items():
                where = (*here, "effect", key)
                if key not in VARIANT_FIELDS:
                    problems.at(
                        where, f"onbekend effectveld; bekend zijn {', '.join(VARIANT_FIELDS)}"
                    )
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    continue  # pydantic reports the type
                kind, unit, lo, hi = VARIANT_FIELDS[key]
                if kind == "i":
                    codes = _CODES[key]
                    if value != int(value) or int(value) not in set(codes.tolist()):
                        problems.at(where, f"ongeldige code {value}; toegelaten: {codes.tolist()}")
                elif (lo is not None and value < lo) or (hi is not None and value > hi):
                    problems.at(where, f"moet tussen {lo} en {hi} {unit} liggen")
        rules = m.get("applies_if")
        if isinstance(rules, dict):
            for key, value in rules.items():
                where = (*here, "applies_if", key)
                if key not in RULE_KEYS:
                    problems.at(
                        where,
                        "onbekende regel; gebruik <kolom>_min/_max op "
                        f"{', '.join(RULE_NUMERIC_COLUMNS)} of <kolom>_in op "
                        f"{', '.join(RULE_CATEGORICAL_COLUMNS)}",
                    )
                elif key.endswith("_in") and not isinstance(value, list):
                    problems.at(where, "moet een lijst zijn")
                elif not key.endswith("_in") and (
                    isinstance(value, bool) or not isinstance(value, int | float)
                ):
                    problems.at(where, "moet een getal zijn")
        _check_heat_pump_reach(effect, rules, here, problems)
    packages = data.get("packages")
    if isinstance(packages, list):
        named: set[str] = set()
        for i, pkg in enumerate(packages):
            if not isinstance(pkg, dict):
                continue
            pid = pkg.get("id")
            if pid == "current" or pid in named:
                problems.at(
                    ("packages", i, "id"),
                    f"pakket {pid!r} komt twee keer voor"
                    if pid in named
                    else "'current' is de huidige toestand; kies een andere naam",
                )
            named.add(str(pid))
            for j, mid in enumerate(pkg.get("measures") or []):
                if mid not in seen:
                    problems.at(
                        ("packages", i, "measures", j),
                        f"onbekende maatregel {mid!r}; kies uit de maatregelen van de catalogus",
                    )


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and validate a measures catalogue.

    Parameters
    ----------
    path : str or Path, optional
        A user's YAML file; default the shipped ``scenarios/data/measures.yaml``.

    Returns
    -------
    Catalogue

    Raises
    ------
    sim.errors.InputError
        With every problem found, each named by its place in the file.
    """
    if path is None:
        text = resources.files("scenarios.data").joinpath(_SHIPPED).read_text(encoding="utf-8")
        problems = FileProblems("scenarios/data/measures.yaml")
        doc = read_yaml_text(text, _SHIPPED, problems)
    else:
        problems = FileProblems(str(path))
        doc = read_yaml_file(path, problems)
    if doc is None:
        problems.raise_if_any()
        raise RuntimeError("unreadable catalogue without problems")  # pragma: no cover
    data = doc.data
    catalogue: Catalogue | None = None
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.at(tuple(err["loc"]), pydantic_message_nl(err))
    _semantic_problems(data, problems)
    problems.raise_if_any()
    if catalogue is None:  # unreachable: pydantic failed, so problems were raised above
        raise RuntimeError("catalogue validation failed without problems")
    return catalogue
