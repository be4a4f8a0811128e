"""Outbox and inbox: inbound faxes, reads, attachments, resubmit, forward, delete (kazoo.md §7, §11)."""

from __future__ import annotations

from emulator.core.documents import intake
from tests.conftest import advance
from tests.vendors.kazoo.conftest import assert_error


async def receive(client, kazoo, **body):
    response = await client.post(
        "/_emulator/inbound", json={"vendor": "kazoo", "from": "+13125550100", "to": "+14155550199", **body}
    )
    assert response.status == 201, await response.text()
    return (await response.json())["id"]


async def test_an_inbound_fax_lands_in_the_faxbox_inbox(client, kazoo, receiver):
    box = await kazoo.faxbox(
        caller_id="+14155550199",
        notifications={"inbound": {"callback": {"url": receiver.url}, "email": {"send_to": "ops@example.com"}}},
    )
    fax_id = await receive(client, kazoo, pages=3)
    assert fax_id.startswith("202601-") and len(fax_id) == 39
    listing = await kazoo.get("/faxes/inbox")
    assert [row["id"] for row in listing.data] == [fax_id] and "status" not in listing.data[0]
    fax = (await kazoo.get(f"/faxes/inbox/{fax_id}")).data
    assert fax["folder"] == "inbox" and fax["faxbox_id"] == box["id"] and fax["from_number"] == "+13125550100"
    assert fax["to_number"] == "+14155550199" and fax["source_type"] == "incoming_fax" and fax["media_type"] == "tiff"
    assert fax["name"] == "fax message received at 2026-01-01 00:00:00 UTC"
    assert fax["description"] == "fax document received" and fax["rx_result"]["success"] is True
    assert (await kazoo.get(f"/faxboxes/{box['id']}/faxes/inbox")).data[0]["id"] == fax_id
    assert (await kazoo.get("/faxboxes/0123456789abcdef0123456789abcdef/faxes/inbox")).data == []
    await advance(client, 0)
    payload = receiver.bodies()[0]
    assert payload["event_name"] == "inbound_fax" and payload["fax_id"] == fax_id
    assert payload["fax_notifications"] == {"email": {"send_to": ["ops@example.com"]}}
    assert payload["fax_info"]["fax_total_pages"] == "3"

    attachment = await kazoo.get(f"/faxes/inbox/{fax_id}/attachment")
    assert attachment.status == 200 and attachment.headers["Content-Type"] == "application/pdf"
    assert attachment.headers["Content-Disposition"].startswith("attachment; filename=fax_document_")
    assert intake(attachment.body).pages == 3


async def test_inbound_needs_an_account(client, kazoo):
    response = await client.post("/_emulator/inbound", json={"vendor": "kazoo", "from": "1", "to": "2"})
    assert response.status == 400
    tenant = await client.post(
        "/_emulator/inbound",
        json={"vendor": "kazoo", "from": "+13125550100", "to": "+15555550100", "tenant": kazoo.account_id},
    )
    assert tenant.status == 201
    assert len((await kazoo.get("/faxes/inbox")).data) == 1


async def test_the_wrong_folder_gets_crossbars_500_and_unknown_ids_404(client, kazoo):
    await kazoo.faxbox(caller_id="+14155550199")
    fax_id = await receive(client, kazoo)
    wrong = await kazoo.get(f"/faxes/outbox/{fax_id}")
    assert_error(wrong, 500, "document is not in folder outbox")
    assert wrong.data == {"message": "document is not in folder outbox"}
    assert_error(await kazoo.get("/faxes/inbox/202601-0123456789abcdef0123456789abcdef"), 404, "bad_identifier")


async def test_resubmit_makes_a_new_job_from_an_outbox_fax(client, kazoo):
    job_id = (await kazoo.send(to_number="+12125550001")).data["id"]
    await advance(client, 60)
    outbox_id = f"202601-{job_id}"
    missing = await kazoo.call("PUT", kazoo.url(f"/faxes/outbox/{outbox_id}"), {"data": {}})
    assert_error(missing, 500, "action required")
    wrong = await kazoo.call("PUT", kazoo.url(f"/faxes/outbox/{outbox_id}"), {"action": "forward", "data": {}})
    assert_error(wrong, 500, "invalid action")
    again = await kazoo.call(
        "PUT", kazoo.url(f"/faxes/outbox/{outbox_id}"), {"action": "resubmit", "data": {"to_number": "+12125550100"}}
    )
    assert again.status == 201
    new = again.data
    assert new["id"] != job_id and len(new["id"]) == 32 and new["attempts"] == 0
    assert new["to_number"] == "+12125550100" and "tx_result" not in new and new["folder"] == "outbox"
    assert (await kazoo.get(f"/faxes/outgoing/{new['id']}")).data["status"] == "pending"
    await advance(client, 60)
    assert (await kazoo.get(f"/faxes/outbox/202601-{new['id']}")).data["_read_only"]["status"] == "completed"
    detail = await (await client.get(f"/_emulator/faxes/{new['id']}")).json()
    assert detail["history"][0]["status"] == "resubmitting"


async def test_forward_sends_a_received_fax_on(client, kazoo):
    await kazoo.faxbox(caller_id="+14155550199")
    fax_id = await receive(client, kazoo, pages=2)
    forwarded = await kazoo.call(
        "PUT", kazoo.url(f"/faxes/inbox/{fax_id}"), {"action": "forward", "data": {"to_number": "+12125550100"}}
    )
    assert forwarded.status == 201 and "rx_result" not in forwarded.data
    await advance(client, 100)
    fax = (await kazoo.get(f"/faxes/outbox/202601-{forwarded.data['id']}")).data
    assert fax["tx_result"]["transferred_pages"] == "2" and fax["_read_only"]["status"] == "completed"


async def test_delete_and_attachment_removal(client, kazoo):
    job_id = (await kazoo.send(pages=2)).data["id"]
    await advance(client, 100)
    path = f"/faxes/outbox/202601-{job_id}"
    pdf = await kazoo.get(path + "/attachment", params={"disposition": "inline"})
    assert intake(pdf.body).pages == 2 and pdf.headers["Content-Disposition"].startswith("inline;")
    removed = await kazoo.delete(path + "/attachment")
    assert removed.status == 200 and removed.data["_read_only"] == {"deleted": True}
    assert_error(await kazoo.get(path + "/attachment"), 404, "bad_identifier")
    assert (await kazoo.get(path)).status == 200  # the metadata stays
    deleted = await kazoo.delete(path)
    assert deleted.status == 200 and deleted.data["_read_only"] == {"deleted": True}
    assert_error(await kazoo.get(path), 404, "bad_identifier")
    assert (await kazoo.get("/faxes/outbox")).data == []


async def test_outbox_listing_is_bounded_by_the_time_window(client, kazoo):
    job_id = (await kazoo.send()).data["id"]
    await advance(client, 100)
    created = 63934444800
    inside = await kazoo.get("/faxes/outbox", params={"created_from": created, "created_to": created + 10})
    assert [row["id"] for row in inside.data] == [f"202601-{job_id}"]
    assert inside.data[0]["status"] == "completed" and inside.data[0]["to"] == "+12125550100"
    outside = await kazoo.get("/faxes/outbox", params={"created_from": created + 1, "created_to": created + 10})
    assert outside.data == []
    backwards = await kazoo.get("/faxes/outbox", params={"created_from": created, "created_to": created - 1})
    assert_error(backwards, 400, "validation error")
    assert backwards.data["created_from"]["date_range"]["message"] == (
        f"created_to {created - 1} is prior to created_from {created}"
    )
    await advance(client, 32 * 86400)  # the default window is the last 31 days and an hour
    await kazoo.login()  # the token expired meanwhile
    assert (await kazoo.get("/faxes/outbox")).data == []
