"""Who decides what happens to a fax: the ``OutcomePolicy`` the engine asks, and the
default one, ``MagicNumberPolicy`` (scenarios wrap it: core/scenarios/policy.py)."""

from __future__ import annotations

from typing import Protocol

from emulator.core.outcomes import SUCCESS, Result, magic_number
from emulator.core.run import Run


class OutcomePolicy(Protocol):
    """Decides what happens to a fax (``run.fax``): the default is magic numbers; scenarios
    wrap it. ``run`` is the engine's run of the fax, where a policy may keep what it decided
    (``run.decision``)."""

    def attempt(self, run: Run, attempt: int) -> Result:
        """The result of attempt number ``attempt`` (1-based)."""

    def dwell(self, run: Run, state: str, default: float) -> float:
        """Seconds the fax stays in ``state``."""


class MagicNumberPolicy:
    """Outcomes from the destination number; dwell times as the vendor declares them."""

    def attempt(self, run: Run, attempt: int) -> Result:
        magic = magic_number(run.fax.to)
        if magic is None:
            return SUCCESS
        outcome = magic.outcomes[min(attempt, len(magic.outcomes)) - 1]
        return Result(outcome, rule=f"magic number *{magic.suffix} ({magic.meaning})")

    def dwell(self, run: Run, state: str, default: float) -> float:
        return default
