"""What ``fax-emulator serve`` prints while it runs: one line per request, contract
violations and failed webhook deliveries, as text or as one JSON object per line.

It is one more consumer of the event stream (core/events.py): with ``--quiet`` it does not
subscribe, so it costs nothing. Its queue is bounded like any subscriber's; if the output
cannot keep up, a line says how many events were lost.

The event loop never waits for the output (``LineWriter``, emulator/output.py): a pipe nobody
drains (a test suite's ``subprocess.Popen(..., stdout=PIPE)`` that reads only the first line)
fills after about a thousand lines, and writing to it there stopped every request until it
was read.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import TextIO

from aiohttp import web

from emulator.core.answers import loose_json_bytes
from emulator.core.events import Event, Events, Filter
from emulator.output import FLUSH_SECONDS, Output

FORMATS = ("text", "json")
#: events queued for the console before it coalesces or drops (a line each)
QUEUE_LIMIT = 10_000
_WANTED = ("request", "violation", "webhook")
#: the console writes at most this often: a line comes at most this late
BATCH_SECONDS = 0.05


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


def text_line(event: Event) -> str:
    """One line of text for ``event``, at the emulated time it happened (a request's own time:
    when it arrived)."""
    data, at = event.data, event.at
    if event.type == "request":
        vendor, operation = data["vendor"], data["operation"]
        operation = f"{vendor} {operation}" if vendor and operation else str(vendor or operation or "-")
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
        return f"{_time(at)} VIOLATION {where}{request}: {message}"
    if event.type == "webhook":
        answer = data["error"] or (f"HTTP {data['status']}" if data["status"] is not None else "not sent")
        fate = data["reason"] or {"failed": "gave up"}.get(data["outcome"], data["outcome"])
        if data["next_retry"] is not None:
            fate = f"retry at {_time(data['next_retry'])}"
        fax = f" fax {data['fax_id']}" if data["fax_id"] else ""
        return (
            f"{_time(at)} WEBHOOK FAILED {data['vendor']} {data['event']}{fax} -> {data['target']} "
            f"attempt {data['attempt']}: {answer}; {fate}"
        )
    if event.type == "dropped":
        return f"{_time(at)} ... {data['lost']} events not shown (the output could not keep up)"
    return f"{_time(at)} {event.type} {loose_json_bytes(data).decode()}"


def json_line(event: Event) -> str:
    """One JSON object for ``event``: its type, the emulated time it happened, and its data (a
    request's ``time`` is its own: when it arrived)."""
    return loose_json_bytes({"type": event.type, "time": event.at, "iso": _iso(event.at), **event.data}).decode()


def formatter(name: str) -> Callable[[Event], str]:
    if name not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {name!r}")
    return json_line if name == "json" else text_line


class LineWriter:
    """Writes the console's text to ``out`` without the event loop ever waiting for it (an
    ``Output``, emulator/output.py). ``write`` returns once its text is written, so while the
    output is stuck the console takes no more events: its bounded queue fills, and the line
    about what it lost comes once the output moves again."""

    def __init__(self, out: TextIO) -> None:
        self._output = Output(out)

    async def write(self, text: str) -> None:
        loop = asyncio.get_running_loop()
        written = loop.create_future()

        def done() -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the server has stopped
                loop.call_soon_threadsafe(_settle, written)

        if not self._output.write(text, done):
            await written

    def close(self) -> None:
        self._output.close()


def _settle(written: asyncio.Future[None]) -> None:
    if not written.done():  # (the console may have been cancelled meanwhile)
        written.set_result(None)


async def print_events(events: Events, log_format: str, out: TextIO) -> None:
    """Print what happens until the stream closes (run as a task by ``context``)."""
    line = formatter(log_format)
    writer = LineWriter(out)
    subscriber = events.subscribe(Filter(_WANTED), QUEUE_LIMIT)
    try:
        while True:
            closed = subscriber.closed  # (closed meanwhile: what it still holds is written, then it ends)
            batch = [e for e in await subscriber.next_batch() if shown(e)]
            if batch:  # (each line at the time its event happened: it is written up to BATCH_SECONDS later)
                await writer.write("".join(line(event) + "\n" for event in batch))
            if closed:
                break
            # what comes meanwhile is written as one batch: a write (and a wake-up of this task) a
            # request was a third of what the console cost a request served one at a time
            await asyncio.sleep(BATCH_SECONDS)
    finally:
        subscriber.close()
        writer.close()


def context(log_format: str, out: TextIO | None = None) -> Callable[[web.Application], AsyncIterator[None]]:
    """A ``cleanup_ctx`` entry that prints the app's events to ``out`` (stdout) while it runs."""
    from emulator import keys

    formatter(log_format)  # refuse an unknown format now, not in the task

    async def printing(app: web.Application) -> AsyncIterator[None]:
        runtime = app[keys.RUNTIME]
        task = asyncio.create_task(
            print_events(runtime.events, log_format, out or sys.stdout), name="fax-emulator console"
        )
        yield
        # the event stream has ended (``on_shutdown``): what the console still holds is written,
        # unless the output stays stuck for FLUSH_SECONDS (a pipe read only once the server stops)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), FLUSH_SECONDS)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return printing
