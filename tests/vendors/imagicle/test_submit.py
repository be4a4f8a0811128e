"""Submit Fax (imagicle.md §5): one id per recipient, each fax through every status on the clock."""

from __future__ import annotations

import re

from emulator.core.documents import make_pdf, make_tiff
from tests.conftest import advance
from tests.vendors.imagicle.conftest import PDF2, set_options
from tests.vendors.imagicle.stonefax import fax

ID = re.compile(r"^IAS-N1_([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12})_([0-9]+)$")


async def test_one_id_per_recipient_sharing_the_job_guid(stonefax):
    ids = await stonefax.ids(fax("2125550100", "2125550101", "2125550102"), [("a.pdf", PDF2)])
    matches = [ID.match(i) for i in ids]
    assert all(matches), ids
    assert len({m.group(1) for m in matches}) == 1
    assert [m.group(2) for m in matches] == ["0", "1", "2"]
    again = await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    assert ID.match(again[0]).group(1) != matches[0].group(1)


async def test_every_recipient_goes_through_every_status(stonefax, client):
    numbers = ("2125550100", "2125550101", "2125550102")
    ids = await stonefax.ids(fax(*numbers), [("a.pdf", PDF2)])
    # Queued 2 s, then InProgress 10 s set-up + 15 s per page (2 pages)
    for fax_id, number in zip(ids, numbers, strict=True):
        record = await stonefax.outbound_fax(fax_id)
        assert record["status"] == "Queued" and record["recipient"]["faxNumber"] == number
        assert record["startTime"] is None and record["endTime"] is None
        assert record["submitTime"] == "2026-01-01T00:00:00.0000000"
    await advance(client, 2)
    for fax_id in ids:
        record = await stonefax.outbound_fax(fax_id)
        assert record["status"] == "InProgress" and record["startTime"] == "2026-01-01T00:00:02.0000000"
        assert record["endTime"] is None
    await advance(client, 39.9)
    assert {(await stonefax.outbound_fax(i))["status"] for i in ids} == {"InProgress"}
    await advance(client, 0.1)
    for fax_id in ids:
        record = await stonefax.outbound_fax(fax_id)
        assert record["status"] == "Completed" and record["endTime"] == "2026-01-01T00:00:42.0000000"
        assert record["Q931Code"] is None and record["failureReason"] is None and record["detailedStatus"] is None
    history = (await (await client.get(f"/_emulator/faxes/{ids[1]}")).json())["history"]
    assert [h["status"] for h in history] == ["Queued", "InProgress", "Completed"]


async def test_record_fields_come_from_the_request_and_the_documents(stonefax):
    pdf, tiff = make_pdf(2), make_tiff(3)
    data = fax("+39 02 1234 5678", subject="Quarterly report", body="Hello\nSee attached.")
    data["recipients"][0].update(firstName=" Mario ", lastName="Rossi")
    [fax_id] = await stonefax.ids(data, [("a.pdf", pdf), ("b.tif", tiff)])
    record = await stonefax.outbound_fax(fax_id)
    assert record["numberOfPages"] == 1 + 2 + 3  # body text page, PDF pages, TIFF images
    assert record["size"] == len("Hello\nSee attached.") + len(pdf) + len(tiff)
    assert record["recipient"] == {"faxNumber": "+39 02 1234 5678", "name": "Mario Rossi"}
    assert record["subject"] == "Quarterly report" and record["username"] == "alice"
    assert record["serverName"] == "IAS-N1" and record["faxId"] == fax_id


async def test_recipient_name_alternatives_and_null_members(stonefax):
    data = {
        "recipients": [
            {"name": " Acme Corp ", "faxNumber": "100"},
            {"lastName": "Solo", "faxNumber": "101"},
            {"faxNumber": "102", "firstName": None},
        ],
        "subject": None,
        "body": "text only",
        "coverPageName": None,
        "sendAsUsername": "",
        "notifyByEmail": None,
        "notificationEmailAddress": None,
        "speedyDirectoryName": None,
    }
    ids = await stonefax.ids(data)
    names = [(await stonefax.outbound_fax(i))["recipient"]["name"] for i in ids]
    assert names == ["Acme Corp", "Solo", ""]
    assert (await stonefax.outbound_fax(ids[0]))["subject"] is None


async def test_jsondata_without_content_type_or_as_a_file_part(stonefax):
    reply = await stonefax.submit(fax("100", body="hi"), jsondata_type=None)
    assert reply.status == 200, reply
    form_file = [("ignored.txt", b"hello")]
    reply = await stonefax.submit(
        '{"recipients": [{"faxNumber": "100"}], "body": "x"}', form_file, jsondata_type="text/plain"
    )
    assert reply.status == 200 and (await stonefax.outbound_fax(reply.body["ids"][0]))["numberOfPages"] == 2


async def test_non_ascii_written_as_escapes(stonefax):
    [fax_id] = await stonefax.ids(fax("100", subject="Fattura n\u00b0 7 \u2013 \u00e8", body="\u00e8"))
    assert (await stonefax.outbound_fax(fax_id))["subject"] == "Fattura n\u00b0 7 \u2013 \u00e8"


async def test_a_subject_with_a_lone_surrogate_is_shown_by_the_control_api(stonefax, client):
    """The subject is kept as sent, a lone surrogate's JSON escape too; the control API's fax
    list read the detail text back with orjson alone, which refuses that escape (a 500, found by
    a byte probe)."""
    [fax_id] = await stonefax.ids(fax("100", subject="Fattura \udcff"), [("a.pdf", PDF2)])  # (json.dumps: "\\udcff")
    assert (await stonefax.outbound_fax(fax_id))["subject"] == "Fattura \udcff"
    listing = await client.get("/_emulator/faxes")
    assert listing.status == 200, await listing.text()
    assert (await listing.json())["faxes"][0]["vendor_view"]["subject"] == "Fattura \udcff"


async def test_declared_cover_page_adds_a_page_unknown_is_ignored(stonefax, client):
    await set_options(client, cover_pages=["BusinessCover"])
    [with_cover] = await stonefax.ids(fax("100", coverPageName="businesscover"), [("a.pdf", PDF2)])
    [unknown] = await stonefax.ids(fax("100", coverPageName="NoSuchCover"), [("a.pdf", PDF2)])
    assert (await stonefax.outbound_fax(with_cover))["numberOfPages"] == 3
    assert (await stonefax.outbound_fax(unknown))["numberOfPages"] == 2


async def test_speedy_directory_adds_its_fax_contacts_after_the_recipients(stonefax, client):
    await set_options(
        client,
        directories={
            "Suppliers": [
                {"firstName": "Bo", "lastName": "Ek", "faxNumber": "200"},
                {"name": "No fax here"},
                {"name": "Carta Srl", "faxNumber": "201"},
            ]
        },
    )
    ids = await stonefax.ids(fax("100", speedyDirectoryName="Suppliers"), [("a.pdf", PDF2)])
    recipients = [(await stonefax.outbound_fax(i))["recipient"] for i in ids]
    assert recipients == [
        {"faxNumber": "100", "name": "Ann Lee 0"},
        {"faxNumber": "200", "name": "Bo Ek"},
        {"faxNumber": "201", "name": "Carta Srl"},
    ]
    only_directory = await stonefax.ids({"speedyDirectoryName": "Suppliers", "body": "x"})
    assert len(only_directory) == 2


async def test_submit_status_is_a_switch(stonefax, client):
    await set_options(client, submit_status=202)
    reply = await stonefax.submit(fax("100"), [("a.pdf", PDF2)])
    assert reply.status == 202 and len(reply.body["ids"]) == 1


async def test_journal_names_the_operation_the_user_and_the_faxes(stonefax, client):
    ids = await stonefax.ids(fax("100", "101"), [("a.pdf", PDF2)])
    entries = (await (await client.get("/_emulator/requests", params={"vendor": "imagicle"})).json())["requests"]
    assert entries[-1]["operation"] == "submit_fax" and entries[-1]["tenant"] == "alice"
    assert entries[-1]["fax_ids"] == ids
