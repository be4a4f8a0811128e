"""Bounded logs of what happened: every request, and every contract violation.

Both are ring buffers: the oldest entry goes when a new one would exceed the size
(``--journal-size``, default 10,000), so a long-running emulator stays bounded.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

DEFAULT_SIZE = 10_000


@dataclass(slots=True)
class RequestEntry:
    """One HTTP request the emulator answered."""

    seq: int
    time: float
    vendor: str | None
    operation: str | None
    tenant: str | None
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    rule: str | None = None  # the scenario rule that acted on it (a fault, or the outcome of a fax it made)
    fault: str | None = None  # what that fault rule did, e.g. "status 503" or "reset after"
    fax_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    """The request log and the contract-violation log."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("journal size must be at least 1")
        self.size = size
        self.requests: deque[RequestEntry] = deque(maxlen=size)
        self.violations: deque[dict[str, Any]] = deque(maxlen=size)
        self._seq = itertools.count(1)
        self._violation_seq = itertools.count(1)
        self.dropped = 0  # entries pushed out of the request ring
        #: seq of the newest violation ever recorded (0: none); never goes back, even on clear
        self.last_violation = 0

    def record(self, **fields: Any) -> RequestEntry:
        return self.add(**fields)

    def add(self, time: float, vendor: str | None, operation: str | None, tenant: str | None, method: str,
            path: str, query: str, status: int, duration_ms: float, rule: str | None = None,
            fault: str | None = None, fax_ids: list[str] | None = None) -> RequestEntry:
        """``record`` with positional fields (the root middleware's, once per request)."""
        if len(self.requests) == self.size:
            self.dropped += 1
        entry = RequestEntry(next(self._seq), time, vendor, operation, tenant, method, path, query, status,
                             duration_ms, rule, fault, [] if fax_ids is None else fax_ids)
        self.requests.append(entry)
        return entry

    def violation(self, **fields: Any) -> dict[str, Any]:
        """Record a contract violation; it gets a ``seq`` that only grows, so a reader can
        ask for the violations recorded since a point (the pytest plugin does, per test)."""
        self.last_violation = next(self._violation_seq)
        entry = {"seq": self.last_violation, **fields}
        self.violations.append(entry)
        return entry

    def violations_since(self, seq: int = 0, *, vendor: str | None = None) -> list[dict[str, Any]]:
        """Violations newer than ``seq`` (oldest first), optionally of one vendor."""
        return [v for v in self.violations if v["seq"] > seq and (vendor is None or v.get("vendor") == vendor)]

    def query(
        self, *, vendor: str | None = None, tenant: str | None = None, limit: int | None = None
    ) -> list[RequestEntry]:
        found = [
            e for e in self.requests
            if (vendor is None or e.vendor == vendor) and (tenant is None or e.tenant == tenant)
        ]
        return found[-limit:] if limit else found

    def clear(self, vendor: str | None = None, tenant: str | None = None) -> None:
        if vendor is None:
            self.requests.clear()
            self.violations.clear()
            return
        keep = [e for e in self.requests if not (e.vendor == vendor and (tenant is None or e.tenant == tenant))]
        self.requests.clear()
        self.requests.extend(keep)
