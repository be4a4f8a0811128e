"""``Run``: what the engine keeps about one fax while it drives it (core/lifecycle.py).

None of it is the fax's state: the timer that will move it on, the attempt's result decided
ahead of the attempt, and what the engine's ``OutcomePolicy`` decided for the attempt. The
engine makes a ``Run`` when a fax starts (or waits on a timer of its vendor's) and lets it
go when the fax ends or is stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator.core.outcomes import Result
    from emulator.core.scheduler import Timer
    from emulator.core.store import Fax


@dataclass(slots=True, eq=False)
class Run:
    """The engine's scratch for one fax in flight."""

    fax: Fax
    timer: Timer | None = None  # the one timer that moves the fax on
    pending: Result | None = None  # the running attempt's result, decided when it starts (or at conversion)
    #: what the engine's policy decided for the current attempt, kept by the policy itself
    #: (core/scenarios/policy.py keeps a ``Decision``), so it decides each attempt once
    decision: object = None
