"""``wijk trajectory``: the renovation plan (stappenplan) of one household, in Dutch."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from api.cli.console import console, fail
from api.formatting import TWO_QUANTITIES_NL, nl_number
from sim.errors import InputError

if TYPE_CHECKING:
    from scenarios.catalogue import Catalogue

from scenarios.policy import DEFAULT_INCOME_CATEGORY

_ADDRESS = re.compile(
    r"^\s*(?P<street>.+?)\s+(?P<number>\d+\S*)(?:\s+bus\s+(?P<box>\S+))?\s*,\s*(?P<postcode>\d{4})\s*$",
    re.IGNORECASE,
)


def find_dwelling(twin: pd.DataFrame, address: str | None, address_id: str | None) -> pd.DataFrame:
    """The twin row of one address ("Straat 12, 8810" or "Straat 12 bus 3, 8810") or adresid."""
    if address_id is not None:
        rows = twin[twin["address_id"].astype(str) == str(address_id)]
        if rows.empty:
            fail(f"adres-id {address_id} staat niet in de tweeling.")
        return rows
    m = _ADDRESS.match(address or "")
    if m is None:
        fail(f'"{address}" is geen adres in de vorm "Straat 12, 8810" of "Straat 12 bus 3, 8810".')
    street = twin["street"].astype(str).str.casefold() == m["street"].casefold()
    rows = twin[
        street
        & (twin["house_number"].astype(str) == m["number"])
        & (twin["postcode"].astype(str) == m["postcode"])
    ]
    if m["box"] is not None:
        rows = rows[rows["box_number"].astype(str) == m["box"]]
    if rows.empty:
        same_street = twin[street & (twin["postcode"].astype(str) == m["postcode"])]
        numbers = sorted(same_street["house_number"].astype(str).unique(), key=_natural)[:15]
        hint = (
            f" Huisnummers in {m['street']}: {', '.join(numbers)}."
            if len(same_street)
            else " Controleer de straatnaam en de postcode."
        )
        fail(f'adres "{address}" staat niet in de tweeling.{hint}')
    if len(rows) > 1:
        boxes = ", ".join(str(b) for b in rows["box_number"].tolist())
        fail(
            f'"{address}" heeft {len(rows)} woningen; geef het busnummer, bv. '
            f'"... bus {rows["box_number"].iloc[0]}, ...". Busnummers: {boxes}.'
        )
    return rows


def _natural(text: str) -> tuple[int, str]:
    digits = re.match(r"\d+", text)
    return (int(digits.group()) if digits else 0, text)


def trajectory(
    address: Annotated[
        str | None,
        typer.Argument(help='Adres, bv. "Kerkstraat 12, 8810" of "Kerkstraat 12 bus 3, 8810".'),
    ] = None,
    twin_path: Annotated[
        Path, typer.Option("--twin", help="De tweeling (twin.parquet van wijk twin build/demo).")
    ] = Path("twin.parquet"),
    address_id: Annotated[
        str | None, typer.Option("--address-id", help="Adres-id (adresid) in plaats van het adres.")
    ] = None,
    order: Annotated[
        str | None,
        typer.Option(
            "--order", help="Maatregelen in volgorde, komma-gescheiden (standaard: eerst isoleren)."
        ),
    ] = None,
    year: Annotated[
        int, typer.Option("--year", help="Jaar van de prijzen, CO2-factoren en premies.")
    ] = 2025,
    income: Annotated[
        str,
        typer.Option(
            "--income",
            help="Premiecategorie van Mijn VerbouwPremie: cat1 (hoogste inkomens, minst "
            "ondersteund), cat2, cat3 of cat4 (laagste inkomens, meest ondersteund).",
        ),
    ] = DEFAULT_INCOME_CATEGORY,
    target: Annotated[
        str, typer.Option("--target", help="Doellabel voor de goedkoopste combinatie (A+ ... F).")
    ] = "A",
    budget: Annotated[
        float | None,
        typer.Option(
            "--budget", min=0, help="Budget [€, netto na premie]: beste combinatie ervoor."
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Het antwoord als JSON, hetzelfde als POST /api/v1/dwellings/{id}/trajectory.",
        ),
    ] = False,
) -> None:
    """Toon het stappenplan van één woning: stappen in volgorde met kost, premie, besparing en label."""
    import json

    from buildings.twin import read_twin
    from scenarios.catalogue import load_catalogue
    from scenarios.household import household_plan
    from scenarios.policy import load_policy

    if address is None and address_id is None:
        fail('geef een adres ("Kerkstraat 12, 8810") of --address-id.')
    try:
        twin = read_twin(twin_path)
        rows = find_dwelling(twin, address, address_id)
        catalogue = load_catalogue()
        policy = load_policy()
        plan = household_plan(
            pd.DataFrame(rows.drop(columns="geometry", errors="ignore")),
            catalogue,
            policy,
            year,
            order=[s.strip() for s in order.split(",")] if order else None,
            income_category=income,
            target_label=target,
            budget_eur=budget,
        )
    except InputError as exc:
        fail(str(exc))
    if as_json:
        # the service's answer: the plan and no calibration (the command line takes no
        # measured use)
        console.print_json(json.dumps({**plan, "calibration": None}))
        return
    row = rows.iloc[0]
    box = (
        f" bus {row['box_number']}"
        if pd.notna(row["box_number"]) and str(row["box_number"])
        else ""
    )
    title = (
        f"Stappenplan {row['street']} {row['house_number']}{box}, {row['postcode']} "
        f"({row['attachment']}, bouwjaar {row['construction_year']}, {nl_number(row['floor_area_m2'])} m²)"
    )
    table = Table(
        title=title, caption=f"Premie: Mijn VerbouwPremie, {policy.premiums.labels_nl()[income]}"
    )
    for col in (
        "stap",
        "maatregel",
        "investering €",
        "premie €",
        "netto €",
        "besparing €/jaar",
        "label",
        "CO2 kg/jaar",
        "terugverdientijd jaar",
    ):
        table.add_column(col, justify="left" if col in ("maatregel", "label") else "right")
    for r in plan["steps"]:
        payback = r["simple_payback_years"]
        table.add_row(
            str(r["step"]),
            r["measure_nl"],
            nl_number(r["investment_eur"]),
            nl_number(r["premium_eur"]),
            nl_number(r["net_cost_eur"]),
            nl_number(r["saving_eur"]),
            str(r["label"]),
            nl_number(r["co2_kg"]),
            "-" if payback is None else nl_number(payback, 1),
        )
    console.print(table)
    if plan["not_applicable"]:
        names = ", ".join(catalogue.measure(m).label_nl for m in plan["not_applicable"])
        console.print(f"Niet van toepassing op deze woning: {names}.")
    _print_choices(plan, catalogue, len(plan["not_applicable"]) + len(plan["steps"]) - 1, budget)
    console.print(
        "Prijzen en premies: scenarios/data, met de bron van elke waarde; "
        "label volgens de Vlaamse EPC-schaal. " + TWO_QUANTITIES_NL
    )


def _print_choices(
    plan: dict[str, Any], catalogue: Catalogue, n_measures: int, budget: float | None
) -> None:
    """The optimiser's choices over every combination of the measures: cheapest to the target
    label and, with a budget, the lowest CO2 within it."""
    table = Table(
        title=f"Optimalisatie over alle {2**n_measures - 1} combinaties van deze maatregelen"
    )
    for col in ("keuze", "maatregelen", "netto €", "label", "CO2 kg/jaar", "energiekost €/jaar"):
        table.add_column(
            col, justify="left" if col in ("keuze", "maatregelen", "label") else "right"
        )
    names = {
        "cheapest_to_target": f"goedkoopst naar label {plan['target_label']}",
        "best_within_budget": f"minste CO2 binnen {nl_number(budget or 0.0)} €",
    }
    for key, choice in plan["options"].items():
        if choice is None:
            table.add_row(names[key], "niet haalbaar met deze maatregelen", "-", "-", "-", "-")
            continue
        done = ", ".join(catalogue.measure(m).label_nl for m in choice["measures"]) or "niets"
        table.add_row(
            names[key],
            done,
            nl_number(choice["net_cost_eur"]),
            choice["label"],
            # what the household emits and pays: the expected actual use, as in the steps above
            nl_number(choice["co2_kg"]),
            nl_number(choice["energy_cost_eur"]),
        )
    console.print(table)
