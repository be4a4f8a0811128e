"""benchmarks/bare_app.py answers with the emulator's answer: the same body and headers."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "bare_app.py"
_spec = importlib.util.spec_from_file_location("benchmark_bare_app", _PATH)
bare_app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bare_app)


def test_only_the_headers_aiohttp_writes_itself_are_left_out():
    answered = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Request-ID": "ab",
        "ETag": '"1-x"',
        "Content-Length": "12",
        "Date": "Sun, 22 Nov 2026 11:00:00 GMT",
        "Server": "aiohttp",
        "Connection": "keep-alive",
    }
    assert bare_app.answer_headers(answered) == {
        "Content-Type": "application/json; charset=utf-8",
        "X-Request-ID": "ab",
        "ETag": '"1-x"',
    }


async def test_the_bare_app_sends_the_body_and_headers_it_is_given():
    app = bare_app.make_app(b'{"ok":1}', {"Content-Type": "application/json; charset=utf-8", "ETag": '"1-x"'})
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/any/path")
        assert await response.read() == b'{"ok":1}'
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert response.headers["ETag"] == '"1-x"'
