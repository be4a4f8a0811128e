"""What happened, counted: the tally that coverage (``core/coverage.py``) reports against.

It hangs off the event stream (``Events.tally``) because it is fed at the same one place
per fact where events are published; unlike publishing it always runs, so each fact is one
dict increment.
"""

from __future__ import annotations

from collections.abc import Collection

#: the kinds of item, in report order
KINDS = ("operations", "answers", "statuses", "transitions", "outcomes", "webhooks", "deliveries", "inbound", "rules")
#: how a delivery can end (``Dispatcher``): delivered at the first attempt or after retries,
#: given up (failed), dropped by a scenario, refused (target policy or pending limit); and the
#: deliveries scenarios or the control API make: scripted duplicates, redeliveries
DELIVERY_PATHS = (
    "delivered_first_try",
    "delivered_after_retry",
    "failed",
    "dropped",
    "refused",
    "duplicate_delivered",
    "redelivered",
)
Key = tuple[str, str, str, str]  # (kind, vendor, tenant, item)


#: vendor, operation, tenant, status, fault, rule (the vendor is set whenever the operation is)
RequestKey = tuple[str | None, str, str | None, int, str | None, str | None]
#: vendor, tenant, the status left (None: the fax was new), the status entered
MoveKey = tuple[str, str, str | None, str]


class Tally:
    """Counts of what happened, keyed ``(kind, vendor, tenant, item)``; cleared by reset.

    Vendor requests, the hot path, are counted raw by the journal in ``requests`` (one key and
    one increment a request, no call), and an outbound fax's moves from status to status, the
    engine's hot path, by ``moved`` in ``moves``; ``items`` folds both into the same kinds when read."""

    __slots__ = ("counts", "moves", "requests")

    def __init__(self) -> None:
        self.counts: dict[Key, int] = {}
        #: (vendor, operation, tenant, status, fault, rule) -> requests; the journal increments it in place
        self.requests: dict[RequestKey, int] = {}
        #: (vendor, tenant, status left, status entered) -> times; the statuses and transitions kinds
        self.moves: dict[MoveKey, int] = {}

    def add(self, kind: str, vendor: str, tenant: str | None, item: str) -> None:
        key = (kind, vendor, tenant or "", item)
        counts = self.counts
        counts[key] = counts.get(key, 0) + 1

    def moved(self, vendor: str, tenant: str, previous: str | None, status: str) -> None:
        """An outbound fax left ``previous`` (None: it was new) for ``status``: one increment,
        counted as a status entered and a transition taken when read."""
        key = (vendor, tenant, previous, status)
        moves = self.moves
        moves[key] = moves.get(key, 0) + 1

    def items(self) -> dict[Key, int]:
        """Every count, the requests folded into operations (2xx), answers (other statuses and
        scripted faults) and rules, the moves into statuses and transitions."""
        found = dict(self.counts)
        for (mover, holder, left, entered), count in self.moves.items():
            for key in (
                ("statuses", mover, holder, entered),
                ("transitions", mover, holder, f"{left or 'new'} -> {entered}"),
            ):
                found[key] = found.get(key, 0) + count
        for (who, operation, tenant, status, fault, rule), count in self.requests.items():
            vendor, owner = who or "", tenant or ""
            keys = [
                ("operations", vendor, owner, operation)
                if 200 <= status < 300
                else ("answers", vendor, owner, str(status))
            ]
            if fault is not None:
                keys.append(("answers", vendor, owner, f"fault: {fault}"))
            if rule is not None:
                keys.append(("rules", vendor, owner, rule))
            for key in keys:
                found[key] = found.get(key, 0) + count
        return found

    def delivery(
        self, vendor: str, tenant: str, event: str, state: str, attempts: int, copy: bool, redelivery: bool
    ) -> None:
        """A webhook delivery ended (``Dispatcher._finish`` and its refusals)."""
        if state == "delivered":
            path = (
                "redelivered"
                if redelivery
                else "duplicate_delivered"
                if copy
                else ("delivered_first_try" if attempts <= 1 else "delivered_after_retry")
            )
            self.add("webhooks", vendor, tenant, event)
        else:
            path = state
        self.add("deliveries", vendor, tenant, path)

    def fold(self, tenants: Collection[tuple[str, str]]) -> None:
        """Count what these (vendor, tenant id) did as done by no tenant of their vendor: they
        were forgotten, owning nothing (``Store.forget_idle``), and the counts of every
        credential ever read with otherwise grew without bound (20,000 new Kazoo users: about
        4 MB). A vendor's totals stay; a forgotten tenant's own report starts again at zero.
        ``requests`` is changed in place, as the journal holds it."""
        if not tenants:
            return
        counts: dict[Key, int] = {}
        for (kind, vendor, tenant, item), count in self.counts.items():
            key = (kind, vendor, "" if (vendor, tenant) in tenants else tenant, item)
            counts[key] = counts.get(key, 0) + count
        self.counts = counts
        moves: dict[MoveKey, int] = {}
        for (mover, holder, previous, entered), count in self.moves.items():
            move = (mover, "" if (mover, holder) in tenants else holder, previous, entered)
            moves[move] = moves.get(move, 0) + count
        self.moves = moves
        requests = self.requests
        for request in [request for request in requests if (request[0], request[2]) in tenants]:
            who, operation, _, answered, fault, rule = request
            folded = (who, operation, None, answered, fault, rule)
            requests[folded] = requests.get(folded, 0) + requests.pop(request)

    def clear(self, vendor: str | None = None, tenant: str | None = None) -> None:
        """Forget the counts (of one vendor, or one vendor's tenant); ``requests`` is emptied in
        place, as the journal holds it."""
        if vendor is None:
            self.counts.clear()
            self.requests.clear()
            self.moves.clear()
            return
        self.moves = {k: n for k, n in self.moves.items() if not (k[0] == vendor and tenant in (None, k[1]))}
        self.counts = {k: n for k, n in self.counts.items() if not (k[1] == vendor and tenant in (None, k[2]))}
        for key in [k for k in self.requests if k[0] == vendor and tenant in (None, k[2])]:
            del self.requests[key]
