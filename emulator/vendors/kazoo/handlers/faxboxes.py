"""Kazoo's faxbox handlers: ``/accounts/{A}/faxboxes`` (kazoo.md §10.3)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.vendors.kazoo import errors, faxboxes, paging
from emulator.vendors.kazoo.envelope import read_data, respond, revision, runtime, tenant_of
from emulator.vendors.kazoo.faxboxes import COLLECTION, find, shown


def _load(request: web.Request) -> dict[str, Any]:
    faxbox_id = request.match_info["faxbox_id"]
    found = find(tenant_of(request), faxbox_id)
    if found is None:
        raise errors.bad_identifier(faxbox_id)
    return found


def _respond(request: web.Request, stored: dict[str, Any], **extra: Any) -> web.Response:
    return respond(request, {**shown(stored), **extra}, revision=revision(stored["_rev"], stored["_id"]))


async def list_faxboxes(request: web.Request) -> web.Response:
    boxes = [box for box in tenant_of(request).collection(COLLECTION).values() if not box.get("pvt_deleted")]
    return paging.listing(request, [([box["_id"]], shown(box), box) for box in boxes])


async def create_faxbox(request: web.Request) -> web.Response:
    data = await read_data(request)
    return _respond(request, faxboxes.create(runtime(request), tenant_of(request), data))


async def get_faxbox(request: web.Request) -> web.Response:
    return _respond(request, _load(request))


async def _update(request: web.Request, merge: bool) -> web.Response:
    stored = _load(request)
    data = await read_data(request)
    return _respond(request, faxboxes.update(runtime(request), tenant_of(request), stored, data, merge))


async def replace_faxbox(request: web.Request) -> web.Response:
    return await _update(request, merge=False)


async def patch_faxbox(request: web.Request) -> web.Response:
    return await _update(request, merge=True)


async def delete_faxbox(request: web.Request) -> web.Response:
    stored = _load(request)
    faxboxes.delete(runtime(request), stored)
    return _respond(request, stored, _read_only={"deleted": True})
