"""Tenants are isolated: one token's account never sees or touches another's (faxplus.md §1, §3)."""

from __future__ import annotations

from tests.conftest import advance
from tests.vendors.faxplus.raw import call, my_number, refused, upload

A, B = "tenant-a", "tenant-b"


async def test_one_account_cannot_see_or_touch_another(client):
    path = await upload(client, token=A)
    body = {
        "from": await my_number(client, A),
        "to": ["+12125550100", "+12125550101"],
        "files": [path],
        "return_ids": True,
    }
    status, sent = await call(client, "POST", "/accounts/self/outbox", token=A, json=body)
    assert status == 201
    pending = sent["ids"]["+12125550100"]
    status, hook = await call(
        client, "POST", "/hooks", token=A, json={"target": "http://127.0.0.1:9/a", "event": "fax_sent"}
    )
    await call(client, "DELETE", f"/accounts/self/outbox/{sent['ids']['+12125550101']}", token=A)

    # B's own views are empty
    assert (await call(client, "GET", "/accounts/self/outbox", token=B))[1] == {"records": []}
    assert (await call(client, "GET", "/hooks?event=fax_sent", token=B))[1] == {"data": []}
    # A's ids and files are unknown to B
    await refused(client, "GET", f"/accounts/self/outbox/{pending}", 404, "not_found", token=B)
    await refused(client, "DELETE", f"/accounts/self/outbox/{pending}", 404, "not_found", token=B)
    await refused(client, "DELETE", f"/hooks/{hook['id']}", 404, "not_found", token=B)
    body_b = {"from": await my_number(client, B), "to": ["+12125550100"], "files": [path]}
    await refused(client, "POST", "/accounts/self/outbox", 400, "invalid_file", token=B, json=body_b)

    await advance(client, 3600)
    records = (await call(client, "GET", "/accounts/self/faxes", token=A))[1]["data"]["records"]
    assert [r["to"] for r in records] == ["+12125550100"]
    fax_id = records[0]["id"]
    assert (await call(client, "GET", "/accounts/self/faxes", token=B))[1] == {"data": {"records": []}}
    for route in ("faxes", "files", "report", "thumbnail"):
        await refused(client, "GET", f"/accounts/self/{route}/{fax_id}", 404, "not_found", token=B)
    await refused(
        client,
        "PUT",
        f"/accounts/self/faxes/{fax_id}",
        404,
        "not_found",
        token=B,
        json={"comment": "mine now", "is_read": True},
    )
    assert (await call(client, "GET", f"/accounts/self/faxes/{fax_id}", token=A))[1]["comment"] == ""
    assert (await call(client, "GET", "/shop/balance", token=B))[1]["amount"] == 100.0
    assert (await call(client, "GET", "/shop/balance", token=A))[1]["amount"] == 99.0


async def test_scoped_tokens_share_their_account(client):
    full = (await call(client, "GET", "/accounts/self", token="same"))[1]["uid"]
    scoped = (await call(client, "GET", "/accounts/self", token="same~fax:user:read"))[1]["uid"]
    assert full == scoped


async def test_corporate_users_see_only_their_own_faxes(client):
    admin, member = "corp_admin_globex", "corp_member1_globex"
    path = await upload(client, token=member)
    body = {"from": await my_number(client, member), "to": ["+12125550100"], "files": [path]}
    assert (await call(client, "POST", "/accounts/self/outbox", token=member, json=body))[0] == 201
    await advance(client, 3600)
    assert (await call(client, "GET", "/accounts/self/faxes", token=admin))[1] == {"data": {"records": []}}
    member_id = (await call(client, "GET", "/accounts/self", token=member))[1]["uid"]
    listed = (await call(client, "GET", f"/accounts/{member_id}/faxes", token=admin))[1]["data"]["records"]
    assert len(listed) == 1 and listed[0]["owner_id"] == member_id
    # a member may not send from the admin's number; the admin may send from the member's
    admin_number = await my_number(client, admin)
    body = {"from": admin_number, "to": ["+12125550100"], "files": [path]}
    await refused(client, "POST", "/accounts/self/outbox", 403, "number_not_owned", token=member, json=body)
    body["from"] = await my_number(client, member)
    assert (await call(client, "POST", "/accounts/self/outbox", token=admin, json=body))[0] == 201
