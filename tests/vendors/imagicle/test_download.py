"""The document download (guessed path, imagicle.md D12): the fax as one PDF."""

from __future__ import annotations

import io

from pypdf import PdfReader

from emulator.core.documents import make_pdf, make_tiff
from tests.vendors.imagicle.stonefax import fax


async def test_a_pdf_comes_back_as_printed(stonefax):
    [fax_id] = await stonefax.ids(fax("100"), [("a.pdf", make_pdf(3))])
    reply = await stonefax.document("Outbound", fax_id)
    assert reply.status == 200
    pages = PdfReader(io.BytesIO(reply.raw)).pages
    assert len(pages) == 3
    (image,) = pages[0]["/Resources"]["/XObject"].values()
    assert image.get_object()["/Filter"] == ["/CCITTFaxDecode"]  # the fax's own bitmaps
    assert reply.headers["Content-Type"] == "application/pdf"
    assert reply.headers["Content-Disposition"] == f'attachment; filename="{fax_id}.pdf"'


async def test_a_mixed_fax_is_one_pdf_of_all_its_pages(stonefax):
    [fax_id] = await stonefax.ids(fax("100", body="cover note"), [("a.pdf", make_pdf(2)), ("b.tif", make_tiff(2))])
    reply = await stonefax.document("Outbound", fax_id)
    assert len(PdfReader(io.BytesIO(reply.raw)).pages) == 5 == (await stonefax.outbound_fax(fax_id))["numberOfPages"]


async def test_inbound_document(stonefax, client):
    response = await client.post(
        "/_emulator/inbound", json={"vendor": "imagicle", "to": "1", "from": "2", "tenant": "alice", "pages": 2}
    )
    fax_id = (await response.json())["id"]
    reply = await stonefax.document("Inbound", fax_id)
    assert reply.status == 200 and len(PdfReader(io.BytesIO(reply.raw)).pages) == 2
    assert (await stonefax.document("Outbound", fax_id)).status == 404
