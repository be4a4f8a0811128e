"""One timer heap driven by the clock: every delayed action of the emulator lives here.

There is no asyncio task per fax. Actions are plain synchronous callables that change
state; asynchronous side work they start (a webhook POST, say) goes through ``spawn`` so
the scheduler knows when it has settled. On the manual clock, ``advance`` runs every
action that falls due, in time order (ties in scheduling order), including actions
scheduled by actions that ran, and waits for the side work they spawned before the
call returns. Side work that talks to the outside world (a webhook POST whose receiver
may never answer) is spawned with a ``bound`` (the receiver): ``advance`` waits for each
such task only ``wait`` wall seconds from its start (default ``DEFAULT_WAIT``), and once a
receiver has kept it waiting that long, not again for that receiver during the call. The
task finishes in the background; whoever spawned it says what is still out.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import heapq
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from emulator.core.clock import Clock, ManualClock
from emulator.core.events import Events

log = logging.getLogger(__name__)

Action = Callable[..., Any]

#: ``run_until_idle`` gives up after this much emulated time (30 days), so a
#: self-rescheduling action cannot make it loop for ever.
IDLE_HORIZON = 30 * 24 * 3600.0
#: wall seconds ``advance`` (or ``run_until_idle``) waits for one bounded task; a bound that
#: kept it waiting that long is not waited for again during the call
DEFAULT_WAIT = 5.0
#: cancelled timers the scheduler may hold before it lets go of them all (``Scheduler.compact``),
#: once they also outnumber the live ones
COMPACT_FLOOR = 1024


class Timer:
    """A scheduled action; ``cancel()`` makes it a no-op. One that has run may be scheduled
    again (``Scheduler.arm``)."""

    __slots__ = ("action", "args", "cancelled", "due", "owner")

    def __init__(self, due: float, action: Action, args: tuple[Any, ...]) -> None:
        self.due = due
        self.action = action
        self.args = args
        self.cancelled = False
        self.owner: Scheduler | None = None  # the scheduler that holds it, until it runs or is dropped

    def fire(self) -> None:
        """What the scheduler calls when the timer falls due."""
        self.action(*self.args)

    def cancel(self) -> None:
        owner, held = self.owner, not self.cancelled
        self.cancelled = True
        if not held or owner is None:
            return
        owner._live -= 1
        owner.held_cancelled += 1
        if owner.held_cancelled > COMPACT_FLOOR and owner.held_cancelled > owner._live:
            owner.compact()


class Scheduler:
    """A heap of timers on a clock, plus the set of side tasks those timers spawned."""

    def __init__(self, clock: Clock, events: Events | None = None) -> None:
        self.clock = clock
        self.events = events if events is not None else Events()
        #: timers grouped by due instant, each instant's in scheduling order, and a heap of the
        #: instants: faxes sent together fall due together, so one heap entry serves a whole
        #: batch (a heap entry per timer made heappush and heappop about a tenth of driving
        #: faxes in benchmarks/scale.py, and a tuple and a sequence number per timer held memory)
        self._due: dict[float, list[Timer]] = {}
        self._heap: list[float] = []
        self._live = 0  # timers held, neither run nor cancelled
        #: cancelled timers still in their instant's bucket: each holds what its action would
        #: have acted on (an engine's run holds its fax) until the instant comes or ``compact``
        self.held_cancelled = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        #: side work advance waits for only so long: task -> (its bound, when it started)
        self._bounded: dict[asyncio.Task[Any], tuple[Hashable, float]] = {}
        #: wall seconds an advance waits for one bounded task (``Config.advance_wait``)
        self.wait = DEFAULT_WAIT
        self._wakeup: asyncio.Event | None = None
        self._advance_lock: asyncio.Lock | None = None
        #: the last errors raised by actions or side tasks, newest last (bounded)
        self.errors: deque[str] = deque(maxlen=100)

    # -- scheduling -------------------------------------------------------------
    def at(self, due: float, action: Action, *args: Any) -> Timer:
        """Run ``action(*args)`` at emulated time ``due`` (at once if it is past)."""
        timer = Timer(due, action, args)
        self.arm(timer, due)
        return timer

    def arm(self, timer: Timer, due: float) -> None:
        """Hold ``timer`` until ``due``, when it fires: a new one, or one that has fired (whoever
        moves one thing on step after step, the engine a fax, keeps one timer for all its steps)."""
        if timer.owner is not None:
            raise RuntimeError("the timer is scheduled already")
        timer.due, timer.cancelled, timer.owner = due, False, self
        self._live += 1
        bucket = self._due.get(due)
        if bucket is not None:  # the instant has its heap entry already
            bucket.append(timer)
            return
        self._due[due] = [timer]
        heapq.heappush(self._heap, due)
        if self._wakeup is not None and self._heap[0] == due:
            self._wakeup.set()

    def after(self, delay: float, action: Action, *args: Any) -> Timer:
        """Run ``action(*args)`` ``delay`` emulated seconds from now."""
        return self.at(self.clock.now() + max(0.0, delay), action, *args)

    def spawn(self, work: Awaitable[Any], *, bound: Hashable | None = None) -> asyncio.Task[Any]:
        """Start asynchronous side work that ``advance`` must wait for; with a ``bound`` (the
        far end, which may never answer), only up to ``wait`` seconds (see the module)."""
        task = asyncio.ensure_future(work)
        if bound is None:
            self._tasks.add(task)
        else:
            self._bounded[task] = (bound, asyncio.get_running_loop().time())
        task.add_done_callback(self._task_done)
        return task

    def restarted(self) -> None:
        """The bounded task calling this begins a new piece of work (a sender's next attempt):
        ``advance`` counts its wait from now."""
        task = asyncio.current_task()
        if task in self._bounded:
            self._bounded[task] = (self._bounded[task][0], asyncio.get_running_loop().time())

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        self._bounded.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("side task failed: %r", exc, exc_info=exc)
            self.errors.append(repr(exc))

    @property
    def pending(self) -> int:
        """Timers not yet run or cancelled (counted as they come and go: the heap may be large)."""
        return self._live

    def next_due(self) -> float | None:
        self._drop_cancelled()
        return self._heap[0] if self._heap else None

    # -- running ----------------------------------------------------------------
    def _drop_cancelled(self) -> None:
        """Forget the cancelled timers at the front of the earliest instant, and the instants
        left with none (each cancelled timer is passed over once)."""
        heap, due = self._heap, self._due
        while heap:
            bucket = due[heap[0]]
            live = next((index for index, timer in enumerate(bucket) if not timer.cancelled), None)
            if live is None:
                for timer in due.pop(heapq.heappop(heap)):
                    timer.owner = None
                self.held_cancelled -= len(bucket)
                continue
            if live:
                for timer in bucket[:live]:
                    timer.owner = None
                del bucket[:live]
                self.held_cancelled -= live
            return

    def compact(self) -> None:
        """Let go of every cancelled timer now, not when its instant comes: on the manual clock
        that may be never (a load test's faxes, then a reset, held every fax reset dropped).
        ``Timer.cancel`` calls it once the cancelled outnumber the live timers and
        ``COMPACT_FLOOR``, so each cancelled timer is passed over about once. The buckets and
        the heap change in place: ``run_due`` and ``advance`` hold them while actions run."""
        due, dropped = self._due, 0
        for instant in list(due):
            bucket = due[instant]
            live = [timer for timer in bucket if not timer.cancelled]
            if len(live) == len(bucket):
                continue
            for timer in bucket:
                if timer.cancelled:
                    timer.owner = None
            dropped += len(bucket) - len(live)
            if live:
                bucket[:] = live
            else:
                del due[instant]
        if dropped:
            self._heap[:] = sorted(due)  # (a sorted list is a heap)
        self.held_cancelled -= dropped

    def _failed(self, timer: Timer, exc: Exception) -> None:
        log.error("scheduled action %r failed", timer.action, exc_info=exc)
        self.errors.append(f"{getattr(timer.action, '__qualname__', timer.action)}: {exc!r}")

    def run_due(self) -> int:
        """Run every action due by the clock's present time; return how many ran.

        Instants run in time order, each one's timers in the order they were scheduled; a timer
        an action schedules for an instant already running runs after that instant's others.

        The cyclic garbage collector waits until they have all run: a batch of due timers
        (every fax sent at one instant reaches its next state at one instant) makes objects
        that live on, and the collector's passes during the batch walked them again and again
        (a third of driving 100,000 faxes in ``benchmarks/scale.py``). Actions make no
        garbage cycles worth collecting sooner: the collector runs once after the batch.

        What the collector still costs is outside any batch: its full passes while faxes are
        submitted (3.3 of its 4.2 CPU seconds at 1,000,000 faxes in scale.py, about a seventh of
        a run that meets its 25 s target in 22.6 s on a quiet machine). Each fax in flight adds
        two objects it tracks (the ``Fax`` and its ``Run``), and CPython's rule (a full pass
        once a quarter more objects reached the oldest generation) walks a growing heap about
        five times over. ``gc.freeze`` at each doubling of the faxes held measured 2.3 s in
        place of 3.3 (the rule restarts from the part not frozen) and would keep for ever any
        cycle alive when it froze: not done. What would cut it: fewer objects the collector
        tracks per fax in flight, or freezing after every full pass with an unfreeze at each
        fourfold growth of what is frozen (a cycle then waits at most that long to be
        collected): ``serve`` does that (``emulator/heap.py``), scale.py runs without it.
        """
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            ran = 0
            heap, due = self._heap, self._due
            now = self.clock.now()
            while heap and heap[0] <= now:
                for timer in due.pop(heapq.heappop(heap)):
                    timer.owner = None
                    if timer.cancelled:
                        self.held_cancelled -= 1
                    else:
                        self._live -= 1
                        try:
                            timer.fire()
                        except Exception as exc:  # one broken action must not stop the clock
                            self._failed(timer, exc)
                        ran += 1
            return ran
        finally:
            if paused:
                gc.enable()

    async def settle(self, slow: set[Hashable] | None = None, wait: float | None = None) -> None:
        """Wait until no spawned side work is in flight. With ``slow`` (the bounds that kept
        this call waiting too long, added to as they do), bounded work only ``wait`` seconds
        (default ``self.wait``) from its start; without, for as long as it takes."""
        loop = asyncio.get_running_loop()
        limit = self.wait if wait is None else wait
        while self._tasks or self._bounded:
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
                continue
            if slow is None:
                await asyncio.wait(list(self._bounded), return_when=asyncio.FIRST_COMPLETED)
                continue
            now = loop.time()
            waiting: dict[asyncio.Task[Any], float] = {}
            for task, (bound, started) in self._bounded.items():
                if bound in slow:
                    continue
                if started + limit <= now:
                    slow.add(bound)
                else:
                    waiting[task] = started + limit
            if not waiting:
                return
            await asyncio.wait(list(waiting), timeout=min(waiting.values()) - now, return_when=asyncio.FIRST_COMPLETED)

    async def advance(self, seconds: float, wait: float | None = None, *, slow: set[Hashable] | None = None) -> int:
        """Manual clock: move time forward, running everything due on the way.

        Bounded side work is waited for ``wait`` wall seconds a task (default ``self.wait``);
        ``slow`` carries the bounds that outlasted it from an earlier call (run_until_idle)."""
        clock = self.clock
        if not isinstance(clock, ManualClock):
            raise RuntimeError("only a manual clock can be advanced")
        if seconds < 0:
            raise ValueError("cannot advance by a negative time")
        if self._advance_lock is None:
            self._advance_lock = asyncio.Lock()
        if slow is None:
            slow = set()
        async with self._advance_lock:
            target = clock.now() + seconds
            ran = 0
            heap = self._heap
            while True:
                await self.settle(slow, wait)
                self._drop_cancelled()
                if not heap or heap[0] > target:
                    break
                due = heap[0]
                if due > clock.now():
                    clock.set(due)
                # run everything due at this instant, then let its side work settle
                ran += self.run_due()
            clock.set(target)
            await self.settle(slow, wait)
            if self.events.subscribers:
                self.events.publish(
                    "clock", {"mode": clock.mode, "now": clock.now(), "advanced": seconds, "actions_run": ran}
                )
            return ran

    async def run_until_idle(self, horizon: float = IDLE_HORIZON, wait: float | None = None) -> float:
        """Manual clock: advance to each next due action until none is left.

        Returns the emulated seconds that passed. Stops at ``horizon`` seconds. Bounded side
        work is waited for as in ``advance``, over the whole call.
        """
        start = self.clock.now()
        slow: set[Hashable] = set()
        while True:
            await self.settle(slow, wait)
            due = self.next_due()
            if due is None or due - start > horizon:
                break
            await self.advance(max(0.0, due - self.clock.now()), wait, slow=slow)
        return self.clock.now() - start

    async def run_forever(self) -> None:
        """Real clock: sleep until the next due action, run it, repeat."""
        self._wakeup = asyncio.Event()
        while True:
            self.run_due()
            self._wakeup.clear()
            due = self.next_due()
            timeout = None if due is None else self.clock.wall_delay(due - self.clock.now())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout)

    async def close(self) -> None:
        """Cancel side work still in flight (on shutdown)."""
        tasks = [*self._tasks, *self._bounded]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
