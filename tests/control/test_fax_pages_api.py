"""The control API the web UI reads: a paged, filtered, searchable fax list, a fax's
timeline, the requests that touched a fax, and one journal entry with headers and bodies."""

from __future__ import annotations

import pytest

from emulator.core.journal import MAX_BODY_BYTES, MAX_HEADER_BYTES
from tests.conftest import advance
from tests.vendors.callerip.test_flow import send_form


async def _send(client, number: str = "2125550100", token: str = "my-line") -> str:
    return (await (await client.post("/api/fax/send", data=send_form(number=number, token=token))).json())["uuid"]


async def test_the_list_pages_newest_first_with_summaries(client):
    ids = []
    for _ in range(5):
        ids.append(await _send(client))
        await advance(client, 1)
    first = await (
        await client.get("/_emulator/faxes", params={"order": "newest", "limit": "2", "view": "summary"})
    ).json()
    assert [f["id"] for f in first["faxes"]] == [ids[4], ids[3]] and first["total"] == 5
    assert "history" not in first["faxes"][0] and first["faxes"][0]["status"] == "Converting"
    second = await (
        await client.get("/_emulator/faxes", params={"order": "newest", "limit": "2", "offset": "2"})
    ).json()
    assert [f["id"] for f in second["faxes"]] == [ids[2], ids[1]] and "history" in second["faxes"][0]
    oldest_first = await (await client.get("/_emulator/faxes", params={"limit": "2", "offset": "1"})).json()
    assert [f["id"] for f in oldest_first["faxes"]] == [ids[2], ids[3]]
    past_the_end = await (await client.get("/_emulator/faxes", params={"order": "newest", "offset": "9"})).json()
    assert past_the_end == {"faxes": [], "total": 5}


async def test_the_list_searches_ids_and_numbers_and_counts_facets(client):
    busy = await _send(client, number="2125550001")
    other = await _send(client, number="3135550123", token="other")
    by_number = await (await client.get("/_emulator/faxes", params={"q": "313555"})).json()
    assert [f["id"] for f in by_number["faxes"]] == [other]
    by_id = await (await client.get("/_emulator/faxes", params={"q": busy[:8].upper(), "facets": "1"})).json()
    assert [f["id"] for f in by_id["faxes"]] == [busy]
    assert by_id["facets"]["tenant"] == {"my-line": 1, "other": 1}
    assert by_id["facets"]["vendor"] == {"callerip": 2} and by_id["facets"]["direction"] == {"outbound": 2}


@pytest.mark.parametrize("params", [{"order": "sideways"}, {"view": "all"}, {"offset": "-1"}, {"offset": "x"}])
async def test_the_list_refuses_bad_paging(client, params):
    response = await client.get("/_emulator/faxes", params=params)
    assert response.status == 400 and (await response.json())["error"]["field"] == next(iter(params))


async def test_a_fax_timeline_names_each_attempt_and_its_outcome(client):
    busy = await _send(client, number="2125550001")  # CallerIP's magic busy number
    await advance(client, 600)
    fax = await (await client.get(f"/_emulator/faxes/{busy}")).json()
    steps = fax["timeline"]
    assert [s["status"] for s in steps] == [h["status"] for h in fax["history"]]
    sending = [s for s in steps if s["status"] == "Sending"]
    assert [s["attempt"] for s in sending] == list(range(1, len(sending) + 1))
    assert steps[0]["attempt"] is None and steps[-1]["outcome"] == "busy" and steps[-1]["status"] == "Failed"
    assert steps[-1]["attempt"] == fax["attempts"]


async def test_the_requests_that_touched_a_fax(client):
    mine, other = await _send(client), await _send(client)
    await client.get("/api/fax/status", params={"token": "my-line", "uuid": mine})
    found = await (await client.get("/_emulator/requests", params={"fax_id": mine})).json()
    assert [(r["operation"], r["fax_ids"]) for r in found["requests"]] == [("send_fax", [mine]), ("fax_status", [])]
    assert other not in str(found)


async def test_one_request_shows_its_headers_and_bodies(client):
    uuid = await _send(client)
    [entry] = (await (await client.get("/_emulator/requests", params={"limit": "1"})).json())["requests"]
    full = await (await client.get(f"/_emulator/requests/{entry['seq']}")).json()
    assert full["seq"] == entry["seq"] and full["operation"] == "send_fax"
    assert ["Content-Type", "application/json; charset=utf-8"] in full["response"]["headers"]
    assert uuid in full["response"]["body"] and not full["response"]["truncated"]
    assert any(name.lower() == "content-type" and "multipart" in value for name, value in full["request"]["headers"])
    # a multipart body: its fields, and its files by name and size, not their bytes
    assert '"number":"2125550100"' in full["request"]["body"] and "fax.pdf" in full["request"]["body"]
    assert "%PDF" not in full["request"]["body"]


async def test_a_long_body_is_kept_cut_to_the_bound(client):
    big = "x" * (MAX_BODY_BYTES * 2)
    await client.post(
        "/v3/accounts/self/outbox",
        json={"to": ["+15550100"], "files": [], "comment": big},
        headers={"Authorization": "Bearer t"},
    )
    [entry] = (await (await client.get("/_emulator/requests", params={"limit": "1"})).json())["requests"]
    full = await (await client.get(f"/_emulator/requests/{entry['seq']}")).json()
    request = full["request"]
    assert request["truncated"] and request["size"] > MAX_BODY_BYTES and len(request["body"]) == MAX_BODY_BYTES


async def _entry(client) -> dict:
    [entry] = (await (await client.get("/_emulator/requests", params={"limit": "1"})).json())["requests"]
    return await (await client.get(f"/_emulator/requests/{entry['seq']}")).json()


async def test_the_request_headers_are_kept_whole_within_their_bound_in_bytes(client):
    many = {f"X-Filler-{n:02}": "f" * 200 for n in range(60)}  # about 12 KiB of headers
    await client.get("/api/fax/status", params={"token": "my-line", "uuid": "nope"}, headers=many)
    request = (await _entry(client))["request"]
    kept = [pair for pair in request["headers"] if pair[0].startswith("X-Filler-")]
    assert kept and all(value == "f" * 200 for _, value in kept), "a header is kept whole or not at all"
    assert len(kept) < len(many) and request["headers_truncated"]
    lines = "\r\n".join(f"{name}: {value}" for name, value in request["headers"])
    assert len(lines) <= MAX_HEADER_BYTES and request["headers_dropped"] == request["headers_size"] - len(lines)


async def test_the_answer_headers_are_bounded_in_bytes_too(client):
    # Crossbar echoes the request's id in the answer's X-Request-ID (kazoo.md §3)
    echoed = "r" * (MAX_HEADER_BYTES - 20)  # within aiohttp's 8,190 bytes a header line
    await client.get("/v2/accounts/nope/faxes/outgoing", headers={"X-Request-ID": echoed, "X-Auth-Token": "x"})
    full = await _entry(client)
    response = full["response"]
    assert response["headers_truncated"] and response["headers_dropped"] > 0
    assert ["X-Request-ID", echoed] not in response["headers"]
    assert response["headers_size"] > MAX_HEADER_BYTES and echoed in response["body"]


async def test_short_headers_and_bodies_are_kept_as_they_were(client):
    await client.get("/api/fax/status", params={"token": "my-line", "uuid": "nope"}, headers={"X-Mine": "yes"})
    full = await _entry(client)
    for side in (full["request"], full["response"]):
        assert not side["headers_truncated"] and side["headers_dropped"] == 0 and side["dropped"] == 0
    assert ["X-Mine", "yes"] in full["request"]["headers"]


@pytest.mark.parametrize("seq", ["999", "x"])
async def test_an_unknown_request_is_404(client, seq):
    assert (await client.get(f"/_emulator/requests/{seq}")).status == 404


async def test_a_refiled_fax_finds_its_webhooks_and_requests_by_either_id(client, receiver):
    # FAX.PLUS gives a sent fax a new id (its record) apart from its outbox id
    from tests.vendors.faxplus.raw import call, my_number, upload

    status, _ = await call(client, "POST", "/hooks", json={"target": receiver.url, "event": "fax_sent"})
    assert status in (200, 201)
    body = {
        "from": await my_number(client),
        "to": ["+12125550100"],
        "files": [await upload(client)],
        "return_ids": True,
    }
    outbox_id = (await call(client, "POST", "/accounts/self/outbox", json=body))[1]["ids"]["+12125550100"]
    await advance(client, 3600)
    fax = await (await client.get(f"/_emulator/faxes/{outbox_id}")).json()
    assert fax["aliases"], "FAX.PLUS re-ids a sent fax"
    for either in (outbox_id, *fax["aliases"]):
        hooks = await (await client.get("/_emulator/webhooks", params={"fax_id": either})).json()
        assert [d["event"] for d in hooks["deliveries"]] == ["fax_sent"], either
        found = await (await client.get("/_emulator/requests", params={"fax_id": either})).json()
        assert [r["operation"] for r in found["requests"]] == ["send_fax"], either
