"""Bad input never gets a 500 or a traceback: it gets Kazoo's own error envelope."""

from __future__ import annotations

import asyncio
import json
from typing import Any

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


async def _raw_poll(kazoo, job_id: str, headers: bytes) -> bytes:
    """The whole answer to a poll of ``job_id`` sent with ``headers`` as these bytes (a client
    library would refuse bytes that are not UTF-8)."""
    server = kazoo.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(
        f"GET {kazoo.url(f'/faxes/outgoing/{job_id}')} HTTP/1.1\r\nHost: x\r\n".encode()
        + headers
        + b"\r\nConnection: close\r\n\r\n"
    )
    answer = await reader.read()
    writer.close()
    return answer


async def test_a_token_whose_bytes_are_not_utf8_is_refused_as_unknown(kazoo):
    """aiohttp decodes a header's bytes that are not UTF-8 as lone surrogates: a token with one
    (here in its signature, after a valid header and payload) is an unknown token, a 401 (it
    was a 500: the token book's digest could not encode it)."""
    job_id = (await kazoo.send()).data["id"]
    head, payload, _ = kazoo.token.split(".")
    answer = await _raw_poll(kazoo, job_id, f"X-Auth-Token: {head}.{payload}.".encode() + b"\xff")
    assert answer.startswith(b"HTTP/1.1 401 "), answer[:200]
    assert b'"message":"invalid credentials"' in answer


@pytest.mark.parametrize("field", ["credentials", "account_name"])
async def test_a_login_with_a_lone_surrogate_is_answered_as_any_other(kazoo, field):
    """A JSON escape of a lone surrogate in a user_auth body (it was a 500: the account's
    digest could not encode it): with no accounts declared, any credentials make an account."""
    # (json.dumps writes the lone surrogate as its escape, "\\udcff")
    body = json.dumps({"data": {"credentials": "c" * 32, "account_name": "acme", field: "\udcff"}})
    reply = await kazoo.client.put("/v2/user_auth", data=body.encode(), headers={"Content-Type": "application/json"})
    assert reply.status == 201, await reply.text()
    again = await kazoo.client.put("/v2/user_auth", data=body.encode(), headers={"Content-Type": "application/json"})
    assert (await again.json())["data"]["account_id"] == (await reply.json())["data"]["account_id"]


async def test_an_account_named_with_a_lone_surrogate_survives_a_snapshot(kazoo):
    """The login above keeps its account name: GET /_emulator/state could not write it (a 500,
    found by a byte probe), and the snapshot it now writes (the name as its JSON escape) is
    taken back by PUT /_emulator/state as it was."""
    body = b'{"data":{"credentials":"' + b"c" * 32 + b'","account_name":"acme\\udcff"}}'
    reply = await kazoo.client.put("/v2/user_auth", data=body, headers={"Content-Type": "application/json"})
    assert reply.status == 201, await reply.text()
    exported = await kazoo.client.get("/_emulator/state")
    assert exported.status == 200, await exported.text()
    snapshot = await exported.read()
    assert b'"acme\\udcff"' in snapshot
    restored = await kazoo.client.put("/_emulator/state", data=snapshot)
    assert restored.status == 200, await restored.text()
    assert await (await kazoo.client.get("/_emulator/state")).read() == snapshot


async def test_a_job_with_a_lone_surrogate_is_shown_by_the_control_api(kazoo):
    """A job whose text holds a lone surrogate's JSON escape is kept as sent: its document is
    written with that escape, which orjson alone could not read back for the control API's
    fax list (a 500, found by a byte probe)."""
    reply = await kazoo.send(fax_identity_name="desk \udcff")  # (json.dumps writes it as "\\udcff")
    assert reply.status in (200, 201), reply.body
    listing = await kazoo.client.get("/_emulator/faxes")
    assert listing.status == 200, await listing.text()
    [fax] = (await listing.json())["faxes"]
    assert fax["vendor_view"]["fax_identity_name"] == "desk \udcff"


async def test_a_polled_job_with_a_lone_surrogate_answers_a_request_id_that_is_not_utf8(kazoo):
    """A request id whose bytes are not UTF-8 makes the polled job's envelope go through
    ``respond``, which read the job's text back with orjson alone: a job whose text holds a
    lone surrogate's escape was a 500 there (found by a byte probe)."""
    job_id = (await kazoo.send(fax_identity_name="desk \udcff")).data["id"]
    headers = f"X-Auth-Token: {kazoo.token}\r\nX-Request-ID: r".encode() + b"\xff"
    head, _, payload = (await _raw_poll(kazoo, job_id, headers)).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), head
    assert json.loads(payload)["data"]["fax_identity_name"] == "desk \udcff"


async def test_long_numbers_are_normalised_each_time_and_never_remembered(client, kazoo):
    """The schema sets no length on ``to_number``: a client's long numbers are normalised each
    time, refused or not, and not kept in the runtime's memo (a short one is)."""
    from emulator.vendors.kazoo.jobs import NORMALIZED, REMEMBERED_NUMBER
    from tests.conftest import runtime_of

    memo = runtime_of(client).cache.memos[NORMALIZED]

    async def job(number: str) -> Any:
        data = {"from_number": "+14155550100", "to_number": number, "document": {"url": "http://x/a.pdf"}}
        return await kazoo.put("/faxes/outgoing", data)

    for n in range(3):
        reply = await job("x" * REMEMBERED_NUMBER + str(n))
        assert_error(reply, 400, "validation error")
        assert reply.data == {"document.to_number": {"required": {"message": "add a valid number to send the fax to"}}}
    long_e164 = "+2" + "3" * REMEMBERED_NUMBER
    assert (await job(long_e164)).data["to_number"] == long_e164
    reply = await job("2125550100")
    assert reply.status == 201 and reply.data["to_number"] == "+12125550100"
    assert "2125550100" in memo
    assert not any(len(key) > REMEMBERED_NUMBER for key in memo)
