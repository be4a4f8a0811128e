"""The event stream under load: do 1,000 fax changes per second reach a connected browser?

    python benchmarks/events.py [--faxes 2000] [--wave 100]

One emulator on the manual clock, served on a local port. Every fax is first sent over
CallerIP's API (in waves of ``--wave``, a second of emulated time apart; a scenario holds
each in Loading for an hour); then a listener connects, and the measured part moves the
clock a second at a time until every fax has ended: 4 fax changes each (Converting,
Pending, Sending, Success), a wave's worth of faxes changing at each step. Three runs:

- ``quiet``: nobody listens (the baseline);
- ``browser``: a client reads ``GET /_emulator/events?type=fax`` as a browser would, in the
  same process (its own CPU counts against the emulator: a lower bound); the run ends when
  it has read every fax's last change. Figures: changes read per second, and the run's
  time as a ratio to ``quiet``;
- ``slow``: a client that connects and never reads: the server's queue for it stays
  bounded (its largest length is reported), by coalescing and dropping.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import time
from typing import Any

import aiohttp
from aiohttp import web

START = 1_767_225_600.0
CHANGES_PER_FAX = 4  # after it was sent: Converting, Pending, Sending, Success


def _form() -> aiohttp.FormData:
    from emulator.core.documents import make_pdf

    form = aiohttp.FormData()
    form.add_field("token", "bench")
    form.add_field("number", "2125550100")  # a number that succeeds: 4 changes after Loading
    form.add_field("file", PDF or make_pdf(1), filename="fax.pdf", content_type="application/pdf")
    return form


PDF: bytes = b""


HOLD = 3600.0  # emulated seconds every fax waits in Loading (a scenario's timing), so all are sent first
SCENARIO = f"name: bench\ntiming:\n  callerip:\n    Loading: {HOLD:g}\n"


async def _post(session: aiohttp.ClientSession, url: str, **body: Any) -> Any:
    async with session.post(url, **body) as answer:
        assert answer.status < 300, await answer.text()
        return await answer.json()


async def _send_all(session: aiohttp.ClientSession, base: str, faxes: int, wave: int) -> None:
    """Send ``faxes`` in waves a second of emulated time apart (each then waits HOLD seconds)."""
    await _post(session, f"{base}/_emulator/scenario", data=SCENARIO)
    sent = 0
    while sent < faxes:
        count = min(wave, faxes - sent)
        await asyncio.gather(*(_post(session, f"{base}/api/fax/send", data=_form()) for _ in range(count)))
        sent += count
        await _post(session, f"{base}/_emulator/clock/advance", json={"seconds": 1})
    waves = -(-faxes // wave)
    # to a second before the first wave leaves Loading
    await _post(session, f"{base}/_emulator/clock/advance", json={"seconds": HOLD - waves - 1})


async def _move_all(session: aiohttp.ClientSession, base: str, after_step: Any = None) -> None:
    """Move the clock a second at a time until every fax has ended (the measured part)."""
    for _ in range(600):
        body = await _post(session, f"{base}/_emulator/clock/advance", json={"seconds": 1})
        if after_step is not None:
            after_step()
        if body["pending_actions"] == 0:
            return
    raise AssertionError("faxes still moving after 600 emulated seconds")


async def _read(response: aiohttp.ClientResponse, faxes: int, changes: int) -> dict[str, int]:
    """Read fax events until every change has come; or, if some were coalesced or dropped,
    until every fax's last change (it ended) has come and the stream stays quiet a second."""
    counts = {"fax": 0, "ended": 0, "dropped": 0}
    kind = ""
    while counts["fax"] < changes:
        try:
            line = await asyncio.wait_for(response.content.readline(), 1.0 if counts["ended"] == faxes else None)
        except TimeoutError:
            break
        if line.startswith(b"event: "):
            kind = line[7:].strip().decode()
        elif line.startswith(b"data: "):  # an event is counted once it has come whole
            counts[kind] = counts.get(kind, 0) + 1
            counts["ended"] += kind == "fax" and b'"terminal":true' in line
    return counts


async def _never_reading(port: int) -> socket.socket:
    """A client of the event stream that reads its answer's head and nothing more, with a
    small receive buffer, so the server's writes soon wait (as for a stalled browser)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, ("127.0.0.1", port))
    await loop.sock_sendall(sock, b"GET /_emulator/events?type=fax HTTP/1.1\r\nHost: bench\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += await loop.sock_recv(sock, 1)
    return sock


async def run(faxes: int, wave: int, listener: str) -> dict[str, Any]:
    """One run: send every fax, connect the listener, then time moving them all to their end."""
    from emulator import keys
    from emulator.app import build_app
    from emulator.config import Config

    app = build_app(Config(clock="manual", start_time=START, seed=1, port=0))
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    events = app[keys.RUNTIME].events
    expected = faxes * CHANGES_PER_FAX
    result: dict[str, Any] = {"faxes": faxes, "changes": expected}
    try:
        async with aiohttp.ClientSession() as session:
            await _send_all(session, base, faxes, wave)
            stream = None
            non_reader = None
            if listener == "browser":
                stream = await session.get(
                    f"{base}/_emulator/events", params={"type": "fax"}, timeout=aiohttp.ClientTimeout(total=None)
                )
            elif listener == "slow":
                non_reader = await _never_reading(runner.addresses[0][1])
            largest = [0]

            def measure_queue() -> None:
                largest[0] = max([largest[0], *(len(s) for s in events.subscribers)])

            started = time.perf_counter()
            if listener == "browser":
                assert stream is not None
                reader = asyncio.create_task(_read(stream, faxes, expected))
                await _move_all(session, base)
                counts = await asyncio.wait_for(reader, 120)
            else:
                await _move_all(session, base, measure_queue)
            result["seconds"] = round(time.perf_counter() - started, 3)
            result["changes_per_second"] = round(expected / result["seconds"], 1)
            if listener == "browser":
                (subscriber,) = events.subscribers
                result.update(
                    read=counts["fax"],
                    ended=counts["ended"],
                    dropped_markers=counts["dropped"],
                    coalesced=subscriber.coalesced,
                    read_per_second=round(counts["fax"] / result["seconds"], 1),
                )
            if listener == "slow":
                (subscriber,) = events.subscribers
                result.update(
                    largest_queue=largest[0],
                    coalesced=subscriber.coalesced,
                    queue_limit=subscriber.limit,
                    lost=subscriber.lost,
                )
            if stream is not None:
                stream.close()
            if non_reader is not None:
                non_reader.close()
    finally:
        await runner.cleanup()
    return result


def measure(faxes: int = 2000, wave: int = 100) -> dict[str, Any]:
    """The three runs and the browser's ratio to the quiet one."""
    global PDF
    from emulator.core.documents import make_pdf

    PDF = make_pdf(1)
    quiet = asyncio.run(run(faxes, wave, "quiet"))
    browser = asyncio.run(run(faxes, wave, "browser"))
    slow = asyncio.run(run(faxes, wave, "slow"))
    return {
        "quiet": quiet,
        "browser": browser,
        "slow": slow,
        "browser_time_ratio": round(browser["seconds"] / quiet["seconds"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faxes", type=int, default=2000)
    parser.add_argument("--wave", type=int, default=100, help="faxes sent per emulated second")
    args = parser.parse_args()
    print(json.dumps(measure(args.faxes, args.wave), indent=2))


if __name__ == "__main__":
    main()
