"""Canceled (single l) through the control API; the vendor itself has no cancel endpoint (imagicle.md §4, §11)."""

from __future__ import annotations

from tests.conftest import advance
from tests.vendors.imagicle.conftest import PDF2
from tests.vendors.imagicle.stonefax import fax


async def test_cancel_a_queued_fax(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    await advance(client, 1)
    response = await client.post(f"/_emulator/faxes/{fax_id}/cancel")
    assert response.status == 200
    assert (await response.json())["vendor_view"]["status"] == "Canceled"
    await advance(client, 3600)
    record = await stonefax.outbound_fax(fax_id)
    assert record["status"] == "Canceled" and record["endTime"] == "2026-01-01T00:00:01.0000000"
    assert (record["Q931Code"], record["failureReason"], record["startTime"]) == (None, None, None)


async def test_cancel_while_waiting_for_a_retry_keeps_the_last_cause(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550001"), [("a.pdf", PDF2)])
    await advance(client, 12 + 60)
    assert (await client.post(f"/_emulator/faxes/{fax_id}/cancel")).status == 200
    record = await stonefax.outbound_fax(fax_id)
    assert (record["status"], record["Q931Code"], record["failureReason"]) == ("Canceled", 17, None)
    listed = (await stonefax.outbound_list()).body["faxList"]
    assert listed[0]["status"] == "Canceled"


async def test_one_recipient_cancelled_the_others_go_on(stonefax, client):
    ids = await stonefax.ids(fax("2125550100", "2125550101"), [("a.pdf", PDF2)])
    await advance(client, 5)
    assert (await client.post(f"/_emulator/faxes/{ids[0]}/cancel")).status == 200
    await advance(client, 3600)
    assert [(await stonefax.outbound_fax(i))["status"] for i in ids] == ["Canceled", "Completed"]


async def test_an_ended_fax_cannot_be_cancelled(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    await advance(client, 3600)
    response = await client.post(f"/_emulator/faxes/{fax_id}/cancel")
    assert response.status == 409
    assert (await stonefax.outbound_fax(fax_id))["status"] == "Completed"
