"""Received faxes (kazoo.md §11): ``POST /_emulator/inbound`` makes one land in an inbox.

The account is the Inbound's ``tenant`` (the account id from the auth response, or a
declared account's name), or the account of the faxbox named in ``options.faxbox_id``, or
of a faxbox whose ``caller_id`` or ``fax_identity`` is the called number. The fax is stored in the monthly database as
``YYYYMM-<id>`` with ``folder: inbox`` and the fields the receive path writes, then
``inbound_fax`` is published (webhooks and the faxbox's inbound callback).
"""

from __future__ import annotations

import dataclasses
import re
import time
from typing import Any

from emulator.core.documents import letter
from emulator.core.errors import Invalid
from emulator.core.outcomes import Outcome, Result
from emulator.core.services import Services
from emulator.core.store import Fax
from emulator.core.vendor import Inbound
from emulator.vendors.kazoo import accounts, faxboxes, jobs, lifecycle, notify, serialise
from emulator.vendors.kazoo.auth import ACCOUNT_ID, NAME
from emulator.vendors.kazoo.envelope import gregorian
from emulator.vendors.kazoo.state import FaxState

RECEIVED = "received"  # the neutral status of a received fax (Kazoo documents have none)
_DIGITS = re.compile(r"\D+")


def _same_number(a: Any, b: str) -> bool:
    return isinstance(a, str) and bool(_DIGITS.sub("", a)) and _DIGITS.sub("", a)[-10:] == _DIGITS.sub("", b)[-10:]


def _find_faxbox(rt: Services, inbound: Inbound) -> tuple[str | None, dict[str, Any] | None]:
    wanted = inbound.options.get("faxbox_id")
    for (vendor, account_id), tenant in rt.store.tenants.items():
        if vendor != NAME or (inbound.tenant is not None and account_id != inbound.tenant):
            continue
        for faxbox_id in tenant.collection(faxboxes.COLLECTION):
            box = faxboxes.find(tenant, faxbox_id)
            if box is None:
                continue
            if wanted == faxbox_id or (
                wanted is None
                and (
                    _same_number(box.get("caller_id"), inbound.to)
                    or _same_number(box.get("fax_identity"), inbound.to)
                    or not inbound.to
                )
            ):  # no 'to': the first faxbox
                return account_id, box
    return inbound.tenant, None


def receive(rt: Services, inbound: Inbound) -> Fax:
    if inbound.tenant is not None and not ACCOUNT_ID.fullmatch(inbound.tenant):
        inbound = dataclasses.replace(inbound, tenant=accounts.account_id_of(rt, inbound.tenant) or inbound.tenant)
    account_id, faxbox = _find_faxbox(rt, inbound)
    if inbound.options.get("faxbox_id") is not None and faxbox is None:
        raise Invalid(f"no Kazoo faxbox {inbound.options['faxbox_id']!r}", field="options")
    if account_id is None:
        raise Invalid(
            f"no Kazoo faxbox answers {inbound.to!r}: give the account id as 'tenant', or create a "
            "faxbox whose caller_id is that number",
            field="tenant",
        )
    if not ACCOUNT_ID.fullmatch(account_id):
        raise Invalid(
            "a Kazoo tenant is a 32-hex account id (from the auth response) or the name of a declared account",
            field="tenant",
        )
    now = rt.now()
    fax_id = f"{serialise.month_of(now)}-{rt.ids.hex(32)}"
    call_id = rt.ids.hex(32)
    to = inbound.to or str((faxbox or {}).get("caller_id") or "")
    to_number = jobs.normalize(to) or to
    fields: dict[str, Any] = {
        "name": f"fax message received at {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(now))} UTC",
        "to_number": to_number,
        "from_number": inbound.sender,
        "from_name": inbound.options.get("from_name", inbound.sender),
        "description": "fax document received",
        "source_type": "incoming_fax",
        "folder": "inbox",
        "timestamp": gregorian(now),
        "media_type": "tiff",
        "call_id": call_id,
        "cdr_doc_id": f"{serialise.month_of(now)}-{call_id}",
        "rx_result": {
            "success": True,
            "result_code": "0",
            "result_text": "OK",
            "total_pages": str(inbound.pages),
            "transferred_pages": str(inbound.pages),
            "transfer_rate": lifecycle.TRANSFER_RATE,
            "ecm_used": False,
            "time_elapsed": int(lifecycle.MACHINE.per_page * inbound.pages),
        },
    }
    if faxbox is not None:
        fields.update({k: faxbox[k] for k in ("owner_id", "notifications") if k in faxbox})
        fields["faxbox_id"] = faxbox["_id"]
        if faxbox.get("fax_timezone") is not None:  # Kazoo stores no undefined value
            fields["fax_timezone"] = faxbox["fax_timezone"]
    document = inbound.document or letter(inbound.pages, inbound.sender, to_number, now)
    fax = Fax(
        id=fax_id,
        vendor=NAME,
        tenant=account_id,
        direction="inbound",
        to=to_number,
        sender=inbound.sender,
        status="",
        created_at=now,
        pages=inbound.pages,
        documents=(document,),
        record=FaxState(doc=fields, modb_id=fax_id),
    )
    rt.tenant(NAME, account_id)
    rt.store.add(fax)
    rt.engine.record(fax, RECEIVED)
    fax.result, fax.ended_at = Result(Outcome.SUCCESS), now
    rt.store.changed(fax)
    rt.store.ended(fax)  # received whole: retention may let it go in its turn
    info = {
        "fax_success": True,
        "fax_result_code": "0",
        "fax_result_text": "OK",
        "fax_total_pages": str(fax.pages),
        "fax_transferred_pages": str(fax.pages),
        "fax_transfer_rate": lifecycle.TRANSFER_RATE,
        "fax_ecm_used": False,
        "fax_doc_id": fax_id,
        "fax_timezone": fields.get("fax_timezone"),
        "fax_doc_db": serialise.account_db(account_id, serialise.month_of(now)).replace("%2F", "/"),
    }
    notify.inbound(rt, fax, faxbox, {k: v for k, v in info.items() if v is not None})
    return fax
