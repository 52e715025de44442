"""Solar heat gains through glazing.

Notes
-----
The effective solar collecting area of a window (EN ISO 52016-1:2017
monthly method / EN ISO 13790:2008 §11.3.2) is

.. math:: A_{sol} = F_{sh,ob}\\, g_{gl}\\, (1 - F_F)\\, A_{w,p},
   \\qquad g_{gl} = F_w\\, g_{gl,n}

with :math:`F_{sh,ob}` the shading reduction factor for external obstacles,
:math:`g_{gl,n}` the total solar energy transmittance at normal incidence,
:math:`F_w` the correction for non-scattering glazing at non-normal
incidence (0.9, EN ISO 13790 §11.4.2), :math:`F_F` the frame area fraction
and :math:`A_{w,p}` the window area. The heat gain over a period is
:math:`Q_{sol} = \\sum_o A_{sol,o} I_{sol,o}` with :math:`I_{sol,o}` the
solar irradiation on orientation *o* over the period [kWh/m²].

References
----------
.. [1] EN ISO 52016-1:2017, monthly method.
.. [2] EN ISO 13790:2008, §11.3.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim._jit import jit


@jit
def _collecting_area(
    window_area: float, g_gl_n: float, f_w: float, frame_fraction: float, f_sh: float
) -> float:
    """Effective solar collecting area of one window [m²]; see module notes."""
    return f_sh * f_w * g_gl_n * (1.0 - frame_fraction) * window_area


def solar_heat_gains(
    window_area: ArrayLike,
    irradiation: ArrayLike,
    g_gl_n: ArrayLike,
    frame_fraction: ArrayLike,
    f_w: ArrayLike,
    shading_factor: ArrayLike,
) -> NDArray[np.float64]:
    """Solar heat gains through windows over a period.

    Parameters
    ----------
    window_area : array_like, shape (N, O)
        Window area per orientation [m²].
    irradiation : array_like, shape (O,) or (N, O)
        Solar irradiation on each orientation over the period [kWh/m²].
    g_gl_n : array_like, shape (N,)
        Total solar energy transmittance of the glazing at normal incidence [-].
    frame_fraction : array_like
        Frame area fraction F_F [-].
    f_w : array_like
        Non-normal-incidence correction F_w [-].
    shading_factor : array_like, shape (N,) or (N, O)
        Shading reduction factor F_sh,ob [-]; per orientation if 2-D.

    Returns
    -------
    ndarray, shape (N,)
        Solar heat gains [kWh].

    Examples
    --------
    10 m² of south glazing, g = 0.6, 30 % frame, F_w 0.9, F_sh 0.6, 340 kWh/m²:

    >>> round(float(solar_heat_gains([[10.0]], [340.0], [0.6], 0.3, 0.9, [0.6])[0]), 6)
    771.12
    """
    a = np.atleast_2d(np.asarray(window_area, dtype=np.float64))
    irr = np.asarray(irradiation, dtype=np.float64)
    sh = np.asarray(shading_factor, dtype=np.float64)
    if sh.ndim == 1:
        sh = sh[:, None]
    g = np.asarray(g_gl_n, dtype=np.float64)
    if g.ndim == 1:
        g = g[:, None]
    ff = np.asarray(frame_fraction, dtype=np.float64)
    if ff.ndim == 1:
        ff = ff[:, None]
    fw = np.asarray(f_w, dtype=np.float64)
    if fw.ndim == 1:
        fw = fw[:, None]
    out: NDArray[np.float64] = (sh * fw * g * (1.0 - ff) * a * irr).sum(axis=1)
    return out
