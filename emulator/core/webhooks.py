"""Outgoing webhook delivery: per-target queues on the clock, retries, a log.

A vendor hands over a finished request (URL, method, headers, body) and a retry
policy; the dispatcher sends it when due, retries transport errors (and, if the policy
says so, 5xx answers) with exponential backoff measured on the emulator clock until the
policy's attempts or give-up time run out.

Fairness: each target (a URL, its query aside) has its own queue drained by at most
``PER_TARGET`` senders (one attempt in flight each), and targets take turns for the
``MAX_IN_FLIGHT`` senders in all, so a receiver that never answers delays only its own
webhooks. Senders are spawned on the scheduler bounded by their target: ``clock/advance``
waits for an attempt only up to its wall-time bound, and not again for a target that
outlasted it during the call; it reports those still out (``in_flight``).

Nothing is lost silently: a delivery not yet settled is kept in ``pending`` (never
evicted; at most ``max_pending``, beyond which a new one is refused, logged and shown as
``refused``), apart from ``log``, the bounded history shown by the control API. A target
whose host is not allowed (``--webhook-hosts``) is refused the same way, with why.

A ``shaper`` (the scenarios' ``shape_webhook``, given when the dispatcher is made) may change what happens to a
delivery when it is queued: delay it, send copies, hold it back until after the next one
to the same receiver (out of order), drop it, or change its retry policy. Vendors keep
calling ``deliver`` as before.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from emulator.core.codec import peek
from emulator.core.errors import Invalid, NotFound
from emulator.core.events import Events
from emulator.core.scheduler import Scheduler, Timer

log = logging.getLogger(__name__)

DEFAULT_LOG_SIZE = 10_000
#: deliveries not yet settled (waiting, retrying, held, in flight) kept at most; a new one
#: beyond it is refused (state ``refused``, logged), never an older one dropped
DEFAULT_MAX_PENDING = 10_000
#: attempts in flight at once to one target (a URL, its query aside): enough that one busy
#: receiver is served at full speed (4 in flight made benchmarks/webhooks.py half as fast)
PER_TARGET = 32
#: attempts in flight at once in all (one connection each); targets with attempts due take
#: turns for them, so this bounds open connections without letting one target starve another
MAX_IN_FLIGHT = 1024
#: emulated seconds between a delivery and its scripted copies; a held delivery goes half
#: a gap after the one it waited for. Distinct instants make the arrival order certain
#: (deliveries due at the same instant are sent concurrently).
GAP = 1.0
#: a delivery held back for out-of-order delivery goes anyway after this many seconds
HOLD_LIMIT = 300.0
#: the most a retry policy may say (attempts, emulated seconds, wall seconds per attempt)
MAX_ATTEMPTS = 1000
MAX_ANSWER_BYTES = 2048  # of a receiver's answer an attempt keeps (to show what it said)
MAX_TIMEOUT = 300.0


@dataclass(slots=True, repr=False, eq=False)
class Shape:
    """What a scenario does to one delivery when it is queued."""

    delay: float = 0.0  # extra emulated seconds before the first attempt
    duplicate: int = 0  # extra copies, sent GAP seconds apart after it
    out_of_order: bool = False  # hold it until just after the next delivery to the same receiver
    drop: bool = False  # never send it (logged as "dropped")
    rule: str | None = None  # the scenario rule, shown in the delivery log
    retry: Mapping[str, Any] | None = None  # changes to the vendor's retry policy (RetryPolicy.but)


@dataclass(frozen=True, repr=False, eq=False)  # shared: a default argument of Dispatcher.deliver
class RetryPolicy:
    """How a vendor retries: attempts in all, first delay, growth, give-up time, what counts
    as failure. Every field but ``success`` and ``retry_5xx`` may be changed by vendor
    options and scenarios (``but``)."""

    attempts: int = 5
    delay: float = 1.0  # emulated seconds before the 2nd attempt
    factor: float = 2.0  # each later delay is this many times the one before
    max_delay: float = 300.0
    #: emulated seconds after the first attempt when retrying stops (the last attempt is at
    #: this time at the latest); None: only ``attempts`` limits it
    give_up: float | None = None
    retry_5xx: bool = True  # False: only transport errors are retried (Kazoo)
    timeout: float = 10.0  # wall seconds per attempt
    success: frozenset[int] = frozenset(range(200, 300))

    def delay_before(self, attempt: int) -> float:
        """Delay before attempt number ``attempt`` (2 and up)."""
        return min(self.max_delay, self.delay * self.factor ** (attempt - 2))

    def but(self, changes: Mapping[str, Any] | None) -> RetryPolicy:
        """This policy with ``changes`` (checked by ``check_retry``) applied."""
        return dataclasses.replace(self, **changes) if changes else self

    def to_json(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "delay": self.delay,
            "factor": self.factor,
            "max_delay": self.max_delay,
            "give_up": self.give_up,
            "timeout": self.timeout,
            "retry_5xx": self.retry_5xx,
        }


#: what vendor options and scenarios may change in a retry policy, and how each is bounded
_RETRY_FIELDS: dict[str, tuple[str, float, float]] = {
    "attempts": ("a whole number from 1", 1, MAX_ATTEMPTS),
    "delay": ("seconds from 0", 0, 30 * 86400),
    "factor": ("a number from 1", 1, 100),
    "max_delay": ("seconds from 0", 0, 30 * 86400),
    "give_up": ("seconds from 0 (or null)", 0, 30 * 86400),
    "timeout": ("wall seconds above 0", 0.001, MAX_TIMEOUT),
}


def check_retry(raw: Any, where: str = "webhook_retry") -> dict[str, Any]:
    """Changes to a retry policy as given in options or a scenario; Invalid naming a bad one."""
    if not isinstance(raw, dict):
        raise Invalid(f"{where} must be an object with any of {', '.join(_RETRY_FIELDS)}", field=where)
    checked: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in _RETRY_FIELDS:
            raise Invalid(
                f"{where}.{name} is not a retry setting; expected any of {', '.join(_RETRY_FIELDS)}", field=where
            )
        what, low, high = _RETRY_FIELDS[name]
        if name == "give_up" and value is None:
            checked[name] = None
            continue
        number_ok = isinstance(value, int) if name == "attempts" else isinstance(value, int | float)
        if isinstance(value, bool) or not number_ok or not low <= value <= high:
            raise Invalid(f"{where}.{name} must be {what} to {high:g}, not {value!r}", field=where)
        checked[name] = value if name == "attempts" else float(value)
    return checked


def check_retry_options(options: dict[str, Any]) -> dict[str, Any]:
    """``Vendor.check_options`` of a vendor whose one option is ``webhook_retry``: changes to
    its webhook retry policy (``{}``: the vendor's own)."""
    unknown = sorted(set(options) - {"webhook_retry"})
    if unknown:
        raise Invalid(f"unknown option {unknown[0]!r}; this vendor has only webhook_retry", field=unknown[0])
    return {"webhook_retry": check_retry(options.get("webhook_retry", {}))}


@dataclass(slots=True, repr=False, eq=False)
class Attempt:
    at: float
    status: int | None
    error: str | None
    duration_ms: float
    #: the first ``MAX_ANSWER_BYTES`` of the receiver's answer, as text (None: no answer)
    response_body: str | None = None


@dataclass(slots=True, repr=False, eq=False)
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
    state: str = "pending"  # pending | delivered | failed | dropped | refused
    attempts: list[Attempt] = field(default_factory=list)
    rule: str | None = None
    copy_of: int | None = None  # a scripted duplicate of this delivery id
    redelivery_of: int | None = None  # sent again on request (control API) from this delivery id
    reason: str | None = None  # why it was not delivered (failed, dropped, refused)

    def to_json(self) -> dict[str, Any]:
        try:
            body: Any = self.body.decode()
        except UnicodeDecodeError:
            body = self.body.hex()
        return {
            "id": self.id,
            "vendor": self.vendor,
            "tenant": self.tenant,
            "event": self.event,
            "fax_id": self.fax_id,
            "url": self.url,
            "method": self.method,
            "headers": self.headers,
            "body": body,
            "created_at": self.created_at,
            "due_at": self.due_at,
            "state": self.state,
            "reason": self.reason,
            "rule": self.rule,
            "copy_of": self.copy_of,
            "redelivery_of": self.redelivery_of,
            "policy": self.policy.to_json(),
            "attempts": [
                {
                    "at": a.at,
                    "status": a.status,
                    "error": a.error,
                    "duration_ms": a.duration_ms,
                    "response_body": a.response_body,
                }
                for a in self.attempts
            ],
        }


@dataclass(slots=True, repr=False, eq=False)
class _Target:
    """One target's attempts due now, and how many senders work on them."""

    key: str
    due: deque[Delivery] = field(default_factory=deque)
    senders: int = 0
    waiting_turn: bool = False  # in the dispatcher's round of targets waiting for a sender


def target_allowed(url: str, hosts: tuple[str, ...]) -> bool:
    """Whether ``url``'s host is one of ``hosts`` (lower case); no hosts: any host."""
    if not hosts:
        return True
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return host in hosts


class Dispatcher:
    """Sends deliveries on the scheduler with one shared ClientSession."""

    def __init__(
        self,
        scheduler: Scheduler,
        log_size: int = DEFAULT_LOG_SIZE,
        check: Callable[[str, str | None, str, str, bytes], None] | None = None,
        max_pending: int = DEFAULT_MAX_PENDING,
        hosts: tuple[str, ...] = (),
        events: Events | None = None,
        shaper: Callable[[Delivery], Shape | None] | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.events = events if events is not None else Events()
        self._check = check  # strict mode: validates a body against its schema before it is queued
        #: the bounded history for display, oldest first (ids only grow)
        self.log: deque[Delivery] = deque(maxlen=log_size)
        #: every delivery not yet settled, by id (never evicted; see ``max_pending``)
        self.pending: dict[int, Delivery] = {}
        self.max_pending = max_pending
        #: hosts webhooks may go to (lower case); empty: any host
        self.hosts = tuple(h.lower() for h in hosts)
        #: what a scenario does to each delivery (the scenarios' ``shape_webhook``)
        self.shaper = shaper
        #: receiver -> (held delivery, its fallback timer, when it was due before it was held)
        self._held: dict[tuple[str, str, str], tuple[Delivery, Timer, float]] = {}
        self._ids = itertools.count(1)
        self._session: aiohttp.ClientSession | None = None
        self._timers: dict[Delivery, Timer] = {}  # the next attempt of each waiting delivery
        self._targets: dict[str, _Target] = {}  # targets with attempts due or in flight
        self._turns: deque[_Target] = deque()  # targets waiting for a sender, in turn
        self._senders = 0  # sender tasks running, each sending one attempt at a time
        self._in_flight: dict[int, Delivery] = {}
        self.refused = 0  # deliveries refused since start (host not allowed, too many pending)
        #: told of each delivery made, attempted, settled or rescheduled (the data file keeps it)
        self.changed: Callable[[Delivery], None] = _unheard

    # -- queueing -------------------------------------------------------------------
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
            next(self._ids),
            vendor,
            tenant,
            event,
            url,
            method.upper(),
            all_headers,
            body,
            now,
            now + delay,
            policy,
            fax_id,
            rule=rule,
        )
        if self.shaper is not None and self._shape(delivery):
            return delivery
        if self._admit(delivery):
            self._schedule(delivery)
        return delivery

    def redeliver(self, delivery_id: int) -> Delivery:
        """Send a logged delivery again now, as a new delivery with a fresh set of attempts
        (``redelivery_of``); scenarios do not shape it. NotFound if it is no longer known."""
        original = self.find(delivery_id)
        if original is None:
            raise NotFound(f"no webhook delivery {delivery_id} (the log keeps the last {self.log.maxlen})")
        now = self.scheduler.clock.now()
        again = dataclasses.replace(
            original,
            id=next(self._ids),
            headers=dict(original.headers),
            created_at=now,
            due_at=now,
            state="pending",
            attempts=[],
            copy_of=None,
            redelivery_of=original.id,
            reason=None,
        )
        if self._admit(again):
            self._schedule(again)
        return again

    def _admit(self, delivery: Delivery) -> bool:
        """Log a new delivery and count it pending; False (and ``refused``, with why) if its
        host is not allowed or too many are pending already."""
        self.log.append(delivery)
        self.changed(delivery)
        if not target_allowed(delivery.url, self.hosts):
            self._refuse(delivery, f"the target's host is not in the allowed webhook hosts ({', '.join(self.hosts)})")
            return False
        if len(self.pending) >= self.max_pending:
            self._refuse(delivery, f"{len(self.pending)} deliveries are pending already (the limit)")
            return False
        self.pending[delivery.id] = delivery
        return True

    def _refuse(self, delivery: Delivery, why: str) -> None:
        delivery.state, delivery.reason = "refused", why
        self.refused += 1
        self._count(delivery)
        log.warning("webhook %s to %s refused: %s", delivery.id, delivery.url, why)
        self._published(delivery)

    def _shape(self, delivery: Delivery) -> bool:
        """Apply the scenario's shape: True if this queued (or dropped) the delivery itself,
        False if it goes the ordinary way (perhaps later: ``delay`` moved its due time)."""
        shape = self.shaper(delivery) if self.shaper is not None else None
        if shape is not None:
            delivery.rule = shape.rule or delivery.rule
            delivery.due_at += shape.delay
            delivery.policy = delivery.policy.but(shape.retry)
        if shape is None or not (shape.drop or shape.out_of_order or shape.duplicate):
            self._release_held(delivery)
            return False
        if shape.drop:
            self.log.append(delivery)
            self.drop(delivery)
            return True
        if self._admit(delivery):
            if shape.out_of_order:
                self._hold(delivery)
            else:
                self._schedule(delivery)
                self._release_held(delivery)
        for number in range(1, shape.duplicate + 1):
            copy = Delivery(
                next(self._ids),
                delivery.vendor,
                delivery.tenant,
                delivery.event,
                delivery.url,
                delivery.method,
                dict(delivery.headers),
                delivery.body,
                delivery.created_at,
                delivery.due_at + number * GAP,
                delivery.policy,
                delivery.fax_id,
                rule=delivery.rule,
                copy_of=delivery.id,
            )
            if self._admit(copy):
                self._schedule(copy)
        return True

    def _schedule(self, delivery: Delivery) -> None:
        """The first attempt of ``delivery``, at its due time."""
        self._timers[delivery] = self.scheduler.at(delivery.due_at, self._attempt, delivery)

    def _release_held(self, delivery: Delivery) -> None:
        """Send the delivery held back for the same receiver, just after this one."""
        held = self._held.pop(_receiver(delivery), None)
        if held is not None:
            waiting, fallback, due = held
            fallback.cancel()
            waiting.due_at = max(due, delivery.due_at + GAP / 2)
            self._send_held(waiting)

    def _hold(self, delivery: Delivery) -> None:
        self.changed(delivery)
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
        self.changed(delivery)
        if delivery.state == "pending":  # not forgotten by a reset meanwhile
            self._schedule(delivery)

    def drop(self, delivery: Delivery) -> None:
        """Record a delivery that a scenario says is lost (never sent)."""
        delivery.state, delivery.reason = "dropped", f"dropped by the scenario rule {delivery.rule!r}"
        self.changed(delivery)
        self._count(delivery)
        self._published(delivery)

    # -- sending ----------------------------------------------------------------------
    def _attempt(self, delivery: Delivery) -> None:
        """An attempt is due: queue it on its target and start a sender for it if one may start."""
        self._timers.pop(delivery, None)
        if delivery.state != "pending":
            return
        key = delivery.url.split("?", 1)[0]
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = _Target(key)
        target.due.append(delivery)
        self._want_sender(target)
        self._start_senders()

    def _want_sender(self, target: _Target) -> None:
        """Put ``target`` in the round of targets waiting for a sender, if it needs one more."""
        if len(target.due) > target.senders and target.senders < PER_TARGET and not target.waiting_turn:
            target.waiting_turn = True
            self._turns.append(target)

    def _start_senders(self) -> None:
        """Start senders for the targets waiting, one target after another, within the limits."""
        while self._turns and self._senders < MAX_IN_FLIGHT:
            target = self._turns.popleft()
            target.waiting_turn = False
            if not target.due:  # its senders took everything meanwhile
                if not target.senders and self._targets.get(target.key) is target:
                    del self._targets[target.key]
                continue
            target.senders += 1
            self._senders += 1
            self.scheduler.spawn(self._sender(target), bound=target.key)
            self._want_sender(target)

    async def _sender(self, target: _Target) -> None:
        """Send the target's due attempts one after another until none is left, or until another
        target waits for a connection (then it takes its turn). A few senders draining a queue
        cost far less than a task per attempt."""
        try:
            while target.due:
                delivery = target.due.popleft()
                if delivery.state != "pending":  # cleared while it waited
                    continue
                self.scheduler.restarted()  # advance's wait counts for each attempt
                self._in_flight[delivery.id] = delivery
                try:
                    attempt = await self._send(delivery)
                finally:
                    self._in_flight.pop(delivery.id, None)
                self._settle(delivery, attempt)
                self._published(delivery)
                if self._turns and self._senders >= MAX_IN_FLIGHT:
                    break
        finally:
            target.senders -= 1
            self._senders -= 1
            self._want_sender(target)
            if not (target.due or target.senders or target.waiting_turn) and self._targets.get(target.key) is target:
                del self._targets[target.key]
            self._start_senders()

    async def _send(self, delivery: Delivery) -> Attempt:
        """One attempt of ``delivery``, whatever happens to it."""
        session = self._session
        if session is None or session.closed:
            # no connector-wide limit: the dispatcher bounds connections itself, per target
            session = self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0), auto_decompress=False
            )
        now = self.scheduler.clock.now()
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        answer: str | None = None
        try:
            async with session.request(
                delivery.method,
                delivery.url,
                data=delivery.body if delivery.method != "GET" else None,
                headers=delivery.headers,
                timeout=aiohttp.ClientTimeout(total=delivery.policy.timeout),
                allow_redirects=False,
            ) as response:
                status = response.status
                answer = (await response.read())[:MAX_ANSWER_BYTES].decode("utf-8", "replace")
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except Exception as exc:  # one broken delivery must not stop the others
            log.exception("webhook delivery %s failed", delivery.id)
            self.scheduler.errors.append(f"webhook delivery {delivery.id}: {exc!r}")
            error = type(exc).__name__
        return Attempt(now, status, error, round((time.perf_counter() - started) * 1000, 3), answer)

    def _published(self, delivery: Delivery) -> None:
        """Tell the event stream what became of a delivery: an attempt settled (``_settle``),
        or it was dropped or refused without one."""
        if self.events.subscribers:
            timer = self._timers.get(delivery) if delivery.state == "pending" else None
            self.events.publish(
                "webhook",
                _event_data(delivery, timer.due if timer is not None else None),
                delivery.vendor,
                delivery.tenant,
                delivery.fax_id,
            )

    def _settle(self, delivery: Delivery, attempt: Attempt) -> None:
        """Record an attempt's outcome and decide what follows: delivered, a retry, or given up.
        The one place an attempt ends (what an event stream would publish)."""
        delivery.attempts.append(attempt)
        self.changed(delivery)
        if delivery.state != "pending":  # cleared while the attempt was in flight
            return
        policy, status = delivery.policy, attempt.status
        if status is not None and status in policy.success:
            self._finish(delivery, "delivered", None)
            return
        if not (status is None or (policy.retry_5xx and status >= 500)):
            self._finish(delivery, "failed", f"answered {status}, which is not retried")
            return
        number = len(delivery.attempts) + 1
        if number > policy.attempts:
            self._finish(delivery, "failed", f"gave up after {policy.attempts} attempts")
            return
        now = self.scheduler.clock.now()
        at = now + policy.delay_before(number)
        if policy.give_up is not None:
            last = delivery.attempts[0].at + policy.give_up
            if now >= last:
                self._finish(delivery, "failed", f"gave up {policy.give_up:g} s after the first attempt")
                return
            at = min(at, last)
        self._timers[delivery] = self.scheduler.at(at, self._attempt, delivery)

    def _finish(self, delivery: Delivery, state: str, reason: str | None) -> None:
        delivery.state, delivery.reason = state, reason
        self.pending.pop(delivery.id, None)
        self._count(delivery)

    def _count(self, delivery: Delivery) -> None:
        """Coverage: how a delivery ended (the one place each ending passes)."""
        self.events.tally.delivery(
            delivery.vendor,
            delivery.tenant,
            delivery.event,
            delivery.state,
            len(delivery.attempts),
            delivery.copy_of is not None,
            delivery.redelivery_of is not None,
        )

    # -- reading ------------------------------------------------------------------------
    def in_flight(self) -> list[Delivery]:
        """Deliveries with an attempt due that has not ended: under way, or waiting for a sender
        of its target (what an ``advance`` that stopped waiting leaves out)."""
        waiting = [d for target in self._targets.values() for d in target.due if d.state == "pending"]
        return sorted([*self._in_flight.values(), *waiting], key=lambda d: d.id)

    def counts(self) -> dict[str, int | None]:
        """How full the dispatcher is, against its limits (health and the delivery log show it)."""
        return {
            "pending": len(self.pending),
            "max_pending": self.max_pending,
            "in_flight": len(self._in_flight),
            "refused": self.refused,
            "logged": len(self.log),
            "capacity": self.log.maxlen,
        }

    def entries(self) -> list[Delivery]:
        """Every delivery shown, oldest first: those still pending that the log no longer
        holds, then the log."""
        oldest = self.log[0].id if self.log else None
        evicted = [d for d in self.pending.values() if oldest is None or d.id < oldest]
        return evicted + list(self.log)

    def find(self, delivery_id: int) -> Delivery | None:
        found = self.pending.get(delivery_id)
        return found if found is not None else next((d for d in self.log if d.id == delivery_id), None)

    def query(
        self,
        *,
        vendor: str | None = None,
        tenant: str | None = None,
        event: str | None = None,
        state: str | None = None,
    ) -> list[Delivery]:
        return [
            d
            for d in self.entries()
            if (vendor is None or d.vendor == vendor)
            and (tenant is None or d.tenant == tenant)
            and (event is None or d.event == event)
            and (state is None or d.state == state)
        ]

    def clear(self, vendor: str | None = None, tenant: str | None = None) -> None:
        """Forget every delivery (or one vendor's or tenant's), cancelling those still to be
        attempted (on reset); an attempt in flight is not retried."""

        def chosen(delivery: Delivery) -> bool:
            return (vendor is None or delivery.vendor == vendor) and (tenant is None or delivery.tenant == tenant)

        for delivery in [d for d in self.pending.values() if chosen(d)]:
            timer = self._timers.pop(delivery, None)
            if timer is not None:
                timer.cancel()
            self._finish(delivery, "dropped", "forgotten by a reset")
        for key, (delivery, fallback, _) in list(self._held.items()):
            if chosen(delivery):
                fallback.cancel()
                del self._held[key]
        kept = [d for d in self.log if not chosen(d)]
        self.log.clear()
        self.log.extend(kept)

    # -- snapshots -------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Every delivery shown and, for each pending one, when it goes next (``plan``)."""
        entries = self.entries()
        return {
            "deliveries": entries,
            "logged_from": len(entries) - len(self.log),
            "schedule": {str(d.id): self.plan(d) for d in entries if d.state == "pending"},
            "next_id": self.next_id,
            "refused": self.refused,
        }

    def plan(self, delivery: Delivery) -> dict[str, Any]:
        """When a pending delivery goes next: ``next``, the emulated time of its next attempt;
        ``held``, a held one's fallback and original due times; neither: an attempt is under
        way, and is made again on ``restore`` (at least once, as the vendors deliver)."""
        timer = self._timers.get(delivery)
        held = self._held.get(_receiver(delivery))
        return {
            "next": timer.due if timer is not None and not timer.cancelled else None,
            "held": (held[1].due, held[2]) if held is not None and held[0] is delivery else None,
        }

    @property
    def next_id(self) -> int:
        """The id the next delivery gets."""
        return peek(self._ids)

    def restore(self, state: dict[str, Any]) -> None:
        """Hold ``state()``'s deliveries (after ``clear``) and send the pending ones on their
        schedule; ids continue."""
        deliveries: list[Delivery] = state["deliveries"]
        self.log.clear()
        self.log.extend(deliveries[state["logged_from"] :])
        now = self.scheduler.clock.now()
        for delivery in deliveries:
            if delivery.state != "pending":
                continue
            self.pending[delivery.id] = delivery
            plan = state["schedule"].get(str(delivery.id)) or {}
            if plan.get("held") is not None:
                fallback, due = plan["held"]
                key = _receiver(delivery)
                self._held[key] = (delivery, self.scheduler.at(fallback, self._release, key), due)
            else:
                at = plan.get("next")
                self._timers[delivery] = self.scheduler.at(now if at is None else at, self._attempt, delivery)
        self._ids = itertools.count(state["next_id"])
        self.refused = state["refused"]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _event_data(delivery: Delivery, next_retry: float | None) -> dict[str, Any]:
    """A ``webhook`` event: the delivery's state after its latest attempt (or its loss)."""
    last = delivery.attempts[-1] if delivery.attempts else None
    return {
        "id": delivery.id,
        "fax_id": delivery.fax_id,
        "vendor": delivery.vendor,
        "tenant": delivery.tenant,
        "event": delivery.event,
        "target": delivery.url,
        "attempt": len(delivery.attempts),
        "status": last.status if last else None,
        "error": last.error if last else None,
        "outcome": delivery.state,
        "reason": delivery.reason,
        "next_retry": next_retry,
        "rule": delivery.rule,
        "copy_of": delivery.copy_of,
        "redelivery_of": delivery.redelivery_of,
    }


def _unheard(delivery: Delivery) -> None:
    """No one keeps deliveries (the state is in memory only)."""


def _receiver(delivery: Delivery) -> tuple[str, str, str]:
    return (delivery.vendor, delivery.tenant, delivery.url)
