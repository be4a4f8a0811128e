"""Loading scenarios: parse (``source.py``), check the limits, validate against
``schemas/scenario.schema.json`` (Draft 2020-12) and check what a schema cannot
(``checks.py``), build the model, and compose several files in order.

Every problem names the file, the line and the place in the document. Every step is
bounded (``limits.py``): the text's size first, then the values a parse may make (aliases
expanded), then rules and patterns, so a hostile scenario costs at most a bounded parse.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from emulator.core.errors import EmulatorError
from emulator.core.outcomes import Outcome
from emulator.core.scenarios import builtin
from emulator.core.scenarios.checks import Checker, oversize, parse_time
from emulator.core.scenarios.limits import LIMITS
from emulator.core.scenarios.match import Match, PatternError
from emulator.core.scenarios.model import FaultAction, InboundSpec, Rule, Scenario, StepSpec, WebhookAction
from emulator.core.scenarios.problems import Problem, ScenarioError
from emulator.core.scenarios.source import TOO_DEEP, Document, parse
from emulator.core.vendor import Vendor
from emulator.core.webhooks import check_retry

TOO_BIG = f"larger than {LIMITS.bytes:,} bytes, the most a scenario may be"


def load_text(
    text: str, source: str, vendors: Mapping[str, Vendor] | None = None, base_dir: str | None = None
) -> Scenario:
    """One scenario from YAML or JSON text; ScenarioError lists every problem found."""
    if len(text) > LIMITS.bytes or len(text.encode("utf-8", "surrogatepass")) > LIMITS.bytes:
        raise ScenarioError([Problem(source, None, None, (), TOO_BIG)])
    document, problems = parse(text, source)
    if not problems:
        try:
            problems = Checker(document, vendors).run()
        except RecursionError:  # the parse bounds the depth; this stays as a last guard
            problems = [Problem(source, None, None, (), TOO_DEEP)]
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    try:
        return _build(document, base_dir)
    except PatternError as exc:  # the checks compiled every pattern already; kept for the type checker
        raise ScenarioError([Problem(source, None, None, ("rules",), str(exc))]) from None


def load_files(paths: Sequence[str], vendors: Mapping[str, Vendor] | None = None) -> Scenario:
    """Scenarios from files (or ``builtin:NAME``), composed in order; problems of every file are
    reported together, and a conflict between files names the file that causes it."""
    loaded: list[Scenario] = []
    problems: list[Problem] = []
    for reference in paths:
        path = str(builtin.path_of(reference) or reference)
        missing = builtin.unknown(reference)
        if missing:
            problems.append(Problem(reference, None, None, (), missing))
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(LIMITS.bytes + 1)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(path, None, None, (), f"cannot read the file: {exc}"))
            continue
        try:
            loaded.append(load_text(text, reference, vendors, os.path.dirname(os.path.abspath(path))))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    scenario = compose(loaded)
    # the files together are held to the same limits, before the vendors check their accounts together
    source = " + ".join(paths)
    problems = [
        Problem(source, None, None, path, f"{message} (all files together)")
        for path, message in oversize({**scenario.document, "accounts": scenario.accounts})
    ]
    if not problems and vendors and len(loaded) > 1:
        problems = _composition_problems(loaded, vendors)
    if problems:
        raise ScenarioError(problems)
    return scenario


def _composition_problems(loaded: Sequence[Scenario], vendors: Mapping[str, Vendor]) -> list[Problem]:
    """Accounts each file declares are fine alone but may clash with an earlier file's: the
    vendor's own check (``Vendor.check_accounts``) runs on the accounts of the files so far,
    so the problem names the first file whose accounts make the whole list wrong."""
    problems = []
    for name in dict.fromkeys(vendor for scenario in loaded for vendor in scenario.accounts):
        check = getattr(vendors.get(name), "check_accounts", None)
        if check is None:
            continue
        so_far: list[dict[str, Any]] = []
        earlier: list[str] = []
        for scenario in loaded:
            if name not in scenario.accounts:
                continue
            so_far.extend(scenario.accounts[name])
            try:
                check(list(so_far))
            except EmulatorError as exc:
                problems.append(
                    Problem(
                        scenario.sources[0],
                        None,
                        None,
                        ("accounts", name),
                        f"together with the accounts of {', '.join(earlier)}: {exc.message}",
                    )
                )
                break
            earlier.append(scenario.sources[0])
    return problems


def compose(scenarios: Sequence[Scenario]) -> Scenario:
    """Several scenarios as one: rules, inbound and steps in order; later settings win."""
    if len(scenarios) == 1:
        return scenarios[0]
    accounts: dict[str, list[dict[str, Any]]] = {}
    timing: dict[str, dict[str, float]] = {}
    for scenario in scenarios:
        for vendor, declared in scenario.accounts.items():
            accounts.setdefault(vendor, []).extend(declared)
        for vendor, states in scenario.timing.items():
            timing.setdefault(vendor, {}).update(states)
    seeds = [s.seed for s in scenarios if s.seed is not None]
    document = _composed_document(scenarios)
    return Scenario(
        name=document["name"],
        description="\n\n".join(s.description for s in scenarios if s.description),
        sources=tuple(src for s in scenarios for src in s.sources),
        seed=seeds[-1] if seeds else None,
        clock={key: value for s in scenarios for key, value in s.clock.items()},
        accounts=accounts,
        timing=timing,
        rules=tuple(r for s in scenarios for r in s.rules),
        inbound=tuple(i for s in scenarios for i in s.inbound),
        steps=tuple(step for s in scenarios for step in s.steps),
        document=document,
    )


#: how each top-level key of several documents composes (any other key: the last one's)
_LISTS = ("rules", "inbound", "steps")
_MAPPINGS = ("accounts", "timing", "clock")


def _composed_document(scenarios: Sequence[Scenario]) -> dict[str, Any]:
    """The documents as one, as written: lists joined, mappings merged, the rest the last one's."""
    composed: dict[str, Any] = {"name": " + ".join(s.name for s in scenarios)}
    for scenario in scenarios:
        for key, value in scenario.document.items():
            if key in _LISTS:
                composed.setdefault(key, []).extend(value)
            elif key in _MAPPINGS:
                composed.setdefault(key, {}).update(value)
            elif key != "name":
                composed[key] = value
    return composed


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
        inbound=tuple(_inbound(raw, document.source, i, base_dir) for i, raw in enumerate(data.get("inbound", []))),
        steps=steps,
        document=dict(data),
    )


def _rule(raw: dict[str, Any], label: str) -> Rule:
    outcomes = raw.get("outcome", ())
    native = raw.get("native")
    return Rule(
        label=label,
        match=Match.parse(raw.get("match", {})),
        outcomes=tuple(Outcome(o) for o in ([outcomes] if isinstance(outcomes, str) else outcomes)),
        native=None if native is None else str(native),
        pages_sent=raw.get("pages_sent"),
        delays={s: float(t) for s, t in raw.get("delays", {}).items()},
        fault=_fault(raw["fault"]) if "fault" in raw else None,
        webhook=_webhook(raw["webhook"]) if "webhook" in raw else None,
        times=raw.get("times"),
    )


def _fault(raw: dict[str, Any]) -> FaultAction:
    latency = raw.get("latency")
    reset = raw.get("reset")
    if isinstance(latency, list):
        latency = (float(latency[0]), float(latency[1]))
    elif latency is not None:
        latency = (float(latency),) * 2
    return FaultAction(
        status=raw.get("status", 429 if "retry_after" in raw and reset is None else None),
        message=raw.get("message"),
        retry_after=raw.get("retry_after"),
        latency=latency,
        reset="before" if reset is True else reset,
        body=raw.get("body"),
    )


def _webhook(raw: dict[str, Any]) -> WebhookAction:
    return WebhookAction(
        delay=float(raw.get("delay", 0)),
        duplicate=raw.get("duplicate", 0),
        out_of_order=raw.get("out_of_order", False),
        drop=raw.get("drop", False),
        retry=check_retry(raw["retry"], "webhook.retry") if "retry" in raw else None,
    )


def _inbound_document(name: str, source: str, index: int, base_dir: str | None) -> Any:
    """The PDF or TIFF an inbound entry names (relative to its scenario file's folder),
    read and checked now, so a scenario with a missing or unreadable one is refused."""
    from emulator.core.documents import DEFAULT_MAX_UPLOAD, DocumentError, intake

    if base_dir is None:  # posted text: whoever reaches the control API must not read the emulator's files
        raise ScenarioError(
            [
                Problem(
                    source,
                    None,
                    None,
                    ("inbound", index, "document"),
                    "only a scenario read from a file may name a document (serve --scenario, "
                    "run); a posted scenario cannot read the emulator's disk",
                )
            ]
        )
    path = os.path.join(base_dir, name)
    try:
        with open(path, "rb") as handle:
            data = handle.read(DEFAULT_MAX_UPLOAD + 1)
        if len(data) > DEFAULT_MAX_UPLOAD:
            raise DocumentError(f"it is over {DEFAULT_MAX_UPLOAD // (1024 * 1024)} MiB")
        return intake(data, os.path.basename(name))
    except (OSError, DocumentError) as exc:
        why = exc.message if isinstance(exc, DocumentError) else exc.strerror or str(exc)
        raise ScenarioError(
            [Problem(source, None, None, ("inbound", index, "document"), f"cannot use the document {name!r}: {why}")]
        ) from None


def _inbound(raw: dict[str, Any], source: str, index: int, base_dir: str | None) -> InboundSpec:
    at = raw.get("at", 0)
    count = raw.get("count", 1)
    document = _inbound_document(raw["document"], source, index, base_dir) if "document" in raw else None
    return InboundSpec(
        vendor=raw["vendor"],
        to=raw["to"],
        sender=raw["from"],
        tenant=raw.get("tenant"),
        pages=raw.get("pages", 1),
        at=0.0 if isinstance(at, str) else float(at),
        at_time=parse_time(at) if isinstance(at, str) else None,
        count=count,
        every=float(raw.get("every", 1 if count > 1 else 0)),
        options=dict(raw.get("options", {})),
        document=document,
    )
