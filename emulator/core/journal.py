"""Bounded logs of what happened: every request, and every contract violation.

Both are ring buffers: the oldest entry goes when a new one would exceed the size
(``--journal-size``, default 10,000), so a long-running emulator stays bounded.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from yarl import URL

DEFAULT_SIZE = 10_000


@dataclass(slots=True)
class RequestEntry:
    """One HTTP request the emulator answered.

    It keeps the request target as it came (the path and query, still percent-encoded: a
    string the request already had), and decodes the path and query only when the entry is
    read: most entries are never read, and decoding, or keeping a URL object per entry,
    costs every request.
    """

    seq: int
    time: float
    vendor: str | None
    operation: str | None
    tenant: str | None
    method: str
    target: str  # the request target as sent: the path and query, still percent-encoded
    status: int
    seconds: float  # wall time taken to answer
    rule: str | None = None  # the scenario rule that acted on it (a fault, or the outcome of a fax it made)
    fault: str | None = None  # what that fault rule did, e.g. "status 503" or "reset after"
    fax_ids: Sequence[str] = ()

    @property
    def url(self) -> URL:
        """The target as a relative URL, as aiohttp's ``request.rel_url`` reads it: a path
        is a path even when it starts with ``//`` (a base URL with a trailing slash), and a
        target in absolute form, as a proxy is sent one, loses its scheme and host."""
        if self.target.startswith("/"):
            path, _, query = self.target.partition("#")[0].partition("?")
            return URL.build(path=path, query_string=query, encoded=True)
        url = URL(self.target, encoded=True)
        return url.relative() if url.absolute else url

    @property
    def path(self) -> str:
        return self.url.path

    @property
    def query(self) -> str:
        return self.url.query_string

    @property
    def duration_ms(self) -> float:
        return round(self.seconds * 1000, 3)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "time": self.time, "vendor": self.vendor, "operation": self.operation,
            "tenant": self.tenant, "method": self.method, "path": self.path, "query": self.query,
            "status": self.status, "duration_ms": self.duration_ms, "rule": self.rule, "fault": self.fault,
            "fax_ids": list(self.fax_ids),
        }


class Journal:
    """The request log and the contract-violation log."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("journal size must be at least 1")
        self.size = size
        #: the request ring, as RequestEntry field tuples (made into entries when read)
        self.requests: deque[tuple[Any, ...]] = deque(maxlen=size)
        self.violations: deque[dict[str, Any]] = deque(maxlen=size)
        self._seq = itertools.count(1)
        self._violation_seq = itertools.count(1)
        self.dropped = 0  # entries pushed out of the request ring
        #: seq of the newest violation ever recorded (0: none); never goes back, even on clear
        self.last_violation = 0

    def record(self, time: float, vendor: str | None, operation: str | None, tenant: str | None, method: str,
               target: str, status: int, seconds: float, rule: str | None = None, fault: str | None = None,
               fax_ids: Sequence[str] = ()) -> None:
        """Add a request (the request pipeline does, once per request outside the control API)."""
        requests = self.requests
        if len(requests) == self.size:
            self.dropped += 1
        requests.append((next(self._seq), time, vendor, operation, tenant, method, target, status, seconds, rule,
                         fault, fax_ids))

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
            fields for fields in self.requests
            if (vendor is None or fields[2] == vendor) and (tenant is None or fields[4] == tenant)
        ]
        return [RequestEntry(*fields) for fields in (found[-limit:] if limit else found)]

    def clear(self, vendor: str | None = None, tenant: str | None = None) -> None:
        if vendor is None:
            self.requests.clear()
            self.violations.clear()
            return
        keep = [f for f in self.requests if not (f[2] == vendor and (tenant is None or f[4] == tenant))]
        self.requests.clear()
        self.requests.extend(keep)
