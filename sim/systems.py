"""Heat generation: boilers, direct electric, heat pumps and district heat.

Notes
-----
* **Boilers** (EN 15316-4-1, simplified): the seasonal generation efficiency
  on gross calorific value varies linearly with the emitter supply
  temperature between the tabulated values at 35 °C and 70 °C (condensing
  boilers condense only with cool return water).
* **Heat pumps** (EN 15316-4-2 method, simplified to a Carnot fraction):
  :math:`COP = \\eta_C\\,T_{sink}/(T_{sink}-T_{source})` with temperatures in
  kelvin. :math:`\\eta_C` is calibrated so that the rated COP at the
  EN 14511 test point (A7/W35 or B0/W35) is reproduced; the sink is the
  month's supply temperature, the source the month's outdoor air (air/water)
  or a constant brine temperature (ground). The COP is capped at ``cop_max``.
* **Field performance** (issue 9): laboratory ratings overstate what heat pumps deliver in
  houses (cycling at part load, defrosting, controls and stand-by, the back-up heater,
  source fans and pumps). The Carnot fraction derived from the rating is therefore
  multiplied by ``field_factor`` (column of ``heating_systems.csv``, 1 when absent), which is
  calibrated so that :func:`seasonal_performance_factor` on the shipped Uccle climate lands
  within the field measurements of ``sim/data/heat_pump_field.csv`` (Fraunhofer ISE field
  tests; ``tests/sim/test_systems_field.py`` checks every row).
* **Design-day performance** (issue 14): at full load on the design day there is no cycling
  and the seasonal losses weigh differently, so the COP on the design day uses its own factor
  ``design_field_factor`` (column of ``heating_systems.csv``, the seasonal ``field_factor``
  where absent) in :func:`heat_pump_design_cop`; it is checked against field COPs measured
  around the design outdoor temperature (``tests/sim/test_systems_field.py``).
* **Hybrid heat pumps** (bivalent parallel, kind ``hybrid_air``): an air/water heat pump
  delivers the share ``hp_share`` of each month's space heat at its COP, the back-up boiler
  ``backup_code`` the rest at its efficiency; the back-up also heats the tap water. A fixed
  share is the monthly-method simplification of the controller's switching (EN 15316-4-2 uses
  temperature bins); the share is a data value with its source.
* **Heating curve** (weather compensation): the supply temperature falls
  linearly from its design value at the design outdoor temperature to the
  set-point, but the lift above the set-point stays at least
  ``heating_curve_min_share`` of the design lift.
* Emission, distribution and control losses are one efficiency
  ``eta_emission_distribution`` per system (EN 15316-2/-3 simplified).

All values are in ``sim/data/heating_systems.csv`` with their sources.

References
----------
.. [1] EN 15316-4-1:2017, EN 15316-4-2:2017 (generation), EN 15316-2:2017 (emission).
.. [2] EN 14511-2:2018, test conditions for heat pumps.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, fields
from functools import cache

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from sim._jit import jit
from sim._validate import as_float_array
from sim.climate import MonthlyClimate, uccle_monthly_climate
from sim.errors import Problems
from sim.reference_data import load_table, simulation_defaults

#: Generator kinds, as integer codes used by the kernels.
KIND_BOILER, KIND_ELECTRIC, KIND_HP_AIR, KIND_HP_GROUND, KIND_DISTRICT = 0, 1, 2, 3, 4
KIND_HYBRID_AIR = 5
_KIND_CODES = {
    "hybrid_air": KIND_HYBRID_AIR,
    "boiler": KIND_BOILER,
    "electric": KIND_ELECTRIC,
    "heat_pump_air": KIND_HP_AIR,
    "heat_pump_ground": KIND_HP_GROUND,
    "district": KIND_DISTRICT,
}
#: Absolute zero offset [K].
KELVIN: float = 273.15


@dataclass(frozen=True)
class SystemTables:
    """Generator parameters as arrays indexed by system code (unused codes hold NaN / -1)."""

    kind: NDArray[np.int64]
    carrier: NDArray[np.int64]
    eff_at_35c: NDArray[np.float64]
    eff_at_70c: NDArray[np.float64]
    eta_emission_distribution: NDArray[np.float64]
    carnot_efficiency: NDArray[np.float64]
    source_temp_c: NDArray[np.float64]
    cop_max: NDArray[np.float64]
    dhw_efficiency: NDArray[np.float64]
    backup_code: NDArray[np.int64]
    hp_share: NDArray[np.float64]
    #: Carnot fraction on the design day (rating x ``design_field_factor``); read by
    #: :func:`heat_pump_design_cop`, not by the core's kernel
    design_carnot_efficiency: NDArray[np.float64]
    names: tuple[str, ...]
    labels_nl: tuple[str, ...]

    def columns(self) -> SystemColumns:
        """The arrays (not the names) as a named tuple: what the core's kernel reads by name."""
        # built once per table (the core asks for it on every call): the same arrays
        made: SystemColumns | None = self.__dict__.get("_columns")
        if made is None:
            names: tuple[str, ...] = SystemColumns._fields
            made = SystemColumns._make(getattr(self, name) for name in names)
            object.__setattr__(self, "_columns", made)
        return made


#: The arrays of :class:`SystemTables` as a named tuple (:meth:`SystemTables.columns`).
SystemColumns = namedtuple(  # type: ignore[misc]  # the fields are the dataclass's
    "SystemColumns",
    [
        f.name
        for f in fields(SystemTables)
        if f.name not in ("names", "labels_nl", "design_carnot_efficiency")
    ],
)


def carnot_efficiency_from_rating(
    rated_cop: ArrayLike, source_c: ArrayLike, sink_c: ArrayLike
) -> NDArray[np.float64]:
    """Carnot fraction :math:`\\eta_C = COP\\,(T_{sink}-T_{source})/T_{sink}` from a rated COP [-].

    Examples
    --------
    >>> round(float(carnot_efficiency_from_rating(4.1, 7.0, 35.0)), 6)
    0.372546
    """
    sink_k = np.asarray(sink_c, np.float64) + KELVIN
    return np.asarray(
        np.asarray(rated_cop, np.float64)
        * (sink_k - (np.asarray(source_c, np.float64) + KELVIN))
        / sink_k,
        dtype=np.float64,
    )


@cache
def default_system_tables() -> SystemTables:
    """The shipped generator table, read and checked once per process (shared; do not modify)."""
    return load_system_tables()


def load_system_tables(table: pd.DataFrame | None = None) -> SystemTables:
    """Build :class:`SystemTables` from ``sim/data/heating_systems.csv`` (or a table in that format)."""
    t = load_table("heating_systems.csv") if table is None else table
    t = t.assign(**{c: t[c] if c in t.columns else np.nan for c in _OPTIONAL})
    if "field_factor" not in t.columns:  # tables without it: laboratory rating as is
        t = t.assign(field_factor=1.0)
    carriers = list(load_table("energy_carriers.csv")["name"])
    _check_system_table(t, carriers)
    size = int(t["code"].max()) + 1
    codes = t["code"].to_numpy(np.int64)

    def col(values: ArrayLike, fill: float) -> NDArray[np.float64]:
        out = np.full(size, fill, dtype=np.float64)
        out[codes] = np.asarray(values, dtype=np.float64)
        return out

    kind = np.full(size, -1, dtype=np.int64)
    kind[codes] = [_KIND_CODES[k] for k in t["kind"]]
    carrier = np.full(size, -1, dtype=np.int64)
    carrier[codes] = [carriers.index(c) for c in t["carrier"]]
    # field Carnot fraction = laboratory one x field_factor (module notes); on the design day
    # x design_field_factor, the seasonal factor where a table has none
    eta_lab = carnot_efficiency_from_rating(t["rated_cop"], t["rated_source_c"], t["rated_sink_c"])
    field = t["field_factor"].fillna(1.0).to_numpy(np.float64)
    eta_c = eta_lab * field
    eta_design = eta_lab * t["design_field_factor"].fillna(pd.Series(field, index=t.index))
    backup = col(t["backup_code"], np.nan)  # -1 in the kernels where there is none
    names = [""] * size
    labels = [""] * size
    for c, n, lab in zip(codes, t["name"], t["label_nl"], strict=True):
        names[c], labels[c] = str(n), str(lab)
    return SystemTables(
        kind=kind,
        carrier=carrier,
        eff_at_35c=col(t["eff_at_35c"], np.nan),
        eff_at_70c=col(t["eff_at_70c"], np.nan),
        eta_emission_distribution=col(t["eta_emission_distribution"], np.nan),
        carnot_efficiency=col(eta_c, np.nan),
        source_temp_c=col(t["source_temp_c"], np.nan),
        cop_max=col(t["cop_max"], np.nan),
        dhw_efficiency=col(t["dhw_efficiency"], np.nan),
        backup_code=np.where(np.isnan(backup), -1, backup).astype(np.int64),
        hp_share=col(t["hp_share"], np.nan),
        design_carnot_efficiency=col(eta_design, np.nan),
        names=tuple(names),
        labels_nl=tuple(labels),
    )


#: Physical ranges of the generator parameters: column -> (low, high), both inclusive.
_RANGES: dict[str, tuple[float, float]] = {
    "eff_at_35c": (0.05, 1.2),
    "eff_at_70c": (0.05, 1.2),
    "eta_emission_distribution": (0.05, 1.0),
    "dhw_efficiency": (0.05, 1.2),
    "rated_cop": (1.0, 10.0),
    "cop_max": (1.0, 15.0),
    "rated_source_c": (-30.0, 40.0),
    "rated_sink_c": (20.0, 80.0),
    "source_temp_c": (-30.0, 40.0),
    "hp_share": (0.0, 1.0),
    "field_factor": (0.3, 1.0),
    "design_field_factor": (0.3, 1.0),
}
#: Columns only some tables have (filled with NaN when absent).
_OPTIONAL: tuple[str, ...] = ("backup_code", "hp_share", "design_field_factor")
#: Columns each kind of generator needs.
_NEEDS: dict[str, tuple[str, ...]] = {
    "boiler": ("eff_at_35c", "eff_at_70c", "eta_emission_distribution", "dhw_efficiency"),
    "electric": ("eff_at_35c", "eta_emission_distribution", "dhw_efficiency"),
    "district": ("eff_at_35c", "eta_emission_distribution", "dhw_efficiency"),
    "heat_pump_air": (
        "eta_emission_distribution",
        "rated_cop",
        "rated_source_c",
        "rated_sink_c",
        "cop_max",
        "field_factor",
    ),
    "heat_pump_ground": (
        "eta_emission_distribution",
        "rated_cop",
        "rated_source_c",
        "rated_sink_c",
        "cop_max",
        "source_temp_c",
        "field_factor",
    ),
    "hybrid_air": (
        "eta_emission_distribution",
        "rated_cop",
        "rated_source_c",
        "rated_sink_c",
        "cop_max",
        "hp_share",
        "field_factor",
    ),
}


def _check_system_table(t: pd.DataFrame, carriers: list[str]) -> None:
    """Every generator has the parameters its kind needs, within physical ranges."""
    problems = Problems("heating-system table")
    missing = [
        c
        for c in ("code", "name", "label_nl", "kind", "carrier", *_RANGES)
        if c not in t.columns and c not in _OPTIONAL
    ]
    if missing:
        problems.add(", ".join(missing), "column(s) missing; see sim/data/heating_systems.csv")
        problems.raise_if_any()
    unknown_kind = ~t["kind"].isin(list(_NEEDS))
    if unknown_kind.any():
        problems.add(
            "kind", f"unknown kind; use one of {list(_NEEDS)}", np.flatnonzero(unknown_kind)
        )
    unknown_carrier = ~t["carrier"].isin(carriers)
    if unknown_carrier.any():
        problems.add(
            "carrier", f"unknown carrier; use one of {carriers}", np.flatnonzero(unknown_carrier)
        )
    if t["code"].duplicated().any() or (t["code"] < 0).any():
        problems.add("code", "codes must be unique and not negative")
    for kind, cols in _NEEDS.items():
        rows = t["kind"] == kind
        for c in cols:
            v = pd.to_numeric(t[c], errors="coerce")
            lo, hi = _RANGES[c]
            bad = rows & ~v.between(lo, hi)
            if bad.any():
                problems.add(
                    c, f"must be a number from {lo} to {hi} for a {kind}", np.flatnonzero(bad)
                )
    # optional where given (NaN: the seasonal field_factor is used on the design day)
    design = pd.to_numeric(t["design_field_factor"], errors="coerce")
    lo, hi = _RANGES["design_field_factor"]
    bad = t["design_field_factor"].notna() & ~design.between(lo, hi)
    if bad.any():
        problems.add(
            "design_field_factor",
            f"must be empty or a number from {lo} to {hi}",
            np.flatnonzero(bad),
        )
    hybrid = (t["kind"] == "hybrid_air").to_numpy()
    if hybrid.any():
        boilers = set(t.loc[t["kind"] == "boiler", "code"].astype(int))
        backup = pd.to_numeric(t["backup_code"], errors="coerce")
        no_boiler = hybrid & ~backup.isin(list(boilers)).to_numpy()
        if no_boiler.any():
            problems.add(
                "backup_code",
                "a hybrid needs the code of a boiler row as back-up",
                np.flatnonzero(no_boiler),
            )
    problems.raise_if_any()


@jit
def _supply_temperature(
    theta_e: float, theta_sp: float, t_design: float, theta_e_design: float, min_share: float
) -> float:
    """Supply temperature of a weather-compensated heating curve [°C]; see module notes."""
    share = (theta_sp - theta_e) / (theta_sp - theta_e_design)
    if share > 1.0:
        share = 1.0
    if share < min_share:
        share = min_share
    return theta_sp + (t_design - theta_sp) * share


@jit
def _boiler_efficiency(eff35: float, eff70: float, t_supply: float) -> float:
    """Boiler efficiency interpolated on the supply temperature, clamped to [35, 70] °C."""
    x = (t_supply - 35.0) / 35.0
    if x < 0.0:
        x = 0.0
    if x > 1.0:
        x = 1.0
    return eff35 + (eff70 - eff35) * x


@jit
def _heat_pump_cop(eta_c: float, t_sink: float, t_source: float, cop_max: float) -> float:
    """COP of a heat pump as a Carnot fraction, capped at ``cop_max`` [-]."""
    lift = t_sink - t_source
    if lift <= 0.0:
        return cop_max
    cop = eta_c * (t_sink + KELVIN) / lift
    return cop if cop < cop_max else cop_max


def supply_temperature(
    theta_e: ArrayLike,
    theta_sp: ArrayLike,
    t_design: ArrayLike,
    theta_e_design: float,
    min_share: float,
) -> NDArray[np.float64]:
    """Supply temperature of the heating curve [°C] (vectorised; see module notes).

    Parameters
    ----------
    theta_e : array_like
        Outdoor temperature [°C].
    theta_sp : array_like
        Indoor set-point [°C].
    t_design : array_like
        Design supply temperature of the emitters [°C].
    theta_e_design : float
        Design outdoor temperature [°C].
    min_share : float
        Lowest share of the design lift kept in mild weather [-].
    """
    te, sp, td = np.broadcast_arrays(
        *(np.asarray(x, np.float64) for x in (theta_e, theta_sp, t_design))
    )
    share = np.clip((sp - te) / (sp - theta_e_design), min_share, 1.0)
    return np.asarray(sp + (td - sp) * share, dtype=np.float64)


def boiler_efficiency(
    eff_at_35c: ArrayLike, eff_at_70c: ArrayLike, t_supply: ArrayLike
) -> NDArray[np.float64]:
    """Seasonal boiler efficiency at a supply temperature [-] (vectorised).

    Examples
    --------
    >>> round(float(boiler_efficiency(0.97, 0.88, 52.5)), 6)
    0.925
    """
    x = np.clip((np.asarray(t_supply, np.float64) - 35.0) / 35.0, 0.0, 1.0)
    e35 = np.asarray(eff_at_35c, np.float64)
    return np.asarray(e35 + (np.asarray(eff_at_70c, np.float64) - e35) * x, dtype=np.float64)


def heat_pump_cop(
    eta_c: ArrayLike, t_sink_c: ArrayLike, t_source_c: ArrayLike, cop_max: ArrayLike
) -> NDArray[np.float64]:
    """COP of a heat pump [-] (vectorised; see module notes).

    Examples
    --------
    The rated point is reproduced:

    >>> eta = carnot_efficiency_from_rating(4.1, 7.0, 35.0)
    >>> round(float(heat_pump_cop(eta, 35.0, 7.0, 6.0)), 9)
    4.1
    """
    sink = np.asarray(t_sink_c, np.float64)
    lift = sink - np.asarray(t_source_c, np.float64)
    cmax = np.asarray(cop_max, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        cop = np.where(lift > 0.0, np.asarray(eta_c, np.float64) * (sink + KELVIN) / lift, cmax)
    return np.asarray(np.minimum(cop, cmax), dtype=np.float64)


def heat_pump_design_cop(
    code: ArrayLike,
    supply_c: ArrayLike,
    theta_e_design_c: float,
    tables: SystemTables | None = None,
) -> NDArray[np.float64]:
    """COP [-] of each heat pump on the design day (vectorised); NaN where ``code`` is none.

    The core's rule at one operating point, with the design-day Carnot fraction (the rating's
    times ``design_field_factor``, module notes) at the supply temperature
    ``supply_c`` (what the emitters need on the design day, ``hp_supply_temp_c``) and the source
    temperature -- the design outdoor temperature for air/water heat pumps and the heat pump of
    a hybrid, the constant brine temperature ``source_temp_c`` for ground/water ones -- capped
    at ``cop_max`` (:func:`heat_pump_cop`; the monthly kernel of :mod:`sim.core` does the same
    per month). Used for the design-day electrical peak of heat pumps (``scenarios.heat``).

    Parameters
    ----------
    code : array_like of int
        Heating-system code per dwelling (``sim/data/heating_systems.csv``).
    supply_c : array_like
        Supply temperature on the design day [°C].
    theta_e_design_c : float
        Design outdoor temperature [°C] (``SystemParameters.theta_e_design_c``).
    tables : SystemTables, optional
        Default the shipped generator table.

    Returns
    -------
    ndarray
        COP [-]; NaN for codes that are not heat pumps.

    Examples
    --------
    >>> t = default_system_tables()
    >>> cop = heat_pump_design_cop([5, 1], [35.0, 35.0], 7.0)  # air/water at its rating point
    >>> factor = t.design_carnot_efficiency[5] / t.carnot_efficiency[5] * 0.70  # design/field
    >>> round(float(cop[0]), 6) == round(float(4.1 * factor), 6), bool(np.isnan(cop[1]))
    (True, True)
    """
    t = default_system_tables() if tables is None else tables
    c = np.asarray(code, np.int64)
    valid = (c >= 0) & (c < t.kind.shape[0])
    k = np.where(valid, c, 0)
    kind = np.where(valid, t.kind[k], -1)
    is_hp = (kind == KIND_HP_AIR) | (kind == KIND_HP_GROUND) | (kind == KIND_HYBRID_AIR)
    source = np.where(kind == KIND_HP_GROUND, t.source_temp_c[k], float(theta_e_design_c))
    cop = heat_pump_cop(t.design_carnot_efficiency[k], supply_c, source, t.cop_max[k])
    return np.asarray(np.where(is_hp, cop, np.nan), dtype=np.float64)


@jit
def _seasonal_performance_factor(
    eta_c: float,
    cop_max: float,
    air_source: bool,
    source_temp: float,
    design_supply: float,
    theta_sp: float,
    theta_e_design: float,
    curve_min: float,
    dhw_temp: float,
    theta_e: NDArray[np.float64],
    hours: NDArray[np.float64],
    need: NDArray[np.float64],
    dhw_kwh: float,
) -> float:
    """Seasonal performance factor [-] of a heat pump from monthly needs [kWh]; see
    :func:`seasonal_performance_factor`. The same monthly formulas as the core's kernel."""
    theta_mean = 0.0
    for m in range(12):
        theta_mean += theta_e[m] * hours[m]
    theta_mean /= hours.sum()
    heat = 0.0
    electricity = 0.0
    for m in range(12):
        if need[m] > 0.0:
            t_sup = _supply_temperature(
                theta_e[m], theta_sp, design_supply, theta_e_design, curve_min
            )
            t_src = theta_e[m] if air_source else source_temp
            heat += need[m]
            electricity += need[m] / _heat_pump_cop(eta_c, t_sup, t_src, cop_max)
    if dhw_kwh > 0.0:
        t_src = theta_mean if air_source else source_temp
        heat += dhw_kwh
        electricity += dhw_kwh / _heat_pump_cop(eta_c, dhw_temp, t_src, cop_max)
    if electricity <= 0.0:
        return np.nan
    return heat / electricity


def default_monthly_need_profile(climate: MonthlyClimate | None = None) -> NDArray[np.float64]:
    """Typical monthly heating-need profile [-] (sums to 1): monthly heating degree-hours.

    Eurostat convention: :math:`(18 - \\theta_{e,m})\\,t_m` in months whose mean outdoor
    temperature is at most 15 °C, 0 otherwise (both temperatures in
    ``sim/data/simulation_defaults.csv``). A stand-in when no dwelling's own monthly need is
    at hand; a dwelling's EN ISO 52016-1 monthly need is better.

    Examples
    --------
    >>> p = default_monthly_need_profile()
    >>> round(float(p.sum()), 12), int((p > 0).sum())
    (1.0, 8)
    """
    c = uccle_monthly_climate() if climate is None else climate
    d = simulation_defaults()
    te = np.asarray(c.theta_e_c, np.float64)
    w = np.where(te <= d["hdd_threshold_temp_c"], (d["hdd_reference_temp_c"] - te) * c.hours, 0.0)
    return np.asarray(w / w.sum(), dtype=np.float64)


def seasonal_performance_factor(
    code: int,
    design_supply_c: float,
    monthly_need_kwh: ArrayLike | None = None,
    climate: MonthlyClimate | None = None,
    *,
    dhw_kwh: float = 0.0,
    setpoint_c: float | None = None,
    tables: SystemTables | None = None,
) -> float:
    """Seasonal performance factor (SPF) of a heat pump as the core computes it [-].

    Month by month, as in :mod:`sim.core`: the supply temperature follows the heating curve
    from ``design_supply_c`` at the design outdoor temperature, the COP is the field Carnot
    fraction at that supply temperature and the month's source temperature (outdoor air, or
    the constant brine temperature), capped at ``cop_max``; tap water (``dhw_kwh``) is heated
    at ``dhw_tap_temp_c`` from the annual mean source temperature. SPF = heat delivered /
    electricity of the generator.

    System boundary: the heat pump's output for space heating (+ tap water when
    ``dhw_kwh > 0``) over its electricity, without emission/distribution losses
    (``eta_emission_distribution``) and without the heating circulation pump
    (``pump_aux_kwh_m2``) -- the boundary of the Fraunhofer ISE field tests (heat measured
    after the heat pump; electricity of compressor, controls, source fan or brine pump and
    back-up heater), see ``sim/data/heat_pump_field.csv``.

    Parameters
    ----------
    code : int
        Heat-pump code in ``sim/data/heating_systems.csv`` (kinds ``heat_pump_air``,
        ``heat_pump_ground``; for ``hybrid_air`` the SPF of its heat pump alone).
    design_supply_c : float
        Design supply temperature of the emitters [°C], 25..75.
    monthly_need_kwh : array_like, shape (12,), optional
        Monthly space-heating need [kWh] (only its shape over the year matters when
        ``dhw_kwh`` is 0); default :func:`default_monthly_need_profile`.
    climate : MonthlyClimate, optional
        Default the shipped Uccle climate.
    dhw_kwh : float
        Annual tap-water heat from the heat pump [kWh], on the scale of ``monthly_need_kwh``.
    setpoint_c : float, optional
        Indoor set-point at the foot of the heating curve [°C]; default the archetypes' 18 °C
        (``sim/data/archetype_defaults.csv``).
    tables : SystemTables, optional
        Default the shipped generator table.

    Returns
    -------
    float
        SPF [-].

    Examples
    --------
    >>> round(seasonal_performance_factor(5, 35.0), 1)  # air/water, floor heating, space heat
    3.7
    """
    t = default_system_tables() if tables is None else tables
    c = uccle_monthly_climate() if climate is None else climate
    d = simulation_defaults()
    problems = Problems("seasonal performance factor")
    kinds = (KIND_HP_AIR, KIND_HP_GROUND, KIND_HYBRID_AIR)
    if not (0 <= int(code) < t.kind.shape[0]) or t.kind[int(code)] not in kinds:
        problems.add("code", f"{code} is not a heat pump of the heating-system table")
    as_float_array(problems, "design_supply_c", [design_supply_c], lo=25.0, hi=75.0, unit="°C")
    as_float_array(problems, "dhw_kwh", [dhw_kwh], lo=0.0, unit="kWh")
    need = as_float_array(
        problems,
        "monthly_need_kwh",
        default_monthly_need_profile(c) if monthly_need_kwh is None else monthly_need_kwh,
        (12,),
        lo=0.0,
        unit="kWh",
    )
    if need is not None and np.isfinite(need).all() and need.sum() <= 0.0 and dhw_kwh <= 0.0:
        problems.add("monthly_need_kwh", "has no heating need in any month; give a need")
    if setpoint_c is None:
        defaults = load_table("archetype_defaults.csv").set_index("parameter")["value"]
        setpoint_c = float(defaults["setpoint_c"])
    problems.raise_if_any()
    k = int(code)
    return float(
        _seasonal_performance_factor(
            float(t.carnot_efficiency[k]),
            float(t.cop_max[k]),
            bool(t.kind[k] != KIND_HP_GROUND),
            float(t.source_temp_c[k]),
            float(design_supply_c),
            float(setpoint_c),
            d["theta_e_design_c"],
            d["heating_curve_min_share"],
            d["dhw_tap_temp_c"],
            np.ascontiguousarray(c.theta_e_c, dtype=np.float64),
            np.ascontiguousarray(c.hours, dtype=np.float64),
            np.ascontiguousarray(need, dtype=np.float64),
            float(dhw_kwh),
        )
    )
