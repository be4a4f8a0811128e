"""Server CPU per request, without sockets: the low-noise view of the hot reads, and of the sends.

    python benchmarks/inproc.py [--requests 3000] [--rounds 5] [--vendor kazoo ...] [--profile /tmp/p]
    python benchmarks/inproc.py --sends [--vendor kazoo ...] [--connections 16] [--document "10-page PDF"]

Each request is fed as raw bytes into the server's own protocol object (aiohttp's
RequestHandler) over an in-memory transport, one at a time, and the response is taken
from the transport. What is timed is the Python work of one request (parsing, routing,
middlewares, handler, writing), for the emulator and for the bare app serving the same
bytes, in the same process. The best of several rounds is kept, so other processes on
the machine disturb it little; wrk's req/s also include the kernel's socket work, which
is the same for both servers, so the wrk ratio is higher than this one.

With ``--sends``, each vendor's send (benchmarks/sends.py) is fed to ``--connections``
protocol objects at once, and each connection's answer awaited before its next request, as
wrk keeps one request in flight a connection: a server that has many requests at each turn of
its loop runs each faster, the bare app more so than the emulator (one connection at a time,
a Kazoo send's ratio reads 0.41 where wrk's reads 0.34). Every request of the send is answered
2xx, or the measure stops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bare_app import answer_headers, make_app  # noqa: E402
from hot_reads import HOT_READS  # noqa: E402

#: the measured servers run as Python normally does, caching bytecode (some sandboxes turn
#: that off with PYTHONDONTWRITEBYTECODE, which would make every start compile the emulator
#: afresh); the cache goes to a directory of its own, and a warm-up start of each server fills it
SERVER_ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "fax-emulator-bench-pycache"),
}


class MemoryTransport(asyncio.Transport):
    """Enough of a transport for aiohttp's server protocol: keeps what is written."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.waiter: asyncio.Future[None] | None = None

    def write(self, data: Any) -> None:
        self.written.append(bytes(data))
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def writelines(self, chunks: Any) -> None:
        self.write(b"".join(chunks))

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8329)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def raw_request(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1:8329", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _connect(runner: Any) -> tuple[Any, MemoryTransport]:
    protocol = runner.server()
    transport = MemoryTransport()
    protocol.connection_made(transport)
    return protocol, transport


async def _round(protocol: Any, transport: MemoryTransport, raw: bytes, requests: int) -> float:
    """Microseconds per request over ``requests`` requests, one at a time."""
    loop = asyncio.get_running_loop()
    began = time.perf_counter()
    for _ in range(requests):
        transport.waiter = loop.create_future()
        protocol.data_received(raw)
        await transport.waiter
    return (time.perf_counter() - began) / requests * 1e6


async def compare(
    ours: Any, bare: Any, raw: bytes, requests: int, rounds: int, profiler: Any = None
) -> tuple[float, float, bytes]:
    """Best-of-``rounds`` microseconds per request of each server (rounds interleaved, so
    a slower spell of the machine touches both), and the emulator's last answer."""
    (our_protocol, our_transport), (bare_protocol, bare_transport) = _connect(ours), _connect(bare)
    await _round(our_protocol, our_transport, raw, requests)  # warm-up
    await _round(bare_protocol, bare_transport, raw, requests)
    best_ours = best_bare = float("inf")
    for _ in range(rounds):
        if profiler is not None:
            profiler.enable()
        best_ours = min(best_ours, await _round(our_protocol, our_transport, raw, requests))
        if profiler is not None:
            profiler.disable()
        best_bare = min(best_bare, await _round(bare_protocol, bare_transport, raw, requests))
    our_protocol.connection_lost(None)
    bare_protocol.connection_lost(None)
    return best_ours, best_bare, our_transport.written[-1]


async def _serving(config: Any) -> tuple[Any, str]:
    """The emulator's app run by a runner, listening too (the set-up requests go over its
    socket; the measured ones are fed to its protocol objects), and its base URL."""
    from aiohttp import web

    from emulator.app import build_app

    runner = web.AppRunner(build_app(config), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def measure(
    vendors: list[str], requests: int, rounds: int, profile: str | None = None, strict: bool = False
) -> list[dict[str, Any]]:
    import aiohttp
    from aiohttp import web

    from emulator.config import Config

    runner, base = await _serving(Config(clock="manual", port=0, log_level="error", strict=strict))
    rows = []
    try:
        for vendor in vendors:
            async with aiohttp.ClientSession() as session:
                url, headers = await HOT_READS[vendor][1](session, base)
                async with session.get(url, headers=headers) as response:
                    body, answered = await response.read(), answer_headers(response.headers)
            raw = raw_request(url[len(base) :], headers)
            profiler = None
            if profile is not None:
                import cProfile

                profiler = cProfile.Profile()
            bare_runner = web.AppRunner(make_app(body, answered), access_log=None, handle_signals=False)
            await bare_runner.setup()
            try:
                ours, bare, answer = await compare(runner, bare_runner, raw, requests, rounds, profiler)
            finally:
                await bare_runner.cleanup()
            assert b" 200 " in answer.split(b"\r\n", 1)[0], answer[:200]
            if profiler is not None:
                profiler.dump_stats(f"{profile}.{vendor}.prof")
            rows.append(
                {
                    "vendor": vendor,
                    "emulator_us": round(ours, 1),
                    "bare_us": round(bare, 1),
                    "ratio": round(bare / ours, 3),
                }
            )
            print(f"  {HOT_READS[vendor][0]}: {ours:.1f} us vs bare {bare:.1f} us (x{bare / ours:.3f})", flush=True)
    finally:
        await runner.cleanup()
    return rows


async def _in_flight(connections: list[tuple[Any, MemoryTransport]], raws: list[bytes], sends: int) -> float:
    """Microseconds per send over ``sends`` sends (a whole number of turns), each connection
    given each request of a send in turn and its answer awaited, all connections at once."""
    loop = asyncio.get_running_loop()
    turns = max(1, sends // len(connections))
    began = time.perf_counter()
    for _ in range(turns):
        for raw in raws:
            for protocol, transport in connections:
                transport.waiter = loop.create_future()
                protocol.data_received(raw)
            for _, transport in connections:
                await transport.waiter
                if b" 2" not in transport.written[-1][8:11]:  # "HTTP/1.1 2xx"
                    raise RuntimeError(f"a send was answered {transport.written[-1][:200]!r}")
    return (time.perf_counter() - began) / (turns * len(connections)) * 1e6


async def measure_sends(
    vendors: list[str], sends: int, rounds: int, connections: int = 16, document: str = "1-page PDF"
) -> list[dict[str, Any]]:
    """Best-of-``rounds`` microseconds per send of the emulator and of the bare app answering
    the send's last answer, rounds interleaved (``compare``'s way), ``connections`` at once."""
    from aiohttp import web
    from instructions import _raw, _relative  # a request as wrk writes it
    from sends import DOCUMENTS, NOT_TAKEN, SENDS, prepared

    from emulator.config import Config

    chosen = next(d for d in DOCUMENTS if d[0] == document)
    runner, base = await _serving(Config(clock="manual", port=0, log_level="error", seed=0))
    rows = []
    try:
        for vendor in vendors:
            if (vendor, document) in NOT_TAKEN:
                continue
            requests = await prepared(SENDS[vendor][1], base, chosen)
            raws = [_raw(method, _relative(url), headers, body) for method, url, headers, body in requests]
            ours = [_connect(runner) for _ in range(connections)]
            await _in_flight(ours, raws, connections)  # one send a connection: the bare app's answer
            head, _, answer = ours[0][1].written[-1].partition(b"\r\n\r\n")
            answered = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:])
            bare_app = make_app(answer, answer_headers(answered))
            bare_runner = web.AppRunner(bare_app, access_log=None, handle_signals=False)
            await bare_runner.setup()
            try:
                bare = [_connect(bare_runner) for _ in range(connections)]
                await _in_flight(ours, raws, sends)  # warm-up
                await _in_flight(bare, raws, sends)
                best_ours = best_bare = float("inf")
                for _ in range(rounds):
                    best_ours = min(best_ours, await _in_flight(ours, raws, sends))
                    best_bare = min(best_bare, await _in_flight(bare, raws, sends))
            finally:
                await bare_runner.cleanup()
            rows.append(
                {
                    "vendor": vendor,
                    "document": document,
                    "connections": connections,
                    "emulator_us": round(best_ours, 1),
                    "bare_us": round(best_bare, 1),
                    "ratio": round(best_bare / best_ours, 3),
                }
            )
            print(
                f"  {SENDS[vendor][0]}, {document}, {connections} at once: {best_ours:.1f} us vs bare "
                f"{best_bare:.1f} us (x{best_bare / best_ours:.3f})",
                flush=True,
            )
    finally:
        await runner.cleanup()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--vendor", action="append", choices=sorted(HOT_READS))
    parser.add_argument("--strict", action="store_true", help="strict mode on (responses validated too)")
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="cProfile the emulator's rounds into PREFIX.<vendor>.prof (python -m pstats)",
    )
    parser.add_argument("--sends", action="store_true", help="each vendor's send, --connections at once")
    parser.add_argument("--connections", type=int, default=16, help="with --sends: connections fed at once")
    parser.add_argument("--document", default="1-page PDF", help="with --sends: the document sent")
    args = parser.parse_args()
    if args.sends:
        vendors = args.vendor or list(HOT_READS)
        sends = measure_sends(vendors, args.requests, args.rounds, args.connections, args.document)
        print(json.dumps(asyncio.run(sends)))
        return
    rows = asyncio.run(measure(args.vendor or list(HOT_READS), args.requests, args.rounds, args.profile, args.strict))
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
