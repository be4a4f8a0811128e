"""Typed views of the control API's JSON (``/_emulator/...``), as the Python client returns them.

Each record keeps the whole JSON it came from in ``raw``, so a field added to the control
API later is reachable before it gets an attribute here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")


def _build(cls: type[T], data: dict[str, Any], **overrides: Any) -> T:
    """``cls`` from the JSON keys named like its fields (missing keys become None)."""
    names = [f.name for f in fields(cls) if f.name != "raw"]  # type: ignore[arg-type]
    values = {name: data.get(name) for name in names}
    values.update(overrides)
    return cls(**values, raw=data)  # type: ignore[call-arg]  # every record type has ``raw``


@dataclass(frozen=True)
class ClockState:
    """``GET /_emulator/clock``; also what advancing the clock answers."""

    mode: str
    speed: float
    now: float
    iso: str
    pending_actions: int
    #: after an advance: webhook attempts it stopped waiting for (``id``, ``url``, ``attempt``);
    #: None from ``GET /_emulator/clock``
    webhooks_in_flight: list[dict[str, Any]] | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClockState:
        return _build(cls, data)


@dataclass(frozen=True)
class VendorInfo:
    """One entry of ``GET /_emulator/vendors``."""

    name: str
    title: str
    base_url: str
    operations: list[str]
    states: list[str]
    terminal: list[str]
    cancellable: bool
    inbound: bool
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VendorInfo:
        return _build(cls, data)


@dataclass(frozen=True)
class StatusChange:
    """One step of a fax's status history."""

    at: str  # ISO 8601, UTC
    time: float  # the same instant as POSIX seconds
    status: str  # the vendor's own status string


@dataclass(frozen=True)
class FaxRecord:
    """The neutral view of one fax (``GET /_emulator/faxes/{id}``); ``vendor_view`` is the vendor's JSON."""

    id: str
    vendor: str
    tenant: str
    direction: str
    to: str
    sender: str
    status: str
    terminal: bool
    pages: int
    pages_sent: int
    attempts: int
    outcome: str | None
    history: tuple[StatusChange, ...]
    vendor_view: dict[str, Any] | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaxRecord:
        history = tuple(StatusChange(h["at"], h["time"], h["status"]) for h in data.get("history", []))
        return _build(cls, data, sender=data.get("from"), history=history)

    @property
    def statuses(self) -> list[str]:
        """Every status the fax went through, in order."""
        return [change.status for change in self.history]


@dataclass(frozen=True)
class RequestRecord:
    """One entry of the request journal (``GET /_emulator/requests``)."""

    seq: int
    time: float
    vendor: str | None
    operation: str | None
    tenant: str | None
    method: str
    path: str
    query: str
    status: int
    rule: str | None
    fax_ids: list[str]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RequestRecord:
        return _build(cls, data)


@dataclass(frozen=True)
class DeliveryAttempt:
    """One try at delivering a webhook: the answer's status, or the transport error."""

    at: float
    status: int | None
    error: str | None


@dataclass(frozen=True)
class WebhookDelivery:
    """One webhook the emulator sent (or will send), with every attempt (``GET /_emulator/webhooks``)."""

    id: int
    vendor: str
    tenant: str
    event: str
    fax_id: str | None
    url: str
    method: str
    headers: dict[str, str]
    body: str
    state: str  # pending | delivered | failed | dropped | refused
    attempts: tuple[DeliveryAttempt, ...]
    reason: str | None  # why it was not delivered (failed, dropped, refused)
    redelivery_of: int | None  # the delivery this one sends again (``ControlClient.redeliver``)
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WebhookDelivery:
        attempts = tuple(DeliveryAttempt(a["at"], a["status"], a["error"]) for a in data.get("attempts", []))
        return _build(cls, data, attempts=attempts)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class ViolationRecord:
    """One recorded contract violation (``GET /_emulator/violations``)."""

    seq: int
    vendor: str | None
    operation: str | None
    tenant: str | None
    kind: str | None  # request | response | webhook
    severity: str | None  # error (the vendor refuses / the emulator broke its contract) | warning
    location: str | None  # JSON path, e.g. body.number
    rule: str | None  # the schema keyword broken, or "refused"
    message: str | None
    method: str | None
    path: str | None
    status: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ViolationRecord:
        return _build(cls, data)

    def describe(self) -> str:
        """One readable line: who, which operation, what was wrong."""
        head = f"[{self.vendor or 'emulator'}]"
        where = " ".join(str(part) for part in (self.severity, self.kind, self.operation) if part)
        request = f" ({self.method} {self.path} -> {self.status})" if self.method else ""
        where = f" {where}" if where else ""
        return f"{head}{where}{request}: {self.message or json.dumps(self.raw, sort_keys=True, default=str)}"
