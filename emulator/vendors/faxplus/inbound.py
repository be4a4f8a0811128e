"""Inbound FAX.PLUS faxes (faxplus.md §6.1 step 7, §7): ``POST /_emulator/inbound``.

The fax lands in the account that owns the ``to`` number (or the named tenant, made on
first use) as a record with ``direction: incoming``, in ``inbox`` (or ``spam`` with
option ``spam: true``), and fires ``fax_received``. Option ``status`` names the final
FaxStatus (default ``success``; ``partially_received`` receives half the pages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.core.documents import letter
from emulator.core.errors import Invalid, NotFound
from emulator.core.outcomes import Outcome, Result
from emulator.core.store import Fax
from emulator.vendors.faxplus import accounts
from emulator.vendors.faxplus.lifecycle import FAX_STATUSES, MACHINE
from emulator.vendors.faxplus.serialise import digits
from emulator.vendors.faxplus.state import FaxState

if TYPE_CHECKING:
    from emulator.core.services import Services
    from emulator.core.vendor import Inbound

SETUP_SECONDS = MACHINE.dwell["sending"]


def _options(inbound: Inbound) -> tuple[bool, str]:
    spam = inbound.options.get("spam", False)
    status = inbound.options.get("status", "success")
    if not isinstance(spam, bool):
        raise Invalid("options.spam must be true or false", field="options.spam")
    if status not in FAX_STATUSES:
        raise Invalid(f"options.status must be a FAX.PLUS fax status, not {status!r}", field="options.status")
    return spam, status


def receive(runtime: Services, inbound: Inbound) -> Fax:
    """Make a fax arrive now; everything is checked before anything is stored."""
    spam, status = _options(inbound)
    to = f"+{digits(inbound.to)}" if digits(inbound.to) else inbound.to
    if inbound.tenant is not None:
        tenant = accounts.ensure(runtime, inbound.tenant)
        to = to or next(iter(accounts.numbers(tenant)), to)  # no 'to': the account's first number
        number = accounts.numbers(tenant).get(to)
        user = accounts.recipient(tenant, number) if number else accounts.main_user(tenant)
    else:
        owned = accounts.owner_of_number(runtime, to)
        if owned is None:
            raise NotFound(
                f"no FAX.PLUS account owns {to}; name the tenant, or send to a number from "
                "GET /v3/accounts/self/numbers"
            )
        tenant, number = owned
        user = accounts.recipient(tenant, number)
    now = runtime.now()
    document = inbound.document or letter(inbound.pages, inbound.sender, to, now)
    outcome = (
        Outcome.SUCCESS
        if status == "success"
        else (Outcome.PARTIAL if status.startswith("partially") else Outcome.NETWORK_ERROR)
    )
    result = Result(outcome, native=status, rule="POST /_emulator/inbound")
    duration = SETUP_SECONDS + MACHINE.per_page * result.pages(document.pages)
    fax = Fax(
        id=runtime.ids.hex(24),
        vendor=accounts.VENDOR,
        tenant=tenant.id,
        direction="inbound",
        to=to,
        sender=inbound.sender,
        status="",
        created_at=now,
        pages=document.pages,
        documents=(document,),
        attempts=1,
        result=result,
        attempt_results=(result,),
        started_at=now - duration,
        ended_at=now,
        record=FaxState(uid=user.uid, is_spam=spam, date=now - duration, duration=duration),
    )
    runtime.store.add(fax)
    runtime.engine.record(fax, status)  # the vendor hook makes it a record and fires fax_received
    return fax
