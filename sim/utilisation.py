"""Gain utilisation for heating in the quasi-steady-state methods.

Notes
-----
The heating need of a period is (EN ISO 52016-1:2017 monthly method;
EN ISO 13790:2008 §7.2.1.1)

.. math:: Q_{H,nd} = Q_{H,ht} - \\eta_{H,gn}\\, Q_{H,gn}

with the dimensionless gain utilisation factor (EN ISO 13790 §12.2.1.1;
the same in EN ISO 52016-1)

.. math::
   \\eta_{H,gn} = \\frac{1-\\gamma^{a}}{1-\\gamma^{a+1}}\\ (\\gamma>0,\\ \\gamma\\neq 1),\\quad
   \\frac{a}{a+1}\\ (\\gamma = 1),\\quad \\frac{1}{\\gamma}\\ (\\gamma<0)

where :math:`\\gamma = Q_{H,gn}/Q_{H,ht}` is the gain/loss ratio and
:math:`a = a_{H,0} + \\tau/\\tau_{H,0}` the numerical parameter that depends
on the time constant :math:`\\tau = C_m / (H_{tr} + H_{ve})` [h].

Reference values: the monthly method uses :math:`a_{H,0} = 1`,
:math:`\\tau_{H,0} = 15` h (EN ISO 13790 §12.2.1.1, monthly method;
EN ISO 52016-1 Annex B default); the TABULA seasonal method uses
:math:`a_{H,0} = 0.8`, :math:`\\tau_{H,0} = 30` h (EN ISO 13790 seasonal
values, TABULA calculation method).

References
----------
.. [1] EN ISO 13790:2008, §12.2.1.
.. [2] EN ISO 52016-1:2017, monthly method.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim._jit import jit

#: Reference numerical parameter and time constant of the monthly method (EN ISO 13790 §12.2.1.1).
A_H0_MONTHLY: float = 1.0
TAU_H0_MONTHLY_H: float = 15.0
#: Same for the seasonal method as used by TABULA (EN ISO 13790 §12.2.1.1, seasonal).
A_H0_SEASONAL: float = 0.8
TAU_H0_SEASONAL_H: float = 30.0

#: Below this distance of gamma from 1 the limit a/(a+1) is used, to avoid 0/0 cancellation.
_GAMMA_ONE_TOL: float = 1e-9


@jit
def _utilisation_factor(gamma: float, a: float) -> float:
    """Gain utilisation factor for heating eta_H,gn [-]; see module notes."""
    if gamma < 0.0:
        return 1.0 / gamma
    if abs(gamma - 1.0) < _GAMMA_ONE_TOL:
        return a / (a + 1.0)
    ga = gamma**a
    return (1.0 - ga) / (1.0 - ga * gamma)


@jit
def _heating_need(q_ht: float, q_gn: float, a: float) -> float:
    """Heating need of a period, :math:`Q_{ht} - \\eta Q_{gn}` [same unit as the inputs], never negative."""
    if q_ht <= 0.0:
        return 0.0
    if q_gn <= 0.0:
        return q_ht
    eta = _utilisation_factor(q_gn / q_ht, a)
    need = q_ht - eta * q_gn
    return need if need > 0.0 else 0.0


def time_constant(
    heat_capacity: ArrayLike, h_tr: ArrayLike, h_ve: ArrayLike
) -> NDArray[np.float64]:
    """Building time constant :math:`\\tau = C_m/(H_{tr}+H_{ve})` [h].

    Parameters
    ----------
    heat_capacity : array_like
        Internal heat capacity of the building zone [Wh/K].
    h_tr, h_ve : array_like
        Transmission and ventilation heat transfer coefficients [W/K].
    """
    return np.asarray(heat_capacity, np.float64) / (
        np.asarray(h_tr, np.float64) + np.asarray(h_ve, np.float64)
    )


def numerical_parameter(
    tau: ArrayLike, a_h0: float = A_H0_MONTHLY, tau_h0: float = TAU_H0_MONTHLY_H
) -> NDArray[np.float64]:
    """Numerical parameter :math:`a_H = a_{H,0} + \\tau/\\tau_{H,0}` [-] (EN ISO 13790 §12.2.1.1)."""
    return np.asarray(a_h0 + np.asarray(tau, np.float64) / tau_h0, dtype=np.float64)


def gain_utilisation_factor(gamma: ArrayLike, a: ArrayLike) -> NDArray[np.float64]:
    """Gain utilisation factor for heating :math:`\\eta_{H,gn}` (vectorised).

    Parameters
    ----------
    gamma : array_like
        Gain/loss ratio :math:`Q_{H,gn}/Q_{H,ht}` [-].
    a : array_like
        Numerical parameter :math:`a_H` [-].

    Returns
    -------
    ndarray
        :math:`\\eta_{H,gn}` [-].

    Examples
    --------
    >>> round(float(gain_utilisation_factor(0.5, 2.0)), 6)
    0.857143
    """
    g, a_ = np.broadcast_arrays(np.asarray(gamma, np.float64), np.asarray(a, np.float64))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ga = np.power(np.where(g > 0.0, g, 1.0), a_)
        general = (1.0 - ga) / (1.0 - ga * g)
        out = np.where(np.abs(g - 1.0) < _GAMMA_ONE_TOL, a_ / (a_ + 1.0), general)
        out = np.where(g < 0.0, 1.0 / np.where(g < 0.0, g, 1.0), out)
        out = np.where(g == 0.0, 1.0, out)
    return np.asarray(out, dtype=np.float64)
