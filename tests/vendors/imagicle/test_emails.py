"""notifyByEmail and Fax-to-Email are captured, never sent (imagicle.md §13, D17), and listed by the control API."""

from __future__ import annotations

from tests.conftest import advance
from tests.vendors.imagicle.conftest import PDF2, declare
from tests.vendors.imagicle.stonefax import StoneFax, fax


async def _emails(client, **query):
    response = await client.get("/_emulator/emails", params={"vendor": "imagicle", **query})
    assert response.status == 200
    return (await response.json())["emails"]


async def test_transmission_report_when_each_fax_ends(stonefax, client):
    ids = await stonefax.ids(
        fax("2125550100", "2125550003", notifyByEmail=True, notificationEmailAddress="ops@example.com"),
        [("a.pdf", PDF2)],
    )
    assert await _emails(client) == []  # nothing until a fax ends
    await advance(client, 3600)
    emails = await _emails(client)
    assert [(e["fax_id"], e["to"], e["kind"]) for e in emails] == [
        (ids[1], "ops@example.com", "transmission_report"),
        (ids[0], "ops@example.com", "transmission_report"),
    ]
    failed = emails[0]
    assert failed["subject"] == "Fax to 2125550003: Failed" and failed["tenant"] == "alice"
    assert "Unallocated (unassigned) number (Q.931 cause 1)" in failed["body"]
    assert "Status: Completed" in emails[1]["body"] and "Pages: 2 of 2" in emails[1]["body"]
    assert [e["fax_id"] for e in await _emails(client, fax_id=ids[0])] == [ids[0]]


async def test_no_report_unless_asked_and_the_address_is_ignored_then(stonefax, client):
    await stonefax.ids(
        fax("2125550100", notifyByEmail=False, notificationEmailAddress="not an address"), [("a.pdf", PDF2)]
    )
    await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    await advance(client, 3600)
    assert await _emails(client) == []


async def test_default_address_is_the_senders_own(client):
    await declare(client, {"name": "ann", "password": "p", "email": "ann@example.com"}, {"name": "bo", "password": "p"})
    for user in ("ann", "bo"):
        await StoneFax(client, user, "p").ids(fax("2125550100", notifyByEmail=True), [("a.pdf", PDF2)])
    await advance(client, 3600)
    assert {e["tenant"]: e["to"] for e in await _emails(client)} == {"ann": "ann@example.com", "bo": None}


async def test_a_cancelled_fax_reports_too(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550100", notifyByEmail=True), [("a.pdf", PDF2)])
    await client.post(f"/_emulator/faxes/{fax_id}/cancel")
    assert [e["subject"] for e in await _emails(client)] == ["Fax to 2125550100: Canceled"]


async def test_received_fax_goes_to_the_users_fax_to_email_address(client):
    await declare(client, {"name": "ann", "password": "p", "faxNumber": "0211", "email": "ann@example.com"})
    response = await client.post("/_emulator/inbound", json={"vendor": "imagicle", "to": "0211", "from": "0622"})
    fax_id = (await response.json())["id"]
    await advance(client, 600)
    [email] = await _emails(client, kind="fax_to_email")
    assert (email["to"], email["fax_id"], email["subject"]) == ("ann@example.com", fax_id, "Fax from 0622")


async def test_reset_forgets_the_emails(stonefax, client):
    await stonefax.ids(fax("2125550100", notifyByEmail=True), [("a.pdf", PDF2)])
    await advance(client, 3600)
    await client.post("/_emulator/reset", json={"vendor": "imagicle", "tenant": "alice"})
    assert await _emails(client) == []
