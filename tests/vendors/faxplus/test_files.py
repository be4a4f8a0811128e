"""Uploads, downloads, confirmation reports and thumbnails (faxplus.md §3.1, §10)."""

from __future__ import annotations

import io
import struct
import zlib

from pypdf import PdfReader

from emulator.core.documents import count_pdf_pages, count_tiff_pages, make_pdf, make_tiff
from tests.conftest import advance
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


async def test_a_single_tiff_comes_back_as_uploaded_and_pdfs_are_merged(client):
    tiff = make_tiff(2)
    await send(client, [await upload(client, tiff, name="scan.tiff")])
    record = await finished(client)
    assert (await get(client, f"/accounts/self/files/{record['id']}"))[1] == tiff
    await call(client, "DELETE", f"/accounts/self/faxes/{record['id']}")
    await send(client, [await upload(client, make_pdf(2)), await upload(client, make_pdf(4))])
    record = await finished(client)
    assert count_pdf_pages((await get(client, f"/accounts/self/files/{record['id']}"))[1]) == 6


async def test_a_pending_fax_downloads_by_its_outbox_id(client):
    outbox_id = await send(client, [await upload(client, make_pdf(2))])
    response, data = await get(client, f"/accounts/self/files/{outbox_id}")
    assert count_pdf_pages(data) == 2 and f"outbox-{outbox_id}.pdf" in response.headers["Content-Disposition"]


async def test_the_report_is_a_pdf_naming_the_fax(client):
    await send(client, [await upload(client, make_pdf(2))])
    record = await finished(client)
    response, data = await get(client, f"/accounts/self/report/{record['id']}")
    assert response.content_type == "application/pdf"
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    for expected in (record["id"], "Pages: 2", "Status: success", "Submitted: 2026-01-01 00:00:00",
                     "Started: 2026-01-01 00:00:08", "Completed: 2026-01-01 00:01:53"):
        assert expected in text


async def test_the_thumbnail_is_a_valid_png(client):
    await send(client, [await upload(client)])
    record = await finished(client)
    response, data = await get(client, f"/accounts/self/thumbnail/{record['id']}")
    assert response.content_type == "image/png" and data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        assert struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0] == zlib.crc32(kind + body)
        chunks[kind] = body
        at += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (width + 1) and b"IEND" in chunks


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
    assert "Subject: Hello" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
