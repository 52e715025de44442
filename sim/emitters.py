"""Heat emitters and the design heat load: can the existing radiators be served by a heat pump?

Notes
-----
* **Design heat load** (NBN EN 12831-1:2017 with its Belgian national annex, whole-dwelling
  simplification): :math:`\\Phi_{HL} = (H_{tr} + H_{ve})\\,(\\theta_{int,d} - \\theta_{e,d})`
  [W], with the heat-transfer coefficients [W/K] of the dwelling, the design internal
  temperature :math:`\\theta_{int,d}` (20 °C, living rooms) and the design outdoor temperature
  :math:`\\theta_{e,d}` (−7 °C for Uccle). Single zone: no room-by-room split, no heat-up
  allowance, no separate ground term (EN 12831-1 §6.3 gives each; they raise the load by
  roughly 0-20 %). The coefficients are the monthly method's, so ventilation uses the seasonal
  air change rather than EN 12831-1's design minimum.
* **Emitter characteristic** (EN 442-2 for radiators, EN 1264-2 for floor heating):
  :math:`\\Phi = \\Phi_n\\,(\\Delta T_{lm}/\\Delta T_n)^n` with the **logarithmic** mean excess
  temperature :math:`\\Delta T_{lm} = (\\theta_s-\\theta_r)/\\ln((\\theta_s-\\theta_i)/(\\theta_r-\\theta_i))`.
  The logarithmic mean is the one EN 442-2 and EN 1264-2 define; the arithmetic mean
  :math:`(\\theta_s+\\theta_r)/2-\\theta_i` overstates the output at low temperatures with a wide
  spread (EN 442-2 allows it only when :math:`(\\theta_r-\\theta_i)/(\\theta_s-\\theta_i) \\ge 0.7`),
  which is exactly the heat-pump case this module is for.
* **Existing emitters** were sized for the dwelling's ORIGINAL design load
  :math:`\\Phi_{HL,0}` at its design regime (e.g. 90/70/20), times an oversizing factor
  :math:`f_{os}` (installed output / original design load, a project assumption,
  ``sim/data/emitters.csv``): :math:`\\Phi_n = f_{os}\\,\\Phi_{HL,0}` at
  :math:`\\Delta T_n = \\Delta T_{lm}(\\theta_{s,0},\\theta_{r,0},\\theta_{i,0})`.
* **Needed supply temperature** for a load :math:`\\Phi` at a supply-return spread :math:`s`
  (heat-pump operation, 5 K by default): the needed mean excess temperature is
  :math:`L = \\Delta T_n\\,(\\Phi/\\Phi_n)^{1/n}`; with :math:`x = \\theta_s - \\theta_i` and
  :math:`\\theta_r-\\theta_i = x - s`, :math:`L = s/\\ln(x/(x-s))` solves in closed form to
  :math:`x = s/(1-e^{-s/L})` (:math:`x \\to L` as :math:`s \\to 0`). After insulation the load
  falls and so does the needed supply temperature.
* **Air/water heat pump alone** is taken as sensible when the supply temperature needed at the
  design load does not exceed ``hp_max_supply_c`` (55 °C, a rule of thumb with range 50-60 °C;
  see ``sim/data/emitters.csv``).

The scalar kernels (``_design_heat_load``, ``_log_mean_excess_temperature``,
``_emitter_supply_temperature``, ``_emitter_capacity``, ``_heat_pump_alone_suits``) are
compiled with :func:`sim._jit.jit` and can be called from other kernels; the public
functions validate, broadcast and loop them over arrays.

References
----------
.. [1] NBN EN 12831-1:2017 and NBN EN 12831-1 ANB:2020, Energy performance of buildings -
   Method for calculation of the design heat load, §6 and the Belgian national annex.
.. [2] EN 442-2:2014, Radiators and convectors - Test methods and rating, §5 (characteristic
   equation, logarithmic mean excess temperature).
.. [3] EN 1264-2:2008+A1:2012, Water based surface embedded heating - Determination of the
   thermal output (characteristic curve with exponent 1.1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import cast

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from sim._jit import jit
from sim._validate import as_float_array
from sim.errors import Problems
from sim.reference_data import load_table, simulation_defaults

_TABLE = "emitters.csv"

_F64 = NDArray[np.float64]
#: The nine arrays the loop kernels take (load or supply temperature first), in their order.
_LoopArgs = tuple[_F64, _F64, _F64, _F64, _F64, _F64, _F64, _F64, _F64]


# --------------------------------------------------------------------------- scalar kernels


@jit
def _design_heat_load(
    h_tr: float, h_ve: float, theta_int_design: float, theta_e_design: float
) -> float:
    """Design heat load [W] from heat-transfer coefficients [W/K] (EN 12831-1, single zone)."""
    return (h_tr + h_ve) * (theta_int_design - theta_e_design)


@jit
def _log_mean_excess_temperature(t_supply: float, t_return: float, t_room: float) -> float:
    """Logarithmic mean excess temperature of an emitter [K] (EN 442-2); 0 if not above the room."""
    x = t_supply - t_room
    y = t_return - t_room
    if x <= 0.0 or y <= 0.0:
        return 0.0
    if abs(x - y) < 1e-9 * x:  # no spread: the mean is the common excess temperature
        return 0.5 * (x + y)
    return (x - y) / math.log(x / y)


@jit
def _needed_excess_temperature(
    load: float, design_load: float, dt_n: float, exponent: float, oversizing: float
) -> float:
    """Log-mean excess temperature [K] emitters of nominal excess ``dt_n`` need for ``load`` [W].

    The emitters were sized for ``design_load`` [W] with ``oversizing`` (EN 442-2 law
    ``Φ = Φ_n (ΔT/ΔT_n)^n``); ``load <= 0`` needs none.
    """
    if load <= 0.0:
        return 0.0
    return dt_n * (load / (oversizing * design_load)) ** (1.0 / exponent)


@jit
def _supply_for_excess(needed: float, spread: float, t_room: float) -> float:
    """Supply temperature [°C] that gives the log-mean excess ``needed`` [K] at a spread [K]."""
    if needed <= 0.0:
        return t_room
    if spread <= 0.0:
        return t_room + needed
    return t_room + spread / (-math.expm1(-spread / needed))


@jit
def _emitter_supply_temperature(
    load: float,
    design_load: float,
    t_supply_design: float,
    t_return_design: float,
    t_room_design: float,
    exponent: float,
    oversizing: float,
    spread: float,
    t_room: float,
) -> float:
    """Supply temperature [°C] the existing emitters need to deliver ``load`` [W]; see module notes.

    ``load <= 0`` needs no heat and returns ``t_room``; ``design_load <= 0`` (no emitters) NaN.
    """
    if design_load <= 0.0:
        return math.nan
    if load <= 0.0:
        return t_room
    dt_n = _log_mean_excess_temperature(t_supply_design, t_return_design, t_room_design)
    needed = _needed_excess_temperature(load, design_load, dt_n, exponent, oversizing)
    return _supply_for_excess(needed, spread, t_room)


@jit
def _emitter_capacity(
    t_supply: float,
    design_load: float,
    t_supply_design: float,
    t_return_design: float,
    t_room_design: float,
    exponent: float,
    oversizing: float,
    spread: float,
    t_room: float,
) -> float:
    """Heat output [W] of the existing emitters at a supply temperature and spread; inverse of
    :func:`_emitter_supply_temperature` (0 when the return would not be above the room)."""
    dt_n = _log_mean_excess_temperature(t_supply_design, t_return_design, t_room_design)
    dt = _log_mean_excess_temperature(t_supply, t_supply - spread, t_room)
    if dt <= 0.0:
        return 0.0
    return oversizing * design_load * (dt / dt_n) ** exponent


@jit
def _heat_pump_alone_suits(t_supply_needed: float, t_supply_max: float) -> bool:
    """Whether an air/water heat pump alone can serve emitters needing ``t_supply_needed`` [°C]."""
    return t_supply_needed <= t_supply_max


@jit
def _emitter_loop(
    capacity: bool,
    first: NDArray[np.float64],
    design_load: NDArray[np.float64],
    t_s0: NDArray[np.float64],
    t_r0: NDArray[np.float64],
    t_i0: NDArray[np.float64],
    n: NDArray[np.float64],
    oversizing: NDArray[np.float64],
    spread: NDArray[np.float64],
    t_room: NDArray[np.float64],
    out: NDArray[np.float64],
) -> None:
    """Element-wise :func:`_emitter_supply_temperature` (``first`` the load) or, with
    ``capacity``, :func:`_emitter_capacity` (``first`` the supply temperature)."""
    for k in range(out.shape[0]):
        args = (design_load[k], t_s0[k], t_r0[k], t_i0[k], n[k], oversizing[k], spread[k])
        if capacity:
            out[k] = _emitter_capacity(first[k], *args, t_room[k])
        else:
            out[k] = _emitter_supply_temperature(first[k], *args, t_room[k])


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class EmitterTables:
    """Emitter regimes (arrays indexed by regime code) and the suitability parameters.

    Attributes
    ----------
    names : tuple of str
        Regime names, e.g. ``"radiator_90_70"``, by code.
    t_supply_c, t_return_c, t_room_c : ndarray
        Design supply, return and room temperature of each regime [°C].
    exponent : ndarray
        Emitter exponent n of the EN 442-2 / EN 1264-2 characteristic [-].
    oversizing_factor : float
        Installed emitter output / original design heat load [-].
    hp_operating_spread_k : float
        Supply-return spread in heat-pump operation [K].
    hp_max_supply_c : float
        Highest design supply temperature for an air/water heat pump alone [°C].
    """

    names: tuple[str, ...]
    t_supply_c: NDArray[np.float64]
    t_return_c: NDArray[np.float64]
    t_room_c: NDArray[np.float64]
    exponent: NDArray[np.float64]
    oversizing_factor: float
    hp_operating_spread_k: float
    hp_max_supply_c: float

    def code(self, name: str) -> int:
        """Regime code of a regime name (raises :class:`~sim.errors.InputError` if unknown)."""
        if name not in self.names:
            problems = Problems("emitter regime")
            problems.add("regime", f"is {name!r}; use one of {', '.join(self.names)}")
            problems.raise_if_any()
        return self.names.index(name)


_PARAMETERS = ("oversizing_factor", "hp_operating_spread_k", "hp_max_supply_c")


@cache
def default_emitter_tables() -> EmitterTables:
    """The shipped ``sim/data/emitters.csv``, read and checked once per process."""
    return load_emitter_tables()


def load_emitter_tables(table: pd.DataFrame | None = None) -> EmitterTables:
    """Build :class:`EmitterTables` from ``sim/data/emitters.csv`` (or a table in that format).

    Raises
    ------
    sim.errors.InputError
        Missing parameters, codes not 0..R-1, regimes whose return is not above the room or
        whose supply is below the return, exponents outside 1.0-2.0, parameters outside their
        own low..high range.
    """
    t = load_table(_TABLE) if table is None else table
    problems = Problems("emitter table")
    reg = t[t["kind"] == "regime"].sort_values("code")
    par = t[t["kind"] == "parameter"].set_index("name")
    codes = pd.to_numeric(reg["code"], errors="coerce").to_numpy()
    if len(reg) == 0 or not np.array_equal(codes, np.arange(len(reg))):
        problems.add("code", "regime codes must be 0, 1, 2, ... without gaps")
    s, r, i, n = (
        pd.to_numeric(reg[c], errors="coerce").to_numpy(np.float64)
        for c in ("t_supply_c", "t_return_c", "t_room_c", "exponent")
    )
    bad = ~((r > i) & (s >= r) & (s <= 100.0))
    if bad.any():
        problems.add(
            "t_supply_c, t_return_c, t_room_c",
            "need room < return <= supply <= 100 degC",
            np.flatnonzero(bad),
        )
    bad_n = ~((n >= 1.0) & (n <= 2.0))
    if bad_n.any():
        problems.add("exponent", "must be from 1.0 to 2.0", np.flatnonzero(bad_n))
    values: dict[str, float] = {}
    for p in _PARAMETERS:
        if p not in par.index:
            problems.add(p, "parameter row missing; see sim/data/emitters.csv")
            continue
        v, lo, hi = (float(cast(float, par.loc[p, c])) for c in ("value", "low", "high"))
        if not lo <= v <= hi:
            problems.add(p, f"value {v:g} outside its own range {lo:g}..{hi:g}")
        values[p] = v
    problems.raise_if_any()
    return EmitterTables(
        names=tuple(str(x) for x in reg["name"]),
        t_supply_c=s,
        t_return_c=r,
        t_room_c=i,
        exponent=n,
        oversizing_factor=values["oversizing_factor"],
        hp_operating_spread_k=values["hp_operating_spread_k"],
        hp_max_supply_c=values["hp_max_supply_c"],
    )


def nominal_excess_temperature(tables: EmitterTables) -> NDArray[np.float64]:
    """Nominal log-mean excess temperature ΔT_n of every regime [K] (EN 442-2), by code."""
    return np.asarray(
        [
            _log_mean_excess_temperature(s, r, i)
            for s, r, i in zip(tables.t_supply_c, tables.t_return_c, tables.t_room_c, strict=True)
        ],
        dtype=np.float64,
    )


def regime_code_for_design_supply(design_supply_c: ArrayLike) -> NDArray[np.int64]:
    """Code of the shipped regime whose design supply temperature is nearest [-].

    For a dwelling that only knows its design supply temperature (``emitter_temp_c``);
    ties go to the lower code (the older, higher-temperature regime).

    Examples
    --------
    >>> t = default_emitter_tables()
    >>> [t.names[c] for c in regime_code_for_design_supply([70.0, 35.0, 90.0])]
    ['radiator_70_55', 'floor_35_30', 'radiator_90_70']
    """
    problems = Problems("design supply temperature")
    t = as_float_array(problems, "design_supply_c", np.atleast_1d(design_supply_c), unit="°C")
    problems.raise_if_any()
    return nearest_regime(cast(NDArray[np.float64], t))


def nearest_regime(design_supply_c: NDArray[np.float64]) -> NDArray[np.int64]:
    """:func:`regime_code_for_design_supply` of temperatures already checked (finite, °C)."""
    reg = default_emitter_tables().t_supply_c
    t = np.ascontiguousarray(design_supply_c, dtype=np.float64)
    out = np.empty(t.shape[0], dtype=np.int64)
    _nearest_regime_each(t, np.ascontiguousarray(reg, dtype=np.float64), out)
    return out


@jit
def _nearest_regime_each(
    t: NDArray[np.float64], reg: NDArray[np.float64], out: NDArray[np.int64]
) -> None:
    # the first regime at the least distance (ties to the lower code, as np.argmin)
    for i in range(t.shape[0]):
        best = 0
        gap = abs(t[i] - reg[0])
        for r in range(1, reg.shape[0]):
            d = abs(t[i] - reg[r])
            if d < gap:
                best = r
                gap = d
        out[i] = best


# --------------------------------------------------------------------------- public wrappers


def design_heat_load(
    h_tr_w_k: ArrayLike,
    h_ve_w_k: ArrayLike,
    theta_int_design_c: float | None = None,
    theta_e_design_c: float | None = None,
) -> NDArray[np.float64]:
    """Design heat load of dwellings [W], NBN EN 12831-1 (whole dwelling, single zone).

    Parameters
    ----------
    h_tr_w_k : array_like
        Transmission heat-transfer coefficient :math:`H_{tr}` [W/K].
    h_ve_w_k : array_like
        Ventilation heat-transfer coefficient :math:`H_{ve}` [W/K].
    theta_int_design_c : float, optional
        Design internal temperature [°C]; default ``theta_int_design_c`` of
        ``sim/data/simulation_defaults.csv`` (20 °C).
    theta_e_design_c : float, optional
        Design outdoor temperature [°C]; default ``theta_e_design_c`` (−7 °C, Uccle).

    Returns
    -------
    ndarray, shape (N,)
        :math:`\\Phi_{HL}` [W], inputs broadcast to 1-D.

    Examples
    --------
    >>> design_heat_load([250.0, 100.0], 50.0).tolist()  # (250 + 50) W/K x 27 K, ...
    [8100.0, 4050.0]
    """
    d = simulation_defaults()
    ti = d["theta_int_design_c"] if theta_int_design_c is None else float(theta_int_design_c)
    te = d["theta_e_design_c"] if theta_e_design_c is None else float(theta_e_design_c)
    problems = Problems("design heat load")
    h_tr = as_float_array(problems, "h_tr_w_k", h_tr_w_k, lo=0.0, unit="W/K")
    h_ve = as_float_array(problems, "h_ve_w_k", h_ve_w_k, lo=0.0, unit="W/K")
    if not ti > te:
        problems.add(
            "theta_int_design_c", f"({ti:g} °C) must be above theta_e_design_c ({te:g} °C)"
        )
    problems.raise_if_any()
    a, b = np.broadcast_arrays(cast(NDArray[np.float64], h_tr), cast(NDArray[np.float64], h_ve))
    return np.asarray((a + b) * (ti - te), dtype=np.float64)


def _emitter_inputs(
    what: str,
    first_name: str,
    first: ArrayLike,
    first_unit: str,
    design_load_w: ArrayLike,
    regime: ArrayLike | str,
    oversizing: ArrayLike | None,
    spread_k: ArrayLike | None,
    theta_room_c: ArrayLike | None,
) -> _LoopArgs:
    """Validate and broadcast the inputs of the two emitter wrappers to 1-D float arrays."""
    tab = default_emitter_tables()
    problems = Problems(what)
    lo_first = 0.0 if first_unit == "W" else -60.0
    x = as_float_array(problems, first_name, first, lo=lo_first, unit=first_unit)
    q0 = as_float_array(
        problems, "design_load_w", design_load_w, lo=0.0, lo_inclusive=False, unit="W"
    )
    os_ = as_float_array(
        problems,
        "oversizing",
        tab.oversizing_factor if oversizing is None else oversizing,
        lo=0.5,
        hi=5.0,
    )
    sp = as_float_array(
        problems,
        "spread_k",
        tab.hp_operating_spread_k if spread_k is None else spread_k,
        lo=0.0,
        hi=40.0,
        unit="K",
    )
    room = as_float_array(
        problems, "theta_room_c", 20.0 if theta_room_c is None else theta_room_c, unit="°C"
    )
    reg_in = np.asarray(regime)
    codes: NDArray[np.int64] | None = None
    if reg_in.dtype.kind in "US":
        known = np.isin(reg_in, tab.names)
        if not known.all():
            problems.add(
                "regime",
                f"unknown regime name(s); use one of {', '.join(tab.names)}",
                np.flatnonzero(~np.atleast_1d(known)),
            )
        else:
            codes = np.vectorize(tab.names.index, otypes=[np.int64])(reg_in)
    elif reg_in.dtype.kind in "iu":
        bad = (reg_in < 0) | (reg_in >= len(tab.names))
        if bad.any():
            problems.add(
                "regime",
                f"codes must be 0..{len(tab.names) - 1} (sim/data/emitters.csv)",
                np.flatnonzero(np.atleast_1d(bad)),
            )
        else:
            codes = reg_in.astype(np.int64)
    else:
        problems.add("regime", "give regime names or integer codes of sim/data/emitters.csv")
    problems.raise_if_any()
    arrays = (x, q0, os_, sp, room, codes)
    try:
        b = np.broadcast_arrays(*(np.atleast_1d(cast(NDArray[np.float64], a)) for a in arrays))
    except ValueError as exc:
        problems.add("inputs", f"cannot be broadcast together ({exc}); give equal lengths")
        problems.raise_if_any()
        raise  # unreachable: raise_if_any raised
    if b[0].ndim != 1:
        problems.add("inputs", "must be scalars or 1-D arrays")
        problems.raise_if_any()
    x_b, q0_b, os_b, sp_b, room_b, c_b = (np.ascontiguousarray(a) for a in b)
    c_i = c_b.astype(np.int64)
    return (
        np.ascontiguousarray(x_b, dtype=np.float64),
        np.ascontiguousarray(q0_b, dtype=np.float64),
        np.ascontiguousarray(tab.t_supply_c[c_i]),
        np.ascontiguousarray(tab.t_return_c[c_i]),
        np.ascontiguousarray(tab.t_room_c[c_i]),
        np.ascontiguousarray(tab.exponent[c_i]),
        np.ascontiguousarray(os_b, dtype=np.float64),
        np.ascontiguousarray(sp_b, dtype=np.float64),
        np.ascontiguousarray(room_b, dtype=np.float64),
    )


def emitter_supply_temperature(
    heat_load_w: ArrayLike,
    design_load_w: ArrayLike,
    regime: ArrayLike | str,
    oversizing: ArrayLike | None = None,
    spread_k: ArrayLike | None = None,
    theta_room_c: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Supply temperature the existing emitters need to deliver a heat load [°C].

    Parameters
    ----------
    heat_load_w : array_like
        Heat to deliver, e.g. the design heat load after renovation [W] (>= 0).
    design_load_w : array_like
        ORIGINAL design heat load the emitters were sized for [W] (> 0).
    regime : str, int or array_like of those
        Design regime of the emitters: name or code of a row of ``sim/data/emitters.csv``
        (e.g. ``"radiator_90_70"``).
    oversizing : array_like, optional
        Installed output / original design load [-]; default ``oversizing_factor`` (1.2).
    spread_k : array_like, optional
        Supply-return spread in operation [K]; default ``hp_operating_spread_k`` (5 K).
    theta_room_c : array_like, optional
        Room temperature in operation [°C]; default 20 °C.

    Returns
    -------
    ndarray, shape (N,)
        Needed supply temperature [°C]; the room temperature where the load is 0.

    Examples
    --------
    Radiators sized at 75/65/20 for 10 kW without oversizing, at their design spread: the
    design load needs the design supply temperature, half of it about 54.5 °C.

    >>> t = emitter_supply_temperature([10000.0, 5000.0], 10000.0, "radiator_75_65", 1.0, 10.0)
    >>> [round(float(v), 1) for v in t]
    [75.0, 54.5]
    """
    args = _emitter_inputs(
        "emitter supply temperature",
        "heat_load_w",
        heat_load_w,
        "W",
        design_load_w,
        regime,
        oversizing,
        spread_k,
        theta_room_c,
    )
    out = np.empty(args[0].shape[0])
    _emitter_loop(False, *args, out)
    return out


def emitter_capacity(
    supply_temp_c: ArrayLike,
    design_load_w: ArrayLike,
    regime: ArrayLike | str,
    oversizing: ArrayLike | None = None,
    spread_k: ArrayLike | None = None,
    theta_room_c: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Heat output of the existing emitters at a supply temperature [W] (inverse of
    :func:`emitter_supply_temperature`).

    Parameters are those of :func:`emitter_supply_temperature`, with ``supply_temp_c`` the
    supply temperature [°C] instead of the load. Returns 0 where the return temperature
    (supply − spread) would not be above the room.

    Examples
    --------
    >>> round(float(emitter_capacity(54.5229, 10000.0, "radiator_75_65", 1.0, 10.0)[0]))
    5000
    """
    args = _emitter_inputs(
        "emitter capacity",
        "supply_temp_c",
        supply_temp_c,
        "°C",
        design_load_w,
        regime,
        oversizing,
        spread_k,
        theta_room_c,
    )
    out = np.empty(args[0].shape[0])
    _emitter_loop(True, *args, out)
    return out


def air_water_heat_pump_suitable(
    design_load_w: ArrayLike,
    original_design_load_w: ArrayLike,
    regime: ArrayLike | str,
    oversizing: ArrayLike | None = None,
    spread_k: ArrayLike | None = None,
    max_supply_c: float | None = None,
) -> NDArray[np.bool_]:
    """Whether an air/water heat pump alone is sensible with the existing emitters.

    True where the supply temperature the emitters need at today's design heat load is at
    most ``max_supply_c`` (default ``hp_max_supply_c``, 55 °C; see the module notes).

    Parameters
    ----------
    design_load_w : array_like
        Design heat load of the dwelling as it is now (e.g. after insulation) [W].
    original_design_load_w : array_like
        Design heat load the emitters were sized for [W].
    regime, oversizing, spread_k
        As in :func:`emitter_supply_temperature`.
    max_supply_c : float, optional
        Highest acceptable design supply temperature [°C].

    Returns
    -------
    ndarray of bool, shape (N,)

    Examples
    --------
    Radiators sized at 90/70/20 (20 % oversized) need about 74 °C at a 5 K spread for the
    load they were sized for; insulation that halves the load brings that to about 53 °C:

    >>> air_water_heat_pump_suitable([12000.0, 6000.0], 12000.0, "radiator_90_70").tolist()
    [False, True]
    """
    limit = default_emitter_tables().hp_max_supply_c if max_supply_c is None else max_supply_c
    t = emitter_supply_temperature(
        design_load_w, original_design_load_w, regime, oversizing, spread_k
    )
    return np.asarray(t <= float(limit), dtype=np.bool_)
