"""Big or compressed documents are read in a worker: hostile uploads never stall the server."""

from __future__ import annotations

import asyncio
import io
import os
import time
import zlib
from typing import Any

import aiohttp
import pytest
from PIL import Image

from emulator.core.documents import INLINE_MAX, DocumentError, intake_off_loop, make_pdf, read_in_worker
from emulator.core.work import Limits, Work
from tests.conftest import runtime_of
from tests.vendors.faxplus.raw import call


def image_pdf(pages: int) -> bytes:
    """A PDF whose pages are compressed images (Pillow writes them with a /Filter)."""
    out = io.BytesIO()
    images = [Image.new("L", (200, 260), 255) for _ in range(pages)]
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=72)
    return out.getvalue()


def pdf_junk(size: int) -> bytes:
    """Starts like a PDF, then objects that never end: pypdf reads on and on (4 s at 4 MB)."""
    return b"%PDF-1.7\n" + b"1 0 obj\n" * (size // 8)


def test_which_documents_are_read_in_a_worker() -> None:
    assert not read_in_worker(make_pdf(3), "pdf")  # small, nothing compressed
    assert read_in_worker(image_pdf(1), "pdf")  # compressed streams: a bomb would be one
    assert read_in_worker(b"a" * (INLINE_MAX + 1), None)  # big, whatever it is


async def test_a_compressed_pdf_is_counted_in_a_worker() -> None:
    work = Work(Limits(workers=1))
    try:
        assert (await intake_off_loop(work, make_pdf(2), "a.pdf")).pages == 2
        assert not work.started  # the small plain one was read in place
        document = await intake_off_loop(work, image_pdf(3), "scan.pdf")
        assert (document.kind, document.pages, document.filename) == ("pdf", 3, "scan.pdf")
        assert work.stats()["done"] == 1
    finally:
        await work.close()


async def test_a_document_past_the_time_limit_is_corrupt() -> None:
    work = Work(Limits(workers=1, timeout=0.3))
    try:
        with pytest.raises(DocumentError) as caught:
            await intake_off_loop(work, pdf_junk(2 * 1024 * 1024), "x.pdf")
        assert caught.value.code == "corrupt_document" and "time limit" in caught.value.message
    finally:
        await work.close()


async def test_health_answers_promptly_while_hostile_uploads_are_parsed(make_client: Any) -> None:
    client = await make_client(work=Limits(workers=2, timeout=0.5))
    hostile = pdf_junk(2 * 1024 * 1024)

    async def upload(n: int) -> tuple[int, Any]:
        form = aiohttp.FormData()
        form.add_field("fax_file", io.BytesIO(hostile), filename=f"evil{n}.pdf", content_type="application/pdf")
        return await call(client, "POST", "/accounts/self/files", data=form)

    uploads = [asyncio.create_task(upload(n)) for n in range(8)]
    while runtime_of(client).work.stats()["busy"] < 2:  # wait until the workers are parsing
        assert not any(task.done() for task in uploads), [task.result() for task in uploads if task.done()]
        await asyncio.sleep(0.01)
    answers = []
    while not all(task.done() for task in uploads):
        started = time.perf_counter()
        response = await client.get("/_emulator/health")
        assert response.status == 200
        await response.read()
        answers.append(time.perf_counter() - started)
        await asyncio.sleep(0.02)
    results = await asyncio.gather(*uploads)
    assert [status for status, _ in results] == [200] * 8  # FAX.PLUS keeps any upload; it fails at converting
    # the loop is never held by a parse (on the loop, one such upload held it 8-11 s); the 100 ms
    # figure of issue #17 is measured by the benchmarks, not here, where a loaded machine's
    # scheduling would make it flaky
    assert len(answers) >= 5 and max(answers) < 0.5, answers
    stats = runtime_of(client).work.stats()
    # each was read in a worker: cut at the time limit, or refused sooner when the page counter sees
    # the junk at once (core/pdfcount.py), depending on how fast this machine is
    assert stats["timeouts"] + stats["failures"] + stats["done"] == 8, stats


def pdf_bomb(inflated: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``inflated`` bytes (issue #17: 1 MB to 1 GB)."""
    squeeze = zlib.compressobj(6)
    stream = b"".join(squeeze.compress(bytes(1024 * 1024)) for _ in range(inflated // (1024 * 1024)))
    stream += squeeze.flush()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
        b"<</Length %d/Filter/FlateDecode>>stream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    return bytes(out + b"trailer\n<</Root 1 0 R>>\n%%EOF\n")


async def test_health_answers_while_a_49_mb_upload_that_is_no_pdf_and_8_pdf_bombs_are_read(make_client: Any) -> None:
    """Issue #17 item 3: on the loop, a 49 MB upload that is not a PDF held it 8-11 s, and a
    PDF bomb about 1 s each (8 at once 15 s). Now both are read off the loop: the health
    check is answered throughout, and every upload gets FAX.PLUS's own answer."""
    client = await make_client()
    not_pdf, bomb = os.urandom(1024) * (49 * 1024), pdf_bomb(64 * 1024 * 1024)

    async def upload(document: bytes, name: str) -> int:
        form = aiohttp.FormData()
        form.add_field("fax_file", io.BytesIO(document), filename=name, content_type="application/pdf")
        status, _ = await call(client, "POST", "/accounts/self/files", data=form)
        return status

    uploads = [asyncio.create_task(upload(not_pdf, "big.pdf"))]
    uploads += [asyncio.create_task(upload(bomb, f"bomb{n}.pdf")) for n in range(8)]
    answers = []
    while not all(task.done() for task in uploads):
        started = time.perf_counter()
        response = await client.get("/_emulator/health")
        assert response.status == 200
        await response.read()
        answers.append(time.perf_counter() - started)
        await asyncio.sleep(0.02)
    assert await asyncio.gather(*uploads) == [200] * 9  # FAX.PLUS keeps any upload; it fails at converting
    # generous (this machine may be loaded): the bound is against seconds, the benchmarks measure the 100 ms
    assert len(answers) >= 3 and max(answers) < 1.0, answers
