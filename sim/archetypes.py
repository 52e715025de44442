"""Archetype library: from (building type, construction year) to the core's dwelling inputs.

A dwelling whose envelope is not surveyed gets the envelope of its
*archetype*: the TABULA/EPISCOPE Belgian example building of the same
building type and construction period (VITO), with every area expressed per
m² of reference floor area so it scales to the dwelling's own floor area,
and the typical heating, hot-water and ventilation system of that type and
period. The tables are shipped in ``sim/data`` (sources in
``sim/data/SOURCES.md``):

* ``archetypes_be.csv`` -- derived by ``tools/derive_archetypes.py`` from
  ``tabula_BE.csv``; one row per (building type, period);
* ``typical_systems_be.csv`` -- typical systems per (building type, period),
  assumptions of the project;
* ``archetype_defaults.csv`` -- setpoint and the other values every
  archetype dwelling gets.

Building types (Statbel/Flemish terms) and their TABULA types:

===================  =========================================================
``open``             detached house, TABULA SFH
``halfopen``         semi-detached house, TABULA TH.Semi (one shared side)
``gesloten``         terraced house, TABULA TH.Gen (two shared sides)
``apartment_small``  apartment in a small or mid-size building, TABULA MFH.Gen
                     and MFH.Small merged with equal weight per m²
``apartment_block``  apartment in an apartment block, TABULA AB (no period
                     before 1946 in TABULA-BE)
===================  =========================================================

Construction periods (inclusive bounds): BE.01 ..1945, BE.02 1946-1970,
BE.03 1971-1990, BE.04 1991-2005, BE.05 2006-2011, BE.06 2012-. A year is
first rounded down to a whole year; a year before the first period of its
type maps to the first period (only ``apartment_block`` before 1946), a
year after the last to the last; such rows are flagged in
``construction_year_clamped``.

Notes
-----
Apartments get their building's envelope per m² of floor area: roof,
ground floor and party walls are shared out over all apartments in
proportion to floor area, as in the TABULA whole-building calculation.
Walls and floors *between* apartments of the same building are not
counted; they are adiabatic. ``party_wall_area_m2`` is an estimate
(``tools/derive_archetypes.py``, :func:`party_wall_area`), with
``b_party_wall`` = 0 it does not change the heat loss.

``floor_area_m2`` is on the TABULA reference-area basis ``A_C_Ref``
(for TABULA-BE 0.85 x the national floor area over external dimensions);
``volume_m3`` is the ventilated volume ``floor_area_m2 * h_room`` with
``h_room`` = 2.5 m, which is what TABULA uses for the ventilation heat loss.

References
----------
.. [1] T. Loga, B. Stein, N. Diefenbach (2016), TABULA building typologies in
   20 European countries, Energy and Buildings 132, 4-12.
.. [2] TABULA/EPISCOPE, IWU Darmstadt, www.episcope.eu; Belgian typology by VITO
   (CC BY 4.0).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from sim._validate import as_float_array
from sim.errors import Problems
from sim.reference_data import load_table
from sim.stock import DWELLING_COLUMNS

#: Building types known to the archetype library, in table order.
BUILDING_TYPES: tuple[str, ...] = (
    "open",
    "halfopen",
    "gesloten",
    "apartment_small",
    "apartment_block",
)

#: The simulation core's dwelling-input columns, in order (the schema is :data:`sim.stock.DWELLING_COLUMNS`).
DWELLING_INPUT_COLUMNS: tuple[str, ...] = DWELLING_COLUMNS

#: Columns that :func:`dwelling_inputs` adds after :data:`DWELLING_INPUT_COLUMNS`.
PROVENANCE_COLUMNS: tuple[str, ...] = (
    "archetype_id",
    "imputed_floor_area",
    "construction_year_clamped",
)

ARCHETYPES_TABLE = "archetypes_be.csv"
SYSTEMS_TABLE = "typical_systems_be.csv"
DEFAULTS_TABLE = "archetype_defaults.csv"

# Archetype areas: output column -> ratio column of archetypes_be.csv (m² per m² floor area).
_AREA_RATIOS: dict[str, str] = {
    "roof_area_m2": "roof_area_ratio",
    "wall_area_m2": "wall_area_ratio",
    "ground_floor_area_m2": "ground_floor_area_ratio",
    "door_area_m2": "door_area_ratio",
    "party_wall_area_m2": "party_wall_area_ratio",
    "window_area_h_m2": "window_area_h_ratio",
    "window_area_n_m2": "window_area_n_ratio",
    "window_area_e_m2": "window_area_e_ratio",
    "window_area_s_m2": "window_area_s_ratio",
    "window_area_w_m2": "window_area_w_ratio",
}
# Archetype values taken over as they are (same name in the table and the output).
_PER_DWELLING: tuple[str, ...] = (
    "u_roof_w_m2k",
    "u_wall_w_m2k",
    "u_floor_w_m2k",
    "u_window_w_m2k",
    "u_door_w_m2k",
    "b_roof",
    "b_wall",
    "b_floor",
    "delta_u_tb_w_m2k",
    "g_window",
    "frame_fraction",
    "shading_factor",
    "infiltration_ach",
    "ventilation_ach",
    "heat_capacity_wh_m2k",
    "internal_gains_w_m2",
)
_SYSTEM_INT: tuple[str, ...] = ("heating_system", "dhw_system", "ventilation_system")
_SYSTEM_FLOAT: tuple[str, ...] = ("emitter_temp_c", "heat_recovery_eff")
_DEFAULTS: tuple[str, ...] = (
    "setpoint_c",
    "b_party_wall",
    "pv_kwp",
    "pv_yield_kwh_kwp",
    "solar_dhw_fraction",
    "emitter_design_load_w",
    "use_factor",
    "epc_primary_factor",
)
# Key spacing per building type in the search array; larger than any year bound (9999).
_TYPE_STRIDE = 100_000.0


def archetype_table() -> pd.DataFrame:
    """The shipped archetype table ``sim/data/archetypes_be.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per (building type, construction period): ``archetype_id`` (TABULA
        ``Code_BuildingType``, merged codes joined by ``+``), ``building_type``, ``period``,
        ``year_from``/``year_to`` (inclusive), areas per m² of reference floor area
        (``*_ratio`` [m²/m²]), U-values [W/(m²·K)], b factors [-] and the other TABULA inputs;
        see ``sim/data/SOURCES.md``. A copy: callers may modify it.
    """
    return load_table(ARCHETYPES_TABLE)


def typical_systems_table() -> pd.DataFrame:
    """The shipped table of typical systems ``sim/data/typical_systems_be.csv`` (a copy)."""
    return load_table(SYSTEMS_TABLE)


def archetype_defaults() -> dict[str, float]:
    """Values every archetype dwelling gets, from ``sim/data/archetype_defaults.csv``.

    Returns
    -------
    dict of str to float
        ``setpoint_c`` [°C], ``b_party_wall`` [-], ``pv_kwp`` [kWp],
        ``pv_yield_kwh_kwp`` [kWh/kWp], ``solar_dhw_fraction`` [-].
    """
    t = load_table(DEFAULTS_TABLE)
    return {str(k): float(v) for k, v in zip(t["parameter"], t["value"], strict=True)}


@dataclass(frozen=True)
class _Lookup:
    """The shipped tables as arrays aligned with the rows of :func:`archetype_table`."""

    keys: NDArray[np.float64]  # sorted type_code * stride + year_to
    rows: NDArray[np.int64]  # archetype row of each sorted key
    first_year: NDArray[np.float64]  # per type code: earliest year_from
    last_year: NDArray[np.float64]  # per type code: latest year_to
    ids: pd.Index
    values: dict[str, NDArray[Any]]
    defaults: dict[str, float]


@lru_cache(maxsize=1)
def _lookup() -> _Lookup:
    table = archetype_table()
    problems = Problems(f"shipped tables {ARCHETYPES_TABLE}/{SYSTEMS_TABLE}/{DEFAULTS_TABLE}")
    code = pd.Index(BUILDING_TYPES).get_indexer(pd.Index(table["building_type"]))
    if (code < 0).any():
        problems.add(
            "building_type",
            "unknown type in the archetype table",
            np.flatnonzero(code < 0).tolist(),
        )
    systems = typical_systems_table()
    merged = table[["building_type", "period"]].merge(
        systems, on=["building_type", "period"], how="left", validate="one_to_one"
    )
    no_system = merged["heating_system"].isna().to_numpy()
    if no_system.any():
        problems.add("period", f"has no row in {SYSTEMS_TABLE}", np.flatnonzero(no_system).tolist())
    defaults = archetype_defaults()
    missing = [d for d in _DEFAULTS if d not in defaults]
    if missing:
        problems.add(", ".join(missing), f"missing in {DEFAULTS_TABLE}")
    problems.raise_if_any()

    year_to = table["year_to"].to_numpy(np.float64)
    keys = code * _TYPE_STRIDE + year_to
    order = np.argsort(keys, kind="stable")
    n_types = len(BUILDING_TYPES)
    first = np.full(n_types, np.nan)
    last = np.full(n_types, np.nan)
    for c in range(n_types):  # loop over the 5 types, not over dwellings
        sel = code == c
        if sel.any():
            first[c] = table["year_from"].to_numpy(np.float64)[sel].min()
            last[c] = year_to[sel].max()
    float_columns = (
        *_AREA_RATIOS.values(),
        *_PER_DWELLING,
        "typical_floor_area_m2",
        "room_height_m",
        "dhw_need_kwh_m2",
    )
    values: dict[str, NDArray[Any]] = {c: table[c].to_numpy(np.float64) for c in float_columns}
    for name in _SYSTEM_INT:
        values[name] = merged[name].to_numpy(np.int64)
    for name in _SYSTEM_FLOAT:
        values[name] = merged[name].to_numpy(np.float64)
    return _Lookup(
        keys=np.ascontiguousarray(keys[order]),
        rows=order.astype(np.int64),
        first_year=first,
        last_year=last,
        ids=pd.Index(table["archetype_id"].astype(str)),
        values=values,
        defaults={d: defaults[d] for d in _DEFAULTS},
    )


def _length(value: Any) -> int | None:
    """Number of rows of a 1-D input, ``None`` for a scalar."""
    return None if np.ndim(value) == 0 else len(value)


def _check_inputs(
    building_type: Any, construction_year: Any, floor_area_m2: Any
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64] | None, pd.Index]:
    """Validate and convert the inputs; raise one InputError listing every problem."""
    problems = Problems("archetype lookup input")
    named = {
        "building_type": building_type,
        "construction_year": construction_year,
        "floor_area_m2": floor_area_m2,
    }
    lengths = {k: _length(v) for k, v in named.items() if v is not None}
    sizes = {n for n in lengths.values() if n is not None}
    if len(sizes) > 1:
        shown = ", ".join(f"{k} has {n}" for k, n in lengths.items() if n is not None)
        problems.add(
            "/".join(k for k, n in lengths.items() if n is not None),
            f"differ in length ({shown}); give one value per dwelling in each",
        )
        problems.raise_if_any()
    for k, v in named.items():
        if v is not None and np.ndim(v) > 1:
            problems.add(k, f"must be 1-D (one value per dwelling), got {np.ndim(v)} dimensions")
    problems.raise_if_any()
    n = sizes.pop() if sizes else 1
    index: pd.Index = pd.RangeIndex(n)
    for v in named.values():
        if isinstance(v, pd.Series | pd.Index) and len(v) == n:
            index = v.index if isinstance(v, pd.Series) else pd.RangeIndex(n)
            break

    bt = np.asarray(building_type, dtype=object)
    bt = np.full(n, bt.item(), dtype=object) if bt.ndim == 0 else bt
    code = np.asarray(pd.Index(BUILDING_TYPES).get_indexer(pd.Index(bt)), dtype=np.int64)
    bad = np.flatnonzero(code < 0).tolist()
    if bad:
        shown = ", ".join(repr(x) for x in pd.unique(bt[bad])[:5])
        problems.add(
            "building_type",
            f"unknown building type(s) {shown}; use one of {', '.join(BUILDING_TYPES)}",
            bad,
        )

    year = as_float_array(
        problems, "construction_year", construction_year, shape=(n,), allow_nan=True
    )
    if year is not None:
        missing = np.flatnonzero(np.isnan(year)).tolist()
        if missing:
            problems.add(
                "construction_year",
                "is missing; fill in the construction year (an estimate within the right"
                " period gives the same archetype: ..1945, 1946-1970, 1971-1990, 1991-2005,"
                " 2006-2011, 2012-)",
                missing,
            )
        negative = np.flatnonzero(year < 0.0).tolist()
        if negative:
            problems.add("construction_year", "must be a calendar year >= 0; correct it", negative)

    area: NDArray[np.float64] | None = None
    if floor_area_m2 is not None:
        area = as_float_array(problems, "floor_area_m2", floor_area_m2, shape=(n,), allow_nan=True)
        if area is not None:
            hint = (
                "give the dwelling's reference (heated) floor area in m², or pass"
                " floor_area_m2=None to use each archetype's typical floor area"
            )
            missing = np.flatnonzero(np.isnan(area)).tolist()
            if missing:
                problems.add("floor_area_m2", f"is missing (NaN); {hint}", missing)
            nonpos = np.flatnonzero(area <= 0.0).tolist()
            if nonpos:
                problems.add("floor_area_m2", f"must be > 0 m²; {hint}", nonpos)
    problems.raise_if_any()
    # as_float_array returns None only after recording a problem, so year is an array here.
    return code, np.asarray(year, dtype=np.float64), area, index


def _index_of(
    code: NDArray[np.int64], year: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Archetype rows and clamped-year flags for validated type codes and years."""
    lk = _lookup()
    y = np.floor(year)
    lo = lk.first_year[code]
    hi = lk.last_year[code]
    clamped = (y < lo) | (y > hi)
    key = code * _TYPE_STRIDE + np.clip(y, lo, hi)
    # First period of the type whose inclusive upper bound year_to >= year.
    pos = np.searchsorted(lk.keys, key, side="left")
    return lk.rows[pos], clamped


def archetype_index(building_type: ArrayLike, construction_year: ArrayLike) -> NDArray[np.int64]:
    """Row of :func:`archetype_table` for each dwelling.

    Parameters
    ----------
    building_type : array_like of str, shape (N,)
        One of :data:`BUILDING_TYPES` per dwelling.
    construction_year : array_like of float or int, shape (N,)
        Construction year [year]; rounded down to a whole year.

    Returns
    -------
    ndarray of int64, shape (N,)
        Positions into :func:`archetype_table`. Periods have inclusive bounds
        (``year_from <= year <= year_to``); years before the type's first period
        map to the first period, years after the last to the last (see
        :func:`dwelling_inputs`, column ``construction_year_clamped``).

    Raises
    ------
    sim.errors.InputError
        Unknown building types, missing or negative years, inputs of different length;
        every offending row is named.

    Notes
    -----
    Vectorised: one :func:`numpy.searchsorted` over keys
    ``type_code * 100000 + year_to`` sorted once.

    Examples
    --------
    >>> t = archetype_table()
    >>> list(t.loc[archetype_index(["gesloten", "open"], [1975, 2020]), "archetype_id"])
    ['BE.N.TH.03.Gen', 'BE.N.SFH.06.Gen']
    """
    code, year, _, _ = _check_inputs(building_type, construction_year, None)
    return _index_of(code, year)[0]


def bare_element_u(building_type: ArrayLike) -> pd.DataFrame:
    """U-values of the bare (uninsulated) envelope elements of each dwelling's type.

    The bare element is the TABULA-BE example of the type's earliest construction period
    (before 1946; ``apartment_block`` 1946-1970), built without insulation and with single
    glazing. A fact "this element is insulated" means insulation on that bare element, not on
    top of insulation the archetype of a later period already has
    (:func:`buildings.twin.insulated_u`); the EPC method's pessimistic default for an element
    it cannot see is never worse than the bare element (:func:`sim.epc.apply_unknown_defaults`).

    Parameters
    ----------
    building_type : array_like of str, shape (N,)
        One of :data:`BUILDING_TYPES` per dwelling.

    Returns
    -------
    pandas.DataFrame, N rows
        ``u_roof_w_m2k``, ``u_wall_w_m2k``, ``u_floor_w_m2k``, ``u_window_w_m2k``
        [W/(m²·K)].

    Examples
    --------
    >>> u = bare_element_u(["open", "open"])
    >>> [round(float(v), 2) for v in u.iloc[0]]
    [1.55, 2.11, 0.79, 5.0]
    """
    types = np.asarray(building_type)
    lk = _lookup()
    code, _, _, _ = _check_inputs(types, np.zeros(len(types)), None)
    idx, _ = _index_of(code, lk.first_year[code])
    cols = ("u_roof_w_m2k", "u_wall_w_m2k", "u_floor_w_m2k", "u_window_w_m2k")
    return pd.DataFrame({c: lk.values[c][idx] for c in cols})


def dwelling_inputs(
    building_type: ArrayLike,
    construction_year: ArrayLike,
    floor_area_m2: ArrayLike | None = None,
) -> pd.DataFrame:
    """The core's dwelling inputs from building type, construction year and floor area.

    Parameters
    ----------
    building_type : array_like of str, shape (N,)
        One of :data:`BUILDING_TYPES` per dwelling.
    construction_year : array_like of float or int, shape (N,)
        Construction year [year].
    floor_area_m2 : array_like of float, shape (N,), optional
        Reference (heated) floor area of each dwelling [m²], TABULA ``A_C_Ref`` basis.
        Default: each archetype's typical dwelling floor area
        (``A_C_Ref / n_Apartment`` of the TABULA example), flagged ``imputed_floor_area``.

    Returns
    -------
    pandas.DataFrame, N rows
        Columns :data:`DWELLING_INPUT_COLUMNS` (areas [m²] = archetype ratio x floor area,
        volume [m³] = floor area x 2.5 m, U [W/(m²·K)], b and fractions [-], air changes
        [1/h], heat capacity [Wh/(m²·K)] per m² floor, internal gains [W/m²], setpoint and
        emitter temperature [°C], integer system codes, ``dhw_need_kwh`` [kWh/a] = TABULA
        ``q_w_nd`` x floor area, PV and solar DHW 0), then :data:`PROVENANCE_COLUMNS`:
        ``archetype_id`` (categorical), ``imputed_floor_area`` (bool) and
        ``construction_year_clamped`` (bool: year outside the type's periods, mapped to the
        nearest). The index is that of the first pandas input, else 0..N-1.

    Raises
    ------
    sim.errors.InputError
        Unknown building types, missing or negative years, missing (NaN) or non-positive
        floor areas, inputs of different length; every offending row and field is named.

    Examples
    --------
    >>> d = dwelling_inputs(["gesloten", "open"], [1975, 1930], [120.0, 180.0])
    >>> list(d["archetype_id"])
    ['BE.N.TH.03.Gen', 'BE.N.SFH.01.Gen']
    >>> [round(float(v), 1) for v in d["roof_area_m2"]]
    [59.7, 119.7]
    >>> list(d["heating_system"]), float(d["setpoint_c"].iloc[0])
    ([0, 2], 18.0)
    """
    code, year, area, index = _check_inputs(building_type, construction_year, floor_area_m2)
    idx, clamped = _index_of(code, year)
    lk = _lookup()
    v = lk.values
    imputed = area is None
    fa = v["typical_floor_area_m2"][idx] if area is None else area
    n = len(idx)

    cols: dict[str, Any] = {"floor_area_m2": fa, "volume_m3": fa * v["room_height_m"][idx]}
    for out, ratio in _AREA_RATIOS.items():
        cols[out] = fa * v[ratio][idx]
    for c in _PER_DWELLING:
        cols[c] = v[c][idx]
    for c in (*_SYSTEM_INT, *_SYSTEM_FLOAT):
        cols[c] = v[c][idx]
    for c in _DEFAULTS:
        cols[c] = np.full(n, lk.defaults[c])
    cols["dhw_need_kwh"] = v["dhw_need_kwh_m2"][idx] * fa

    frame = pd.DataFrame({c: cols[c] for c in DWELLING_INPUT_COLUMNS}, index=index)
    frame["archetype_id"] = pd.Categorical.from_codes(idx, categories=lk.ids)
    frame["imputed_floor_area"] = np.full(n, imputed)
    frame["construction_year_clamped"] = clamped
    return frame
