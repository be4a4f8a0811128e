// The request journal (GET /_emulator/requests), newest first; one entry opens with its
// headers and bodies (GET /_emulator/requests/{seq}).
import { api, vendorTitles } from "../api.js";
import { bodyBlock, coalesce, emptyState, h, isoOf, replace, statusCode, vendorBadge, when } from "../dom.js";
import * as live from "../live.js";

const LIMIT = 500;

export function render(main, { match, query, toast }) {
  let selected = match[1] ? Number(match[1]) : null;
  let vendor = query.get("vendor") || "";
  let titles = {};
  let alive = true;
  const summary = h("span", { class: "muted" });
  const vendorSelect = h("select", { "aria-label": "Vendor", onchange: (e) => { vendor = e.target.value; refresh(); } });
  const list = h("div", { class: "table-wrap" });
  const detail = h("div", { class: "panel panel-pad detail-sticky", "aria-live": "polite" });
  main.append(
    h("div", { class: "page-head" }, h("h1", {}, "Requests"), summary, h("span", { class: "spacer" }), vendorSelect),
    h("div", { class: "split" }, h("div", { class: "panel" }, list), detail));

  function table(entries) {
    const tbody = h("tbody", {}, entries.map((r) => {
      const link = h("a", { href: `#/requests/${r.seq}`, class: "rowlink mono" }, r.path + (r.query ? `?${r.query}` : ""));
      const tr = h("tr", { class: `row${r.seq === selected ? " selected" : ""}`, dataset: { seq: r.seq } },
        h("td", { class: "time", title: when(isoOf(r.time)) }, when(isoOf(r.time)).slice(11)),
        h("td", { class: "method" }, r.method),
        h("td", { class: "path" }, link),
        h("td", {}, statusCode(r.status)),
        h("td", { class: "hide-narrow" }, r.operation || "—",
          r.rule ? h("span", { class: "sub", title: r.fault || "" }, `rule: ${r.rule}`) : null),
        h("td", { class: "hide-narrow" }, r.vendor ? vendorBadge(r.vendor, titles[r.vendor]) : "—",
          r.tenant ? h("span", { class: "sub" }, r.tenant) : null),
        h("td", { class: "num" }, r.duration_ms));
      tr.addEventListener("click", (event) => { if (!event.target.closest("a")) link.click(); });
      return tr;
    }));
    tbody.addEventListener("keydown", (event) => {
      if (!["ArrowDown", "ArrowUp"].includes(event.key)) return;
      const links = [...tbody.querySelectorAll("a.rowlink")];
      const next = links.indexOf(document.activeElement) + (event.key === "ArrowDown" ? 1 : -1);
      if (next >= 0 && next < links.length) { event.preventDefault(); links[next].focus(); }
    });
    return h("table", { "aria-label": "Requests, newest first" },
      h("thead", {}, h("tr", {}, h("th", {}, "Time"), h("th", {}, "Method"), h("th", {}, "Path"), h("th", {}, "Status"),
        h("th", { class: "hide-narrow" }, "Operation"), h("th", { class: "hide-narrow" }, "Vendor / tenant"),
        h("th", { class: "num" }, "ms"))),
      tbody);
  }

  function headers(pairs) {
    if (!pairs.length) return h("p", { class: "muted" }, "(no headers)");
    return h("table", { class: "headers" }, h("tbody", {}, pairs.map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", {}, v)))));
  }

  function part(title, side) {
    return h("section", {}, h("h2", {}, title),
      headers(side.headers),
      side.headers_truncated ? h("p", { class: "muted" }, `Headers cut to those that fit (${side.headers_dropped.toLocaleString()} of ${side.headers_size.toLocaleString()} bytes not kept).`) : null,
      side.truncated ? h("p", { class: "muted" }, `Body cut to its first bytes (${side.dropped.toLocaleString()} of ${side.size.toLocaleString()} bytes not kept).`) : null,
      bodyBlock(side.body, `${title} body`));
  }

  async function showDetail() {
    if (selected === null) {
      replace(detail, emptyState("Open a request", "Its headers and bodies, and its answer's, show here."));
      return;
    }
    try {
      const r = await api(`/requests/${selected}`);
      replace(detail, h("div", { class: "stack" },
        h("div", {}, h("h2", {}, h("span", { class: "method" }, r.method), " ", h("span", { class: "mono" }, r.path)),
          h("p", { class: "muted" }, statusCode(r.status), ` · ${r.operation || "no operation"} · ${r.tenant || "no tenant"} · ${r.duration_ms} ms · ${when(isoOf(r.time))}`,
            r.rule ? ` · rule ${r.rule}${r.fault ? ` (${r.fault})` : ""}` : "",
            r.fax_ids.length ? [" · fax ", r.fax_ids.map((f) => h("a", { href: `#/fax/${encodeURIComponent(f)}` }, f))] : "")),
        part("Request", r.request), part("Response", r.response)));
    } catch (error) {
      replace(detail, emptyState("Not in the journal", error.message));
    }
  }

  async function load() {
    const [body, vendors] = await Promise.all([api("/requests", { query: { vendor, limit: LIMIT } }), vendorTitles()]);
    if (!alive) return;
    titles = vendors;
    replace(vendorSelect, h("option", { value: "" }, "All vendors"),
      Object.entries(titles).map(([name, title]) => h("option", { value: name, selected: name === vendor }, title)));
    const entries = body.requests.slice().reverse();
    summary.textContent = `${entries.length.toLocaleString()} shown (the journal keeps the last ${body.capacity.toLocaleString()})`;
    replace(list, entries.length ? table(entries) : emptyState("No requests yet", "Vendor API calls show here as they arrive."));
  }

  const refresh = coalesce(async () => {
    if (!alive) return;
    try { await load(); } catch (error) { toast(error.message, true); }
  }, 400);
  const unsubscribe = [live.on("request", refresh), live.on("reset", refresh), live.on("dropped", refresh), live.poll(refresh)];
  refresh();
  showDetail();
  return {
    cleanup: () => { alive = false; unsubscribe.forEach((fn) => fn()); },
    update: (next) => {
      selected = next[1] ? Number(next[1]) : null;
      for (const tr of list.querySelectorAll("tr.row")) tr.classList.toggle("selected", Number(tr.dataset.seq) === selected);
      showDetail();
    },
  };
}
