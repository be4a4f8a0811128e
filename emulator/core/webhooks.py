"""Outgoing webhook delivery: a queue on the clock, one ClientSession, retries, a log.

A vendor hands over a finished request (URL, method, headers, body) and a retry
policy; the dispatcher sends it when due, retries transport errors (and, if the policy
says so, 5xx answers) with exponential backoff measured on the emulator clock, and keeps
every attempt in a bounded delivery log.

A ``shaper`` (set by the runtime from the active scenario) may change what happens to a
delivery when it is queued: delay it, send copies, hold it back until after the next one
to the same receiver (out of order), or drop it. Vendors keep calling ``deliver`` as before.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from emulator.core.scheduler import Scheduler, Timer

log = logging.getLogger(__name__)

DEFAULT_LOG_SIZE = 10_000
#: deliveries in flight at once (one connection each); the others wait in a queue. A
#: few senders draining a queue beat one task per delivery by far: thousands of tasks
#: waiting for a connection cost more than the requests themselves.
SENDERS = 32
#: emulated seconds between a delivery and its scripted copies; a held delivery goes half
#: a gap after the one it waited for. Distinct instants make the arrival order certain
#: (deliveries due at the same instant are sent concurrently).
GAP = 1.0
#: a delivery held back for out-of-order delivery goes anyway after this many seconds
HOLD_LIMIT = 300.0


@dataclass(frozen=True, slots=True)
class Shape:
    """What a scenario does to one delivery when it is queued."""

    delay: float = 0.0  # extra emulated seconds before the first attempt
    duplicate: int = 0  # extra copies, sent GAP seconds apart after it
    out_of_order: bool = False  # hold it until just after the next delivery to the same receiver
    drop: bool = False  # never send it (logged as "dropped")
    rule: str | None = None  # the scenario rule, shown in the delivery log


@dataclass(frozen=True)
class RetryPolicy:
    """How a vendor retries: attempts in all, first delay, growth, what counts as failure."""

    attempts: int = 5
    delay: float = 1.0  # emulated seconds before the 2nd attempt
    factor: float = 2.0  # each later delay is this many times the one before
    max_delay: float = 300.0
    retry_5xx: bool = True  # False: only transport errors are retried (Kazoo)
    timeout: float = 10.0  # wall seconds per attempt
    success: frozenset[int] = frozenset(range(200, 300))

    def delay_before(self, attempt: int) -> float:
        """Delay before attempt number ``attempt`` (2 and up)."""
        return min(self.max_delay, self.delay * self.factor ** (attempt - 2))


@dataclass(slots=True)
class Attempt:
    at: float
    status: int | None
    error: str | None
    duration_ms: float


@dataclass(slots=True, eq=False)
class Delivery:
    """One webhook to deliver and everything that happened to it."""

    id: int
    vendor: str
    tenant: str
    event: str
    url: str
    method: str
    headers: dict[str, str]
    body: bytes
    created_at: float
    due_at: float
    policy: RetryPolicy
    fax_id: str | None = None
    state: str = "pending"  # pending | delivered | failed | dropped
    attempts: list[Attempt] = field(default_factory=list)
    rule: str | None = None
    copy_of: int | None = None  # a scripted duplicate of this delivery id

    def to_json(self) -> dict[str, Any]:
        try:
            body: Any = self.body.decode()
        except UnicodeDecodeError:
            body = self.body.hex()
        return {
            "id": self.id, "vendor": self.vendor, "tenant": self.tenant, "event": self.event,
            "fax_id": self.fax_id, "url": self.url, "method": self.method, "headers": self.headers,
            "body": body, "created_at": self.created_at, "due_at": self.due_at, "state": self.state,
            "rule": self.rule, "copy_of": self.copy_of,
            "attempts": [
                {"at": a.at, "status": a.status, "error": a.error, "duration_ms": a.duration_ms}
                for a in self.attempts
            ],
        }


class Dispatcher:
    """Sends deliveries on the scheduler with one shared ClientSession."""

    def __init__(self, scheduler: Scheduler, log_size: int = DEFAULT_LOG_SIZE,
                 check: Callable[[str, str | None, str, str, bytes], None] | None = None) -> None:
        self.scheduler = scheduler
        self._check = check  # strict mode: validates a body against its schema before it is queued
        self.log: deque[Delivery] = deque(maxlen=log_size)
        #: what a scenario does to each delivery (set by the runtime)
        self.shaper: Callable[[Delivery], Shape | None] | None = None
        #: receiver -> (held delivery, its fallback timer, when it was due before it was held)
        self._held: dict[tuple[str, str, str], tuple[Delivery, Timer, float]] = {}
        self._ids = itertools.count(1)
        self._session: aiohttp.ClientSession | None = None
        self._timers: dict[Delivery, Timer] = {}  # the next attempt of each pending delivery
        self._due: deque[Delivery] = deque()  # attempts due now, waiting for a sender
        self._senders = 0  # sender tasks running (each spawned on the scheduler, so advance waits)

    def deliver(
        self,
        *,
        vendor: str,
        tenant: str,
        event: str,
        url: str,
        body: bytes,
        content_type: str = "application/json",
        method: str = "POST",
        headers: dict[str, str] | None = None,
        policy: RetryPolicy = RetryPolicy(),
        fax_id: str | None = None,
        delay: float = 0.0,
        rule: str | None = None,
        schema: str | None = None,
    ) -> Delivery:
        """Queue a delivery ``delay`` emulated seconds from now; returns its log entry.

        ``schema`` names the body's schema under ``schemas/<vendor>/`` for strict checks.
        """
        if schema is not None and self._check is not None:
            self._check(vendor, tenant, event, schema, body)
        now = self.scheduler.clock.now()
        all_headers = {"Content-Type": content_type, **(headers or {})}
        delivery = Delivery(
            next(self._ids), vendor, tenant, event, url, method.upper(), all_headers, body,
            now, now + delay, policy, fax_id, rule=rule,
        )
        if self.shaper is not None and self._shape(delivery):
            return delivery
        self.log.append(delivery)
        self._timers[delivery] = self.scheduler.at(delivery.due_at, self._attempt, delivery)
        return delivery

    def _shape(self, delivery: Delivery) -> bool:
        """Apply the scenario's shape: True if this queued (or dropped) the delivery itself,
        False if it goes the ordinary way (perhaps later: ``delay`` moved its due time)."""
        shape = self.shaper(delivery) if self.shaper is not None else None
        if shape is not None:
            delivery.rule = shape.rule or delivery.rule
            delivery.due_at += shape.delay
        if shape is None or not (shape.drop or shape.out_of_order or shape.duplicate):
            self._release_held(delivery)
            return False
        self.log.append(delivery)
        if shape.drop:
            self.drop(delivery)
            return True
        if shape.out_of_order:
            self._hold(delivery)
        else:
            self._schedule(delivery)
            self._release_held(delivery)
        for number in range(1, shape.duplicate + 1):
            copy = Delivery(
                next(self._ids), delivery.vendor, delivery.tenant, delivery.event, delivery.url, delivery.method,
                dict(delivery.headers), delivery.body, delivery.created_at, delivery.due_at + number * GAP,
                delivery.policy, delivery.fax_id, rule=delivery.rule, copy_of=delivery.id,
            )
            self.log.append(copy)
            self._schedule(copy)
        return True

    def _schedule(self, delivery: Delivery) -> None:
        """The first attempt of ``delivery``, at its due time."""
        self.scheduler.at(delivery.due_at, self._attempt, delivery)

    def _release_held(self, delivery: Delivery) -> None:
        """Send the delivery held back for the same receiver, just after this one."""
        held = self._held.pop(_receiver(delivery), None)
        if held is not None:
            waiting, fallback, due = held
            fallback.cancel()
            waiting.due_at = max(due, delivery.due_at + GAP / 2)
            self._send_held(waiting)

    def _hold(self, delivery: Delivery) -> None:
        key = _receiver(delivery)
        earlier = self._held.pop(key, None)
        if earlier is not None:  # two held in a row: the earlier one goes when it was due
            waiting, fallback, due = earlier
            fallback.cancel()
            waiting.due_at = due
            self._send_held(waiting)
        due = delivery.due_at
        delivery.due_at = due + HOLD_LIMIT
        self._held[key] = (delivery, self.scheduler.at(delivery.due_at, self._release, key), due)

    def _release(self, key: tuple[str, str, str]) -> None:
        held = self._held.pop(key, None)
        if held is not None:
            self._send_held(held[0])

    def _send_held(self, delivery: Delivery) -> None:
        if any(d is delivery for d in self.log):  # not forgotten by a reset meanwhile
            self._schedule(delivery)

    def drop(self, delivery: Delivery) -> None:
        """Record a delivery that a scenario says is lost (never sent)."""
        delivery.state = "dropped"

    def _attempt(self, delivery: Delivery) -> None:
        self._timers.pop(delivery, None)
        if delivery.state == "pending":
            self._due.append(delivery)
            if self._senders < SENDERS:
                self._senders += 1
                self.scheduler.spawn(self._sender())

    async def _sender(self) -> None:
        """Send due attempts until none is left (deliveries due together go concurrently)."""
        try:
            while self._due:
                delivery = self._due.popleft()
                if delivery.state != "pending":  # cleared while it waited
                    continue
                try:
                    await self._send(delivery)
                except Exception as exc:  # one broken delivery must not stop the others
                    log.exception("webhook delivery %s failed", delivery.id)
                    self.scheduler.errors.append(f"webhook delivery {delivery.id}: {exc!r}")
        finally:
            self._senders -= 1

    async def _send(self, delivery: Delivery) -> None:
        session = self._session
        if session is None or session.closed:
            session = self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=64), auto_decompress=False
            )
        now = self.scheduler.clock.now()
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            async with session.request(
                delivery.method, delivery.url, data=delivery.body if delivery.method != "GET" else None,
                headers=delivery.headers, timeout=aiohttp.ClientTimeout(total=delivery.policy.timeout),
                allow_redirects=False,
            ) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        delivery.attempts.append(Attempt(now, status, error, round((time.perf_counter() - started) * 1000, 3)))
        self._settle(delivery, status)

    def _settle(self, delivery: Delivery, status: int | None) -> None:
        if delivery.state != "pending":  # cleared while the attempt was in flight
            return
        policy = delivery.policy
        if status is not None and status in policy.success:
            delivery.state = "delivered"
            return
        retryable = status is None or (policy.retry_5xx and status >= 500)
        attempt = len(delivery.attempts) + 1
        if retryable and attempt <= policy.attempts:
            self._timers[delivery] = self.scheduler.after(policy.delay_before(attempt), self._attempt, delivery)
        else:
            delivery.state = "failed"

    def query(self, *, vendor: str | None = None, tenant: str | None = None,
              event: str | None = None) -> list[Delivery]:
        return [
            d for d in self.log
            if (vendor is None or d.vendor == vendor) and (tenant is None or d.tenant == tenant)
            and (event is None or d.event == event)
        ]

    def clear(self, vendor: str | None = None, tenant: str | None = None) -> None:
        """Forget every delivery (or one vendor's or tenant's), cancelling those still to be
        attempted (on reset)."""

        def chosen(delivery: Delivery) -> bool:
            return (vendor is None or delivery.vendor == vendor) and (tenant is None or delivery.tenant == tenant)

        for delivery in [d for d in self._timers if chosen(d)]:
            self._timers.pop(delivery).cancel()
            delivery.state = "dropped"
        kept = []
        for delivery in self.log:
            if not chosen(delivery):
                kept.append(delivery)
            elif delivery.state == "pending":  # an attempt in flight: no retry after it
                delivery.state = "dropped"
        self.log.clear()
        self.log.extend(kept)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _receiver(delivery: Delivery) -> tuple[str, str, str]:
    return (delivery.vendor, delivery.tenant, delivery.url)
