"""EN ISO 52016-1 monthly quasi-steady-state energy need for space heating.

Notes
-----
For each month *m* (the monthly method of EN ISO 52016-1:2017, which took over the
equations of EN ISO 13790:2008 §7-12; which the Flemish EPB/EPC method
builds on):

.. math::
   Q_{H,ht,m} &= \\left[(H_{tr} + H_{ve})(\\theta_{int} - \\theta_{e,m})
                 + \\Phi_{sky}\\right] t_m \\\\
   Q_{H,gn,m} &= \\sum_o A_{sol,o} I_{sol,o,m} + \\phi_{int} A_f t_m \\\\
   Q_{H,nd,m} &= \\max(0,\\ Q_{H,ht,m} - \\eta_{H,gn,m} Q_{H,gn,m})

* :math:`H_{tr}` -- transmission with adjacency factors and a thermal-bridge
  surcharge (:mod:`sim.transmission`): roof, walls, floor, windows, doors and
  party walls (the last with :math:`b = 0` to a heated neighbour: adiabatic).
  Party walls are not changed by exterior-wall measures; they keep the
  dwelling's original wall U-value.
* :math:`H_{ve}` -- infiltration plus hygienic ventilation with heat recovery
  (:mod:`sim.ventilation`); heat recovery only for system D.
* :math:`\\Phi_{sky}` -- extra heat flow by thermal radiation to the sky
  (EN ISO 13790 §11.3.5; in EN ISO 52016-1 counted with the heat
  transfer): :math:`\\sum_k F_{r,k} R_{se} U_k A_k h_r \\Delta\\theta_{er}`, with
  form factor :math:`F_r` = 1 for the roof and roof windows, 0.5 for walls and
  vertical windows.
* :math:`A_{sol,o}` -- effective collecting area of the windows per
  orientation (:mod:`sim.solar_gains`).
* :math:`\\eta_{H,gn}` -- gain utilisation factor with
  :math:`a = a_{H,0} + \\tau/\\tau_{H,0}`, :math:`\\tau = C_m/(H_{tr}+H_{ve})`
  (:mod:`sim.utilisation`).

Cooling needs are not computed (Flemish dwellings rarely have active cooling;
the EPC adds a fictitious cooling term for overheating risk, which this core
leaves out).

References
----------
.. [1] EN ISO 52016-1:2017, Energy performance of buildings -- Energy needs for
   heating and cooling, internal temperatures and sensible and latent heat
   loads -- Part 1: Calculation procedures (monthly method).
.. [2] EN ISO 13790:2008, §7-12.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from sim._jit import jit, jit_parallel, prange
from sim.climate import MonthlyClimate, uccle_monthly_climate
from sim.reference_data import simulation_defaults
from sim.solar_gains import _collecting_area
from sim.stock import DwellingArrays
from sim.transmission import _element_heat_transfer
from sim.utilisation import _heating_need
from sim.ventilation import _ventilation_h

#: Index of the balanced ventilation system with heat recovery (D) in ventilation_systems.csv.
VENTILATION_D: int = 3
#: Sky-radiation form factors F_r: horizontal surfaces 1, vertical 0.5 (EN ISO 13790 §11.4.6).
F_R_HORIZONTAL: float = 1.0
F_R_VERTICAL: float = 0.5


@dataclass(frozen=True)
class MethodParameters:
    """Scalar parameters of the monthly method (defaults in ``sim/data/simulation_defaults.csv``)."""

    f_w: float
    a_h0: float
    tau_h0_h: float
    r_se_m2kw: float
    h_r_w_m2k: float
    delta_theta_er_k: float

    @classmethod
    def default(cls) -> MethodParameters:
        """The shipped defaults (read once: every core call asks for them)."""
        return _shipped_method_parameters()

    @property
    def sky_factor(self) -> float:
        """:math:`R_{se} h_r \\Delta\\theta_{er}` [K]: sky heat flow per W/K of U·A at F_r = 1."""
        return self.r_se_m2kw * self.h_r_w_m2k * self.delta_theta_er_k


@jit
def _envelope_heat_transfer(
    u_roof: float,
    u_wall: float,
    u_floor: float,
    u_window: float,
    u_door: float,
    u_party: float,
    a_roof: float,
    a_wall: float,
    a_floor: float,
    a_win_h: float,
    a_win_v: float,
    a_door: float,
    a_party: float,
    b_roof: float,
    b_wall: float,
    b_floor: float,
    b_party: float,
    delta_u_tb: float,
    sky_factor: float,
) -> tuple[float, float]:
    """Transmission coefficient H_tr [W/K] and sky radiation heat flow Phi_sky [W] of one dwelling."""
    a_win = a_win_h + a_win_v
    # each element's b·U·A (sim.transmission); a window or door borders the outside (b = 1)
    roof = _element_heat_transfer(u_roof, a_roof, b_roof)
    wall = _element_heat_transfer(u_wall, a_wall, b_wall)
    h_tr = (
        roof
        + wall
        + _element_heat_transfer(u_floor, a_floor, b_floor)
        + u_window * a_win
        + u_door * a_door
        + _element_heat_transfer(u_party, a_party, b_party)
        + delta_u_tb * (a_roof + a_wall + a_floor + a_win + a_door)
    )
    phi_sky = sky_factor * (
        F_R_HORIZONTAL * (roof + u_window * a_win_h)
        + F_R_VERTICAL * (wall + u_window * a_win_v + u_door * a_door)
    )
    return h_tr, phi_sky


@jit
def _monthly_heating_need(
    h_w_k: float,
    phi_sky_w: float,
    a_sol: NDArray[np.float64],
    phi_int_w: float,
    c_wh_k: float,
    theta_sp: float,
    theta_e: NDArray[np.float64],
    hours: NDArray[np.float64],
    irr: NDArray[np.float64],
    a_h0: float,
    tau_h0: float,
    need_month: NDArray[np.float64],
) -> float:
    """Monthly heating need of one dwelling (written to ``need_month`` [kWh]); returns the annual sum [kWh]."""
    tau = c_wh_k / h_w_k
    a = a_h0 + tau / tau_h0
    total = 0.0
    for m in range(12):
        t_kh = hours[m] * 1e-3
        q_ht = (h_w_k * (theta_sp - theta_e[m]) + phi_sky_w) * t_kh
        q_gn = phi_int_w * t_kh
        for o in range(a_sol.shape[0]):
            q_gn += a_sol[o] * irr[m, o]
        need = _heating_need(q_ht, q_gn, a)
        need_month[m] = need
        total += need
    return total


@jit_parallel
def _need_kernel(dw, theta_e, hours, irr, f_w, a_h0, tau_h0, sky_factor, out_annual, out_month):
    """The heating need of the dwellings ``dw`` (:class:`sim.stock.DwellingColumns`, by name)."""
    a_win = dw.window_area_m2
    for i in prange(dw.floor_area_m2.shape[0]):
        h_tr, phi_sky = _envelope_heat_transfer(
            dw.u_roof_w_m2k[i],
            dw.u_wall_w_m2k[i],
            dw.u_floor_w_m2k[i],
            dw.u_window_w_m2k[i],
            dw.u_door_w_m2k[i],
            dw.u_wall_w_m2k[i],
            dw.roof_area_m2[i],
            dw.wall_area_m2[i],
            dw.ground_floor_area_m2[i],
            a_win[i, 0],
            a_win[i, 1:].sum(),
            dw.door_area_m2[i],
            dw.party_wall_area_m2[i],
            dw.b_roof[i],
            dw.b_wall[i],
            dw.b_floor[i],
            dw.b_party_wall[i],
            dw.delta_u_tb_w_m2k[i],
            sky_factor,
        )
        hr = dw.heat_recovery_eff[i] if dw.ventilation_system[i] == VENTILATION_D else 0.0
        h_ve = _ventilation_h(dw.volume_m3[i], dw.infiltration_ach[i], dw.ventilation_ach[i], hr)
        a_sol = np.empty(a_win.shape[1])
        for o in range(a_win.shape[1]):
            a_sol[o] = _collecting_area(
                a_win[i, o], dw.g_window[i], f_w, dw.frame_fraction[i], dw.shading_factor[i]
            )
        floor = dw.floor_area_m2[i]
        out_annual[i] = _monthly_heating_need(
            h_tr + h_ve,
            phi_sky,
            a_sol,
            dw.internal_gains_w_m2[i] * floor,
            dw.heat_capacity_wh_m2k[i] * floor,
            dw.setpoint_c[i],
            theta_e,
            hours,
            irr,
            a_h0,
            tau_h0,
            out_month[i],
        )


@dataclass(frozen=True)
class HeatingNeed:
    """Result of :func:`iso52016_monthly_heating_need`.

    Attributes
    ----------
    annual_kwh : ndarray, shape (N,)
        Annual energy need for space heating :math:`Q_{H,nd}` [kWh].
    monthly_kwh : ndarray, shape (N, 12)
        Monthly energy need for space heating [kWh].
    """

    annual_kwh: NDArray[np.float64]
    monthly_kwh: NDArray[np.float64]


def iso52016_monthly_heating_need(
    dwellings: DwellingArrays,
    climate: MonthlyClimate | None = None,
    params: MethodParameters | None = None,
) -> HeatingNeed:
    """Monthly and annual energy need for space heating (EN ISO 52016-1 monthly method).

    Parameters
    ----------
    dwellings : DwellingArrays
        Validated dwelling inputs (N dwellings).
    climate : MonthlyClimate, optional
        Monthly climate; default the shipped Uccle reference climate.
    params : MethodParameters, optional
        Method constants; default the shipped defaults.

    Returns
    -------
    HeatingNeed
        Annual and monthly heating need [kWh].
    """
    c = uccle_monthly_climate() if climate is None else climate
    p = MethodParameters.default() if params is None else params
    d = dwellings
    annual = np.empty(d.n)
    monthly = np.empty((d.n, 12))
    _need_kernel(
        d.columns(),
        np.ascontiguousarray(c.theta_e_c),
        np.ascontiguousarray(c.hours),
        np.ascontiguousarray(c.irradiation_kwh_m2),
        p.f_w,
        p.a_h0,
        p.tau_h0_h,
        p.sky_factor,
        annual,
        monthly,
    )
    return HeatingNeed(annual_kwh=annual, monthly_kwh=monthly)


@cache
def _shipped_method_parameters() -> MethodParameters:
    d = simulation_defaults()
    return MethodParameters(**{k: d[k] for k in MethodParameters.__dataclass_fields__})
