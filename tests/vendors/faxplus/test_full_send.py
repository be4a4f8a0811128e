"""One send, two destinations, two files: every outbox status, two records, two fax_sent callbacks.

faxplus.md §6.1 (flow), §7 (callbacks). The emulator runs in a thread; the webhook receiver
runs on the test's event loop, so the clock is advanced from a worker thread while the
loop keeps serving the receiver.
"""

from __future__ import annotations

import asyncio

from faxplus.models import OutboxComment, OutboxStatus, Webhook, WebhookEventType
from faxplus.rest import ApiException

from emulator.core.contracts import check
from emulator.core.documents import make_tiff
from emulator.testing import FaxEmulator
from tests.conftest import Receiver
from tests.vendors.faxplus.sdk import Sdk

GOOD, BUSY = "+12125550100", "+12125550001"


def outbox_status(sdk: Sdk, outbox_id: str) -> str | None:
    try:
        return sdk.outbox.get_outbox_fax("self", outbox_id).status
    except ApiException as exc:
        assert exc.status == 404
        return None


async def test_two_destinations_two_files_end_to_end(sdk: Sdk, emulator: FaxEmulator, receiver: Receiver):
    async def advance(seconds: float) -> None:
        await asyncio.to_thread(emulator.client.advance, seconds)

    sdk.hooks.create_webhook(body=Webhook(target=receiver.url, event=WebhookEventType.SENT))
    sdk.hooks.create_webhook(body=Webhook(target=receiver.url + "/in", event=WebhookEventType.RECEIVED))
    files = [sdk.upload(2, "a.pdf"), sdk.upload(name="b.tiff", data=make_tiff(3))]
    ids = sdk.send([GOOD, BUSY], files, comment=OutboxComment(text="two of them"))
    assert set(ids) == {GOOD, BUSY} and ids[GOOD] != ids[BUSY]

    # 5 pages: submitted 1 s, converting 5 s, scheduled 2 s, then sending (15 s set-up + 45 s a page)
    seen = {GOOD: [], BUSY: []}
    for step in (0, 1, 5, 2, 14, 1, 224, 1):
        await advance(step)
        for number, outbox_id in ids.items():
            status = outbox_status(sdk, outbox_id)
            if not seen[number] or seen[number][-1] != status:
                seen[number].append(status)
    every = [
        OutboxStatus.SUBMITTED,
        OutboxStatus.CONVERTING,
        OutboxStatus.SCHEDULED_FOR_SENDING,
        OutboxStatus.SENDING,
        None,
    ]
    assert seen == {GOOD: every, BUSY: every}
    assert sdk.outbox.list_outbox_faxes("self").records == []

    records = {r.to: r for r in sdk.faxes.list_faxes("self").data.records}
    assert set(records) == {GOOD, BUSY}
    good, busy = records[GOOD], records[BUSY]
    assert (good.status, good.pages, good.cost, good.duration) == ("success", 5, 5, 240)
    assert (busy.status, busy.pages, busy.cost, busy.duration) == ("failed_user_busy", 5, 0, 15)
    assert good.start_time == "2026-01-01 00:00:08" and good.submit_time == "2026-01-01 00:00:00"
    assert good.comment == "two of them" and good.owner_id == sdk.accounts.get_user("self").uid
    assert sdk.shop.get_balance().amount == 95.0

    await advance(1)  # deliveries are due when each fax ends; let any still in flight land
    bodies = receiver.bodies()
    assert len(bodies) == 2 and all(r["path"] == "/hook" for r in receiver.received)
    by_number = {b["data"]["to"]: b for b in bodies}
    for number, record in records.items():
        body = by_number[number]
        assert check("faxplus", "webhook_callback", body) == []
        assert body["hook"]["event"] == "fax_sent" and body["hook"]["target"] == receiver.url
        assert body["hook"]["id"] == body["data"]["id"] == record.id
        assert body["data"]["status"] == record.status and body["data"]["pages"] == 5
        assert body["data"]["from"] == body["data"]["from_number"] == sdk.my_number()
        assert body["data"]["to"] == body["data"]["to_number"] == number
        assert body["data"]["file_name"] == f"fax-to-{number[1:]}"
    busy_hook, good_hook = by_number[BUSY]["hook"], by_number[GOOD]["hook"]
    assert (busy_hook["event_time"], good_hook["event_time"]) == ("2026-01-01 00:00:23", "2026-01-01 00:04:08")
    log = emulator.call(lambda: [(d.state, d.event) for d in emulator.runtime.dispatcher.query(vendor="faxplus")])
    assert log == [("delivered", "fax_sent"), ("delivered", "fax_sent")]
