"""What a loaded scenario is: plain, immutable values built from a validated document.

The loader (``loader.py``) builds these; the manager (``manager.py``) keeps the
per-run state (counters, the seeded random source) beside them, so one ``Scenario``
can be applied many times and always behaves the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from emulator.core.outcomes import Outcome
from emulator.core.scenarios.match import Match

if TYPE_CHECKING:
    from emulator.core.documents import Document


@dataclass(frozen=True, slots=True)
class FaultAction:
    """An HTTP fault on the vendor API (see the README for each key)."""

    status: int | None = None
    message: str | None = None
    retry_after: int | None = None
    latency: tuple[float, float] | None = None  # wall seconds: fixed (low == high) or a seeded range
    reset: str | None = None  # "before": not processed; "after": processed, answer lost
    body: str | None = None  # "truncated" | "malformed" | "empty"

    @property
    def aborts(self) -> bool:
        """Whether the request is not processed at all (the handler does not run)."""
        return self.status is not None or self.reset == "before"

    def describe(self, latency: float | None = None) -> str:
        """A short account for the journal, e.g. ``status 503`` or ``reset after``;
        ``latency`` is the one drawn from a range."""
        parts = []
        if self.status is not None:
            parts.append(f"status {self.status}")
        if self.retry_after is not None:
            parts.append(f"retry-after {self.retry_after}")
        if self.reset is not None:
            parts.append(f"reset {self.reset}")
        if self.body is not None:
            parts.append(f"body {self.body}")
        if self.latency is not None:
            low, high = self.latency
            drawn = f" (drew {latency:.4f}s)" if latency is not None and low != high else ""
            parts.append(f"latency {low:g}s" if low == high else f"latency {low:g}-{high:g}s{drawn}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class WebhookAction:
    """What happens to a matching webhook delivery."""

    delay: float = 0.0
    duplicate: int = 0
    out_of_order: bool = False
    drop: bool = False
    retry: dict[str, Any] | None = None  # changes to the vendor's webhook retry policy (RetryPolicy.but)


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule. It answers one of three questions: what fault a request gets (``fault``),
    what happens to a webhook (``webhook``), or how a fax attempt ends and how long its
    states last (``outcome``/``native``/``pages_sent``/``delays``)."""

    label: str  # the rule's name, or "<file> rule N": shown in the journal and on faxes
    match: Match
    outcomes: tuple[Outcome, ...] = ()  # attempt n gets outcomes[n-1]; the last repeats
    native: str | None = None
    pages_sent: int | None = None
    delays: dict[str, float] = field(default_factory=dict)
    fault: FaultAction | None = None
    webhook: WebhookAction | None = None
    times: int | None = None  # acts at most this many times

    @property
    def decides_outcome(self) -> bool:
        """Whether the rule says how an attempt ends (not only how long states last)."""
        return bool(self.outcomes) or self.native is not None or self.pages_sent is not None

    def outcome_for(self, attempt: int) -> Outcome:
        """The neutral outcome of attempt number ``attempt`` under this rule."""
        if self.outcomes:
            return self.outcomes[min(attempt, len(self.outcomes)) - 1]
        if self.pages_sent is not None and self.native is None:
            return Outcome.PARTIAL
        return Outcome.INTERNAL_ERROR  # a native status alone: a failure the vendor words itself


@dataclass(frozen=True, slots=True)
class InboundSpec:
    """Faxes that arrive: ``count`` of them from ``at``, ``every`` seconds apart."""

    vendor: str
    to: str
    sender: str
    tenant: str | None = None
    pages: int = 1
    at: float = 0.0  # seconds after the scenario starts ...
    at_time: float | None = None  # ... or this absolute clock time
    count: int = 1
    every: float = 0.0
    options: dict[str, Any] = field(default_factory=dict)
    document: Document | None = None  # read from the file it names; None: a generated letter


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One step of ``steps``, with where it was written (file paths in it are relative to it)."""

    data: dict[str, Any]
    source: str
    index: int  # 0-based position in its file
    base_dir: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A validated, composed scenario."""

    name: str
    description: str = ""
    sources: tuple[str, ...] = ()
    seed: int | None = None
    clock: dict[str, Any] = field(default_factory=dict)  # mode, speed, start (POSIX seconds)
    accounts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    timing: dict[str, dict[str, float]] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    inbound: tuple[InboundSpec, ...] = ()
    steps: tuple[StepSpec, ...] = ()
    document: dict[str, Any] = field(default_factory=dict)  # the composed document, as written
