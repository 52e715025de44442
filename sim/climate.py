"""Monthly outdoor climate: air temperature and solar irradiation per orientation.

The monthly energy balance (EN ISO 52016-1 monthly method, formerly
EN ISO 13790) needs, for each calendar month, its length, the mean outdoor air
temperature and the solar irradiation on the building's surfaces. A
:class:`MonthlyClimate` holds exactly that, for the horizontal and the four
vertical main orientations (:data:`ORIENTATIONS`).

The shipped reference climate (:func:`uccle_monthly_climate`) is Uccle
(Brussels) 2019, derived by ``tools/derive_reference_climate.py`` from the
15-minute NREL NSRDB series with pvlib (Perez sky model, albedo 0.2); see
``sim/data/SOURCES.md``. It is one real year, not a long-term typical year.

References
----------
.. [1] EN ISO 52016-1:2017, Energy performance of buildings -- Energy needs
   for heating and cooling: monthly method and climatic data.
.. [2] NREL National Solar Radiation Database (NSRDB), https://nsrdb.nrel.gov/.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim._validate import as_float_array
from sim.errors import Problems
from sim.reference_data import load_table

#: Orientation order of :attr:`MonthlyClimate.irradiation_kwh_m2`: horizontal, then
#: vertical surfaces facing north, east, south and west.
ORIENTATIONS: tuple[str, ...] = ("h", "n", "e", "s", "w")
#: Hours in a year and the tolerance on their sum (one day, so leap years pass) [h].
HOURS_PER_YEAR, HOURS_TOLERANCE = 8760.0, 24.0

_TABLE = "climate_uccle_monthly.csv"


def _frozen(a: NDArray[np.float64]) -> NDArray[np.float64]:
    a = np.array(a, dtype=np.float64, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class MonthlyClimate:
    """Monthly outdoor climate of one site and year.

    Build it with :meth:`from_arrays` (which validates); the arrays are read-only.

    Attributes
    ----------
    name : str
        Human-readable name of the site and period.
    theta_e_c : ndarray, shape (12,)
        Monthly mean outdoor air temperature, January..December [°C].
    hours : ndarray, shape (12,)
        Length of each month [h].
    irradiation_kwh_m2 : ndarray, shape (12, 5)
        Monthly solar irradiation on the horizontal and on vertical surfaces
        facing N, E, S, W, in the order of :data:`ORIENTATIONS` [kWh/m²].
    """

    name: str
    theta_e_c: NDArray[np.float64]
    hours: NDArray[np.float64]
    irradiation_kwh_m2: NDArray[np.float64]

    @classmethod
    def from_arrays(
        cls,
        theta_e_c: ArrayLike,
        hours: ArrayLike,
        irradiation_kwh_m2: ArrayLike,
        name: str = "custom climate",
    ) -> MonthlyClimate:
        """Validate monthly arrays and build a :class:`MonthlyClimate`.

        Parameters
        ----------
        theta_e_c : array_like, shape (12,)
            Monthly mean outdoor air temperature [°C].
        hours : array_like, shape (12,)
            Length of each month, summing to 8760 ± 24 [h].
        irradiation_kwh_m2 : array_like, shape (12, 5)
            Monthly solar irradiation, columns in :data:`ORIENTATIONS` order [kWh/m²].
        name : str
            Name of the site and period.

        Returns
        -------
        MonthlyClimate

        Raises
        ------
        sim.errors.InputError
            Listing every problem: wrong shapes, NaN or infinite values,
            temperatures outside -60..60 °C, non-positive month lengths or a
            year that is not 8760 ± 24 h long, negative irradiation. Rows are
            months (0 = January).

        Examples
        --------
        >>> c = MonthlyClimate.from_arrays(np.full(12, 10.0), np.full(12, 730.0), np.ones((12, 5)))
        >>> c.irradiation_kwh_m2.shape
        (12, 5)
        """
        problems = Problems("monthly climate")
        theta = as_float_array(
            problems, "theta_e_c", theta_e_c, (12,), lo=-60.0, hi=60.0, unit="°C"
        )
        t = as_float_array(problems, "hours", hours, (12,), lo=0.0, lo_inclusive=False, unit="h")
        if t is not None and np.isfinite(t).all():
            total = float(t.sum())
            if abs(total - HOURS_PER_YEAR) > HOURS_TOLERANCE:
                problems.add(
                    "hours",
                    f"sum to {total:g} h; a year has {HOURS_PER_YEAR:g} ± {HOURS_TOLERANCE:g} h, "
                    "give the length of each calendar month",
                )
        irr = as_float_array(
            problems, "irradiation_kwh_m2", irradiation_kwh_m2, (12, 5), lo=0.0, unit="kWh/m²"
        )
        problems.raise_if_any()
        # as_float_array returns None only after recording a problem: all three are arrays here.
        return cls(
            name=str(name),
            theta_e_c=_frozen(cast(NDArray[np.float64], theta)),
            hours=_frozen(cast(NDArray[np.float64], t)),
            irradiation_kwh_m2=_frozen(cast(NDArray[np.float64], irr)),
        )

    def irradiation_on(self, orientation: str) -> NDArray[np.float64]:
        """Monthly irradiation on one orientation of :data:`ORIENTATIONS` [kWh/m²], shape (12,)."""
        if orientation not in ORIENTATIONS:
            problems = Problems("orientation")
            problems.add("orientation", f"is {orientation!r}; use one of {', '.join(ORIENTATIONS)}")
            problems.raise_if_any()
        return self.irradiation_kwh_m2[:, ORIENTATIONS.index(orientation)]

    def degree_hours(self, setpoint_c: float) -> NDArray[np.float64]:
        """Monthly temperature difference times month length, ``(setpoint - theta_e) * hours``.

        Multiplied by a heat transfer coefficient [W/K] and divided by 1000 this
        is the monthly heat transfer by transmission or ventilation [kWh]
        (EN ISO 52016-1 monthly method). Not clipped: months warmer than the set-point
        give negative values, as the monthly method requires.

        Parameters
        ----------
        setpoint_c : float
            Internal set-point temperature [°C].

        Returns
        -------
        ndarray, shape (12,)
            Degree-hours per month [K·h].

        Examples
        --------
        >>> c = MonthlyClimate.from_arrays(np.full(12, 10.0), np.full(12, 730.0), np.ones((12, 5)))
        >>> float(c.degree_hours(20.0).sum())
        87600.0
        """
        problems = Problems("set-point")
        sp = as_float_array(
            problems, "setpoint_c", [setpoint_c], (1,), lo=-60.0, hi=60.0, unit="°C"
        )
        problems.raise_if_any()
        return (float(cast(NDArray[np.float64], sp)[0]) - self.theta_e_c) * self.hours


@lru_cache(maxsize=1)
def uccle_monthly_climate() -> MonthlyClimate:
    """The shipped reference climate: Uccle (Brussels), 2019, from NREL NSRDB data.

    Returns
    -------
    MonthlyClimate
        Read from ``sim/data/climate_uccle_monthly.csv`` (source and derivation
        in ``sim/data/SOURCES.md``); the same (read-only) object on every call.

    Examples
    --------
    >>> c = uccle_monthly_climate()
    >>> c.theta_e_c.shape, c.irradiation_kwh_m2.shape
    ((12,), (12, 5))
    """
    table = load_table(_TABLE).sort_values("month")
    columns = [f"irr_{o}_kwh_m2" for o in ORIENTATIONS]
    missing = [c for c in ["month", "hours", "theta_e_c", *columns] if c not in table]
    if missing or table["month"].tolist() != list(range(1, 13)):
        problems = Problems(f"shipped table sim/data/{_TABLE}")
        problems.add(
            ", ".join(missing) or "month",
            "missing or not months 1..12; regenerate with tools/derive_reference_climate.py",
        )
        problems.raise_if_any()
    return MonthlyClimate.from_arrays(
        table["theta_e_c"].to_numpy(),
        table["hours"].to_numpy(),
        table[columns].to_numpy(),
        name="Uccle 2019 (NREL NSRDB)",
    )
