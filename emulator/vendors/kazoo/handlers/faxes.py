"""Kazoo's handlers of fax jobs and faxes: ``PUT /faxes`` makes a job (kazoo.md §7.4);
``/faxes/outgoing``, ``/faxes/outbox``, ``/faxes/inbox`` read them (kazoo.md §7.2,
§7.5-§7.9), account-wide or under ``/faxboxes/{F}``.

``outgoing`` holds jobs not yet finished (their 32-hex job id); ``outbox`` and ``inbox``
hold finished and received faxes under their monthly-database id ``YYYYMM-<id>``, within
the listing time window. A document in the other folder gets Crossbar's 500.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from aiohttp import web

from emulator.core.bodies import Upload, read_bytes, read_parts
from emulator.core.exchange import EXCHANGE
from emulator.core.store import Fax, Tenant
from emulator.vendors.kazoo import errors, faxboxes, jobs, paging, serialise
from emulator.vendors.kazoo.auth import NAME
from emulator.vendors.kazoo.envelope import call, gregorian, parse_envelope, read_json_body, respond, runtime, tenant_of
from emulator.vendors.kazoo.state import of

_JSON_TYPES = ("application/json", "application/x-json")
_DOCUMENT_TYPES = frozenset({"application/pdf", "image/tiff", "application/octet-stream"})


#: the action each folder's PUT takes (kazoo.md §7.8)
ACTIONS = {"outbox": "resubmit", "inbox": "forward"}


def _faxes(request: web.Request) -> Iterator[Fax]:
    """Every fax of the account once, narrowed to the faxbox in the path if there is one."""
    faxbox_id = request.match_info.get("faxbox_id")
    for key, fax in tenant_of(request).faxes.items():
        if key == fax.id and (faxbox_id is None or of(fax).doc.get("faxbox_id") == faxbox_id):
            yield fax


def _folder_of(fax: Fax) -> str | None:
    x = of(fax)
    if x.modb_id is None or x.deleted:
        return None
    return x.doc.get("folder") or "inbox"  # a document without a folder counts as inbox


def _outgoing(request: web.Request, tenant: Tenant) -> Fax:
    fax_id = request.match_info["fax_id"]
    fax = tenant.faxes.get(fax_id)
    if fax is None or fax.id != fax_id or fax.direction != "outbound" or serialise.modb_id(fax) is not None:
        raise errors.bad_identifier(fax_id)
    return fax


def _in_folder(request: web.Request, folder: str) -> Fax:
    fax_id = request.match_info["fax_id"]
    fax = tenant_of(request).faxes.get(fax_id)
    if fax is None or serialise.modb_id(fax) != fax_id or of(fax).deleted:
        raise errors.bad_identifier(fax_id)
    if _folder_of(fax) != folder:
        raise errors.ad_hoc(f"document is not in folder {folder}")
    return fax


async def list_outgoing(request: web.Request) -> web.Response:
    rows = (
        ([gregorian(f.created_at), f.id], serialise.outgoing_row(f), serialise.stored(f))
        for f in _faxes(request)
        if f.direction == "outbound" and serialise.modb_id(f) is None
    )
    return paging.listing(request, rows)


async def get_outgoing(request: web.Request) -> web.Response:
    context = call(request)  # authenticated: its tenant is the path's account
    job, revision = serialise.outgoing_job(context.runtime.cache, _outgoing(request, context.tenant), context.now)  # type: ignore[arg-type]
    return respond(request, job, revision=revision)


def _folder_listing(request: web.Request, folder: str) -> web.Response:
    start, end = paging.window(request)
    rows = (
        ([gregorian(f.created_at), serialise.modb_id(f)], serialise.folder_row(f), serialise.stored(f))
        for f in _faxes(request)
        if _folder_of(f) == folder and start <= gregorian(f.created_at) <= end
    )
    return paging.listing(request, rows)


async def list_outbox(request: web.Request) -> web.Response:
    return _folder_listing(request, "outbox")


async def list_inbox(request: web.Request) -> web.Response:
    return _folder_listing(request, "inbox")


async def list_smtplog(request: web.Request) -> web.Response:
    # TODO(unfinished): email-to-fax is not emulated, so the SMTP log is always empty
    return paging.listing(request, [])


def _folder(request: web.Request) -> str:
    return request.match_info["folder"]


async def get_fax(request: web.Request) -> web.Response:
    fax = _in_folder(request, _folder(request))
    return respond(request, serialise.folder_doc(fax), revision=serialise.rev(fax))


async def act_on_fax(request: web.Request) -> web.Response:
    folder = _folder(request)
    body = await read_json_body(request)
    source = _in_folder(request, folder)
    action = body.get("action")
    if action is None:
        raise errors.ad_hoc("action required")
    if action != ACTIONS[folder]:
        raise errors.ad_hoc("invalid action")
    exchange = request[EXCHANGE]
    fax = jobs.copy_job(runtime(request), source, body["data"], forward=folder == "inbox", gate=exchange.gate)
    exchange.fax_ids = [fax.id]
    return respond(request, {**serialise.doc(fax), "id": fax.id}, revision=serialise.rev(fax))


async def delete_fax(request: web.Request) -> web.Response:
    fax = _in_folder(request, _folder(request))
    x = of(fax)
    x.deleted = True
    x.edits += 1
    runtime(request).store.changed(fax)
    return respond(request, {**serialise.folder_doc(fax), "_read_only": {"deleted": True}}, revision=serialise.rev(fax))


async def get_attachment(request: web.Request) -> web.Response:
    fax = _in_folder(request, _folder(request))
    if not fax.documents:
        raise errors.bad_identifier(request.match_info["fax_id"])
    rt = runtime(request)
    body = await rt.cache.pages.pdf(rt, fax)  # attachment_format's default, pdf (kazoo.md §7.7): the fax as printed
    disposition = "inline" if request.query.get("disposition") == "inline" else "attachment"
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S", time.gmtime(fax.created_at))
    return web.Response(
        body=body,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f"{disposition}; filename=fax_document_{stamp}.pdf",
            "ETag": f'"{serialise.rev(fax)}"',
            "X-Request-ID": call(request).request_id,
        },
    )


async def delete_attachment(request: web.Request) -> web.Response:
    fax = _in_folder(request, _folder(request))
    fax.documents = []
    of(fax).edits += 1
    runtime(request).store.changed(fax)
    return respond(request, {"_read_only": {"deleted": True}}, revision=serialise.rev(fax))


# -- jobs (kazoo.md §7.4) ---------------------------------------------------------------


def _is_envelope_part(part: Upload) -> bool:
    """A JSON part, or an untyped one: Crossbar reads a part without Content-Type as JSON
    (api_util get_req_data 'undefined' -> "assuming application/json"), which is what Python
    ``requests`` sends for ``files={"json": (None, body)}``."""
    media = part.content_type.split(";")[0].strip().lower()
    return media in _JSON_TYPES or not media


async def _body(request: web.Request, max_bytes: int) -> tuple[Any, Upload | None]:
    """The request ``data`` and the uploaded document, if any."""
    ctype = request.content_type
    if ctype.startswith("multipart/"):
        parts = await read_parts(request, max_bytes)
        json_part = next((p for p in parts if _is_envelope_part(p)), None)
        upload = next((p for p in parts if p is not json_part), None)
        return (parse_envelope(request, json_part.data)["data"] if json_part else {}), upload
    if ctype in _DOCUMENT_TYPES:
        return {}, Upload("", "", ctype, await read_bytes(request, max_bytes))
    return (await read_json_body(request))["data"], None


async def create(request: web.Request) -> web.Response:
    rt = runtime(request)
    account_id = request.match_info["account_id"]
    data, upload = await _body(request, rt.config.max_upload_bytes)
    faxbox = faxboxes.find(rt.tenant(NAME, account_id), request.match_info.get("faxbox_id"))
    exchange = request[EXCHANGE]
    fax = await jobs.submit(rt, account_id, data, upload, faxbox, exchange.gate)
    exchange.fax_ids = [fax.id]
    revision = serialise.rev(fax)
    return respond(request, serialise.saved_job(fax, revision), revision=revision)
