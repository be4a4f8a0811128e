"""The short way to a PDF's page count: the same answer as pypdf, or None (then pypdf reads it)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader, PdfWriter

from emulator.core import pdfcount
from emulator.core.documents import DocumentError, count_pdf_pages, make_pdf


def pypdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data), strict=False).pages)


@pytest.mark.parametrize("pages", [1, 2, 10, 250])
def test_reads_the_count_of_our_own_pdfs(pages: int) -> None:
    data = make_pdf(pages)
    assert pdfcount.page_count(data) == pages == pypdf_pages(data)


def test_reads_a_pdf_written_by_pypdf() -> None:
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    assert pdfcount.page_count(out.getvalue()) == 3


def test_follows_an_incremental_update_to_the_newest_page_tree() -> None:
    """An update appends a second page, a new page tree root and an xref section whose /Prev is the old one."""
    data = make_pdf(1)
    old_xref = int(data.rsplit(b"startxref", 1)[1].split()[0])
    size = int(re.search(rb"/Size (\d+)", data).group(1))
    root = re.search(rb"/Root (\d+) 0 R", data).group(1)
    pages = re.search(rb"/Pages (\d+) 0 R", data).group(1)
    page = re.search(rb"/Kids \[ *(\d+) 0 R", data).group(1)
    at = len(data)
    update = b"%s 0 obj\n<< /Type /Pages /Kids [%s 0 R %d 0 R] /Count 2 >>\nendobj\n" % (pages, page, size)
    new_page_at = at + len(update)
    update += b"%d 0 obj\n<< /Type /Page /Parent %s 0 R /MediaBox [0 0 612 792] >>\nendobj\n" % (size, pages)
    xref_at = at + len(update)
    update += (
        b"xref\n%s 1\n%010d 00000 n \n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %s 0 R /Prev %d >>\n"
        b"startxref\n%d\n%%%%EOF\n" % (pages, at, size, new_page_at, size + 1, root, old_xref, xref_at)
    )
    updated = data + update
    assert pdfcount.page_count(updated) == 2 == pypdf_pages(updated)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[:-60],  # no startxref
        lambda d: d.replace(b"xref\n0", b"xre?\n0"),  # not an xref table
        lambda d: d.replace(b"/Count 3", b"/Count 0"),
        lambda d: d.replace(b"/Count 3", b"/Count 99999"),  # above MAX_PAGES: the tree is read instead
        lambda d: d.replace(b"/Count 3", b"/Count 3 0 R"),  # an indirect count
        lambda d: re.sub(rb"/Root (\d+) 0 R", rb"/Root \1 0 R /Encrypt 9 0 R", d),
        lambda d: d.replace(b"/Type /Catalog", b"/Type /Katalog"),
        lambda d: d.replace(b"startxref\n", b"startxref\n1"),  # an offset past the end
    ],
)
def test_anything_unsure_is_left_to_the_full_parse(damage) -> None:  # type: ignore[no-untyped-def]
    assert pdfcount.page_count(damage(make_pdf(3))) is None


def test_a_huge_subsection_count_is_refused_without_a_loop() -> None:
    data = make_pdf(1).replace(b"xref\n0 ", b"xref\n0 999999999")
    assert pdfcount.page_count(data) is None


def test_count_pdf_pages_falls_back_to_the_page_tree() -> None:
    """A PDF whose xref offsets are all wrong is still counted (pypdf rebuilds the xref)."""
    data = make_pdf(4)
    broken = data.replace(b"startxref\n", b"startxref\n9")
    assert pdfcount.page_count(broken) is None
    assert count_pdf_pages(broken) == 4


def test_a_page_too_long_to_print_is_still_refused_on_the_short_way() -> None:
    data = make_pdf(2).replace(b"0.0 612 792 ]", b"0.0 6 99999 ]", 1)  # same length: the xref holds
    assert pdfcount.page_boxes(data) == [(6.0, 99999.0), (612.0, 792.0)]
    with pytest.raises(DocumentError) as refused:
        count_pdf_pages(data)
    assert refused.value.code == "unconvertible_document"


def test_a_tree_that_lists_a_page_twice_is_left_to_the_full_parse() -> None:
    data = make_pdf(2)
    kids = re.search(rb"/Kids \[ *(\d+) 0 R (\d+) 0 R", data)
    assert kids is not None
    assert pdfcount.page_count(data[: kids.start(2)] + kids.group(1) + data[kids.end(2) :]) is None
