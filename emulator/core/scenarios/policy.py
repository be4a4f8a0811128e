"""ScenarioPolicy: the engine's OutcomePolicy when scenarios are in force.

Each attempt of a fax is decided once, the first time the engine asks about it (usually
when the fax is submitted, for the dwell time of its first state), and kept on the
engine's run of the fax (``Run.decision``): so a rule's ``probability`` or ``nth`` is drawn or counted once per
attempt, however many questions the engine asks. Without a matching rule the magic
numbers decide, and the vendor's own dwell times apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.core.outcomes import SUCCESS, Result
from emulator.core.policies import MagicNumberPolicy, OutcomePolicy
from emulator.core.scenarios.manager import Decision

if TYPE_CHECKING:
    from emulator.core.run import Run
    from emulator.core.scenarios.manager import Scenarios


class ScenarioPolicy:
    """Outcomes and dwell times from the scenarios, falling back to ``fallback`` (magic numbers)."""

    def __init__(self, scenarios: Scenarios, fallback: OutcomePolicy | None = None) -> None:
        self.scenarios = scenarios
        self.fallback = fallback or MagicNumberPolicy()

    def attempt(self, run: Run, attempt: int) -> Result:
        """The first matching rule's result for this attempt, else the fallback's."""
        return self._decision(run, attempt).result

    def dwell(self, run: Run, state: str, default: float) -> float:
        """A rule's ``delays``, else the scenario's ``timing``, else the fallback's (the vendor's)."""
        fax = run.fax
        decision = self._decision(run, fax.attempts + 1)
        if decision.delays and state in decision.delays:
            return decision.delays[state]
        if self.scenarios.in_force:
            seconds = self.scenarios.timing(fax.vendor, fax.tenant, state)
            if seconds is not None:
                return seconds
        return self.fallback.dwell(run, state, default)

    def _decision(self, run: Run, attempt: int) -> Decision:
        decision = run.decision
        if not isinstance(decision, Decision) or decision.attempt != attempt:
            if self.scenarios.in_force:
                decision = self.scenarios.decide(run, attempt, self.fallback)
            else:  # what decide() finds with no scenario, without a new object per fax
                decision = _plain(attempt, self.fallback.attempt(run, attempt))
            run.decision = decision
        return decision


def decided_rule(run: Run) -> str | None:
    """The rule (or magic number) that decided the current attempt of the run's fax, if a
    ``ScenarioPolicy`` decided it: the request that made the fax shows it in the journal
    (``Runtime.start``)."""
    decision = run.decision
    return decision.result.rule if isinstance(decision, Decision) else None


def _plain(attempt: int, result: Result) -> Decision:
    """The decision of an attempt no rule decides (no delays)."""
    if result is SUCCESS and attempt <= len(_SUCCESSES):
        return _SUCCESSES[attempt - 1]
    return Decision(attempt, result, {})


#: the plain successful decisions of the first attempts: shared values, never changed
_SUCCESSES = tuple(Decision(attempt, SUCCESS, {}) for attempt in range(1, 33))
