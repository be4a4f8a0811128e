"""Send Fax (callerip.md §4.1): the send's form checked into a fax, then submitted.

The form (``multipart/form-data``) has the ``token`` (read by ``auth.authenticate``), a
10-digit ``number``, the PDF ``file``, and ``sendCover`` with the cover fields. Everything
is checked before anything is stored; a bad request gets 400 and leaves no trace.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from emulator.core.bodies import Form
from emulator.core.documents import PAGE_COUNTS, DocumentError, intake_off_loop
from emulator.core.errors import Invalid
from emulator.core.exchange import Gate
from emulator.core.store import Fax
from emulator.vendors.callerip.state import FaxState

if TYPE_CHECKING:
    from emulator.core.services import Services

NAME = "callerip"
_TEN_DIGITS = re.compile(r"[0-9]{10}")
_COVER_FIELDS = ("coverFrom", "coverTo", "coverSubject", "coverMessage")


async def send(runtime: Services, line: str, form: Form, gate: Gate | None) -> Fax:
    """Check the send's ``form``, read its document off the event loop, and submit the fax
    of the fax line ``line`` (``gate``: the request's scenario gate)."""
    number = (form.get("number") or "").strip()
    if not _TEN_DIGITS.fullmatch(number):
        raise Invalid("number must be exactly 10 digits", field="number")
    cover = (form.get("sendCover") or "N").strip().upper()
    if cover not in ("Y", "N"):
        raise Invalid("sendCover must be Y or N", field="sendCover")
    upload = form.file("file")
    if upload is None:
        raise Invalid("file is required", field="file")
    try:
        document = await intake_off_loop(
            runtime.work, upload.data, upload.filename, accept=("pdf",), counts=runtime.cache.memos[PAGE_COUNTS]
        )
    except DocumentError as exc:
        raise Invalid(f"file: {exc.message}", field="file", code=exc.code) from exc
    fax = Fax(
        id=runtime.ids.uuid4(),
        vendor=NAME,
        tenant=line,
        direction="outbound",
        to=number,
        sender=line,
        status="",
        created_at=runtime.now(),
        pages=document.pages + (cover == "Y"),
        documents=(document,),
        record=FaxState(cover={f: form.get(f, "") for f in _COVER_FIELDS} if cover == "Y" else None),
    )
    return runtime.submit(fax, gate)
