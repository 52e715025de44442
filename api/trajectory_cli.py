"""``wijk trajectory``: the renovation plan (stappenplan) of one household, in Dutch."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.table import Table

from api.console import console, fail
from api.formatting import TWO_QUANTITIES_NL, nl_number
from sim.errors import InputError
from sim.labels import LABELS

if TYPE_CHECKING:
    from scenarios.candidates import Candidates
    from scenarios.catalogue import Catalogue

from scenarios.policy import DEFAULT_INCOME_CATEGORY
from scenarios.trajectory import default_order

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
) -> None:
    """Toon het stappenplan van één woning: stappen in volgorde met kost, premie, besparing en label."""
    from buildings.twin import read_twin
    from scenarios.candidates import all_subsets, build_candidates
    from scenarios.catalogue import load_catalogue
    from scenarios.policy import load_policy
    from scenarios.trajectory import stappenplan

    if address is None and address_id is None:
        fail('geef een adres ("Kerkstraat 12, 8810") of --address-id.')
    try:
        twin = read_twin(twin_path)
        rows = find_dwelling(twin, address, address_id)
        catalogue = load_catalogue()
        steps = (
            tuple(s.strip() for s in order.split(","))
            if order
            else default_order(rows["attachment"].iloc[0])
        )
        policy = load_policy()
        plan = stappenplan(rows, steps, catalogue, policy, year=year, income_category=income)
        if target not in LABELS:
            fail(f"--target {target} is geen EPC-label; kies uit {', '.join(LABELS)}.")
        cand = build_candidates(
            rows, all_subsets(steps), catalogue, policy, year=year, income_category=income
        )
    except InputError as exc:
        fail(str(exc))
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
    for r in plan.to_dict("records"):
        label_nl = catalogue.measure(r["measure"]).label_nl if r["measure"] else "huidige toestand"
        payback = r["simple_payback_years"]
        table.add_row(
            str(r["step"]),
            label_nl,
            nl_number(r["investment_eur"]),
            nl_number(r["premium_eur"]),
            nl_number(r["net_cost_eur"]),
            nl_number(r["saving_eur"]),
            str(r["label"]),
            nl_number(r["co2_kg"]),
            "-" if pd.isna(payback) else nl_number(payback, 1),
        )
    console.print(table)
    skipped = [m for m in steps if m not in set(plan["measure"])]
    if skipped:
        names = ", ".join(catalogue.measure(m).label_nl for m in skipped if m in catalogue.ids)
        console.print(f"Niet van toepassing op deze woning: {names}.")
    _print_choices(cand, catalogue, target, budget)
    console.print(
        "Prijzen en premies: scenarios/data, met de bron van elke waarde; "
        "label volgens de Vlaamse EPC-schaal. " + TWO_QUANTITIES_NL
    )


def _print_choices(
    cand: Candidates, catalogue: Catalogue, target: str, budget: float | None
) -> None:
    """The optimiser over every combination of the measures: cheapest to the target label and,
    with a budget, the lowest CO2 within it."""
    from scenarios.candidates import best_within_budget, cheapest_to_target

    table = Table(title=f"Optimalisatie over alle {cand.k - 1} combinaties van deze maatregelen")
    for col in ("keuze", "maatregelen", "netto €", "label", "CO2 kg/jaar", "energiekost €/jaar"):
        table.add_column(
            col, justify="left" if col in ("keuze", "maatregelen", "label") else "right"
        )
    net = cand.net_cost()
    choices = [(f"goedkoopst naar label {target}", cheapest_to_target(cand, LABELS.index(target)))]
    if budget is not None:
        choices.append(
            (f"minste CO2 binnen {nl_number(budget)} €", best_within_budget(cand, budget))
        )
    for name, index in choices:
        t = int(index[0])
        if t < 0:
            table.add_row(name, "niet haalbaar met deze maatregelen", "-", "-", "-", "-")
            continue
        done = str(cand.done(index)[0])
        names = ", ".join(catalogue.measure(m).label_nl for m in done.split("+") if m) or "niets"
        table.add_row(
            name,
            names,
            nl_number(net[0, t]),
            LABELS[int(cand.label[0, t])],
            # what the household emits and pays: the expected actual use, as in the steps above
            nl_number(cand.expected_co2_kg[0, t]),
            nl_number(cand.expected_cost_eur[0, t]),
        )
    console.print(table)
