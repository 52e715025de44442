"""The simulation core: every renovation variant of every dwelling in one kernel call.

:func:`simulate` evaluates N dwellings × P variants. For each pair the fused
kernel applies the variant transform (:mod:`sim.variants`), computes the
monthly heating need (:mod:`sim.iso52016`), the generators' monthly
efficiency or COP (:mod:`sim.systems`), final energy per carrier including
domestic hot water and auxiliaries, PV production, primary energy, CO2,
cost (:mod:`sim.carriers`) and the EPC label (:mod:`sim.labels`). It loops
``prange`` over dwellings and serially over variants, so the
variant-independent work of a dwelling is done once and there is no Python
loop per dwelling.

Outputs per (dwelling, variant)
-------------------------------
Two quantities, never mixed:

* the **EPC method** (standard use, the conventions and pessimistic defaults of
  the Flemish EPC for existing dwellings): ``heating_need_kwh``, ``final_kwh``
  (per carrier, last axis in ``sim.carriers.CARRIERS`` order), ``pv_kwh``,
  ``primary_kwh``, ``energy_score_kwh_m2``, ``label`` (0 = A+ ... 6 = F),
  ``co2_kg``, ``cost_eur``: what labels, the renovation obligation and the 2050
  goal use; ``hp_supply_temp_c``: the supply temperature the emitters need on
  the design day at a heat pump's operating spread (existing emitters at the
  variant's design heat load, :mod:`sim.emitters`; new emitters at their own
  design temperature): the readiness of a dwelling for a heat pump. The heat
  pumps' COP and the boilers' efficiency follow the same emitter law (boilers at
  the emitters' own design spread); ``design_heat_load_w``: the variant's design
  heat load (EN 12831-1, single zone);
* the **expected actual use** (:mod:`sim.expected_use`, the prebound relation
  and the household's own measured use): ``expected_final_kwh``,
  ``expected_co2_kg``, ``expected_cost_eur``: what savings in euro and CO2 use.

CO2 counts only the energy the dwelling takes (PV used on site lowers the
electricity bought); the emissions that exported PV avoids elsewhere are
``pv_export_co2_kg``, never a negative emission of the dwelling.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, fields
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim._jit import jit, jit_parallel, prange
from sim.carriers import CARRIERS, ELECTRICITY, CarrierTables, load_carrier_tables
from sim.climate import MonthlyClimate, uccle_monthly_climate
from sim.emitters import (
    EmitterTables,
    _design_heat_load,
    _needed_excess_temperature,
    _supply_for_excess,
    default_emitter_tables,
    nearest_regime,
    nominal_excess_temperature,
)
from sim.errors import InputError, Problem, Problems
from sim.expected_use import ExpectedUseParameters, _expected_ratio
from sim.iso52016 import (
    VENTILATION_D,
    MethodParameters,
    _envelope_heat_transfer,
    _monthly_heating_need,
)
from sim.labels import LABEL_UPPER_KWH_M2, LABELS, _label_index
from sim.pv_economics import pv_bill_credit, pv_self_use
from sim.reference_data import load_table, simulation_defaults
from sim.solar_gains import _collecting_area
from sim.stock import DwellingArrays
from sim.systems import (
    KIND_BOILER,
    KIND_DISTRICT,
    KIND_HP_AIR,
    KIND_HP_GROUND,
    KIND_HYBRID_AIR,
    SystemTables,
    _boiler_efficiency,
    _heat_pump_cop,
    _supply_temperature,
    default_system_tables,
)
from sim.transmission import _u_with_added_resistance
from sim.variants import (
    VariantArrays,
    VariantColumns,
    _upper_limit,
    _window_after,
    heat_recovery_defaults,
)
from sim.ventilation import _ventilation_h

#: Hours in a year, for annual fan energy [h].
HOURS_PER_YEAR: float = 8760.0


@dataclass(frozen=True)
class SystemParameters:
    """Scalar parameters of the systems part (defaults in ``sim/data/simulation_defaults.csv``)."""

    theta_e_design_c: float
    theta_int_design_c: float
    heating_curve_min_share: float
    dhw_tap_temp_c: float
    pump_aux_kwh_m2: float
    pv_self_consumption_share: float
    pv_injection_price_eur_kwh: float

    @classmethod
    def default(cls) -> SystemParameters:
        """The shipped defaults (read once: every core call asks for them)."""
        return _shipped_system_parameters()


@dataclass(frozen=True)
class SimulationResult:
    """Results of :func:`simulate` for N dwellings × P variants (arrays of shape (N, P))."""

    variant_names: tuple[str, ...]
    heating_need_kwh: NDArray[np.float64]
    final_kwh: NDArray[np.float64]
    pv_kwh: NDArray[np.float64]
    primary_kwh: NDArray[np.float64]
    energy_score_kwh_m2: NDArray[np.float64]
    co2_kg: NDArray[np.float64]
    cost_eur: NDArray[np.float64]
    label: NDArray[np.int8]
    expected_use_ratio: NDArray[np.float64]
    expected_co2_kg: NDArray[np.float64]
    expected_cost_eur: NDArray[np.float64]
    pv_export_co2_kg: NDArray[np.float64]
    hp_supply_temp_c: NDArray[np.float64]
    design_heat_load_w: NDArray[np.float64]

    @property
    def expected_final_kwh(self) -> NDArray[np.float64]:
        """Expected actual final energy per carrier [kWh/a], shape (N, P, C).

        The EPC-method final energy times the expected-use ratio (:mod:`sim.expected_use`,
        including the dwelling's ``use_factor``); computed when asked, so the kernel writes
        one ratio instead of a second array per carrier.
        """
        return self.final_kwh * self.expected_use_ratio[:, :, None]

    def to_frame(self, dwelling_ids: NDArray[np.generic] | None = None) -> pd.DataFrame:
        """Long table: one row per (dwelling, variant).

        EPC-method figures (``final_<carrier>_kwh``, ``energy_score_kwh_m2``, ``label``,
        ``co2_kg``, ``cost_eur``) and the expected actual use
        (``expected_final_<carrier>_kwh``, ``expected_co2_kg``, ``expected_cost_eur``) side by
        side, and ``pv_export_co2_kg``, the emissions avoided elsewhere by exported PV.
        """
        n, p = self.heating_need_kwh.shape
        ids = np.arange(n) if dwelling_ids is None else np.asarray(dwelling_ids)
        out: dict[str, object] = {
            "dwelling_id": np.repeat(ids, p),
            "variant": np.tile(np.asarray(self.variant_names, dtype=object), n),
            "heating_need_kwh": self.heating_need_kwh.reshape(-1),
        }
        for c, name in enumerate(CARRIERS):
            out[f"final_{name}_kwh"] = self.final_kwh[:, :, c].reshape(-1)
        out.update(
            pv_kwh=self.pv_kwh.reshape(-1),
            primary_kwh=self.primary_kwh.reshape(-1),
            energy_score_kwh_m2=self.energy_score_kwh_m2.reshape(-1),
            co2_kg=self.co2_kg.reshape(-1),
            cost_eur=self.cost_eur.reshape(-1),
            label=pd.Categorical.from_codes(
                self.label.reshape(-1).astype(np.int64), categories=pd.Index(list(LABELS))
            ),
        )
        x_final = self.expected_final_kwh
        for c, name in enumerate(CARRIERS):
            out[f"expected_final_{name}_kwh"] = x_final[:, :, c].reshape(-1)
        out.update(
            expected_co2_kg=self.expected_co2_kg.reshape(-1),
            expected_cost_eur=self.expected_cost_eur.reshape(-1),
            pv_export_co2_kg=self.pv_export_co2_kg.reshape(-1),
            hp_supply_temp_c=self.hp_supply_temp_c.reshape(-1),
            design_heat_load_w=self.design_heat_load_w.reshape(-1),
        )
        return pd.DataFrame(out)


#: The array fields of :class:`SimulationResult`: what the kernel writes.
_RESULT_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(SimulationResult) if f.name != "variant_names"
)
#: The arrays the kernel writes, by name (:data:`_RESULT_FIELDS`).
KernelResults = namedtuple("KernelResults", _RESULT_FIELDS)  # type: ignore[misc]


class KernelClimate(NamedTuple):
    """The monthly climate as the kernel takes it (:class:`sim.climate.MonthlyClimate`)."""

    theta_e_c: NDArray[np.float64]
    hours: NDArray[np.float64]
    irradiation_kwh_m2: NDArray[np.float64]


class KernelVentilation(NamedTuple):
    """Per ventilation code: the fans' power and the default heat recovery
    (``sim/data/ventilation_systems.csv``)."""

    fan_power_w_m3h: NDArray[np.float64]
    heat_recovery_default: NDArray[np.float64]


class KernelParameters(NamedTuple):
    """The scalar parameters (:class:`sim.iso52016.MethodParameters`, :class:`SystemParameters`,
    :class:`sim.expected_use.ExpectedUseParameters`, the emitter tables') and the labels'
    upper bounds."""

    f_w: float
    a_h0: float
    tau_h0_h: float
    sky_factor: float
    theta_e_design_c: float
    heating_curve_min_share: float
    dhw_tap_temp_c: float
    pump_aux_kwh_m2: float
    pv_self_consumption_share: float
    pv_injection_price_eur_kwh: float
    label_upper_kwh_m2: NDArray[np.float64]
    xq_ref_kwh_m2: float
    xq_exponent: float
    x_level: float
    x_ratio_max: float
    oversizing_factor: float
    hp_operating_spread_k: float
    theta_int_design_c: float


class KernelEmitters(NamedTuple):
    """Per dwelling the regime of its existing emitters; per variant the first variant with
    the same envelope and the supply temperatures of its new emitters (:mod:`sim.emitters`)."""

    nominal_excess_k: NDArray[np.float64]
    design_spread_k: NDArray[np.float64]
    exponent: NDArray[np.float64]
    envelope_source: NDArray[np.int64]
    new_t_hp_c: NDArray[np.float64]
    new_t_boiler_c: NDArray[np.float64]


#: Columns of the kernel's per-dwelling table of envelope variants (``env``, one row per variant):
#: 0-11 heating need per month, then the need, the design heat load, the expected-use ratio, and
#: the supply temperatures the existing emitters need for that load (heat pump, boiler) with a flag.
_ENV_NEED, _ENV_LOAD, _ENV_RATIO, _ENV_T_HP, _ENV_T_BOILER, _ENV_EMIT_DONE = 12, 13, 14, 15, 16, 17
_ENV_COLUMNS = 18


def _new_emitter_supply(
    dt_n: NDArray[np.float64],
    spread: NDArray[np.float64],
    exponent: NDArray[np.float64],
    oversizing: float,
    hp_spread: float,
    theta_i_design: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Supply temperatures [°C] of each variant's new emitters at its own design load.

    New emitters are sized for the variant's design heat load, so the load over the load they
    were sized for is 1 and the temperatures depend on the regime only: a heat pump at its
    operating spread, a boiler at the regime's design spread (:mod:`sim.emitters`).
    """
    n = dt_n.shape[0]
    t_hp = np.empty(n)
    t_boiler = np.empty(n)
    for p in range(n):
        excess = _needed_excess_temperature(1.0, 1.0, dt_n[p], exponent[p], oversizing)
        t_hp[p] = _supply_for_excess(excess, hp_spread, theta_i_design)
        t_boiler[p] = _supply_for_excess(excess, spread[p], theta_i_design)
    return t_hp, t_boiler


@jit_parallel
def _simulate_kernel(dw, var, clim, gen, vent, car, par, emit, out):
    """N dwellings x P variants, every argument by name: ``dw`` the dwellings
    (:class:`sim.stock.DwellingColumns`), ``var`` the variants (:class:`sim.variants.
    VariantColumns`), ``clim`` the climate (:class:`KernelClimate`), ``gen``, ``vent`` and
    ``car`` the tables by code of the generators, the ventilation systems and the carriers
    (:class:`sim.systems.SystemColumns`, :class:`KernelVentilation`,
    :class:`sim.carriers.CarrierColumns`), ``par`` the scalar parameters
    (:class:`KernelParameters`), ``emit`` the emitters (:class:`KernelEmitters`) and ``out`` the
    results it writes (:class:`KernelResults`). A name that does not exist fails when the
    kernel compiles."""
    floor = dw.floor_area_m2
    volume = dw.volume_m3
    a_roof = dw.roof_area_m2
    a_wall = dw.wall_area_m2
    a_floor = dw.ground_floor_area_m2
    a_door = dw.door_area_m2
    a_party = dw.party_wall_area_m2
    a_win = dw.window_area_m2
    u_roof = dw.u_roof_w_m2k
    u_wall = dw.u_wall_w_m2k
    u_floor = dw.u_floor_w_m2k
    u_window = dw.u_window_w_m2k
    u_door = dw.u_door_w_m2k
    b_roof = dw.b_roof
    b_wall = dw.b_wall
    b_floor = dw.b_floor
    b_party = dw.b_party_wall
    delta_u_tb = dw.delta_u_tb_w_m2k
    g = dw.g_window
    frame = dw.frame_fraction
    f_sh = dw.shading_factor
    n_inf = dw.infiltration_ach
    n_ve = dw.ventilation_ach
    vent_sys = dw.ventilation_system
    eta_hr = dw.heat_recovery_eff
    c_m = dw.heat_capacity_wh_m2k
    phi_int = dw.internal_gains_w_m2
    theta_sp = dw.setpoint_c
    heat_sys = dw.heating_system
    emit_t = dw.emitter_temp_c
    dhw_sys = dw.dhw_system
    dhw_need = dw.dhw_need_kwh
    sol_dhw = dw.solar_dhw_fraction
    pv_kwp = dw.pv_kwp
    pv_yield = dw.pv_yield_kwh_kwp
    emit_load = dw.emitter_design_load_w
    use_factor = dw.use_factor
    primary_factor = dw.epc_primary_factor
    v_r_roof = var.r_add_roof_m2kw
    v_r_wall = var.r_add_wall_m2kw
    v_r_floor = var.r_add_floor_m2kw
    v_u_window = var.u_window_w_m2k
    v_g = var.g_window
    v_u_door = var.u_door_w_m2k
    v_dutb = var.delta_u_tb_w_m2k
    v_n_inf = var.infiltration_ach
    v_vent = var.ventilation_system
    v_eta_hr = var.heat_recovery_eff
    v_heat = var.heating_system
    v_emit_t = var.emitter_temp_c
    v_dhw = var.dhw_system
    v_sol_dhw = var.solar_dhw_fraction
    v_pv_add = var.pv_kwp_add
    v_env_src = emit.envelope_source
    theta_e = clim.theta_e_c
    hours = clim.hours
    irr = clim.irradiation_kwh_m2
    s_kind = gen.kind
    s_carrier = gen.carrier
    s_eff35 = gen.eff_at_35c
    s_eff70 = gen.eff_at_70c
    s_eta_ed = gen.eta_emission_distribution
    s_eta_c = gen.carnot_efficiency
    s_src_t = gen.source_temp_c
    s_cop_max = gen.cop_max
    s_dhw_eff = gen.dhw_efficiency
    s_backup = gen.backup_code
    s_hp_share = gen.hp_share
    vent_sfp = vent.fan_power_w_m3h
    vent_hr_default = vent.heat_recovery_default
    pef = car.primary_energy_factor
    co2f = car.co2_kg_kwh
    price = car.price_eur_kwh
    f_w = par.f_w
    a_h0 = par.a_h0
    tau_h0 = par.tau_h0_h
    sky_factor = par.sky_factor
    theta_e_design = par.theta_e_design_c
    curve_min = par.heating_curve_min_share
    dhw_temp = par.dhw_tap_temp_c
    pump_aux = par.pump_aux_kwh_m2
    pv_self_share = par.pv_self_consumption_share
    pv_inject = par.pv_injection_price_eur_kwh
    label_upper = par.label_upper_kwh_m2
    xq_ref = par.xq_ref_kwh_m2
    xq_exp = par.xq_exponent
    x_level = par.x_level
    x_rmax = par.x_ratio_max
    e_dtn = emit.nominal_excess_k
    e_spread = emit.design_spread_k
    e_exp = emit.exponent
    e_oversize = par.oversizing_factor
    e_hp_spread = par.hp_operating_spread_k
    theta_i_design = par.theta_int_design_c
    ve_t_hp = emit.new_t_hp_c
    ve_t_boiler = emit.new_t_boiler_c
    o_need = out.heating_need_kwh
    o_final = out.final_kwh
    o_pv = out.pv_kwh
    o_primary = out.primary_kwh
    o_score = out.energy_score_kwh_m2
    o_co2 = out.co2_kg
    o_cost = out.cost_eur
    o_label = out.label
    o_x_ratio = out.expected_use_ratio
    o_x_co2 = out.expected_co2_kg
    o_x_cost = out.expected_cost_eur
    o_pv_export_co2 = out.pv_export_co2_kg
    o_supply = out.hp_supply_temp_c
    o_load = out.design_heat_load_w
    n = floor.shape[0]
    n_var = v_r_roof.shape[0]
    n_or = a_win.shape[1]
    n_car = pef.shape[0]
    theta_e_mean = 0.0
    for m in range(12):
        theta_e_mean += theta_e[m] * hours[m]
    theta_e_mean /= hours.sum()
    for i in prange(n):
        # one allocation per dwelling for all scratch arrays (an allocation costs about as much
        # as the physics of a variant): the envelope table ``env`` (need per month, need, design
        # load, expected-use ratio, existing emitters' temperatures of each distinct envelope; a
        # variant whose envelope equals an earlier one's, v_env_src, reuses its row), then the
        # solar apertures, the final energy per carrier and the heating curve
        work = np.empty(n_var * _ENV_COLUMNS + n_or + n_car + 12)
        env = work[: n_var * _ENV_COLUMNS].reshape((n_var, _ENV_COLUMNS))
        for p in range(n_var):
            env[p, _ENV_EMIT_DONE] = 0.0
        k = n_var * _ENV_COLUMNS
        a_sol = work[k : k + n_or]
        final = work[k + n_or : k + n_or + n_car]
        # variant-independent per dwelling: vertical window area and the heating-curve share per month
        curve = work[k + n_or + n_car :]
        a_win_v = 0.0
        for o in range(1, n_or):
            a_win_v += a_win[i, o]
        for m in range(12):
            # share of the design lift above the set-point (heating curve): supply = sp + lift * curve
            curve[m] = (
                _supply_temperature(
                    theta_e[m], theta_sp[i], theta_sp[i] + 1.0, theta_e_design, curve_min
                )
                - theta_sp[i]
            )
        load0 = 0.0  # the design heat load the existing emitters were sized for (p = -1)
        # p = -1 is the dwelling as it is: only its design heat load, which the existing emitters
        # were sized for; then every variant
        for p in range(-1, n_var):
            # --- systems and PV of the variant (reference: sim.variants.apply_variant)
            vs = vent_sys[i]
            hs = heat_sys[i]
            ds = dhw_sys[i]
            sd = sol_dhw[i]
            kwp = pv_kwp[i]
            src = p
            if p >= 0:
                if v_vent[p] >= 0:
                    vs = v_vent[p]
                if v_heat[p] >= 0:
                    hs = v_heat[p]
                if v_dhw[p] >= 0:
                    ds = v_dhw[p]
                if v_sol_dhw[p] > sd:
                    sd = v_sol_dhw[p]
                kwp += v_pv_add[p]
                src = v_env_src[p]
            if src == p:
                # --- envelope transform (the NumPy reference: sim.variants.variant_changes)
                ur = u_roof[i]
                uw = u_wall[i]
                uf = u_floor[i]
                uwin = u_window[i]
                gg = g[i]
                ud = u_door[i]
                dutb = delta_u_tb[i]
                ninf = n_inf[i]
                hr = eta_hr[i]
                if p >= 0:  # the variant's rules (sim.variants, sim.transmission)
                    ur = _u_with_added_resistance(ur, v_r_roof[p])
                    uw = _u_with_added_resistance(uw, v_r_wall[p])
                    uf = _u_with_added_resistance(uf, v_r_floor[p])
                    uwin, gg = _window_after(uwin, gg, v_u_window[p], v_g[p])
                    ud = _upper_limit(ud, v_u_door[p])
                    dutb = _upper_limit(dutb, v_dutb[p])
                    ninf = _upper_limit(ninf, v_n_inf[p])
                    if v_vent[p] >= 0:
                        hr = vent_hr_default[vs] if np.isnan(v_eta_hr[p]) else v_eta_hr[p]

                # --- heating need, EN ISO 52016-1 monthly method
                h_tr, phi_sky = _envelope_heat_transfer(
                    ur,
                    uw,
                    uf,
                    uwin,
                    ud,
                    u_wall[i],
                    a_roof[i],
                    a_wall[i],
                    a_floor[i],
                    a_win[i, 0],
                    a_win_v,
                    a_door[i],
                    a_party[i],
                    b_roof[i],
                    b_wall[i],
                    b_floor[i],
                    b_party[i],
                    dutb,
                    sky_factor,
                )
                hr_eff = hr if vs == VENTILATION_D else 0.0
                h_ve = _ventilation_h(volume[i], ninf, n_ve[i], hr_eff)
                if p < 0:
                    load0 = _design_heat_load(h_tr, h_ve, theta_i_design, theta_e_design)
                    if emit_load[i] > 0.0:  # emitters sized earlier, before later measures
                        load0 = emit_load[i]
                    continue
                for o in range(n_or):
                    a_sol[o] = _collecting_area(a_win[i, o], gg, f_w, frame[i], f_sh[i])
                need = _monthly_heating_need(
                    h_tr + h_ve,
                    phi_sky,
                    a_sol,
                    phi_int[i] * floor[i],
                    c_m[i] * floor[i],
                    theta_sp[i],
                    theta_e,
                    hours,
                    irr,
                    a_h0,
                    tau_h0,
                    env[p, :12],
                )
                env[p, _ENV_NEED] = need
                env[p, _ENV_LOAD] = _design_heat_load(h_tr, h_ve, theta_i_design, theta_e_design)
                # expected actual use (sim.expected_use): the prebound relation of the calculated
                # heat need (space + tap water) per m² and the household's own factor; the
                # generator does not change the ratio, so a heat pump saves what its efficiency saves
                env[p, _ENV_RATIO] = use_factor[i] * _expected_ratio(
                    (need + dhw_need[i]) / floor[i], xq_ref, xq_exp, x_level, x_rmax
                )
            need = env[src, _ENV_NEED]
            load = env[src, _ENV_LOAD]
            ratio = env[src, _ENV_RATIO]
            need_month = env[src, :12]

            # --- design supply temperature (sim.emitters): new emitters (a variant with an emitter
            # temperature) are designed for it; existing ones need what delivers this variant's
            # design heat load, a heat pump at its small operating spread
            kind = s_kind[hs]
            # a heat pump runs the water at its small operating spread; a boiler, and a hybrid
            # (the boiler keeps the control of the water), at the emitters' own design spread.
            # Existing emitters: the same for every variant of one envelope, computed once (env);
            # new emitters are sized for the variant's own load, so their temperatures depend on
            # the variant only (ve_t_hp, ve_t_boiler, computed before the kernel)
            if np.isnan(v_emit_t[p]):  # the existing emitters, sized for the dwelling as it is
                t_max = emit_t[i]
                if env[src, _ENV_EMIT_DONE] == 0.0:
                    if load0 > 0.0:
                        excess = _needed_excess_temperature(
                            load, load0, e_dtn[i], e_exp[i], e_oversize
                        )
                        env[src, _ENV_T_HP] = _supply_for_excess(
                            excess, e_hp_spread, theta_i_design
                        )
                        env[src, _ENV_T_BOILER] = _supply_for_excess(
                            excess, e_spread[i], theta_i_design
                        )
                    else:
                        env[src, _ENV_T_HP] = np.nan
                        env[src, _ENV_T_BOILER] = np.nan
                    env[src, _ENV_EMIT_DONE] = 1.0
                t_hp = env[src, _ENV_T_HP]
                et = env[src, _ENV_T_BOILER]
            else:  # new emitters, sized for this variant
                t_max = v_emit_t[p]
                if load > 0.0:
                    t_hp = ve_t_hp[p]
                    et = ve_t_boiler[p]
                else:
                    t_hp = np.nan
                    et = np.nan
            if kind == KIND_HP_AIR or kind == KIND_HP_GROUND:
                et = t_hp
            if np.isnan(et) or et > t_max:
                et = t_max
            if et < theta_sp[i]:
                et = theta_sp[i]
            if np.isnan(t_hp) or t_hp > t_max:
                t_hp = t_max
            o_supply[i, p] = t_hp
            o_load[i, p] = load

            # --- space-heating generation, month by month (efficiency and COP vary with the weather)
            for c in range(n_car):
                final[c] = 0.0
            lift = et - theta_sp[i]  # design supply temperature above the set-point
            delivered = 0.0  # heat delivered by the generator, then its carrier use
            if kind == KIND_BOILER:
                for m in range(12):
                    if need_month[m] > 0.0:
                        t_sup = theta_sp[i] + lift * curve[m]
                        delivered += need_month[m] / _boiler_efficiency(
                            s_eff35[hs], s_eff70[hs], t_sup
                        )
            elif kind == KIND_HP_AIR or kind == KIND_HP_GROUND:
                for m in range(12):
                    if need_month[m] > 0.0:
                        t_sup = theta_sp[i] + lift * curve[m]
                        t_src = theta_e[m] if kind == KIND_HP_AIR else s_src_t[hs]
                        delivered += need_month[m] / _heat_pump_cop(
                            s_eta_c[hs], t_sup, t_src, s_cop_max[hs]
                        )
            elif kind == KIND_HYBRID_AIR:
                # bivalent parallel: the heat pump delivers hp_share of each month's heat, the
                # back-up boiler the rest (its fuel goes to the boiler's carrier)
                bk = s_backup[hs]
                f_hp = s_hp_share[hs]
                backup = 0.0
                for m in range(12):
                    if need_month[m] > 0.0:
                        t_sup = theta_sp[i] + lift * curve[m]
                        delivered += (
                            f_hp
                            * need_month[m]
                            / _heat_pump_cop(s_eta_c[hs], t_sup, theta_e[m], s_cop_max[hs])
                        )
                        backup += (
                            (1.0 - f_hp)
                            * need_month[m]
                            / _boiler_efficiency(s_eff35[bk], s_eff70[bk], t_sup)
                        )
                final[s_carrier[bk]] += backup / s_eta_ed[hs]
            else:
                delivered = need / s_eff35[hs]
            final[s_carrier[hs]] += delivered / s_eta_ed[hs]

            # --- domestic hot water
            q_dhw = dhw_need[i] * (1.0 - sd)
            if q_dhw > 0.0:
                dk = s_kind[ds]
                if dk == KIND_HP_AIR or dk == KIND_HP_GROUND:
                    t_src = theta_e_mean if dk == KIND_HP_AIR else s_src_t[ds]
                    final[s_carrier[ds]] += q_dhw / _heat_pump_cop(
                        s_eta_c[ds], dhw_temp, t_src, s_cop_max[ds]
                    )
                elif dk == KIND_HYBRID_AIR:  # the back-up boiler heats the tap water
                    bk = s_backup[ds]
                    final[s_carrier[bk]] += q_dhw / s_dhw_eff[bk]
                else:
                    final[s_carrier[ds]] += q_dhw / s_dhw_eff[ds]

            # --- auxiliaries: hydronic pumps and ventilation fans
            if (
                kind == KIND_BOILER
                or kind == KIND_HP_AIR
                or kind == KIND_HP_GROUND
                or kind == KIND_HYBRID_AIR
                or kind == KIND_DISTRICT
            ):
                final[ELECTRICITY] += pump_aux * floor[i]
            final[ELECTRICITY] += vent_sfp[vs] * n_ve[i] * volume[i] * HOURS_PER_YEAR * 1e-3

            # --- PV, primary energy, CO2, cost, label (EPC method); the EPC score credits all PV
            # output (primary-energy factor of electricity), CO2 and cost only the PV used on site:
            # exported PV is not a negative emission of the dwelling (o_pv_export_co2)
            pv = kwp * pv_yield[i]
            primary = 0.0
            co2 = 0.0
            cost = 0.0
            for c in range(n_car):
                o_final[i, p, c] = final[c]
                primary += pef[c] * final[c]
                co2 += co2f[c] * final[c]
                cost += price[c] * final[c]
            # PV on the bill and in CO2: sim.pv_economics
            pv_self = pv_self_use(pv, pv_self_share, final[ELECTRICITY])
            x_co2 = ratio * co2  # the expected use's fuels and electricity, before its PV
            x_cost = ratio * cost
            cost -= pv_bill_credit(pv, pv_self, price[ELECTRICITY], pv_inject)
            co2 -= co2f[ELECTRICITY] * pv_self
            # the certificate's anchor: a registered EPC the calibration could not reach within
            # the physical ranges scales the primary energy the dwelling uses (not its PV), so
            # the difference shrinks with what a measure saves (buildings.calibration)
            primary = primary_factor[i] * primary - pef[ELECTRICITY] * pv
            score = primary / floor[i]

            # --- expected actual use: the EPC-method final energy times the ratio (above); the
            # result keeps the ratio, not a second copy of the final energy per carrier
            o_x_ratio[i, p] = ratio
            x_self = pv_self_use(pv, pv_self_share, ratio * final[ELECTRICITY])
            o_x_co2[i, p] = x_co2 - co2f[ELECTRICITY] * x_self
            o_x_cost[i, p] = x_cost - pv_bill_credit(pv, x_self, price[ELECTRICITY], pv_inject)
            o_pv_export_co2[i, p] = co2f[ELECTRICITY] * (pv - x_self)
            o_need[i, p] = need
            o_pv[i, p] = pv
            o_primary[i, p] = primary
            o_score[i, p] = score
            o_co2[i, p] = co2
            o_cost[i, p] = cost
            o_label[i, p] = _label_index(score, label_upper)


def _check_compatible(d: DwellingArrays, v: VariantArrays, systems: SystemTables) -> None:
    """Combinations the tables cannot compute (e.g. a DHW-only generator used for space heating)."""
    size = systems.kind.shape[0]
    codes = (
        ("heating_system", d.heating_system),
        ("dhw_system", d.dhw_system),
        ("variants.heating_system", v.heating_system[v.heating_system >= 0]),
        ("variants.dhw_system", v.dhw_system[v.dhw_system >= 0]),
    )
    own = _all_compatible(d.heating_system, d.dhw_system, systems.kind)
    if own and (v is VariantArrays.none() or _variant_codes_known(v, systems)):
        return  # all is well (the rule): one pass, no messages to build
    every = np.concatenate([c for _, c in codes])
    if not ((every < size).all() and (systems.kind[every] >= 0).all()):
        problems = Problems("simulation inputs")
        for name, code in codes:
            bad = (code >= size) | (systems.kind[np.minimum(code, size - 1)] < 0)
            if bad.any():
                problems.add(
                    name,
                    "code not in the system table; use a code of heating_systems.csv",
                    np.flatnonzero(bad),
                )
        problems.raise_if_any()


def _variant_codes_known(v: VariantArrays, systems: SystemTables) -> bool:
    codes = np.concatenate([v.heating_system, v.dhw_system])
    codes = codes[codes >= 0]
    return bool((codes < systems.kind.shape[0]).all() and (systems.kind[codes] >= 0).all())


@jit
def _all_compatible(
    heating: NDArray[np.int64], dhw: NDArray[np.int64], kind: NDArray[np.int64]
) -> bool:
    """Whether every dwelling's codes are in the system table: the common case of
    :func:`_check_compatible`, in one pass."""
    size = kind.shape[0]
    for i in range(heating.shape[0]):
        h = heating[i]
        w = dhw[i]
        if h < 0 or h >= size or w < 0 or w >= size or kind[h] < 0 or kind[w] < 0:
            return False
    return True


#: The highest supply temperature a heat pump delivers [°C]: a dwelling (or variant) heated
#: by a heat pump whose emitters need more on the design day (``hp_supply_temp_c``, a result
#: of the simulation) is refused (:class:`HeatPumpTooHot`). High-temperature air/water heat
#: pumps reach 70-75 °C; a project assumption at the top of that range. What the plan proposes
#: stays well below it: the catalogue's heat pumps need at most 55 °C
#: (``hp_supply_temp_c_max``, checked against this limit when the catalogue is read).
HP_MAX_SUPPLY_C = 75.0


@jit
def hp_too_hot(kind: int, supply_c: float) -> bool:
    """Whether a generator of this kind (``sim.systems``) cannot deliver the supply temperature
    ``supply_c`` its emitters need on the design day: a heat pump above
    :data:`HP_MAX_SUPPLY_C` (the one rule; :class:`HeatPumpTooHot`)."""
    return (kind == KIND_HP_AIR or kind == KIND_HP_GROUND) and supply_c > HP_MAX_SUPPLY_C


@jit
def _hp_too_hot_results(
    heating: NDArray[np.int64],
    v_heating: NDArray[np.int64],
    kind: NDArray[np.int64],
    supply_c: NDArray[np.float64],
    out: NDArray[np.bool_],
) -> bool:
    """``out[i, p]``: whether variant ``p`` of dwelling ``i`` is heated by a heat pump that
    cannot deliver the supply temperature its emitters need (:func:`hp_too_hot`); returns
    whether any is."""
    found = False
    for i in range(supply_c.shape[0]):
        for p in range(supply_c.shape[1]):
            h = v_heating[p] if v_heating[p] >= 0 else heating[i]
            out[i, p] = hp_too_hot(kind[h], supply_c[i, p])
            found = found or out[i, p]
    return found


def _check_heat_pumps_deliver(
    d: DwellingArrays, v: VariantArrays, systems: SystemTables, out: SimulationResult
) -> None:
    """Raise :class:`HeatPumpTooHot` where a heat pump would have to deliver more than
    :data:`HP_MAX_SUPPLY_C` (the supply temperature is a result, so this runs after the
    kernel)."""
    supply = out.hp_supply_temp_c
    too_hot = np.empty(supply.shape, dtype=bool)
    if not _hp_too_hot_results(d.heating_system, v.heating_system, systems.kind, supply, too_hot):
        return
    rows, variants = np.nonzero(too_hot)
    raise HeatPumpTooHot(
        problems=[
            Problem(
                "emitter_temp_c",
                f"a heat pump cannot deliver the supply temperature these emitters need on the "
                f"design day (more than {HP_MAX_SUPPLY_C:g} °C); insulate first, fit "
                "low-temperature emitters or choose another system",
                tuple(int(r) for r in np.unique(rows)),
            )
        ],
        what="simulation inputs",
        needed_supply_c=tuple(float(x) for x in supply[rows, variants]),
        variants=tuple(int(x) for x in variants),
    )


@dataclass
class HeatPumpTooHot(InputError):
    """Dwellings (or variants) heated by a heat pump whose emitters need a supply temperature
    above :data:`HP_MAX_SUPPLY_C` on the design day. Unlike other input errors it is found by
    the simulation (the needed temperature is one of its results); nothing is returned.
    ``needed_supply_c`` and ``variants``: per offending (dwelling, variant), in the order of
    the rows."""

    needed_supply_c: tuple[float, ...] = ()
    variants: tuple[int, ...] = ()


@cache
def _ventilation_arrays() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Fan power and default heat-recovery efficiency by ventilation code (read once)."""
    vent = load_table("ventilation_systems.csv").sort_values("code")
    sfp = np.zeros(int(vent["code"].max()) + 1)
    sfp[vent["code"].to_numpy()] = vent["fan_power_w_m3h"].to_numpy(np.float64)
    # the variants' defaults (sim.variants), 0 where the table has no code (never asked)
    return sfp, np.nan_to_num(heat_recovery_defaults(), nan=0.0)


def simulate(
    dwellings: DwellingArrays,
    variants: VariantArrays | None = None,
    climate: MonthlyClimate | None = None,
    *,
    carriers: CarrierTables | None = None,
    systems: SystemTables | None = None,
    method: MethodParameters | None = None,
    system_params: SystemParameters | None = None,
    expected_use: ExpectedUseParameters | None = None,
) -> SimulationResult:
    """Simulate every variant of every dwelling.

    Parameters
    ----------
    dwellings : DwellingArrays
        Validated inputs of N dwellings (:meth:`DwellingArrays.from_frame`).
    variants : VariantArrays, optional
        P renovation variants; default only the current state.
    climate : MonthlyClimate, optional
        Monthly climate; default the shipped Uccle reference climate.
    carriers, systems, method, system_params, expected_use : optional
        Factors, prices, generator tables, scalar parameters and the prebound
        relation; default the shipped tables in ``sim/data``.

    Returns
    -------
    SimulationResult
        Arrays of shape (N, P) (final energy (N, P, C)).

    Raises
    ------
    InputError
        For combinations the tables cannot compute, before any computation;
        :class:`HeatPumpTooHot` after it, for a heat pump whose emitters need more than
        :data:`HP_MAX_SUPPLY_C` on the design day.
    """
    d = dwellings
    v = VariantArrays.none() if variants is None else variants
    clim = uccle_monthly_climate() if climate is None else climate
    car = _shipped_carrier_tables() if carriers is None else carriers
    sys_t = default_system_tables() if systems is None else systems
    mp = MethodParameters.default() if method is None else method
    sp = SystemParameters.default() if system_params is None else system_params
    xp = ExpectedUseParameters.default() if expected_use is None else expected_use
    _check_compatible(d, v, sys_t)
    n, p, c = d.n, v.p, len(CARRIERS)
    out = SimulationResult(
        variant_names=v.name,
        label=np.empty((n, p), dtype=np.int8),
        final_kwh=np.empty((n, p, c)),
        **dict(zip(_PLAIN_RESULTS, np.empty((len(_PLAIN_RESULTS), n, p)), strict=True)),
    )
    em = default_emitter_tables()
    # (the inputs are checked: DwellingArrays and VariantArrays validate their temperatures)
    regime = nearest_regime(d.emitter_temp_c)
    dt_n = _nominal_excess()
    # the variants' own inputs (their new emitters) are the same call after call for the
    # current state alone (a trajectory's states are dwellings): prepared once
    var = (
        _no_variant_inputs(sp.theta_int_design_c)
        if variants is None
        else _variant_inputs(v, em, sp.theta_int_design_c)
    )
    _simulate_kernel(
        d.columns(),
        var.columns,
        _kernel_climate(clim),
        sys_t.columns(),
        _kernel_ventilation(),
        car.columns(),
        _kernel_parameters(mp, sp, xp, em.oversizing_factor, em.hp_operating_spread_k),
        KernelEmitters(
            nominal_excess_k=np.ascontiguousarray(dt_n[regime]),
            design_spread_k=np.ascontiguousarray(em.t_supply_c[regime] - em.t_return_c[regime]),
            exponent=np.ascontiguousarray(em.exponent[regime]),
            envelope_source=var.envelope_source,
            new_t_hp_c=var.new_t_hp_c,
            new_t_boiler_c=var.new_t_boiler_c,
        ),
        KernelResults._make(map(out.__dict__.__getitem__, _RESULT_FIELDS)),
    )
    _check_heat_pumps_deliver(d, v, sys_t, out)
    return out


#: The (N, P) float results of :class:`SimulationResult`, allocated in one block.
_PLAIN_RESULTS: tuple[str, ...] = tuple(
    f.name
    for f in fields(SimulationResult)
    if f.name not in ("variant_names", "label", "final_kwh")
)


class _VariantInputs(NamedTuple):
    """What the kernel reads of the variants: their columns, the first variant with the same
    envelope, and the supply temperatures of each variant's new emitters."""

    columns: VariantColumns
    envelope_source: NDArray[np.int64]
    new_t_hp_c: NDArray[np.float64]
    new_t_boiler_c: NDArray[np.float64]


def _variant_inputs(
    v: VariantArrays, em: EmitterTables, theta_int_design_c: float
) -> _VariantInputs:
    # a variant's new emitters: the regime of its design temperature (any regime where it keeps them)
    v_regime = nearest_regime(np.nan_to_num(v.emitter_temp_c, nan=45.0))
    dt_n = _nominal_excess()
    t_hp_new, t_boiler_new = _new_emitter_supply(
        dt_n[v_regime],
        em.t_supply_c[v_regime] - em.t_return_c[v_regime],
        em.exponent[v_regime],
        em.oversizing_factor,
        em.hp_operating_spread_k,
        theta_int_design_c,
    )
    return _VariantInputs(v.columns(), v.envelope_source(), t_hp_new, t_boiler_new)


@cache
def _no_variant_inputs(theta_int_design_c: float) -> _VariantInputs:
    return _variant_inputs(VariantArrays.none(), default_emitter_tables(), theta_int_design_c)


@cache
def _nominal_excess() -> NDArray[np.float64]:
    """Nominal log-mean excess temperature of each shipped regime (once, not per call)."""
    return nominal_excess_temperature(default_emitter_tables())


@cache
def _kernel_ventilation() -> KernelVentilation:
    sfp, hr = _ventilation_arrays()
    return KernelVentilation(fan_power_w_m3h=sfp, heat_recovery_default=hr)


def _kernel_climate(clim: MonthlyClimate) -> KernelClimate:
    return KernelClimate(
        np.ascontiguousarray(clim.theta_e_c, dtype=np.float64),
        np.ascontiguousarray(clim.hours, dtype=np.float64),
        np.ascontiguousarray(clim.irradiation_kwh_m2, dtype=np.float64),
    )


@lru_cache(maxsize=16)
def _kernel_parameters(
    mp: MethodParameters,
    sp: SystemParameters,
    xp: ExpectedUseParameters,
    oversizing_factor: float,
    hp_operating_spread_k: float,
) -> KernelParameters:
    """The scalar parameters of the kernel (the same few sets call after call)."""
    return KernelParameters(
        f_w=mp.f_w,
        a_h0=mp.a_h0,
        tau_h0_h=mp.tau_h0_h,
        sky_factor=mp.sky_factor,
        theta_e_design_c=sp.theta_e_design_c,
        heating_curve_min_share=sp.heating_curve_min_share,
        dhw_tap_temp_c=sp.dhw_tap_temp_c,
        pump_aux_kwh_m2=sp.pump_aux_kwh_m2,
        pv_self_consumption_share=sp.pv_self_consumption_share,
        pv_injection_price_eur_kwh=sp.pv_injection_price_eur_kwh,
        label_upper_kwh_m2=LABEL_UPPER_KWH_M2,
        xq_ref_kwh_m2=xp.q_ref_kwh_m2,
        xq_exponent=xp.exponent,
        x_level=xp.level,
        x_ratio_max=xp.ratio_max,
        oversizing_factor=oversizing_factor,
        hp_operating_spread_k=hp_operating_spread_k,
        theta_int_design_c=sp.theta_int_design_c,
    )


@cache
def _shipped_carrier_tables() -> CarrierTables:
    """The shipped carrier factors and prices (read once; the arrays are read-only)."""
    tables = load_carrier_tables()
    for values in (tables.primary_energy_factor, tables.co2_kg_kwh, tables.price_eur_kwh):
        values.flags.writeable = False
    return tables


@cache
def _shipped_system_parameters() -> SystemParameters:
    d = simulation_defaults()
    return SystemParameters(**{k: d[k] for k in SystemParameters.__dataclass_fields__})
