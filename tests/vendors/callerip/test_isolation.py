"""Each CallerIP token is its own fax line: it sees only its own faxes."""

from __future__ import annotations

from tests.conftest import advance
from tests.vendors.callerip.test_flow import send_form


async def test_another_token_cannot_read_a_fax(client):
    uuid = (await (await client.post("/api/fax/send", data=send_form(token="alice"))).json())["uuid"]
    mine = await client.get("/api/fax/status", params={"token": "alice", "uuid": uuid})
    theirs = await client.get("/api/fax/status", params={"token": "bob", "uuid": uuid})
    assert mine.status == 200 and theirs.status == 404


async def test_tenants_are_listed_and_reset_separately(client):
    a = (await (await client.post("/api/fax/send", data=send_form(token="alice"))).json())["uuid"]
    b = (await (await client.post("/api/fax/send", data=send_form(token="bob"))).json())["uuid"]
    alice = await (await client.get("/_emulator/faxes", params={"tenant": "alice"})).json()
    assert [f["id"] for f in alice["faxes"]] == [a]

    reset = await client.post("/_emulator/reset", json={"vendor": "callerip", "tenant": "alice"})
    assert (await reset.json())["faxes_dropped"] == 1
    await advance(client, 600)
    gone = await client.get("/api/fax/status", params={"token": "alice", "uuid": a})
    kept = await client.get("/api/fax/status", params={"token": "bob", "uuid": b})
    assert gone.status == 404
    assert (await kept.json())["status"] == "Success"
