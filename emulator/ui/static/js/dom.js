// Small DOM helpers: h() builds elements, formatters show emulator time and statuses.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An ISO 8601 time of the emulator clock, shown as "2026-01-01 00:01:30" (UTC). */
export function when(iso) {
  if (!iso) return "—";
  return iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "");
}

/** A time in seconds since the epoch (the emulator clock) as ISO 8601. */
export function isoOf(seconds) {
  return seconds === null || seconds === undefined ? null : new Date(seconds * 1000).toISOString();
}

/** The pill class of a fax: finished well, finished badly, partly, in flight, waiting. */
export function tone(fax) {
  const outcome = fax.outcome;
  if (fax.terminal || outcome) {
    if (outcome === "success") return "ok";
    if (outcome === "partial") return "warn";
    return "bad";
  }
  return fax.attempts > 0 || /send|transmit|progress|dial/i.test(fax.status || "") ? "run" : "";
}

export function statusPill(fax) {
  return h("span", { class: `pill ${tone(fax)}`, title: fax.outcome ? `outcome: ${fax.outcome}` : "in progress" },
    fax.vendor_status ?? fax.status);
}

export function vendorBadge(name, title) {
  return h("span", { class: `vendor ${name}` }, title || name);
}

export function statusCode(status) {
  return h("span", { class: `status-code s${String(status)[0]}` }, status);
}

export function route(from, to) {
  return h("span", { class: "route" }, h("span", {}, from || "?"), h("span", { class: "arrow", "aria-label": "to" }, "→"),
    h("span", {}, to || "?"));
}

/** JSON with syntax colours, as a <pre>. */
export function jsonBlock(value, label) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  const pre = h("pre", { class: "code", tabindex: "0", "aria-label": label || "JSON" });
  const pattern = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    pre.append(text.slice(last, match.index));
    const [all, string, colon, literal, number] = match;
    if (string) {
      pre.append(h("span", { class: colon ? "k" : "s" }, string));
      if (colon) pre.append(colon);
    } else pre.append(h("span", { class: literal ? "b" : "n" }, literal || number));
    last = match.index + all.length;
  }
  pre.append(text.slice(last));
  return pre;
}

/** A body as text, pretty-printed when it is JSON. */
export function bodyBlock(body, label) {
  if (body === null || body === undefined || body === "") return h("p", { class: "muted" }, "(no body)");
  try {
    return jsonBlock(JSON.parse(body), label);
  } catch {
    return h("pre", { class: "code", tabindex: "0", "aria-label": label || "body" }, body);
  }
}

export function emptyState(title, text) {
  return h("div", { class: "empty" }, h("strong", {}, title), text);
}

/** Calls fn at most once per `ms`, the last call's arguments winning (live updates coalesce). */
export function coalesce(fn, ms = 250) {
  let timer = null;
  let again = false;
  const run = async () => {
    again = false;
    try { await fn(); } finally {
      timer = again ? setTimeout(run, ms) : null;
    }
  };
  return () => {
    if (timer) { again = true; return; }
    timer = setTimeout(run, 0);
  };
}
