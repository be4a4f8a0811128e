"""Shared fixtures: an in-process emulator on the manual clock, and a webhook receiver."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from emulator import keys
from emulator.app import build_app
from emulator.config import Config
from emulator.core.runtime import Runtime

#: every test starts its manual clock here (2026-01-01T00:00:00Z), so times are stable
START = 1_767_225_600.0


def runtime_of(client: TestClient) -> Runtime:
    return client.app[keys.RUNTIME]


@pytest.fixture
def make_client(aiohttp_client: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Awaitable[TestClient]]]:
    """Start an emulator (manual clock, fixed start and seed, strict unless overridden).

    After the test, every emulator it started must have produced only responses and
    webhooks that keep the vendors' contracts (strict mode checked them); a test that
    breaks them on purpose says so with ``@pytest.mark.breaks_own_contract``.
    """
    started: list[TestClient] = []

    async def make(**settings: Any) -> TestClient:
        settings = {"clock": "manual", "start_time": START, "seed": 1234, "strict": True, **settings}
        client = await aiohttp_client(build_app(Config(**settings)))
        started.append(client)
        return client

    yield make
    if request.node.get_closest_marker("breaks_own_contract"):
        return
    own = [
        v
        for client in started
        for v in runtime_of(client).journal.violations
        if v.get("kind") in ("response", "webhook")
    ]
    assert not own, "the emulator broke its own contract:\n" + "\n".join(
        f"  {v['vendor']} {v['operation']} {v['kind']} {v['location']}: {v['message']}" for v in own
    )


@pytest.fixture
async def client(make_client: Callable[..., Awaitable[TestClient]]) -> TestClient:
    return await make_client()


async def advance(client: TestClient, seconds: float) -> dict[str, Any]:
    """Advance the emulator's manual clock through the control API."""
    response = await client.post("/_emulator/clock/advance", json={"seconds": seconds})
    assert response.status == 200, await response.text()
    return await response.json()


@dataclass
class Receiver:
    """A real local HTTP server that records what it receives; can fail on purpose."""

    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0  # answer this many requests with ``fail_status`` first
    fail_status: int = 500

    def bodies(self) -> list[Any]:
        return [r["json"] for r in self.received]


@pytest.fixture
async def receiver(aiohttp_server: Any) -> Receiver:
    """A webhook receiver at ``receiver.url`` (any path under it is accepted)."""
    state = Receiver(url="")

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "headers": dict(request.headers),
            "body": body,
            "json": None,
        }
        if request.content_type == "application/json":
            entry["json"] = await request.json()
        elif request.content_type == "application/x-www-form-urlencoded":
            entry["form"] = dict((await request.post()).items())
        if state.fail_next > 0:
            state.fail_next -= 1
            entry["answered"] = state.fail_status
            state.received.append(entry)
            return web.Response(status=state.fail_status, text="failing on purpose")
        entry["answered"] = 200
        state.received.append(entry)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = await aiohttp_server(app)
    state.url = str(server.make_url("/hook"))
    return state
