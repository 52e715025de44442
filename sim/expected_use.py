"""Expected actual energy use from the EPC-method calculation (prebound and rebound).

The EPC method calculates a dwelling under standard conditions: every room
heated to the standard set-point all season, standard hot-water use,
pessimistic default values for what is not known. Households in old,
poorly insulated dwellings burn far less than that (partial heating, lower
set-points: the *prebound effect*); in well-insulated dwellings they use
about as calculated, sometimes a little more (*rebound*). This module holds
the one relation between the two quantities, used by the core
(:mod:`sim.core`) for every dwelling and variant.

Notes
-----
.. math::

    r(q) = \\min\\left(r_{max},\\; L \\left(\\frac{\\max(q, q_{ref})}{q_{ref}}\\right)^{-\\beta}\\right)

with :math:`q` the calculated heat need of the dwelling, space heating plus
tap water, per m² of floor area [kWh/(m²·a)], the shape
(:math:`q_{ref}`, :math:`\\beta`) read from the published relation between
calculated and measured use [1]_ [2]_ and the level :math:`L` calibrated to
the Flemish gas use of gas-heated households (``tools/calibrate_epc.py``).
The expected final energy of each carrier is
:math:`E_{exp,c} = r(q)\\, f_{use}\\, E_{EPC,c}`, with :math:`f_{use}` the
dwelling's own calibration factor (measured / modelled expected use, 1 when
nothing was measured).

The predictor is the calculated heat *need*, not the final energy nor the
primary-energy score. The prebound effect is behaviour (partial heating,
lower set-points) acting on the heat a dwelling needs; it does not depend on
the generator that makes the heat. With final energy as predictor, a heat
pump (three times less final energy) would move a dwelling to a higher ratio
and its expected savings would be understated; with the score, PV would raise
the expected use. So insulation changes the ratio (less prebound, some
rebound), a new generator or PV does not. The reference data are calculated
*final* energy of mostly gas- and oil-heated dwellings; ``q_ref`` is moved to
the heat-need scale with a seasonal efficiency of such a stock (see the
CSV). Parameters and their
sources: ``sim/data/expected_use.csv``.

References
----------
.. [1] M. Sunikka-Blank, R. Galvin (2012), Introducing the prebound effect:
   the gap between performance and actual energy consumption, Building
   Research & Information 40(3), 260-273.
.. [2] S. Cozza, J. Chambers, M.K. Patel (2020), Measuring the thermal energy
   performance gap of labelled residential buildings in Switzerland, Energy
   Policy 137, 111085.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim._jit import jit
from sim._validate import as_float_array
from sim.errors import Problems
from sim.reference_data import load_table


@dataclass(frozen=True)
class ExpectedUseParameters:
    """Parameters of the prebound relation (``sim/data/expected_use.csv``)."""

    q_ref_kwh_m2: float
    exponent: float
    level: float
    ratio_max: float
    use_factor_min: float
    use_factor_max: float

    @classmethod
    def default(cls) -> ExpectedUseParameters:
        """The shipped (calibrated) parameters (read once: every core call asks for them)."""
        return _shipped_parameters()


@cache
def _shipped_parameters() -> ExpectedUseParameters:
    t = load_table("expected_use.csv").set_index("key")["value"]
    fields = ExpectedUseParameters.__dataclass_fields__
    return ExpectedUseParameters(**{k: float(t[k]) for k in fields})


@jit
def _expected_ratio(
    q_calc: float, q_ref: float, exponent: float, level: float, ratio_max: float
) -> float:
    """Measured / calculated use for a calculated heat need ``q_calc`` [kWh/(m²·a)]."""
    q = q_calc if q_calc > q_ref else q_ref
    r = level * (q / q_ref) ** (-exponent)
    return ratio_max if r > ratio_max else r


def expected_use_ratio(
    calculated_need_kwh_m2: ArrayLike, params: ExpectedUseParameters | None = None
) -> NDArray[np.float64]:
    """Ratio of expected actual to EPC-calculated final energy use.

    Parameters
    ----------
    calculated_need_kwh_m2 : array_like
        EPC-method heat need of space heating and tap water per m² of floor
        area [kWh/(m²·a)].
    params : ExpectedUseParameters, optional
        Default the shipped parameters.

    Returns
    -------
    ndarray
        The ratio [-] (multiply by the dwelling's ``use_factor`` for its own
        measured use).

    Examples
    --------
    >>> p = ExpectedUseParameters(100.0, 0.39, 1.0, 1.1, 0.25, 3.0)
    >>> expected_use_ratio([50.0, 100.0, 300.0], p).round(3).tolist()
    [1.0, 1.0, 0.652]
    """
    p = ExpectedUseParameters.default() if params is None else params
    problems = Problems("expected use")
    q = np.atleast_1d(np.asarray(calculated_need_kwh_m2, dtype=np.float64))
    checked = as_float_array(problems, "calculated_need_kwh_m2", q, q.shape, lo=0.0, hi=None)
    problems.raise_if_any()
    q = q if checked is None else checked
    out = np.empty_like(q)
    for i in range(q.shape[0]):
        out[i] = _expected_ratio(q[i], p.q_ref_kwh_m2, p.exponent, p.level, p.ratio_max)
    return out


__all__ = ["ExpectedUseParameters", "expected_use_ratio"]
