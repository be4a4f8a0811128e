"""What the scenario schema cannot say: vendor, operation and state names (checked against
the vendors served, through ``Vendor.operations`` and ``Vendor.machine``), which match keys
suit which kind of rule, regular expressions, times, steps, and declared accounts (against
``schemas/<vendor>/account.json`` where the vendor has one).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from emulator.core import contracts
from emulator.core.errors import EmulatorError
from emulator.core.scenarios.errors import explain
from emulator.core.scenarios.problems import Problem
from emulator.core.scenarios.source import Document
from emulator.core.vendor import Vendor


@functools.cache
def schema() -> dict[str, Any]:
    """The scenario schema (``schemas/scenario.schema.json``)."""
    text = resources.files("emulator.schemas").joinpath("scenario.schema.json").read_text("utf-8")
    return json.loads(text)


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
_FAX_KEYS = ("outcome", "native", "pages_sent", "delays")
_STEP_ACTIONS = ("request", "advance", "run_until_idle", "expect_fax", "expect_faxes", "expect_webhooks",
                 "expect_requests")

class Checker:
    """The schema, then what the schema cannot say."""

    def __init__(self, document: Document, vendors: Mapping[str, Vendor] | None) -> None:
        self.doc = document
        self.vendors = vendors
        self.problems: list[Problem] = []

    def run(self) -> list[Problem]:
        """Every problem found: the schema's first, then (if none) the rest."""
        data = self.doc.data
        if not isinstance(data, dict):
            return [self.doc.problem((), "a scenario must be a mapping of keys (name, rules, ...); "
                                         f"this document is {_kind(data)}")]
        for error in _validator().iter_errors(data):
            self.problems.extend(explain(error, self.doc))
        if self.problems:
            return self.problems
        clock = data.get("clock", {})
        if clock.get("mode") == "manual" and "speed" in clock:
            self.add(("clock", "speed"), "speed applies to the real clock only")
        if "start" in clock:
            if clock.get("mode", "manual") != "manual":
                self.add(("clock", "start"), "start applies to the manual clock only")
            if parse_time(clock["start"]) is None:
                self.add(("clock", "start"), f"not an ISO 8601 time: {clock['start']!r}")
        for vendor, accounts in data.get("accounts", {}).items():
            if self.vendor(("accounts", vendor), vendor, key=True):
                self.accounts(vendor, accounts)
        for vendor, states in data.get("timing", {}).items():
            if self.vendor(("timing", vendor), vendor, key=True):
                self.states(("timing", vendor), states, [vendor])
        for index, rule in enumerate(data.get("rules", [])):
            self.rule(("rules", index), rule)
        for index, inbound in enumerate(data.get("inbound", [])):
            self.inbound(("inbound", index), inbound)
        for index, step in enumerate(data.get("steps", [])):
            self.step(("steps", index), step)
        return self.problems

    def add(self, path: tuple[Any, ...], message: str, key: bool = False) -> None:
        """Record a problem at ``path`` (at its key, with ``key``)."""
        self.problems.append(self.doc.problem(path, message, key))

    def vendor(self, path: tuple[Any, ...], name: str, key: bool = False) -> bool:
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
            path = ("accounts", vendor, int(found.group(1))) if found else ("accounts", vendor)
            self.add(path, f"not a valid {vendor} account: {found.group(2) if found else exc.message}")

    def states(self, path: tuple[Any, ...], states: dict[str, Any], vendors: Iterable[str]) -> None:
        """State names that have a duration in one of ``vendors``' machines."""
        if self.vendors is None:
            return
        known = {s for v in vendors if v in self.vendors
                 for s in (*self.vendors[v].machine.prepare, self.vendors[v].machine.transmit)}
        for state in states:
            if state not in known:
                self.add((*path, state), f"no such state {state!r}; the states with a duration are "
                                         f"{', '.join(sorted(known))}", key=True)

    def rule(self, path: tuple[Any, ...], rule: dict[str, Any]) -> None:
        """One kind of action per rule, match keys that suit it, and names that exist."""
        kinds = [k for k, present in (("fault", "fault" in rule), ("webhook", "webhook" in rule),
                                      ("fax", any(k in rule for k in _FAX_KEYS))) if present]
        if not kinds:
            self.add(path, "this rule does nothing: give it an outcome, native, pages_sent, delays, fault or "
                           "webhook")
            return
        if len(kinds) > 1:
            self.add(path, f"one rule cannot be both {' and '.join(_KIND_WORDS[k] for k in kinds)}: "
                           "split it into one rule for each")
            return
        kind = kinds[0]
        match = rule.get("match", {})
        for key in match:
            if key not in MATCH_KEYS[kind]:
                self.add((*path, "match", key), f"{key!r} cannot be matched in {_KIND_WORDS[kind]}; it can match "
                                                f"{', '.join(sorted(MATCH_KEYS[kind]))}", key=True)
        if kind == "fault" and "to" in match and "operation" not in match:
            self.add((*path, "match", "to"), "a fault that matches the destination must also name the operation "
                                             "that sends the fax (the destination is known only when a fax is "
                                             "submitted)", key=True)
        for key in ("to", "tenant", "event"):
            if key in match:
                self.regexes((*path, "match", key), match[key])
        for name, pattern in match.get("header", {}).items():
            self.regexes((*path, "match", "header", name), pattern)
        vendors = self.rule_vendors(path, match)
        for operation in as_list(match.get("operation")):
            known = {op for v in vendors if self.vendors and v in self.vendors for op in self.vendors[v].operations}
            if self.vendors is not None and operation not in known:
                self.add((*path, "match", "operation"), f"no operation {operation!r} in {', '.join(vendors)}; "
                                                         f"expected one of {', '.join(sorted(known))}")
        if "delays" in rule:
            self.states((*path, "delays"), rule["delays"], vendors)
        for key in ("nth", "attempt"):
            count = match.get(key)
            if isinstance(count, dict) and "to" in count and count["to"] < count.get("from", 1):
                self.add((*path, "match", key), "'to' must not be smaller than 'from'")
        fault = rule.get("fault", {})
        if "reset" in fault and ("status" in fault or "body" in fault):
            self.add((*path, "fault", "reset"), "a reset sends no answer, so it cannot have a status or body",
                     key=True)
        latency = fault.get("latency")
        if isinstance(latency, list) and latency[0] > latency[1]:
            self.add((*path, "fault", "latency"), "the low end of the range is above the high end")

    def rule_vendors(self, path: tuple[Any, ...], match: dict[str, Any]) -> list[str]:
        """The vendors a rule can apply to (checked); all of them when it names none."""
        names = as_list(match.get("vendor"))
        for name in names:
            self.vendor((*path, "match", "vendor"), name)
        if names:
            return names
        return list(self.vendors or ())

    def regexes(self, path: tuple[Any, ...], spec: Any) -> None:
        """Every ``{regex: ...}`` of a pattern compiles."""
        for index, atom in enumerate(spec if isinstance(spec, list) else [spec]):
            if isinstance(atom, dict) and "regex" in atom:
                where = (*path, index, "regex") if isinstance(spec, list) else (*path, "regex")
                try:
                    re.compile(atom["regex"])
                except re.error as exc:
                    self.add(where, f"not a valid regular expression: {exc}")

    def inbound(self, path: tuple[Any, ...], inbound: dict[str, Any]) -> None:
        """The vendor has inbound faxes; an ``at`` time is a time."""
        vendor = inbound["vendor"]
        if self.vendor((*path, "vendor"), vendor) and self.vendors is not None and self.vendors[vendor].receive is None:
            self.add((*path, "vendor"), f"{self.vendors[vendor].title} has no inbound faxes")
        if isinstance(inbound.get("at"), str) and parse_time(inbound["at"]) is None:
            self.add((*path, "at"), f"not an ISO 8601 time: {inbound['at']!r}")

    def step(self, path: tuple[Any, ...], step: dict[str, Any]) -> None:
        """Exactly one action per step; ``expect`` and ``save`` only on requests."""
        actions = [k for k in _STEP_ACTIONS if k in step]
        if len(actions) != 1:
            found = f"it has {', '.join(actions)}" if actions else "it has none"
            self.add(path, f"a step does exactly one of {', '.join(_STEP_ACTIONS)}; {found}")
            return
        for key in ("expect", "save"):
            if key in step and actions[0] != "request":
                self.add((*path, key), f"{key!r} belongs to a request step", key=True)


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


