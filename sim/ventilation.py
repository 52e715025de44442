"""Ventilation and infiltration heat transfer.

Notes
-----
The ventilation heat transfer coefficient (EN ISO 13789:2017 §8;
EN ISO 52016-1:2017, monthly method) is

.. math:: H_{ve} = \\rho_a c_a \\, V \\, [n_{inf} + n_{ve}(1 - \\eta_{hr})]

with :math:`\\rho_a c_a = 1200\\ \\mathrm{J/(m^3\\,K)} = 0.34\\ \\mathrm{Wh/(m^3\\,K)}`
(EN ISO 13789 §8.2; the TABULA method uses the same 0.34), *V* the
ventilated (heated) air volume, :math:`n_{inf}` the infiltration air change
rate, :math:`n_{ve}` the hygienic (user) air change rate and
:math:`\\eta_{hr}` the temperature efficiency of heat recovery
(0 for natural or extract-only ventilation).

References
----------
.. [1] EN ISO 13789:2017, §8.
.. [2] EN ISO 52016-1:2017, monthly method.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim._jit import jit

#: Volumetric heat capacity of air, rho_a * c_a [Wh/(m³·K)] (EN ISO 13789:2017 §8.2: 1200 J/(m³·K)).
RHO_C_AIR_WH_M3K: float = 0.34


@jit
def _ventilation_h(volume: float, n_inf: float, n_ve: float, eta_hr: float) -> float:
    """:math:`H_{ve}` [W/K] for one dwelling; see module notes."""
    return RHO_C_AIR_WH_M3K * volume * (n_inf + n_ve * (1.0 - eta_hr))


def ventilation_heat_transfer_coefficient(
    volume: ArrayLike,
    infiltration_ach: ArrayLike,
    ventilation_ach: ArrayLike,
    heat_recovery_eff: ArrayLike = 0.0,
) -> NDArray[np.float64]:
    """Ventilation heat transfer coefficient :math:`H_{ve}`.

    Parameters
    ----------
    volume : array_like
        Ventilated (heated) air volume [m³].
    infiltration_ach : array_like
        Infiltration air change rate through leaks [1/h].
    ventilation_ach : array_like
        Hygienic (designed or user) air change rate [1/h].
    heat_recovery_eff : array_like
        Temperature efficiency of heat recovery on the hygienic flow [-], 0 without recovery.

    Returns
    -------
    ndarray
        :math:`H_{ve}` [W/K].

    Examples
    --------
    >>> float(ventilation_heat_transfer_coefficient(250.0, 0.4, 0.4))
    68.0
    """
    v = np.asarray(volume, dtype=np.float64)
    out = (
        RHO_C_AIR_WH_M3K
        * v
        * (
            np.asarray(infiltration_ach, dtype=np.float64)
            + np.asarray(ventilation_ach, dtype=np.float64)
            * (1.0 - np.asarray(heat_recovery_eff, dtype=np.float64))
        )
    )
    return np.asarray(out, dtype=np.float64)
