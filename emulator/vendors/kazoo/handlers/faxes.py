"""Kazoo's handlers of fax jobs and faxes: ``PUT /faxes`` makes a job (kazoo.md §7.4, logic
in ``jobs.py``); ``/faxes/outgoing``, ``/faxes/outbox``, ``/faxes/inbox`` read and act on them
(kazoo.md §7.2, §7.5-§7.9, logic in ``folders.py``), account-wide or under ``/faxboxes/{F}``;
the outbox and inbox listings within their time window."""

from __future__ import annotations

import time
from collections.abc import Iterator

from aiohttp import web

from emulator.core.exchange import EXCHANGE
from emulator.core.store import Fax
from emulator.vendors.kazoo import faxboxes, folders, jobs, paging, serialise
from emulator.vendors.kazoo.auth import NAME
from emulator.vendors.kazoo.envelope import (
    call,
    gregorian,
    read_job,
    read_json_body,
    respond,
    respond_json,
    runtime,
    tenant_of,
)


def _faxes(request: web.Request) -> Iterator[Fax]:
    return folders.faxes(tenant_of(request), request.match_info.get("faxbox_id"))


def _in_folder(request: web.Request, folder: str) -> Fax:
    return folders.in_folder(tenant_of(request), request.match_info["fax_id"], folder)


async def list_outgoing(request: web.Request) -> web.Response:
    rows = (
        ([gregorian(f.created_at), f.id], serialise.outgoing_row(f), serialise.stored(f))
        for f in _faxes(request)
        if f.direction == "outbound" and serialise.modb_id(f) is None
    )
    return paging.listing(request, rows)


async def get_outgoing(request: web.Request) -> web.Response:
    context = call(request)  # authenticated: its tenant is the path's account
    fax = folders.outgoing(context.tenant, request.match_info["fax_id"])  # type: ignore[arg-type]
    return respond_json(request, context, serialise.outgoing_job(context.runtime.cache, fax, context.now))


def _folder_listing(request: web.Request, folder: str) -> web.Response:
    start, end = paging.window(request)
    rows = (
        ([gregorian(f.created_at), serialise.modb_id(f)], serialise.folder_row(f), serialise.stored(f))
        for f in _faxes(request)
        if folders.folder_of(f) == folder and start <= gregorian(f.created_at) <= end
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
    envelope = await read_json_body(request)
    exchange = request[EXCHANGE]
    fax = folders.act(runtime(request), _in_folder(request, folder), folder, envelope, exchange.gate)
    exchange.fax_ids = (fax.id,)
    return respond(request, {**serialise.doc(fax), "id": fax.id}, revision=serialise.rev(fax))


async def delete_fax(request: web.Request) -> web.Response:
    fax = _in_folder(request, _folder(request))
    folders.delete(runtime(request), fax)
    return respond(request, {**serialise.folder_doc(fax), "_read_only": {"deleted": True}}, revision=serialise.rev(fax))


async def get_attachment(request: web.Request) -> web.Response:
    fax = folders.attached(tenant_of(request), request.match_info["fax_id"], _folder(request))
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
    folders.delete_attachment(runtime(request), fax)
    return respond(request, {"_read_only": {"deleted": True}}, revision=serialise.rev(fax))


# -- jobs (kazoo.md §7.4) ---------------------------------------------------------------


async def create(request: web.Request) -> web.Response:
    rt = runtime(request)
    account_id = request.match_info["account_id"]
    data, upload = await read_job(request, rt)
    faxbox = faxboxes.find(rt.tenant(NAME, account_id), request.match_info.get("faxbox_id"))
    exchange = request[EXCHANGE]
    fax = await jobs.submit(rt, account_id, data, upload, faxbox, exchange.gate)
    exchange.fax_ids = (fax.id,)
    revision = serialise.rev(fax)
    return respond(request, serialise.saved_job(fax, revision), revision=revision)
