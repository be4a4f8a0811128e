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

#: the notification types the ``notifications`` hook takes (kapi_notifications definitions, as
#: Kazoo's own webhooks_notifications-samples.json names them)
NOTIFICATION_TYPES = (
    "account_zone_change",
    "bill_reminder",
    "cf_notification",
    "cnam_request",
    "customer_update",
    "denied_emergency_bridge",
    "deregister",
    "first_occurrence",
    "inbound_fax",
    "inbound_fax_error",
    "low_balance",
    "missed_call",
    "new_account",
    "new_user",
    "outbound_fax",
    "outbound_fax_error",
    "outbound_smtp_fax_error",
    "password_recovery",
    "port_cancel",
    "port_comment",
    "port_pending",
    "port_rejected",
    "port_request",
    "port_scheduled",
    "port_unconfirmed",
    "ported",
    "register",
    "service_added",
    "system_alert",
    "topup",
    "transaction",
    "voicemail_full",
    "voicemail_new",
    "voicemail_saved",
    "webhook",
    "webhook_disabled",
)


def _hook(name: str, description: str, **modifiers: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"description": description, "id": name}
    if modifiers:
        meta["modifiers"] = modifiers
    return {**meta, "name": name}


def _array(description: str, items: Any) -> dict[str, Any]:
    return {"description": description, "items": items, "type": "array"}


#: ``GET /v2/webhooks``: each installed hook module's metadata (cb_webhooks summary_available:
#: the public fields of its meta document, ``id`` = its name), in the order of Crossbar's own
#: example (webhooks.md "Fetch"); texts from that example and webhooks_notifications.erl
AVAILABLE = (
    _hook("channel_destroy", "Events when calls end"),
    _hook("channel_create", "Events when new calls start"),
    _hook("channel_answer", "Events for when the channel is answered by the endpoint"),
    _hook(
        "notifications",
        "Receive notifications as webhooks",
        type=_array("A list of notification types to handle", list(NOTIFICATION_TYPES)),
    ),
    _hook(
        "object",
        "Receive notifications when objects in Kazoo are changed",
        action=_array("A list of object actions to handle", ["doc_created", "doc_edited", "doc_deleted"]),
        type=_array(
            "A list of object types to handle", ["account", "callflow", "device", "faxbox", "media", "user", "vmbox"]
        ),
        types=_array("A list of object types to handle", {"type": "string"}),
    ),
)


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
    fields = (
        {k: v for k, v in data.items() if not k.startswith(("_", "pvt_")) and k != "id"}
        if isinstance(data, dict)
        else data
    )
    return validation.validate("webhooks", fields, extra)


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
    return {"id": hook["_id"], **{k: hook[k] for k in _SUMMARY if k in hook}, "enabled": hook.get("enabled", True)}


async def create_webhook(request: web.Request) -> web.Response:
    rt = runtime(request)
    doc = _validate(await read_data(request))
    now = gregorian(rt.now())
    hook_id = rt.ids.hex(32)
    doc.update(
        {
            "_id": hook_id,
            "_rev": 1,
            "pvt_type": "webhook",
            "pvt_created": now,
            "pvt_modified": now,
            "pvt_account_id": request.match_info["account_id"],
        }
    )
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
