/* Wijkrenovatietool: the map and the facilitator panel.
 *
 * Talks only to this server (/api/v1/..., /kaart/gebouwen, /static/...); the OpenStreetMap
 * background is the one external resource and is only requested while the browser is online.
 * Every value from the data is put into the page with textContent (never innerHTML).
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("config").textContent);
  const LABELS = ["A+", "A", "B", "C", "D", "E", "F"];
  const DARK_TEXT = new Set(["B", "C", "D"]);
  const BUILDINGS_FROM_ZOOM = 16;
  const f0 = new Intl.NumberFormat("nl-BE", { maximumFractionDigits: 0 });
  const f1 = new Intl.NumberFormat("nl-BE", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const f2 = new Intl.NumberFormat("nl-BE", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const eur = (v) => (v === null || v === undefined ? "–" : "€ " + f0.format(v));
  const pct = (v) => f0.format(100 * v) + "%";
  const $ = (id) => document.getElementById(id);
  const SVG_NS = "http://www.w3.org/2000/svg"; // the SVG namespace of created elements

  /** A DOM element with attributes and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "style") Object.assign(node.style, v);
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  function labelTile(label) {
    return el("span", {
      class: "label",
      style: {
        background: config.label_colours[label] || "#999",
        color: DARK_TEXT.has(label) ? "#000" : "#fff",
      },
    }, label);
  }

  /** Id in a URL path: each segment encoded, the slashes kept (ids hold building/unit). */
  const idPath = (id) => id.split("/").map(encodeURIComponent).join("/");

  async function getJSON(url, options) {
    const response = await fetch(url, options);
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    return { ok: response.ok, status: response.status, body: body };
  }

  function problems(body) {
    return body && Array.isArray(body.detail) ? body.detail : [];
  }

  // ------------------------------------------------------------------------------ the map
  const map = L.map("kaart", { zoomControl: true, preferCanvas: false }).setView([50.85, 4.35], 9);
  const TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  // The page itself sends no Referer (Referrer-Policy: no-referrer, api/http/security.py); the
  // tile requests send the service's origin alone, as the OpenStreetMap tile usage policy asks.
  const TILE_REFERRER = "strict-origin";
  const background = L.tileLayer(TILE_URL, {
    maxZoom: 19,
    attribution: "© OpenStreetMap-bijdragers",
    referrerPolicy: TILE_REFERRER,
  });
  // The background only when one tile can be fetched: offline the page asks at most once (the
  // browser's own offline flag: not at all) instead of for every tile; the neighbourhoods do
  // not need it. The layer control switches it on and off by hand.
  function tryBackground() {
    if (!navigator.onLine || map.hasLayer(background)) return;
    const probe = new Image();
    probe.referrerPolicy = TILE_REFERRER;
    probe.onload = () => background.addTo(map);
    probe.src = L.Util.template(TILE_URL, { z: 0, x: 0, y: 0 });
  }
  tryBackground();
  window.addEventListener("online", tryBackground);
  const layerControl = L.control.layers(null, {
    "achtergrondkaart (OpenStreetMap, enkel online)": background,
  }, { collapsed: false }).addTo(map);

  const indicatorSelect = $("indicator");
  for (const [key, spec] of Object.entries(config.indicators)) {
    indicatorSelect.append(el("option", { value: key }, spec.name));
  }

  function classColour(value, spec) {
    if (value === null || value === undefined || Number.isNaN(value)) return "#cccccc";
    let i = 0;
    while (i < spec.breaks.length && value >= spec.breaks[i]) i += 1;
    return spec.colours[i];
  }

  function indicatorText(value, spec) {
    if (value === null || value === undefined) return "–";
    if (spec.kind === "pct") return pct(value);
    if (spec.kind === "ton") return f1.format(value / 1000);
    return f0.format(value);
  }

  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => el("div", { class: "legende", id: "legende" });
  legend.addTo(map);

  function drawLegend() {
    const spec = config.indicators[indicatorSelect.value];
    const box = $("legende");
    box.replaceChildren(el("strong", {}, spec.name));
    const edges = [null, ...spec.breaks];
    spec.colours.forEach((colour, i) => {
      const text = i === 0
        ? "< " + indicatorText(spec.breaks[0], spec)
        : i === edges.length - 1
          ? "≥ " + indicatorText(edges[i], spec)
          : indicatorText(edges[i], spec) + " – " + indicatorText(spec.breaks[i], spec);
      box.append(el("br"), el("i", { style: { background: colour } }), text);
    });
    if (config.outline_note) box.append(el("br"), el("small", { id: "wijkgrenzen" }, config.outline_note));
  }

  function sectorInfo(p) {
    const box = el("div", {}, el("strong", {}, p.sector_name || p.sector_id));
    box.append(el("br"), f0.format(p.dwellings) + " woningen");
    if (p.outline_source) box.append(el("br"), "wijkgrens: " + p.outline_source);
    for (const [key, spec] of Object.entries(config.indicators)) {
      box.append(el("br"), spec.name + ": " + indicatorText(p[key], spec));
    }
    return box;
  }

  let sectorLayer = null;
  function styleSectors() {
    const spec = config.indicators[indicatorSelect.value];
    sectorLayer.setStyle((f) => ({
      fillColor: classColour(f.properties[indicatorSelect.value], spec),
      fillOpacity: 0.65,
      color: "#333",
      weight: 1.2,
    }));
    drawLegend();
  }

  async function loadSectors() {
    $("kaart-status").textContent = "wijken laden…";
    const res = await getJSON("/api/v1/sectors");
    if (!res.ok) {
      $("kaart-status").textContent = "de wijken konden niet geladen worden";
      return;
    }
    // largest first: where polygons overlap (hulls of the buildings), the small ones stay on top
    const area = (f) => { const b = L.geoJSON(f).getBounds(); return (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()); };
    res.body.features.sort((a, b) => area(b) - area(a));
    sectorLayer = L.geoJSON(res.body, {
      onEachFeature: (f, layer) => layer.bindTooltip(() => sectorInfo(f.properties), { sticky: true }),
    }).addTo(map);
    styleSectors();
    layerControl.addOverlay(sectorLayer, "wijken");
    if (sectorLayer.getBounds().isValid()) map.fitBounds(sectorLayer.getBounds());
    $("kaart-status").textContent = "";
    loadClusters();
    loadHeat();  // independent of the clusters: a failed clusters request does not hide it
  }

  async function loadClusters() {
    const res = await getJSON("/api/v1/clusters?limit=50");
    if (!res.ok) return;
    const layer = L.geoJSON(res.body, {
      style: () => ({ color: "#000", weight: 2, dashArray: "4 3", fill: false }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindPopup(() => el("div", {},
          el("strong", {}, "Cluster " + p.rank + " voor collectieve renovatie"), el("br"),
          (p.sector_name || p.sector_id) + ", bouwjaren " + p.construction_year_min + "–" +
            p.construction_year_max, el("br"),
          f0.format(p.n_dwellings) + " woningen, investering " + eur(p.investment_eur), el("br"),
          "CO2-besparing " + f1.format(p.co2_saved_t_per_year) + " ton per jaar"));
      },
    });
    layerControl.addOverlay(layer, "collectieve renovatie (beste 50)");
  }

  indicatorSelect.addEventListener("change", () => { if (sectorLayer) styleSectors(); });

  // --- the heat plan (wijk warmte): zones coloured by advice, hatched where the advice is
  // uncertain; cabins by their loading on the design day
  const ADVICE_COLOURS = {
    "warmtenet": "#d7301f", "individueel": "#2b8cbe", "hybride": "#7fbc41", "nader onderzoeken": "#bdbdbd",
  };
  const UNCERTAIN_BELOW = 0.8; // advice probability under which a zone is hatched
  const STRATEGY_NL = {
    network: "warmtenet", individual_hp: "individuele warmtepomp", hybrid: "hybride warmtepomp",
    collective_hp: "collectieve warmtepomp",
  };
  function hatchPatterns() {
    // one pattern per advice colour, in an SVG of its own: fill="url(#arcering-N)" finds it
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("width", "0");
    svg.setAttribute("height", "0");
    svg.setAttribute("aria-hidden", "true");
    const defs = document.createElementNS(SVG_NS, "defs");
    Object.values(ADVICE_COLOURS).forEach((colour, i) => {
      const pattern = document.createElementNS(SVG_NS, "pattern");
      pattern.setAttribute("id", "arcering-" + i);
      pattern.setAttribute("patternUnits", "userSpaceOnUse");
      pattern.setAttribute("width", "8");
      pattern.setAttribute("height", "8");
      pattern.setAttribute("patternTransform", "rotate(45)");
      const back = document.createElementNS(SVG_NS, "rect");
      back.setAttribute("width", "8");
      back.setAttribute("height", "8");
      back.setAttribute("fill", colour);
      back.setAttribute("fill-opacity", "0.35");
      const line = document.createElementNS(SVG_NS, "rect");
      line.setAttribute("width", "3");
      line.setAttribute("height", "8");
      line.setAttribute("fill", colour);
      pattern.append(back, line);
      defs.append(pattern);
    });
    svg.append(defs);
    document.body.append(svg);
  }
  function adviceFill(p) {
    const words = Object.keys(ADVICE_COLOURS);
    const i = Math.max(0, words.indexOf(p.advice));
    const uncertain = p.advice_probability === null || p.advice_probability < UNCERTAIN_BELOW;
    return uncertain ? "url(#arcering-" + i + ")" : ADVICE_COLOURS[words[i]];
  }
  function heatInfo(p) {
    const box = el("div", {}, el("strong", {}, "Warmtezone " + p.zone_id + " (" + p.year + ")"));
    box.append(el("br"), f0.format(p.n_dwellings) + " woningen, " + f0.format(p.heat_demand_mwh) +
      " MWh warmte per jaar, " + f0.format(p.heat_density_mwh_ha) + " MWh/ha");
    box.append(el("br"), "advies: " + p.advice + (p.advice_probability === null ? "" : " (kans " + pct(p.advice_probability) + ")") +
      (p.advice_source && p.advice_source !== "model" ? ", " + p.advice_source : ""));
    for (const [key, name] of Object.entries(STRATEGY_NL)) {
      const mid = p["lcoh_" + key + "_p50_eur_mwh"];
      if (mid === null || mid === undefined) continue;
      box.append(el("br"), name + ": " + f0.format(mid) + " €/MWh (" + f0.format(p["lcoh_" + key + "_p10_eur_mwh"]) +
        "–" + f0.format(p["lcoh_" + key + "_p90_eur_mwh"]) + ")");
    }
    if (p.network_area_id) {
      box.append(el("br"), "netgebied " + p.network_area_id + ": " + f0.format(p.network_area_mwh) + " MWh per jaar");
    }
    if (p.source_name) {
      box.append(el("br"), "warmtebron " + p.source_name + " op " + f0.format(p.source_distance_m) +
        " m: transportleiding " + f1.format(p.transmission_eur_mwh) + " €/MWh (in de kost van het warmtenet)");
    }
    box.append(el("br"), "piek warmtepompen op de ontwerpdag: " + f0.format(p.peak_kw) + " kW (bestaande huishoudpiek " +
      f0.format(p.household_peak_kw) + " kW)");
    return box;
  }
  function cabinColour(share) {
    if (share === null || share === undefined) return "#888888";
    return share > 1 ? "#d7301f" : share > 0.8 ? "#fdae61" : "#1a9641";
  }
  let heatLayer = null;
  let cabinLayer = null;
  async function drawHeat(info, year) {
    const layer = info.layers.includes("grid") ? "grid" : info.layers[0];
    const res = await getJSON("/api/v1/warmte/zones?layer=" + layer + "&year=" + year);
    if (!res.ok) return;
    const shown = heatLayer && map.hasLayer(heatLayer);
    if (heatLayer) { layerControl.removeLayer(heatLayer); heatLayer.remove(); }
    heatLayer = L.geoJSON(res.body, {
      style: (f) => ({ fillColor: adviceFill(f.properties), fillOpacity: 0.8, color: "#555", weight: 0.5 }),
      onEachFeature: (f, l) => l.bindTooltip(() => heatInfo(f.properties), { sticky: true }),
    });
    layerControl.addOverlay(heatLayer, "warmtezonering (gearceerd: onzeker advies)");
    if (shown) heatLayer.addTo(map);
    if (!info.cabins) return;
    const cab = await getJSON("/api/v1/warmte/cabines?year=" + year);
    if (!cab.ok) return;
    const cabShown = cabinLayer && map.hasLayer(cabinLayer);
    if (cabinLayer) { layerControl.removeLayer(cabinLayer); cabinLayer.remove(); }
    cabinLayer = L.geoJSON(cab.body, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        radius: 6, color: "#222", weight: 1, fillColor: cabinColour(f.properties.loading_share), fillOpacity: 0.9,
      }),
      onEachFeature: (f, l) => l.bindTooltip(() => el("div", {},
        el("strong", {}, "Cabine " + f.properties.cabin_id + " (" + f.properties.year + ")"), el("br"),
        f0.format(f.properties.peak_kw) + " kW piek voor " + f0.format(f.properties.capacity_kva) + " kVA: " +
          pct(f.properties.loading_share) + (f.properties.overloaded ? ", overbelast" : ""))),
    });
    layerControl.addOverlay(cabinLayer, "cabines (belasting op de ontwerpdag)");
    if (cabShown) cabinLayer.addTo(map);
  }
  // the advice legend, shown while the heat zones are on the map
  const heatLegend = L.control({ position: "bottomleft" });
  heatLegend.onAdd = () => {
    const box = el("div", { class: "legende", id: "legende-warmte" }, el("strong", {}, "Warmtezonering: advies"));
    Object.entries(ADVICE_COLOURS).forEach(([word, colour]) => {
      box.append(el("br"), el("i", { style: { background: colour } }), word);
    });
    box.append(el("br"), "gearceerd: kans onder " + pct(UNCERTAIN_BELOW));
    return box;
  };
  map.on("overlayadd", (e) => { if (e.layer === heatLayer) heatLegend.addTo(map); });
  map.on("overlayremove", (e) => { if (e.layer === heatLayer) heatLegend.remove(); });
  async function loadHeat() {
    const res = await getJSON("/api/v1/warmte");
    if (!res.ok) return; // no heat plan: nothing to show
    hatchPatterns();
    const control = L.control({ position: "topright" });
    control.onAdd = () => {
      const select = el("select", { id: "warmte-jaar", "aria-label": "jaar van het warmteplan" });
      for (const y of res.body.years) select.append(el("option", { value: String(y) }, "warmteplan " + y));
      select.addEventListener("change", () => drawHeat(res.body, select.value));
      L.DomEvent.disableClickPropagation(select);
      return el("div", { class: "leaflet-bar warmte-jaar" }, select);
    };
    control.addTo(map);
    drawHeat(res.body, res.body.years[0]);
  }

  // buildings: only when zoomed in, so a window never holds more than a few thousand
  const buildingLayer = L.geoJSON(null, {
    style: (f) => ({
      fillColor: config.label_colours[f.properties.label] || "#999",
      fillOpacity: 0.8, color: "#222", weight: 0.6,
    }),
    onEachFeature: (f, layer) => layer.on("click", (e) => openBuilding(f.properties, e.latlng)),
  }).addTo(map);
  let buildingRequest = 0;
  async function loadBuildings() {
    const ticket = ++buildingRequest;
    if (map.getZoom() < BUILDINGS_FROM_ZOOM) { buildingLayer.clearLayers(); return; }
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(6));
    const res = await getJSON("/kaart/gebouwen?bbox=" + bbox.join(","));
    if (ticket !== buildingRequest || !res.ok) return;
    buildingLayer.clearLayers();
    buildingLayer.addData(res.body);
    buildingLayer.bringToFront();
  }
  map.on("moveend", loadBuildings);

  function openBuilding(p, latlng) {
    if (p.dwellings.length === 1) { choose(p.dwellings[0]); return; }
    const list = el("ul", { class: "woningen" });
    for (const d of p.dwellings) {
      const button = el("button", { type: "button" }, d.address);
      button.addEventListener("click", () => { map.closePopup(); choose(d); });
      list.append(el("li", {}, button));
    }
    L.popup({ maxHeight: 260 }).setLatLng(latlng)
      .setContent(el("div", {}, el("strong", {}, p.dwellings.length + " woningen"), list))
      .openOn(map);
  }

  let marker = null;
  async function showOnMap(dwellingId) {
    const res = await getJSON("/kaart/gebouwen?woning=" + encodeURIComponent(dwellingId));
    if (!res.ok || !res.body.features.length) return;
    const p = res.body.features[0].properties;
    if (marker) marker.remove();
    marker = L.circleMarker([p.lat, p.lon], { radius: 9, color: "#21466b", weight: 3, fill: false })
      .addTo(map);
    map.setView([p.lat, p.lon], Math.max(map.getZoom(), 18));
  }

  // ------------------------------------------------------------------------------ address search
  const search = $("zoek");
  const list = $("suggesties");
  let hits = [];
  let active = -1;
  let searchTimer = null;
  let searchAbort = null;

  function closeList() {
    list.hidden = true;
    search.setAttribute("aria-expanded", "false");
    search.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function renderList() {
    list.replaceChildren();
    hits.forEach((h, i) => {
      const item = el("li", { role: "option", id: "suggestie-" + i,
        "aria-selected": i === active ? "true" : "false" }, h.address);
      item.addEventListener("mousedown", (e) => { e.preventDefault(); pick(i); });
      list.append(item);
    });
    if (!hits.length) list.append(el("li", { role: "option", "aria-disabled": "true" }, "geen adres gevonden"));
    list.hidden = false;
    search.setAttribute("aria-expanded", "true");
    if (active >= 0) search.setAttribute("aria-activedescendant", "suggestie-" + active);
    else search.removeAttribute("aria-activedescendant");
  }

  async function runSearch(q) {
    if (searchAbort) searchAbort.abort();
    searchAbort = new AbortController();
    try {
      const response = await fetch("/api/v1/addresses?limit=10&q=" + encodeURIComponent(q),
        { signal: searchAbort.signal });
      if (!response.ok) return;
      hits = await response.json();
      active = hits.length ? 0 : -1;
      renderList();
    } catch (e) {
      if (e.name !== "AbortError") throw e;
    }
  }

  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    const q = search.value.trim();
    if (!q) { closeList(); return; }
    searchTimer = setTimeout(() => runSearch(q.slice(0, 100)), 150);
  });
  search.addEventListener("keydown", (e) => {
    if (list.hidden) return;
    if (e.key === "ArrowDown" && hits.length) { active = (active + 1) % hits.length; renderList(); e.preventDefault(); }
    else if (e.key === "ArrowUp" && hits.length) { active = (active - 1 + hits.length) % hits.length; renderList(); e.preventDefault(); }
    else if (e.key === "Enter") { if (active >= 0) pick(active); e.preventDefault(); }
    else if (e.key === "Escape") { closeList(); e.preventDefault(); }
  });
  search.addEventListener("blur", () => setTimeout(closeList, 100));

  function pick(i) {
    const hit = hits[i];
    closeList();
    search.value = hit.address;
    choose(hit);
  }

  // ------------------------------------------------------------------------------ dwelling
  let current = null; // {dwelling_id, address_id, address, card, plan}
  let conversions = null;
  fetch("/static/data/conversions.json").then((r) => r.json()).then((c) => { conversions = c; });
  const gasFactor = () => (conversions ? conversions.gas_kwh_per_m3.value : 10.55);

  const verwarming = $("kenmerk-verwarming");
  for (const h of config.heating_choices) verwarming.append(el("option", { value: String(h.code) }, h.name));
  const inkomen = $("inkomen");
  // the default category is the option's default (``selected``): choosing another address
  // resets the form, and must come back to the same category as the command line and the report
  for (const c of config.income_categories) {
    const attrs = c.id === config.income_default ? { value: c.id, selected: "" } : { value: c.id };
    inkomen.append(el("option", attrs, c.name));
  }
  inkomen.value = config.income_default;

  async function choose(hit) {
    current = { dwelling_id: hit.dwelling_id, address_id: hit.address_id || "", address: hit.address };
    $("kenmerken").reset();
    $("dossier-status").textContent = "";
    $("woning").hidden = false;
    $("woning-adres").textContent = hit.address;
    const res = await getJSON("/api/v1/dwellings/" + idPath(hit.dwelling_id) + "/card");
    if (!res.ok) {
      $("traject-fout").textContent = problems(res.body).map((p) => p.message).join("; ");
      return;
    }
    current.card = res.body;
    renderCard(res.body);
    showOnMap(hit.dwelling_id);
    updateTrajectory();
  }

  function renderCard(card) {
    const dl = $("woningkaart");
    dl.replaceChildren();
    const row = (term, ...value) => dl.append(el("dt", {}, term), el("dd", {}, ...value));
    const f = card.facts;
    const source = (s) => config.sources_nl[s] || s;
    row("type", (config.attachment_nl[card.attachment] || card.attachment) +
      (card.storeys ? ", " + card.storeys + " bouwlagen" : ""));
    row("bouwjaar", String(f.construction_year.value) + " (" + source(f.construction_year.source) + ")");
    row("verwarming", card.heating_system_nl + " (" + source(f.heating_system.source) + ")");
    row("label (schatting)", labelTile(card.current.label),
      " " + f0.format(card.current.energy_score_kwh_m2) + " kWh/m²");
    if (f.epc_label) row("gekend EPC-label", labelTile(String(f.epc_label.value)));
    row("CO2", f1.format(card.current.co2_kg / 1000) + " ton per jaar");
    row("energiefactuur", eur(card.current.energy_cost_eur) + " per jaar");

    const probs = card.current.label_probabilities;
    const bar = el("div", { class: "kansbalk", role: "img",
      "aria-label": "kans per label: " + LABELS.filter((l) => probs[l]).map((l) => l + " " + pct(probs[l])).join(", ") });
    for (const l of LABELS) {
      if (!probs[l]) continue;
      bar.append(el("span", { title: l + ": " + pct(probs[l]), style: {
        width: (100 * probs[l]) + "%", background: config.label_colours[l],
        color: DARK_TEXT.has(l) ? "#000" : "#fff" } }, probs[l] >= 0.12 ? l : ""));
    }
    $("labelkans").replaceChildren(el("small", {}, "zekerheid van het label"), bar);
  }

  // ------------------------------------------------------------------------------ trajectory
  const form = $("kenmerken");
  const errorFor = {
    u_roof_w_m2k: "fout-dak", u_wall_w_m2k: "fout-gevel", heating_system: "fout-verwarming",
    natural_gas: "fout-gasverbruik", measured_kwh: "fout-gasverbruik",
    income_category: "fout-inkomen", budget_eur: "fout-budget",
  };

  function clearErrors() {
    for (const span of form.querySelectorAll(".fout")) span.textContent = "";
    $("traject-fout").textContent = "";
  }

  function showProblems(list) {
    for (const p of list) {
      const key = Object.keys(errorFor).find((k) => String(p.field).includes(k));
      const target = key ? $(errorFor[key]) : $("traject-fout");
      target.textContent = (target.textContent ? target.textContent + "; " : "") + p.message;
    }
  }

  /** The question of the form, or null (with messages shown) when a field is not usable. */
  function question() {
    const overrides = {};
    if ($("kenmerk-dak").checked) overrides.u_roof_w_m2k = 0.24;
    if ($("kenmerk-gevel").checked) overrides.u_wall_w_m2k = 0.35;
    if (verwarming.value !== "") overrides.heating_system = Number(verwarming.value);
    const body = { overrides: overrides, measured_kwh: {}, target_label: "A",
      income_category: $("inkomen").value };
    const local = [];
    const gas = $("gasverbruik");
    if (gas.validity.badInput) local.push({ field: "natural_gas", message: "moet een getal zijn" });
    else if (gas.value !== "") {
      const m3 = Number(gas.value);
      const max = Math.floor(1e6 / gasFactor());
      if (m3 < 0 || m3 > max) local.push({ field: "natural_gas", message: "moet tussen 0 en " + f0.format(max) + " m³ per jaar liggen" });
      else body.measured_kwh.natural_gas = m3 * gasFactor();
    }
    const budget = $("budget");
    if (budget.validity.badInput) local.push({ field: "budget_eur", message: "moet een getal zijn" });
    else if (budget.value !== "") {
      const b = Number(budget.value);
      if (b < 0 || b > 1e7) local.push({ field: "budget_eur", message: "moet tussen 0 en 10.000.000 € liggen" });
      else body.budget_eur = b;
    }
    if (local.length) { showProblems(local); return null; }
    return body;
  }

  function reportLink(body) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(body.overrides)) q.set(k, String(v));
    if (body.measured_kwh.natural_gas !== undefined) q.set("gas_m3", $("gasverbruik").value);
    q.set("income", body.income_category);
    if (body.budget_eur !== undefined) q.set("budget", String(body.budget_eur));
    return "/rapport/woning/" + idPath(current.dwelling_id) + "?" + q.toString();
  }

  let trajectoryRequest = 0;
  let trajectoryTimer = null;
  async function updateTrajectory() {
    if (!current) return;
    clearErrors();
    const body = question();
    if (!body) return;
    const ticket = ++trajectoryRequest;
    const res = await getJSON("/api/v1/dwellings/" + idPath(current.dwelling_id) + "/trajectory", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (ticket !== trajectoryRequest) return; // a newer question is on its way
    if (!res.ok) { showProblems(problems(res.body)); return; }
    current.body = body;
    current.plan = res.body;
    renderPlan(res.body);
    $("rapport-link").href = reportLink(body);
  }
  form.addEventListener("change", () => { clearTimeout(trajectoryTimer); updateTrajectory(); });
  form.addEventListener("input", () => {
    clearTimeout(trajectoryTimer);
    trajectoryTimer = setTimeout(updateTrajectory, 400);
  });

  function renderPlan(plan) {
    const tbody = $("stappen").querySelector("tbody");
    tbody.replaceChildren();
    for (const s of plan.steps) {
      const first = s.step === 0;
      tbody.append(el("tr", {},
        el("td", {}, first ? "–" : String(s.step)),
        el("td", {}, s.measure_nl),
        el("td", { class: "n" }, first ? "" : eur(s.investment_eur)),
        el("td", { class: "n" }, first ? "" : eur(s.premium_eur)),
        el("td", { class: "n" }, first ? "" : eur(s.net_cost_eur)),
        el("td", { class: "n" }, first ? "" : eur(s.saving_eur)),
        el("td", {}, labelTile(s.label)),
        el("td", { class: "n" }, s.co2_kg === null ? "–" : f0.format(s.co2_kg)),
        el("td", { class: "n" },
          first || s.simple_payback_years === null ? "–" : f1.format(s.simple_payback_years))));
    }
    drawChart(plan.steps);
    const names = {};
    for (const s of plan.steps) if (s.measure) names[s.measure] = s.measure_nl;
    const keuzes = $("keuzes");
    keuzes.replaceChildren();
    const option = (title, o) => {
      if (o === undefined) return;
      keuzes.append(el("strong", {}, title + ": "));
      if (o === null) keuzes.append("niet haalbaar met deze maatregelen", el("br"));
      else keuzes.append(o.measures.map((m) => names[m] || m).join(", ") + " — netto " +
        eur(o.net_cost_eur) + ", label ", labelTile(o.label), el("br"));
    };
    option("Goedkoopste weg naar label " + plan.target_label, plan.options.cheapest_to_target);
    option("Minste CO2 binnen het budget", plan.options.best_within_budget);
    const c = plan.calibration;
    $("kalibratie").textContent = !c ? "" : c.calibrated
      ? "Verwacht verbruik afgestemd op het gemeten verbruik: " + f2.format(c.use_factor) +
        " keer een gemiddeld huishouden in deze woning (het EPC-label blijft dat van de standaardberekening)."
      : "Gemeten verbruik niet gebruikt: " + c.reason_nl + ".";
  }

  /** Cumulative net cost per step (bars) with the label after the step on top; plain SVG. */
  function drawChart(steps) {
    const NS = SVG_NS;
    const W = 460, H = 220, left = 64, right = 8, top = 26, bottom = 28;
    const svgEl = (tag, attrs, text) => {
      const n = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
      if (text !== undefined) n.textContent = text;
      return n;
    };
    let sum = 0;
    const cum = steps.map((s) => (sum += s.net_cost_eur || 0));
    const peak = Math.max(1, ...cum);
    const raw = peak / 4;
    const pow = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * pow).find((v) => v >= raw);
    const ymax = step * Math.max(1, Math.ceil(peak / step));
    const ph = H - top - bottom, band = (W - left - right) / steps.length;
    const bar = Math.min(40, band * 0.6);
    const y = (v) => top + ph * (1 - v / ymax);
    const svg = svgEl("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
      "aria-label": "Netto kost opgeteld per stap, met het label na elke stap" });
    for (let t = 0; t <= ymax + 1e-9; t += step) {
      svg.append(svgEl("line", { x1: left, x2: W - right, y1: y(t), y2: y(t), stroke: "#ddd" }));
      svg.append(svgEl("text", { x: left - 5, y: y(t) + 4, "font-size": 11, "text-anchor": "end" }, "€ " + f0.format(t)));
    }
    steps.forEach((s, i) => {
      const cx = left + band * (i + 0.5);
      const g = svgEl("g", {});
      g.append(svgEl("title", {}, s.measure_nl + ": netto samen " + eur(cum[i]) + ", label " + s.label));
      g.append(svgEl("rect", { x: cx - bar / 2, y: y(cum[i]), width: bar, height: Math.max(0, y(0) - y(cum[i])), fill: "#5b7fa6" }));
      g.append(svgEl("rect", { x: cx - 13, y: y(cum[i]) - 21, width: 26, height: 17, rx: 3, fill: config.label_colours[s.label] || "#999" }));
      g.append(svgEl("text", { x: cx, y: y(cum[i]) - 8, "font-size": 12, "font-weight": 700, "text-anchor": "middle",
        fill: DARK_TEXT.has(s.label) ? "#000" : "#fff" }, s.label));
      g.append(svgEl("text", { x: cx, y: H - bottom + 16, "font-size": 11, "text-anchor": "middle" }, s.step === 0 ? "nu" : "stap " + s.step));
      svg.append(g);
    });
    svg.append(svgEl("line", { x1: left, x2: W - right, y1: y(0), y2: y(0), stroke: "#555" }));
    svg.append(svgEl("text", { x: left, y: 13, "font-size": 11 }, "netto kost, opgeteld (€); bovenaan: label na de stap"));
    $("grafiek").replaceChildren(svg);
  }

  // ------------------------------------------------------------------------------ dossier
  const token = $("token");
  token.value = sessionStorage.getItem("wijk-token") || "";
  token.addEventListener("input", () => sessionStorage.setItem("wijk-token", token.value.trim()));

  $("dossier").addEventListener("submit", async (e) => {
    e.preventDefault();
    const status = $("dossier-status");
    if (!current || !current.plan) { status.textContent = "Kies eerst een woning."; return; }
    if (!token.value.trim()) { status.textContent = "Vul eerst een token in."; return; }
    const overrides = Object.assign({}, current.body.overrides);
    if (current.body.measured_kwh.natural_gas !== undefined) {
      overrides.gas_kwh = Math.round(current.body.measured_kwh.natural_gas);
    }
    const body = {
      municipality_nis: current.card.municipality_nis,
      dwelling_id: current.dwelling_id,
      address_id: current.address_id,
      address_text: current.address,
      overrides: overrides,
      chosen_steps: current.plan.steps.filter((s) => s.measure).map((s) => s.measure),
      notes: $("notities").value,
      klimaattafel_date: $("klimaattafel-datum").value || null,
    };
    status.textContent = "bezig met opslaan…";
    try {
      const res = await getJSON("/api/v1/dossiers", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + token.value.trim() },
        body: JSON.stringify(body),
      });
      status.textContent = res.ok
        ? "opgeslagen (dossier " + res.body.id + ")"
        : "niet opgeslagen: " + (problems(res.body).map((p) => p.message).join("; ") || "fout " + res.status);
    } catch (err) {
      status.textContent = "niet opgeslagen: geen verbinding met de dienst";
    }
  });

  loadSectors();
})();
