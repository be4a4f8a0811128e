"""Inbound faxes through POST /_emulator/inbound (imagicle.md §8, §9, §10)."""

from __future__ import annotations

import base64
import re

from emulator.core.documents import make_tiff
from tests.conftest import advance
from tests.vendors.imagicle.conftest import declare, set_options

INBOUND_ID = re.compile(r"^IAS-N1_4[0-9a-f]{14}_0$")


async def arrive(client, to="0212345678", sender="0698765432", status=201, **extra):
    response = await client.post("/_emulator/inbound", json={"vendor": "imagicle", "to": to, "from": sender, **extra})
    body = await response.json()
    assert response.status == status, body
    return body


async def test_arrives_in_progress_then_completed(stonefax, client):
    neutral = await arrive(client, tenant="alice", pages=3, options={"subject": "Order", "senderName": "Acme"})
    fax_id = neutral["id"]
    assert INBOUND_ID.match(fax_id)
    # the top 14 hex digits of the FILETIME of 2026-01-01T00:00:00Z
    assert fax_id == f"IAS-N1_4{((1_767_225_600 + 11_644_473_600) * 10_000_000) >> 4:014x}_0"
    reply = await stonefax.inbound(fax_id)
    assert reply.status == 200 and set(reply.body) == {"fax"}  # wrapped, as the vendor's example
    record = reply.body["fax"]
    assert record["__type"] == "InboundFax:StoneFax.Faxes"
    assert (record["status"], record["numberOfPages"], record["subject"]) == ("InProgress", 3, "Order")
    assert record["sender"] == {"faxNumber": "0698765432", "name": "Acme"}
    assert record["recipient"] == {"faxNumber": "0212345678", "name": "alice"} and record["username"] == "alice"
    assert record["startTime"] == "2026-01-01T00:00:00.0000000" and record["endTime"] is None
    assert "Q931Code" not in record and "failureReason" not in record
    await advance(client, 10 + 3 * 15)
    record = (await stonefax.inbound(fax_id)).body["fax"]
    assert record["status"] == "Completed" and record["endTime"] == "2026-01-01T00:00:55.0000000"


async def test_listed_newest_first_with_reception_start_as_date(stonefax, client):
    first = (await arrive(client, tenant="alice"))["id"]
    await advance(client, 60)
    second = (await arrive(client, tenant="alice"))["id"]
    await arrive(client, tenant="bob")
    reply = await stonefax.inbound_list()
    assert [i["faxId"] for i in reply.body["FaxList"]] == [second, first]
    item = reply.body["FaxList"][0]
    assert item["__type"] == "LessInfoInboundFax:StoneFax.Faxes" and item["date"] == "2026-01-01T00:01:00.0000000"
    assert (await stonefax.inbound_list(date="before:2026-01-01T00:01:00")).body["FaxList"][0]["faxId"] == first
    assert (await stonefax.inbound_list(page=2, pageSize=1)).body["FaxList"][0]["faxId"] == first


async def test_two_at_the_same_instant_get_different_ids(client):
    ids = {(await arrive(client, tenant="alice"))["id"] for _ in range(3)}
    assert len(ids) == 3 and all(INBOUND_ID.match(i) for i in ids)


async def test_a_broken_reception_ends_failed(stonefax, client):
    fax_id = (await arrive(client, tenant="alice", options={"status": "Failed"}))["id"]
    await advance(client, 600)
    assert (await stonefax.inbound(fax_id)).body["fax"]["status"] == "Failed"


async def test_routed_to_the_user_owning_the_number_or_the_catch_all(client):
    await declare(
        client,
        {"name": "ann", "password": "p", "faxNumber": "+39 02 111", "email": "ann@example.com"},
        {"name": "ivo", "password": "p", "faxNumber": "02 222", "receive": False},
        {"name": "desk", "password": "p"},
    )
    assert (await arrive(client, to="+39-02-111"))["tenant"] == "ann"  # compared digit by digit
    await arrive(client, to="02 222", status=409)  # receive disabled and no catch-all: rejected
    await arrive(client, to="999", status=409)
    await set_options(client, catch_all_user="desk")
    assert (await arrive(client, to="02 222"))["tenant"] == "desk"
    await arrive(client, tenant="nobody", status=400)


async def test_a_tiff_document_counts_its_images(stonefax, client):
    tiff = base64.b64encode(make_tiff(4)).decode()
    fax_id = (await arrive(client, tenant="alice", document_base64=tiff))["id"]
    record = (await stonefax.inbound(fax_id)).body["fax"]
    assert record["numberOfPages"] == 4 and record["size"] == len(make_tiff(4))


async def test_someone_elses_inbound_fax_is_404(stonefax, client):
    fax_id = (await arrive(client, tenant="bob"))["id"]
    assert (await stonefax.inbound(fax_id)).status == 404
    assert (await stonefax.outbound(fax_id)).status == 404  # an inbound id is no outbound fax


async def test_unknown_inbound_options_are_400(client):
    await arrive(client, tenant="alice", options={"colour": "red"}, status=400)
    await arrive(client, tenant="alice", options={"status": "Queued"}, status=400)
