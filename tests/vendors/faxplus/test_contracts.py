"""Real emulator responses, callbacks and SDK request bodies validate against schemas/faxplus/ (§5)."""

from __future__ import annotations

import json
from importlib import resources

import aiohttp
from faxplus import ApiClient
from faxplus.models import (
    AccountNotifications,
    AccountNotificationsEmailSettings,
    AccountNotificationsPushSettings,
    AccountNotificationsSettings,
    AccountNotificationsSmsSettings,
    OutboxComment,
    OutboxCoverPage,
    OutboxOptions,
    PayloadAccountModification,
    PayloadOutbox,
    RetryOptions,
)

from emulator.core.contracts import check
from emulator.core.documents import make_pdf
from tests.conftest import advance, runtime_of
from tests.vendors.faxplus.raw import call, my_number

ADMIN = "corp_admin_initech"


async def valid(client, schema: str, method: str, path: str, token: str = "contracts", **kwargs):
    status, body = await call(client, method, path, token=token, **kwargs)
    assert 200 <= status < 300, body
    assert check("faxplus", schema, body) == [], (schema, body)
    return body


async def test_every_json_response_matches_its_schema(client):
    hook_target = "http://127.0.0.1:9/hook"
    await valid(client, "webhook_id", "POST", "/hooks", json={"target": hook_target, "event": "fax_sent"})
    await valid(client, "webhook_list", "GET", "/hooks?event=fax_sent")
    form = aiohttp.FormData()
    form.add_field("fax_file", make_pdf(2), filename="a.pdf", content_type="application/pdf")
    path = (await valid(client, "file_path", "POST", "/accounts/self/files?format=pdf", data=form))["path"]
    body = {
        "from": await my_number(client, "contracts"),
        "to": ["+12125550100", "+12125550011"],
        "files": [path],
        "return_ids": True,
        "comment": {"tags": ["t"], "text": "c"},
        "send_time": "2026-01-01 00:00:00 +0000",
        "options": {"enhancement": True, "retry": {"count": 1, "delay": 1}},
        "cover_page": {"name_to": "a", "name_from": "b", "subject": "c", "flags": ["urgent"], "message": "m"},
    }
    ids = (await valid(client, "send_fax_response", "POST", "/accounts/self/outbox", json=body))["ids"]
    await valid(client, "outbox_list", "GET", "/accounts/self/outbox")
    for seconds in (0, 1, 5, 2):
        await advance(client, seconds)
        await valid(client, "outbox", "GET", f"/accounts/self/outbox/{ids['+12125550100']}")
    await advance(client, 3600)
    arrived = await client.post(
        "/_emulator/inbound",
        json={"vendor": "faxplus", "tenant": "contracts", "to": "+12125559999", "from": "+13125550100"},
    )
    assert arrived.status == 201
    records = (await valid(client, "fax_list", "GET", "/accounts/self/faxes"))["data"]["records"]
    assert {r["direction"] for r in records} == {"outgoing", "incoming"}
    for record in records:
        await valid(client, "fax", "GET", f"/accounts/self/faxes/{record['id']}")
    await valid(client, "user", "GET", "/accounts/self")
    await valid(client, "number_list", "GET", "/accounts/self/numbers")
    number = await my_number(client, "contracts")
    await valid(client, "number", "GET", f"/accounts/self/numbers/{number.replace('+', '%2B')}")
    await valid(client, "balance", "GET", "/shop/balance")
    await valid(client, "numbers_available_countries", "GET", "/shop/numbers/countries")
    await valid(client, "number_area_list", "GET", "/shop/numbers/countries/GB/areas")
    offered = await valid(client, "available_number_list", "GET", "/shop/numbers/countries/GB/areas/20/numbers")
    await valid(
        client,
        "purchased_number",
        "POST",
        "/shop/numbers/purchase",
        json={"item_id": offered["numbers"][0]["item"]["id"]},
    )
    members = (await valid(client, "account_list", "GET", "/accounts", token=ADMIN))["members"]
    await valid(client, "member_detail", "GET", f"/accounts/self/member-details/{members[0]['uid']}", token=ADMIN)
    status, error = await call(client, "GET", "/accounts/self/faxes/nope", token="contracts")
    assert status == 404 and check("faxplus", "error", error) == []

    callbacks = [json.loads(d.body) for d in runtime_of(client).dispatcher.query(vendor="faxplus")]
    assert len(callbacks) == 2
    for callback in callbacks:
        assert check("faxplus", "webhook_callback", callback) == []


def test_what_the_sdk_sends_matches_the_request_schemas():
    client = ApiClient()
    flags = {"low_credit": True, "new_feature": False, "receive_fax": True, "send_fax": True, "voicemail": False}
    bodies = {
        "payload_outbox": PayloadOutbox(
            from_number="+15550001111",
            to=["+15551234567"],
            files=["/transient-x"],
            return_ids=True,
            comment=OutboxComment(tags=["a"], text="b"),
            send_time="2026-01-01 10:00:00 +0100",
            options=OutboxOptions(enhancement=True, retry=RetryOptions(count=3, delay=30)),
            cover_page=OutboxCoverPage(name_to="a", name_from="b", subject="c", flags=["confidential"]),
        ),
        "payload_account_modification": PayloadAccountModification(
            name="n",
            email="a@b.example",
            phone="+15550001111",
            notifications=AccountNotifications(
                settings=AccountNotificationsSettings(
                    email=AccountNotificationsEmailSettings(**flags),
                    push_notifications=AccountNotificationsPushSettings(**flags),
                    sms=AccountNotificationsSmsSettings(**flags),
                )
            ),
        ),
    }
    for schema, model in bodies.items():
        assert check("faxplus", schema, client.sanitize_for_serialization(model)) == []
    client.rest_client.pool_manager.clear()


def test_every_schema_says_where_it_comes_from():
    folder = resources.files("emulator.schemas").joinpath("faxplus")
    names = [entry.name for entry in folder.iterdir() if entry.name.endswith(".json")]
    assert len(names) >= 25
    for name in names:
        schema = json.loads(folder.joinpath(name).read_text("utf-8"))
        assert schema["$schema"].endswith("2020-12/schema") and "faxplus.md" in schema["description"], name
