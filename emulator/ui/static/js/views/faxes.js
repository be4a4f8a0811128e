// The fax list: every fax of every vendor and tenant, newest first, paged from the server
// (GET /_emulator/faxes?order=newest&view=summary), kept up to date from the event stream.
import { api, vendorTitles } from "../api.js";
import { coalesce, emptyState, h, replace, route, statusPill, vendorBadge, when } from "../dom.js";
import * as live from "../live.js";
import { setQuery } from "../main.js";

const PAGE = 100;
const FILTERS = ["vendor", "tenant", "direction", "status"];
const LABELS = { vendor: "All vendors", tenant: "All tenants", direction: "Both directions", status: "Any status" };

export function render(main, { query, toast }) {
  const state = { offset: Number(query.get("offset")) || 0, q: query.get("q") || "", total: 0, facets: null };
  for (const name of FILTERS) state[name] = query.get(name) || "";
  let titles = {};
  const rows = new Map();  // fax id -> its <tr>

  const selects = Object.fromEntries(FILTERS.map((name) => [name, h("select", {
    "aria-label": LABELS[name], dataset: { filter: name },
    onchange: (event) => { state[name] = event.target.value; state.offset = 0; reload(); },
  })]));
  const search = h("input", {
    type: "search", placeholder: "Search number or fax id   ( / )", "aria-label": "Search by number or fax id",
    value: state.q, dataset: { search: "" }, autocomplete: "off",
  });
  let typing = null;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.q = search.value.trim(); state.offset = 0; reload(); }, 200);
  });
  const summary = h("span", { class: "muted", "aria-live": "polite" });
  const newer = h("button", { type: "button", onclick: () => { state.offset = Math.max(0, state.offset - PAGE); reload(true); } }, "← Newer");
  const older = h("button", { type: "button", onclick: () => { state.offset += PAGE; reload(true); } }, "Older →");
  const tbody = h("tbody");
  const table = h("table", { class: "faxes", "aria-label": "Faxes, newest first" },
    h("thead", {}, h("tr", {},
      h("th", {}, "Vendor"), h("th", {}, "Tenant"), h("th", { class: "hide-narrow" }, "Dir"),
      h("th", {}, "From → To"), h("th", {}, "Status"), h("th", { class: "hide-narrow" }, "Outcome"),
      h("th", { class: "num hide-narrow" }, "Pages"), h("th", {}, "Submitted"), h("th", { class: "hide-narrow" }, "Ended"))),
    tbody);
  const body = h("div", { class: "table-wrap" }, table);

  main.append(
    h("div", { class: "page-head" }, h("h1", {}, "Faxes"), summary),
    h("div", { class: "filters", role: "search" },
      h("div", { class: "search" },
        h("svg", { viewBox: "0 0 24 24", width: 15, height: 15, "aria-hidden": "true" }), search),
      ...FILTERS.map((name) => selects[name]),
      h("div", { class: "pager" }, newer, older)),
    h("div", { class: "panel" }, body));
  // the search icon (an SVG needs its namespace)
  main.querySelector(".search svg").outerHTML =
    '<svg viewBox="0 0 24 24" width="15" height="15" aria-hidden="true"><path fill="currentColor" d="M10 3a7 7 0 0 1 5.6 11.2l4.6 4.6-1.4 1.4-4.6-4.6A7 7 0 1 1 10 3Zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10Z"/></svg>';

  function fillSelect(name) {
    const select = selects[name];
    const counts = state.facets?.[name] || {};
    const values = Object.keys(counts).sort();
    if (state[name] && !values.includes(state[name])) values.unshift(state[name]);
    replace(select, h("option", { value: "" }, LABELS[name]),
      values.map((v) => h("option", { value: v, selected: v === state[name] },
        `${name === "vendor" ? titles[v] || v : v}${counts[v] !== undefined ? ` (${counts[v]})` : ""}`)));
  }

  function row(fax) {
    const link = h("a", { href: `#/fax/${encodeURIComponent(fax.id)}`, class: "rowlink", dataset: { faxLink: fax.id } },
      route(fax.from, fax.to));
    const tr = h("tr", { class: "row", dataset: { faxId: fax.id } },
      h("td", { class: "c-vendor" }, vendorBadge(fax.vendor, titles[fax.vendor])),
      h("td", { class: "mono c-tenant", title: fax.tenant }, fax.tenant),
      h("td", { class: "dir hide-narrow" }, fax.direction === "inbound" ? "↙ in" : "↗ out"),
      h("td", { class: "c-route" }, link, h("div", { class: "id" }, fax.id)),
      h("td", { class: "c-status", dataset: { col: "status" } }, statusPill(fax)),
      h("td", { class: "hide-narrow", dataset: { col: "outcome" } }, fax.outcome || h("span", { class: "muted" }, "—")),
      h("td", { class: "num hide-narrow", dataset: { col: "pages" } }, fax.pages_sent && fax.pages_sent !== fax.pages ? `${fax.pages_sent}/${fax.pages}` : fax.pages),
      h("td", { class: "time c-submitted" }, when(fax.created_at)),
      h("td", { class: "time hide-narrow", dataset: { col: "ended" } }, when(fax.ended_at)));
    tr.addEventListener("click", (event) => { if (!event.target.closest("a")) link.click(); });
    return tr;
  }

  function show(list) {
    rows.clear();
    if (!list.length) {
      const filtered = state.q || FILTERS.some((n) => state[n]);
      body.replaceChildren(emptyState(filtered ? "No fax matches" : "No faxes yet",
        filtered ? "Change the filters or the search." : "Send one through a vendor API, or from Send inbound."));
      return;
    }
    body.replaceChildren(table);
    replace(tbody, list.map((fax) => { const tr = row(fax); rows.set(fax.id, tr); return tr; }));
  }

  async function load() {
    const query = { order: "newest", view: "summary", limit: PAGE, offset: state.offset, q: state.q, facets: 1 };
    for (const name of FILTERS) query[name] = state[name];
    const page = await api("/faxes", { query });
    state.total = page.total;
    state.facets = page.facets;
    for (const name of FILTERS) fillSelect(name);
    const first = page.total ? state.offset + 1 : 0;
    summary.textContent = `${first.toLocaleString()}–${(state.offset + page.faxes.length).toLocaleString()} of ${page.total.toLocaleString()}`;
    newer.disabled = state.offset === 0;
    older.disabled = state.offset + PAGE >= page.total;
    show(page.faxes);
  }

  let alive = true;
  const refresh = coalesce(async () => {
    if (!alive) return;
    try { await load(); } catch (error) { toast(error.message, true); }
  }, 300);

  function reload(keepFocus) {
    const params = { q: state.q, offset: state.offset || "" };
    for (const name of FILTERS) params[name] = state[name];
    setQuery(params);
    refresh();
    if (keepFocus !== true) return;
  }

  /** A fax event: patch its row in place if it is shown, else re-read the page if it may join it. */
  function onFax(data) {
    const id = data?.fax_id ?? data?.id;
    const tr = rows.get(id);
    if (tr && data.status !== undefined) {
      const fax = { ...data, status: data.vendor_status ?? data.status };
      tr.querySelector('[data-col="status"]').replaceChildren(statusPill(fax));
      tr.querySelector('[data-col="outcome"]').replaceChildren(fax.outcome || h("span", { class: "muted" }, "—"));
      tr.querySelector('[data-col="ended"]').textContent = when(fax.ended_at);
      tr.classList.remove("flash");
      void tr.offsetWidth;  // restart the highlight
      tr.classList.add("flash");
      if (FILTERS.some((n) => state[n])) refresh();  // it may have left the filter (its status changed)
      return;
    }
    if (state.offset === 0 || !tr) refresh();
  }

  // keyboard: arrows move between rows, Enter opens (the row's link)
  tbody.addEventListener("keydown", (event) => {
    if (!["ArrowDown", "ArrowUp", "j", "k"].includes(event.key)) return;
    const links = [...tbody.querySelectorAll("a.rowlink")];
    const index = links.indexOf(document.activeElement);
    const next = event.key === "ArrowDown" || event.key === "j" ? index + 1 : index - 1;
    if (next >= 0 && next < links.length) { event.preventDefault(); links[next].focus(); }
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") { event.preventDefault(); tbody.querySelector("a.rowlink")?.focus(); }
  });

  const unsubscribe = [
    live.on("fax", onFax), live.on("reset", refresh), live.on("dropped", refresh), live.poll(refresh),
  ];
  vendorTitles().then((t) => { titles = t; refresh(); }).catch(() => refresh());
  return () => { alive = false; unsubscribe.forEach((fn) => fn()); };
}
