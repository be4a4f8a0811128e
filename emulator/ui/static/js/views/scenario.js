// The scenario in force (GET/POST/DELETE /_emulator/scenario): edit YAML, apply it, and see
// each validation problem at its line.
import { api } from "../api.js";
import { h, jsonBlock, replace } from "../dom.js";

const EXAMPLE = `# A scenario: what the emulated providers do (see the README, "Scenarios").
rules:
  - name: busy line
    match: {to: "+15550001"}
    outcome: busy
`;

export function render(main, { toast }) {
  const gutter = h("div", { class: "gutter", "aria-hidden": "true" });
  const text = h("textarea", { id: "scenario-text", spellcheck: "false", "aria-label": "Scenario (YAML or JSON)",
    "aria-describedby": "scenario-problems" });
  text.value = sessionStorage.getItem("scenario-draft") ?? EXAMPLE;
  const problems = h("ul", { class: "problems", id: "scenario-problems", "aria-live": "polite" });
  const notice = h("div", { "aria-live": "polite" });
  const current = h("div");
  let errorLines = new Map();

  function drawGutter() {
    const count = text.value.split("\n").length;
    replace(gutter, Array.from({ length: count }, (_, i) => {
      const message = errorLines.get(i + 1);
      return h("div", message ? { class: "error", title: message, "data-line": i + 1 } : { "data-line": i + 1 }, i + 1);
    }));
    gutter.scrollTop = text.scrollTop;
  }
  text.addEventListener("input", () => { sessionStorage.setItem("scenario-draft", text.value); drawGutter(); });
  text.addEventListener("scroll", () => { gutter.scrollTop = text.scrollTop; });
  text.addEventListener("keydown", (event) => {  // Tab indents; Escape then Tab leaves the editor
    if (event.key === "Tab" && !event.shiftKey && !text.dataset.escaped) {
      event.preventDefault();
      text.setRangeText("  ", text.selectionStart, text.selectionEnd, "end");
      text.dispatchEvent(new Event("input"));
    }
    text.dataset.escaped = event.key === "Escape" ? "1" : "";
  });

  function goToLine(line, column) {
    const lines = text.value.split("\n");
    const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, (column || 1) - 1);
    text.focus();
    text.setSelectionRange(offset, offset);
    text.scrollTop = Math.max(0, (line - 4) * 20);
  }

  function showProblems(list) {
    errorLines = new Map();
    for (const p of list) if (p.line) errorLines.set(p.line, [errorLines.get(p.line), p.message].filter(Boolean).join("; "));
    drawGutter();
    replace(problems, list.map((p) => h("li", { "data-line": p.line ?? "" },
      p.line ? h("button", { type: "button", onclick: () => goToLine(p.line, p.column) },
        `line ${p.line}${p.column ? `:${p.column}` : ""}`) : null,
      p.line ? " " : "", p.path ? h("span", { class: "muted" }, `${p.path}: `) : "", p.message)));
  }

  async function showCurrent() {
    try {
      const body = await api("/scenario");
      replace(current, h("h2", {}, "In force now"), jsonBlock(body, "Scenario in force"));
    } catch (error) { replace(current, h("p", { class: "notice bad" }, error.message)); }
  }

  const apply = h("button", { type: "button", class: "primary", onclick: async () => {
    replace(notice);
    try {
      const body = await api("/scenario", { method: "POST", body: text.value });
      showProblems([]);
      replace(notice, h("p", { class: "notice" }, "Scenario applied.", body.notes?.length ? ` ${body.notes.join("; ")}.` : ""));
      showCurrent();
    } catch (error) {
      const list = error.body?.error?.detail?.problems;
      showProblems(list?.length ? list : [{ message: error.message }]);
      const count = list?.length || 0;
      replace(notice, h("p", { class: "notice bad", role: "alert" }, count
        ? `Not applied: ${count} problem${count === 1 ? "" : "s"} (below, and marked at ${count === 1 ? "its line" : "their lines"}). The scenario in force stays.`
        : error.message));
    }
  } }, "Apply");
  const remove = h("button", { type: "button", onclick: async () => {
    try {
      await api("/scenario", { method: "DELETE" });
      replace(notice, h("p", { class: "notice" }, "Every scenario removed: the emulator is back to its defaults."));
      showCurrent();
    } catch (error) { toast(error.message, true); }
  } }, "Remove all");

  main.append(
    h("div", { class: "page-head" }, h("h1", {}, "Scenario"),
      h("span", { class: "muted" }, "YAML or JSON; applying replaces the scenario in force.")),
    h("div", { class: "grid2" },
      h("div", {}, h("div", { class: "editor" }, gutter, text),
        h("div", { class: "actions", style: "margin-top:10px" }, apply, remove), notice, problems),
      h("div", { class: "panel panel-pad" }, current)));
  drawGutter();
  showCurrent();
}
