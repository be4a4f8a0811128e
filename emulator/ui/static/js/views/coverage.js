// Contract coverage (GET /_emulator/coverage): what the tests so far exercised of each vendor's
// behaviour, and what they never did: operations, statuses, transitions, outcomes, webhooks.
import { api } from "../api.js";
import { coalesce, h, replace, vendorBadge } from "../dom.js";
import * as live from "../live.js";

const KIND_TITLES = {
  operations: "Operations answered 2xx",
  answers: "Error answers",
  statuses: "Statuses entered",
  transitions: "Transitions taken",
  outcomes: "Outcomes reached",
  webhooks: "Webhook events delivered",
  deliveries: "Delivery paths",
  inbound: "Inbound faxes",
  rules: "Scenario rules that acted",
};

function meter(percent, label) {
  return h("div", { class: "meter", role: "meter", "aria-valuemin": "0", "aria-valuemax": "100",
    "aria-valuenow": String(percent), "aria-label": label },
  h("span", { style: `width: ${Math.max(0, Math.min(100, percent))}%` }));
}

function kindRow(kind, entry) {
  const items = entry.items.map((item) => h("span", {
    class: `pill ${item.count ? "ok" : item.extra ? "warn" : ""}`,
    title: item.count ? `${item.count} time${item.count === 1 ? "" : "s"}` : "never",
  }, item.item));
  const ratio = entry.total ? `${entry.covered} / ${entry.total}` : `${items.length} seen`;
  return h("tr", {},
    h("th", { scope: "row" }, KIND_TITLES[kind] || kind, entry.counted ? null : h("div", { class: "id" }, "not counted")),
    h("td", { class: "mono" }, ratio),
    h("td", {}, items.length ? h("div", { class: "pills" }, items) : h("span", { class: "muted" }, "—")));
}

function vendorPanel(vendor) {
  const kinds = Object.entries(vendor.kinds).filter(([, entry]) => entry.total || entry.items.length);
  return h("section", { class: "panel coverage", "aria-label": `${vendor.title} coverage` },
    h("div", { class: "page-head" }, vendorBadge(vendor.vendor, vendor.title),
      h("strong", {}, `${vendor.percent}%`),
      h("span", { class: "muted" }, `${vendor.covered} of ${vendor.total} counted items`),
      meter(vendor.percent, `${vendor.title}: ${vendor.percent}% covered`)),
    h("div", { class: "table-wrap" }, h("table", { "aria-label": `${vendor.title}: covered and not covered` },
      h("tbody", {}, kinds.map(([kind, entry]) => kindRow(kind, entry))))));
}

export function render(main, { toast }) {
  let alive = true;
  const summary = h("span", { class: "muted" });
  const body = h("div", {});
  main.append(h("div", { class: "page-head" }, h("h1", {}, "Contract coverage"), summary), body);

  async function load() {
    const found = await api("/coverage");
    if (!alive) return;
    summary.textContent = `${found.percent}% overall: ${found.covered} of ${found.total} counted items `
      + `(${found.counted.join(", ")}) since start or reset`;
    replace(body, found.vendors.map(vendorPanel));
  }

  const refresh = coalesce(async () => {
    if (!alive) return;
    try { await load(); } catch (error) { toast(error.message, true); }
  }, 500);
  const unsubscribe = ["fax", "request", "webhook", "reset", "dropped"].map((type) => live.on(type, refresh));
  unsubscribe.push(live.poll(refresh));
  refresh();
  return () => { alive = false; unsubscribe.forEach((fn) => fn()); };
}
