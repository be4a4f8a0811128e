// The app shell: hash routes, the clock in the top bar, reset, toasts.
import { api } from "./api.js";
import { h, isoOf, when } from "./dom.js";
import * as live from "./live.js";
import * as faxes from "./views/faxes.js";
import * as fax from "./views/fax.js";
import * as requests from "./views/requests.js";
import * as violations from "./views/violations.js";
import * as send from "./views/send.js";
import * as scenario from "./views/scenario.js";
import * as coverage from "./views/coverage.js";

const ROUTES = [
  [/^\/fax\/(.+)$/, fax, "faxes"],
  [/^\/requests(?:\/(\d+))?$/, requests, "requests"],
  [/^\/violations$/, violations, "violations"],
  [/^\/send$/, send, "send"],
  [/^\/scenario$/, scenario, "scenario"],
  [/^\/coverage$/, coverage, "coverage"],
  [/^\/?$/, faxes, "faxes"],
];

let mounted = null;  // { view, cleanup, update } of the view on screen

export function toast(message, bad = false) {
  const box = document.getElementById("toasts");
  const item = h("div", { class: `toast${bad ? " bad" : ""}` }, message);
  box.append(item);
  setTimeout(() => item.remove(), bad ? 8000 : 4000);
}

/** The hash route: its path and its query (#/path?x=1). */
export function location() {
  const hash = decodeURIComponent(window.location.hash.replace(/^#/, "")) || "/";
  const [path, query = ""] = hash.split("?");
  return { path, query: new URLSearchParams(query) };
}

/** Changes the route's query without a new history entry and without re-rendering. */
export function setQuery(params) {
  const { path } = location();
  const text = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
  history.replaceState(null, "", `#${path}${text ? `?${text}` : ""}`);
}

function render() {
  const { path, query } = location();
  const main = document.getElementById("view");
  const [pattern, view, nav] = ROUTES.find(([re]) => re.test(path)) || ROUTES[ROUTES.length - 1];
  const match = path.match(pattern) || [];
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === nav) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (mounted?.view === view && mounted.update) {  // same view, another item (a request opened)
    mounted.update(match);
    return;
  }
  const first = mounted === null;
  mounted?.cleanup?.();
  main.replaceChildren();
  const made = view.render(main, { match, query, toast });
  mounted = { view, ...(typeof made === "function" ? { cleanup: made } : made) };
  if (!first) main.focus({ preventScroll: true });
}

// --- the clock ---

function showClock(clock) {
  if (!clock) return;
  const mode = document.getElementById("clock-mode");
  mode.textContent = clock.mode;
  mode.title = `The emulator runs the ${clock.mode} clock`;
  const now = document.getElementById("clock-now");
  now.textContent = `${when(clock.iso)} UTC`;
  now.dateTime = clock.iso;
  document.getElementById("clock-actions").hidden = clock.mode !== "manual";
}

async function refreshClock() {
  try { showClock(await api("/clock")); } catch { /* shown by the live badge */ }
}

async function advance(button) {
  const all = document.querySelectorAll("#clock-actions button");
  all.forEach((b) => { b.disabled = true; });
  try {
    const body = button.dataset.idle !== undefined
      ? await api("/clock/run-until-idle", { method: "POST" })
      : await api("/clock/advance", { method: "POST", body: { seconds: Number(button.dataset.advance) } });
    showClock(body);
  } catch (error) {
    toast(error.message, true);
  } finally {
    all.forEach((b) => { b.disabled = false; });
  }
}

async function countViolations() {
  try {
    const body = await api("/violations", { query: { limit: 1 } });
    const badge = document.getElementById("violation-count");
    badge.textContent = body.total > 999 ? "999+" : String(body.total);
    badge.hidden = body.total === 0;
  } catch { /* not shown */ }
}

function start() {
  document.getElementById("clock-actions").addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (button) advance(button);
  });
  const dialog = document.getElementById("confirm-reset");
  document.getElementById("reset").addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "reset") return;
    try {
      const body = await api("/reset", { method: "POST", body: {} });
      toast(`Reset: ${body.faxes_dropped} fax${body.faxes_dropped === 1 ? "" : "es"} forgotten`);
      countViolations();
      mounted?.cleanup?.();
      mounted = null;
      render();
    } catch (error) { toast(error.message, true); }
  });
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey) {
      const search = document.querySelector("[data-search]");
      if (search) { event.preventDefault(); search.focus(); }
    }
  });
  live.on("clock", (data) => { if (data) showClock({ ...data, iso: data.iso ?? isoOf(data.now) }); });
  live.on("violation", countViolations);
  live.on("reset", () => { countViolations(); refreshClock(); });
  live.on("dropped", refreshClock);
  live.poll(refreshClock);
  live.poll(countViolations);
  window.addEventListener("hashchange", render);
  live.connect();
  refreshClock();
  countViolations();
  render();
}

start();
