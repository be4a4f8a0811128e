"""The error matrix (imagicle.md §12, D4, D7, D8): the vendor's status and ``{"reason"}``, nothing stored."""

from __future__ import annotations

import pytest

from emulator.core import contracts
from emulator.core.documents import make_pdf
from tests.vendors.imagicle.conftest import PDF2, set_options
from tests.vendors.imagicle.stonefax import BASE, StoneFax, fax, multipart_part

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
RECIPIENT = [{"faxNumber": "100"}]


def _error(reply, status: int, *words: str) -> None:
    assert reply.status == status, reply
    assert reply.headers["Content-Type"].startswith("application/json")
    assert contracts.check("imagicle", "error", reply.body) == []
    for word in words:
        assert word in reply.body["reason"], reply.body


async def _nothing_stored(client) -> None:
    listing = await (await client.get("/_emulator/faxes", params={"vendor": "imagicle"})).json()
    assert listing["total"] == 0


@pytest.mark.parametrize(
    ("jsondata", "attachments", "words"),
    [
        ("{not json", [("a.pdf", PDF2)], ["not valid JSON"]),
        ('["a list"]', [("a.pdf", PDF2)], ["not of type 'object'"]),
        ("null", [("a.pdf", PDF2)], ["not of type 'object'"]),
        ({"body": "x"}, [], ["at least one recipient"]),
        ({"recipients": [], "body": "x"}, [], ["at least one recipient"]),
        ({"recipients": None, "body": "x"}, [], ["at least one recipient"]),
        ({"recipients": {"faxNumber": "1"}, "body": "x"}, [], ["recipients"]),
        ({"recipients": [{"firstName": "A"}], "body": "x"}, [], ["faxNumber", "required"]),
        ({"recipients": [{"faxNumber": ""}], "body": "x"}, [], ["faxNumber"]),
        ({"recipients": [{"faxNumber": "call me"}], "body": "x"}, [], ["faxNumber"]),
        ({"recipients": [{"faxNumber": 2125550100}], "body": "x"}, [], ["faxNumber"]),
        ({"recipients": [{"faxNumber": "1" * 51}], "body": "x"}, [], ["faxNumber"]),
        ({"recipients": RECIPIENT * 1001, "body": "x"}, [], ["recipients"]),
        ({"recipients": RECIPIENT, "body": "x", "subject": "s" * 256}, [], ["subject"]),
        ({"recipients": RECIPIENT, "body": "x", "subject": 7}, [], ["subject"]),
        ({"recipients": RECIPIENT, "body": "x", "notifyByEmail": "yes"}, [], ["notifyByEmail"]),
        (
            {"recipients": RECIPIENT, "body": "x", "notifyByEmail": True, "notificationEmailAddress": "nobody"},
            [],
            ["notificationEmailAddress"],
        ),
        ({"recipients": RECIPIENT, "body": "x", "speedyDirectoryName": "Nope"}, [], ["Speedy directory"]),
        ({"recipients": RECIPIENT}, [], ["no body text and no attachment"]),
        ({"recipients": RECIPIENT, "body": "   "}, [], ["no body text and no attachment"]),
        ({"recipients": RECIPIENT, "body": "bell \x07"}, [], ["body cannot be faxed"]),
        ({"recipients": RECIPIENT}, [("a.png", PNG)], ["unsupported attachment 'a.png'"]),
        ({"recipients": RECIPIENT}, [("a.pdf", b"")], ["unsupported attachment", "empty"]),
        ({"recipients": RECIPIENT}, [("a.pdf", b"%PDF-1.4 garbage")], ["unsupported attachment", "cannot be read"]),
        ({"recipients": RECIPIENT}, [("a.pdf", PDF2), ("b.png", PNG)], ["'b.png'"]),
    ],
)
async def test_bad_submissions_are_400(stonefax, client, jsondata, attachments, words):
    for _ in range(2):  # the same body again: what the schema found in it is remembered, and holds
        _error(await stonefax.submit(jsondata, attachments), 400, *words)
    await _nothing_stored(client)


async def test_subject_of_255_characters_is_fine(stonefax):
    assert len(await stonefax.ids(fax("100", subject="s" * 255), [("a.pdf", PDF2)])) == 1


async def test_accepted_attachment_types_are_an_option(stonefax, client):
    await set_options(client, accept=["pdf"])
    _error(await stonefax.submit(fax("100"), [("a.txt", b"plain text")]), 400, "unsupported attachment")
    _error(await stonefax.submit(fax("100"), [("a.tif", b"II*\x00" + bytes(8))]), 400, "not a PDF")
    assert (await stonefax.submit(fax("100", body="body text is not an attachment"))).status == 200


async def test_postscript_is_refused_not_faxed_as_its_source_text(stonefax, client):
    """The vendor converts PDF, TIFF and text; its own print-to-fax client converts PostScript
    to PDF before uploading (imagicle.md §5), so raw PostScript is refused, not faxed as text."""
    postscript = b"%!PS-Adobe-3.0\n%%Pages: 1\n/Helvetica findfont 12 scalefont setfont\nshowpage\n"
    reply = await stonefax.submit(fax("100"), [("invoice.ps", postscript)])
    _error(reply, 400, "PostScript")
    await _nothing_stored(client)


async def test_missing_jsondata_part(stonefax, client):
    reply = await stonefax.post_multipart("/Faxes/Outbound", [multipart_part("file", PDF2, filename="a.pdf")])
    _error(reply, 400, "no jsondata part")
    await _nothing_stored(client)


@pytest.mark.parametrize("charset", ["idna", "undefined"])
async def test_a_jsondata_part_in_a_charset_no_text_reads_is_a_400(stonefax, client, charset):
    """Python's ``idna`` codec refuses the ``replace`` handler and ``undefined`` every byte:
    decoding the part in them was a 500 (found by a byte probe)."""
    jsondata = b'{"recipients": [{"faxNumber": "100"}]}'
    parts = [
        multipart_part("jsondata", jsondata, content_type=f"application/json; charset={charset}"),
        multipart_part("attachment0", PDF2, filename="a.pdf", content_type="application/pdf"),
    ]
    _error(await stonefax.post_multipart("/Faxes/Outbound", parts), 400, "malformed multipart")
    await _nothing_stored(client)


async def test_not_multipart(stonefax, client):
    _error(await stonefax.call("POST", "/Faxes/Outbound", json={"recipients": RECIPIENT}), 400, "multipart")
    _error(await stonefax.call("POST", "/Faxes/Outbound"), 400, "multipart")
    jsondata = '{"recipients": [{"faxNumber": "100"}], "body": "hi"}'
    reply = await stonefax.call("POST", "/Faxes/Outbound", data={"jsondata": jsondata})  # curl -d 'jsondata=...'
    _error(reply, 400, "multipart")
    await _nothing_stored(client)


async def test_unauthenticated_submit_is_401_before_the_body_is_read(client):
    _error(await StoneFax(client, None).submit(fax("100"), [("a.pdf", PDF2)]), 401, "authentication")
    await _nothing_stored(client)


async def test_upload_over_the_limit_is_413(make_client):
    client = await make_client(max_upload_bytes=2000)
    reply = await StoneFax(client).submit(fax("100"), [("big.pdf", make_pdf(40))])
    _error(reply, 413, "larger than the limit")
    await _nothing_stored(client)


async def test_unknown_ids_are_404(stonefax):
    for reply in (
        await stonefax.outbound("IAS-N1_nope_0"),
        await stonefax.inbound("IAS-N1_nope_0"),
        await stonefax.document("Outbound", "nope"),
        await stonefax.document("Inbound", "nope"),
    ):
        _error(reply, 404, "nope")


async def test_unknown_path_and_wrong_method(stonefax):
    _error(await stonefax.call("GET", "/Faxes/Elsewhere"), 404)
    reply = await stonefax.call("GET", "/Faxes/Outbound")
    _error(reply, 405)
    assert reply.headers["Allow"] == "POST"
    _error(await stonefax.call("DELETE", "/Faxes/Outbound/IAS-N1_x_0"), 405)
    _error(await stonefax.call("POST", "/Faxes/Outbound/Mine"), 405)


async def test_errors_outside_routes_still_use_the_vendor_body(client):
    response = await client.get(BASE + "/nothing/here")
    assert response.status == 404 and set(await response.json()) == {"reason"}
