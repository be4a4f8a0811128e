"""FAX.PLUS files (faxplus.md §3.1, §10): uploads, fax documents, reports and thumbnails.

An upload (multipart part ``fax_file``) is kept under ``/transient-<uuid4>``. PDF, TIFF
and plain text are read for real and their pages counted. The other formats the
reference lists (DOC(X), RTF, XLS(X), JPG, PNG) are recognised by their first bytes and
count as one page each, since the emulator cannot render them. Anything else, or a
PDF/TIFF that cannot be read, is accepted as the vendor accepts any upload, and a fax
that uses it fails at ``converting``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulator.core.documents import Document, DocumentError, intake_off_loop, make_pdf, make_tiff
from emulator.core.errors import Invalid, NotFound
from emulator.core.http import Upload
from emulator.core.store import Fax
from emulator.vendors.faxplus import png
from emulator.vendors.faxplus.serialise import timestamp

if TYPE_CHECKING:
    from emulator.core.runtime import Runtime
    from emulator.core.store import Tenant

FORMATS = ("pdf", "tiff")  # FileType (§4)
CONTENT_TYPES = {"pdf": "application/pdf", "tiff": "image/tiff"}

#: first bytes of the other formats DOC accepts -> a name for them
_OTHER_KINDS = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"),
    (b"BM", "BMP image"), (b"PK\x03\x04", "Office document"), (b"\xd0\xcf\x11\xe0", "Office document"),
)


@dataclass(frozen=True, slots=True, eq=False)
class StoredFile:
    """An uploaded file: its fax document (real, or a one-page stand-in) and whether it converts."""

    path: str
    filename: str
    mime_type: str
    size: int
    document: Document
    convertible: bool
    uploaded_at: float


def check_format(value: str | None) -> str | None:
    if value is not None and value not in FORMATS:
        raise Invalid(f"format must be one of {', '.join(FORMATS)}, not {value!r}", field="format")
    return value


async def add(runtime: Runtime, tenant: Tenant, upload: Upload) -> StoredFile:
    """Keep an upload under a new ``/transient-<uuid4>`` path (Invalid only for an empty file)."""
    stored = await _read(runtime, f"/transient-{runtime.ids.uuid4()}", upload)
    tenant.collection("files")[stored.path] = stored
    return stored


async def _read(runtime: Runtime, path: str, upload: Upload) -> StoredFile:
    name = upload.filename or "document"
    try:
        document = await intake_off_loop(runtime.work, upload.data, name, accept=("pdf", "tiff", "text"))
        convertible = True
    except DocumentError as exc:
        if exc.code == "empty_document":
            raise Invalid("fax_file is empty", field="fax_file", code="invalid_file") from exc
        kind = next((k for magic, k in _OTHER_KINDS if upload.data.startswith(magic)), None)
        convertible = kind is not None
        line = f"{name}: {kind} (one page)" if kind else f"{name}: cannot be converted"
        document = Document("pdf", make_pdf(1, [line]), 1, name)
    mime = upload.content_type or "application/octet-stream"
    return StoredFile(path, name, mime, len(upload.data), document, convertible, runtime.now())


def render(fax: Fax, kind: str | None) -> tuple[bytes, str]:
    """The fax's document as ``kind`` (default: TIFF if every part is TIFF, else PDF)."""
    expired(fax)
    documents = fax.documents
    if kind is None:
        kind = "tiff" if documents and all(d.kind == "tiff" for d in documents) else "pdf"
    if len(documents) == 1 and documents[0].kind == kind:
        return documents[0].data, kind
    if kind == "pdf" and documents and all(d.kind == "pdf" for d in documents):
        from pypdf import PdfWriter  # imported here: pypdf costs start-up time

        writer = PdfWriter()
        for document in documents:
            writer.append(io.BytesIO(document.data))
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue(), kind
    if kind == "tiff":
        return make_tiff(max(1, fax.pages)), kind
    return make_pdf(max(1, fax.pages), [f"Fax {fax.id}: {fax.pages} pages"]), kind


def report(fax: Fax, record: dict[str, object]) -> bytes:
    """The confirmation report: a one-page PDF naming the fax, its pages, status and times."""
    lines = [
        "FAX.PLUS confirmation report",
        f"Fax ID: {record['id']}",
        f"Direction: {record['direction']}",
        f"From: {record['from'] or '-'}",
        f"To: {record['to']}",
        f"Pages: {record['pages']}",
        f"Status: {record['status']} ({record['description']})",
        f"Submitted: {record['submit_time'] or '-'}",
        f"Started: {record['start_time'] or '-'}",
        f"Completed: {timestamp(fax.ended_at)}",
        f"Duration: {record['duration']} s",
        f"Cost: {record['cost']}",
    ]
    return make_pdf(1, lines, title="FAX.PLUS confirmation report")


def expired(fax: Fax) -> None:
    """404 when retention dropped the fax's file (fidelity.md: as for a file that is gone)."""
    if fax.documents_expired:
        raise NotFound("the file has expired")


def thumbnail(fax: Fax) -> bytes:
    """A PNG picture of page 1."""
    expired(fax)
    return png.page_thumbnail(fax.pages)
