"""What Kazoo sends on its own (kazoo.md §10): fax notifications to its webhooks (``hooks.py``,
the registrations) and faxbox callbacks.

When a job is final the worker publishes ``outbound_fax`` (completed) or
``outbound_fax_error`` (failed); a received fax publishes ``inbound_fax``. The webhooks
app sends the message, keys normalised to lower_snake, to every enabled ``notifications``
hook of the account whose ``custom_data.type`` matches (no custom_data: every event),
as JSON or PHP-style form data, retrying transport errors only, 2 s apart (the
``webhook_retry`` option changes that policy, the hook's ``retries`` included). The faxbox
``notifications.{outbound,inbound}.callback`` is unimplemented upstream (§10.1); the
emulator sends it the same payload, as the reference suggests.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlencode

from emulator.core.outcomes import Result
from emulator.core.services import Services
from emulator.core.store import Fax
from emulator.core.webhooks import RetryPolicy
from emulator.vendors.kazoo import faxboxes, serialise
from emulator.vendors.kazoo.auth import NAME
from emulator.vendors.kazoo.envelope import VERSION, gregorian
from emulator.vendors.kazoo.state import of

HOOKS = "webhooks"  # the tenant collection webhooks live in
EVENTS = ("inbound_fax", "outbound_fax", "outbound_fax_error")  # the notifications a fax publishes
APP_NODE = "kazoo_apps@fax-emulator.local"
CLUSTER_ID = hashlib.md5(b"fax-emulator cluster").hexdigest()
RETRY_DELAY = 2.0  # webhooks_util: 2 s between attempts
TIMEOUT = 10.0  # webhooks_util: 10 s to connect, 10 s for the answer (one bound here)
DEFAULT_RETRIES = 2  # the webhooks schema's default: attempts in all
FORM = "application/x-www-form-urlencoded"


def form_encode(payload: dict[str, Any]) -> bytes:
    """PHP-style bracket nesting: ``fax_info[fax_success]=true``, lists as ``key[]=a``."""
    pairs: list[tuple[str, str]] = []

    def walk(name: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{name}[{key}]" if name else str(key), inner)
        elif isinstance(value, list):
            for inner in value:
                walk(f"{name}[]", inner)
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        else:
            pairs.append((name, "" if value is None else str(value)))

    walk("", payload)
    return urlencode(pairs, errors="replace").encode()  # (a lone surrogate as "?", as a job's posted content)


def _compact(payload: dict[str, Any]) -> dict[str, Any]:
    """Kazoo drops empty values before publishing."""
    return {k: v for k, v in payload.items() if v not in (None, "", {}, [])}


def _send_to(fields: dict[str, Any], direction: str) -> dict[str, Any]:
    found = fields.get("notifications")
    notifications: dict[str, Any] = found if isinstance(found, dict) else {}
    within = notifications.get(direction)
    scoped: dict[str, Any] = within if isinstance(within, dict) else {}
    email = scoped.get("email") or notifications.get("email") or {}
    send_to = email.get("send_to") if isinstance(email, dict) else None
    recipients = [send_to] if isinstance(send_to, str) else [s for s in send_to or [] if isinstance(s, str)]
    return {"email": {"send_to": sorted(set(recipients))}} if recipients else {}


def _common(rt: Services, fax: Fax, event: str) -> dict[str, Any]:
    return {
        "account_id": fax.tenant,
        "app_name": "fax",
        "app_version": VERSION,
        "event_category": "notification",
        "event_name": event,
        "fax_id": serialise.modb_id(fax),
        "fax_timestamp": gregorian(rt.now()),
        "msg_id": rt.ids.hex(32),
        "node": APP_NODE,
        "server_id": f"targeted/{APP_NODE}/{rt.ids.hex(16)}",
        "system_log_id": of(fax).call_id,
    }


def outbound(rt: Services, fax: Fax, result: Result) -> None:
    """Publish ``outbound_fax`` / ``outbound_fax_error`` for a finished job."""
    fields = of(fax).doc
    event = "outbound_fax" if result.outcome.ok else "outbound_fax_error"
    payload = {
        **_common(rt, fax, event),
        "account_db": serialise.account_db(fax.tenant, serialise.month_of(fax.created_at)),
        "callee_id_name": fields.get("to_name") or fields.get("to_number"),
        "callee_id_number": fields.get("to_number"),
        "caller_id_name": fields.get("from_name"),
        "caller_id_number": fields.get("from_number"),
        "fax_jobid": serialise.modb_id(fax),
        "fax_info": serialise.fax_info(fax, result),
        "fax_notifications": _send_to(fields, "outbound"),
        "fax_timezone": fields.get("fax_timezone"),
        "faxbox_id": fields.get("faxbox_id"),
        "call_id": of(fax).call_id,
    }
    tx_result = of(fax).tx_result  # written by the worker when the attempt ended (jobs.on_transition)
    if not result.outcome.ok and tx_result is not None:
        payload["fax_error"] = tx_result["result_text"]
    _publish(rt, fax, event, _compact(payload), "outbound")


def inbound(rt: Services, fax: Fax, faxbox: dict[str, Any] | None, info: dict[str, Any]) -> None:
    """Publish ``inbound_fax`` for a received fax."""
    fields = of(fax).doc
    payload = {
        **_common(rt, fax, "inbound_fax"),
        "call_id": fields.get("call_id"),
        "callee_id_name": fields.get("to_number"),
        "callee_id_number": fields.get("to_number"),
        "caller_id_name": fields.get("from_name") or fields.get("from_number"),
        "caller_id_number": fields.get("from_number"),
        "fax_info": info,
        "fax_notifications": _send_to(fields, "inbound"),
        "faxbox_id": fields.get("faxbox_id"),
        "owner_id": fields.get("owner_id"),
        "from_user": fields.get("from_number"),
        "from_realm": "fax.kazoo.io",
        "to_user": fields.get("to_number"),
        "to_realm": "fax.kazoo.io",
    }
    _publish(rt, fax, "inbound_fax", _compact(payload), "inbound", faxbox)


def _publish(
    rt: Services, fax: Fax, event: str, payload: dict[str, Any], direction: str, faxbox: dict[str, Any] | None = None
) -> None:
    tenant = rt.tenant(NAME, fax.tenant)
    for hook in tenant.collection(HOOKS).values():
        if _matches(hook, event):
            _fire_hook(rt, fax, event, payload, hook)
    if faxbox is None:
        faxbox = faxboxes.find(tenant, of(fax).doc.get("faxbox_id"))
    callback = _callback(faxbox, direction)
    if callback is not None:
        _deliver(
            rt,
            fax,
            event,
            {**payload, "cluster_id": CLUSTER_ID},
            url=callback["url"],
            verb=callback.get("method", "post"),
            form=callback.get("type", "json") == "www-url-form-encoded",
            headers={},
            attempts=DEFAULT_RETRIES,
        )


def _matches(hook: dict[str, Any], event: str) -> bool:
    if hook.get("pvt_deleted") or not hook.get("enabled", True) or hook.get("hook") != "notifications":
        return False
    custom = hook.get("custom_data")
    return custom is None or (isinstance(custom, dict) and custom.get("type") in (event, "all"))


def _callback(faxbox: dict[str, Any] | None, direction: str) -> dict[str, Any] | None:
    try:
        callback = faxbox["notifications"][direction]["callback"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    return callback if isinstance(callback, dict) and isinstance(callback.get("url"), str) else None


def _fire_hook(rt: Services, fax: Fax, event: str, payload: dict[str, Any], hook: dict[str, Any]) -> None:
    custom = {k: v for k, v in (hook.get("custom_data") or {}).items() if k not in ("type", "action")}
    body = {**payload, "cluster_id": CLUSTER_ID, **custom}
    _deliver(
        rt,
        fax,
        event,
        body,
        url=hook["uri"],
        verb=hook.get("http_verb", "post"),
        form=hook.get("format", "form-data") == "form-data",
        headers={"X-Hook-ID": hook["_id"], "X-Account-ID": fax.tenant},
        attempts=max(1, hook.get("retries", DEFAULT_RETRIES)),
    )


def _deliver(
    rt: Services,
    fax: Fax,
    event: str,
    body: dict[str, Any],
    *,
    url: str,
    verb: str,
    form: bool,
    headers: dict[str, str],
    attempts: int,
) -> None:
    verb = verb.upper()
    success = frozenset({200, 201}) if verb == "PUT" else frozenset({200})
    policy = RetryPolicy(
        attempts=attempts, delay=RETRY_DELAY, factor=1.0, retry_5xx=False, timeout=TIMEOUT, success=success
    ).but(rt.options[NAME]["webhook_retry"])
    if verb == "GET":
        url = f"{url}{'&' if '?' in url else '?'}{form_encode(body).decode()}"
        data, content_type = b"", FORM
    elif form:
        data, content_type = form_encode(body), FORM
    else:
        data, content_type = json.dumps(body, indent=2).encode(), "application/json"
    rt.dispatcher.deliver(
        vendor=NAME,
        tenant=fax.tenant,
        event=event,
        url=url,
        body=data,
        content_type=content_type,
        method=verb,
        headers=headers,
        policy=policy,
        fax_id=fax.id,
        schema=f"notification-{event}",
    )
