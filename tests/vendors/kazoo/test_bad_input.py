"""Bad input never gets a 500 or a traceback: it gets Kazoo's own error envelope."""

from __future__ import annotations

import pytest

from tests.vendors.kazoo.conftest import assert_error

BODIES = [
    b"",
    b"{",
    b"[]",
    b"null",
    b'"text"',
    b'{"data": 5}',
    b'{"nodata": {}}',
    b'{"data": []}',
    b'{"data": {"name": {"deep": [1, 2]}}}',
    b"\xff\xfe",
    b'{"data": {"retries": 1e400}}',
]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("path", ["/faxboxes", "/faxes", "/webhooks"])
async def test_malformed_bodies_get_a_400_envelope(kazoo, path, body):
    reply = await kazoo.call("PUT", kazoo.url(path), data=body, headers={"Content-Type": "application/json"})
    assert reply.status == 400, reply.body
    assert reply.body["status"] == "error" and reply.body["error"] == "400"
    assert reply.body["message"] in ("validation error", "invalid request envelope")


async def test_malformed_json_is_reported_as_kazoo_does(kazoo):
    reply = await kazoo.call("PUT", kazoo.url("/faxboxes"), data=b"{", headers={"Content-Type": "application/json"})
    assert reply.data == {"json": {"invalid": {"message": "All JSON must be valid", "target": "body"}}}
    missing = await kazoo.call("PUT", kazoo.url("/faxboxes"), {"name": "no envelope"})
    assert_error(missing, 400, "invalid request envelope")


async def test_broken_multipart_bodies_are_refused_cleanly(kazoo):
    reply = await kazoo.call(
        "PUT", kazoo.url("/faxes"), data=b"--x\r\nbroken", headers={"Content-Type": "multipart/mixed; boundary=x"}
    )
    assert reply.status == 400 and reply.body["status"] == "error"
    no_json = await kazoo.call(
        "PUT", kazoo.url("/faxes"), data=b"%PDF-1.4 nothing", headers={"Content-Type": "application/pdf"}
    )
    assert_error(no_json, 400, "validation error")
    assert set(no_json.data) == {"from_number", "to_number"}


async def test_odd_ids_and_paths_are_404s(kazoo):
    for path in (
        "/faxes/outgoing/..%2F..",
        "/faxes/outbox/%00",
        "/faxes/inbox/x/attachment",
        "/webhooks/" + "a" * 500,
        "/faxboxes/%E2%98%83",
    ):
        reply = await kazoo.get(path)
        assert_error(reply, 404, "bad_identifier")


JUNK = [
    None,
    b"{",
    b'{"data": {"to_number": 5, "from_number": [], "document": "x", "retries": "x"}}',
    b'{"data": {"name": 1, "hook": {}, "uri": 3, "notifications": {"outbound": []}}}',
    b'{"action": 5, "data": {"to_number": {}}}',
]


async def test_every_route_answers_junk_without_an_unexpected_500(client, kazoo):
    from emulator.vendors.kazoo.routes import ROUTES

    box = await kazoo.faxbox()
    values = {
        "account_id": kazoo.account_id,
        "faxbox_id": box["id"],
        "fax_id": "202601-" + "a" * 32,
        "webhook_id": "b" * 32,
    }
    for method, path, _, name in ROUTES:
        url = "/v2" + path.replace("{folder:outbox|inbox}", "outbox").format(**values)
        for body in JUNK:
            reply = await kazoo.call(method, url, data=body, headers={"Content-Type": "application/json"})
            assert reply.status < 500, (name, body, reply.body)
            assert reply.body["status"] == "error" or reply.status in (200, 201), (name, body)
    runtime_errors = (await (await client.get("/_emulator/health")).json())["errors"]
    assert runtime_errors == []
