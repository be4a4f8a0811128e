"""Server CPU per request, without sockets: the low-noise view of the hot reads.

    python benchmarks/inproc.py [--requests 3000] [--rounds 5] [--vendor kazoo ...] [--profile /tmp/p]

Each request is fed as raw bytes into the server's own protocol object (aiohttp's
RequestHandler) over an in-memory transport, one at a time, and the response is taken
from the transport. What is timed is the Python work of one request (parsing, routing,
middlewares, handler, writing), for the emulator and for the bare app serving the same
bytes, in the same process. The best of several rounds is kept, so other processes on
the machine disturb it little; wrk's req/s also include the kernel's socket work, which
is the same for both servers, so the wrk ratio is higher than this one.
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


async def measure(
    vendors: list[str], requests: int, rounds: int, profile: str | None = None, strict: bool = False
) -> list[dict[str, Any]]:
    import aiohttp
    from aiohttp import web

    from emulator.app import build_app
    from emulator.config import Config

    app = build_app(Config(clock="manual", port=0, log_level="error", strict=strict))
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
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
    args = parser.parse_args()
    rows = asyncio.run(measure(args.vendor or list(HOT_READS), args.requests, args.rounds, args.profile, args.strict))
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
