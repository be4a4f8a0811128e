"""Run an emulator in a background thread, for synchronous clients (e.g. the FAX.PLUS SDK).

The emulator gets its own event loop and a free loopback port. Everything that touches
its state (advancing the clock, swapping the outcome policy, reading the store) runs on
that loop through ``call``/``run``, so the test thread never races the server.

    with ThreadedEmulator() as emulator:
        requests.get(emulator.url("/_emulator/health"))
        emulator.advance(30)

Vendor-neutral and small on purpose: the project's pytest plugin may replace it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

from emulator import keys
from emulator.app import build_app
from emulator.config import Config
from emulator.core.runtime import Runtime

T = TypeVar("T")
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z, as tests/conftest.py
TIMEOUT = 30.0  # wall seconds any one call into the loop may take


class ThreadedEmulator:
    """An emulator on ``127.0.0.1:<free port>`` in a daemon thread; manual clock by default."""

    def __init__(self, **settings: Any) -> None:
        self.config = Config(**{"clock": "manual", "start_time": START, "seed": 1234, "port": 0, **settings})
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="fax-emulator", daemon=True)
        self._runner: web.AppRunner | None = None
        self.app: web.Application | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------
    def start(self) -> ThreadedEmulator:
        self._thread.start()
        try:
            self.call(self._start)
        except BaseException:
            self.stop()
            raise
        return self

    async def _start(self) -> None:
        self.app = build_app(self.config)
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # aiohttp has no public accessor for the bound port
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._runner is not None:
            self.call(self._runner.cleanup)
            self._runner = None
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(TIMEOUT)
        self.loop.close()

    def __enter__(self) -> ThreadedEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- use ----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def runtime(self) -> Runtime:
        assert self.app is not None, "start() the emulator first"
        return self.app[keys.RUNTIME]

    def call(self, coroutine: Callable[[], Awaitable[T]]) -> T:
        """Run ``coroutine()`` on the emulator's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(_awaited(coroutine), self.loop).result(TIMEOUT)

    def run(self, function: Callable[[], T]) -> T:
        """Run a plain function on the emulator's loop (to read or change state safely)."""

        async def inside() -> T:
            return function()

        return self.call(inside)

    def advance(self, seconds: float) -> int:
        """Advance the manual clock; every action due has run when this returns."""
        return self.call(lambda: self.runtime.scheduler.advance(seconds))

    def run_until_idle(self) -> float:
        return self.call(self.runtime.scheduler.run_until_idle)


async def _awaited(coroutine: Callable[[], Awaitable[T]]) -> T:
    return await coroutine()
