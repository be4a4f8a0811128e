"""Loading scenarios: parse (``source.py``), validate against
``schemas/scenario.schema.json`` (Draft 2020-12) and check what a schema cannot
(``checks.py``), build the model, and compose several files in order.

Every problem names the file, the line and the place in the document.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from emulator.core.outcomes import Outcome
from emulator.core.scenarios.checks import Checker, as_list, parse_time
from emulator.core.scenarios.model import (
    Counts,
    FaultAction,
    InboundSpec,
    Match,
    Pattern,
    Rule,
    Scenario,
    StepSpec,
    WebhookAction,
)
from emulator.core.scenarios.problems import Problem, ScenarioError
from emulator.core.scenarios.source import TOO_DEEP, Document, parse
from emulator.core.vendor import Vendor

MAX_BYTES = 5 * 1024 * 1024


def load_text(text: str, source: str, vendors: Mapping[str, Vendor] | None = None,
              base_dir: str | None = None) -> Scenario:
    """One scenario from YAML or JSON text; ScenarioError lists every problem found."""
    document, problems = parse(text, source)
    if not problems:
        try:
            problems = Checker(document, vendors).run()
        except RecursionError:
            problems = [Problem(source, None, None, (), TOO_DEEP)]
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    return _build(document, base_dir)


def load_files(paths: Sequence[str], vendors: Mapping[str, Vendor] | None = None) -> Scenario:
    """Scenarios from files, composed in order; problems of every file are reported together."""
    loaded: list[Scenario] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(MAX_BYTES + 1)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(path, None, None, (), f"cannot read the file: {exc}"))
            continue
        if len(text) > MAX_BYTES:
            problems.append(Problem(path, None, None, (), f"larger than {MAX_BYTES} bytes"))
            continue
        try:
            loaded.append(load_text(text, path, vendors, os.path.dirname(os.path.abspath(path))))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return compose(loaded)


def compose(scenarios: Sequence[Scenario]) -> Scenario:
    """Several scenarios as one: rules, inbound and steps in order; later settings win."""
    if len(scenarios) == 1:
        return scenarios[0]
    accounts: dict[str, list[dict[str, Any]]] = {}
    timing: dict[str, dict[str, float]] = {}
    clock: dict[str, Any] = {}
    seed = None
    for scenario in scenarios:
        for vendor, declared in scenario.accounts.items():
            accounts.setdefault(vendor, []).extend(declared)
        for vendor, states in scenario.timing.items():
            timing.setdefault(vendor, {}).update(states)
        clock.update(scenario.clock)
        seed = scenario.seed if scenario.seed is not None else seed
    document: dict[str, Any] = {"name": " + ".join(s.name for s in scenarios)}
    for scenario in scenarios:
        for key, value in scenario.document.items():
            if key in ("rules", "inbound", "steps"):
                document.setdefault(key, []).extend(value)
            elif key in ("accounts", "timing", "clock"):
                document.setdefault(key, {}).update(value)
            elif key != "name":
                document[key] = value
    return Scenario(
        name=document["name"],
        description="\n\n".join(s.description for s in scenarios if s.description),
        sources=tuple(src for s in scenarios for src in s.sources),
        seed=seed, clock=clock, accounts=accounts, timing=timing,
        rules=tuple(r for s in scenarios for r in s.rules),
        inbound=tuple(i for s in scenarios for i in s.inbound),
        steps=tuple(step for s in scenarios for step in s.steps),
        document=document,
    )


# -- building the model ----------------------------------------------------------------


def _build(document: Document, base_dir: str | None) -> Scenario:
    data: dict[str, Any] = document.data
    stem = os.path.splitext(os.path.basename(document.source))[0] or "scenario"
    clock = dict(data.get("clock", {}))
    if "start" in clock:
        clock["start"] = parse_time(clock["start"])
    rules = tuple(_rule(raw, raw.get("name") or f"{stem} rule {i + 1}") for i, raw in enumerate(data.get("rules", [])))
    steps = tuple(StepSpec(step, document.source, i, base_dir) for i, step in enumerate(data.get("steps", [])))
    return Scenario(
        name=data.get("name") or stem,
        description=data.get("description", ""),
        sources=(document.source,),
        seed=data.get("seed"),
        clock=clock,
        accounts={v: [dict(a) for a in accounts] for v, accounts in data.get("accounts", {}).items()},
        timing={v: {s: float(t) for s, t in states.items()} for v, states in data.get("timing", {}).items()},
        rules=rules,
        inbound=tuple(_inbound(raw) for raw in data.get("inbound", [])),
        steps=steps,
        document={k: v for k, v in data.items()},
    )


def _names(value: Any) -> frozenset[str] | None:
    return None if value is None else frozenset(as_list(value))


def _rule(raw: dict[str, Any], label: str) -> Rule:
    m = raw.get("match", {})
    match = Match(
        vendor=_names(m.get("vendor")), operation=_names(m.get("operation")),
        to=Pattern.parse(m["to"]) if "to" in m else None,
        tenant=Pattern.parse(m["tenant"]) if "tenant" in m else None,
        header=tuple((name, Pattern.parse(p)) for name, p in m.get("header", {}).items()),
        event=Pattern.parse(m["event"]) if "event" in m else None,
        attempt=Counts.parse(m["attempt"]) if "attempt" in m else None,
        nth=Counts.parse(m["nth"]) if "nth" in m else None,
        probability=m.get("probability"),
    )
    fault = None
    if "fault" in raw:
        f = raw["fault"]
        latency = f.get("latency")
        reset = f.get("reset")
        fault = FaultAction(
            status=f.get("status", 429 if "retry_after" in f and reset is None else None),
            message=f.get("message"), retry_after=f.get("retry_after"),
            latency=None if latency is None else (
                (float(latency[0]), float(latency[1])) if isinstance(latency, list) else (float(latency),) * 2),
            reset="before" if reset is True else reset, body=f.get("body"),
        )
    webhook = None
    if "webhook" in raw:
        w = raw["webhook"]
        webhook = WebhookAction(delay=float(w.get("delay", 0)), duplicate=w.get("duplicate", 0),
                                out_of_order=w.get("out_of_order", False), drop=w.get("drop", False))
    outcomes = raw.get("outcome", ())
    native = raw.get("native")
    return Rule(
        label=label, match=match,
        outcomes=tuple(Outcome(o) for o in ([outcomes] if isinstance(outcomes, str) else outcomes)),
        native=None if native is None else str(native), pages_sent=raw.get("pages_sent"),
        delays={s: float(t) for s, t in raw.get("delays", {}).items()},
        fault=fault, webhook=webhook, times=raw.get("times"),
    )


def _inbound(raw: dict[str, Any]) -> InboundSpec:
    at = raw.get("at", 0)
    return InboundSpec(
        vendor=raw["vendor"], to=raw["to"], sender=raw["from"], tenant=raw.get("tenant"),
        pages=raw.get("pages", 1), at=0.0 if isinstance(at, str) else float(at),
        at_time=parse_time(at) if isinstance(at, str) else None,
        count=raw.get("count", 1), every=float(raw.get("every", 1 if raw.get("count", 1) > 1 else 0)),
        options=dict(raw.get("options", {})),
    )
