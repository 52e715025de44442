"""Writing a heat plan: ``warmtezones.gpkg``, ``cabines.csv``, charts and ``warmteplan.md``.

The folder, as ``wijk warmte --out MAP`` writes it:

==========================  ==============================================================
``warmtezones.gpkg``        layers ``sector``, ``grid`` and (with streets) ``street``: one row
                            per zone and year (``docs/nomenclature.md``, "Heat zoning");
                            layer ``cabines`` with cabins: one row per cabin and year
``cabines.csv``             the cabins' loading per year (with cabins)
``buiten_zone.csv``         dwellings in no zone of a kind, with the reason
``transportleidingen.csv``  with heat sources: each network area's source and transmission pipe
                            per kind of zone and year (``scenarios.heat.sources``)
``weggelaten_straten.csv``  street records the plan left out (not a street), with the reason
``grafieken/*.png``         advice per year, cost of heat against heat density, grid load
``warmteplan.md``           the plan in Dutch: what it advises where, why, how sure, sources
==========================  ==============================================================

The folder is written next to ``out`` and renamed into place only when everything is written,
so a failed run never leaves half a plan (nor overwrites an earlier one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from scenarios.charts import new_figure, save_figure
from scenarios.heat.areas import ADVICE_SMALL_AREA
from scenarios.heat.costs import (
    ADVICE_FAR_SOURCE,
    ADVICE_UNDECIDED,
    ADVICE_WORDS,
    STRATEGIES,
    HeatCostParameters,
    shipped_parameters,
)
from scenarios.heat.gridload import grid_load_table
from scenarios.heat.plan import ADVICE_FIXED, HeatPlan
from scenarios.heat.results import CABIN_LAYER, ZONES_FILE
from scenarios.heat.sources import TRANSMISSION_PARAMETERS
from scenarios.heat.zones import zone_parameters
from scenarios.outputs import write_folder
from sim.csvsafe import write_csv

#: Dutch names of the strategies and of the kinds of zone.
STRATEGY_NL = {
    "network": "warmtenet",
    "individual_hp": "individuele lucht-waterwarmtepomp",
    "hybrid": "hybride warmtepomp",
    "collective_hp": "collectieve warmtepomp per appartementsgebouw",
}
LAYER_NL = {"sector": "statistische sectoren", "grid": "rooster van 100 m", "street": "straten"}
#: Advice colours of the map and the charts (warmtenet, individueel, hybride, nader onderzoeken).
ADVICE_COLOURS = {
    "warmtenet": "#d7301f",
    "individueel": "#2b8cbe",
    "hybride": "#7fbc41",
    ADVICE_UNDECIDED: "#bdbdbd",
}


def write_heat_plan(
    plan: HeatPlan,
    out: Path,
    *,
    title: str,
    sources_nl: Sequence[str] = (),
    cost_parameters: HeatCostParameters | None = None,
    input_rejects: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write the plan's files to ``out`` (atomically replacing an earlier plan);
    ``input_rejects``: records of an input file left out, with their reason, each written as
    ``weggelaten_<name>.csv``."""

    def write(tmp: Path) -> None:
        _write_all(plan, tmp, title, sources_nl, cost_parameters)
        for name, table in (input_rejects or {}).items():
            write_csv(table, tmp / f"weggelaten_{name}.csv", index=False)

    return write_folder(out, write)


def _write_all(
    plan: HeatPlan,
    folder: Path,
    title: str,
    sources_nl: Sequence[str],
    cost_parameters: HeatCostParameters | None,
) -> None:
    gpkg = folder / ZONES_FILE
    for name, frame in plan.layers.items():
        _plain(frame).to_file(gpkg, layer=name, driver="GPKG")
    if plan.cabins is not None:
        _plain(plan.cabins).to_file(gpkg, layer=CABIN_LAYER, driver="GPKG")
        write_csv(plan.cabins.drop(columns="geometry"), folder / "cabines.csv", index=False)
    write_csv(plan.rejects, folder / "buiten_zone.csv", index=False)
    if plan.transmission is not None:
        write_csv(plan.transmission, folder / "transportleidingen.csv", index=False)
    charts = folder / "grafieken"
    charts.mkdir()
    _charts(plan, charts)
    (folder / "warmteplan.md").write_text(
        warmteplan_md(plan, title, sources_nl, cost_parameters), encoding="utf-8"
    )


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """GeoPackage-safe columns: nullable integers and booleans as plain numbers."""
    out = frame.copy()
    for c in out.columns:
        if c == "geometry":
            continue
        if isinstance(out[c].dtype, pd.BooleanDtype) or out[c].dtype == bool:
            out[c] = out[c].astype("Int8").astype("float64")
        elif isinstance(out[c].dtype, pd.Int64Dtype):
            out[c] = out[c].astype("float64")
        elif out[c].dtype == object:
            out[c] = out[c].astype(str)
    return out


# -- charts ---------------------------------------------------------------------------------


def _charts(plan: HeatPlan, folder: Path) -> None:
    grid = plan.layers.get("grid")
    if grid is not None:
        counts = grid.groupby(["year", "advice"]).size().unstack(fill_value=0)
        fig, ax = new_figure(figsize=(7, 4))
        bottom = np.zeros(len(counts))
        for word in [*ADVICE_WORDS, ADVICE_UNDECIDED]:
            if word in counts:
                ax.bar(
                    counts.index.astype(str),
                    counts[word],
                    bottom=bottom,
                    color=ADVICE_COLOURS[word],
                    label=word,
                )
                bottom += counts[word].to_numpy()
        ax.set_ylabel("hectarecellen met woningen")
        ax.set_title("Advies per hectare (rooster van 100 m), per jaar")
        # beside the bars, which fill the whole height
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.subplots_adjust(right=0.75)
        save_figure(fig, folder, "advies_per_jaar", ["png"])
        today = grid[grid["year"] == plan.years[0]]
        fig, ax = new_figure(figsize=(7, 4))
        for s in STRATEGIES:
            col = f"lcoh_{s}_p50_eur_mwh"
            ax.scatter(today["heat_density_mwh_ha"], today[col], s=6, label=STRATEGY_NL[s])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("warmtevraagdichtheid [MWh/ha·jaar]")
        ax.set_ylabel("warmtekost, mediaan [€/MWh]")
        ax.set_title(f"Warmtekost per strategie en warmtedichtheid ({plan.years[0]})")
        ax.legend(fontsize=7)
        save_figure(fig, folder, "warmtekost_dichtheid", ["png"])
    sector = plan.layers["sector"]
    per_year = sector.groupby("year")[["peak_kw", "household_peak_kw"]].sum()
    fig, ax = new_figure(figsize=(7, 4))
    x = np.arange(len(per_year))
    ax.bar(x - 0.2, per_year["household_peak_kw"], 0.4, label="bestaande huishoudpiek")
    ax.bar(x + 0.2, per_year["peak_kw"], 0.4, label="piek van de elektrische verwarming")
    ax.set_xticks(x, per_year.index.astype(str))
    ax.set_ylabel("kW op de ontwerpdag (som van de sectoren)")
    ax.set_title("Netbelasting op de ontwerpdag")
    # room above the bars for the legend (the household peak is as tall in every year)
    top = float(np.nanmax(per_year[["household_peak_kw", "peak_kw"]].to_numpy(), initial=0.0))
    ax.set_ylim(0.0, 1.3 * top if top > 0 else 1.0)
    ax.legend(fontsize=8, loc="upper left", ncol=2)
    save_figure(fig, folder, "netbelasting", ["png"])


# -- warmteplan.md --------------------------------------------------------------------------


def _nl(x: float, digits: int = 0) -> str:
    if x is None or not np.isfinite(x):
        return "–"
    return f"{x:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _pct(x: float) -> str:
    return "–" if not np.isfinite(x) else f"{100 * x:.0f} %"


def warmteplan_md(
    plan: HeatPlan,
    title: str,
    sources_nl: Sequence[str] = (),
    cost_parameters: HeatCostParameters | None = None,
) -> str:
    """The plan in Dutch, for the municipality's lokaal warmteplan."""
    first, last = plan.years[0], plan.years[-1]
    sector = plan.layers["sector"]
    lines = [
        f"# Warmtezonering — {title}",
        "",
        "Dit is de warmtezonering van het lokaal warmteplan, berekend per woning en "
        "samengeteld per zone: waar warmte best collectief komt (een warmtenet) en waar "
        "individueel (warmtepompen, hybride warmtepompen). Elke woning volgt haar eigen "
        "renovatietraject uit het scenario; zo toont het plan of een zone die vandaag bij een "
        "warmtenet past dat ook nog doet als haar woningen geïsoleerd zijn.",
        "",
        f"- Jaren: {', '.join(str(y) for y in plan.years)} ({first} is de huidige toestand).",
        f"- Zones: {', '.join(LAYER_NL[k] for k in plan.layers)}.",
        f"- Onzekerheid: {plan.runs} Monte Carlo-trekkingen van elke kostparameter binnen zijn "
        "bereik; per zone de mediaan (P50) en de band P10–P90 van de warmtekost, en de kans "
        "dat elke strategie de goedkoopste is.",
        *[f"- {s}" for s in sources_nl],
        "",
        "## Warmtevraag",
        "",
        "De verwachte warmtevraag van elke woning (ruimteverwarming en warm water, bij het "
        "verwachte verbruik van het huishouden, niet het EPC-standaardverbruik), in MWh per jaar:",
        "",
        "| jaar | woningen | warmtevraag [MWh/jaar] | ontwerpvermogen [MW] | klaar voor een warmtepomp |",
        "|---|---|---|---|---|",
    ]
    d = plan.demand
    for y in plan.years:
        t = d[d["year"] == y]
        ready = float((t["hp_ready_cost_eur"] == 0).mean())
        lines.append(
            f"| {y} | {_nl(len(t))} | {_nl(t['heat_demand_kwh'].sum() / 1000)} | "
            f"{_nl(t['design_heat_load_w'].sum() / 1e6, 1)} | {_pct(ready)} |"
        )
    lines += ["", "## Advies per statistische sector", ""]
    for y in (first, last) if first != last else (first,):
        lines += _sector_table(sector[sector["year"] == y], y)
    lines += _why(sector[sector["year"] == first])
    lines += _transmission(plan, cost_parameters)
    lines += _stability(plan)
    lines += _grid_load(plan)
    # the transmission pipe's parameters are listed only where a pipe was costed
    skip = (
        () if plan.transmission is not None else tuple(f"| {p} |" for p in TRANSMISSION_PARAMETERS)
    )
    lines += [
        line for line in _assumptions(cost_parameters) if not (skip and line.startswith(skip))
    ]
    lines += [
        "",
        "## Grenzen",
        "",
        "- De kost om een woning klaar te maken voor een warmtepomp is die van nieuwe "
        "lagetemperatuurafgifte waar de afgifte op de ontwerpdag meer dan 55 °C vraagt; "
        "isolatie die hetzelfde bereikt, telt het plan bij het scenario, niet hier. Dat is een "
        "bovengrens van wat een woning klaar maken kost.",
        "- Zonder straatassen (--streets) schat het plan de tracélengte van een warmtenet uit "
        "de bebouwingsdichtheid (Persson & Werner); met straatassen telt de echte lengte.",
        "- Elke zone is gerekend als een eigen distributienet: de leidingen die zones met elkaar "
        "en met de warmtebron verbinden, zitten niet in de kost. Vooral een los straatsegment "
        "met veel warmte per meter lijkt daardoor goedkoper dan het in een echt net is."
        if plan.transmission is None
        else "- Elke zone is gerekend als een eigen distributienet: de leidingen die zones met "
        "elkaar verbinden, zitten niet in de kost; de transportleiding van de warmtebron naar "
        "elk netgebied wel (zie 'Warmtebronnen en transportleidingen').",
        *_areas_note(plan),
        "- De netbelasting is die op de ontwerpdag (buitentemperatuur van de rekenkern), na "
        "gelijktijdigheid; ze zegt niets over spanningsproblemen in een individuele "
        "laagspanningskabel.",
        f"- Woningen buiten elke zone van een soort: {len(plan.rejects)} rijen "
        "(buiten_zone.csv, met de reden).",
        "",
    ]
    return "\n".join(lines)


def _sector_table(t: pd.DataFrame, year: int) -> list[str]:
    head = " | ".join(f"{STRATEGY_NL[s]} P50 (P10–P90)" for s in STRATEGIES)
    out = [
        f"### {year}",
        "",
        f"| sector | woningen | warmtedichtheid [MWh/ha] | bebouwingsdichtheid | {head} | "
        "advies | kans |",
        "|---|---|---|---|" + "---|" * len(STRATEGIES) + "---|---|",
    ]
    for _, r in t.sort_values("heat_density_mwh_ha", ascending=False).iterrows():
        costs = " | ".join(
            f"{_nl(r[f'lcoh_{s}_p50_eur_mwh'])} ({_nl(r[f'lcoh_{s}_p10_eur_mwh'])}–"
            f"{_nl(r[f'lcoh_{s}_p90_eur_mwh'])})"
            if np.isfinite(r[f"lcoh_{s}_p50_eur_mwh"])
            else "–"
            for s in STRATEGIES
        )
        fixed = {
            ADVICE_FIXED: " (vastgelegd)",
            ADVICE_SMALL_AREA: " (te klein netgebied)",
            ADVICE_FAR_SOURCE: " (verre warmtebron)",
        }.get(str(r["advice_source"]), "")
        out.append(
            f"| {r['zone_id']} | {_nl(r['n_dwellings'])} | {_nl(r['heat_density_mwh_ha'])} | "
            f"{_nl(r['plot_ratio'], 2)} | {costs} | {r['advice']}{fixed} | "
            f"{_pct(r['advice_probability'])} |"
        )
    out += ["", "Warmtekost in € per MWh geleverde warmte (alles inbegrepen, geannualiseerd).", ""]
    return out


def _areas_note(plan: HeatPlan) -> list[str]:
    """The rule of the heat-network areas (``scenarios.heat.areas``) and what it changed."""
    least = zone_parameters()["network_area_min_demand_mwh"]
    first = plan.years[0]
    changed = "; ".join(
        f"{LAYER_NL[k]}: "
        f"{int(((t['year'] == first) & (t['advice_source'] == ADVICE_SMALL_AREA)).sum())} zones"
        for k, t in plan.layers.items()
        if "advice_source" in t
    )
    return [
        "- Netgebieden: zones met advies warmtenet die aan elkaar grenzen (rastercellen ook via "
        "een hoek, sectoren en straatsegmenten die elkaar raken) vormen samen één netgebied "
        f"(kolom network_area_id). Een netgebied met minder dan {_nl(least)} MWh warmtevraag "
        "per jaar is te klein voor een eigen warmtebron: zijn zones krijgen 'nader onderzoeken' "
        "(advice_source 'te klein netgebied'); hun kosten blijven getoond. De regel komt uit "
        "Hotmaps (rekenmodule 'District heating potential areas', standaard 30 GWh per jaar, "
        f"bedoeld voor regio's en landen); de {_nl(least)} MWh is een aanname van dit project "
        "voor een gemeente (bereik 500–30.000 MWh, scenarios/data/heat_zones.csv). "
        f"Zo teruggezet in {first}: {changed or 'geen zones'}.",
    ]


def _transmission(plan: HeatPlan, params: HeatCostParameters | None) -> list[str]:
    """Which source feeds which network area, the pipe's length and cost, what it changed
    (``scenarios.heat.sources``); nothing without heat sources."""
    pipes = plan.transmission
    if pipes is None:
        return []
    prm = shipped_parameters() if params is None else params
    first, last = plan.years[0], plan.years[-1]
    out = [
        "## Warmtebronnen en transportleidingen",
        "",
        "Elk netgebied krijgt zijn dichtstbijzijnde warmtebron. De transportleiding loopt van de "
        "bron naar de dichtste rand van het netgebied: rechte afstand × omwegfactor "
        f"{_nl(prm.value('transmission_route_factor'), 2)}, gedimensioneerd op de aangesloten "
        f"warmtevraag over {_nl(prm.value('transmission_full_load_hours'))} vollasturen, met de "
        "kost per meter van Hotmaps (scenarios/data/heat_transmission.csv). Haar investering "
        "wordt geannualiseerd zoals de distributieleidingen en telt per MWh verkochte warmte mee "
        "in de warmtekost van het warmtenet van elke zone van het gebied, in elke Monte "
        "Carlo-trekking. Een bron in of tegen het netgebied vraagt geen transportleiding; een "
        "bron met een eigen prijs vervangt de standaardprijs van de warmte. Zones die het "
        f"warmtenet zo verliezen, krijgen hun nieuwe advies met '{ADVICE_FAR_SOURCE}'; daarna "
        "worden de netgebieden opnieuw gevormd (één keer).",
        "",
        "| zones | jaar | netgebied (vóór de transportkost) | warmtevraag [MWh/jaar] | bron | "
        "afstand [m] | leiding [€/m] | investering [€] | bijkomend [€/MWh] | zones zonder net |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    shown = pipes[pipes["year"].isin({first, last})].sort_values(
        ["layer", "year", "area_mwh"], ascending=[True, True, False], kind="stable"
    )
    for (layer, year), group in shown.groupby(["layer", "year"], sort=False):
        for _, r in group.head(15).iterrows():
            out.append(
                f"| {LAYER_NL.get(str(layer), layer)} | {year} | {r['network_area_id']} | "
                f"{_nl(r['area_mwh'])} | {r['source_name']} | {_nl(r['source_distance_m'])} | "
                f"{_nl(r['pipe_cost_eur_m'])} | {_nl(r['transmission_investment_eur'])} | "
                f"{_nl(r['transmission_eur_mwh'], 1)} | {_nl(r['zones_lost'])} |"
            )
        if len(group) > 15:
            out.append(
                f"| {LAYER_NL.get(str(layer), layer)} | {year} | (en nog {len(group) - 15}) "
                "| | | | | | | |"
            )
    lost = "; ".join(
        f"{LAYER_NL[k]}: "
        f"{int(((t['year'] == first) & (t['advice_source'] == ADVICE_FAR_SOURCE)).sum())} zones"
        for k, t in plan.layers.items()
        if "advice_source" in t
    )
    out += [
        "",
        "Investering: rechte afstand × kost per meter, vóór omwegfactor en kostenniveau; "
        "bijkomend: de kost van de leiding per MWh verkochte warmte bij de centrale waarden. "
        "Zones zonder net: zones van het gebied die daarna geen warmtenet meer krijgen (door "
        "de leiding, of omdat wat overblijft te klein is). "
        "Alle netgebieden en jaren staan in transportleidingen.csv. "
        f"Zones die het warmtenet verliezen door hun transportleiding in {first}: {lost}.",
    ]
    # a source's capacity beside what the areas it feeds ask (the finest kind of zone)
    layer = (
        "grid"
        if (pipes["layer"] == "grid").any()
        else str(pipes["layer"].iloc[0])
        if len(pipes)
        else ""
    )
    need = (
        pipes[pipes["layer"] == layer]
        .groupby(["source_name", "year"])
        .agg(need_mw=("capacity_mw", "sum"), kw=("source_capacity_kw", "first"))
        .reset_index()
    )
    short = need[np.isfinite(need["kw"]) & (need["need_mw"] * 1000.0 > need["kw"])]
    out += [""] if len(short) else []
    for _, r in short.iterrows():
        out.append(
            f"- Bron {r['source_name']} ({_nl(r['kw'])} kW) voedt in {r['year']} netgebieden "
            f"die samen {_nl(r['need_mw'] * 1000.0)} kW vragen (aangesloten warmtevraag over de "
            "vollasturen): er is een bijkomende bron nodig; het plan rekent met de leiding naar "
            "deze bron."
        )
    return [*out, ""]


def _why(t: pd.DataFrame) -> list[str]:
    """The densest and the sparsest sector side by side: why their advice differs."""
    if len(t) < 2:
        return []
    order = t.sort_values("heat_density_mwh_ha")
    dense, sparse = order.iloc[-1], order.iloc[0]

    def say(r: pd.Series) -> str:
        best = min(
            (s for s in STRATEGIES if np.isfinite(r[f"lcoh_{s}_p50_eur_mwh"])),
            key=lambda s: r[f"lcoh_{s}_p50_eur_mwh"],
        )
        return (
            f"sector {r['zone_id']}: {_nl(r['heat_density_mwh_ha'])} MWh/ha·jaar op een "
            f"bebouwingsdichtheid van {_nl(r['plot_ratio'], 2)}; een warmtenet kost er "
            f"{_nl(r['lcoh_network_p50_eur_mwh'])} €/MWh, een hybride warmtepomp "
            f"{_nl(r['lcoh_hybrid_p50_eur_mwh'])} €/MWh en een individuele warmtepomp "
            f"{_nl(r['lcoh_individual_hp_p50_eur_mwh'])} €/MWh; goedkoopst: "
            f"{STRATEGY_NL[best]}; advies **{r['advice']}** ({_pct(r['advice_probability'])})"
        )

    return [
        "### Waarom het advies verschilt",
        "",
        "Een warmtenet betaalt zijn leidingen met de warmte die het verkoopt: hoe meer warmte "
        "per meter leiding, hoe lager de kost per MWh (Persson & Werner 2011: de "
        "distributiekost daalt met de bebouwingsdichtheid en de specifieke warmtevraag). Een "
        "warmtepomp kost per woning ongeveer hetzelfde, waar die ook staat.",
        "",
        f"- Dichtst: {say(dense)}.",
        f"- Ijlst: {say(sparse)}.",
        "",
    ]


def _stability(plan: HeatPlan) -> list[str]:
    grid = plan.layers.get("grid")
    if grid is None or len(plan.years) < 2:
        return []
    first, last = plan.years[0], plan.years[-1]
    a = grid[grid["year"] == first].set_index("zone_id")["advice"]
    b = grid[grid["year"] == last].set_index("zone_id")["advice"]
    both = a.index.intersection(b.index)
    changed = a[both] != b[both]
    moves = (
        pd.DataFrame({"van": a[both][changed], "naar": b[both][changed]})
        .value_counts()
        .reset_index(name="hectarecellen")
    )
    out = [
        "## Stabiliteit van het advies",
        "",
        f"Van de {_nl(len(both))} hectarecellen met woningen krijgen er {_nl(int(changed.sum()))} "
        f"in {last} een ander advies dan in {first}, omdat renovatie hun warmtevraag verlaagt:",
        "",
        "| van | naar | hectarecellen |",
        "|---|---|---|",
    ]
    out += [
        f"| {r['van']} | {r['naar']} | {_nl(r['hectarecellen'])} |" for _, r in moves.iterrows()
    ]
    undecided = float((grid["advice"] == ADVICE_UNDECIDED).mean())
    out += [
        "",
        f"'{ADVICE_UNDECIDED}' ({_pct(undecided)} van de cellen over alle jaren): geen "
        "strategie is in genoeg trekkingen de goedkoopste; kijk daar naar de lokale toestand "
        "(een warmtebron, een straat die opengaat, een gebouw met een collectieve ketel).",
        "",
    ]
    return out


def _grid_load(plan: HeatPlan) -> list[str]:
    sector = plan.layers["sector"]
    per_year = sector.groupby("year")[["peak_kw", "household_peak_kw", "n_dwellings"]].sum()
    out = [
        "## Netbelasting van de elektrificatie",
        "",
        "Piek op de ontwerpdag van de elektrische verwarming (warmtepompen bij hun COP op de "
        "ontwerptemperatuur en de aanvoertemperatuur die hun afgifte vraagt, warm water, na "
        "gelijktijdigheid), naast de bestaande piek van de huishoudens; som van de sectoren "
        "(de gelijktijdigheid geldt per sector, dus de som is een bovengrens voor de gemeente):",
        "",
        "| jaar | piek verwarming [kW] | bestaande huishoudpiek [kW] | per woning [kW] |",
        "|---|---|---|---|",
    ]
    for y, r in per_year.iterrows():
        out.append(
            f"| {y} | {_nl(r['peak_kw'])} | {_nl(r['household_peak_kw'])} | "
            f"{_nl(r['peak_kw'] / max(r['n_dwellings'], 1), 2)} |"
        )
    if plan.cabins is not None:
        c = plan.cabins
        over = c[c["overloaded"].astype(bool)]
        first = over.groupby("cabin_id")["year"].min().sort_values()
        out += [
            "",
            f"Cabines: {c['cabin_id'].nunique()}; overbelast (piek boven kVA × "
            "arbeidsfactor) per jaar: "
            + ", ".join(f"{y}: {int(n)}" for y, n in c.groupby("year")["overloaded"].sum().items())
            + ".",
        ]
        if len(first):
            out += [
                "",
                "| cabine | eerst overbelast | vermogen [kVA] | belasting in dat jaar |",
                "|---|---|---|---|",
            ]
            for cab, y in first.head(20).items():
                r = c[(c["cabin_id"] == cab) & (c["year"] == y)].iloc[0]
                out.append(
                    f"| {cab} | {y} | {_nl(r['capacity_kva'])} | {_pct(r['loading_share'])} |"
                )
    else:
        out += [
            "",
            "Zonder cabinebestand (--cabins) toont het plan de piek per woning en per hectare "
            "(kolommen peak_kw_per_dwelling en peak_kw_per_ha van warmtezones.gpkg).",
        ]
    return [*out, ""]


def _assumptions(params: HeatCostParameters | None) -> list[str]:
    out = ["## Aannames en bronnen", ""]
    if params is not None:
        refs = params.references()
        changed = [r for r in refs if r["override"]]
        out += [
            "Kostparameters (scenarios/data/heat_costs.yaml; elk met bereik en bron):",
            "",
        ]
        if changed:
            origins = ", ".join(dict.fromkeys(r["origin"] for r in changed))
            out += [
                f"**{len(changed)} kostparameter(s) aangepast door de gebruiker** ({origins}): "
                + ", ".join(r["parameter"] for r in changed)
                + ". De tabel toont de gebruikte waarde, met de meegeleverde erachter.",
                "",
            ]
        # each source or assumption once, numbered in the order the table first cites it
        number: dict[str, int] = {}
        for ref in refs:
            number.setdefault(ref["source_id"], len(number) + 1)
        out += [
            "| parameter | betekenis | waarde | bereik | eenheid | bron |",
            "|---|---|---|---|---|---|",
        ]
        for ref in refs:
            value, rng = ref["value"], ref["range"]
            source = f"[{number[ref['source_id']]}]"
            if ref["override"]:
                value = f"**{value}** (meegeleverd: {ref['shipped_value']})"
                rng = f"**{rng}** (meegeleverd: {ref['shipped_range']})"
                source = f"**{ref['override']}**; meegeleverde bron: {source}"
            cells = [ref["parameter"], ref["label_nl"], value, rng, ref["unit"], source]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        out += [
            "",
            "Bronnen en aannames van de kostparameters (zoals gelezen; PROJECT ASSUMPTION = een "
            "aanname van het project, met waarom en het bereik):",
            "",
        ]
        texts = {ref["source_id"]: ref["source"] for ref in refs}
        out += [f"{n}. {texts[key]}" for key, n in number.items()]
        out.append("")
    table = grid_load_table()
    out += [
        "Netbelasting (scenarios/data/grid_load.csv):",
        "",
        "| parameter | waarde | bereik | eenheid | bron |",
        "|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        out.append(
            f"| {r['parameter']} | {r['value']} | {r['low']}–{r['high']} | {r['unit']} | "
            f"{r['source']} |"
        )
    return out


__all__ = ["ADVICE_COLOURS", "STRATEGY_NL", "warmteplan_md", "write_heat_plan"]
