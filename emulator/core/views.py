"""The neutral JSON views of the emulator's state, shared by the control API and the event stream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from emulator.core.clock import iso8601

if TYPE_CHECKING:
    from emulator.core.clock import Clock
    from emulator.core.store import Fax


class _Timers(Protocol):
    @property
    def pending(self) -> int:
        """Timers not yet run (``core.scheduler.Scheduler``, which publishes these views)."""


class Runtime(Protocol):
    """What the views read of the running emulator (``core.runtime.Runtime`` is one; this
    module is imported by the runtime's own parts, so it names only what it reads)."""

    @property
    def clock(self) -> Clock: ...

    @property
    def scheduler(self) -> _Timers: ...

    @property
    def vendors(self) -> Mapping[str, Any]:
        """Vendor name -> its ``Vendor`` (not named here: the vendor spec imports the engine,
        which publishes through the events that show these views)."""

    def now(self) -> float: ...


def fax_summary(fax: Fax) -> dict[str, Any]:
    """The neutral summary of a fax: what a list of faxes shows of each."""
    result = fax.result
    return {
        "id": fax.id,
        "vendor": fax.vendor,
        "tenant": fax.tenant,
        "direction": fax.direction,
        "to": fax.to,
        "from": fax.sender,
        "status": fax.status,
        "terminal": fax.terminal,
        "outcome": result.outcome.value if result else None,
        "pages": fax.pages,
        "pages_sent": fax.pages_sent,
        "attempts": fax.attempts,
        "created_at": iso8601(fax.created_at),
        "ended_at": iso8601(fax.ended_at) if fax.ended_at is not None else None,
    }


def timeline(runtime: Runtime, fax: Fax) -> list[dict[str, Any]]:
    """Each transition of ``fax`` with the attempt it belongs to and, for the transition that
    ends an attempt, that attempt's outcome, its vendor-native cause and the rule that decided it."""
    transmit = runtime.vendors[fax.vendor].machine.transmit
    steps: list[dict[str, Any]] = []
    attempt = 0
    for index, (at, status) in enumerate(fax.history):
        ended = None
        if status == transmit:
            attempt += 1
        elif index and fax.history[index - 1][1] == transmit and attempt <= len(fax.attempt_results):
            ended = fax.attempt_results[attempt - 1]
        steps.append(
            {
                "at": iso8601(at),
                "time": at,
                "status": status,
                "attempt": attempt or None,
                "outcome": ended.outcome.value if ended else None,
                "cause": ended.native if ended else None,
                "rule": ended.rule if ended else None,
            }
        )
    return steps


def fax_json(runtime: Runtime, fax: Fax) -> dict[str, Any]:
    """The neutral view of a fax, with its whole history and the vendor's own view."""
    vendor = runtime.vendors[fax.vendor]
    result = fax.result
    body: dict[str, Any] = {
        **fax_summary(fax),
        "aliases": list(fax.aliases),
        "max_attempts": fax.max_attempts,
        "rule": result.rule if result else None,
        "history": [{"at": iso8601(at), "time": at, "status": status} for at, status in fax.history],
        "timeline": timeline(runtime, fax),
        "attempt_results": [
            {"outcome": r.outcome.value, "pages_sent": r.pages(fax.pages), "native": r.native, "rule": r.rule}
            for r in fax.attempt_results
        ],
        "documents": [
            {"kind": d.kind, "pages": d.pages, "size": d.size, "filename": d.filename} for d in fax.documents
        ],
        "documents_expired": fax.documents_expired,  # retention dropped their bytes (core/retention.py)
    }
    if vendor.view is not None:
        body["vendor_view"] = vendor.view(runtime, fax)
    return body


def clock_json(runtime: Runtime) -> dict[str, Any]:
    """The clock as the control API and the ``clock`` event show it."""
    now = runtime.now()
    return {
        "mode": runtime.clock.mode,
        "speed": runtime.clock.speed,
        "now": now,
        "iso": iso8601(now),
        "pending_actions": runtime.scheduler.pending,
    }
