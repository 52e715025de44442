"""Derive ``sim/data/archetypes_be.csv`` from the TABULA/EPISCOPE Belgian typology.

Run from the repository root::

    .venv/bin/python tools/derive_archetypes.py [--tabula PATH] [--out PATH]

The input is ``tabula_BE.csv`` (an export of the TABULA calculator with every
input and result of the TABULA method for the 35 Belgian example buildings in
their existing state, plus one synthetic average row). The output has one row
per archetype = (building type, construction period), every envelope
quantity expressed **per m² of reference floor area** ``A_C_Ref`` so that
:func:`sim.archetypes.dwelling_inputs` can scale it to a real dwelling.

Derivation (each step is a function below, so each can be tested):

1. :func:`read_tabula` keeps the rows with ``Code_DataType_Building == "ReEx"``
   (real example buildings); the synthetic average ``BE.SAD.SUH.1.SyAv`` is
   not an archetype (it is an average including measures) and is dropped.
2. :func:`derive_row_parameters` turns each TABULA row into per-m²
   parameters, keeping the TABULA code as id:

   * element classes roof (``Roof_1/2``), wall (``Wall_1/2/3``), ground floor
     (``Floor_1/2``), window (``Window_1/2``), door (``Door_1``);
   * effective U-value of each element with the added resistance of an
     adjacent unheated space, :math:`U_{eff} = 1/(1/U + R_{add})` (TABULA
     method, Loga et al. 2016; the calculator's ``U_Actual_*``);
   * per class: area ratio :math:`\\sum A_i / A_{C,Ref}`, area-weighted
     :math:`U = \\sum U_i A_i / \\sum A_i` and the b factor weighted by
     conductance, :math:`b = \\sum b_i U_i A_i / \\sum U_i A_i`, so that
     :math:`b U A` of the class equals :math:`\\sum_i b_i U_i A_i` exactly.
     (In tabula_BE.csv the b factors are uniform within each class, so this
     equals the plain area-weighted b.) Windows and doors have b = 1, as in
     TABULA. A class without area keeps the U and b of its first element, so
     no column is NaN;
   * window areas per orientation (N/E/S/W/horizontal), rescaled so that
     they sum to ``A_Window_1 + A_Window_2``: the TABULA transmission uses
     the latter, and in four rows the orientation areas differ from it by
     rounding (at most 0.4 m², 0.36 %, in BE.N.MFH.01.Small);
   * thermal-bridge surcharge ``delta_U_ThermalBridging_Original``, applied
     by TABULA to the whole envelope area (roof + walls + floor + windows +
     doors, not party walls);
   * the party-wall area, which TABULA does not give (see
     :func:`party_wall_area`);
   * ``h_room`` (2.5 m): the ventilated volume is ``A_C_Ref * h_room``, which
     is what TABULA's ventilation heat loss uses (``h_Ventilation = 0.34 *
     (n_air_use + n_air_infiltration) * h_room``). ``V_C / A_C_Ref`` (3.2-5.0
     m) is the *gross* volume over external dimensions and is kept only for
     information (``gross_volume_ratio_m``);
   * typical floor area of one dwelling ``A_C_Ref / n_Apartment``.
3. :func:`merge_archetypes` maps the TABULA types to the Flemish building
   types (:data:`BUILDING_TYPE_OF_TABULA`) and merges the rows that map to
   the same (building type, period): only MFH.Gen and MFH.Small, both
   ``apartment_small``. They are averaged with **equal weight per m² of
   floor area** (each example building counts once, since the split of the
   Flemish apartment stock over small and mid-size buildings is not in the
   source): area ratios, conductances :math:`UA` and :math:`bUA` per m²,
   :math:`\\Delta U A_{env}` per m², and the per-m² loads are averaged, and
   U, b, ΔU recomputed from them, so the merged archetype has exactly the
   mean transmission coefficient per m² of its members. g, frame fraction
   and shading are averaged weighted by window area, air change rates by
   volume per m².

References
----------
.. [1] T. Loga, B. Stein, N. Diefenbach (2016), TABULA building typologies in
   20 European countries -- Making energy-related features of residential
   building stocks comparable, Energy and Buildings 132, 4-12.
.. [2] TABULA calculation method -- energy use for heating and domestic hot
   water (IWU, 2013), www.episcope.eu.
.. [3] VITO (2011-2014), Belgian residential building typology (TABULA/EPISCOPE).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from sim.errors import Problems, TabulaInputError  # noqa: E402
from sim.transmission import u_with_added_resistance  # noqa: E402

#: Default input: the shared reference data beside the repository.
DEFAULT_TABULA = REPO.parent / "shared" / "data" / "tabula" / "tabula_BE.csv"
#: Default output: the shipped package table.
DEFAULT_OUT = REPO / "sim" / "data" / "archetypes_be.csv"

#: Flemish building type of each TABULA (size class, variant). Open = detached (SFH),
#: halfopen = semi-detached (TH.Semi), gesloten = terraced (TH.Gen); apartments in
#: small and mid-size buildings (MFH, both the small and the generic example) are
#: ``apartment_small``; apartment blocks (AB) are ``apartment_block``.
BUILDING_TYPE_OF_TABULA: dict[tuple[str, str], str] = {
    ("SFH", "Gen"): "open",
    ("TH", "Semi"): "halfopen",
    ("TH", "Gen"): "gesloten",
    ("MFH", "Gen"): "apartment_small",
    ("MFH", "Small"): "apartment_small",
    ("AB", "Gen"): "apartment_block",
}
#: Order of the building types in the table (same as ``sim.archetypes.BUILDING_TYPES``).
BUILDING_TYPE_ORDER: tuple[str, ...] = (
    "open",
    "halfopen",
    "gesloten",
    "apartment_small",
    "apartment_block",
)
#: Number of sides shared with a heated neighbouring building, per TABULA attachment code.
SHARED_SIDES: dict[str, int] = {"B_Alone": 0, "B_N1": 1, "B_N2": 2}

#: TABULA elements of each envelope class.
ELEMENTS: dict[str, tuple[str, ...]] = {
    "roof": ("Roof_1", "Roof_2"),
    "wall": ("Wall_1", "Wall_2", "Wall_3"),
    "floor": ("Floor_1", "Floor_2"),
    "window": ("Window_1", "Window_2"),
    "door": ("Door_1",),
}
#: Classes whose elements have R_Add_UnheatedSpace_* and b_Transmission_* columns.
OPAQUE_WITH_B: tuple[str, ...] = ("roof", "wall", "floor")
#: Window orientations: output suffix -> TABULA column.
ORIENTATIONS: dict[str, str] = {
    "h": "A_Window_Horizontal",
    "n": "A_Window_North",
    "e": "A_Window_East",
    "s": "A_Window_South",
    "w": "A_Window_West",
}

_SCALARS = (
    "Code_BuildingType",
    "Code_BuildingSizeClass",
    "Code_ConstructionYearClass",
    "Code_DataType_Building",
    "Code_AttachedNeighbours",
    "Year1_Building",
    "Year2_Building",
    "A_C_Ref",
    "V_C",
    "n_Apartment",
    "delta_U_ThermalBridging_Original",
    "n_air_infiltration",
    "n_air_use",
    "h_room",
    "c_m",
    "phi_int",
    "q_w_nd",
    "F_f",
    "F_sh_vert",
    "h_Transmission",
    "q_h_nd",
)


def required_columns() -> list[str]:
    """Columns of tabula_BE.csv that the derivation reads."""
    cols = list(_SCALARS)
    for cls, elements in ELEMENTS.items():
        for el in elements:
            cols += [f"A_{el}", f"U_{el}"]
            if cls in OPAQUE_WITH_B:
                cols += [f"R_Add_UnheatedSpace_{el}", f"b_Transmission_{el}"]
    cols += ["g_gl_n_Window_1", "g_gl_n_Window_2"]
    cols += list(ORIENTATIONS.values())
    return cols


def read_tabula(path: str | Path = DEFAULT_TABULA) -> pd.DataFrame:
    """Read tabula_BE.csv and keep the real example buildings (existing state).

    Parameters
    ----------
    path : str or Path
        The TABULA export.

    Returns
    -------
    pandas.DataFrame
        One row per example building (``Code_DataType_Building == "ReEx"``), in file order.

    Raises
    ------
    sim.errors.TabulaInputError
        If a needed column is missing.
    """
    raw = pd.read_csv(path, low_memory=False)
    problems = Problems(f"TABULA file {path}")
    missing = [c for c in required_columns() if c not in raw.columns]
    if missing:
        problems.add(
            ", ".join(missing),
            "missing; use a full export of the TABULA calculator (tabula_BE.csv)",
        )
    problems.raise_if_any(TabulaInputError)
    return raw[raw["Code_DataType_Building"] == "ReEx"].reset_index(drop=True)


def party_wall_area(
    n_shared_sides: np.ndarray, gross_volume_m3: np.ndarray, footprint_m2: np.ndarray
) -> np.ndarray:
    """Estimated area of the walls shared with heated neighbouring buildings [m²].

    TABULA counts only heat-losing envelope and gives no party-wall area. We
    take the building as a prism on a square footprint whose roof ridge (if
    any) runs parallel to the street, the usual Flemish row-house form. The
    wall on each shared side is then the cross-section of the heated volume,

    .. math:: A_{pw} = n_{sides}\\, V_C / \\sqrt{A_{fp}}

    with :math:`V_C` the gross heated volume and :math:`A_{fp}` the footprint
    of the heated volume (``A_Floor_1 + A_Floor_2``). The cross-section holds
    the gable triangle of a pitched roof, so no roof shape is needed. Real
    Flemish terraced houses are deeper than wide (about 6 m x 10 m); with
    depth = 1.6 x width the party wall would be 26 % larger. Party walls are
    adiabatic (b = 0), so this estimate does not change the heat loss; it is
    used where a neighbour's state matters (demolition, unheated neighbour).

    Parameters
    ----------
    n_shared_sides : ndarray
        0 detached, 1 semi-detached / end of terrace, 2 terraced [-].
    gross_volume_m3 : ndarray
        Gross heated volume ``V_C`` [m³].
    footprint_m2 : ndarray
        Footprint of the heated volume [m²].

    Returns
    -------
    ndarray
        Party-wall area of the whole building [m²].
    """
    n = np.asarray(n_shared_sides, dtype=np.float64)
    fp = np.asarray(footprint_m2, dtype=np.float64)
    side = np.where(
        fp > 0.0, np.asarray(gross_volume_m3, np.float64) / np.sqrt(np.maximum(fp, 1e-300)), 0.0
    )
    return n * side


def _element_u_b(t: pd.DataFrame, cls: str, el: str) -> tuple[np.ndarray, np.ndarray]:
    """Effective U [W/(m²·K)] and b [-] of one TABULA element; windows and doors have b = 1."""
    u = t[f"U_{el}"].to_numpy(np.float64)
    if cls not in OPAQUE_WITH_B:
        return u, np.ones(len(t))
    r_add = t[f"R_Add_UnheatedSpace_{el}"].to_numpy(np.float64)
    return u_with_added_resistance(u, r_add), t[f"b_Transmission_{el}"].to_numpy(np.float64)


def _class_sums(t: pd.DataFrame, cls: str) -> tuple[np.ndarray, ...]:
    """Area, U·A, b·U·A of one element class and the U, b of its first element."""
    area = np.zeros(len(t))
    ua = np.zeros(len(t))
    bua = np.zeros(len(t))
    for el in ELEMENTS[cls]:
        a = t[f"A_{el}"].to_numpy(np.float64)
        u, b = _element_u_b(t, cls, el)
        area += a
        ua += u * a
        bua += b * u * a
    first_u, first_b = _element_u_b(t, cls, ELEMENTS[cls][0])
    return area, ua, bua, first_u, first_b


def derive_row_parameters(tabula: pd.DataFrame) -> pd.DataFrame:
    """Per-m² archetype parameters of each TABULA row, without merging.

    Parameters
    ----------
    tabula : pandas.DataFrame
        Rows of :func:`read_tabula`.

    Returns
    -------
    pandas.DataFrame
        One row per TABULA row, columns as in :data:`TABLE_COLUMNS`
        (``archetype_id`` = TABULA ``Code_BuildingType``), in input order.

    Raises
    ------
    sim.errors.TabulaInputError
        Unknown type or attachment codes, non-positive reference areas, or
        window area without orientation.
    """
    t = tabula.reset_index(drop=True)
    problems = Problems("TABULA rows")
    parts = t["Code_BuildingType"].astype(str).str.split(".")
    size = parts.str[2]
    variant = parts.str[4]
    keys = list(zip(size, variant, strict=True))
    unknown = [i for i, k in enumerate(keys) if k not in BUILDING_TYPE_OF_TABULA]
    if unknown:
        problems.add(
            "Code_BuildingType",
            "has no Flemish building type; add its (size class, variant) to"
            f" BUILDING_TYPE_OF_TABULA {sorted(BUILDING_TYPE_OF_TABULA)}",
            unknown,
        )
    att = t["Code_AttachedNeighbours"].astype(str)
    bad_att = np.flatnonzero(~att.isin(list(SHARED_SIDES)).to_numpy()).tolist()
    if bad_att:
        problems.add("Code_AttachedNeighbours", f"must be one of {list(SHARED_SIDES)}", bad_att)
    a_ref = t["A_C_Ref"].to_numpy(np.float64)
    bad_ref = np.flatnonzero(~(a_ref > 0.0)).tolist()
    if bad_ref:
        problems.add("A_C_Ref", "must be > 0 m²", bad_ref)
    problems.raise_if_any(TabulaInputError)

    out = pd.DataFrame(
        {
            "archetype_id": t["Code_BuildingType"].astype(str),
            "building_type": [BUILDING_TYPE_OF_TABULA[k] for k in keys],
            "period": t["Code_ConstructionYearClass"].astype(str),
            "year_from": t["Year1_Building"].astype(np.int64),
            "year_to": t["Year2_Building"].astype(np.int64),
            "tabula_attached_neighbours": att,
            "n_tabula_rows": 1,
            "typical_floor_area_m2": a_ref / t["n_Apartment"].to_numpy(np.float64),
            "room_height_m": t["h_room"].to_numpy(np.float64),
            "gross_volume_ratio_m": t["V_C"].to_numpy(np.float64) / a_ref,
        }
    )
    sums = {cls: _class_sums(t, cls) for cls in ELEMENTS}
    env = sum(s[0] for s in sums.values())
    out["roof_area_ratio"] = sums["roof"][0] / a_ref
    out["wall_area_ratio"] = sums["wall"][0] / a_ref
    out["ground_floor_area_ratio"] = sums["floor"][0] / a_ref
    out["door_area_ratio"] = sums["door"][0] / a_ref

    window_total = sums["window"][0]
    orient = np.column_stack([t[c].to_numpy(np.float64) for c in ORIENTATIONS.values()])
    orient_sum = orient.sum(axis=1)
    no_orient = np.flatnonzero((window_total > 0.0) & ~(orient_sum > 0.0)).tolist()
    if no_orient:
        problems.add(
            "A_Window_North/East/South/West/Horizontal", "all 0 but windows exist", no_orient
        )
        problems.raise_if_any(TabulaInputError)
    scale = np.where(
        orient_sum > 0.0, window_total / np.where(orient_sum > 0.0, orient_sum, 1.0), 0.0
    )
    for j, o in enumerate(ORIENTATIONS):
        out[f"window_area_{o}_ratio"] = orient[:, j] * scale / a_ref

    fp = t["A_Floor_1"].to_numpy(np.float64) + t["A_Floor_2"].to_numpy(np.float64)
    sides = att.map(SHARED_SIDES).to_numpy(np.float64)
    out["party_wall_area_ratio"] = party_wall_area(sides, t["V_C"].to_numpy(np.float64), fp) / a_ref

    for cls in ("roof", "wall", "floor", "window", "door"):
        area, ua, bua, u1, b1 = sums[cls]
        u = np.where(area > 0.0, ua / np.where(area > 0.0, area, 1.0), u1)
        out[f"u_{cls}_w_m2k"] = u
        if cls in OPAQUE_WITH_B:
            out[f"b_{cls}"] = np.where(ua > 0.0, bua / np.where(ua > 0.0, ua, 1.0), b1)

    out["delta_u_tb_w_m2k"] = t["delta_U_ThermalBridging_Original"].to_numpy(np.float64)
    a_w1 = t["A_Window_1"].to_numpy(np.float64)
    a_w2 = t["A_Window_2"].to_numpy(np.float64)
    g1 = t["g_gl_n_Window_1"].to_numpy(np.float64)
    g2 = t["g_gl_n_Window_2"].to_numpy(np.float64)
    out["g_window"] = np.where(
        window_total > 0.0,
        (g1 * a_w1 + g2 * a_w2) / np.where(window_total > 0, window_total, 1.0),
        g1,
    )
    out["frame_fraction"] = t["F_f"].to_numpy(np.float64)
    out["shading_factor"] = t["F_sh_vert"].to_numpy(np.float64)
    out["infiltration_ach"] = t["n_air_infiltration"].to_numpy(np.float64)
    out["ventilation_ach"] = t["n_air_use"].to_numpy(np.float64)
    out["heat_capacity_wh_m2k"] = t["c_m"].to_numpy(np.float64)
    out["internal_gains_w_m2"] = t["phi_int"].to_numpy(np.float64)
    out["dhw_need_kwh_m2"] = t["q_w_nd"].to_numpy(np.float64)
    out["envelope_area_ratio"] = env / a_ref
    out["tabula_h_tr_w_m2k"] = t["h_Transmission"].to_numpy(np.float64)
    out["tabula_q_h_nd_kwh_m2"] = t["q_h_nd"].to_numpy(np.float64)
    return out[list(TABLE_COLUMNS)]


#: Columns of archetypes_be.csv, in order.
TABLE_COLUMNS: tuple[str, ...] = (
    "archetype_id",
    "building_type",
    "period",
    "year_from",
    "year_to",
    "tabula_attached_neighbours",
    "n_tabula_rows",
    "typical_floor_area_m2",
    "room_height_m",
    "gross_volume_ratio_m",
    "roof_area_ratio",
    "wall_area_ratio",
    "ground_floor_area_ratio",
    "door_area_ratio",
    "window_area_h_ratio",
    "window_area_n_ratio",
    "window_area_e_ratio",
    "window_area_s_ratio",
    "window_area_w_ratio",
    "party_wall_area_ratio",
    "envelope_area_ratio",
    "u_roof_w_m2k",
    "u_wall_w_m2k",
    "u_floor_w_m2k",
    "u_window_w_m2k",
    "u_door_w_m2k",
    "b_roof",
    "b_wall",
    "b_floor",
    "delta_u_tb_w_m2k",
    "g_window",
    "frame_fraction",
    "shading_factor",
    "infiltration_ach",
    "ventilation_ach",
    "heat_capacity_wh_m2k",
    "internal_gains_w_m2",
    "dhw_need_kwh_m2",
    "tabula_h_tr_w_m2k",
    "tabula_q_h_nd_kwh_m2",
)


def _wmean(values: pd.Series, weights: pd.Series) -> float:
    """Weighted mean; the plain mean when the weights sum to 0."""
    w = weights.to_numpy(np.float64)
    v = values.to_numpy(np.float64)
    return float((v * w).sum() / w.sum()) if w.sum() > 0.0 else float(v.mean())


def _merge_group(g: pd.DataFrame) -> dict[str, object]:
    """Equal-weight (per m² of floor area) merge of rows of one building type and period."""
    row: dict[str, object] = {
        "archetype_id": "+".join(g["archetype_id"]),
        "building_type": g["building_type"].iloc[0],
        "period": g["period"].iloc[0],
        "year_from": int(g["year_from"].min()),
        "year_to": int(g["year_to"].max()),
        "tabula_attached_neighbours": "+".join(g["tabula_attached_neighbours"]),
        "n_tabula_rows": int(g["n_tabula_rows"].sum()),
    }
    linear = (
        "typical_floor_area_m2",
        "room_height_m",
        "gross_volume_ratio_m",
        "roof_area_ratio",
        "wall_area_ratio",
        "ground_floor_area_ratio",
        "door_area_ratio",
        "window_area_h_ratio",
        "window_area_n_ratio",
        "window_area_e_ratio",
        "window_area_s_ratio",
        "window_area_w_ratio",
        "party_wall_area_ratio",
        "envelope_area_ratio",
        "heat_capacity_wh_m2k",
        "internal_gains_w_m2",
        "dhw_need_kwh_m2",
        "tabula_h_tr_w_m2k",
        "tabula_q_h_nd_kwh_m2",
    )
    for c in linear:
        row[c] = float(g[c].mean())
    area_col = {
        "roof": "roof_area_ratio",
        "wall": "wall_area_ratio",
        "floor": "ground_floor_area_ratio",
        "door": "door_area_ratio",
    }
    win_area = g[[f"window_area_{o}_ratio" for o in ORIENTATIONS]].sum(axis=1)
    for cls in ("roof", "wall", "floor", "window", "door"):
        area = win_area if cls == "window" else g[area_col[cls]]
        u = g[f"u_{cls}_w_m2k"]
        row[f"u_{cls}_w_m2k"] = _wmean(u, area)
        if cls in OPAQUE_WITH_B:
            row[f"b_{cls}"] = _wmean(g[f"b_{cls}"], u * area)
    row["delta_u_tb_w_m2k"] = _wmean(g["delta_u_tb_w_m2k"], g["envelope_area_ratio"])
    for c in ("g_window", "frame_fraction", "shading_factor"):
        row[c] = _wmean(g[c], win_area)
    for c in ("infiltration_ach", "ventilation_ach"):
        row[c] = _wmean(g[c], g["room_height_m"])
    return row


def merge_archetypes(rows: pd.DataFrame) -> pd.DataFrame:
    """Merge the rows of :func:`derive_row_parameters` into one row per (building type, period).

    Rows alone in their group pass through unchanged. Groups of several rows
    (MFH.Gen + MFH.Small) are merged with equal weight per m² of floor area,
    see the module notes; ``archetype_id`` joins the TABULA codes with ``+``.

    Parameters
    ----------
    rows : pandas.DataFrame
        Output of :func:`derive_row_parameters`.

    Returns
    -------
    pandas.DataFrame
        The archetype table, sorted by building type (:data:`BUILDING_TYPE_ORDER`) and period.
    """
    merged = []
    for _, g in rows.groupby(["building_type", "period"], sort=False):
        g = g.sort_values("archetype_id", kind="stable")
        merged.append(g.iloc[0].to_dict() if len(g) == 1 else _merge_group(g))
    table = pd.DataFrame(merged, columns=list(TABLE_COLUMNS))
    order = table["building_type"].map({b: i for i, b in enumerate(BUILDING_TYPE_ORDER)})
    table = table.assign(_o=order).sort_values(["_o", "year_from"], kind="stable")
    table = table.drop(columns="_o").reset_index(drop=True)
    for c in ("year_from", "year_to", "n_tabula_rows"):
        table[c] = table[c].astype(np.int64)
    return table


def derive_archetypes(tabula: pd.DataFrame) -> pd.DataFrame:
    """The archetype table: :func:`derive_row_parameters`, then :func:`merge_archetypes`."""
    return merge_archetypes(derive_row_parameters(tabula))


def header_lines(date: str | None = None) -> list[str]:
    """The ``#`` lines at the top of archetypes_be.csv: source, licence, derivation, date."""
    date = date or _dt.date.today().isoformat()
    return [
        "# archetypes_be.csv -- dwelling archetypes of the Flemish residential stock per"
        " (building type, construction period); areas per m2 of reference floor area A_C_Ref",
        "# Source: TABULA/EPISCOPE, IWU Darmstadt, www.episcope.eu; Belgian typology by VITO"
        " (tabula_BE.csv: export of the TABULA calculator, 35 example buildings, existing state)",
        "# Licence: CC BY 4.0; attribute 'TABULA/EPISCOPE, IWU Darmstadt, www.episcope.eu;"
        " Belgian typology by VITO'. This derived table: CC BY 4.0, changed as described below",
        "# Derivation: tools/derive_archetypes.py -- SFH=open, TH.Semi=halfopen, TH.Gen=gesloten,"
        " MFH.Gen+MFH.Small=apartment_small (equal-weight merge per m2), AB=apartment_block;"
        " U_eff = 1/(1/U + R_add), U area-weighted and b conductance-weighted per class;"
        " party walls estimated as V_C/sqrt(footprint) per shared side; see sim/data/SOURCES.md",
        f"# Derived: {date}",
    ]


def write_archetypes(
    table: pd.DataFrame, path: str | Path = DEFAULT_OUT, date: str | None = None
) -> None:
    """Write the archetype table as CSV with its comment header.

    Floats are written with the shortest representation that reads back to
    the same float64, so the shipped table equals a fresh derivation exactly.
    """
    text = "\n".join(header_lines(date)) + "\n" + table.to_csv(index=False, lineterminator="\n")
    Path(path).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line: derive and write the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tabula", type=Path, default=DEFAULT_TABULA, help="path of tabula_BE.csv")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output CSV")
    args = p.parse_args(argv)
    table = derive_archetypes(read_tabula(args.tabula))
    write_archetypes(table, args.out)
    print(f"wrote {len(table)} archetypes to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
