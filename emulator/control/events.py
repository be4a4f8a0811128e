"""``GET /_emulator/events``: the event stream (core/events.py) as server-sent events.

Each event is one SSE message: ``id:`` (a number that only grows), ``event:`` (its type)
and one ``data:`` line of JSON (README "The event stream" describes each type). Query
parameters ``vendor``, ``tenant``, ``fax_id`` and ``type`` (comma-separated) filter it.
A client that reconnects with a ``Last-Event-ID`` older than the newest event first gets
a ``dropped`` event: events were missed, re-fetch what it shows.
"""

from __future__ import annotations

import contextlib

from aiohttp import web

from emulator import keys
from emulator.core.errors import Invalid
from emulator.core.events import TYPES, Filter

#: wall seconds between keep-alive comments while nothing happens (proxies close idle streams)
HEARTBEAT = 15.0
#: events queued for one stream before it coalesces (a fax's latest state) or drops them:
#: about a second of 1,000 fax changes per second, a few MB at most
QUEUE_LIMIT = 1_000
#: what a browser waits before it reconnects, in milliseconds (the ``retry:`` field)
RETRY_MS = 1_000


def _filter(request: web.Request) -> Filter:
    runtime = request.app[keys.RUNTIME]
    query = request.query
    vendor = query.get("vendor")
    if vendor is not None and vendor not in runtime.vendors:
        raise Invalid(f"unknown vendor {vendor!r}; expected one of {', '.join(runtime.vendors)}", field="vendor")
    types = [t for t in query.get("type", "").split(",") if t] or None
    unknown = [t for t in types or () if t not in TYPES or t == "dropped"]
    if unknown:
        raise Invalid(f"unknown event type {unknown[0]!r}; expected some of {', '.join(TYPES[:-1])}", field="type")
    return Filter(types, vendor, query.get("tenant"), query.get("fax_id"))


def _missed(request: web.Request) -> bytes:
    """A ``dropped`` message for a client that comes back (``Last-Event-ID``) and may have
    missed events (how many is not known: nothing is kept for it), else nothing."""
    last = request.headers.get("Last-Event-ID")
    events = request.app[keys.RUNTIME].events
    if last is None or (last.isdigit() and not events.missed(int(last))):
        return b""
    return events.make("dropped", {"lost": None, "reason": "reconnected"}).frame


async def stream(request: web.Request) -> web.StreamResponse:
    """Server-sent events of everything that happens, filtered by the query."""
    wanted = _filter(request)
    events = request.app[keys.RUNTIME].events
    missed = _missed(request)  # before subscribing: subscribing may end a gap
    subscriber = events.subscribe(wanted, QUEUE_LIMIT)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    try:
        await response.prepare(request)
        await response.write(b"retry: %d\n: fax-emulator events\n\n" % RETRY_MS + missed)
        while not subscriber.closed:
            batch = await subscriber.next_batch(HEARTBEAT)
            # a slow reader makes this wait (aiohttp drains the socket), so its queue fills and coalesces
            await response.write(b"".join(event.frame for event in batch) if batch else b": keep-alive\n\n")
    except (ConnectionError, RuntimeError):  # the client went away (RuntimeError: aiohttp's closed transport)
        pass
    finally:
        subscriber.close()
    with contextlib.suppress(ConnectionError, RuntimeError):
        await response.write_eof()
    return response
