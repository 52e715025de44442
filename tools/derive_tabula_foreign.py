"""Derive ``tests/sim/data/tabula_foreign.csv``: published TABULA rows of other countries.

Run from the repository root::

    .venv/bin/python tools/derive_tabula_foreign.py --episcope PATH --type-variants DIR [--out PATH]

Inputs (see ``tests/sim/data/SOURCES.md`` for where to get them and their checksums):

``--episcope``
    ``tsib/data/episcope/episcope.csv`` of FZJ-IEK3-VSA/tsib (commit a1b6d8b, 2019): an export of
    IWU's tabula-calculator.xlsx (sheet Calc.Set.Building) with every input and result of the
    TABULA method for 836 building variants of 21 typologies, in the column format of
    ``tabula_BE.csv``, numbers at full precision.
``--type-variants``
    the directory ``data/tabula/`` of THD-Spatial/City2TABULA (per-country exports of the TABULA
    WebTool data), read only for ``Code_TypeVariant`` ("Refurbishment" or "Variation"), which the
    tsib export lacks and which decides the thermal-bridging surcharge of variations.

Derivation:

1. keep the rows whose ``Code_Country`` is not ``BE`` (the Belgian rows are tested from
   ``shared/data/tabula/tabula_BE.csv``; they are identical in the tsib export);
2. add ``Code_TypeVariant`` by ``Code_BuildingVariant`` (empty where City2TABULA has no such row;
   the method then treats the row as not a variation);
3. keep the identifying columns, the input columns that :func:`sim.tabula.required_columns`
   declares (manual areas, measures, ``ReplaceInsulation``; every row has manual areas), the
   optional ``Code_TypeVariant``, and the published results in :data:`PUBLISHED`;
4. write them unchanged (shortest round-trip decimal representation of each float).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sim.tabula import ELEMENTS, ORIENTATIONS, required_columns  # noqa: E402

#: Identifying columns kept in front.
IDS: tuple[str, ...] = ("Code_BuildingVariant", "Code_Country", "Code_StatusDataset")

#: Published intermediates and results of the workbook that the tests compare.
PUBLISHED: tuple[str, ...] = (
    *(f"{p}_{e}" for p in ("A_Calc", "R_Measure", "U_Measure", "U_Actual") for e in ELEMENTS),
    *(f"A_Calc_Window_{o}" for o in ORIENTATIONS),
    "Fraction_EnvelopeRefurbished",
    "delta_U_ThermalBridging",
    "h_Transmission",
    "h_Ventilation",
    "F_red_temp",
    "q_ht",
    "g_gl_n",
    "q_sol",
    "q_int",
    "eta_h_gn",
    "q_h_nd",
)


def read_type_variants(directory: Path) -> pd.Series:
    """``Code_TypeVariant`` by ``Code_BuildingVariant`` from the City2TABULA country files."""
    frames = [
        pd.read_csv(f, usecols=["Code_BuildingVariant", "Code_TypeVariant"], dtype=str)
        for f in sorted(directory.glob("*.csv"))
    ]
    if not frames:
        raise FileNotFoundError(f"no *.csv in {directory}")
    table = pd.concat(frames, ignore_index=True)
    clash = table.groupby("Code_BuildingVariant")["Code_TypeVariant"].nunique() > 1
    if clash.any():
        raise ValueError(f"conflicting Code_TypeVariant for {list(clash[clash].index)[:5]}")
    return table.drop_duplicates("Code_BuildingVariant").set_index("Code_BuildingVariant")[
        "Code_TypeVariant"
    ]


def derive(episcope: pd.DataFrame, type_variants: pd.Series) -> pd.DataFrame:
    """The fixture from the tsib export and the variant types (steps 1-3)."""
    foreign = episcope[episcope["Code_Country"] != "BE"].copy()
    foreign["Code_TypeVariant"] = foreign["Code_BuildingVariant"].map(type_variants)
    inputs = required_columns("Manual", measures=True, replace_insulation=True)
    columns = [*IDS, *inputs, "Code_TypeVariant", *PUBLISHED]
    missing = [c for c in columns if c not in foreign.columns]
    if missing:
        raise KeyError(f"columns missing in the export: {missing}")
    return foreign[columns].reset_index(drop=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episcope", type=Path, required=True)
    parser.add_argument("--type-variants", type=Path, required=True)
    parser.add_argument(
        "--out", type=Path, default=REPO / "tests" / "sim" / "data" / "tabula_foreign.csv"
    )
    args = parser.parse_args(argv)
    episcope = pd.read_csv(args.episcope, index_col=0, low_memory=False)
    fixture = derive(episcope, read_type_variants(args.type_variants))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fixture.to_csv(args.out, index=False, lineterminator="\n")
    print(f"{len(fixture)} rows, {len(fixture.columns)} columns -> {args.out}")


if __name__ == "__main__":
    main()
