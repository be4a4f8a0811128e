"""FAX.PLUS files (faxplus.md §3.1, §10): uploads, fax documents, reports and thumbnails.

An upload (multipart part ``fax_file``) is kept under ``/transient-<uuid4>``. PDF, TIFF
and plain text are read for real and their pages counted. The other formats the
reference lists (DOC(X), RTF, XLS(X), JPG, PNG) are recognised by their first bytes and
count as one page each, since the emulator cannot render them. Anything else, or a
PDF/TIFF that cannot be read, is accepted as the vendor accepts any upload, and a fax
that uses it fails at ``converting``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulator.core.bodies import Upload
from emulator.core.documents import PAGE_COUNTS, Document, DocumentError, intake_off_loop, make_pdf
from emulator.core.errors import Invalid, NotFound
from emulator.core.pages import Terminal
from emulator.core.store import Fax
from emulator.vendors.faxplus import accounts
from emulator.vendors.faxplus.serialise import timestamp
from emulator.vendors.faxplus.state import of

if TYPE_CHECKING:
    from collections.abc import Iterable

    from emulator.core.services import Services
    from emulator.core.store import Tenant

FORMATS = ("pdf", "tiff")  # FileType (§4)
#: uploads an account keeps: beyond it, the one least recently uploaded or sent is forgotten
#: (fidelity.md: the documents say nothing of how long a ``/transient-`` upload lasts). A send
#: names files it has just uploaded, or one it sends again and again (a cover page: ``used``);
#: without a bound every upload an account ever made was kept
MAX_UPLOADS = 100
CONTENT_TYPES = {"pdf": "application/pdf", "tiff": "image/tiff"}

#: first bytes of the other formats DOC accepts -> a name for them
_OTHER_KINDS = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"BM", "BMP image"),
    (b"PK\x03\x04", "Office document"),
    (b"\xd0\xcf\x11\xe0", "Office document"),
)


@dataclass(slots=True, repr=False, eq=False)
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


async def add(runtime: Services, tenant: Tenant, upload: Upload) -> StoredFile:
    """Keep an upload under a new ``/transient-<uuid4>`` path (Invalid only for an empty file);
    beyond ``MAX_UPLOADS`` the account's least recently used upload goes."""
    stored = await _read(runtime, f"/transient-{runtime.ids.uuid4()}", upload)
    kept = tenant.collection("files")
    kept[stored.path] = stored
    if len(kept) > MAX_UPLOADS:
        del kept[next(iter(kept))]  # the first is the least recently used: see ``used``
    return stored


def used(tenant: Tenant, files: Iterable[StoredFile]) -> None:
    """A send made from ``files``: each becomes the account's most recently used upload, so a
    file sent again and again (a cover page) lasts however many uploads come between."""
    kept = tenant.collection("files")
    for stored in files:
        if kept.pop(stored.path, None) is not None:
            kept[stored.path] = stored


async def _read(runtime: Services, path: str, upload: Upload) -> StoredFile:
    name = upload.filename or "document"
    try:
        document = await intake_off_loop(
            runtime.work, upload.data, name, accept=("pdf", "tiff", "text"), counts=runtime.cache.memos[PAGE_COUNTS]
        )
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


async def render(runtime: Services, fax: Fax, kind: str | None) -> tuple[bytes, str]:
    """The fax as printed (core/pages.py), as ``kind`` (default: TIFF if every part is TIFF, else PDF)."""
    expired(fax)
    if kind is None:
        kind = "tiff" if fax.documents and all(d.kind == "tiff" for d in fax.documents) else "pdf"
    return await runtime.cache.pages.document(runtime, fax, kind), kind


async def report(runtime: Services, fax: Fax, record: dict[str, object]) -> bytes:
    """The confirmation report, as a fax machine prints one: result, pages, duration, the
    remote number, and a reduced image of page 1."""
    rows = [
        ("Fax ID", str(record["id"])),
        ("Result", f"{record['status']} ({record['description']})"),
        ("Pages", f"{fax.pages_sent}/{record['pages']}"),
        ("Duration", f"{record['duration']} s"),
        ("Remote ID", str(record["to"] if record["direction"] == "outgoing" else record["from"] or "-")),
        ("Local ID", str(record["from"] if record["direction"] == "outgoing" else record["to"] or "-")),
        ("Start time", str(record["start_time"] or "-")),
        ("Completed", timestamp(fax.ended_at) or "-"),
        ("Cost", str(record["cost"])),
    ]
    title = "Transmission report" if record["direction"] == "outgoing" else "Reception report"
    return await runtime.cache.pages.report(runtime, fax, title, rows)


def expired(fax: Fax) -> None:
    """404 when retention dropped the fax's file (fidelity.md: as for a file that is gone)."""
    if fax.documents_expired:
        raise NotFound("the file has expired")


async def thumbnail(runtime: Services, fax: Fax) -> bytes:
    """Page 1 as printed, reduced, as PNG."""
    expired(fax)
    return await runtime.cache.pages.png(runtime, fax, 1, thumb=True)


def terminal(runtime: Services, fax: Fax) -> Terminal:
    """FAX.PLUS prints the account's header text (its settings' ``options.header``, else its
    caller id name, else the company name) and the sending number; fine resolution."""
    found = runtime.store.find_tenant(fax.vendor, fax.tenant)
    name = ""
    if found is not None and "main_uid" in found.settings:
        owner = accounts.users(found).get(of(fax).uid) or accounts.main_user(found)
        options = owner.settings.get("options") or {}
        name = str(
            options.get("header")
            or owner.settings.get("caller_id_name")
            or owner.account_data.get("company_name")
            or ""
        )
    return Terminal(f"{name}  {fax.sender}".strip())
