"""What ``fax-emulator serve`` prints while it runs: one line per request, contract
violations and failed webhook deliveries, as text or as one JSON object per line.

It is one more consumer of the event stream (core/events.py): with ``--quiet`` it does not
subscribe, so it costs nothing. Its queue is bounded like any subscriber's; if the output
cannot keep up, a line says how many events were lost.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import TextIO

from aiohttp import web

from emulator.core.answers import loose_json_bytes
from emulator.core.events import Event, Events, Filter

FORMATS = ("text", "json")
#: events queued for the console before it coalesces or drops (a line each)
QUEUE_LIMIT = 10_000
_WANTED = ("request", "violation", "webhook")


def _time(seconds: float) -> str:
    """Emulated time of day, to the millisecond (the date is in --log-format json's ``iso``)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%H:%M:%S.%f")[:-3]


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def shown(event: Event) -> bool:
    """Whether the console shows this event: every request and violation, and a webhook
    attempt only when it failed (or the delivery was given up or dropped)."""
    if event.type != "webhook":
        return True
    data = event.data
    return (
        data["outcome"] in ("failed", "dropped", "refused")
        or data["error"] is not None
        or (data["outcome"] == "pending" and data["status"] is not None)
    )


def text_line(event: Event, now: float) -> str:
    """One line of text for ``event``; ``now`` is the emulated time it is printed at."""
    data = event.data
    if event.type == "request":
        operation = " ".join(str(part) for part in (data["vendor"], data["operation"]) if part) or "-"
        tenant = data["tenant"] or "-"
        return (
            f"{_time(data['time'])} {data['method']} {data['path']} {data['status']} {operation} "
            f"tenant={tenant} {data['duration_ms']:.1f}ms"
        )
    if event.type == "violation":
        request = f" ({data['method']} {data['path']} -> {data['status']})" if data.get("method") else ""
        where = " ".join(str(data[k]) for k in ("vendor", "operation", "kind", "severity") if data.get(k))
        message, location = str(data.get("message")), data.get("location")
        if location and not message.startswith(f"{location}:"):
            message = f"{location}: {message}"
        return f"{_time(now)} VIOLATION {where}{request}: {message}"
    if event.type == "webhook":
        answer = data["error"] or (f"HTTP {data['status']}" if data["status"] is not None else "not sent")
        fate = data["reason"] or {"failed": "gave up"}.get(data["outcome"], data["outcome"])
        if data["next_retry"] is not None:
            fate = f"retry at {_time(data['next_retry'])}"
        fax = f" fax {data['fax_id']}" if data["fax_id"] else ""
        return (
            f"{_time(now)} WEBHOOK FAILED {data['vendor']} {data['event']}{fax} -> {data['target']} "
            f"attempt {data['attempt']}: {answer}; {fate}"
        )
    if event.type == "dropped":
        return f"{_time(now)} ... {data['lost']} events not shown (the output could not keep up)"
    return f"{_time(now)} {event.type} {loose_json_bytes(data).decode()}"


def json_line(event: Event, now: float) -> str:
    """One JSON object for ``event``: its type, the emulated time, and its data."""
    return loose_json_bytes({"type": event.type, "time": now, "iso": _iso(now), **event.data}).decode()


def formatter(name: str) -> Callable[[Event, float], str]:
    if name not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {name!r}")
    return json_line if name == "json" else text_line


async def print_events(events: Events, clock: Callable[[], float], log_format: str, out: TextIO) -> None:
    """Print what happens until the stream closes (run as a task by ``context``)."""
    line = formatter(log_format)
    subscriber = events.subscribe(Filter(_WANTED), QUEUE_LIMIT)
    try:
        while not subscriber.closed:
            batch = [e for e in await subscriber.next_batch() if shown(e)]
            if batch:
                now = clock()
                text = "".join(line(event, now) + "\n" for event in batch)
                try:
                    out.write(text)
                except UnicodeEncodeError:
                    # a lone surrogate in a line (a tenant from a form field in utf-7...) or a text
                    # the output's encoding lacks: written as its escape; the error killed this
                    # task, so nothing more was printed and ``serve`` ended with a traceback
                    encoding = getattr(out, "encoding", None) or "utf-8"
                    out.write(text.encode(encoding, "backslashreplace").decode(encoding))
                out.flush()
    finally:
        subscriber.close()


def context(log_format: str, out: TextIO | None = None) -> Callable[[web.Application], AsyncIterator[None]]:
    """A ``cleanup_ctx`` entry that prints the app's events to ``out`` (stdout) while it runs."""
    import asyncio
    import contextlib

    from emulator import keys

    formatter(log_format)  # refuse an unknown format now, not in the task

    async def printing(app: web.Application) -> AsyncIterator[None]:
        runtime = app[keys.RUNTIME]
        task = asyncio.create_task(
            print_events(runtime.events, runtime.now, log_format, out or sys.stdout), name="fax-emulator console"
        )
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return printing
