"""``Run``: what the engine keeps about one fax while it drives it (core/lifecycle.py).

None of it is the fax's state: the attempt's result decided ahead of the attempt, what the
engine's ``OutcomePolicy`` decided for the attempt, and the timer that moves the fax on. The
run is that timer itself, armed again at each step (``Scheduler.arm``): one object per fax
in flight, not a timer and its arguments a step (a million faxes in flight held 128 MB less,
and the cyclic collector walks two objects less for each). The engine makes a ``Run`` when a
fax starts (or waits on a timer of its vendor's) and lets it go when the fax ends or is stopped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.core.scheduler import Timer

if TYPE_CHECKING:
    from collections.abc import Callable

    from emulator.core.outcomes import Result
    from emulator.core.store import Fax


class Run(Timer):
    """The engine's scratch for one fax in flight; as a timer, it calls ``action(run)``."""

    __slots__ = ("decision", "fax", "own", "pending")

    def __init__(self, fax: Fax, action: Callable[[Run], object]) -> None:
        super().__init__(0.0, action, ())
        self.fax = fax
        #: the running attempt's result, decided when it starts (or at conversion)
        self.pending: Result | None = None
        #: what the engine's policy decided for the current attempt, kept by the policy itself
        #: (core/scenarios/policy.py keeps a ``Decision``), so it decides each attempt once
        self.decision: object = None
        #: a vendor's own timer for the fax (``Engine.schedule``: an inbound fax being received)
        self.own: Timer | None = None

    def fire(self) -> None:
        self.action(self)  # the run itself, not arguments held: no cycle for the collector

    @property
    def timer(self) -> Timer | None:
        """The timer that moves the fax on: the run itself while it is armed, else the vendor's own."""
        return self if self.owner is not None else self.own
