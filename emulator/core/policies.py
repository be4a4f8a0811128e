"""Who decides what happens to a fax: the ``OutcomePolicy`` the engine asks, and the
default one, ``MagicNumberPolicy`` (scenarios wrap it: core/scenarios/policy.py)."""

from __future__ import annotations

from typing import Protocol

from emulator.core.memo import Memo, Remembered
from emulator.core.outcomes import SUCCESS, MagicNumber, Result, magic_number
from emulator.core.run import Run

#: a destination up to this long has its magic number looked up once (``MagicNumberPolicy``'s
#: ``remembered``); a longer one every time
REMEMBERED_DESTINATION = 32
#: ``magic_number``, remembered in each emulator's cache (``cache.memos[MAGIC_NUMBERS_OF]``: the
#: default policy's ``remembered``)
MAGIC_NUMBERS_OF = Remembered("outcomes.magic_numbers", magic_number, longest=REMEMBERED_DESTINATION)


class OutcomePolicy(Protocol):
    """Decides what happens to a fax (``run.fax``): the default is magic numbers; scenarios
    wrap it. ``run`` is the engine's run of the fax, where a policy may keep what it decided
    (``run.decision``)."""

    def attempt(self, run: Run, attempt: int) -> Result:
        """The result of attempt number ``attempt`` (1-based)."""

    def dwell(self, run: Run, state: str, default: float) -> float:
        """Seconds the fax stays in ``state``."""


class MagicNumberPolicy:
    """Outcomes from the destination number; dwell times as the vendor declares them.

    ``remembered`` is ``magic_number`` remembered (``cache.memos[MAGIC_NUMBERS_OF]``; none: looked
    up each time): a client sends to the same few numbers, and the look-up (a loop, a slice,
    two ``index`` calls on a hit) was ~40 bytecodes of every send."""

    def __init__(self, remembered: Memo[str, MagicNumber | None] | None = None) -> None:
        self.remembered = remembered

    def attempt(self, run: Run, attempt: int) -> Result:
        remembered = self.remembered
        magic = remembered[run.fax.to] if remembered is not None else magic_number(run.fax.to)
        if magic is None:
            return SUCCESS
        outcome = magic.outcomes[min(attempt, len(magic.outcomes)) - 1]
        return Result(outcome, rule=f"magic number *{magic.suffix} ({magic.meaning})")

    def dwell(self, run: Run, state: str, default: float) -> float:
        return default
