"""Uploads, downloads, confirmation reports and thumbnails (faxplus.md §3.1, §10)."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader

from emulator.core.documents import count_pdf_pages, count_tiff_pages, make_pdf, make_tiff
from emulator.vendors.faxplus.files import MAX_UPLOADS
from tests.conftest import advance
from tests.core.pagekit import darkness, rect_pdf
from tests.vendors.faxplus.raw import bearer, call, my_number, upload


async def send(client, files: list[str], to: str = "+12125550100", **extra) -> str:
    body = {"from": await my_number(client), "to": [to], "files": files, "return_ids": True, **extra}
    status, sent = await call(client, "POST", "/accounts/self/outbox", json=body)
    assert status == 201, sent
    return sent["ids"][to]


async def finished(client) -> dict:
    await advance(client, 3600)
    return (await call(client, "GET", "/accounts/self/faxes"))[1]["data"]["records"][0]


async def get(client, path: str):
    response = await client.get("/v3" + path, headers={**bearer(), "Accept": "application/json"})
    assert response.status == 200, await response.text()
    return response, await response.read()


async def test_pages_come_from_the_documents_and_downloads_match(client):
    await send(client, [await upload(client, make_pdf(3)), await upload(client, make_tiff(2), name="b.tiff")])
    record = await finished(client)
    assert record["pages"] == 5
    response, data = await get(client, f"/accounts/self/files/{record['id']}")
    assert response.content_type == "application/pdf" and count_pdf_pages(data) == 5
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="fax-to-12125550100.pdf"'
    response, data = await get(client, f"/accounts/self/files/{record['id']}?format=tiff")
    assert response.content_type == "image/tiff" and count_tiff_pages(data) == 5


async def test_a_tiff_fax_downloads_as_printed_and_pdfs_are_merged(client):
    await send(client, [await upload(client, make_tiff(2), name="scan.tiff")])
    record = await finished(client)
    response, data = await get(client, f"/accounts/self/files/{record['id']}")
    assert response.content_type == "image/tiff"
    with Image.open(io.BytesIO(data)) as printed:  # the fax as printed: G4, 1728 across, 204 x 196 dpi
        assert (printed.n_frames, printed.width, printed.info["compression"]) == (2, 1728, "group4")
        assert printed.info["dpi"] == (204, 196)
    await call(client, "DELETE", f"/accounts/self/faxes/{record['id']}")
    await send(client, [await upload(client, make_pdf(2)), await upload(client, make_pdf(4))])
    record = await finished(client)
    assert count_pdf_pages((await get(client, f"/accounts/self/files/{record['id']}"))[1]) == 6


async def test_a_pending_fax_downloads_by_its_outbox_id(client):
    outbox_id = await send(client, [await upload(client, make_pdf(2))])
    response, data = await get(client, f"/accounts/self/files/{outbox_id}")
    assert count_pdf_pages(data) == 2 and f"outbox-{outbox_id}.pdf" in response.headers["Content-Disposition"]


async def test_the_report_is_a_printed_page_with_a_reduced_page_one(client):
    await send(client, [await upload(client, rect_pdf([(0, 0, 612, 792)]))])  # page 1 all black
    record = await finished(client)
    response, data = await get(client, f"/accounts/self/report/{record['id']}")
    assert response.content_type == "application/pdf"
    (page,) = PdfReader(io.BytesIO(data)).pages
    report = Image.open(io.BytesIO(page.images[0].data)).convert("1")
    assert report.width == 1728
    assert darkness(report, (160, 260, 1600, 700)) > 0.01  # the table of facts
    assert darkness(report, (600, 1000, 1100, 1500)) > 0.9  # the reduced page 1, black


async def test_the_thumbnail_is_page_one_reduced(client):
    await send(client, [await upload(client, rect_pdf([(0, 0, 306, 792)]))], to="+12125550100")  # left half black
    await send(client, [await upload(client, rect_pdf([(306, 0, 306, 792)]))], to="+12125550101")
    records = {
        r["to"]: r
        for r in (await finished(client)) and (await call(client, "GET", "/accounts/self/faxes"))[1]["data"]["records"]
    }
    thumbs = []
    for to in ("+12125550100", "+12125550101"):
        response, data = await get(client, f"/accounts/self/thumbnail/{records[to]['id']}")
        assert response.content_type == "image/png"
        thumbs.append(Image.open(io.BytesIO(data)))
    assert [t.width for t in thumbs] == [216, 216]
    assert darkness(thumbs[0], (10, 100, 90, 200)) > 0.9 and darkness(thumbs[0], (120, 100, 200, 200)) < 0.1
    assert darkness(thumbs[1], (10, 100, 90, 200)) < 0.1 and darkness(thumbs[1], (120, 100, 200, 200)) > 0.9


async def test_other_formats_count_one_page_and_unreadable_files_fail_converting(client):
    office = await upload(client, b"PK\x03\x04" + b"\x00" * 64, name="letter.docx")
    text = await upload(client, ("line\n" * 61).encode(), name="notes.txt")
    await send(client, [office, text], to="+12125550100")
    junk = await upload(client, b"\x00\x01\x02 not a document", name="junk.bin")
    broken = await upload(client, b"%PDF-1.4\n garbage", name="broken.pdf")
    junk_id = await send(client, [junk], to="+12125550101")
    await send(client, [broken], to="+12125550102")
    await advance(client, 3600)
    records = {r["to"]: r for r in (await call(client, "GET", "/accounts/self/faxes"))[1]["data"]["records"]}
    assert (records["+12125550100"]["status"], records["+12125550100"]["pages"]) == ("success", 3)
    for number in ("+12125550101", "+12125550102"):
        assert records[number]["status"] == "failed_convert_to_tiff_issue" and records[number]["cost"] == 0
    detail = await (await client.get(f"/_emulator/faxes/{junk_id}")).json()
    assert [h["status"] for h in detail["history"]] == ["submitted", "converting", "failed_convert_to_tiff_issue"]


async def test_a_cover_page_adds_a_page(client):
    cover = {"name_to": "Bob", "name_from": "Alice", "subject": "Hello"}
    await send(client, [await upload(client, make_pdf(2))], cover_page=cover)
    record = await finished(client)
    assert record["pages"] == 3 and record["cover_page"] == cover
    data = (await get(client, f"/accounts/self/files/{record['id']}"))[1]
    pages = [Image.open(io.BytesIO(p.images[0].data)).convert("1") for p in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) == 3
    band = 40  # below the header line: the cover sheet's own text
    assert darkness(pages[0], (0, band, 1728, pages[0].height)) > 0.001
    assert pages[0].crop((0, band, 1728, 600)).tobytes() != pages[1].crop((0, band, 1728, 600)).tobytes()


async def test_an_account_keeps_its_newest_uploads_and_a_send_naming_a_forgotten_one_is_refused(client):
    paths = [await upload(client) for _ in range(MAX_UPLOADS + 1)]
    body = {"from": await my_number(client), "to": ["+12125550100"], "files": paths[:1]}
    status, refused = await call(client, "POST", "/accounts/self/outbox", json=body)
    assert (status, refused["error"]) == (400, "invalid_file")  # the oldest went
    assert await send(client, paths[1:11])  # the newest MAX_UPLOADS are all still there
    assert await send(client, paths[-10:])


async def test_a_file_sent_again_and_again_lasts_whatever_the_uploads_between(client):
    cover = await upload(client)
    for _ in range(3):
        for _ in range(MAX_UPLOADS - 1):  # 297 uploads in all: the cover lasts because each send uses it
            await upload(client)
        assert await send(client, [cover])
    body = {"from": await my_number(client), "to": ["+12125550100"], "files": [cover]}
    for _ in range(MAX_UPLOADS):
        await upload(client)
    status, refused = await call(client, "POST", "/accounts/self/outbox", json=body)
    assert (status, refused["error"]) == (400, "invalid_file")  # unused for MAX_UPLOADS uploads: forgotten
