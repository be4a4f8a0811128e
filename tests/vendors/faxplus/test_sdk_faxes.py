"""The official SDK against the emulator: files, outbox, faxes and webhooks (faxplus.md §3.1-§3.4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from faxplus.models import (
    FaxCategory,
    FaxStatus,
    FileType,
    OutboxComment,
    OutboxCoverPage,
    OutboxOptions,
    OutboxStatus,
    PayloadFaxModification,
    PayloadOutbox,
    PayloadOutboxModification,
    RetryOptions,
    Webhook,
    WebhookEventType,
)
from faxplus.rest import ApiException

from emulator.testing import FaxEmulator
from tests.vendors.faxplus.sdk import Sdk

DEST = "+12125550100"


def test_upload_returns_a_transient_path(sdk: Sdk):
    path = sdk.upload(pages=3)
    assert path.startswith("/transient-") and len(path) == len("/transient-") + 36


def test_send_with_every_option_then_outbox_get_list_update_delete(sdk: Sdk, emulator: FaxEmulator):
    files = [sdk.upload(2)]
    body = PayloadOutbox(
        from_number=sdk.my_number(),
        to=[DEST],
        files=files,
        return_ids=True,
        comment=OutboxComment(tags=["probe"], text="sent by test"),
        options=OutboxOptions(enhancement=True, retry=RetryOptions(count=1, delay=15)),
        cover_page=OutboxCoverPage(name_to="Bob", name_from="Alice", subject="Probe", flags=["urgent"]),
    )
    ids = sdk.outbox.send_fax("self", body=body).ids
    outbox_id = ids[DEST]
    assert len(outbox_id) == 32

    item = sdk.outbox.get_outbox_fax("self", outbox_id)
    assert item.status == OutboxStatus.SUBMITTED and item.to == [DEST] and item.files == files
    assert item.comment.text == "sent by test" and item.comment.tags == ["probe"]
    assert item.retry.count == 1 and item.retry.delay == 15 and item.options.enhancement is True
    assert item.cover_page.name_to == "Bob" and item.cover_page.flags == ["urgent"]
    assert item.submit_time == "2026-01-01 00:00:00 +0000" and item.status_changes[0].status == "submitted"
    assert [r.id for r in sdk.outbox.list_outbox_faxes("self").records] == [outbox_id]

    sdk.outbox.update_outbox_fax("self", outbox_id, body=PayloadOutboxModification(comment="new text"))
    assert sdk.outbox.get_outbox_fax("self", outbox_id).comment.text == "new text"

    sdk.outbox.delete_outbox_fax("self", outbox_id)
    assert sdk.outbox.list_outbox_faxes("self").records == []
    with pytest.raises(ApiException) as caught:
        sdk.outbox.get_outbox_fax("self", outbox_id)
    assert caught.value.status == 404


def test_return_ids_false_gives_an_empty_map(sdk: Sdk):
    body = PayloadOutbox(from_number=sdk.my_number(), to=[DEST], files=[sdk.upload()])
    assert sdk.outbox.send_fax("self", body=body).ids == {}


def test_finished_fax_list_get_update_file_report_thumbnail_delete(sdk: Sdk, emulator: FaxEmulator):
    sdk.send([DEST], [sdk.upload(2)], comment=OutboxComment(text="hello"))
    emulator.client.run_until_idle()
    records = sdk.faxes.list_faxes(
        "self",
        category=FaxCategory.SENT,
        after="2025-12-31 00:00:00",
        before="2026-01-02 00:00:00",
        limit=50,
        offset=0,
        sort_by="date",
        order="desc",
    ).data.records
    assert len(records) == 1
    fax = records[0]
    assert fax.status == FaxStatus.SUCCESS and fax.direction == "outgoing" and fax.pages == 2
    assert fax.comment == "hello" and fax.to == DEST and fax.from_number == sdk.my_number()
    assert fax.cost == 2 and len(fax.id) == 24 and fax.file.endswith(".tiff")

    sdk.faxes.update_fax("self", fax.id, body=PayloadFaxModification(comment="seen", is_read=True))
    again = sdk.faxes.get_fax("self", fax.id)
    assert again.comment == "seen" and again.is_read is True

    path = sdk.files.get_file("self", fax.id, format=FileType.PDF)
    assert Path(path).read_bytes().startswith(b"%PDF-") and path.endswith("fax-to-12125550100.pdf")
    report = sdk.files.get_fax_report("self", fax.id)
    assert Path(report).read_bytes().startswith(b"%PDF-")
    thumbnail = sdk.files.get_fax_thumbnail("self", fax.id)
    assert Path(thumbnail).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    sdk.faxes.delete_fax("self", fax.id)
    with pytest.raises(ApiException) as caught:
        sdk.faxes.get_fax("self", fax.id)
    assert caught.value.status == 404
    assert sdk.faxes.list_faxes("self").data.records == []


def test_webhooks_create_list_by_event_delete(sdk: Sdk):
    sent = sdk.hooks.create_webhook(body=Webhook(target="http://127.0.0.1:9/sent", event=WebhookEventType.SENT)).id
    received = sdk.hooks.create_webhook(
        body=Webhook(target="http://127.0.0.1:9/in", event=WebhookEventType.RECEIVED)
    ).id
    listed = sdk.hooks.get_webhooks(WebhookEventType.SENT).data
    assert [(h.id, h.target, h.event) for h in listed] == [(sent, "http://127.0.0.1:9/sent", "fax_sent")]
    assert [h.id for h in sdk.hooks.get_webhooks(WebhookEventType.RECEIVED).data] == [received]
    sdk.hooks.delete_webhook(sent)
    assert sdk.hooks.get_webhooks(WebhookEventType.SENT).data == []
    with pytest.raises(ApiException) as caught:
        sdk.hooks.delete_webhook(sent)
    assert caught.value.status == 404


def test_list_faxes_sorts_filters_and_pages(sdk: Sdk, emulator: FaxEmulator):
    files = [sdk.upload(1)]
    sdk.send(["+12125550103"], files)
    emulator.client.advance(3600)
    sdk.send(["+12125550101", "+12125550102"], files)
    emulator.client.advance(3600)
    numbers = [r.to for r in sdk.faxes.list_faxes("self", sort_by="to", order="asc").data.records]
    assert numbers == ["+12125550101", "+12125550102", "+12125550103"]
    newest = sdk.faxes.list_faxes("self").data.records  # date, newest first
    assert newest[-1].to == "+12125550103"
    assert [r.to for r in sdk.faxes.list_faxes("self", sort_by="to", limit=1, offset=1).data.records] == [
        "+12125550102"
    ]
    early = sdk.faxes.list_faxes("self", before="2026-01-01 00:30:00").data.records
    assert [r.to for r in early] == ["+12125550103"]
    assert sdk.faxes.list_faxes("self", category=FaxCategory.INBOX).data.records == []


def test_no_number_and_punctuated_destinations(sdk: Sdk, emulator: FaxEmulator):
    ids = sdk.send(["+1 (212) 555-0100"], from_number="no_number")
    assert list(ids) == ["+1 (212) 555-0100"]
    assert sdk.outbox.get_outbox_fax("self", ids["+1 (212) 555-0100"]).src == "no_number"
    emulator.client.run_until_idle()
    record = sdk.faxes.list_faxes("self").data.records[0]
    assert (record.status, record.from_number, record.file_name) == ("success", "", "fax-to-12125550100")
