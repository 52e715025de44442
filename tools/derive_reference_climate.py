"""Derive the monthly reference climate of Uccle and the PV yield grid from NREL NSRDB data.

Run by hand from the repository root::

    .venv/bin/python tools/derive_reference_climate.py

It reads the 15-minute NSRDB weather of Uccle for 2019 (kept outside the
repository, in ``shared/data/weather/``, beside the clone) and writes two
tables into ``sim/data``:

``climate_uccle_monthly.csv``
    per month: days, hours, mean outdoor air temperature [°C] and solar
    irradiation [kWh/m²] on the horizontal and on vertical surfaces facing the
    eight compass directions.
``pv_yield_uccle.csv``
    specific AC yield [kWh/kWp] of a PVWatts system, annual and per month, on
    a grid of azimuth 0..345° (step 15, 180 = south) × tilt 0..90° (step 5).

Every solar-geometry and transposition step is done by pvlib (see
:mod:`sim.pv` for the model chain and its parameters); this script only reads,
sums and writes. The tests in ``tests/sim/test_climate.py`` and
``tests/sim/test_pv.py`` import the functions below and check that the
shipped tables equal a fresh derivation.

Time stamps
-----------
The NSRDB file labels each 15-min record with a time stamp in UTC. The
irradiance components are consistent with the sun position *at that time
stamp*: GHI = DNI·cos(apparent zenith) + DHI holds to 0.34 W/m² rms (the
rounding of the file) with the zenith computed at the label, but only to
4.6 W/m² rms with the zenith 7.5 min earlier or later; and the first and last
daylight records of each day lie symmetrically around sunrise and sunset.
The label is therefore the instant the values refer to, i.e. the centre of
the 15-min interval each record represents, and the solar position is
computed at the label itself (no shift). Monthly sums count each record as
15 minutes of its label's month.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make ``sim`` importable
    sys.path.insert(0, str(REPO))

from sim.errors import Problems  # noqa: E402
from sim.pv import (  # noqa: E402
    ALBEDO,
    DC_AC_RATIO,
    FAIMAN_U0,
    FAIMAN_U1,
    GAMMA_PDC,
    INVERTER_ETA_NOM,
    PEREZ_MODEL,
    SYSTEM_LOSSES_PCT,
    poa_irradiance,
    pvwatts_specific_yield,
    solar_geometry,
)

#: Default location of the NSRDB file: ``shared/`` lies beside the repository clone.
WEATHER_FILE = REPO.parent / "shared" / "data" / "weather" / "uccle_2019_nsrdb_15min.csv"
OUT_DIR = REPO / "sim" / "data"
CLIMATE_TABLE = "climate_uccle_monthly.csv"
PV_TABLE = "pv_yield_uccle.csv"

#: Surfaces of the climate table: code -> (azimuth clockwise from north [°], tilt [°]).
VERTICAL_SURFACES = {
    "n": 0.0,
    "e": 90.0,
    "s": 180.0,
    "w": 270.0,
    "ne": 45.0,
    "se": 135.0,
    "sw": 225.0,
    "nw": 315.0,
}
#: PV grid: azimuth 0..345 step 15 [°] (pvlib convention, 180 = south), tilt 0..90 step 5 [°].
PV_AZIMUTHS = np.arange(0, 360, 15)
PV_TILTS = np.arange(0, 91, 5)

_NSRDB_COLUMNS = {
    "GHI": "ghi",
    "DNI": "dni",
    "DHI": "dhi",
    "Temperature": "temp_air",
    "Wind Speed": "wind_speed",
    "Pressure": "pressure",
}
_FLOAT_FORMAT = "%.12g"


def read_nsrdb_csv(path: str | Path) -> pd.DataFrame:
    """Read an NREL NSRDB (PSM/SAM CSV) weather file.

    Parameters
    ----------
    path : str or Path
        File with two metadata lines (names, values) followed by the data with
        columns Year, Month, Day, Hour, Minute, Temperature, DHI, GHI, DNI,
        Pressure, Wind Speed, ...

    Returns
    -------
    pandas.DataFrame
        Index: tz-aware UTC time stamps, the instants the values refer to (see
        the module notes). Columns ``ghi``, ``dni``, ``dhi`` [W/m²],
        ``temp_air`` [°C], ``wind_speed`` [m/s], ``pressure`` [Pa] (converted
        from mbar). ``attrs`` holds ``latitude``, ``longitude`` [°],
        ``altitude`` [m], ``source``, ``location_id``, ``version`` and
        ``sha256`` of the file.

    Raises
    ------
    sim.errors.InputError
        For missing columns, missing values (naming the rows), duplicated or
        unevenly spaced time stamps.
    """
    path = Path(path)
    raw = path.read_bytes()
    meta = pd.read_csv(path, nrows=1)
    data = pd.read_csv(path, skiprows=2)
    problems = Problems(f"NSRDB file {path.name}")
    needed = ["Year", "Month", "Day", "Hour", "Minute", *_NSRDB_COLUMNS]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        problems.add(", ".join(missing), "columns are missing; download the file with these fields")
        problems.raise_if_any()
    tz_hours = float(meta["Time Zone"].iloc[0]) if "Time Zone" in meta else 0.0
    stamps = pd.to_datetime(
        data[["Year", "Month", "Day", "Hour", "Minute"]].rename(columns=str.lower)
    ) - pd.Timedelta(hours=tz_hours)
    index = pd.DatetimeIndex(stamps).tz_localize("UTC")
    weather = data[list(_NSRDB_COLUMNS)].rename(columns=_NSRDB_COLUMNS).astype(np.float64)
    weather.index = index
    weather["pressure"] = weather["pressure"] * 100.0  # mbar -> Pa
    for col in weather.columns:
        bad = np.flatnonzero(weather[col].isna().to_numpy())
        if bad.size:
            problems.add(col, "has missing values; use a gap-filled NSRDB file", bad)
    if index.has_duplicates:
        problems.add("time stamp", "is duplicated", np.flatnonzero(index.duplicated()))
    steps = np.diff(index.asi8)
    if steps.size == 0 or (steps != steps[0]).any():
        problems.add("time stamp", "must be evenly spaced", np.flatnonzero(steps != steps[0]) + 1)
    problems.raise_if_any()
    weather.attrs.update(
        latitude=float(meta["Latitude"].iloc[0]),
        longitude=float(meta["Longitude"].iloc[0]),
        altitude=float(meta["Elevation"].iloc[0]),
        source=str(meta["Source"].iloc[0]),
        location_id=str(meta["Location ID"].iloc[0]),
        version=str(meta["Version"].iloc[0]) if "Version" in meta else "",
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    return weather


def _step_hours(weather: pd.DataFrame) -> float:
    index = pd.DatetimeIndex(weather.index)
    return float((index[1] - index[0]) / pd.Timedelta(hours=1))


def _monthly_sum_kwh(power_w_m2: pd.Series, step_h: float) -> np.ndarray:
    month = pd.DatetimeIndex(power_w_m2.index).month
    return (power_w_m2.groupby(month).sum() * step_h / 1000.0).reindex(range(1, 13)).to_numpy()


def monthly_climate(weather: pd.DataFrame) -> pd.DataFrame:
    """Monthly mean temperature and solar irradiation on horizontal and vertical surfaces.

    Parameters
    ----------
    weather : pandas.DataFrame
        Output of :func:`read_nsrdb_csv` (one whole year).

    Returns
    -------
    pandas.DataFrame
        12 rows, columns ``month`` [-], ``days`` [d], ``hours`` [h],
        ``theta_e_c`` (mean outdoor air temperature [°C]), ``irr_h_kwh_m2``
        (global horizontal irradiation, the sum of GHI [kWh/m²]) and
        ``irr_<o>_kwh_m2`` for vertical surfaces facing o in n, e, s, w, ne,
        se, sw, nw (total irradiation: beam + Perez sky diffuse + ground
        reflected with albedo 0.2, from :func:`sim.pv.poa_irradiance`
        [kWh/m²]).
    """
    step_h = _step_hours(weather)
    index = pd.DatetimeIndex(weather.index)
    geometry = solar_geometry(weather)
    counts = pd.Series(1, index=index).groupby(index.month).sum().reindex(range(1, 13))
    out = pd.DataFrame({"month": np.arange(1, 13)})
    out["days"] = np.rint(counts.to_numpy() * step_h / 24.0).astype(np.int64)
    out["hours"] = counts.to_numpy() * step_h
    out["theta_e_c"] = (
        weather["temp_air"].groupby(index.month).mean().reindex(range(1, 13)).to_numpy()
    )
    out["irr_h_kwh_m2"] = _monthly_sum_kwh(weather["ghi"], step_h)
    for code, azimuth in VERTICAL_SURFACES.items():
        poa = poa_irradiance(weather, geometry, azimuth, 90.0)["poa_global"]
        out[f"irr_{code}_kwh_m2"] = _monthly_sum_kwh(poa, step_h)
    return out


def pv_yield_grid(
    weather: pd.DataFrame,
    azimuths: Sequence[float] | np.ndarray = PV_AZIMUTHS,
    tilts: Sequence[float] | np.ndarray = PV_TILTS,
) -> pd.DataFrame:
    """Specific AC yield of a PVWatts system for every orientation of a grid.

    Parameters
    ----------
    weather : pandas.DataFrame
        Output of :func:`read_nsrdb_csv` (one whole year).
    azimuths : sequence of float
        Azimuths the array faces, clockwise from north (180 = south) [°].
    tilts : sequence of float
        Tilts from horizontal [°].

    Returns
    -------
    pandas.DataFrame
        Long format, tilt-major: ``azimuth_deg`` [°], ``tilt_deg`` [°],
        ``yield_kwh_kwp`` (annual [kWh/kWp]) and ``yield_m01`` ..
        ``yield_m12`` (per calendar month [kWh/kWp]), computed with
        :func:`sim.pv.pvwatts_specific_yield`.
    """
    geometry = solar_geometry(weather)
    rows = []
    for tilt in tilts:
        for azimuth in azimuths:
            monthly = pvwatts_specific_yield(
                weather, float(azimuth), float(tilt), geometry=geometry, monthly=True
            )
            rows.append([int(azimuth), int(tilt), float(monthly.sum()), *monthly])
    columns = ["azimuth_deg", "tilt_deg", "yield_kwh_kwp"] + [
        f"yield_m{m:02d}" for m in range(1, 13)
    ]
    return pd.DataFrame(rows, columns=columns)


def _header(weather: pd.DataFrame, title: str, method: str, columns: str) -> str:
    a = weather.attrs
    index = pd.DatetimeIndex(weather.index)
    lines = [
        title,
        f"Source: NREL National Solar Radiation Database ({a['source']}, version field "
        f"'{a['version']}'), location id {a['location_id']}, {a['latitude']} N {a['longitude']} E "
        f"{a['altitude']:.0f} m, {index[0]:%Y-%m-%d %H:%M} .. {index[-1]:%Y-%m-%d %H:%M} UTC, "
        f"15-min; file {WEATHER_FILE.name} sha256 {a['sha256']}.",
        "Licence: public data; attribution: NREL National Solar Radiation Database (NSRDB), "
        "https://nsrdb.nrel.gov/.",
        f"Derivation: tools/derive_reference_climate.py with pvlib {pvlib.__version__}: {method}",
        f"Derived: {dt.date.today().isoformat()}. Columns: {columns}",
    ]
    return "".join(f"# {line}\n" for line in lines)


def write_tables(
    weather: pd.DataFrame, climate: pd.DataFrame, grid: pd.DataFrame, out_dir: Path
) -> tuple[Path, Path]:
    """Write the two tables with their provenance header into ``out_dir``."""
    geometry_note = (
        "solar position by NREL SPA at the time stamps (the NSRDB labels are the instants "
        "the values refer to, i.e. the interval centres), transposition with the Perez 1990 "
        f"sky model ({PEREZ_MODEL}) with extraterrestrial DNI and relative air mass "
        f"(Kasten-Young 1989), ground albedo {ALBEDO}."
    )
    climate_path = out_dir / CLIMATE_TABLE
    with climate_path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            _header(
                weather,
                "Monthly reference climate of Uccle (Brussels), year 2019.",
                "monthly mean of the 15-min air temperature; irradiation = sum of 15-min "
                "irradiance x 0.25 h; horizontal = GHI as given; vertical surfaces = total "
                "(beam + sky diffuse + ground reflected) irradiance, " + geometry_note,
                "month, days [d], hours [h], theta_e_c mean outdoor air temperature [°C], "
                "irr_h_kwh_m2 horizontal and irr_<o>_kwh_m2 vertical surface facing o "
                "solar irradiation [kWh/m²].",
            )
        )
        climate.to_csv(fh, index=False, float_format=_FLOAT_FORMAT, lineterminator="\n")
    pv_path = out_dir / PV_TABLE
    with pv_path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            _header(
                weather,
                "Specific AC yield of a PV system in Uccle, year 2019, by orientation.",
                "PVWatts model with pvlib: "
                + geometry_note
                + " Beam transmittance pvlib.iam.physical (n 1.526, K 4/m, L 2 mm); cell "
                f"temperature Faiman (u0 {FAIMAN_U0}, u1 {FAIMAN_U1}); pvwatts_dc with gamma "
                f"{GAMMA_PDC}/K; system losses {SYSTEM_LOSSES_PCT:.2f} % (pvwatts_losses "
                f"defaults); inverter pvwatts eta_nom {INVERTER_ETA_NOM}, DC/AC ratio "
                f"{DC_AC_RATIO}.",
                "azimuth_deg array azimuth clockwise from north (180 = south) [°], tilt_deg "
                "from horizontal [°], yield_kwh_kwp annual and yield_mMM monthly AC energy "
                "per kWp DC [kWh/kWp].",
            )
        )
        grid.to_csv(fh, index=False, float_format=_FLOAT_FORMAT, lineterminator="\n")
    return climate_path, pv_path


def main(argv: Sequence[str] | None = None) -> None:
    """Read the NSRDB file, derive both tables, write them and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weather", type=Path, default=WEATHER_FILE, help="NSRDB CSV file")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help="where to write the tables")
    args = parser.parse_args(argv)
    weather = read_nsrdb_csv(args.weather)
    climate = monthly_climate(weather)
    grid = pv_yield_grid(weather)
    paths = write_tables(weather, climate, grid, args.out_dir)
    best = grid.iloc[int(np.argmax(grid["yield_kwh_kwp"].to_numpy()))]
    print(f"wrote {paths[0]} and {paths[1]}")
    mean_c = (climate["theta_e_c"] * climate["hours"]).sum() / climate["hours"].sum()
    print(f"annual mean air temperature {mean_c:.2f} °C")
    sums = climate.filter(like="irr_").sum()
    print(
        "annual irradiation [kWh/m²]: "
        + ", ".join(f"{str(k)[4:-7]} {v:.1f}" for k, v in sums.items())
    )
    print(
        f"best PV orientation: azimuth {best['azimuth_deg']:.0f}°, tilt {best['tilt_deg']:.0f}°, "
        f"{best['yield_kwh_kwp']:.1f} kWh/kWp"
    )


if __name__ == "__main__":
    main()
