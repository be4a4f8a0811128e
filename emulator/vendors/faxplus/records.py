"""FAX.PLUS fax records (faxplus.md §3.3, §5.3, §6): how a finished fax becomes a record.

When an outgoing fax ends, it leaves the outbox and gets a 24-hex fax id (a second id of
the same core fax, ``store.alias``); if it was retried, the last attempt gets its own id
too (the webhook's ``hook.id``, §6.2). Its cost (pages sent) comes off the account's
balance, and ``fax_sent`` goes to the account's hooks. Inbound faxes are records from the
start and fire ``fax_received``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from emulator.core.errors import Invalid, NotFound
from emulator.core.store import Fax
from emulator.vendors.faxplus import notify
from emulator.vendors.faxplus.accounts import User
from emulator.vendors.faxplus.lifecycle import CANCELLED, OUTBOX_STATUSES
from emulator.vendors.faxplus.serialise import COST_DETAILS, parse_time
from emulator.vendors.faxplus.state import FaxState, of

if TYPE_CHECKING:
    from emulator.core.services import Services
    from emulator.core.store import Tenant

CATEGORIES = ("inbox", "sent", "spam")  # FaxCategory (§4)
MAX_LIMIT = 50  # list_faxes limit is 1..50 (the SDK's parameter validator); also the default
ORDERS = ("asc", "desc")
_WHOLE = re.compile(r"[0-9]{1,9}")
SORTS: dict[str, Callable[[Fax], Any]] = {
    "date": lambda f: of(f).date,
    "from": lambda f: f.sender,
    "to": lambda f: f.to,
    "comment": lambda f: of(f).record_comment,
    "pages": lambda f: f.pages,
}


def on_transition(runtime: Services, fax: Fax, old: str | None, new: str) -> None:
    """The vendor hook: turn every fax that ends (except a deleted one) into a record."""
    if fax.terminal and new != CANCELLED and not of(fax).is_record:
        finish(runtime, fax)
        notify.notify(runtime, fax)


def _last_attempt(fax: Fax) -> tuple[float, float]:
    """(when the last transmission began, how long it took); the submit time if never sent."""
    began = next((at for at, status in reversed(fax.history) if status == "sending"), None)
    if began is None or fax.ended_at is None:
        return fax.created_at, 0.0
    return began, fax.ended_at - began


def finish(runtime: Services, fax: Fax) -> None:
    """Make an ended fax a fax record (it changes within the engine's transition)."""
    x = of(fax)
    outgoing = fax.direction == "outbound"
    if outgoing:
        record_id = runtime.ids.hex(24)
        runtime.store.alias(fax, record_id)
        attempt_id = record_id if fax.attempts <= 1 else runtime.ids.hex(24)
        if attempt_id != record_id:
            runtime.store.alias(fax, attempt_id)
        x.date, x.duration = _last_attempt(fax)
    else:
        record_id = attempt_id = fax.id
    cost = fax.pages_sent * int(COST_DETAILS["multiplier"])
    x.record_id = record_id
    x.attempt_id = attempt_id
    x.cost = cost
    x.is_read = False
    x.record_comment = x.comment_text if outgoing else ""
    x.file = f"{runtime.ids.hex(32)}.tiff"
    x.last_update = runtime.now()
    if outgoing:
        tenant = runtime.store.tenants[(fax.vendor, fax.tenant)]
        tenant.settings["balance"] = round(tenant.settings["balance"] - cost, 2)


def update(runtime: Services, fax: Fax, body: dict[str, Any]) -> None:
    """Apply a checked ``PayloadFaxModification`` (§5.3)."""
    x = of(fax)
    if "comment" in body:
        x.record_comment = body["comment"]
    if "is_read" in body:
        x.is_read = body["is_read"]
    runtime.store.changed(fax)


def is_record(fax: Fax) -> bool:
    return of(fax).is_record


def category(fax: Fax) -> str:
    if fax.direction == "outbound":
        return "sent"
    return "spam" if of(fax).is_spam else "inbox"


def _records(tenant: Tenant, user: User) -> list[Fax]:
    return [f for k, f in tenant.faxes.items() if k == f.id and of(f).is_record and of(f).uid == user.uid]


def find(tenant: Tenant, user: User, fax_id: str) -> Fax:
    """A fax record of ``user`` by its fax id (or its last attempt's id); 404 otherwise."""
    fax = tenant.faxes.get(fax_id)
    if fax is None or not _records_of(of(fax), user, fax_id):
        raise NotFound(f"no fax {fax_id}")
    return fax


def _records_of(x: FaxState, user: User, fax_id: str) -> bool:
    """Whether ``fax_id`` names the fax record ``x`` of ``user``."""
    return x.is_record and x.uid == user.uid and fax_id in (x.record_id, x.attempt_id)


def find_document(tenant: Tenant, user: User, fax_id: str) -> Fax:
    """A fax record, or a pending outbox item by its outbox id (DOC: outbox items download too)."""
    fax = tenant.faxes.get(fax_id)
    if fax is not None and fax.id == fax_id and of(fax).uid == user.uid and fax.status in OUTBOX_STATUSES:
        return fax
    return find(tenant, user, fax_id)


def _whole(query: Mapping[str, str], name: str, low: int, high: int | None, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not _WHOLE.fullmatch(raw) or int(raw) < low or (high is not None and int(raw) > high):
        span = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise Invalid(f"{name} must be a whole number {span}, not {raw!r}", field=name)
    return int(raw)


def _choice(query: Mapping[str, str], name: str, allowed: Collection[str]) -> str | None:
    value = query.get(name)
    if value is not None and value not in allowed:
        raise Invalid(f"{name} must be one of {', '.join(allowed)}, not {value!r}", field=name)
    return value


def query(tenant: Tenant, user: User, params: Mapping[str, str]) -> list[Fax]:
    """``list_faxes``: filter, sort (date, newest first, by default) and page (all checked first)."""
    wanted = _choice(params, "category", CATEGORIES)
    after = parse_time(params["after"], "after") if "after" in params else None
    before = parse_time(params["before"], "before") if "before" in params else None
    limit, offset = _whole(params, "limit", 1, MAX_LIMIT, MAX_LIMIT), _whole(params, "offset", 0, None, 0)
    sort_by = _choice(params, "sort_by", SORTS) or "date"
    descending = (_choice(params, "order", ORDERS) or "desc") == "desc"
    found = [
        f
        for f in _records(tenant, user)
        if (wanted is None or category(f) == wanted)
        and (after is None or of(f).date >= after)
        and (before is None or of(f).date < before)
    ]
    found.sort(key=SORTS[sort_by], reverse=descending)  # stable: equal keys keep their age order
    return found[offset : offset + limit]
