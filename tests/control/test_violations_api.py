"""GET /_emulator/violations: the contract-violation log, numbered so a reader can ask "since when"."""

from __future__ import annotations

from tests.conftest import runtime_of


async def violations(client, **query):
    response = await client.get("/_emulator/violations", params=query)
    return response.status, await response.json()


async def test_empty_log(client):
    assert await violations(client) == (200, {"violations": [], "total": 0, "last_seq": 0, "strict": True})


async def test_numbered_filtered_and_limited(client):
    journal = runtime_of(client).journal
    journal.violation(vendor="callerip", operation="send_fax", message="a")
    journal.violation(vendor="callerip", operation="fax_status", message="b")
    journal.violation(vendor=None, message="c")
    status, body = await violations(client)
    assert status == 200 and body["last_seq"] == 3 and body["total"] == 3
    assert [(v["seq"], v["message"]) for v in body["violations"]] == [(1, "a"), (2, "b"), (3, "c")]
    assert [v["seq"] for v in (await violations(client, since=1))[1]["violations"]] == [2, 3]
    assert [v["seq"] for v in (await violations(client, vendor="callerip"))[1]["violations"]] == [1, 2]
    _, limited = await violations(client, limit=1)
    assert [v["seq"] for v in limited["violations"]] == [3] and limited["total"] == 3


async def test_reset_empties_the_log_but_numbers_keep_growing(client):
    journal = runtime_of(client).journal
    journal.violation(vendor="callerip", message="before")
    assert (await client.post("/_emulator/reset")).status == 200
    assert (await violations(client))[1] == {"violations": [], "total": 0, "last_seq": 1, "strict": True}
    journal.violation(vendor="callerip", message="after")
    assert [v["seq"] for v in (await violations(client))[1]["violations"]] == [2]


async def test_bad_filters_get_400(client):
    status, body = await violations(client, since="yesterday")
    assert status == 400 and body["error"]["field"] == "since"
    status, body = await violations(client, vendor="nonesuch")
    assert status == 400 and body["error"]["field"] == "vendor"
