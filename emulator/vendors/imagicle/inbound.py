"""Inbound faxes (imagicle.md §9, §10, §3): ``POST /_emulator/inbound`` makes one arrive.

The fax belongs to the user named by ``tenant``; without one, to the declared user whose
personal fax number is the dialled number and who may receive, else to the
``catch_all_user`` option; with none of these the call is rejected (409). It is
``InProgress`` while received (call set-up plus a time per page), then ``Completed``, or
``Failed`` when ``options.status`` says so. Its id is ``<server>_4<14 hex>_0``: the top
14 hex digits of the Windows FILETIME at which reception started, as in the vendor's
example. ``options`` may also give ``subject`` and ``senderName``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from emulator.core.documents import letter
from emulator.core.errors import Conflict, Invalid
from emulator.core.outcomes import Outcome, Result
from emulator.core.store import Fax
from emulator.core.vendor import Inbound
from emulator.vendors.imagicle import auth, lifecycle, options
from emulator.vendors.imagicle.state import FaxState

if TYPE_CHECKING:
    from emulator.core.services import Services

NAME = "imagicle"
FILETIME_EPOCH = 11_644_473_600  # seconds from 1601-01-01 to 1970-01-01
_OPTION_KEYS = {"subject", "senderName", "status"}
_ENDS = {lifecycle.COMPLETED: Result(Outcome.SUCCESS), lifecycle.FAILED: Result(Outcome.INTERNAL_ERROR)}
_NON_DIGITS = re.compile(r"\D+")


def _extras(given: dict[str, Any]) -> dict[str, Any]:
    unknown = set(given) - _OPTION_KEYS
    if unknown:
        raise Invalid(
            f"unknown Imagicle inbound options {sorted(unknown)}; expected {sorted(_OPTION_KEYS)}", field="options"
        )
    for key in ("subject", "senderName"):
        if not isinstance(given.get(key, ""), str | None):
            raise Invalid(f"options.{key} must be a string", field="options")
    status = given.get("status", lifecycle.COMPLETED)
    if status not in _ENDS:
        raise Invalid(f"options.status must be one of {sorted(_ENDS)}", field="options")
    return {"subject": given.get("subject"), "sender_name": given.get("senderName") or "", "status": status}


def _owner(runtime: Services, inbound: Inbound) -> dict[str, Any] | str:
    """The receiving user: a declared account, or a name (auto users, catch-all)."""
    declared = bool(runtime.accounts.get(NAME))
    if inbound.tenant is not None:
        account = auth.declared(runtime, inbound.tenant) if declared else None
        if declared and account is None:
            raise Invalid(f"there is no declared Imagicle user {inbound.tenant!r}", field="tenant")
        return account or inbound.tenant
    dialled = _NON_DIGITS.sub("", inbound.to)
    for account in runtime.accounts.get(NAME, ()):
        number = account["faxNumber"]
        if number and account["receive"] and _NON_DIGITS.sub("", number) == dialled:
            return account
    catch_all = options.of(runtime)["catch_all_user"]
    if catch_all is None:
        raise Conflict(
            f"no Imagicle user receives faxes to {inbound.to} and there is no catch-all user: the call is rejected"
        )
    return auth.declared(runtime, catch_all) or catch_all


def _fax_id(runtime: Services, server: str, now: float) -> str:
    filetime = int((now + FILETIME_EPOCH) * 10_000_000) >> 4  # the top 14 of 15 hex digits
    while True:
        fax_id = f"{server}_4{filetime:014x}_0"
        if runtime.store.get(fax_id) is None:
            return fax_id
        filetime += 1  # two faxes in the same 1.6 us: the next free value


def receive(runtime: Services, inbound: Inbound) -> Fax:
    """Make the fax arrive; it ends on the clock like a real reception."""
    extras = _extras(inbound.options)
    owner = _owner(runtime, inbound)
    account = owner if isinstance(owner, dict) else None
    user = account["name"] if account else str(owner)
    server, now = options.of(runtime)["server_name"], runtime.now()
    document = inbound.document or letter(inbound.pages, inbound.sender, inbound.to, now)
    fax = Fax(
        id=_fax_id(runtime, server, now),
        vendor=NAME,
        tenant=user,
        direction="inbound",
        to=inbound.to or (account["faxNumber"] if account and account["faxNumber"] else ""),  # no 'to': theirs
        sender=inbound.sender,
        status="",
        created_at=now,
        pages=document.pages,
        documents=(document,),
        started_at=now,
        record=FaxState(
            server=server,
            size=document.size,
            subject=extras["subject"],
            sender_name=extras["sender_name"],
            email=account["email"] if account else None,
        ),
    )
    runtime.tenant(NAME, user)
    runtime.store.add(fax)
    runtime.engine.record(fax, lifecycle.IN_PROGRESS)
    machine = lifecycle.MACHINE
    duration = machine.dwell[lifecycle.IN_PROGRESS] + machine.per_page * fax.pages
    runtime.engine.schedule(fax, now + duration, _received, runtime, fax, extras["status"])
    return fax


def _received(runtime: Services, fax: Fax, status: str) -> None:
    runtime.engine.finish(fax, status, _ENDS[status])
