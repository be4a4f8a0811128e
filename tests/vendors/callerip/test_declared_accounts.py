"""Declared CallerIP tokens through the control API: only they work, and a line groups tokens."""

from __future__ import annotations

from tests.vendors.callerip.test_flow import send_form


async def test_declared_tokens_are_the_only_ones_and_share_their_line(client):
    declared = [{"token": "desk-a", "line": "front"}, {"token": "desk-b", "line": "front"}, {"token": "solo"}]
    response = await client.put("/_emulator/accounts/callerip", json={"accounts": declared})
    assert response.status == 200
    assert (await response.json())["accounts"][2] == {"token": "solo", "line": "solo"}

    refused = await client.post("/api/fax/send", data=send_form(token="someone-else"))
    assert refused.status == 401 and (await refused.json()) == {"error": "invalid token"}
    uuid = (await (await client.post("/api/fax/send", data=send_form(token="desk-a"))).json())["uuid"]
    # another token of the same line sees the fax; a token of another line does not
    assert (await client.get("/api/fax/status", params={"token": "desk-b", "uuid": uuid})).status == 200
    assert (await client.get("/api/fax/status", params={"token": "solo", "uuid": uuid})).status == 404

    await client.put("/_emulator/accounts/callerip", json={"accounts": []})
    assert (await client.post("/api/fax/send", data=send_form(token="anyone"))).status == 200


async def test_a_bad_declaration_is_refused_and_changes_nothing(client):
    for bad in ([{"token": "x"}, {"token": "x"}], [{"token": ""}], [{"token": "x", "pin": 1}]):
        response = await client.put("/_emulator/accounts/callerip", json={"accounts": bad})
        assert response.status == 400, bad
    assert (await (await client.get("/_emulator/accounts/callerip")).json())["accounts"] == []
