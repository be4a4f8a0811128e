"""Kazoo's webhook handlers: ``/webhooks`` (what the system offers) and
``/accounts/{A}/webhooks`` (kazoo.md §11)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.vendors.kazoo import errors, hooks, paging, serialise
from emulator.vendors.kazoo.envelope import read_data, respond, revision, runtime, tenant_of
from emulator.vendors.kazoo.hooks import AVAILABLE, SUMMARY
from emulator.vendors.kazoo.notify import HOOKS


def _load(request: web.Request) -> dict[str, Any]:
    hook_id = request.match_info["webhook_id"]
    found = tenant_of(request).collection(HOOKS).get(hook_id)
    if found is None or found.get("pvt_deleted"):
        raise errors.bad_identifier(hook_id)
    return found


def _respond(request: web.Request, stored: dict[str, Any], **extra: Any) -> web.Response:
    data = {**serialise.public(stored), "id": stored["_id"], **extra}
    return respond(request, data, revision=revision(stored["_rev"], stored["_id"]))


async def list_available(request: web.Request) -> web.Response:
    """The webhooks the system offers, for any authenticated caller (PyKazoo's
    ``get_system_webhooks``, the Kazoo UI's webhooks app)."""
    return respond(request, list(AVAILABLE), revision="automatic", page_size=len(AVAILABLE))


async def list_webhooks(request: web.Request) -> web.Response:
    hooks = [h for h in tenant_of(request).collection(HOOKS).values() if not h.get("pvt_deleted")]
    return paging.listing(request, (([h["_id"]], _row(h), h) for h in hooks))


def _row(hook: dict[str, Any]) -> dict[str, Any]:
    """The view's ``{id, hook, name, uri, group, enabled}``: ``enabled`` true when unset, undefined keys absent."""
    return {"id": hook["_id"], **{k: hook[k] for k in SUMMARY if k in hook}, "enabled": hook.get("enabled", True)}


async def create_webhook(request: web.Request) -> web.Response:
    data = await read_data(request)
    return _respond(request, hooks.create(runtime(request), tenant_of(request), data))


async def get_webhook(request: web.Request) -> web.Response:
    return _respond(request, _load(request))


async def _update(request: web.Request, merge: bool) -> web.Response:
    stored = _load(request)
    data = await read_data(request)
    return _respond(request, hooks.update(runtime(request), tenant_of(request), stored, data, merge))


async def replace_webhook(request: web.Request) -> web.Response:
    return await _update(request, merge=False)


async def patch_webhook(request: web.Request) -> web.Response:
    return await _update(request, merge=True)


async def delete_webhook(request: web.Request) -> web.Response:
    stored = _load(request)
    hooks.delete(stored)
    return _respond(request, stored, _read_only={"deleted": True})
