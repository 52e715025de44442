"""Photovoltaic yield: specific AC energy per kWp by orientation of the array.

Two ways in:

* :func:`pv_specific_yield` (and :func:`pv_monthly_specific_yield`): fast,
  vectorised lookup of the shipped grid ``sim/data/pv_yield_uccle.csv``
  (Uccle 2019, azimuth 0..345° step 15 × tilt 0..90° step 5). This is what
  scenarios use for a whole building stock.
* :func:`pvwatts_specific_yield`: the same PVWatts model computed directly
  with pvlib from a weather time series. ``tools/derive_reference_climate.py``
  uses it to build the grid; the tests use it to check the grid.

Notes
-----
Model chain of :func:`pvwatts_ac_power` (per kWp DC, every time step):

1. Solar position at the time stamps (pvlib NREL SPA,
   :func:`solar_geometry`); the time stamps must be the instants the
   irradiance values refer to (for 15-min interval values: the interval
   centre).
2. Plane-of-array irradiance with the Perez 1990 anisotropic sky model
   (``allsitescomposite1990`` coefficients), extraterrestrial DNI and
   relative air mass (Kasten & Young 1989), ground albedo 0.2
   (:data:`ALBEDO`) -- :func:`poa_irradiance`.
3. Transmittance of the cover glass for the beam component only, as in
   PVWatts v5: :func:`pvlib.iam.physical` with n = 1.526, K = 4 m⁻¹,
   L = 2 mm.
4. Cell temperature with the Faiman model (IEC 61853-2) with the open-rack
   coefficients of Faiman (2008), u0 = 25 W/(m²·K), u1 = 6.84 W·s/(m³·K).
5. DC power :math:`P_{dc} = P_{dc0}\\, G_{eff}/1000\\, (1 + \\gamma (T_c - 25))`
   (PVWatts v5 eq. for the module), minus 14.08 % system losses
   (:func:`pvlib.pvsystem.pvwatts_losses` defaults: soiling 2, shading 3,
   mismatch 2, wiring 2, connections 0.5, LID 1.5, nameplate 1,
   availability 3 %).
6. AC power with the PVWatts inverter model, nominal efficiency 0.96,
   DC/AC ratio 1.2 (PVWatts v5 defaults).

The specific yield is the sum of AC power over the time steps times the
step length, per kWp of DC nameplate power [kWh/kWp].

References
----------
.. [1] A. P. Dobos, "PVWatts Version 5 Manual", NREL/TP-6A20-62641, 2014.
.. [2] R. Perez, P. Ineichen, R. Seals, J. Michalsky, R. Stewart, "Modeling
   daylight availability and irradiance components from direct and global
   irradiance", Solar Energy 44(5), 271-289, 1990.
.. [3] D. Faiman, "Assessing the outdoor operating temperature of
   photovoltaic modules", Progress in Photovoltaics 16(4), 307-315, 2008.
.. [4] K. S. Anderson et al., "pvlib python: 2023 project update", Journal of
   Open Source Software 8(92), 5994, 2023.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, cast

import numpy as np
import pandas as pd
import pvlib
from numpy.typing import ArrayLike, NDArray

from sim._validate import as_float_array
from sim.errors import InputError, Problem, Problems
from sim.reference_data import load_table

#: Ground albedo for the ground-reflected component [-]: the customary value for surroundings
#: without snow (pvlib ``albedo.SURFACE_ALBEDOS``: urban 0.18, grass 0.20), as in PVWatts v5.
ALBEDO = 0.2
#: Coefficient set of the Perez sky model (Perez et al. 1990, all sites composite).
PEREZ_MODEL = "allsitescomposite1990"
#: Temperature coefficient of DC power [1/K]: current crystalline-silicon module
#: (datasheets -0.30..-0.40 %/K); PVWatts v5 (Dobos 2014) used -0.47 %/K for 2014 modules.
GAMMA_PDC = -0.0037
#: Cover-glass model of PVWatts v5 (Dobos 2014), applied to the beam component only:
#: refractive index [-], extinction coefficient [1/m] and glass thickness [m].
IAM_N, IAM_K, IAM_L = 1.526, 4.0, 0.002
#: Faiman heat-loss coefficients [W/(m²·K)] and [W·s/(m³·K)], open rack (Faiman 2008, the
#: pvlib defaults); at NOCT conditions (800 W/m², 20 °C, 1 m/s) they give 45 °C, the INOCT
#: PVWatts v5 assumes for an open rack (a roof mount with a small gap runs ~4 K warmer).
FAIMAN_U0, FAIMAN_U1 = 25.0, 6.84
#: Total DC system losses [%]: :func:`pvlib.pvsystem.pvwatts_losses` with its defaults,
#: the default loss breakdown of PVWatts v5 (Dobos 2014).
SYSTEM_LOSSES_PCT = float(pvlib.pvsystem.pvwatts_losses())
#: Nominal and reference inverter efficiency [-] and DC/AC ratio [-], PVWatts v5 defaults.
INVERTER_ETA_NOM, INVERTER_ETA_REF, DC_AC_RATIO = 0.96, 0.9637, 1.2

#: Columns a weather frame must carry, with their units.
WEATHER_COLUMNS = {
    "ghi": "W/m²",
    "dni": "W/m²",
    "dhi": "W/m²",
    "temp_air": "°C",
    "wind_speed": "m/s",
    "pressure": "Pa",
}

_TABLE = "pv_yield_uccle.csv"
_AZ_STEP, _TILT_STEP = 15.0, 5.0
_AZIMUTHS = np.arange(0.0, 360.0, _AZ_STEP)
_TILTS = np.arange(0.0, 90.0 + _TILT_STEP / 2, _TILT_STEP)
_MONTH_COLUMNS = [f"yield_m{m:02d}" for m in range(1, 13)]


# --------------------------------------------------------------------------- grid lookup


@lru_cache(maxsize=1)
def _grid() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Annual grid (19, 25) and monthly grid (19, 25, 12); the last azimuth column repeats 0°."""
    table = load_table(_TABLE)
    problems = Problems(f"shipped table sim/data/{_TABLE}")
    missing = [
        c for c in ["azimuth_deg", "tilt_deg", "yield_kwh_kwp", *_MONTH_COLUMNS] if c not in table
    ]
    if missing:
        problems.add(
            ", ".join(missing),
            "columns are missing; regenerate with tools/derive_reference_climate.py",
        )
        problems.raise_if_any()
    table = table.set_index(["tilt_deg", "azimuth_deg"]).sort_index()
    full = pd.MultiIndex.from_product([_TILTS, _AZIMUTHS], names=["tilt_deg", "azimuth_deg"])
    if len(table) != len(full) or not table.index.equals(full):
        problems.add(
            "azimuth_deg, tilt_deg", "do not form the complete 15° × 5° grid; regenerate the table"
        )
        problems.raise_if_any()
    annual = table["yield_kwh_kwp"].to_numpy(dtype=np.float64).reshape(len(_TILTS), len(_AZIMUTHS))
    monthly = (
        table[_MONTH_COLUMNS].to_numpy(dtype=np.float64).reshape(len(_TILTS), len(_AZIMUTHS), 12)
    )
    annual = np.concatenate([annual, annual[:, :1]], axis=1)
    monthly = np.concatenate([monthly, monthly[:, :1, :]], axis=1)
    annual.setflags(write=False)
    monthly.setflags(write=False)
    return annual, monthly


def _interpolate(
    grid: NDArray[np.float64], azimuth_deg: ArrayLike, tilt_deg: ArrayLike
) -> NDArray[np.float64]:
    """Bilinear interpolation of ``grid`` (tilt, azimuth[, ...]) after validating the angles."""
    problems = Problems("PV orientation")
    az_in = np.asarray(azimuth_deg)
    tilt_in = np.asarray(tilt_deg)
    try:
        shape = np.broadcast_shapes(az_in.shape, tilt_in.shape)
    except ValueError:
        problems.add(
            "azimuth_deg, tilt_deg",
            f"have shapes {az_in.shape} and {tilt_in.shape} that cannot be paired; "
            "give one value per roof",
        )
        problems.raise_if_any()
    az_chk = as_float_array(problems, "azimuth_deg", np.broadcast_to(az_in, shape), unit="°")
    tilt_chk = as_float_array(
        problems, "tilt_deg", np.broadcast_to(tilt_in, shape), lo=0.0, hi=90.0, unit="°"
    )
    problems.raise_if_any()
    # as_float_array returns None only after recording a problem, so both are arrays here.
    # (np.ascontiguousarray turns 0-d input into shape (1,): restore the broadcast shape.)
    az = cast(NDArray[np.float64], az_chk).reshape(shape)
    tilt = cast(NDArray[np.float64], tilt_chk).reshape(shape)
    az = np.mod(az, 360.0)
    fa = az / _AZ_STEP
    i = np.minimum(np.floor(fa).astype(np.int64), len(_AZIMUTHS) - 1)
    fa = fa - i
    ft = tilt / _TILT_STEP
    j = np.minimum(np.floor(ft).astype(np.int64), len(_TILTS) - 2)
    ft = ft - j
    if grid.ndim == 3:
        fa, ft = fa[..., None], ft[..., None]
    out = (1.0 - ft) * ((1.0 - fa) * grid[j, i] + fa * grid[j, i + 1]) + ft * (
        (1.0 - fa) * grid[j + 1, i] + fa * grid[j + 1, i + 1]
    )
    return np.asarray(out, dtype=np.float64)


def pv_specific_yield(azimuth_deg: ArrayLike, tilt_deg: ArrayLike) -> NDArray[np.float64]:
    """Specific annual AC yield of a PV array in Uccle, from the shipped grid.

    Parameters
    ----------
    azimuth_deg : array_like
        Azimuth the array faces, clockwise from north (pvlib convention: 90 east,
        180 south, 270 west); any finite value, taken modulo 360 [°].
    tilt_deg : array_like
        Tilt from horizontal, 0 (flat) to 90 (vertical) [°]. Broadcast against
        ``azimuth_deg``.

    Returns
    -------
    ndarray
        Specific annual AC yield [kWh/(kWp·a)], shape of the broadcast inputs.

    Raises
    ------
    InputError
        For NaN or infinite angles and tilts outside 0..90°, naming the rows.

    Notes
    -----
    Bilinear interpolation in (azimuth, tilt) on the 15° × 5° grid computed by
    ``tools/derive_reference_climate.py`` with :func:`pvwatts_specific_yield`
    from the NREL NSRDB weather of Uccle 2019. At grid nodes the result is the
    tabulated value exactly; azimuth wraps around (360 == 0) and at tilt 0 the
    azimuth does not matter. The yield is that of one particular year (2019),
    not a long-term mean.

    Examples
    --------
    >>> bool(pv_specific_yield(180.0, 35.0) > pv_specific_yield(0.0, 35.0))
    True
    >>> float(pv_specific_yield(360.0, 20.0)) == float(pv_specific_yield(0.0, 20.0))
    True
    """
    annual, _ = _grid()
    return _interpolate(annual, azimuth_deg, tilt_deg)


def pv_monthly_specific_yield(azimuth_deg: ArrayLike, tilt_deg: ArrayLike) -> NDArray[np.float64]:
    """Specific monthly AC yield of a PV array in Uccle, from the shipped grid.

    Parameters
    ----------
    azimuth_deg : array_like
        Azimuth the array faces, clockwise from north (180 = south) [°].
    tilt_deg : array_like
        Tilt from horizontal, 0..90 [°].

    Returns
    -------
    ndarray, shape (..., 12)
        Specific AC yield per calendar month January..December [kWh/kWp].

    Raises
    ------
    InputError
        As :func:`pv_specific_yield`.
    """
    _, monthly = _grid()
    return _interpolate(monthly, azimuth_deg, tilt_deg)


# --------------------------------------------------------------------- direct computation


def _check_weather(weather: pd.DataFrame, problems: Problems) -> None:
    missing = [c for c in WEATHER_COLUMNS if c not in weather.columns]
    if missing:
        problems.add(
            ", ".join(missing),
            "columns are missing from the weather frame; it needs "
            + ", ".join(f"{c} [{u}]" for c, u in WEATHER_COLUMNS.items()),
        )
    if not isinstance(weather.index, pd.DatetimeIndex) or weather.index.tz is None:
        problems.add("index", "must be a time-zone aware DatetimeIndex (e.g. UTC)")
    elif len(weather.index) < 2 or not weather.index.is_monotonic_increasing:
        problems.add("index", "must hold at least two increasing time stamps")
    for col in WEATHER_COLUMNS:
        if col in weather.columns:
            as_float_array(problems, col, weather[col].to_numpy())


def _location(
    weather: pd.DataFrame, latitude: float | None, longitude: float | None, altitude: float | None
) -> Any:
    problems = Problems("weather frame")
    _check_weather(weather, problems)
    lat = weather.attrs.get("latitude") if latitude is None else latitude
    lon = weather.attrs.get("longitude") if longitude is None else longitude
    alt = weather.attrs.get("altitude", 0.0) if altitude is None else altitude
    if lat is None or lon is None:
        problems.add(
            "latitude, longitude",
            "are unknown; pass them or set weather.attrs (read_nsrdb_csv does)",
        )
    else:
        as_float_array(problems, "latitude", lat, lo=-90.0, hi=90.0, unit="°")
        as_float_array(problems, "longitude", lon, lo=-180.0, hi=180.0, unit="°")
        as_float_array(problems, "altitude", alt, lo=-500.0, hi=9000.0, unit="m")
    problems.raise_if_any()
    return pvlib.location.Location(
        float(cast(float, lat)), float(cast(float, lon)), tz="UTC", altitude=float(alt)
    )


def solar_geometry(
    weather: pd.DataFrame,
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    altitude: float | None = None,
) -> pd.DataFrame:
    """Solar position, extraterrestrial DNI and air mass at the time stamps of ``weather``.

    Parameters
    ----------
    weather : pandas.DataFrame
        Weather frame (see :data:`WEATHER_COLUMNS`) with a tz-aware index of the
        instants the values refer to; ``attrs`` may carry ``latitude``,
        ``longitude`` [°] and ``altitude`` [m].
    latitude, longitude : float, optional
        Site coordinates, north and east positive [°]; default ``weather.attrs``.
    altitude : float, optional
        Site elevation above sea level [m]; default ``weather.attrs`` or 0.

    Returns
    -------
    pandas.DataFrame
        Columns ``apparent_zenith``, ``azimuth`` [°] (NREL SPA, refraction with
        the measured pressure and air temperature), ``dni_extra`` [W/m²] and
        ``airmass_relative`` [-] (Kasten & Young 1989), indexed like ``weather``.
    """
    loc = _location(weather, latitude, longitude, altitude)
    sp = loc.get_solarposition(
        weather.index,
        pressure=weather["pressure"].to_numpy(),
        temperature=weather["temp_air"].to_numpy(),
    )
    am = loc.get_airmass(solar_position=sp)
    return pd.DataFrame(
        {
            "apparent_zenith": sp["apparent_zenith"],
            "azimuth": sp["azimuth"],
            # day of year rather than the index: same Spencer result, without pvlib's
            # use of the deprecated DatetimeIndex.dayofyear
            "dni_extra": pvlib.irradiance.get_extra_radiation(
                pd.DatetimeIndex(weather.index).day_of_year.to_numpy()
            ),
            "airmass_relative": am["airmass_relative"],
        },
        index=weather.index,
    )


def poa_irradiance(
    weather: pd.DataFrame, geometry: pd.DataFrame, azimuth_deg: float, tilt_deg: float
) -> pd.DataFrame:
    """Irradiance on a plane with the Perez sky model (pvlib), per time step.

    Parameters
    ----------
    weather : pandas.DataFrame
        Weather frame with ``ghi``, ``dni``, ``dhi`` [W/m²].
    geometry : pandas.DataFrame
        Output of :func:`solar_geometry` for ``weather``.
    azimuth_deg : float
        Azimuth the surface faces, clockwise from north (180 = south) [°].
    tilt_deg : float
        Tilt of the surface from horizontal [°].

    Returns
    -------
    pandas.DataFrame
        ``poa_global``, ``poa_direct``, ``poa_diffuse``, ``poa_sky_diffuse``,
        ``poa_ground_diffuse`` [W/m²] and ``aoi`` (angle of incidence) [°].
    """
    zen, azi = geometry["apparent_zenith"], geometry["azimuth"]
    poa = pvlib.irradiance.get_total_irradiance(
        tilt_deg,
        azimuth_deg,
        zen,
        azi,
        weather["dni"],
        weather["ghi"],
        weather["dhi"],
        dni_extra=geometry["dni_extra"],
        airmass=geometry["airmass_relative"],
        albedo=ALBEDO,
        model="perez",
        model_perez=PEREZ_MODEL,
    )
    poa["aoi"] = pvlib.irradiance.aoi(tilt_deg, azimuth_deg, zen, azi)
    return poa


def pvwatts_ac_power(
    weather: pd.DataFrame, geometry: pd.DataFrame, azimuth_deg: float, tilt_deg: float
) -> pd.Series:
    """AC power of a 1 kWp PVWatts system at every time step (model chain in the module notes).

    Parameters
    ----------
    weather : pandas.DataFrame
        Weather frame (:data:`WEATHER_COLUMNS`).
    geometry : pandas.DataFrame
        Output of :func:`solar_geometry` for ``weather``.
    azimuth_deg : float
        Azimuth the array faces, clockwise from north (180 = south) [°].
    tilt_deg : float
        Tilt of the array from horizontal [°].

    Returns
    -------
    pandas.Series
        AC power per kWp of DC nameplate power [W/kWp].
    """
    poa = poa_irradiance(weather, geometry, azimuth_deg, tilt_deg)
    iam = pvlib.iam.physical(poa["aoi"], n=IAM_N, K=IAM_K, L=IAM_L)
    effective = poa["poa_direct"] * iam + poa["poa_diffuse"]
    t_cell = pvlib.temperature.faiman(
        poa["poa_global"], weather["temp_air"], weather["wind_speed"], u0=FAIMAN_U0, u1=FAIMAN_U1
    )
    pdc0 = 1000.0  # W per kWp
    pdc = pvlib.pvsystem.pvwatts_dc(effective, t_cell, pdc0, GAMMA_PDC) * (
        1.0 - SYSTEM_LOSSES_PCT / 100.0
    )
    pdc0_inverter = pdc0 / DC_AC_RATIO / INVERTER_ETA_NOM
    pac = pvlib.inverter.pvwatts(pdc, pdc0_inverter, INVERTER_ETA_NOM, INVERTER_ETA_REF)
    return pd.Series(np.asarray(pac, dtype=np.float64), index=weather.index, name="ac_power_w_kwp")


def _step_hours(index: pd.DatetimeIndex) -> float:
    steps = np.diff(index.asi8)
    if not (steps == steps[0]).all():
        raise InputError(
            [Problem("index", "must be evenly spaced; resample the weather to one time step")],
            "weather frame",
        )
    return float((index[1] - index[0]) / pd.Timedelta(hours=1))


def pvwatts_specific_yield(
    weather: pd.DataFrame,
    azimuth_deg: float,
    tilt_deg: float,
    *,
    geometry: pd.DataFrame | None = None,
    monthly: bool = False,
) -> Any:
    """Specific AC yield of a PVWatts system computed with pvlib from a weather series.

    Parameters
    ----------
    weather : pandas.DataFrame
        Evenly spaced weather (:data:`WEATHER_COLUMNS`) with a tz-aware index of
        the instants the values refer to, and ``attrs`` ``latitude``,
        ``longitude`` [°], ``altitude`` [m] (as set by the NSRDB reader of
        ``tools/derive_reference_climate.py``).
    azimuth_deg : float
        Azimuth the array faces, clockwise from north (180 = south) [°].
    tilt_deg : float
        Tilt of the array from horizontal, 0..90 [°].
    geometry : pandas.DataFrame, optional
        Precomputed :func:`solar_geometry` of ``weather``, to save time over many
        orientations.
    monthly : bool
        Return the twelve calendar-month sums instead of the total.

    Returns
    -------
    float or ndarray of shape (12,)
        Specific AC yield over the whole series (or per calendar month) [kWh/kWp].

    Raises
    ------
    InputError
        For a weather frame lacking columns, with NaN, without time zone or
        uneven steps, and for angles out of range.
    """
    problems = Problems("PV orientation")
    as_float_array(problems, "azimuth_deg", [azimuth_deg], shape=(1,), unit="°")
    as_float_array(problems, "tilt_deg", [tilt_deg], shape=(1,), lo=0.0, hi=90.0, unit="°")
    problems.raise_if_any()
    if geometry is None:
        geometry = solar_geometry(weather)
    else:
        check = Problems("weather frame")
        _check_weather(weather, check)
        if not geometry.index.equals(weather.index):
            check.add(
                "geometry",
                "is indexed differently from weather; compute it with solar_geometry(weather)",
            )
        check.raise_if_any()
    hours = _step_hours(pd.DatetimeIndex(weather.index))
    energy = (
        pvwatts_ac_power(weather, geometry, float(azimuth_deg), float(tilt_deg)) * hours / 1000.0
    )
    if monthly:
        by_month = energy.groupby(pd.DatetimeIndex(energy.index).month).sum()
        return by_month.reindex(range(1, 13), fill_value=0.0).to_numpy(dtype=np.float64)
    return float(energy.sum())
