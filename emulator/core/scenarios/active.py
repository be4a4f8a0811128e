"""A scenario in force: its rules plus the state they keep (counters, a seeded random source).

Every question the emulator asks a scenario (what fault does this request get, how does
this fax attempt end, what happens to this webhook) goes through ``ActiveScenario.check``,
one rule at a time, in order; the first rule that matches answers.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the model is loaded with the first scenario, not at start-up
    from emulator.core.scenarios.model import Rule, Scenario


class _Unknown:
    """A fact the emulator does not know yet (the tenant before authentication, say)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


class Verdict(enum.Enum):
    """Whether a rule matches: no, not yet decidable (a fact is missing), or yes."""

    NO = "no"
    WAIT = "wait"  # everything known matches, but a fact the rule needs is not known yet
    YES = "yes"


@dataclass(slots=True)
class Facts:
    """What is known about the thing a rule is checked against."""

    vendor: str
    tenant: Any = None  # str, None or UNKNOWN
    to: Any = None  # str, None or UNKNOWN
    operation: str | None = None
    headers: Mapping[str, str] | None = None  # case-insensitive for requests
    event: str | None = None
    attempt: int | None = None


@dataclass(slots=True)
class RuleState:
    """A rule's counters in one active scenario."""

    seen: int = 0  # times the conditions matched, even if an earlier rule answered (what nth counts)
    used: int = 0  # times the rule acted (what times limits)


@dataclass(eq=False)
class ActiveScenario:
    """A scenario applied to the whole emulator, or to one (vendor, tenant)."""

    scenario: Scenario
    random: random.Random
    applied_at: float
    vendor: str | None = None  # set for a tenant scenario
    tenant: str | None = None
    states: list[RuleState] = field(default_factory=list)
    timers: list[Any] = field(default_factory=list)  # inbound arrivals still to come

    def __post_init__(self) -> None:
        self.states = [RuleState() for _ in self.scenario.rules]

    @property
    def label(self) -> str:
        """The scenario's name, and whose it is for a tenant scenario."""
        scope = f" for {self.vendor} tenant {self.tenant}" if self.tenant is not None else ""
        return f"{self.scenario.name}{scope}"

    def indexes(self, kind: str) -> list[int]:
        """The rules that answer one question: ``fault``, ``webhook`` or ``fax``."""
        rules = self.scenario.rules
        if kind == "fault":
            return [i for i, r in enumerate(rules) if r.fault is not None]
        if kind == "webhook":
            return [i for i, r in enumerate(rules) if r.webhook is not None]
        return [i for i, r in enumerate(rules) if r.decides_outcome or r.delays]

    def check(self, index: int, facts: Facts, count_only: bool = False) -> Verdict:
        """Whether rule ``index`` matches; a YES counts as one use of the rule.

        Order, as documented: the conditions on known facts; then WAIT if the rule needs a
        fact not known yet; then the match is counted (what ``nth`` counts: with
        ``count_only``, when an earlier rule already answered, that is all); then ``times``
        (used up: no); then ``nth``; then ``probability`` draws from the seeded source.
        """
        rule = self.scenario.rules[index]
        match = rule.match
        if match.vendor is not None and facts.vendor not in match.vendor:
            return Verdict.NO
        if match.operation is not None and facts.operation not in match.operation:
            return Verdict.NO
        if match.event is not None and not match.event(facts.event):
            return Verdict.NO
        if match.attempt is not None and (facts.attempt is None or not match.attempt(facts.attempt)):
            return Verdict.NO
        headers = facts.headers or {}
        if any(not pattern(headers.get(name)) for name, pattern in match.header):
            return Verdict.NO
        waiting = False
        for pattern, value in ((match.tenant, facts.tenant), (match.to, facts.to)):
            if pattern is None:
                continue
            if value is UNKNOWN:
                waiting = True
            elif not pattern(value):
                return Verdict.NO
        if waiting:
            return Verdict.WAIT
        state = self.states[index]
        state.seen += 1
        if count_only or (rule.times is not None and state.used >= rule.times):
            return Verdict.NO
        if match.nth is not None and not match.nth(state.seen):
            return Verdict.NO
        if match.probability is not None and not self.random.random() < match.probability:
            return Verdict.NO
        state.used += 1
        return Verdict.YES

    def rule(self, index: int) -> Rule:
        """Rule number ``index`` (0-based)."""
        return self.scenario.rules[index]

    def to_json(self, now: float) -> dict[str, Any]:
        """The scenario as written, with each rule's counters so far."""
        scenario = self.scenario
        return {
            "name": scenario.name,
            "description": scenario.description,
            "sources": list(scenario.sources),
            "vendor": self.vendor,
            "tenant": self.tenant,
            "applied_at": self.applied_at,
            "rules": [
                {"label": rule.label, "times": rule.times, "matched": state.seen, "used": state.used}
                for rule, state in zip(scenario.rules, self.states, strict=True)
            ],
            "inbound_pending": sum(1 for t in self.timers if not t.cancelled and t.due > now),
            "document": scenario.document,
        }
