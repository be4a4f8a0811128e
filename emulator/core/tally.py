"""What happened, counted: the tally that coverage (``core/coverage.py``) reports against.

It hangs off the event stream (``Events.tally``) because it is fed at the same one place
per fact where events are published; unlike publishing it always runs, so each fact is one
dict increment.
"""

from __future__ import annotations

from collections.abc import Mapping

#: the kinds of item, in report order
KINDS = ("operations", "answers", "statuses", "transitions", "outcomes", "webhooks", "deliveries", "inbound",
         "rules")
#: how a delivery can end (``Dispatcher``): delivered at the first attempt or after retries,
#: given up (failed), dropped by a scenario, refused (target policy or pending limit); and the
#: deliveries scenarios or the control API make: scripted duplicates, redeliveries
DELIVERY_PATHS = ("delivered_first_try", "delivered_after_retry", "failed", "dropped", "refused",
                  "duplicate_delivered", "redelivered")
Key = tuple[str, str, str, str]  # (kind, vendor, tenant, item)


class Tally:
    """Counts of what happened, keyed ``(kind, vendor, tenant, item)``; cleared by reset."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: dict[Key, int] = {}

    def add(self, kind: str, vendor: str, tenant: str | None, item: str) -> None:
        key = (kind, vendor, tenant or "", item)
        counts = self.counts
        counts[key] = counts.get(key, 0) + 1

    def request(self, vendor: str, tenant: str | None, operation: str, status: int, fault: str | None) -> None:
        """A vendor request was answered (the journal records it)."""
        # the hot path of every vendor request: one key and one increment, no further calls
        key = ("operations", vendor, tenant or "", operation) if 200 <= status < 300 else (
            "answers", vendor, tenant or "", str(status))
        counts = self.counts
        counts[key] = counts.get(key, 0) + 1
        if fault is not None:
            self.add("answers", vendor, tenant, f"fault: {fault}")

    def delivery(self, vendor: str, tenant: str, event: str, state: str, attempts: int, copy: bool,
                 redelivery: bool) -> None:
        """A webhook delivery ended (``Dispatcher._finish`` and its refusals)."""
        if state == "delivered":
            path = "redelivered" if redelivery else "duplicate_delivered" if copy else (
                "delivered_first_try" if attempts <= 1 else "delivered_after_retry")
            self.add("webhooks", vendor, tenant, event)
        else:
            path = state
        self.add("deliveries", vendor, tenant, path)

    def clear(self, vendor: str | None = None, tenant: str | None = None) -> None:
        if vendor is None:
            self.counts.clear()
            return
        self.counts = {k: n for k, n in self.counts.items() if not (k[1] == vendor and tenant in (None, k[2]))}

    def merged(self, other: Mapping[Key, int]) -> None:
        """Add counts from elsewhere (the pytest plugin merges each test's emulator)."""
        for key, count in other.items():
            self.counts[key] = self.counts.get(key, 0) + count
