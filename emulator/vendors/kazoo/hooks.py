"""Kazoo's webhooks API: ``/v2/accounts/{A}/webhooks[/{W}]`` (kazoo.md §10.3).

Documents are validated with Kazoo's ``webhooks`` schema (defaults injected). Any hook
name is stored; only ``notifications`` hooks fire, for the fax events (``notify.py``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from emulator.vendors.kazoo import errors, paging, serialise, validation
from emulator.vendors.kazoo.envelope import gregorian, read_data, respond, revision, runtime, tenant_of
from emulator.vendors.kazoo.notify import HOOKS

#: a listing row is the ``webhooks/crossbar_listing`` view value (webhooksdb-webhooks.json)
_SUMMARY = ("hook", "name", "uri", "group")


def _load(request: web.Request) -> dict[str, Any]:
    hook_id = request.match_info["webhook_id"]
    found = tenant_of(request).collection(HOOKS).get(hook_id)
    if found is None or found.get("pvt_deleted"):
        raise errors.bad_identifier(hook_id)
    return found


def _validate(data: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    uri = data.get("uri") if isinstance(data, dict) else None
    if isinstance(uri, str):
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            extra["uri"] = {"invalid": {"message": "invalid uri", "value": uri}}
    fields = {k: v for k, v in data.items() if not k.startswith(("_", "pvt_")) and k != "id"} \
        if isinstance(data, dict) else data
    return validation.validate("webhooks", fields, extra)


def _respond(request: web.Request, stored: dict[str, Any], **extra: Any) -> web.Response:
    data = {**serialise.public(stored), "id": stored["_id"], **extra}
    return respond(request, data, revision=revision(stored["_rev"], stored["_id"]))


async def list_webhooks(request: web.Request) -> web.Response:
    hooks = [h for h in tenant_of(request).collection(HOOKS).values() if not h.get("pvt_deleted")]
    return paging.listing(request, (([h["_id"]], _row(h)) for h in hooks))


def _row(hook: dict[str, Any]) -> dict[str, Any]:
    """The view's ``{id, hook, name, uri, group, enabled}``: ``enabled`` true when unset, undefined keys absent."""
    return {"id": hook["_id"], **{k: hook[k] for k in _SUMMARY if k in hook}, "enabled": hook.get("enabled", True)}


async def create_webhook(request: web.Request) -> web.Response:
    rt = runtime(request)
    doc = _validate(await read_data(request))
    now = gregorian(rt.now())
    hook_id = rt.ids.hex(32)
    doc.update({"_id": hook_id, "_rev": 1, "pvt_type": "webhook", "pvt_created": now, "pvt_modified": now,
                "pvt_account_id": request.match_info["account_id"]})
    tenant_of(request).collection(HOOKS)[hook_id] = doc
    return _respond(request, doc)


async def get_webhook(request: web.Request) -> web.Response:
    return _respond(request, _load(request))


async def _update(request: web.Request, merge: bool) -> web.Response:
    stored = _load(request)
    data = await read_data(request)
    if merge and isinstance(data, dict):
        data = {**serialise.public(stored), **data}
    doc = _validate(data)
    doc.update({k: v for k, v in stored.items() if k.startswith(("_", "pvt_"))})
    doc.update({"_rev": stored["_rev"] + 1, "pvt_modified": gregorian(runtime(request).now())})
    tenant_of(request).collection(HOOKS)[stored["_id"]] = doc
    return _respond(request, doc)


async def replace_webhook(request: web.Request) -> web.Response:
    return await _update(request, merge=False)


async def patch_webhook(request: web.Request) -> web.Response:
    return await _update(request, merge=True)


async def delete_webhook(request: web.Request) -> web.Response:
    stored = _load(request)
    stored.update({"pvt_deleted": True, "_rev": stored["_rev"] + 1})
    return _respond(request, stored, _read_only={"deleted": True})
