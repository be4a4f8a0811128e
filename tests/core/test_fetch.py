"""The document fetch helper: loopback and allowed hosts only, limits, failures as FetchError."""

from __future__ import annotations

import pytest
from aiohttp import web

from emulator.core.fetch import FetchError, fetch, is_allowed


@pytest.mark.parametrize(
    ("url", "allow", "ok"),
    [
        ("http://127.0.0.1:8000/a.pdf", (), True),
        ("https://localhost/a.pdf", (), True),
        ("http://[::1]:81/a", (), True),
        ("http://127.8.9.10/a", (), True),
        ("http://example.com/a.pdf", (), False),
        ("http://docs.internal/a.pdf", ("docs.internal",), True),
        ("http://DOCS.internal/a.pdf", ("docs.internal",), True),
        ("http://10.0.0.1/a.pdf", (), False),
        ("ftp://127.0.0.1/a.pdf", (), False),
        ("file:///etc/passwd", (), False),
        ("http://[not-an-ip/a", (), False),
    ],
)
def test_only_loopback_and_allowed_hosts(url, allow, ok):
    assert is_allowed(url, allow) is ok


async def test_fetch_reads_within_the_limit_and_never_follows_redirects(aiohttp_server):
    async def handle(request: web.Request) -> web.Response:
        if request.path == "/away":
            raise web.HTTPFound("http://example.com/")
        return web.Response(body=b"x" * 100, content_type="application/pdf")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = await aiohttp_server(app)
    got = await fetch(str(server.make_url("/doc")), max_bytes=100)
    assert got.status == 200 and got.content_type == "application/pdf" and len(got.data) == 100
    with pytest.raises(FetchError, match="larger than the limit"):
        await fetch(str(server.make_url("/doc")), max_bytes=99)
    assert (await fetch(str(server.make_url("/away")), max_bytes=100)).status == 302


async def test_refused_and_unreachable_urls_raise_fetch_error():
    with pytest.raises(FetchError, match="only from loopback"):
        await fetch("http://example.com/a.pdf", max_bytes=10)
    with pytest.raises(FetchError, match="failed to fetch") as refused:
        await fetch("http://127.0.0.1:9/a.pdf", max_bytes=10, timeout=2)
    # in our words (it reaches a Kazoo job's result_text): no exception class or errno text
    assert str(refused.value).endswith(": the connection was refused or could not be made")
    with pytest.raises(FetchError, match="not a valid URL"):
        await fetch("http://127.0.0.1:99999/a.pdf", max_bytes=10, timeout=2)
