"""Imagicle JSON bodies (imagicle.md §5-§9): WCF style, ``__type`` first, then the members
as .NET's DataContractSerializer writes them (the base class's in ordinal order, then the
subclass's in ordinal order), nulls present, DateTime text from ``times.py``.

The envelopes that the vendor's documents contradict are options (D5, D6): the detail
wrapper (``detail_envelope``) and the list keys (``outbound_list_key``, ``inbound_list_key``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from emulator.core.answers import json_bytes, json_loads
from emulator.core.store import Fax
from emulator.vendors.imagicle import lifecycle, options
from emulator.vendors.imagicle.state import of
from emulator.vendors.imagicle.times import format_time

if TYPE_CHECKING:
    from emulator.core.services import Services

OUTBOUND = "OutboundFax:StoneFax.Faxes"
OUTBOUND_ITEM = "LessInfoOutboundFax:StoneFax.Faxes"
INBOUND = "InboundFax:StoneFax.Faxes"
INBOUND_ITEM = "LessInfoInboundFax:StoneFax.Faxes"


def _wcf(type_hint: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``__type`` first, then the members in the order DataContractSerializer writes them:
    the base class's members in ordinal order, then the derived class's, in ordinal order.
    The vendor's own examples show it: the outbound detail (KB 413) lists ``detailedStatus``
    to ``username``, then ``Q931Code``, ``failureReason``, ``subject``, ``submitTime``; the
    inbound one (KB 803) has ``serverName`` right after ``recipient``, so ``sender`` is the
    subclass's. Each record below lists its members in that order (tests/vendors/imagicle/
    test_schemas.py checks every record type), so nothing is sorted per request."""
    return {"__type": type_hint, **fields}


def _party(name: str, fax_number: str) -> dict[str, str]:
    return {"faxNumber": fax_number, "name": name}


def _base(fax: Fax, zone: str, recipient_name: str, recipient_number: str) -> dict[str, Any]:
    """The members of the detail records' base class, in ordinal order."""
    return {
        "detailedStatus": lifecycle.detailed_status(fax),
        "endTime": format_time(fax.ended_at, zone),
        "faxId": fax.id,
        "numberOfPages": fax.pages,
        "recipient": _party(recipient_name, recipient_number),
        "serverName": of(fax).server,
        "size": of(fax).size,
        "startTime": format_time(fax.started_at, zone),
        "status": fax.status,
        "username": fax.tenant,
    }


def submitted(faxes: Iterable[Fax]) -> dict[str, Any]:
    return {"ids": [fax.id for fax in faxes]}


def outbound(fax: Fax, zone: str) -> dict[str, Any]:
    """The OutboundFax record (§6)."""
    return _wcf(
        OUTBOUND,
        {
            **_base(fax, zone, of(fax).recipient_name, fax.to),
            "Q931Code": lifecycle.q931_code(fax),
            "failureReason": lifecycle.failure_reason(fax),
            "subject": of(fax).subject,
            "submitTime": format_time(fax.created_at, zone),
        },
    )


def outbound_item(fax: Fax, zone: str) -> dict[str, Any]:
    """One LessInfoOutboundFax of the outbound list (§7)."""
    return _wcf(
        OUTBOUND_ITEM,
        {
            "date": format_time(fax.created_at, zone),
            "faxId": fax.id,
            "recipient": _party(of(fax).recipient_name, fax.to),
            "status": fax.status,
            "subject": of(fax).subject,
            "username": fax.tenant,
        },
    )


def inbound(fax: Fax, zone: str) -> dict[str, Any]:
    """The InboundFax record (§9)."""
    return _wcf(
        INBOUND,
        {
            **_base(fax, zone, fax.tenant, fax.to),
            "sender": _party(of(fax).sender_name, fax.sender),
            "subject": of(fax).subject,
            "submitTime": format_time(fax.created_at, zone),
        },
    )


def inbound_item(fax: Fax, zone: str) -> dict[str, Any]:
    """One LessInfoInboundFax of the inbound list (§8); ``date`` is when reception started."""
    return _wcf(
        INBOUND_ITEM,
        {
            "date": format_time(fax.started_at, zone),
            "faxId": fax.id,
            "recipient": _party(fax.tenant, fax.to),
            "sender": _party(of(fax).sender_name, fax.sender),
            "status": fax.status,
            "username": fax.tenant,
        },
    )


def _wrapped(direction: str, opts: dict[str, Any]) -> bool:
    envelope = opts["detail_envelope"]
    return envelope == "wrapped" or (envelope == "documented" and direction == "inbound")


def detail(runtime: Services, fax: Fax) -> bytes:
    """The body of ``GET Faxes/{Outbound|Inbound}/{id}``, in the configured envelope, as JSON text.

    A polled fax is read far more often than it changes: it is serialised once per version
    of the fax (and timezone and envelope option) and kept in the runtime's cache.
    """
    opts = options.of(runtime)
    shown = (opts["timezone"], _wrapped(fax.direction, opts))
    return runtime.cache.view(fax, "imagicle.detail", _detail_json, shown)


def _detail_json(fax: Fax, shown: tuple[str, bool]) -> bytes:
    zone_name, wrapped = shown
    record = (outbound if fax.direction == "outbound" else inbound)(fax, zone_name)
    return json_bytes({"fax": record} if wrapped else record)


def listing(runtime: Services, direction: str, faxes: Iterable[Fax]) -> dict[str, Any]:
    """The body of ``GET Faxes/{Outbound|Inbound}/Mine`` under the configured key."""
    opts = options.of(runtime)
    item = outbound_item if direction == "outbound" else inbound_item
    return {opts[f"{direction}_list_key"]: [item(fax, opts["timezone"]) for fax in faxes]}


def view(runtime: Services, fax: Fax) -> dict[str, Any]:
    """The fax as the vendor's detail endpoint shows it (for the control API)."""
    # json_loads: a text holding a lone surrogate (a JSON escape in a send) is written as its
    # escape, which orjson alone refuses to read (the control API's fax list was a 500)
    return json_loads(detail(runtime, fax))  # type: ignore[no-any-return]
