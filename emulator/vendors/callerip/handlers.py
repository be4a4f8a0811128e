"""CallerIP handlers: POST /api/fax/send and GET /api/fax/status (callerip.md §4); the caller
is authenticated before, by ``auth.authenticate``."""

import re

from aiohttp import web

from emulator import keys
from emulator.core.answers import json_response
from emulator.core.bodies import Form, read_form
from emulator.core.documents import DocumentError, intake_off_loop, page_counts
from emulator.core.errors import Invalid, NotFound
from emulator.core.exchange import EXCHANGE
from emulator.core.services import Services
from emulator.core.store import Fax
from emulator.vendors.callerip import auth, serialise
from emulator.vendors.callerip.state import FaxState

NAME = "callerip"
_TEN_DIGITS = re.compile(r"[0-9]{10}")
_COVER_FIELDS = ("coverFrom", "coverTo", "coverSubject", "coverMessage")


async def send_form(runtime: Services, request: web.Request) -> Form:
    """The send's form, within the upload limit: read before auth (``Vendor.read_first``: the
    token is one of its fields), and read once (the handler's call returns the same form)."""
    return await read_form(request, runtime.config.max_upload_bytes)


async def send_fax(request: web.Request) -> web.Response:
    runtime: Services = request.app[keys.RUNTIME]
    form = await send_form(runtime, request)
    tenant = auth.line(request)
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
            runtime.work, upload.data, upload.filename, accept=("pdf",), counts=page_counts(runtime.cache)
        )
    except DocumentError as exc:
        raise Invalid(f"file: {exc.message}", field="file", code=exc.code) from exc
    fax = Fax(
        id=runtime.ids.uuid4(),
        vendor=NAME,
        tenant=tenant,
        direction="outbound",
        to=number,
        sender=tenant,
        status="",
        created_at=runtime.now(),
        pages=document.pages + (cover == "Y"),
        documents=[document],
        record=FaxState(cover={f: form.get(f, "") for f in _COVER_FIELDS} if cover == "Y" else None),
    )
    exchange = request[EXCHANGE]
    runtime.submit(fax, exchange.gate)
    exchange.fax_ids = [fax.id]
    return json_response(serialise.sent(fax))


async def fax_status(request: web.Request) -> web.Response:
    runtime: Services = request.app[keys.RUNTIME]
    tenant = auth.line(request)
    uuid = request.query.get("uuid", "").strip()
    if not uuid:
        raise Invalid("uuid is required", field="uuid")
    found = runtime.store.find_tenant(NAME, tenant)
    fax = found.faxes.get(uuid) if found else None
    if fax is None:
        raise NotFound(f"no fax with uuid {uuid}")
    return json_response(serialise.status(fax))
