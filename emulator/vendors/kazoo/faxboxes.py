"""Kazoo faxboxes: ``/v2/accounts/{A}/faxboxes[/{F}]`` (kazoo.md §6).

Documents are validated with Kazoo's ``faxbox`` schema (defaults injected), stored with
Crossbar's private fields, shown as public fields + ``id`` + ``smtp_email_address``, and
soft-deleted. PUT creates, POST replaces, PATCH merges and then validates the result.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.core.services import Services
from emulator.core.store import Tenant
from emulator.vendors.kazoo import serialise, validation
from emulator.vendors.kazoo.auth import NAME, RESELLER_ID
from emulator.vendors.kazoo.envelope import gregorian

COLLECTION = "faxboxes"
SMTP_DOMAIN = "fax.kazoo.io"  # fax.default_smtp_domain
_SERVER_FIELDS = ("id", "smtp_email_address")  # shown by the server, never taken from a request


def find(tenant: Tenant, faxbox_id: str | None) -> dict[str, Any] | None:
    """A live (not deleted) faxbox of the tenant, or None."""
    found = tenant.collection(COLLECTION).get(faxbox_id) if faxbox_id else None
    return found if found is not None and not found.get("pvt_deleted") else None


def shown(stored: dict[str, Any]) -> dict[str, Any]:
    """Public fields + ``id`` + ``smtp_email_address`` (Crossbar's "leaked" private field)."""
    return {**serialise.public(stored), "id": stored["_id"], "smtp_email_address": stored["pvt_smtp_email_address"]}


def _request_fields(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    return {k: v for k, v in data.items() if not k.startswith(("_", "pvt_")) and k not in _SERVER_FIELDS}


def _email_taken(rt: Services, email: str, own_id: str | None) -> bool:
    wanted = email.lower()
    for (vendor, _), tenant in rt.store.tenants.items():
        if vendor != NAME:
            continue
        for faxbox_id, box in tenant.collection(COLLECTION).items():
            if faxbox_id == own_id or box.get("pvt_deleted"):
                continue
            addresses = (box.get("custom_smtp_email_address"), box.get("pvt_smtp_email_address"))
            if any(isinstance(a, str) and a.lower() == wanted for a in addresses):
                return True
    return False


def _validate(rt: Services, data: Any, own_id: str | None) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    email = data.get("custom_smtp_email_address") if isinstance(data, dict) else None
    if isinstance(email, str) and _email_taken(rt, email, own_id):
        extra["custom_smtp_email_address"] = {"unique": {"message": "email address must be unique", "cause": email}}
    return validation.validate("faxbox", data, extra)


def _as_checked(sent: Any, checked: Any) -> Any:
    """The keys ``sent``, each with its value as validation left it (``"3"`` or 3.0 coerced to
    3), without the defaults validation added to keys not sent."""
    if isinstance(sent, dict) and isinstance(checked, dict):
        return {key: _as_checked(value, checked.get(key, value)) for key, value in sent.items()}
    return checked


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for k, v in patch.items():
        merged[k] = _merge(merged[k], v) if isinstance(v, dict) and isinstance(merged.get(k), dict) else v
    return merged


def create(rt: Services, tenant: Tenant, data: Any) -> dict[str, Any]:
    """A new faxbox of ``tenant`` from a request's ``data`` (checked first), stored."""
    doc = _validate(rt, _request_fields(data), None)
    now = gregorian(rt.now())
    faxbox_id = rt.ids.hex(32)
    doc.update(
        {
            "_id": faxbox_id,
            "_rev": 1,
            "pvt_type": "faxbox",
            "pvt_account_id": tenant.id,
            "pvt_account_db": serialise.account_db(tenant.id),
            "pvt_reseller_id": RESELLER_ID,
            "pvt_created": now,
            "pvt_modified": now,
            "pvt_vsn": "1",
            "pvt_smtp_email_address": f"{rt.ids.hex(8)}.{SMTP_DOMAIN}",
        }
    )
    tenant.collection(COLLECTION)[faxbox_id] = doc
    return doc


def update(rt: Services, tenant: Tenant, stored: dict[str, Any], data: Any, merge: bool) -> dict[str, Any]:
    """POST replaces the faxbox with the validated body. PATCH, as Kazoo 4.3's cb_faxboxes
    does it (``validate_patch(update_faxbox(...))``): the patch is validated on its own, as a
    whole faxbox (so it must carry ``name``), then the patch's keys, their values as validation
    coerced them, are merged onto the stored document, so the schema's defaults do not
    overwrite stored values."""
    data = _request_fields(data)
    doc = _validate(rt, data, stored["_id"])
    if merge:
        doc = _merge(serialise.public(stored), _as_checked(data, doc))
    doc.update({k: v for k, v in stored.items() if k.startswith(("_", "pvt_"))})
    doc["_rev"] = stored["_rev"] + 1
    doc["pvt_modified"] = gregorian(rt.now())
    tenant.collection(COLLECTION)[stored["_id"]] = doc
    return doc


def delete(rt: Services, stored: dict[str, Any]) -> None:
    """Mark a faxbox deleted (Crossbar keeps the document, soft-deleted)."""
    stored.update({"pvt_deleted": True, "_rev": stored["_rev"] + 1, "pvt_modified": gregorian(rt.now())})
