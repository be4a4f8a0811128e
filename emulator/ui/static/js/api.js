// The control API (/_emulator/...): every call the UI makes goes through here.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, { method = "GET", body, query } = {}) {
  let url = `/_emulator${path}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, v);
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  const init = { method, headers: {} };
  if (body !== undefined) {
    if (typeof body === "string") {
      init.body = body;
      init.headers["Content-Type"] = "text/plain; charset=utf-8";
    } else {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = { error: { message: text.slice(0, 300) } }; }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

let vendorsPromise = null;
/** The vendors (name, title, states, inbound...), asked once. */
export function vendors() {
  vendorsPromise ??= api("/vendors").then((body) => body.vendors).catch((error) => { vendorsPromise = null; throw error; });
  return vendorsPromise;
}

export async function vendorTitles() {
  return Object.fromEntries((await vendors()).map((v) => [v.name, v.title]));
}
