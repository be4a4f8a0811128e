"""Real responses validate against schemas/imagicle/, and keep the vendor's serialisation (imagicle.md §6)."""

from __future__ import annotations

import re
import zoneinfo

import pytest

from emulator.core import contracts
from tests.conftest import advance
from tests.vendors.imagicle.conftest import PDF2, set_options
from tests.vendors.imagicle.stonefax import fax

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$")


def valid(name: str, body) -> None:
    assert contracts.check("imagicle", name, body) == [], body


async def _inbound(client, tenant="alice") -> str:
    response = await client.post(
        "/_emulator/inbound", json={"vendor": "imagicle", "to": "1", "from": "2", "tenant": tenant}
    )
    return (await response.json())["id"]


async def test_every_response_in_every_status_validates(stonefax, client):
    data = fax("2125550100", "2125550001", "2125550005")
    valid("jsondata", data)
    reply = await stonefax.submit(data, [("a.pdf", PDF2)])
    valid("submit-response", reply.body)
    ids = reply.body["ids"]
    inbound_id = await _inbound(client)
    for _ in range(6):  # Queued, InProgress, retry waits, Completed, Failed
        for fax_id in ids:
            record = await stonefax.outbound_fax(fax_id)
            valid("outbound-detail", record)
            valid("outbound-fax", record)
        valid("outbound-list", (await stonefax.outbound_list()).body)
        valid("inbound-detail", (await stonefax.inbound(inbound_id)).body)
        valid("inbound-list", (await stonefax.inbound_list()).body)
        await advance(client, 60)
    statuses = {(await stonefax.outbound_fax(i))["status"] for i in ids}
    assert statuses == {"Completed", "Failed"}


async def test_a_cancelled_fax_validates(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    await client.post(f"/_emulator/faxes/{fax_id}/cancel")
    valid("outbound-detail", await stonefax.outbound_fax(fax_id))


BASE = [
    "detailedStatus",
    "endTime",
    "faxId",
    "numberOfPages",
    "recipient",
    "serverName",
    "size",
    "startTime",
    "status",
    "username",
]


async def test_type_hint_first_then_base_members_then_the_subclass_s(stonefax, client):
    """DataContractSerializer order, as KB 413's outbound and KB 803's inbound examples show it."""
    [fax_id] = await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    keys = list(await stonefax.outbound_fax(fax_id))
    assert keys == ["__type", *BASE, "Q931Code", "failureReason", "subject", "submitTime"]
    inbound_id = await _inbound(client)
    assert list((await stonefax.inbound(inbound_id)).body["fax"]) == [
        "__type",
        *BASE,
        "sender",
        "subject",
        "submitTime",
    ]
    for body in (
        (await stonefax.outbound_list()).body["faxList"][0],
        (await stonefax.inbound_list()).body["FaxList"][0],
    ):
        keys = list(body)
        assert keys[0] == "__type" and keys[1:] == sorted(keys[1:])


async def test_times_are_server_local_without_zone(stonefax, client):
    await set_options(client, timezone="-05:00")
    await advance(client, 0.25)
    [fax_id] = await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    record = await stonefax.outbound_fax(fax_id)
    assert record["submitTime"] == "2025-12-31T19:00:00.2500000" and DATETIME.match(record["submitTime"])
    await advance(client, 2)
    assert (await stonefax.outbound_fax(fax_id))["startTime"] == "2025-12-31T19:00:02.2500000"


@pytest.mark.parametrize(
    ("envelope", "outbound_wrapped", "inbound_wrapped"),
    [
        ("documented", False, True),
        ("flat", False, False),
        ("wrapped", True, True),
    ],
)
async def test_detail_envelope_switch(stonefax, client, envelope, outbound_wrapped, inbound_wrapped):
    await set_options(client, detail_envelope=envelope)
    [fax_id] = await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    outbound = (await stonefax.outbound(fax_id)).body
    inbound = (await stonefax.inbound(await _inbound(client))).body
    assert (set(outbound) == {"fax"}) is outbound_wrapped
    assert (set(inbound) == {"fax"}) is inbound_wrapped
    valid("outbound-detail", outbound)
    valid("inbound-detail", inbound)


async def test_a_named_zone_follows_its_rules(stonefax, client):
    if "Europe/Rome" not in zoneinfo.available_timezones():
        pytest.skip("this system has no time zone database")
    await set_options(client, timezone="Europe/Rome")
    [fax_id] = await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    assert (await stonefax.outbound_fax(fax_id))["submitTime"] == "2026-01-01T01:00:00.0000000"  # CET, UTC+1
    await advance(client, 181 * 86400)  # 2026-07-01: CEST, UTC+2
    [summer] = await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    assert (await stonefax.outbound_fax(summer))["submitTime"] == "2026-07-01T02:00:00.0000000"


async def test_a_read_fax_shows_options_changed_after_it_was_read(stonefax, client):
    # the detail is kept with the fax between changes: a new timezone or envelope must show at once
    [fax_id] = await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    assert (await stonefax.outbound_fax(fax_id))["submitTime"] == "2026-01-01T00:00:00.0000000"
    await set_options(client, timezone="-05:00", detail_envelope="wrapped")
    body = (await stonefax.outbound(fax_id)).body
    assert set(body) == {"fax"} and body["fax"]["submitTime"] == "2025-12-31T19:00:00.0000000"
