"""``FaxEmulator``: a whole emulator in a background thread, for any test suite.

    with FaxEmulator() as emu:                    # manual clock, strict contracts, a free port
        app_under_test.base_url = emu.base_url("callerip")
        ...
        emu.client.advance(30)
        assert emu.client.faxes(status="Success")

The server runs on an event loop of its own in a daemon thread, so synchronous code
(the FAX.PLUS SDK on urllib3, ``requests``...) and asynchronous code on another loop can
both call it. Every control operation goes through the HTTP control API (``client``);
``call`` runs a function on the server's loop for the rare test that must touch the
``Runtime`` directly.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

from emulator import keys
from emulator.app import build_app
from emulator.config import Config, reachable_url
from emulator.core.runtime import Runtime
from emulator.core.vendor import Vendor
from emulator.testing.client import DEFAULT_TIMEOUT, ControlClient
from emulator.testing.receiver import WebhookReceiver

#: what a test wants unless it says otherwise: time moves only when told, and the
#: emulator checks its own responses and webhooks against the vendors' schemas
TEST_SETTINGS: dict[str, Any] = {"clock": "manual", "strict": True, "port": 0}
START_TIMEOUT = 30.0


class FaxEmulator:
    """Starts ``build_app(config)`` on a free port in a background thread; ``stop()`` ends it."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        vendors: Iterable[Vendor] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        **settings: Any,
    ) -> None:
        """``settings`` are ``Config`` fields over ``TEST_SETTINGS``; ``vendors`` defaults to every vendor."""
        if config is not None and settings:
            raise TypeError("pass either a Config or settings, not both")
        self.config = config if config is not None else Config(**{**TEST_SETTINGS, **settings})
        self.vendors = None if vendors is None else tuple(vendors)
        self.timeout = timeout
        self.app: web.Application | None = None
        self.port: int | None = None
        self._client: ControlClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._receivers: list[WebhookReceiver] = []

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> FaxEmulator:
        if self._thread is not None:
            raise RuntimeError("this emulator is already running")
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=self._serve, args=(loop,), name="fax-emulator", daemon=True)
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._open(), loop).result(START_TIMEOUT)
        except BaseException:
            self.stop()  # undo whatever part of the start-up did happen
            raise
        return self

    def stop(self) -> None:
        """Stop the server, its receivers and the background loop (safe to call twice)."""
        if self._thread is None or self._loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(self.timeout)
        finally:
            self._halt()
            if self._client is not None:
                self._client.close()

    def __enter__(self) -> FaxEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @staticmethod
    def _serve(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    def _halt(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(self.timeout)
        self._loop = self._thread = None

    async def _open(self) -> None:
        self.app = build_app(self.config, self.vendors)
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.config.host, self.config.port).start()
        self.port = self._runner.addresses[0][1]

    async def _close(self) -> None:
        for receiver in self._receivers:
            await receiver.stop()
        self._receivers.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        current = asyncio.current_task()
        rest = [t for t in asyncio.all_tasks() if t is not current]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    # -- using it --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self.port is not None

    @property
    def url(self) -> str:
        """``http://host:port`` of the running emulator."""
        if self._thread is None or self.port is None:  # (``running``, spelled out for the type checker)
            raise RuntimeError("the emulator is not running; call start() or use it as a context manager")
        return reachable_url(self.config.host, self.port)

    @property
    def client(self) -> ControlClient:
        """The control API client of this emulator."""
        if self._client is None or self._client.url != self.url:
            self._client = ControlClient(self.url, self.timeout)
        return self._client

    def base_url(self, vendor: str) -> str:
        """The base URL a vendor client should use, e.g. ``.../v3`` for ``"faxplus"``."""
        return self.client.base_url(vendor)

    @property
    def runtime(self) -> Runtime:
        """The emulator's Runtime. It belongs to the server's loop: touch it only inside ``call``."""
        if self.app is None:
            raise RuntimeError("the emulator is not running")
        return self.app[keys.RUNTIME]

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run ``function(*args)`` on the server's loop and return its result (awaited if it is a coroutine)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the emulator is not running")
        if threading.current_thread() is self._thread:
            raise RuntimeError(
                "FaxEmulator.call() from the emulator's own loop would deadlock; call the function directly"
            )

        async def run() -> Any:
            result = function(*args)
            return await result if inspect.isawaitable(result) else result

        return asyncio.run_coroutine_threadsafe(run(), loop).result(self.timeout)

    def receiver(self, path: str = "/hook") -> WebhookReceiver:
        """A new webhook receiver on the emulator's loop, stopped with the emulator."""
        receiver = self.call(WebhookReceiver(path=path).start)
        self._receivers.append(receiver)
        return receiver

    def close_receiver(self, receiver: WebhookReceiver) -> None:
        """Stop one receiver now (a per-test receiver on a shared emulator)."""
        self.call(receiver.stop)
        if receiver in self._receivers:
            self._receivers.remove(receiver)
