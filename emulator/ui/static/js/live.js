// The event stream (GET /_emulator/events, server-sent events): one connection for the page.
// Views subscribe to event types; while the stream is down, they are asked to poll instead.

const TYPES = ["fax", "webhook", "request", "violation", "scenario", "clock", "reset", "dropped"];
const listeners = new Map(TYPES.map((type) => [type, new Set()]));
const pollers = new Set();
let source = null;
let open = false;
let pollTimer = null;
const POLL_MS = 2000;

function setState(state, text) {
  const badge = document.getElementById("live");
  if (!badge) return;
  badge.className = `live ${state}`;
  badge.textContent = text;
}

function deliver(type, event) {
  let data = null;
  try { data = event.data ? JSON.parse(event.data) : null; } catch { data = null; }
  for (const fn of listeners.get(type)) fn(data, event);
}

export function connect() {
  if (source) return;
  source = new EventSource("/_emulator/events");
  for (const type of TYPES) source.addEventListener(type, (event) => deliver(type, event));
  source.onopen = () => {
    open = true;
    setState("on", "live");
    stopPolling();
  };
  source.onerror = () => {
    open = false;
    setState("off", source.readyState === EventSource.CLOSED ? "polling" : "reconnecting");
    if (source.readyState === EventSource.CLOSED) {  // no stream here (or it refused): poll, retry later
      source = null;
      setTimeout(connect, 10_000);
    }
    startPolling();
  };
}

function startPolling() {
  pollTimer ??= setInterval(() => { for (const fn of pollers) fn(); }, POLL_MS);
}

function stopPolling() {
  if (pollTimer) clearInterval(pollTimer);
  pollTimer = null;
}

/** Calls fn(data) for each event of `type`; returns the unsubscribe function. */
export function on(type, fn) {
  listeners.get(type).add(fn);
  return () => listeners.get(type).delete(fn);
}

/** Calls fn every few seconds while the stream is down; returns the unsubscribe function. */
export function poll(fn) {
  pollers.add(fn);
  return () => pollers.delete(fn);
}

export function isLive() { return open; }
