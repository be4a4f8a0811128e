"""Document intake and synthesis.

Intake recognises PDF and TIFF by their content (never by file name), counts pages for
real (a PDF's page tree through pypdf, a TIFF's chain of IFDs) and rejects empty or
corrupt files. Synthesis makes small but valid PDFs and TIFFs for inbound faxes,
confirmation reports and tests.
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.core.errors import Invalid
from emulator.core.memo import Memo, Remembered
from emulator.core.work import Work, WorkError, WorkRefused

#: Default upload limit per document (bytes); ``--max-upload-mb`` changes it.
DEFAULT_MAX_UPLOAD = 50 * 1024 * 1024

CONTENT_TYPES = {"pdf": "application/pdf", "tiff": "image/tiff", "text": "text/plain"}
_MAX_TIFF_PAGES = 10_000
#: a document up to this size, unless it is a PDF with compressed streams, is read on the
#: event loop (a few milliseconds at most); a bigger or compressed one is read in a worker
#: (core/work.py): a 49 MB file that starts like a PDF took pypdf 11 s, a PDF zip bomb 1 s
INLINE_MAX = 256 * 1024
_TEXT_LINES_PER_PAGE = 60
#: a page is printed 1728 pixels across at 204 dpi: 8.47 inches of paper
PAPER_INCHES = 1728 / 204
#: a page longer than this once scaled to the paper's width is refused: fax machines cut
#: at about a metre (a page 10,000 inches tall would be 2 million scan lines)
MAX_PAGE_INCHES = 39.0
#: pixels of one image in a document at most (a decompression bomb is refused past it)
MAX_IMAGE_PIXELS = 40_000_000


class DocumentError(Invalid):
    """An uploaded document that cannot be used; ``code`` says why."""


@dataclass(slots=True, repr=False, eq=False)
class Document:
    """A stored document: what it is, how many pages, and its bytes."""

    kind: str  # "pdf" | "tiff" | "text"
    data: bytes
    pages: int
    filename: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def size(self) -> int:
        return len(self.data)

    def to_data(self) -> dict[str, Any]:
        """As plain data, but for its bytes, which stay ``bytes`` under ``"data"`` (whoever writes
        it as JSON encodes them; the state snapshot as base64)."""
        return {"kind": self.kind, "pages": self.pages, "filename": self.filename, "data": self.data}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Document:
        """The document ``to_data`` gave ``data`` for."""
        return cls(kind=data["kind"], data=bytes(data["data"]), pages=data["pages"], filename=data["filename"])


def sniff(data: bytes) -> str | None:
    """The kind of document by its first bytes, or None."""
    # PDF allows junk before the header within the first KiB (``find``, not ``in`` a slice: ``in``
    # tries its operand as an integer first, an exception made and dropped, ~1,000 instructions)
    if data.find(b"%PDF-", 0, 1024) >= 0:
        return "pdf"
    head = data[:4]
    if head in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head.startswith((b"%!PS", b"\xc5\xd0\xd3\xc6")):  # PostScript, or EPS with its binary header
        return "postscript"
    return None


def _looks_like_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\r\n\t\f" for ch in text[:4096])


def _unconvertible(why: str) -> DocumentError:
    return DocumentError(f"the document cannot be converted to fax pages: {why}", code="unconvertible_document")


def _check_length(width: float, height: float) -> None:
    """A page longer than a fax machine prints, once scaled to the paper's width, is refused."""
    if width <= 0 or height <= 0:
        raise _unconvertible("a page has no size")
    if height * PAPER_INCHES / width > MAX_PAGE_INCHES:
        raise _unconvertible(f"a page is longer than {MAX_PAGE_INCHES:g} inches once scaled to the paper's width")


def count_pdf_pages(data: bytes) -> int:
    """Pages in a PDF's page tree; DocumentError if it cannot be read, or if a page is far
    too long to print (``unconvertible_document``).

    The page tree is read through the xref table when that reads cleanly (``pdfcount``,
    about 30 times faster than pypdf for 10 pages); else pypdf builds it.
    """
    from emulator.core import pdfcount  # its patterns compiled with the first PDF, not at start-up

    boxes = pdfcount.page_boxes(data)
    if boxes is not None:
        for width, height in boxes:
            _check_length(width, height)
        return len(boxes)
    from pypdf import PdfReader  # imported here: pypdf costs start-up time
    from pypdf.errors import PyPdfError

    try:
        pages = PdfReader(io.BytesIO(data), strict=False).pages
        for page in pages:
            box = page.mediabox
            _check_length(abs(float(box.width)), abs(float(box.height)))
        return len(pages)
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        struct.error,
        zlib.error,
        RecursionError,
        OSError,
        AssertionError,
    ) as exc:
        raise DocumentError("the PDF cannot be read: it is damaged or not a PDF", code="corrupt_document") from exc


def count_tiff_pages(data: bytes) -> int:
    """Images in a TIFF (read by Pillow, up to 10,000); DocumentError if it cannot be read, or
    if an image is too large or too long to print (``unconvertible_document``)."""
    import warnings

    from PIL import Image  # imported here: Pillow costs start-up time

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns of what it repairs (corrupt EXIF): not our caller's
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                pages = 0
                while True:
                    if pages >= _MAX_TIFF_PAGES:
                        raise DocumentError("the TIFF has too many pages", code="corrupt_document")
                    xdpi, ydpi = (float(d) or 1.0 for d in image.info.get("dpi") or (1.0, 1.0))
                    _check_length(image.width / xdpi, image.height / ydpi)
                    pages += 1
                    try:
                        image.seek(pages)
                    except EOFError:
                        return pages
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _unconvertible(f"an image is over {MAX_IMAGE_PIXELS:,} pixels") from exc
    except (OSError, ValueError, SyntaxError, struct.error, TypeError, KeyError, IndexError, ZeroDivisionError) as exc:
        raise DocumentError("the TIFF cannot be read: it is damaged or not a TIFF", code="corrupt_document") from exc


def _count(kind: str, data: bytes) -> int:
    return count_pdf_pages(data) if kind == "pdf" else count_tiff_pages(data)


#: a PDF or TIFF up to this size may have its page count remembered by its bytes
#: (``PAGE_COUNTS``): a client sends the same document again and again (a load test's every
#: send), and counting it was a quarter of a 10-page Kazoo job's time
REMEMBERED_MAX = 64 * 1024
#: documents whose counts ``PAGE_COUNTS`` keeps at most (8 MiB of them)
REMEMBERED_COUNTS = 128

#: (kind, a document's bytes) -> its pages and the bytes first counted (equal to the key's)
Counts = Memo[tuple[str, bytes], tuple[int, bytes]]


def counted(key: tuple[str, bytes]) -> tuple[int, bytes]:
    """The pages of a (kind, bytes) key and those bytes (a memo's function): a document sent
    again is kept as the bytes first counted (``intake``), not as one more copy of them."""
    return _count(*key), key[1]


#: the page counts each emulator remembers (``cache.memos[PAGE_COUNTS]``), emptied by a reset
PAGE_COUNTS = Remembered("documents.pages", counted, REMEMBERED_COUNTS)


def intake(
    data: bytes,
    filename: str = "document",
    accept: tuple[str, ...] = ("pdf", "tiff"),
    counts: Counts | None = None,
    kind: str | None = None,
) -> Document:
    """Check an uploaded document and count its pages.

    ``counts``: remembered page counts (``PAGE_COUNTS``), for a document up to ``REMEMBERED_MAX``.
    ``kind``: what ``sniff`` says of ``data``, when the caller asked it already.
    Raises DocumentError with code ``empty_document``, ``unsupported_document`` (not one
    of ``accept``), ``corrupt_document``, or ``unconvertible_document`` (readable, but no
    fax machine could print it: a page far too long, an image far too large).
    """
    if not data:
        raise DocumentError("the document is empty", code="empty_document")
    if kind is None:
        kind = sniff(data)
    if kind is None and "text" in accept and _looks_like_text(data):
        kind = "text"
    if kind is None or kind not in accept:
        wanted = " or ".join(k.upper() if k != "text" else "plain text" for k in accept)
        # PostScript is text, but faxing it as text would send its source code: no vendor does
        found = " (it is PostScript: convert it to PDF first)" if kind == "postscript" else ""
        raise DocumentError(f"the document is not a {wanted}{found}", code="unsupported_document")
    if kind == "text":
        pages = max(1, math.ceil(len(data.decode("utf-8").splitlines()) / _TEXT_LINES_PER_PAGE))
    elif counts is not None and len(data) <= REMEMBERED_MAX:
        # the bytes a fax that sent this document before holds: one copy for every fax
        # sending it (README "Benchmarks", Memory)
        pages, data = counts[kind, data]
    else:
        pages = _count(kind, data)
    if pages < 1:
        raise DocumentError("the document has no pages", code="corrupt_document")
    return Document(kind, data, pages, filename)


def read_in_worker(data: bytes, kind: str | None) -> bool:
    """Whether reading ``data`` (of the ``kind`` ``sniff`` says) may take long enough to keep it
    off the event loop."""
    return len(data) > INLINE_MAX or (kind == "pdf" and data.find(b"/Filter") >= 0)


async def intake_off_loop(
    work: Work,
    data: bytes,
    filename: str = "document",
    accept: tuple[str, ...] = ("pdf", "tiff"),
    *,
    counts: Counts | None = None,
) -> Document:
    """``intake``, in a worker when the document is big or compressed (``read_in_worker``);
    on the loop with ``counts``, remembered page counts (``PAGE_COUNTS``), when given.

    A document the worker cannot read within its time or memory limit is a
    ``corrupt_document``; a full queue is ``WorkRefused`` (the vendor's 503).
    """
    kind = sniff(data)  # (asked once: ``intake`` is told it)
    if not read_in_worker(data, kind):
        return intake(data, filename, accept, counts, kind)
    try:
        return await work.run(intake, data, filename, accept)
    except WorkRefused:
        raise
    except WorkError as exc:
        raise DocumentError(
            f"the document cannot be read within the emulator's limits ({exc.message})", code="corrupt_document"
        ) from exc


# -- synthesis -------------------------------------------------------------------

_LETTER_BODY = (
    "Thank you for your order of last week. Please find enclosed our invoice for the",
    "goods delivered, together with the delivery note signed by your warehouse. The",
    "amount is due within thirty days of the date above.",
    "",
    "Should you have any question about this invoice, please call our accounts",
    "department at the number above, quoting the reference at the top of this page.",
    "",
    "We look forward to working with you again.",
)


def letter(pages: int, sender: str, to: str, at: float) -> Document:
    """A realistic business letter of ``pages`` pages, typed (plain text; core/raster.py sets
    it as printed pages when first viewed), for inbound faxes that bring no document."""
    if pages < 1:
        raise ValueError("a letter needs at least one page")
    import time  # the date line only

    date = time.strftime("%d %B %Y", time.gmtime(at))
    lines: list[str] = []
    for number in range(1, pages + 1):
        page = [
            "NORTHWIND TRADING LTD",
            "12 Harbour Road, Springfield",
            f"Tel / Fax {sender}",
            "",
            f"To: fax {to}",
            f"Date: {date}",
            f"Our reference: INV-{int(at) % 100000:05d}",
            "",
        ]
        page += (
            [
                "Dear Sir or Madam,",
                "",
                *_LETTER_BODY,
                "",
                "Yours faithfully,",
                "",
                "",
                "J. Smith",
                "Accounts Department",
            ]
            if number == 1
            else [f"Continued, page {number} of {pages}", "", *_LETTER_BODY]
        )
        page += [""] * (_TEXT_LINES_PER_PAGE - len(page) - 1) + [f"Page {number} of {pages}"]
        lines += page
    return Document("text", "\n".join(lines).encode(), pages, "letter.txt")


def _pdf_escape(text: str) -> str:
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: int = 1, lines: list[str] | None = None, title: str = "fax") -> bytes:
    """A valid PDF (written by pypdf) with ``pages`` US-Letter pages of Helvetica text;
    ``lines`` are written on page 1, the others say which page they are."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    if pages < 1:
        raise ValueError("a PDF needs at least one page")
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for number in range(pages):
        page = writer.add_blank_page(612, 792)
        text = (lines or [title]) if number == 0 else [f"{title} - page {number + 1} of {pages}"]
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td", *(f"({_pdf_escape(line)}) Tj T*" for line in text), "ET"]
        stream = DecodedStreamObject()
        stream.set_data("\n".join(ops).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_tiff(pages: int = 1, width: int = 64, height: int = 32) -> bytes:
    """A valid bilevel, uncompressed TIFF (written by Pillow) with ``pages`` striped images."""
    from PIL import Image

    if pages < 1:
        raise ValueError("a TIFF needs at least one page")
    stripes = Image.new("1", (width, height), 0)
    stripes.putdata([x % 2 for _ in range(height) for x in range(width)])
    out = io.BytesIO()
    stripes.save(out, "TIFF", save_all=True, append_images=[stripes] * (pages - 1))
    return out.getvalue()
