"""The serving process's cyclic collector: full passes over only what is new.

CPython's collector makes a full pass once the objects that reached its oldest generation
grew by a quarter, and each full pass walks every object tracked. A server that keeps what it
is sent (the faxes, their runs, the journal) walks its whole heap again and again as it grows:
in wrk runs of Kazoo sends, passes of 94 to 334 ms over 20,000 to 90,000 faxes, the sends'
p99, and 7 % of a send's CPU over 91,516 sends. They found nothing to collect.

``FreezeAfterFullPass`` freezes (``gc.freeze``) what each full pass leaves, so the next one
walks only what came since; the young passes are CPython's own. What is frozen is not
collected: a cycle frozen while alive and dropped later waits. So once the frozen objects
reach ``growth`` times what the last whole-heap pass left, it unfreezes them all and the next
full pass walks the whole heap again: a dropped cycle waits at most that growth, memory
stays within ``growth`` times what is alive, and the whole-heap passes come at each fourfold
growth (each object walked 4/3 times over in all, against about five times by CPython's rule).

Measured and not kept: the young generation's threshold raised tenfold (700 -> 7,000, fewer
passes over the requests in flight): 2,000-send pairs of ``benchmarks/instructions.py --sends``
gave Kazoo 633,482 -> 645,980 instructions a send and CallerIP 532,324 -> 525,660, within the
pairs' noise. Measured again 2026-12-04 (700 -> 5,000): Kazoo 556,305 -> 548,486 instructions; the
server's CPU a send over eight alternating rounds of 10,000 sends, Kazoo 145.5 -> 140.0 µs but
Imagicle 131.5 -> 134.0 µs: no gain that holds for every send.
"""

from __future__ import annotations

import gc
from typing import Any

#: how much the frozen objects may grow past what the last whole-heap pass left before the
#: next full pass walks them all again
GROWTH = 4


class FreezeAfterFullPass:
    """A ``gc.callbacks`` entry: ``install`` it once the process holds what lives as long as it
    (start-up's objects are the first whole heap walked), ``remove`` it when serving ends."""

    def __init__(self, growth: float = GROWTH) -> None:
        self.growth = growth
        self.walked = 0  # what the last pass over the whole heap left (frozen at once)
        self.whole = False  # the next full pass walks the whole heap (everything was unfrozen)

    def install(self) -> None:
        self.hold()
        gc.callbacks.append(self)

    def hold(self) -> None:
        """Freeze what the process holds now for as long as it lives (start-up's objects, then
        what warming up loaded): the growth that unfreezes is counted from it."""
        gc.freeze()
        self.walked, self.whole = gc.get_freeze_count(), False

    def remove(self) -> None:
        gc.callbacks.remove(self)

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase != "stop" or info["generation"] != 2:
            return
        gc.freeze()
        if self.whole:
            self.walked, self.whole = gc.get_freeze_count(), False
        elif gc.get_freeze_count() >= self.growth * max(self.walked, 1):
            gc.unfreeze()  # the whole heap goes back to the oldest generation, for the next full pass
            self.whole = True
