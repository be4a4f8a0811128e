"""Document intake: content sniffing, real page counts, refusal of bad documents."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.core.documents import DocumentError, intake, make_pdf, make_tiff, sniff
from tests.core.pagekit import bomb, rect_pdf


@pytest.mark.parametrize("pages", [1, 2, 7])
def test_pdf_pages_are_counted_from_the_page_tree(pages):
    document = intake(make_pdf(pages), "letter.pdf")
    assert (document.kind, document.pages, document.content_type) == ("pdf", pages, "application/pdf")


@pytest.mark.parametrize("pages", [1, 3, 12])
def test_tiff_pages_are_counted_from_the_ifd_chain(pages):
    document = intake(make_tiff(pages), "scan.tif")
    assert (document.kind, document.pages) == ("tiff", pages)


def big_endian_tiff(width: int = 8, height: int = 8) -> bytes:
    """A bilevel, uncompressed TIFF in big-endian (Motorola) byte order, written field by field."""
    image = b"\xaa" * ((width + 7) // 8 * height)
    tags = [
        (256, 4, width),
        (257, 4, height),
        (258, 3, 1),
        (259, 3, 1),
        (262, 3, 0),
        (273, 4, 0),
        (278, 4, height),
        (279, 4, len(image)),
    ]
    ifd_size = 2 + 12 * len(tags) + 4
    tags[5] = (273, 4, 8 + ifd_size)
    entries = b"".join(
        struct.pack(">HHIHH", tag, kind, 1, value, 0) if kind == 3 else struct.pack(">HHII", tag, kind, 1, value)
        for tag, kind, value in tags
    )
    return b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", len(tags)) + entries + b"\0\0\0\0" + image


def test_big_endian_tiff_is_read():
    assert intake(big_endian_tiff()).pages == 1
    assert intake(make_tiff(1)).pages == 1


@pytest.mark.parametrize("data", [rect_pdf([], size=(612, 720_000)), bomb()], ids=["10,000 inches tall", "bomb"])
def test_a_document_no_fax_machine_could_print_is_refused(data):
    with pytest.raises(DocumentError) as caught:
        intake(data)
    assert caught.value.code == "unconvertible_document"


def test_kind_comes_from_content_not_name():
    assert intake(make_pdf(1), "picture.tiff").kind == "pdf"
    assert sniff(b"hello") is None


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_document"),
        (b"just some text", "unsupported_document"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "unsupported_document"),
        (b"%PDF-1.4\nthis is not a pdf at all", "corrupt_document"),
        (b"II*\x00" + struct.pack("<I", 9999), "corrupt_document"),
        (b"II*\x00", "corrupt_document"),
    ],
)
def test_bad_documents_are_refused_with_a_reason(data, code):
    with pytest.raises(DocumentError) as caught:
        intake(data)
    assert caught.value.code == code and caught.value.status == 400


def test_a_tiff_whose_ifds_loop_ends_at_the_loop():
    data = bytearray(make_tiff(2))
    # point the second IFD's "next" back at the first
    first = struct.unpack_from("<I", data, 4)[0]
    entries = struct.unpack_from("<H", data, first)[0]
    second = struct.unpack_from("<I", data, first + 2 + entries * 12)[0]
    entries2 = struct.unpack_from("<H", data, second)[0]
    struct.pack_into("<I", data, second + 2 + entries2 * 12, first)
    assert intake(bytes(data)).pages == 2  # Pillow stops where the chain comes back


def test_text_is_accepted_only_where_asked():
    document = intake(("line\n" * 130).encode(), "note.txt", accept=("pdf", "text"))
    assert (document.kind, document.pages) == ("text", 3)
    with pytest.raises(DocumentError):
        intake(b"line\n", accept=("pdf",))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_either_pass_or_raise_document_error(data):
    for prefix in (b"", b"%PDF-1.4\n", b"II*\x00", b"MM\x00*"):
        try:
            document = intake(prefix + data)
        except DocumentError:
            continue
        assert document.pages >= 1


def test_a_document_sent_again_is_held_as_the_bytes_first_counted():
    from emulator.core.documents import REMEMBERED_COUNTS, REMEMBERED_MAX, counted, intake
    from emulator.core.memo import Memo

    counts = Memo(counted, REMEMBERED_COUNTS)
    pdf, tiff = make_pdf(2), make_tiff(3)
    first = intake(bytes(bytearray(pdf)), counts=counts)
    again = [intake(bytes(bytearray(pdf)), counts=counts) for _ in range(3)]  # equal bytes, each its own object
    assert [d.pages for d in again] == [2, 2, 2]
    assert all(d.data is first.data for d in again)  # one copy for every fax that sends it
    assert intake(tiff, counts=counts).data is tiff and intake(bytes(bytearray(tiff)), counts=counts).data is tiff
    # a document past what is remembered is its own (nor is one without ``counts``)
    big = make_pdf(1) + b"%" * REMEMBERED_MAX
    assert intake(big, counts=counts).data is big
    copy = bytes(bytearray(pdf))
    assert intake(copy).data is copy
