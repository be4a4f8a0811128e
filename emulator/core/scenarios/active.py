"""A scenario in force: its rules plus the state they keep (counters, a seeded random source).

Every question the emulator asks a scenario (what fault does this request get, how does
this fax attempt end, what happens to this webhook) goes through ``ActiveScenario.check``,
one rule at a time, in order; the first rule that matches answers. Whether a rule's
conditions hold is ``match.py``'s; what is kept here is what a rule counts and draws.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from emulator.core.scenarios.match import Facts, Verdict

if TYPE_CHECKING:  # the model is loaded with the first scenario, not at start-up
    from emulator.core.scenarios.model import Rule, Scenario


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
        verdict = match.verdict(facts)
        if verdict is not Verdict.YES:
            return verdict
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
