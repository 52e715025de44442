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

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from sim._jit import jit
from sim.errors import Problems
from sim.reference_data import load_table

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
    names: tuple[str, ...]
    labels_nl: tuple[str, ...]


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
    eta_c = carnot_efficiency_from_rating(t["rated_cop"], t["rated_source_c"], t["rated_sink_c"])
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
}
#: Columns only some tables have (filled with NaN when absent).
_OPTIONAL: tuple[str, ...] = ("backup_code", "hp_share")
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
    ),
    "heat_pump_ground": (
        "eta_emission_distribution",
        "rated_cop",
        "rated_source_c",
        "rated_sink_c",
        "cop_max",
        "source_temp_c",
    ),
    "hybrid_air": (
        "eta_emission_distribution",
        "rated_cop",
        "rated_source_c",
        "rated_sink_c",
        "cop_max",
        "hp_share",
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
