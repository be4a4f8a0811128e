"""The event stream: one typed stream of what happens in the emulator, for whoever listens.

Core publishes each kind of event from one place:

========== ================================================= ===============================
type       what happened                                     published by
========== ================================================= ===============================
fax        a fax was created, entered a status or changed    ``store.Store.changed`` (every change)
webhook    a webhook attempt ended, or a delivery was lost   ``webhooks.Dispatcher`` (where an attempt settles)
request    a request was recorded in the journal             ``journal.Journal.record``
violation  a contract violation was recorded                 ``journal.Journal.violation``
scenario   a scenario was put in force or taken out          ``scenarios.manager.Scenarios``
clock      the manual clock moved                            ``scheduler.Scheduler.advance``
reset      faxes and logs were forgotten                     ``runtime.Runtime.reset``
dropped    (to one subscriber) it lost events: re-fetch      a ``Subscriber`` that fell behind
========== ================================================= ===============================

The consumers are independent: the SSE endpoint ``/_emulator/events`` (and through it the
web UI and ``wait_for`` in the Python client) and the console log of ``serve``.

Publishing costs nothing measurable when nobody listens: every call site first reads
``events.subscribers`` (an empty list while nobody listens) and builds nothing otherwise.
Each subscriber has a bounded queue (``Subscriber.limit``). When it is full, a new ``fax``
event replaces the queued one of the same fax (the subscriber sees that fax's latest
state); anything else that does not fit empties the queue into one ``dropped`` marker
that counts what was lost, so a slow listener costs a bounded amount of memory and learns
that it must re-fetch.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from emulator.core.answers import loose_json_bytes
from emulator.core.tally import Tally
from emulator.core.views import fax_summary

if TYPE_CHECKING:
    from emulator.core.store import Fax, Transition

#: every event type, in the order the README describes them
TYPES = ("fax", "webhook", "request", "violation", "scenario", "clock", "reset", "dropped")
#: types whose events with no vendor are about the whole emulator (see ``Filter``)
WHOLE = frozenset({"clock", "reset", "scenario"})
#: events a subscriber's queue holds before it coalesces or drops
DEFAULT_LIMIT = 10_000


class Event:
    """One thing that happened: its ``type``, its JSON ``data``, and what it is about (for filters)."""

    __slots__ = ("_frame", "at", "data", "fax_id", "seq", "tenant", "type", "vendor")

    def __init__(
        self,
        seq: int,
        type: str,
        data: dict[str, Any],
        vendor: str | None = None,
        tenant: str | None = None,
        fax_id: str | None = None,
        at: float = 0.0,
    ) -> None:
        self.seq = seq
        self.type = type
        self.data = data
        self.vendor = vendor
        self.tenant = tenant
        self.fax_id = fax_id
        self.at = at  # the emulated time it happened (``Events.make``)
        self._frame: bytes | None = None

    @property
    def frame(self) -> bytes:
        """The event as a server-sent event (``id:``, ``event:``, ``data:``), encoded once for
        every subscriber."""
        if self._frame is None:
            data = loose_json_bytes(self.data)  # (a lone surrogate as its escape: it was a 500 that ended the stream)
            self._frame = b"id: %d\nevent: %s\ndata: %s\n\n" % (self.seq, self.type.encode(), data)
        return self._frame

    def to_json(self) -> dict[str, Any]:
        return {"id": self.seq, "type": self.type, "data": self.data}

    def __repr__(self) -> str:
        return f"Event({self.seq}, {self.type!r}, fax_id={self.fax_id!r})"


class Filter:
    """Which events a subscriber wants: by type, vendor, tenant and fax (None: any).

    Events about the whole emulator (the clock, a reset or scenario with no vendor) pass
    every vendor, tenant and fax filter; a request with no vendor (a stray path) passes
    only when no vendor, tenant or fax is asked for.
    """

    __slots__ = ("fax_id", "tenant", "types", "vendor")

    def __init__(
        self,
        types: Collection[str] | None = None,
        vendor: str | None = None,
        tenant: str | None = None,
        fax_id: str | None = None,
    ) -> None:
        self.types = frozenset(types) if types else None
        self.vendor, self.tenant, self.fax_id = vendor, tenant, fax_id

    def __call__(self, event: Event) -> bool:
        if self.types is not None and event.type not in self.types:
            return False
        if event.vendor is None and event.type in WHOLE:
            return True
        return (
            (self.fax_id is None or event.fax_id == self.fax_id)
            and (self.vendor is None or event.vendor == self.vendor)
            and (self.tenant is None or event.tenant == self.tenant or (event.tenant is None and event.type in WHOLE))
        )


class Subscriber:
    """One listener's bounded queue of events (see the module docstring for when it is full)."""

    def __init__(self, events: Events, wanted: Filter | None = None, limit: int = DEFAULT_LIMIT) -> None:
        if limit < 2:
            raise ValueError("a subscriber's queue holds at least 2 events")
        self.events = events
        self.wanted = wanted
        self.limit = limit
        #: queued events, each in a one-item list so a newer state of its fax can replace it
        self._queue: deque[list[Event]] = deque()
        self._fax_slots: dict[str, list[Event]] = {}  # fax id -> the slot of its queued event
        self.lost = 0  # events lost since the last ``dropped`` marker was taken
        self.coalesced = 0  # fax events replaced by a newer state of the same fax (ever)
        self.closed = False
        self._ready = asyncio.Event()

    def offer(self, event: Event) -> None:
        """Queue ``event`` if it is wanted (called by ``Events.publish``)."""
        if self.wanted is not None and not self.wanted(event):
            return
        queue = self._queue
        if len(queue) < self.limit:
            slot = [event]
            queue.append(slot)
            if event.fax_id is not None and event.type == "fax":
                self._fax_slots[event.fax_id] = slot
        elif event.type == "fax" and event.fax_id in self._fax_slots:
            self._fax_slots[event.fax_id][0] = event  # coalesced: the latest state of that fax
            self.coalesced += 1
        else:
            marked = queue[0][0].type == "dropped"  # the marker of an earlier loss is not an event lost
            self.lost += len(queue) + 1 - marked
            queue.clear()
            self._fax_slots.clear()
            queue.append([self.events.make("dropped", {"lost": self.lost, "reason": "slow"})])
        self._ready.set()

    def take(self) -> list[Event]:
        """Every queued event, oldest first (empty if none)."""
        taken = [slot[0] for slot in self._queue]
        self._queue.clear()
        self._fax_slots.clear()
        if taken and taken[0].type == "dropped":
            self.lost = 0
        self._ready.clear()
        return taken

    async def next_batch(self, timeout: float | None = None) -> list[Event]:
        """Wait until an event is queued (or ``timeout`` wall seconds pass, or it is closed), then ``take``."""
        if not self._queue and not self.closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), timeout)
        return self.take()

    def close(self) -> None:
        """Stop listening; a waiting ``next_batch`` returns at once."""
        self.closed = True
        self.events.unsubscribe(self)
        self._ready.set()

    def __len__(self) -> int:
        return len(self._queue)


class Events:
    """The stream: ``publish`` hands an event to every subscriber's queue."""

    def __init__(self, clock: Callable[[], float] = lambda: 0.0) -> None:
        #: the emulated time, which each event is stamped with (a listener may show it later)
        self.clock = clock
        #: the listening subscribers; call sites test it first, so no listener costs nothing
        self.subscribers: list[Subscriber] = []
        #: what happened, counted at the same call sites whether anyone listens or not (coverage)
        self.tally = Tally()
        self._seq = itertools.count(1)
        self.last = 0  # seq of the newest event made

    def subscribe(self, wanted: Filter | None = None, limit: int = DEFAULT_LIMIT) -> Subscriber:
        subscriber = Subscriber(self, wanted, limit)
        self.subscribers = [*self.subscribers, subscriber]  # a new list: publish may be iterating
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        before = len(self.subscribers)
        self.subscribers = [s for s in self.subscribers if s is not subscriber]
        if before and not self.subscribers:
            # from now on nothing is published: the gap takes an id, so a client that comes back
            # with the id it saw last knows it may have missed events (``missed``)
            self.last = next(self._seq)

    def missed(self, last_seen: int) -> bool:
        """Whether a client that saw event ``last_seen`` last may have missed events since."""
        return last_seen != self.last

    def make(
        self,
        type: str,
        data: dict[str, Any],
        vendor: str | None = None,
        tenant: str | None = None,
        fax_id: str | None = None,
    ) -> Event:
        self.last = seq = next(self._seq)
        return Event(seq, type, data, vendor, tenant, fax_id, self.clock())

    def publish(
        self,
        type: str,
        data: dict[str, Any],
        vendor: str | None = None,
        tenant: str | None = None,
        fax_id: str | None = None,
    ) -> None:
        """Hand a new event to every subscriber (callers test ``subscribers`` first)."""
        event = self.make(type, data, vendor, tenant, fax_id)
        for subscriber in self.subscribers:
            subscriber.offer(event)

    # -- one function per event type, so each call site stays one line ---------------------
    def fax(self, fax: Fax, transition: Transition | None) -> None:
        """``Store.changed``'s listener: ``fax`` changed. ``transition`` is the status it left
        (None when it was created) and the one it entered, or None for any other change (an
        edited comment, a new id, its documents expired). The data is the fax's neutral
        summary as it is now, plus the change and the fax's ``version`` (``Store.changed``
        counts every change of it); its history and vendor view are one GET away.

        A fax stored but not yet started has no status to show: nothing is published until
        its first one, which follows in the same call (``Runtime.submit``, ``receive``).
        (Whether it has one is read from the flat ``fax.entered``: ``fax.history`` would make
        a view of it first, about 3,000 instructions of each call.)"""
        if not self.subscribers or not fax.entered:
            return
        data = fax_summary(fax)
        data["version"] = fax.version
        data["vendor_status"] = fax.status
        data["change"] = None if transition is None else {"from": transition[0], "to": transition[1]}
        self.publish("fax", data, fax.vendor, fax.tenant, fax.id)

    def close(self) -> None:
        """End every subscription (on shutdown): each waiting reader returns."""
        for subscriber in list(self.subscribers):
            subscriber.close()
