"""Cancelling, scheduling (send_time) and retries (options.retry) of outbox faxes (faxplus.md §6.1, §5.2)."""

from __future__ import annotations

import json

import pytest
from faxplus.models import (
    AccountSettings,
    AccountSettingsSendFax,
    OutboxOptions,
    PayloadAccountModification,
    RetryOptions,
    Webhook,
    WebhookEventType,
)
from faxplus.rest import ApiException

from emulator.testing import FaxEmulator
from tests.vendors.faxplus.sdk import Sdk

GOOD = "+12125550100"
BUSY_ONCE = "+12125550011"  # magic number: busy on the first attempt, then success
BUSY = "+12125550001"


def status(sdk: Sdk, outbox_id: str) -> str:
    return sdk.outbox.get_outbox_fax("self", outbox_id).status


def test_delete_cancels_in_every_outbox_status(sdk: Sdk, emulator: FaxEmulator):
    files = [sdk.upload()]
    for wait, expected in ((0, "submitted"), (1, "converting"), (6, "scheduled_for_sending"), (8, "sending")):
        outbox_id = sdk.send([GOOD], files)[GOOD]
        emulator.client.advance(wait)
        assert status(sdk, outbox_id) == expected
        sdk.outbox.delete_outbox_fax("self", outbox_id)
        with pytest.raises(ApiException) as caught:
            sdk.outbox.delete_outbox_fax("self", outbox_id)
        assert caught.value.status == 404
    emulator.client.run_until_idle()
    assert sdk.faxes.list_faxes("self").data.records == []  # a cancelled fax never becomes a record
    assert emulator.call(lambda: len(emulator.runtime.dispatcher.log)) == 0


def test_a_finished_fax_cannot_be_cancelled(sdk: Sdk, emulator: FaxEmulator):
    outbox_id = sdk.send([GOOD])[GOOD]
    emulator.client.run_until_idle()
    with pytest.raises(ApiException) as caught:
        sdk.outbox.delete_outbox_fax("self", outbox_id)
    assert caught.value.status == 404
    assert len(sdk.faxes.list_faxes("self").data.records) == 1


def test_future_send_time_waits_in_scheduled_for_sending(sdk: Sdk, emulator: FaxEmulator):
    # 2026-01-01 02:00:00 +0100 is 01:00:00 UTC, an hour after the test clock starts
    outbox_id = sdk.send([GOOD], send_time="2026-01-01 02:00:00 +0100")[GOOD]
    item = sdk.outbox.get_outbox_fax("self", outbox_id)
    assert item.send_time == "2026-01-01 01:00:00 +0000"
    emulator.client.advance(3599)
    assert status(sdk, outbox_id) == "scheduled_for_sending"
    emulator.client.advance(1)
    assert status(sdk, outbox_id) == "sending"
    emulator.client.run_until_idle()
    record = sdk.faxes.list_faxes("self").data.records[0]
    assert record.scheduled_time == "2026-01-01 01:00:00" and record.start_time == "2026-01-01 01:00:00"


def test_past_send_time_sends_at_once(sdk: Sdk, emulator: FaxEmulator):
    outbox_id = sdk.send([GOOD], send_time="2025-06-01 09:00:00 +0000")[GOOD]
    emulator.client.advance(8)
    assert status(sdk, outbox_id) == "sending"


def test_retry_count_and_delay_drive_the_attempts(sdk: Sdk, emulator: FaxEmulator):
    sdk.hooks.create_webhook(body=Webhook(target="http://127.0.0.1:9/down", event=WebhookEventType.SENT))
    options = OutboxOptions(retry=RetryOptions(count=2, delay=5))  # delay in minutes
    ids = sdk.send([BUSY_ONCE, BUSY], options=options)
    emulator.client.advance(23)  # 1 + 5 + 2 s, then 15 s of a busy call
    assert status(sdk, ids[BUSY_ONCE]) == "scheduled_for_sending"
    emulator.client.advance(299)
    assert status(sdk, ids[BUSY_ONCE]) == "scheduled_for_sending"
    emulator.client.advance(1)
    assert status(sdk, ids[BUSY_ONCE]) == "sending"
    changes = [c.status for c in sdk.outbox.get_outbox_fax("self", ids[BUSY_ONCE]).status_changes]
    assert changes == [
        "submitted",
        "converting",
        "scheduled_for_sending",
        "sending",
        "scheduled_for_sending",
        "sending",
    ]
    emulator.client.run_until_idle()
    records = {r.to: r for r in sdk.faxes.list_faxes("self").data.records}
    assert records[BUSY_ONCE].status == "success" and records[BUSY].status == "failed_user_busy"
    assert (records[BUSY].max_retry, records[BUSY].retry_delay) == (2, 5)
    attempts = emulator.call(lambda: {f.to: f.attempts for f in emulator.runtime.store.all_faxes()})
    assert attempts == {BUSY_ONCE: 2, BUSY: 3}

    # §6.2: hook.id is the last attempt's id, data.id the fax id; both find the record
    bodies = emulator.call(lambda: [json.loads(d.body) for d in emulator.runtime.dispatcher.log])
    hook = next(b for b in bodies if b["data"]["to"] == BUSY_ONCE)
    assert hook["data"]["id"] == records[BUSY_ONCE].id and hook["hook"]["id"] != hook["data"]["id"]
    assert sdk.faxes.get_fax("self", hook["hook"]["id"]).id == records[BUSY_ONCE].id


def test_without_retry_options_a_busy_line_is_tried_once(sdk: Sdk, emulator: FaxEmulator):
    sdk.send([BUSY_ONCE])
    emulator.client.run_until_idle()
    assert sdk.faxes.list_faxes("self").data.records[0].status == "failed_user_busy"


def test_a_minimal_send_shows_what_was_given_as_the_documented_example_does(sdk: Sdk, emulator: FaxEmulator):
    """DOC's outbox example at ``submitted``: designated_src "", options {}, file_changes [];
    what the sender's settings add shows in ``retry`` and ``should_enhance``."""
    outbox_id = sdk.send([GOOD])[GOOD]
    item = emulator.client.fax(outbox_id).vendor_view["outbox"]  # the JSON as sent (the SDK fills defaults)
    assert (item["status"], item["designated_src"], item["options"], item["file_changes"]) == ("submitted", "", {}, [])
    assert item["retry"] == {"count": 0, "delay": 0} and item["should_enhance"] is False
    given = OutboxOptions(enhancement=True, retry=RetryOptions(count=2, delay=5))
    outbox_id = sdk.send([GOOD], options=given)[GOOD]
    item = emulator.client.fax(outbox_id).vendor_view["outbox"]
    assert item["options"] == {"enhancement": True, "retry": {"count": 2, "delay": 5}}
    assert item["retry"] == {"count": 2, "delay": 5} and item["should_enhance"] is True


def test_account_retry_settings_are_the_default(sdk: Sdk, emulator: FaxEmulator):
    settings = AccountSettings(send_fax=AccountSettingsSendFax(retry=RetryOptions(count=1, delay=0)))
    sdk.accounts.update_user("self", body=PayloadAccountModification(settings=settings))
    sdk.send([BUSY_ONCE])
    emulator.client.run_until_idle()
    assert sdk.faxes.list_faxes("self").data.records[0].status == "success"


def test_an_outbox_item_read_as_it_moves_shows_its_live_fields_now_and_its_fixed_fields_unchanged(
    sdk: Sdk, emulator: FaxEmulator
):
    """A read serialises the status fields afresh and reuses the fixed ones (serialise.outbox)."""
    outbox_id = sdk.send([GOOD], [sdk.upload(3)])[GOOD]
    first = sdk.outbox.get_outbox_fax("self", outbox_id).to_dict()
    emulator.client.advance(6)
    later = sdk.outbox.get_outbox_fax("self", outbox_id).to_dict()
    assert (first["status"], later["status"]) == ("submitted", "scheduled_for_sending")
    assert (first["page_count"], later["page_count"]) == (0, 3)
    assert [c["status"] for c in later["status_changes"]] == ["submitted", "converting", "scheduled_for_sending"]
    assert (first["last_updated_status_time"], later["last_updated_status_time"]) == (
        "2026-01-01 00:00:00",
        later["status_changes"][-1]["at"],
    )
    assert later["last_updated_status_time"] != "2026-01-01 00:00:00"
    assert (first["file_changes"], later["file_changes"]) == (
        [],
        [
            {
                "at": "2026-01-01 00:00:06",
                "files": [
                    {
                        "file_name": "letter.pdf",
                        "mime_type": "application/pdf",
                        "size": later["file_changes"][0]["files"][0]["size"],
                    }
                ],
            }
        ],
    )
    live = {"status", "page_count", "status_changes", "last_updated_status_time", "file_changes"}
    assert {k: v for k, v in first.items() if k not in live} == {k: v for k, v in later.items() if k not in live}
    listed = sdk.outbox.list_outbox_faxes("self").records[0].to_dict()
    assert listed == later
