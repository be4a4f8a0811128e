"""Core objects -> FAX.PLUS JSON (faxplus.md §5), and the one timestamp format (§2).

Every time is UTC ``YYYY-MM-DD HH:mm:ss``; the outbox ``send_time``/``submit_time`` carry
`` +0000`` as the reference's examples do. Required keys of the SDK models are never null.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from emulator.core.answers import json_bytes, json_loads
from emulator.core.cache import Cache
from emulator.core.errors import Invalid
from emulator.core.store import Fax
from emulator.vendors.faxplus.accounts import Number, User
from emulator.vendors.faxplus.lifecycle import OUTBOX_STATUSES, describe
from emulator.vendors.faxplus.state import of

_FORMAT = "%Y-%m-%d %H:%M:%S"
_ZONED = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})(?: ([+-])([0-9]{2})([0-9]{2}))?")
_NON_DIGITS = re.compile(r"[^0-9]+")
COST_DETAILS = {"multiplier": 1.0, "notification_cost": 0.0}


def timestamp(when: float | None, zone: bool = False) -> str | None:
    """The FAX.PLUS time format; `` +0000`` appended where the reference shows it."""
    if when is None:
        return None
    return f"{_plain(when)} +0000" if zone else _plain(when)


def _plain(when: float) -> str:
    # not remembered: the hot read's times are in its outbox item, made once per change of
    # the fax (``outbox``)
    return datetime.fromtimestamp(when, UTC).strftime(_FORMAT)


def parse_time(text: str, field: str) -> float:
    """``YYYY-MM-DD HH:mm:ss`` with an optional ``+HHMM``/``-HHMM`` offset -> POSIX seconds."""
    match = _ZONED.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise Invalid(f"{field} must look like YYYY-MM-DD HH:mm:ss +HHMM, not {text!r}", field=field)
    try:
        when = datetime.strptime(match.group(1), _FORMAT).replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise Invalid(f"{field} is not a real date and time: {text!r}", field=field) from None
    if match.group(2):
        offset = int(match.group(3)) * 3600 + int(match.group(4)) * 60
        when -= offset if match.group(2) == "+" else -offset
    return when


def digits(number: str) -> str:
    return _NON_DIGITS.sub("", number)


def file_name(fax: Fax) -> str:
    """``fax-to-<digits>`` for an outgoing fax, ``fax-from-<digits>`` for an incoming one (§5.3, §7)."""
    if fax.direction == "outbound":
        return f"fax-to-{digits(fax.to)}"
    return f"fax-from-{digits(fax.sender)}"


# -- outbox (§5.2) -------------------------------------------------------------------


#: outbox statuses before conversion has counted the pages
_UNCONVERTED = frozenset(OUTBOX_STATUSES[:2])
_IN_OUTBOX = frozenset(OUTBOX_STATUSES)


def outbox(cache: Cache, fax: Fax) -> bytes:
    """The outbox item as JSON text, to answer as it is or put in an answer (``orjson.Fragment``).

    It changes only when the fax does (it moves, or its comment is edited), so it is
    serialised once per version of the fax and kept in the runtime's ``cache``: the outbox
    item is the hot read of FAX.PLUS, and serialising it was most of that read's cost.
    """
    return cache.view(fax, "faxplus.outbox", _outbox_json)


def _outbox_json(fax: Fax, options: object) -> bytes:
    plain = _plain  # its times are never None
    history = fax.history
    body = _fixed_outbox_fields(fax)
    converted = fax.status not in _UNCONVERTED
    body.update(
        {
            "status": fax.status,
            "last_updated_status_time": plain(history[-1][0]),
            "page_count": fax.pages if converted else 0,
            "status_changes": [{"at": plain(at), "status": s} for at, s in history if s in _IN_OUTBOX],
        }
    )
    if converted:  # the converter records what it made of the files (the DOC example at submitted: [])
        at = next(t for t, s in history if s not in _UNCONVERTED)
        body["file_changes"] = [{"at": timestamp(at), "files": of(fax).file_changes}]
    return json_bytes(body)


def _fixed_outbox_fields(fax: Fax) -> dict[str, Any]:
    """The outbox item's fields that do not change as the fax moves (§5.2)."""
    x = of(fax)
    options = x.options
    body: dict[str, Any] = {
        "id": fax.id,
        "uid": x.uid,
        "comment": x.comment,
        "contact_name": "",
        "designated_src": "",  # as in the DOC example: the API's send names no designated source
        "extra_info": {},
        "file_changes": [],  # filled once converted (see _outbox_json)
        "files": x.files,
        "initiated_from": {"from_id": "", "type": ""},
        "ip": x.ip,
        "options": x.given_options,  # what the request gave (the DOC example of a minimal send: {})
        "retry": options["retry"],
        "send_time": timestamp(x.send_time, zone=True),
        "should_enhance": options["enhancement"],
        "src": x.src,
        "submit_time": timestamp(fax.created_at, zone=True),
        "to": [fax.to],
    }
    if x.cover_page is not None:
        body["cover_page"] = x.cover_page
    return body


# -- fax records (§5.3) ------------------------------------------------------------


def fax_record(fax: Fax) -> dict[str, Any]:
    x = of(fax)
    outgoing = fax.direction == "outbound"
    body: dict[str, Any] = {
        "id": x.record_id,
        "comment": x.record_comment,
        "cost": x.cost,
        "cost_details": dict(COST_DETAILS),
        "description": describe(fax.status),
        "direction": "outgoing" if outgoing else "incoming",
        "duration": int(x.duration),
        "file": x.file,
        "file_name": file_name(fax),
        "from": fax.sender,
        "from_number": fax.sender,  # DOC's spelling of the same key (§12)
        "header": None,
        "is_read": x.is_read,
        "is_spam": x.is_spam,
        "last_update": timestamp(x.last_update),
        "max_retry": x.options["retry"]["count"] if outgoing else None,
        "owner_id": x.uid,
        "pages": fax.pages,
        "retry_delay": x.options["retry"]["delay"] if outgoing else None,
        "scheduled_time": timestamp(x.scheduled),
        "start_time": timestamp(x.date),
        "status": fax.status,
        "submit_time": timestamp(fax.created_at) if outgoing else None,
        "to": fax.to,
    }
    if outgoing and x.cover_page is not None:
        body["cover_page"] = x.cover_page
    return body


def view(runtime: Any, fax: Fax) -> dict[str, Any]:
    """The control API's vendor view: the outbox item while pending, then the fax record."""
    if of(fax).is_record:
        return {"fax": fax_record(fax)}
    if fax.status in OUTBOX_STATUSES:
        # json_loads: a comment holding a lone surrogate (a JSON escape) is written as its escape,
        # which orjson alone refuses to read (the control API's fax list was a 500)
        return {"outbox": json_loads(outbox(runtime.cache, fax))}
    return {"deleted": True, "outbox_id": fax.id}


# -- accounts and numbers (§5.5, §5.6) ---------------------------------------------


def account(user: User) -> dict[str, Any]:
    return {
        "uid": user.uid,
        "account_type": user.account_type,
        "creation_date": timestamp(user.created_at),
        "email": user.email,
        "name": user.name,
        "lastname": user.lastname,
        "phone": user.phone,
        "profile_image": user.profile_image,
        "status": user.status,
        "member_of": list(user.member_of),
        "last_password_modification_date": timestamp(user.created_at),
        "account_data": user.account_data,
        "notifications": user.notifications,
        "settings": user.settings,
    }


def member_detail(user: User) -> dict[str, Any]:
    return {"quota": user.quota, "role": user.role}


def number(found: Number) -> dict[str, Any]:
    return {
        "id": found.id,
        "number": found.number,
        "owner_id": found.owner_id,
        "assigned_to": list(found.assigned_to),
        "acquired_date": timestamp(found.acquired_at),
        "expiration_date": timestamp(found.expires_at),
        "is_canceled": found.is_canceled,
        "status": "active",
        "notifications": [{"type": "fax", "email": True, "push_notification": True}],
    }


def hook(hook_id: str, registration: dict[str, str]) -> dict[str, str]:
    return {"id": hook_id, "target": registration["target"], "event": registration["event"]}
