// Contract violations (GET /_emulator/violations): requests that broke a vendor's documented
// contract, and (strict mode) answers of the emulator's own that did.
import { api } from "../api.js";
import { coalesce, emptyState, h, replace, vendorBadge, when } from "../dom.js";
import * as live from "../live.js";

export function render(main, { toast }) {
  let alive = true;
  const summary = h("span", { class: "muted" });
  const list = h("div", { class: "table-wrap" });
  const clear = h("button", { type: "button", onclick: async () => {
    try { await api("/violations", { method: "DELETE" }); refresh(); } catch (error) { toast(error.message, true); }
  } }, "Clear");
  main.append(h("div", { class: "page-head" }, h("h1", {}, "Contract violations"), summary, h("span", { class: "spacer" }), clear),
    h("div", { class: "panel" }, list));

  async function load() {
    const body = await api("/violations", { query: { limit: 1000 } });
    if (!alive) return;
    summary.textContent = `${body.total.toLocaleString()} · ${body.strict ? "strict mode" : "requests only"}`;
    const rows = body.violations.slice().reverse();
    replace(list, rows.length ? h("table", { "aria-label": "Contract violations, newest first" },
      h("thead", {}, h("tr", {}, h("th", {}, "Time"), h("th", {}, "Severity"), h("th", {}, "Kind"), h("th", {}, "Vendor"),
        h("th", {}, "Operation"), h("th", { class: "hide-narrow" }, "Tenant"), h("th", {}, "Where"), h("th", {}, "Message"))),
      h("tbody", {}, rows.map((v) => h("tr", {},
        h("td", { class: "time" }, when(v.at)),
        h("td", {}, h("span", { class: `pill ${v.severity === "error" ? "bad" : "warn"}` }, v.severity)),
        h("td", {}, v.kind),
        h("td", {}, v.vendor ? vendorBadge(v.vendor) : "—"),
        h("td", {}, v.operation || "—"),
        h("td", { class: "mono hide-narrow" }, v.tenant || "—"),
        h("td", { class: "mono" }, `${v.method || ""} ${v.path || ""}`, v.location ? h("div", { class: "id" }, v.location) : null),
        h("td", {}, v.message)))))
      : emptyState("No violations", "Every request so far kept the vendors' documented contracts."));
  }

  const refresh = coalesce(async () => {
    if (!alive) return;
    try { await load(); } catch (error) { toast(error.message, true); }
  }, 400);
  const unsubscribe = [live.on("violation", refresh), live.on("reset", refresh), live.on("dropped", refresh), live.poll(refresh)];
  refresh();
  return () => { alive = false; unsubscribe.forEach((fn) => fn()); };
}
