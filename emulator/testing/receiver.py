"""A local webhook receiver: a tiny HTTP server that records every request it gets.

A test registers ``receiver.url`` as its webhook/callback URL with any vendor, lets the
clock run, and asserts on ``receiver.received``. It can also fail on purpose (``fail_next``
requests, or all of them with ``failing``) to exercise a vendor's retries. It runs on an
event loop of its own choosing (``FaxEmulator`` starts it on the emulator's background
loop), and is safe to read from another thread.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web


@dataclass(frozen=True)
class Received:
    """One request the receiver got, and the status it answered."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    answered: int
    form: dict[str, str] | None = field(default=None)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The body parsed as JSON (ValueError if it is not JSON)."""
        return json.loads(self.body)


class WebhookReceiver:
    """Records requests to ``url`` (and to any other path on its host and port)."""

    def __init__(self, host: str = "127.0.0.1", path: str = "/hook", *, public_host: str | None = None) -> None:
        """Listens on ``host``; ``url`` names ``public_host`` instead where the sender must use
        another name (an emulator in a container reaching this host)."""
        self.host = host
        self.public_host = public_host or host
        self.path = path
        self.port: int | None = None
        #: answer this many requests with ``fail_status`` before answering normally again
        self.fail_next = 0
        #: answer every request with ``fail_status`` while True
        self.failing = False
        self.fail_status = 500
        self._received: list[Received] = []
        self._changed = threading.Condition()
        self._runner: web.AppRunner | None = None

    @property
    def root(self) -> str:
        if self.port is None:
            raise RuntimeError("the receiver is not running")
        return f"http://{self.public_host}:{self.port}"

    @property
    def url(self) -> str:
        """The URL to register as a webhook target."""
        return self.root + self.path

    def url_for(self, path: str) -> str:
        """Another URL on this receiver, e.g. one per event type."""
        return self.root + "/" + path.lstrip("/")

    @property
    def received(self) -> list[Received]:
        """A snapshot of what arrived, oldest first (failed answers included)."""
        with self._changed:
            return list(self._received)

    def bodies(self) -> list[Any]:
        """The JSON bodies of the requests answered with success, oldest first."""
        return [r.json() for r in self.received if r.answered < 400 and r.content_type == "application/json"]

    def clear(self) -> None:
        with self._changed:
            self._received.clear()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[Received]:
        """Block until ``count`` requests arrived, for emulators on a real clock (TimeoutError if not).

        On the manual clock there is nothing to wait for: when ``advance`` returns, every webhook
        due by then has been answered.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self._received)} of {count} webhook(s) arrived in {timeout} s")
                self._changed.wait(left)
            return list(self._received)

    # -- the server (runs on an event loop) -------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        form = None
        if request.content_type == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        with self._changed:
            failing = self.failing or self.fail_next > 0
            if self.fail_next > 0:
                self.fail_next -= 1
            status = self.fail_status if failing else 200
            self._received.append(
                Received(request.method, request.path, dict(request.query), dict(request.headers), body, status, form)
            )
            self._changed.notify_all()
        return web.Response(status=status, text="failing on purpose" if failing else "ok")

    async def start(self, port: int = 0) -> WebhookReceiver:
        """Listen on ``host:port`` (0: a free port) on the running loop."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, self.host, port).start()
        self._runner = runner
        self.port = runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
