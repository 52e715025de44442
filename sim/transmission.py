"""Transmission heat transfer through the building envelope.

The building blocks shared by the EN ISO 52016-1 monthly method
(:mod:`sim.iso52016`) and the TABULA/EPISCOPE seasonal method
(:mod:`sim.tabula`).

Notes
-----
The transmission heat transfer coefficient is (EN ISO 13789:2017 §6;
EN ISO 52016-1:2017, monthly method):

.. math:: H_{tr} = \\sum_k b_{tr,k} U_k A_k + \\Delta U_{tb} \\sum_k A_k

where :math:`b_{tr,k}` is the adjustment (adjacency) factor of element *k*
(1 to exterior air, < 1 to an unheated space or the ground, 0 to a heated
neighbour: an adiabatic party wall), and the thermal bridges are taken with
the simplified surcharge :math:`\\Delta U_{tb}` on the envelope area (the
TABULA method, Loga et al. 2013 §3.2, and the default option of the Flemish
EPB method for existing dwellings) instead of a list of linear
transmittances :math:`\\psi\\,l`.

References
----------
.. [1] EN ISO 13789:2017, Thermal performance of buildings -- Transmission and
   ventilation heat transfer coefficients -- Calculation method.
.. [2] EN ISO 52016-1:2017, Energy performance of buildings -- Energy needs for
   heating and cooling ... -- Part 1: Calculation procedures.
.. [3] T. Loga, B. Stein, N. Diefenbach (2016), TABULA building typologies in
   20 European countries, Energy and Buildings 132, 4-12.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim._jit import jit


@jit
def _u_with_added_resistance(u: float, r_add: float) -> float:
    """U-value after adding a thermal resistance ``r_add`` in series [W/(m²·K)].

    ``u == 0`` marks an absent element and stays 0.
    """
    if u <= 0.0:
        return 0.0
    if r_add <= 0.0:
        return u
    return 1.0 / (1.0 / u + r_add)


def u_with_added_resistance(u_value: ArrayLike, r_add: ArrayLike) -> NDArray[np.float64]:
    """U-value of an element after adding insulation of resistance ``r_add``.

    Parameters
    ----------
    u_value : array_like
        Thermal transmittance before the measure [W/(m²·K)]; 0 marks an absent element.
    r_add : array_like
        Added thermal resistance in series, e.g. insulation thickness / conductivity [m²·K/W].

    Returns
    -------
    ndarray
        Thermal transmittance after the measure [W/(m²·K)].

    Notes
    -----
    Resistances of layers in series add (EN ISO 6946:2017):
    :math:`U' = 1 / (1/U + R_{add})`.

    Examples
    --------
    >>> float(u_with_added_resistance(2.0, 3.5))
    0.25
    """
    u = np.asarray(u_value, dtype=np.float64)
    r = np.asarray(r_add, dtype=np.float64)
    with np.errstate(divide="ignore"):
        out = np.where(u > 0.0, 1.0 / (1.0 / np.where(u > 0.0, u, 1.0) + np.maximum(r, 0.0)), 0.0)
    return np.asarray(out, dtype=np.float64)


@jit
def _element_heat_transfer(u: float, area: float, b: float) -> float:
    """Heat transfer coefficient of one element, :math:`b_{tr} U A` [W/K]."""
    return b * u * area


def transmission_heat_transfer_coefficient(
    u_value: ArrayLike,
    area: ArrayLike,
    b_tr: ArrayLike,
    delta_u_tb: ArrayLike,
    envelope_area: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Transmission heat transfer coefficient :math:`H_{tr}` of each dwelling.

    Parameters
    ----------
    u_value : array_like, shape (N, K)
        Thermal transmittance of each of the K envelope elements [W/(m²·K)].
    area : array_like, shape (N, K)
        Area of each element [m²].
    b_tr : array_like, shape (N, K) or (K,)
        Adjustment factor of each element [-]: 1 exterior, <1 unheated space or ground, 0 adiabatic.
    delta_u_tb : array_like, shape (N,)
        Thermal-bridge surcharge on the envelope area [W/(m²·K)].
    envelope_area : array_like, shape (N,), optional
        Area the surcharge applies to [m²]; default the sum of ``area`` over the elements.

    Returns
    -------
    ndarray, shape (N,)
        :math:`H_{tr}` [W/K].

    Notes
    -----
    EN ISO 13789:2017 §6 with the thermal-bridge surcharge of the TABULA
    method (see module notes).

    Examples
    --------
    A 100 m² wall at U = 1 and 20 m² of window at U = 3, 0.1 surcharge:

    >>> float(transmission_heat_transfer_coefficient([[1.0, 3.0]], [[100.0, 20.0]], [1.0, 1.0], [0.1])[0])
    172.0
    """
    u = np.atleast_2d(np.asarray(u_value, dtype=np.float64))
    a = np.atleast_2d(np.asarray(area, dtype=np.float64))
    b = np.broadcast_to(np.asarray(b_tr, dtype=np.float64), u.shape)
    env = a.sum(axis=1) if envelope_area is None else np.asarray(envelope_area, dtype=np.float64)
    out: NDArray[np.float64] = (b * u * a).sum(axis=1) + np.asarray(delta_u_tb, np.float64) * env
    return out
