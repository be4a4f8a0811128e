"""Inbound faxes: POST /_emulator/inbound lands in the owner's inbox and fires fax_received (§6.1, §7)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import urllib3
from faxplus.models import FaxCategory, Webhook, WebhookEventType

from emulator.core.contracts import check
from emulator.core.documents import count_pdf_pages, make_tiff
from emulator.testing import FaxEmulator
from tests.conftest import Receiver
from tests.vendors.faxplus.sdk import Sdk

SENDER = "+14155550199"


def inbound(emulator: FaxEmulator, **body: Any) -> tuple[int, dict[str, Any]]:
    response = urllib3.request(
        "POST",
        emulator.url + "/_emulator/inbound",
        body=json.dumps({"vendor": "faxplus", "from": SENDER, **body}),
        headers={"Content-Type": "application/json"},
    )
    return response.status, json.loads(response.data)


async def test_inbound_fax_lands_in_inbox_and_fires_fax_received(sdk: Sdk, emulator: FaxEmulator, receiver: Receiver):
    sdk.hooks.create_webhook(body=Webhook(target=receiver.url, event=WebhookEventType.RECEIVED))
    sdk.hooks.create_webhook(body=Webhook(target=receiver.url + "/sent", event=WebhookEventType.SENT))
    mine = sdk.my_number()
    status, created = inbound(emulator, to=mine, pages=3)
    assert status == 201 and created["vendor_view"]["fax"]["direction"] == "incoming"

    records = sdk.faxes.list_faxes("self", category=FaxCategory.INBOX).data.records
    assert len(records) == 1
    fax = records[0]
    assert (fax.direction, fax.status, fax.pages, fax.to, fax.from_number) == ("incoming", "success", 3, mine, SENDER)
    assert fax.file_name == "fax-from-14155550199" and fax.is_read is False and fax.cost == 3
    assert sdk.faxes.list_faxes("self", category=FaxCategory.SENT).data.records == []
    document = Path(sdk.files.get_file("self", fax.id)).read_bytes()
    assert count_pdf_pages(document) == 3

    await asyncio.to_thread(emulator.client.advance, 0)
    assert [r["path"] for r in receiver.received] == ["/hook"]
    body = receiver.bodies()[0]
    assert check("faxplus", "webhook_callback", body) == []
    assert body["hook"]["event"] == "fax_received" and body["data"]["id"] == fax.id
    assert (body["data"]["from"], body["data"]["to"], body["data"]["status"]) == (SENDER, mine, "success")
    assert sdk.shop.get_balance().amount == 100.0  # only sent faxes are charged


def test_spam_and_partial_and_a_real_document(sdk: Sdk, emulator: FaxEmulator):
    mine = sdk.my_number()
    assert inbound(emulator, to=mine, options={"spam": True})[0] == 201
    assert inbound(emulator, to=mine, pages=4, options={"status": "partially_received"})[0] == 201
    tiff = base64.b64encode(make_tiff(2)).decode()
    assert inbound(emulator, to=mine, document_base64=tiff, filename="scan.tiff")[0] == 201
    spam = sdk.faxes.list_faxes("self", category=FaxCategory.SPAM).data.records
    assert len(spam) == 1 and spam[0].is_spam is True
    inbox = {r.pages: r for r in sdk.faxes.list_faxes("self", category=FaxCategory.INBOX).data.records}
    assert inbox[4].status == "partially_received" and inbox[4].cost == 2
    assert Path(sdk.files.get_file("self", inbox[2].id)).read_bytes().startswith(b"II*\x00")


def test_a_members_number_delivers_to_that_member(make: Callable[[str], Sdk], emulator: FaxEmulator):
    admin, member = make("corp_admin_acme"), make("corp_member2_acme")
    assert inbound(emulator, to=member.my_number())[0] == 201
    assert len(member.faxes.list_faxes("self").data.records) == 1
    assert admin.faxes.list_faxes("self").data.records == []
    member_id = member.accounts.get_user("self").uid
    assert len(admin.faxes.list_faxes(member_id).data.records) == 1


def test_named_tenant_before_any_call_and_unknown_numbers(make: Callable[[str], Sdk], emulator: FaxEmulator):
    status, body = inbound(emulator, to="+19995550100", tenant="fresh-token")
    assert status == 201
    assert len(make("fresh-token").faxes.list_faxes("self").data.records) == 1
    status, body = inbound(emulator, to="+19995550101")
    assert status == 404 and "no FAX.PLUS account owns" in body["error"]["message"]
    status, body = inbound(emulator, to="+19995550101", tenant="fresh-token", options={"status": "queued"})
    assert status == 400 and body["error"]["field"] == "options.status"
