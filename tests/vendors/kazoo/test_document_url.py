"""Jobs whose document is a URL the emulator fetches: loopback or allowed hosts only
(kazoo.md §7.4); a document that cannot be fetched or read fails the attempt (bad_file)."""

from __future__ import annotations

import pytest
from aiohttp import web

from emulator.core.documents import make_pdf, make_tiff
from emulator.vendors.kazoo.envelope import gregorian
from tests.conftest import START, advance
from tests.vendors.kazoo.conftest import assert_error


@pytest.fixture
async def documents(aiohttp_server):
    """A local document server: /letter.pdf, /scan.tif, /echo (POST), /missing (404), /junk."""
    seen: list[dict] = []

    async def serve(request: web.Request) -> web.Response:
        seen.append({"method": request.method, "headers": dict(request.headers), "body": await request.read()})
        name = request.match_info["name"]
        if name == "letter.pdf" or name == "echo":
            return web.Response(body=make_pdf(3), content_type="application/pdf")
        if name == "scan.tif":
            return web.Response(body=make_tiff(2), content_type="image/tiff")
        if name == "junk":
            return web.Response(text="not a fax document at all\x00\x01", content_type="application/octet-stream")
        return web.Response(status=404)

    app = web.Application()
    app.router.add_route("*", "/{name}", serve)
    server = await aiohttp_server(app)
    return server, seen


async def test_a_pdf_url_is_fetched_and_its_pages_sent(client, kazoo, documents):
    server, _ = documents
    reply = await kazoo.put(
        "/faxes/outgoing",
        {
            "from_number": "+14155550100",
            "to_number": "(212)5550100",
            "document": {"url": str(server.make_url("/letter.pdf"))},
        },
    )
    assert_error(reply, 400, "validation error")  # formatting characters are not reconciled
    assert reply.data == {"document.to_number": {"required": {"message": "add a valid number to send the fax to"}}}
    reply = await kazoo.put(
        "/faxes/outgoing",
        {
            "from_number": "+14155550100",
            "to_number": "2125550100",
            "document": {"url": str(server.make_url("/letter.pdf"))},
        },
    )
    assert reply.status == 201
    assert reply.data["to_number"] == "+12125550100" and reply.data["document"]["method"] == "get"
    await advance(client, 200)
    tx = (await kazoo.get(f"/faxes/outbox/202601-{reply.data['id']}")).data["tx_result"]
    assert tx["success"] is True and tx["total_pages"] == "3"


async def test_post_fetches_send_the_content_and_headers(client, kazoo, documents):
    server, seen = documents
    document = {
        "url": str(server.make_url("/echo")),
        "method": "post",
        "content": "id=7",
        "content_type": "application/x-www-form-urlencoded",
        "referer": "https://app.example",
    }
    reply = await kazoo.put("/faxes", {"from_number": "1", "to_number": "+442071234567", "document": document})
    assert reply.status == 201 and reply.data["to_number"] == "+442071234567"
    assert seen[-1]["method"] == "POST" and seen[-1]["body"] == b"id=7"
    assert seen[-1]["headers"]["Referer"] == "https://app.example"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("missing", "HTTP 404"),
        ("junk", "unable to convert the document"),
    ],
)
async def test_an_unusable_document_fails_the_attempt_with_bad_file(client, kazoo, documents, name, why):
    server, _ = documents
    reply = await kazoo.put(
        "/faxes", {"from_number": "1", "to_number": "2125550100", "document": {"url": str(server.make_url(f"/{name}"))}}
    )
    assert reply.status == 201
    await advance(client, 100)
    tx = (await kazoo.get(f"/faxes/outbox/202601-{reply.data['id']}")).data["tx_result"]
    assert tx["success"] is False and tx["result_code"] == 0 and why in tx["result_text"]


async def test_the_open_internet_is_never_fetched(client, kazoo):
    reply = await kazoo.put(
        "/faxes", {"from_number": "1", "to_number": "2125550100", "document": {"url": "http://example.com/letter.pdf"}}
    )
    assert reply.status == 201
    await advance(client, 100)
    tx = (await kazoo.get(f"/faxes/outbox/202601-{reply.data['id']}")).data["tx_result"]
    assert "only from loopback or allowed hosts" in tx["result_text"]


async def test_a_document_or_url_is_required(kazoo):
    reply = await kazoo.put("/faxes", {"from_number": "1", "to_number": "2125550100"})
    assert_error(reply, 400, "validation error")
    assert reply.data == {"document.url": {"required": {"message": "add document url or upload a document"}}}
    bad = await kazoo.put("/faxes", {"to_number": "2125550100", "document": {"method": "put"}, "retries": 9})
    assert set(bad.data) == {"from_number", "document.url", "document.method", "retries"}


async def test_a_tiff_can_be_uploaded_as_the_multipart_document(client, kazoo, documents):
    reply = await kazoo.send(pages=1, to_number="+12125550100")
    assert reply.status == 201
    assert (await kazoo.get("/faxes/outgoing")).data[0]["id"] == reply.data["id"]


async def test_an_answer_is_stamped_when_it_is_made_even_if_its_document_was_slow(client, kazoo, aiohttp_server):
    # the clock moves while the document is fetched: the envelope's timestamp and the job's
    # pvt_created are both the time the answer was made, as on Crossbar
    import asyncio

    asked, release = asyncio.Event(), asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        asked.set()
        await release.wait()
        return web.Response(body=make_pdf(1), content_type="application/pdf")

    app = web.Application()
    app.router.add_get("/slow.pdf", slow)
    server = await aiohttp_server(app)
    job = {
        "from_number": "+14155550100",
        "to_number": "+12125550100",
        "document": {"url": str(server.make_url("/slow.pdf"))},
    }
    put = asyncio.ensure_future(kazoo.put("/faxes/outgoing", job))
    await asked.wait()
    await advance(client, 120)
    release.set()
    reply = await put
    assert reply.status == 201
    assert reply.body["timestamp"] == "2026-01-01T00:02:00Z"
    assert reply.data["pvt_created"] == gregorian(START + 120)


async def test_a_lone_surrogate_in_the_content_to_post_is_sent_as_a_question_mark(client, kazoo, documents):
    """A JSON escape of a lone surrogate in ``document.content``: UTF-8 cannot carry it, so it
    is posted as "?" (docs/fidelity.md); it was a 500."""
    server, seen = documents
    document = {"url": str(server.make_url("/echo")), "method": "post", "content": "id=\udcff"}
    reply = await kazoo.put("/faxes", {"from_number": "1", "to_number": "+442071234567", "document": document})
    assert reply.status == 201 and seen[-1]["body"] == b"id=?"
