"""``fax-emulator sample-document``: a real multi-page PDF, a letter to fax in the quick start.

pypdf writes the file and each page's content stream (from operations, not hand-written
PDF syntax); the text is in Helvetica, one of the standard fonts every PDF reader has.
"""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import ContentStream, DictionaryObject, FloatObject, NameObject, TextStringObject

LETTER = (612, 792)  # US Letter, in points
MAX_PAGES = 100

_BODY = [
    "Dear customer,",
    "",
    "this letter was made by fax-emulator to be sent as a fax. Each page says which it",
    "is, so a test can see that every page arrived, and in order.",
    "",
    "Kind regards,",
    "The fax-emulator team",
]


def sample_pdf(pages: int = 2) -> bytes:
    """A letter of ``pages`` US-Letter pages (1 to ``MAX_PAGES``) with text on each page."""
    if not 1 <= pages <= MAX_PAGES:
        raise ValueError(f"a sample document has 1 to {MAX_PAGES} pages, not {pages}")
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    for number in range(1, pages + 1):
        page = writer.add_blank_page(*LETTER)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        lines = [f"Sample fax - page {number} of {pages}", "", *(_BODY if number == 1 else [])]
        page.replace_contents(_text(writer, lines))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _text(writer: PdfWriter, lines: list[str]) -> ContentStream:
    """Operations that write ``lines`` from the top left, 16 points apart."""
    content = ContentStream(None, writer)
    operations: list[tuple[list[object], bytes]] = [
        ([], b"BT"),
        ([NameObject("/F1"), FloatObject(14)], b"Tf"),
        ([FloatObject(16)], b"TL"),
        ([FloatObject(72), FloatObject(720)], b"Td"),
    ]
    for line in lines:
        operations += [([TextStringObject(line)], b"Tj"), ([], b"T*")]
    operations.append(([], b"ET"))
    content.operations = operations
    return content
