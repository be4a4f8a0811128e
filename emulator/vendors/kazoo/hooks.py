"""Kazoo's webhooks API: ``/v2/accounts/{A}/webhooks[/{W}]`` (kazoo.md §10.3).

Documents are validated with Kazoo's ``webhooks`` schema (defaults injected). Any hook
name is stored; only ``notifications`` hooks fire, for the fax events (``notify.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from emulator.vendors.kazoo import serialise, validation
from emulator.vendors.kazoo.envelope import gregorian
from emulator.vendors.kazoo.notify import HOOKS

if TYPE_CHECKING:
    from emulator.core.services import Services
    from emulator.core.store import Tenant

#: a listing row is the ``webhooks/crossbar_listing`` view value (webhooksdb-webhooks.json)
SUMMARY = ("hook", "name", "uri", "group")

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


def create(rt: Services, tenant: Tenant, data: Any) -> dict[str, Any]:
    """A new webhook of ``tenant`` from a request's ``data`` (checked first), stored."""
    doc = _validate(data)
    now = gregorian(rt.now())
    hook_id = rt.ids.hex(32)
    doc.update(
        {
            "_id": hook_id,
            "_rev": 1,
            "pvt_type": "webhook",
            "pvt_created": now,
            "pvt_modified": now,
            "pvt_account_id": tenant.id,
        }
    )
    tenant.collection(HOOKS)[hook_id] = doc
    return doc


def update(rt: Services, tenant: Tenant, stored: dict[str, Any], data: Any, merge: bool) -> dict[str, Any]:
    """POST replaces the webhook with the validated body; PATCH validates the stored one with
    the patch's keys over it."""
    if merge and isinstance(data, dict):
        data = {**serialise.public(stored), **data}
    doc = _validate(data)
    doc.update({k: v for k, v in stored.items() if k.startswith(("_", "pvt_"))})
    doc.update({"_rev": stored["_rev"] + 1, "pvt_modified": gregorian(rt.now())})
    tenant.collection(HOOKS)[stored["_id"]] = doc
    return doc


def delete(stored: dict[str, Any]) -> None:
    """Mark a webhook deleted (soft-deleted, as Crossbar does)."""
    stored.update({"pvt_deleted": True, "_rev": stored["_rev"] + 1})
