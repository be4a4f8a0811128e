// One fax: its pages as printed, its timeline, the vendor's own JSON, its webhooks and the
// requests that touched it. Reads GET /_emulator/faxes/{id}, /webhooks?fax_id=, /requests?fax_id=.
import { api, vendorTitles } from "../api.js";
import { bodyBlock, coalesce, emptyState, h, isoOf, jsonBlock, replace, route, statusCode, statusPill,
  vendorBadge, when } from "../dom.js";
import * as live from "../live.js";

const TABS = [["vendor", "Vendor JSON"], ["webhooks", "Webhooks"], ["requests", "Requests"], ["neutral", "Neutral JSON"]];

export function render(main, { match, toast }) {
  const id = decodeURIComponent(match[1]);
  const base = `/_emulator/faxes/${encodeURIComponent(id)}`;
  let titles = {};
  let selected = "vendor";
  let alive = true;
  const head = h("div", { class: "panel panel-pad" }, h("p", { class: "muted" }, "Loading…"));
  const pages = h("div");
  const timeline = h("div");
  const tablist = h("div", { class: "subtabs", role: "tablist", "aria-label": "Fax details" });
  const panel = h("div", { class: "tabpanel", role: "tabpanel", tabindex: "0" });
  const viewer = h("dialog", { class: "viewer", "aria-label": "Page" });
  main.append(
    h("div", { class: "page-head" }, h("a", { href: "#/" }, "← All faxes")),
    h("div", { class: "stack" },
      head,
      h("div", { class: "grid2" },
        h("section", { class: "panel panel-pad", "aria-labelledby": "pages-title" }, h("h2", { id: "pages-title" }, "Pages"), pages),
        h("section", { class: "panel panel-pad", "aria-labelledby": "timeline-title" }, h("h2", { id: "timeline-title" }, "Status timeline"), timeline)),
      h("section", { class: "panel", "aria-label": "Details" }, tablist, panel)),
    viewer);

  const data = { fax: null, deliveries: [], requests: [] };
  let pagesShown = null;

  function showHead(fax) {
    replace(head,
      h("div", { class: "fax-head" },
        h("div", {}, h("h1", {}, route(fax.from, fax.to)), h("div", { class: "id" }, fax.id,
          fax.aliases?.length ? ` (also ${fax.aliases.join(", ")})` : "")),
        h("div", { style: "margin-left:auto; display:flex; gap:8px; align-items:center; flex-wrap:wrap" },
          vendorBadge(fax.vendor, titles[fax.vendor]), h("span", { "data-testid": "fax-status" }, statusPill(fax)),
          h("a", { class: "button", href: `${base}/document.pdf`, download: "" }, "PDF"),
          h("a", { class: "button", href: `${base}/document.tiff`, download: "" }, "TIFF"))),
      h("dl", { class: "facts" },
        fact("Tenant", h("span", { class: "mono" }, fax.tenant)),
        fact("Direction", fax.direction),
        fact("Outcome", fax.outcome || "—"),
        fact("Pages", fax.terminal ? `${fax.pages_sent} of ${fax.pages} sent` : String(fax.pages)),
        fact("Attempts", `${fax.attempts} of ${fax.max_attempts}`),
        fact("Submitted", when(fax.created_at)),
        fact("Ended", when(fax.ended_at)),
        fact("Rule", fax.rule || "—")));
  }

  function showPages(fax) {
    const count = fax.pages || 0;
    if (pagesShown === count) return;  // keep loaded images across live updates
    pagesShown = count;
    if (!count) { replace(pages, emptyState("No pages", "This fax has no document.")); return; }
    const list = [];
    for (let n = 1; n <= count; n += 1) {
      const img = h("img", { src: `${base}/pages/${n}.png?size=thumb`, alt: `Page ${n}`, loading: "lazy", width: 130, height: 168 });
      const button = h("button", { type: "button", class: "thumb", "aria-label": `Page ${n} of ${count}, full size`,
        onclick: () => openPage(n, count) }, img, h("span", {}, `${n} / ${count}`));
      img.addEventListener("error", () => img.replaceWith(h("div", { class: "placeholder" }, "No rendered page")), { once: true });
      list.push(button);
    }
    replace(pages, h("div", { class: "thumbs" }, list));
  }

  function openPage(n, count) {
    const img = h("img", { src: `${base}/pages/${n}.png`, alt: `Page ${n} of ${count}` });
    img.addEventListener("error", () => img.replaceWith(h("div", { class: "empty" }, "No rendered page")), { once: true });
    replace(viewer, h("div", { class: "viewer-inner" },
      h("div", { class: "viewer-bar" },
        h("button", { type: "button", disabled: n <= 1, onclick: () => openPage(n - 1, count) }, "← Previous"),
        h("span", {}, `Page ${n} of ${count}`),
        h("button", { type: "button", disabled: n >= count, onclick: () => openPage(n + 1, count) }, "Next →"),
        h("span", { class: "spacer" }),
        h("a", { class: "button", href: `${base}/pages/${n}.png`, target: "_blank", rel: "noopener" }, "Open"),
        h("button", { type: "button", onclick: () => viewer.close(), autofocus: true }, "Close")),
      img));
    if (!viewer.open) viewer.showModal();
  }

  function showTimeline(fax) {
    const steps = fax.timeline || fax.history || [];
    if (!steps.length) { replace(timeline, emptyState("No transitions yet", "")); return; }
    replace(timeline, h("ol", { class: "timeline" }, steps.map((step) => h("li", {},
      h("time", { class: "when", datetime: step.at }, when(step.at)),
      h("div", { class: "what" },
        h("strong", {}, step.status),
        step.attempt ? h("span", { class: "tag" }, `attempt ${step.attempt}`) : null,
        step.outcome ? h("span", { class: `pill ${step.outcome === "success" ? "ok" : step.outcome === "partial" ? "warn" : "bad"}` }, step.outcome) : null,
        step.cause ? h("span", { class: "tag", title: "vendor cause" }, `cause ${step.cause}`) : null,
        step.rule ? h("span", { class: "tag", title: "decided by" }, step.rule) : null)))));
  }

  function showTabs() {
    const counts = { webhooks: data.deliveries.length, requests: data.requests.length };
    replace(tablist, TABS.map(([key, label]) => h("button", {
      type: "button", role: "tab", id: `tab-${key}`, "aria-selected": String(key === selected),
      tabindex: key === selected ? "0" : "-1", "aria-controls": "fax-tabpanel",
      onclick: () => { selected = key; showTabs(); },
    }, label, counts[key] !== undefined ? ` (${counts[key]})` : "")));
    panel.id = "fax-tabpanel";
    panel.setAttribute("aria-labelledby", `tab-${selected}`);
    if (selected === "vendor") {
      replace(panel, data.fax?.vendor_view !== undefined
        ? [h("p", { class: "muted" }, `What ${titles[data.fax.vendor] || data.fax.vendor}'s API answers for this fax.`),
          jsonBlock(data.fax.vendor_view, "Vendor JSON")]
        : emptyState("No vendor view", ""));
    } else if (selected === "neutral") {
      const { vendor_view: _, ...neutral } = data.fax || {};
      replace(panel, jsonBlock(neutral, "Neutral JSON"));
    } else if (selected === "webhooks") {
      replace(panel, data.deliveries.length ? data.deliveries.slice().reverse().map(delivery)
        : emptyState("No webhooks", "None was sent for this fax (no callback URL, or not yet)."));
    } else {
      replace(panel, data.requests.length ? requestTable(data.requests)
        : emptyState("No requests", "No request named this fax."));
    }
  }

  tablist.addEventListener("keydown", (event) => {
    const keys = TABS.map(([k]) => k);
    const index = keys.indexOf(selected);
    let next = null;
    if (event.key === "ArrowRight") next = (index + 1) % keys.length;
    if (event.key === "ArrowLeft") next = (index - 1 + keys.length) % keys.length;
    if (event.key === "Home") next = 0;
    if (event.key === "End") next = keys.length - 1;
    if (next === null) return;
    event.preventDefault();
    selected = keys[next];
    showTabs();
    tablist.querySelector(`#tab-${selected}`).focus();
  });

  function delivery(d) {
    const last = d.attempts[d.attempts.length - 1];
    const pending = d.state === "pending";
    const redeliver = h("button", { type: "button", onclick: async () => {
      redeliver.disabled = true;
      try {
        await api(`/webhooks/${d.id}/redeliver`, { method: "POST" });
        toast(`Webhook ${d.id} queued again`);
        refresh();
      } catch (error) { toast(`Redeliver: ${error.message}`, true); } finally { redeliver.disabled = false; }
    } }, "Redeliver");
    return h("article", { class: "delivery", "aria-label": `Webhook ${d.id}` },
      h("div", { class: "delivery-head" },
        h("strong", {}, d.event), h("span", { class: "method" }, d.method), h("span", { class: "url" }, d.url),
        h("span", { class: `pill ${d.state === "delivered" ? "ok" : pending ? "run" : "bad"}` }, d.state),
        d.copy_of ? h("span", { class: "tag" }, `copy of ${d.copy_of}`) : null,
        d.rule ? h("span", { class: "tag" }, d.rule) : null,
        h("span", { style: "margin-left:auto" }, redeliver)),
      h("div", { class: "delivery-body" },
        h("p", { class: "muted" }, `Created ${when(isoOf(d.created_at))}`,
          pending ? ` · next attempt ${when(isoOf(d.due_at))}` : "",
          last ? ` · last answer ${last.status ?? last.error ?? "none"}` : ""),
        d.attempts.length ? h("div", { class: "table-wrap" }, h("table", {},
          h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "At"), h("th", {}, "Status"), h("th", {}, "Response"), h("th", { class: "num" }, "ms"))),
          h("tbody", {}, d.attempts.map((a, i) => h("tr", {},
            h("td", {}, i + 1), h("td", { class: "time" }, when(isoOf(a.at))),
            h("td", {}, a.status ? statusCode(a.status) : h("span", { class: "pill bad" }, a.error || "no answer")),
            h("td", { class: "mono" }, a.response_body ?? a.body ?? (a.error && a.status ? a.error : "")),
            h("td", { class: "num" }, a.duration_ms?.toFixed?.(1) ?? "")))))) : h("p", { class: "muted" }, "Not attempted yet."),
        h("details", {}, h("summary", {}, "Request headers and body"),
          h("table", { class: "headers" }, h("tbody", {}, Object.entries(d.headers || {}).map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", {}, v))))),
          bodyBlock(d.body, "Webhook body"))));
  }

  function requestTable(list) {
    return h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Time"), h("th", {}, "Method"), h("th", {}, "Path"), h("th", {}, "Status"),
        h("th", {}, "Operation"), h("th", { class: "num" }, "ms"))),
      h("tbody", {}, list.slice().reverse().map((r) => h("tr", {},
        h("td", { class: "time" }, when(isoOf(r.time))), h("td", { class: "method" }, r.method),
        h("td", { class: "mono" }, h("a", { href: `#/requests/${r.seq}` }, r.path + (r.query ? `?${r.query}` : ""))),
        h("td", {}, statusCode(r.status)), h("td", {}, r.operation || "—"), h("td", { class: "num" }, r.duration_ms))))));
  }

  async function load() {
    const [fax, hooks, reqs] = await Promise.all([
      api(`/faxes/${encodeURIComponent(id)}`),
      api("/webhooks", { query: { fax_id: id } }).catch(() => ({ deliveries: [] })),
      api("/requests", { query: { fax_id: id, limit: 500 } }).catch(() => ({ requests: [] })),
    ]);
    if (!alive) return;
    data.fax = fax;
    data.deliveries = hooks.deliveries;
    data.requests = reqs.requests;
    document.title = `${fax.from} → ${fax.to} · fax-emulator`;
    showHead(fax);
    showPages(fax);
    showTimeline(fax);
    showTabs();
  }

  const refresh = coalesce(async () => {
    if (!alive) return;
    try { await load(); } catch (error) {
      if (error.status === 404) replace(main, emptyState("No such fax", `No fax has the id ${id} (a reset forgets faxes).`));
      else toast(error.message, true);
    }
  }, 250);

  const mine = (d) => d && (d.fax_id === id || d.id === id || d.fax_ids?.includes(id) || d.aliases?.includes(id));
  const unsubscribe = [
    live.on("fax", (d) => { if (mine(d)) refresh(); }),
    live.on("webhook", (d) => { if (mine(d)) refresh(); }),
    live.on("request", (d) => { if (mine(d) || (d?.path || "").includes(id)) refresh(); }),
    live.on("reset", refresh), live.on("dropped", refresh), live.poll(refresh),
  ];
  vendorTitles().then((t) => { titles = t; }).catch(() => {}).finally(refresh);
  return () => { alive = false; document.title = "fax-emulator"; unsubscribe.forEach((fn) => fn()); };
}

function fact(label, value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value));
}
