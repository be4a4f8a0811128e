"""Checking a parsed scenario: its size against ``limits.py`` (before anything walks it),
the schema (``schemas/scenario.schema.json``, worded by ``explain.py``), then what the
schema cannot say: vendor, operation and state names (checked against the vendors served,
through ``Vendor.operations`` and ``Vendor.machine``), which match keys suit which kind of
rule, patterns (each compiled by RE2, as matching will run it), times, steps, and declared
accounts (against ``schemas/<vendor>/account.json`` where the vendor has one).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from emulator.core import contracts
from emulator.core.errors import EmulatorError
from emulator.core.scenarios.explain import explain
from emulator.core.scenarios.limits import LIMITS
from emulator.core.scenarios.match import PatternError, atoms, compile_glob, compile_regex, is_compiled
from emulator.core.scenarios.problems import Path, Problem
from emulator.core.scenarios.source import Document
from emulator.core.vendor import Vendor


@functools.cache
def schema() -> dict[str, Any]:
    """The scenario schema (``schemas/scenario.schema.json``)."""
    text = resources.files("emulator.schemas").joinpath("scenario.schema.json").read_text("utf-8")
    found: dict[str, Any] = json.loads(text)
    return found


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def parse_time(text: str) -> float | None:
    """POSIX seconds of an ISO 8601 time (UTC when no offset is given), or None."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


#: which match keys make sense for each kind of rule (see the README)
MATCH_KEYS = {
    "fault": frozenset({"vendor", "operation", "tenant", "header", "to", "nth", "probability"}),
    "webhook": frozenset({"vendor", "tenant", "to", "event", "nth", "probability"}),
    "fax": frozenset({"vendor", "tenant", "to", "attempt", "nth", "probability"}),
}
_KIND_WORDS = {"fault": "a fault rule (requests)", "webhook": "a webhook rule", "fax": "a fax outcome rule"}
#: the keys that make a rule of each kind
_KIND_KEYS = {"fault": ("fault",), "webhook": ("webhook",), "fax": ("outcome", "native", "pages_sent", "delays")}
#: the match keys whose values are patterns
PATTERN_KEYS = ("to", "tenant", "event")
_STEP_ACTIONS = (
    "request",
    "advance",
    "run_until_idle",
    "expect_fax",
    "expect_faxes",
    "expect_webhooks",
    "expect_requests",
)


class Checker:
    """The schema, then what the schema cannot say."""

    def __init__(self, document: Document, vendors: Mapping[str, Vendor] | None) -> None:
        self.doc = document
        self.vendors = vendors
        self.problems: list[Problem] = []

    def run(self) -> list[Problem]:
        """Every problem found: the size first, then the schema's, then (if none) the rest."""
        data = self.doc.data
        if not isinstance(data, dict):
            return [
                self.doc.problem(
                    (), f"a scenario must be a mapping of keys (name, rules, ...); this document is {_kind(data)}"
                )
            ]
        for path, message in oversize(data):
            self.add(path, message)
        if self.problems:  # too big to validate: say so, and no more
            return self.problems
        self.schema(data)
        if self.problems:
            return self.problems
        self.clock(data.get("clock", {}))
        for vendor, accounts in data.get("accounts", {}).items():
            if self.vendor(("accounts", vendor), vendor, key=True):
                self.accounts(vendor, accounts)
        for vendor, states in data.get("timing", {}).items():
            if self.vendor(("timing", vendor), vendor, key=True):
                self.states(("timing", vendor), states, [vendor])
        for key, check in (("rules", self.rule), ("inbound", self.inbound), ("steps", self.step)):
            for index, item in enumerate(data.get(key, [])):
                check((key, index), item)
        return self.problems

    def schema(self, data: dict[str, Any]) -> None:
        """The schema's errors, up to the limit on problems (a document of errors has as many
        as values): validation stops there."""
        errors = list(itertools.islice(_validator().iter_errors(data), LIMITS.problems + 1))
        for error in errors[: LIMITS.problems]:
            self.problems.extend(explain(error, self.doc))
        if len(errors) > LIMITS.problems:
            self.add((), f"and more problems (only the first {LIMITS.problems} are listed)")

    def clock(self, clock: dict[str, Any]) -> None:
        """Speed for the real clock, a start time for the manual one."""
        if clock.get("mode") == "manual" and "speed" in clock:
            self.add(("clock", "speed"), "speed applies to the real clock only")
        if "start" in clock:
            if clock.get("mode", "manual") != "manual":
                self.add(("clock", "start"), "start applies to the manual clock only")
            if parse_time(clock["start"]) is None:
                self.add(("clock", "start"), f"not an ISO 8601 time: {clock['start']!r}")

    def add(self, path: Path, message: str, key: bool = False) -> None:
        """Record a problem at ``path`` (at its key, with ``key``)."""
        self.problems.append(self.doc.problem(path, message, key))

    def vendor(self, path: Path, name: str, key: bool = False) -> bool:
        """Whether ``name`` is a vendor this emulator serves (a problem if not)."""
        if self.vendors is None or name in self.vendors:
            return True
        self.add(path, f"unknown vendor {name!r}; this emulator serves {', '.join(self.vendors)}", key)
        return False

    def accounts(self, vendor: str, accounts: list[Any]) -> None:
        """Each declared account against ``schemas/<vendor>/account.json``, if the vendor has one,
        then the vendor's own checks of the whole list (``Vendor.check_accounts``: repeats, ...)."""
        before = len(self.problems)
        try:
            contracts.load(vendor, "account")
        except LookupError:
            pass  # the vendor declares no account shape: any keys
        else:
            for index, account in enumerate(accounts):
                for violation in contracts.check(vendor, "account", account):
                    key = re.split(r"[.\[]", violation.path.removeprefix("$.") + ".")[0]  # "$.name" -> "name"
                    path = ("accounts", vendor, index, key) if key and key != "$" else ("accounts", vendor, index)
                    what = violation.message.split(": ", 1)[-1]
                    self.add(path, f"not a valid {vendor} account: {what}")
        check = getattr(self.vendors.get(vendor) if self.vendors else None, "check_accounts", None)
        if len(self.problems) > before or check is None:
            return
        try:
            check(list(accounts))
        except EmulatorError as exc:
            # vendors word these "accounts[N]: what is wrong"; point at entry N
            found = re.match(r"accounts\[(\d+)\]: (.*)", exc.message, re.DOTALL)
            where: Path = ("accounts", vendor, int(found.group(1))) if found else ("accounts", vendor)
            self.add(where, f"not a valid {vendor} account: {found.group(2) if found else exc.message}")

    def states(self, path: Path, states: dict[str, Any], vendors: Iterable[str]) -> None:
        """State names that have a duration in one of ``vendors``' machines."""
        if self.vendors is None:
            return
        known = {
            s
            for v in vendors
            if v in self.vendors
            for s in (*self.vendors[v].machine.prepare, self.vendors[v].machine.transmit)
        }
        for state in states:
            if state not in known:
                self.add(
                    (*path, state),
                    f"no such state {state!r}; the states with a duration are {', '.join(sorted(known))}",
                    key=True,
                )

    def rule(self, path: Path, rule: dict[str, Any]) -> None:
        """One kind of action per rule, match keys that suit it, and names that exist."""
        kind = self.rule_kind(path, rule)
        if kind is None:
            return
        match = rule.get("match", {})
        self.match_keys(path, kind, match)
        self.patterns((*path, "match"), match)
        vendors = self.rule_vendors(path, match)
        self.operations(path, match, vendors)
        if "delays" in rule:
            self.states((*path, "delays"), rule["delays"], vendors)
        for key in ("nth", "attempt"):
            count = match.get(key)
            if isinstance(count, dict) and "to" in count and count["to"] < count.get("from", 1):
                self.add((*path, "match", key), "'to' must not be smaller than 'from'")
        self.fault((*path, "fault"), rule.get("fault", {}))

    def rule_kind(self, path: Path, rule: dict[str, Any]) -> str | None:
        """Which question the rule answers (``fault``, ``webhook`` or ``fax``); None, with a
        problem, if it answers none or several."""
        kinds = [kind for kind, keys in _KIND_KEYS.items() if any(k in rule for k in keys)]
        if not kinds:
            self.add(path, "this rule does nothing: give it an outcome, native, pages_sent, delays, fault or webhook")
            return None
        if len(kinds) > 1:
            self.add(
                path,
                f"one rule cannot be both {' and '.join(_KIND_WORDS[k] for k in kinds)}: "
                "split it into one rule for each",
            )
            return None
        return kinds[0]

    def match_keys(self, path: Path, kind: str, match: dict[str, Any]) -> None:
        """Match keys that make sense for the kind of rule."""
        for key in match:
            if key not in MATCH_KEYS[kind]:
                self.add(
                    (*path, "match", key),
                    f"{key!r} cannot be matched in {_KIND_WORDS[kind]}; it can match "
                    f"{', '.join(sorted(MATCH_KEYS[kind]))}",
                    key=True,
                )
        if kind == "fault" and "to" in match and "operation" not in match:
            self.add(
                (*path, "match", "to"),
                "a fault that matches the destination must also name the operation "
                "that sends the fax (the destination is known only when a fax is "
                "submitted)",
                key=True,
            )

    def operations(self, path: Path, match: dict[str, Any], vendors: list[str]) -> None:
        """Operation names that one of the rule's vendors has (an unknown vendor is reported
        once, by ``rule_vendors``: its operations cannot be checked)."""
        served = [v for v in vendors if v in (self.vendors or {})]
        if self.vendors is None or not served:
            return
        known = {op for v in served for op in self.vendors[v].operations}
        for operation in as_list(match.get("operation")):
            if operation not in known:
                self.add(
                    (*path, "match", "operation"),
                    f"no operation {operation!r} in {', '.join(served)}; expected one of {', '.join(sorted(known))}",
                )

    def fault(self, path: Path, fault: dict[str, Any]) -> None:
        """A reset has no answer to shape; a latency range runs low to high."""
        if "reset" in fault and ("status" in fault or "body" in fault):
            self.add((*path, "reset"), "a reset sends no answer, so it cannot have a status or body", key=True)
        latency = fault.get("latency")
        if isinstance(latency, list) and latency[0] > latency[1]:
            self.add((*path, "latency"), "the low end of the range is above the high end")

    def rule_vendors(self, path: Path, match: dict[str, Any]) -> list[str]:
        """The vendors a rule can apply to (checked); all of them when it names none."""
        names = as_list(match.get("vendor"))
        for name in names:
            self.vendor((*path, "match", "vendor"), name)
        if names:
            return names
        return list(self.vendors or ())

    def patterns(self, path: Path, match: dict[str, Any]) -> None:
        """Every regex and glob of the rule's patterns compiles, as matching will run it (RE2)."""
        for where, atom in pattern_atoms(match):
            try:
                if isinstance(atom, str):
                    compile_glob(atom)
                elif "regex" in atom:
                    compile_regex(atom["regex"])
                else:
                    compile_glob(atom["glob"])
            except PatternError as exc:
                what = "regular expression" if isinstance(atom, dict) and "regex" in atom else "glob"
                self.add((*path, *where), f"not a valid {what}: {exc}")

    def inbound(self, path: Path, inbound: dict[str, Any]) -> None:
        """The vendor has inbound faxes; an ``at`` time is a time."""
        vendor = inbound["vendor"]
        if self.vendor((*path, "vendor"), vendor) and self.vendors is not None and self.vendors[vendor].receive is None:
            self.add((*path, "vendor"), f"{self.vendors[vendor].title} has no inbound faxes")
        if isinstance(inbound.get("at"), str) and parse_time(inbound["at"]) is None:
            self.add((*path, "at"), f"not an ISO 8601 time: {inbound['at']!r}")

    def step(self, path: Path, step: dict[str, Any]) -> None:
        """Exactly one action per step; ``expect`` and ``save`` only on requests."""
        actions = [k for k in _STEP_ACTIONS if k in step]
        if len(actions) != 1:
            found = f"it has {', '.join(actions)}" if actions else "it has none"
            self.add(path, f"a step does exactly one of {', '.join(_STEP_ACTIONS)}; {found}")
            return
        for key in ("expect", "save"):
            if key in step and actions[0] != "request":
                self.add((*path, key), f"{key!r} belongs to a request step", key=True)


def pattern_atoms(match: Any) -> Iterator[tuple[Path, Any]]:
    """Each compiled atom (regex or glob) of a ``match`` mapping, with its path in it; the
    input need not be valid yet (what is not a pattern is skipped)."""
    if not isinstance(match, dict):
        return
    specs: list[tuple[Path, Any]] = [((key,), match[key]) for key in PATTERN_KEYS if key in match]
    headers = match.get("header")
    if isinstance(headers, dict):
        specs += [(("header", name), spec) for name, spec in headers.items()]
    for where, spec in specs:
        for index, atom in enumerate(atoms(spec)):
            if is_compiled(atom):
                inner = (
                    ("regex",)
                    if isinstance(atom, dict) and "regex" in atom
                    else (("glob",) if isinstance(atom, dict) else ())
                )
                yield ((*where, index, *inner) if isinstance(spec, list) else (*where, *inner)), atom


def _pattern_specs(match: Any) -> list[Any]:
    """The written patterns of a ``match`` mapping (each a string, a mapping or a list)."""
    if not isinstance(match, dict):
        return []
    specs = [match[key] for key in PATTERN_KEYS if key in match]
    headers = match.get("header")
    return specs + list(headers.values()) if isinstance(headers, dict) else specs


def _items(value: Any, kind: type) -> list[Any]:
    """The items of ``value`` that are of ``kind``, if it is a list (the document may not be valid yet)."""
    return [item for item in value if isinstance(item, kind)] if isinstance(value, list) else []


def _sizes(data: Mapping[str, Any]) -> list[tuple[Path, int, int, str]]:
    """(where, how many, the limit, what) for each size of a document that has a limit."""
    rules = data.get("rules")
    matches = [rule.get("match") for rule in _items(rules, dict)]
    accounts = data.get("accounts")
    return [
        (("rules",), len(rules) if isinstance(rules, list) else 0, LIMITS.rules, "rules; a scenario may have"),
        (
            ("rules",),
            sum(len(atoms(spec)) for match in matches for spec in _pattern_specs(match)),
            LIMITS.patterns,
            "patterns in match conditions; a scenario may have",
        ),
        (
            ("rules",),
            sum(1 for match in matches for _ in pattern_atoms(match)),
            LIMITS.regexes,
            "regexes and globs in match conditions; a scenario may have",
        ),
        *(
            (
                ("accounts", vendor),
                len(declared) if isinstance(declared, list) else 0,
                LIMITS.accounts,
                f"{vendor} accounts; a scenario may declare",
            )
            for vendor, declared in (accounts.items() if isinstance(accounts, dict) else ())
        ),
        (
            ("inbound",),
            sum(
                count if isinstance(count := entry.get("count", 1), int) else 1
                for entry in _items(data.get("inbound"), dict)
            ),
            LIMITS.inbound_faxes,
            "inbound faxes; a scenario may make",
        ),
    ]


def oversize(data: Mapping[str, Any]) -> list[tuple[Path, str]]:
    """Where a (perhaps not yet valid) document is past the limits on rules, patterns,
    accounts and inbound faxes: what makes checking, matching and the scheduler's work grow."""
    return [(path, f"{count:,} {what} at most {limit:,}") for path, count, limit, what in _sizes(data) if count > limit]


def as_list(value: Any) -> list[Any]:
    """``value`` as a list: None is empty, a single value is one item."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    return f"a single value ({value!r})"
