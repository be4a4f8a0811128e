"""benchmarks/inproc.py --sends: each vendor's send fed to many connections at once, in process."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from aiohttp import web

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "inproc.py"


@pytest.fixture
def inproc(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(_PATH.parent))  # as when it runs as a script: its neighbours import
    spec = importlib.util.spec_from_file_location("benchmark_inproc", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _connections(inproc, status: int, count: int):
    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=status, text="{}")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    return runner, [inproc._connect(runner) for _ in range(count)]


async def test_every_connection_is_given_each_request_of_a_send_and_answered(inproc):
    from instructions import _raw

    runner, connections = await _connections(inproc, 201, 3)
    try:
        raws = [_raw("POST", "/files", {}, b"upload"), _raw("POST", "/outbox", {}, b"send")]
        micros = await inproc._in_flight(connections, raws, 7)  # two turns of three connections
        assert micros > 0
        for _, transport in connections:
            assert len(transport.written) == 4  # 2 turns x 2 requests, each answered
            assert all(written.startswith(b"HTTP/1.1 201") for written in transport.written)
    finally:
        await runner.cleanup()


async def test_a_send_answered_other_than_2xx_stops_the_measure(inproc):
    from instructions import _raw

    runner, connections = await _connections(inproc, 500, 2)
    try:
        with pytest.raises(RuntimeError, match=re.escape("answered b'HTTP/1.1 500")):
            await inproc._in_flight(connections, [_raw("POST", "/send", {}, b"x")], 2)
    finally:
        await runner.cleanup()


async def test_each_vendors_send_is_measured_against_the_bare_app_giving_its_answer(inproc):
    rows = await inproc.measure_sends(["callerip", "faxplus"], sends=8, rounds=1, connections=2)
    assert [row["vendor"] for row in rows] == ["callerip", "faxplus"]
    for row in rows:
        assert row["connections"] == 2 and row["document"] == "1-page PDF"
        assert row["emulator_us"] > 0 and row["bare_us"] > 0
        assert row["ratio"] == pytest.approx(row["bare_us"] / row["emulator_us"], abs=0.002)


async def test_a_document_a_vendor_does_not_take_is_left_out(inproc):
    assert await inproc.measure_sends(["callerip"], sends=2, rounds=1, connections=1, document="3-page TIFF") == []
