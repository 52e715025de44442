"""Energy carriers: primary energy, CO2 emissions and energy cost of final energy.

Notes
-----
For final energy :math:`E_c` per carrier *c* and PV production :math:`E_{pv}`:

* primary energy :math:`E_p = \\sum_c f_{p,c} E_c - f_{p,el} E_{pv}`
  (EN ISO 52000-1 §9.6, exported and self-used on-site electricity both
  credited at the grid factor as in the Flemish EPC method);
* CO2 :math:`m = \\sum_c k_c E_c - k_{el} E_{pv}` (PV displaces grid electricity);
* cost :math:`C = \\sum_c p_c E_c - p_{el} E_{pv,self} - p_{inj} (E_{pv} - E_{pv,self})`,
  with self-use :math:`E_{pv,self} = \\min(s\\,E_{pv}, E_{el})`.
  Fixed charges (connection, capacity tariff) are not included.

Factors and prices are in ``sim/data/energy_carriers.csv`` with sources.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.errors import Problems
from sim.reference_data import load_table

_TABLE = load_table("energy_carriers.csv")
#: Carrier names in index order (the last axis of final-energy arrays).
CARRIERS: tuple[str, ...] = tuple(_TABLE["name"])
#: Index of electricity in ``CARRIERS``.
ELECTRICITY: int = CARRIERS.index("electricity")
#: Accepted ranges of the factors: primary energy [-], CO2 [kg/kWh], price [EUR/kWh].
_RANGES: dict[str, tuple[float, float]] = {
    "primary_energy_factor": (0.0, 5.0),
    "co2_kg_kwh": (0.0, 2.0),
    "price_eur_kwh": (0.0, 5.0),
}


@dataclass(frozen=True)
class CarrierTables:
    """Per-carrier factors, arrays of shape (C,) in ``CARRIERS`` order.

    Attributes
    ----------
    primary_energy_factor : ndarray
        Primary energy per kWh final energy [-].
    co2_kg_kwh : ndarray
        CO2 emission factor [kg/kWh].
    price_eur_kwh : ndarray
        Consumer price [EUR/kWh].
    """

    primary_energy_factor: NDArray[np.float64]
    co2_kg_kwh: NDArray[np.float64]
    price_eur_kwh: NDArray[np.float64]

    def columns(self) -> CarrierColumns:
        """The arrays as a named tuple: what the core's kernel reads by name."""
        # built once per table (the core asks for it on every call): the same arrays
        made: CarrierColumns | None = self.__dict__.get("_columns")
        if made is None:
            names: tuple[str, ...] = CarrierColumns._fields
            made = CarrierColumns._make(getattr(self, name) for name in names)
            object.__setattr__(self, "_columns", made)
        return made

    def __post_init__(self) -> None:
        problems = Problems("energy-carrier factors")
        for name, (lo, hi) in _RANGES.items():
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.shape != (len(CARRIERS),):
                problems.add(name, f"needs one value per carrier {list(CARRIERS)}")
                continue
            bad = ~((arr >= lo) & (arr <= hi))
            if bad.any():
                names = [CARRIERS[i] for i in np.flatnonzero(bad)]
                problems.add(
                    name, f"must be from {lo} to {hi}; wrong for {names}", np.flatnonzero(bad)
                )
        problems.raise_if_any()

    def with_overrides(self, **by_carrier: dict[str, float]) -> CarrierTables:
        """Copy with some factors replaced, e.g. ``price_eur_kwh={"electricity": 0.28}``."""
        arrays = {k: getattr(self, k).copy() for k in _RANGES}
        problems = Problems("energy-carrier overrides")
        for field_name, values in by_carrier.items():
            if field_name not in arrays:
                problems.add(field_name, f"unknown factor; use one of {list(_RANGES)}")
                continue
            for carrier, value in values.items():
                if carrier not in CARRIERS:
                    problems.add(
                        f"{field_name}.{carrier}", f"unknown carrier; use one of {list(CARRIERS)}"
                    )
                    continue
                arrays[field_name][CARRIERS.index(carrier)] = float(value)
        problems.raise_if_any()
        return CarrierTables(**arrays)


#: The arrays of :class:`CarrierTables` as a named tuple (:meth:`CarrierTables.columns`).
CarrierColumns = namedtuple(  # type: ignore[misc]  # the fields are the dataclass's
    "CarrierColumns", [f.name for f in fields(CarrierTables)]
)


def load_carrier_tables(table: pd.DataFrame | None = None) -> CarrierTables:
    """Carrier factors from ``sim/data/energy_carriers.csv`` (or a table in that format)."""
    t = _TABLE if table is None else table
    return CarrierTables(
        primary_energy_factor=t["primary_energy_factor"].to_numpy(np.float64).copy(),
        co2_kg_kwh=t["co2_kg_kwh"].to_numpy(np.float64).copy(),
        price_eur_kwh=t["price_eur_kwh"].to_numpy(np.float64).copy(),
    )
