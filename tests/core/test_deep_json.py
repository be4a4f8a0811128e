"""JSON nested past MAX_JSON_DEPTH is refused with the vendor's own 400 (issue #17, item 3).

Before, a FAX.PLUS send 900 levels deep answered 500 (the handler's recursion ran out) and
deeper bodies walked the event loop; now every vendor refuses them after one bounded look.
"""

from __future__ import annotations

import pytest

from emulator.core.bodies import MAX_JSON_DEPTH, too_deep


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def test_the_depth_is_measured_from_the_outermost_level():
    import json

    for depth, deep in ((MAX_JSON_DEPTH, False), (MAX_JSON_DEPTH + 1, True), (900, True)):
        raw = nested(depth)
        assert too_deep(raw, json.loads(raw)) is deep, depth
    wide = b"[" + b",".join([b"[1]"] * 1000) + b"]"  # many brackets, two levels
    assert too_deep(wide, json.loads(wide)) is False


@pytest.mark.parametrize("depth", [900, 100_000])
async def test_every_vendor_refuses_deep_json_in_its_own_words(client, depth):
    body = nested(depth)
    json_headers = {"Content-Type": "application/json"}
    reply = await client.post(
        "/v3/accounts/self/outbox", data=body, headers={**json_headers, "Authorization": "Bearer deep"}
    )
    assert reply.status == 400 and (await reply.json())["error"] == "invalid_request"
    reply = await client.post("/api/fax/send", data=body, headers={**json_headers, "Authorization": "Bearer deep"})
    assert reply.status == 400
    reply = await client.put("/v2/user_auth", data=body, headers=json_headers)
    answer = await reply.json()
    assert reply.status == 400 and answer["data"]["json"]["invalid"]["message"] == "All JSON must be valid"
    health = await client.get("/_emulator/health")
    assert health.status == 200


async def test_an_integer_of_more_digits_than_python_reads_is_said_so_not_called_deep(client):
    """json's ValueError for an integer past 4,300 digits was answered as JSON "nested too deeply"."""
    body = b'{"seconds": 1' + b"0" * 5_000 + b"}"
    reply = await client.post("/_emulator/clock/advance", data=body, headers={"Content-Type": "application/json"})
    message = (await reply.json())["error"]["message"]
    assert reply.status == 400 and "integer of more than 4,300 digits" in message and "nested" not in message
    reply = await client.post(
        "/v3/accounts/self/outbox",
        data=b'{"from": "+1", "to": [1' + b"0" * 5_000 + b"]}",
        headers={"Content-Type": "application/json", "Authorization": "Bearer digits"},
    )
    assert reply.status == 400 and (await reply.json())["error"] == "invalid_request"
