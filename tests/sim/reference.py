"""Slow, obvious NumPy/Python references of the core's kernels, written from the standards' equations.

They share no code with the kernels beyond the input data classes and tables,
so a mistake in a kernel shows as a difference here.
"""

from __future__ import annotations

import numpy as np

from sim.carriers import CARRIERS, load_carrier_tables
from sim.climate import MonthlyClimate
from sim.emitters import (
    default_emitter_tables,
    emitter_supply_temperature,
    regime_code_for_design_supply,
)
from sim.reference_data import load_table, simulation_defaults
from sim.stock import DwellingArrays


def monthly_need_reference(d: DwellingArrays, climate: MonthlyClimate) -> np.ndarray:
    """(N, 12) monthly heating need [kWh], EN ISO 52016-1 monthly method, one dwelling at a time."""
    p = simulation_defaults()
    sky = p["r_se_m2kw"] * p["h_r_w_m2k"] * p["delta_theta_er_k"]
    out = np.zeros((d.n, 12))
    for i in range(d.n):
        win = d.window_area_m2[i]
        h_tr = (
            d.b_roof[i] * d.u_roof_w_m2k[i] * d.roof_area_m2[i]
            + d.b_wall[i] * d.u_wall_w_m2k[i] * d.wall_area_m2[i]
            + d.b_floor[i] * d.u_floor_w_m2k[i] * d.ground_floor_area_m2[i]
            + d.u_window_w_m2k[i] * win.sum()
            + d.u_door_w_m2k[i] * d.door_area_m2[i]
            + d.b_party_wall[i] * d.u_wall_w_m2k[i] * d.party_wall_area_m2[i]
            + d.delta_u_tb_w_m2k[i]
            * (
                d.roof_area_m2[i]
                + d.wall_area_m2[i]
                + d.ground_floor_area_m2[i]
                + win.sum()
                + d.door_area_m2[i]
            )
        )
        phi_sky = sky * (
            1.0
            * (d.b_roof[i] * d.u_roof_w_m2k[i] * d.roof_area_m2[i] + d.u_window_w_m2k[i] * win[0])
            + 0.5
            * (
                d.b_wall[i] * d.u_wall_w_m2k[i] * d.wall_area_m2[i]
                + d.u_window_w_m2k[i] * win[1:].sum()
                + d.u_door_w_m2k[i] * d.door_area_m2[i]
            )
        )
        eta_hr = d.heat_recovery_eff[i] if d.ventilation_system[i] == 3 else 0.0
        h_ve = 0.34 * d.volume_m3[i] * (d.infiltration_ach[i] + d.ventilation_ach[i] * (1 - eta_hr))
        tau = d.heat_capacity_wh_m2k[i] * d.floor_area_m2[i] / (h_tr + h_ve)
        a = p["a_h0"] + tau / p["tau_h0_h"]
        a_sol = d.shading_factor[i] * p["f_w"] * d.g_window[i] * (1 - d.frame_fraction[i]) * win
        for m in range(12):
            t = climate.hours[m]
            q_ht = ((h_tr + h_ve) * (d.setpoint_c[i] - climate.theta_e_c[m]) + phi_sky) * t / 1000
            q_gn = (
                float(a_sol @ climate.irradiation_kwh_m2[m])
                + d.internal_gains_w_m2[i] * d.floor_area_m2[i] * t / 1000
            )
            if q_ht <= 0:
                continue
            gamma = q_gn / q_ht
            if q_gn <= 0:
                eta = 1.0
            elif gamma == 1.0:
                eta = a / (a + 1)
            else:
                eta = (1 - gamma**a) / (1 - gamma ** (a + 1))
            out[i, m] = max(0.0, q_ht - eta * q_gn)
    return out


def simulate_reference(d: DwellingArrays, climate: MonthlyClimate) -> dict[str, np.ndarray]:
    """Annual results for the dwellings' own state (no variant), one dwelling at a time."""
    sysdf = load_table("heating_systems.csv").set_index("code")
    vent = load_table("ventilation_systems.csv").set_index("code")
    dflt = simulation_defaults()
    car = load_carrier_tables()
    el = CARRIERS.index("electricity")
    need_m = monthly_need_reference(d, climate)
    final = np.zeros((d.n, len(CARRIERS)))
    theta_mean = float((climate.theta_e_c * climate.hours).sum() / climate.hours.sum())

    def cop(row, sink, source):
        eta_c = (  # field Carnot fraction: the rating's times the table's field_factor
            row.rated_cop
            * (row.rated_sink_c - row.rated_source_c)
            / (row.rated_sink_c + 273.15)
            * row.field_factor
        )
        lift = sink - source
        return row.cop_max if lift <= 0 else min(row.cop_max, eta_c * (sink + 273.15) / lift)

    # the design supply temperature of the dwelling as it is: its emitters (regime nearest to its
    # emitter temperature) delivering the load they were sized for, at the boiler's design spread
    # or a heat pump's operating spread, never above the design temperature (sim.emitters)
    em = default_emitter_tables()
    regime = regime_code_for_design_supply(d.emitter_temp_c)
    for i in range(d.n):
        row = sysdf.loc[int(d.heating_system[i])]
        sp = d.setpoint_c[i]
        r = int(regime[i])
        hp_like = row.kind.startswith("heat_pump")
        spread = em.hp_operating_spread_k if hp_like else em.t_supply_c[r] - em.t_return_c[r]
        t_design = float(emitter_supply_temperature(1.0, 1.0, r, spread_k=spread)[0])
        t_design = max(min(t_design, d.emitter_temp_c[i]), sp)
        gen = 0.0
        for m in range(12):
            q = need_m[i, m]
            if q <= 0:
                continue
            share = min(
                1.0,
                max(
                    dflt["heating_curve_min_share"],
                    (sp - climate.theta_e_c[m]) / (sp - dflt["theta_e_design_c"]),
                ),
            )
            t_sup = sp + (t_design - sp) * share
            if row.kind == "boiler":
                x = min(1.0, max(0.0, (t_sup - 35) / 35))
                gen += q / (row.eff_at_35c + (row.eff_at_70c - row.eff_at_35c) * x)
            elif row.kind.startswith("heat_pump"):
                src = climate.theta_e_c[m] if row.kind == "heat_pump_air" else row.source_temp_c
                gen += q / cop(row, t_sup, src)
            elif row.kind == "hybrid_air":
                back = sysdf.loc[int(row.backup_code)]
                x = min(1.0, max(0.0, (t_sup - 35) / 35))
                boiler_eff = back.eff_at_35c + (back.eff_at_70c - back.eff_at_35c) * x
                gen += row.hp_share * q / cop(row, t_sup, climate.theta_e_c[m])
                final[i, CARRIERS.index(back.carrier)] += (
                    (1 - row.hp_share) * q / boiler_eff / row.eta_emission_distribution
                )
            else:
                gen += q / row.eff_at_35c
        final[i, CARRIERS.index(row.carrier)] += gen / row.eta_emission_distribution
        drow = sysdf.loc[int(d.dhw_system[i])]
        q_dhw = d.dhw_need_kwh[i] * (1 - d.solar_dhw_fraction[i])
        if drow.kind.startswith("heat_pump"):
            src = theta_mean if drow.kind == "heat_pump_air" else drow.source_temp_c
            final[i, CARRIERS.index(drow.carrier)] += q_dhw / cop(drow, dflt["dhw_tap_temp_c"], src)
        elif drow.kind == "hybrid_air":
            back = sysdf.loc[int(drow.backup_code)]
            final[i, CARRIERS.index(back.carrier)] += q_dhw / back.dhw_efficiency
        else:
            final[i, CARRIERS.index(drow.carrier)] += q_dhw / drow.dhw_efficiency
        if row.kind != "electric":
            final[i, el] += dflt["pump_aux_kwh_m2"] * d.floor_area_m2[i]
        final[i, el] += (
            vent.loc[int(d.ventilation_system[i]), "fan_power_w_m3h"]
            * d.ventilation_ach[i]
            * d.volume_m3[i]
            * 8.76
        )
    pv = d.pv_kwp * d.pv_yield_kwh_kwp
    primary = (
        d.epc_primary_factor * (final @ car.primary_energy_factor)
        - car.primary_energy_factor[el] * pv
    )
    self_use = np.minimum(dflt["pv_self_consumption_share"] * pv, final[:, el])
    co2 = final @ car.co2_kg_kwh - car.co2_kg_kwh[el] * self_use
    cost = (
        final @ car.price_eur_kwh
        - car.price_eur_kwh[el] * self_use
        - dflt["pv_injection_price_eur_kwh"] * (pv - self_use)
    )
    # expected actual use: prebound relation of the calculated heat need (space + tap water)
    # per m², written out
    xu = load_table("expected_use.csv").set_index("key")["value"]
    q = (need_m.sum(axis=1) + d.dhw_need_kwh) / d.floor_area_m2
    ratio = xu["level"] * (np.maximum(q, xu["q_ref_kwh_m2"]) / xu["q_ref_kwh_m2"]) ** (
        -xu["exponent"]
    )
    ratio = np.minimum(ratio, xu["ratio_max"]) * d.use_factor
    x_final = final * ratio[:, None]
    x_self = np.minimum(dflt["pv_self_consumption_share"] * pv, x_final[:, el])
    return {
        "expected_final_kwh": x_final,
        "expected_co2_kg": x_final @ car.co2_kg_kwh - car.co2_kg_kwh[el] * x_self,
        "expected_cost_eur": x_final @ car.price_eur_kwh
        - car.price_eur_kwh[el] * x_self
        - dflt["pv_injection_price_eur_kwh"] * (pv - x_self),
        "pv_export_co2_kg": car.co2_kg_kwh[el] * (pv - x_self),
        "heating_need_kwh": need_m.sum(axis=1),
        "final_kwh": final,
        "pv_kwh": pv,
        "primary_kwh": primary,
        "energy_score_kwh_m2": primary / d.floor_area_m2,
        "co2_kg": co2,
        "cost_eur": cost,
    }


# --- heat emitters and seasonal performance factor (issue 9), written from the standards' equations


def design_heat_load_reference(h_tr: float, h_ve: float, theta_int: float, theta_e: float) -> float:
    """NBN EN 12831-1, whole dwelling: (H_tr + H_ve) (theta_int,d - theta_e,d) [W]."""
    return (h_tr + h_ve) * (theta_int - theta_e)


def _lmtd(t_s: float, t_r: float, t_i: float) -> float:
    """EN 442-2 logarithmic mean excess temperature [K]."""
    return (t_s - t_r) / np.log((t_s - t_i) / (t_r - t_i))


def emitter_supply_temperature_reference(
    load: float,
    design_load: float,
    regime: tuple[float, float, float, float],
    oversizing: float,
    spread: float,
    t_room: float,
) -> float:
    """Supply temperature [°C] at which Phi_n (dT/dT_n)^n equals the load, found by bisection
    on the supply temperature (no closed form), spread > 0."""
    t_s0, t_r0, t_i0, n = regime
    phi_n = oversizing * design_load
    dt_n = _lmtd(t_s0, t_r0, t_i0)
    lo, hi = t_room + spread + 1e-12, t_room + spread + 500.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        out = phi_n * (_lmtd(mid, mid - spread, t_room) / dt_n) ** n
        lo, hi = (mid, hi) if out < load else (lo, mid)
    return 0.5 * (lo + hi)


def seasonal_performance_factor_reference(
    code: int,
    design_supply: float,
    need: np.ndarray,
    climate: MonthlyClimate,
    dhw_kwh: float,
    setpoint: float,
) -> float:
    """SPF = heat / electricity, month by month from the table row (as simulate_reference)."""
    row = load_table("heating_systems.csv").set_index("code").loc[code].to_dict()
    dflt = simulation_defaults()
    eta_c = (
        row["rated_cop"]
        * (row["rated_sink_c"] - row["rated_source_c"])
        / (row["rated_sink_c"] + 273.15)
        * row["field_factor"]
    )

    def cop(sink: float, source: float) -> float:
        lift = sink - source
        cmax = float(row["cop_max"])
        return cmax if lift <= 0 else min(cmax, float(eta_c) * (sink + 273.15) / lift)

    air = row["kind"] != "heat_pump_ground"
    brine = float(row["source_temp_c"])
    heat = elec = 0.0
    for m in range(12):
        if need[m] <= 0:
            continue
        share = min(
            1.0,
            max(
                dflt["heating_curve_min_share"],
                (setpoint - climate.theta_e_c[m]) / (setpoint - dflt["theta_e_design_c"]),
            ),
        )
        t_sup = setpoint + (design_supply - setpoint) * share
        heat += need[m]
        elec += need[m] / cop(t_sup, float(climate.theta_e_c[m]) if air else brine)
    if dhw_kwh > 0:
        mean = float((climate.theta_e_c * climate.hours).sum() / climate.hours.sum())
        heat += dhw_kwh
        elec += dhw_kwh / cop(dflt["dhw_tap_temp_c"], mean if air else brine)
    return float(heat / elec)
