"""One frozen dataclass of settings, built from CLI flags (or by tests and the plugin)."""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator.core.documents import DEFAULT_MAX_UPLOAD
from emulator.core.journal import DEFAULT_SIZE as DEFAULT_JOURNAL_SIZE
from emulator.core.retention import DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_FAXES
from emulator.core.scheduler import DEFAULT_WAIT
from emulator.core.webhooks import DEFAULT_MAX_PENDING
from emulator.core.work import Limits as WorkLimits

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8329

#: a wildcard host (every interface) -> the loopback address a client on this machine uses;
#: "::" is IPv6 only (asyncio binds it with IPV6_V6ONLY), so its loopback is "::1"
_WILDCARD_LOOPBACK = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


def listens_everywhere(host: str) -> bool:
    """Whether ``host`` is a wildcard address: the server answers on every interface."""
    return host in _WILDCARD_LOOPBACK


def reachable_url(host: str, port: int) -> str:
    """``http://host:port`` as a client on this machine can open it: a wildcard host (which
    no client can connect to) becomes loopback, an IPv6 address goes in brackets."""
    host = _WILDCARD_LOOPBACK.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass(frozen=True, repr=False, eq=False)
class Config:
    """Settings of one emulator instance. Every limit here is documented in the README."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    clock: str = "real"  # "real" or "manual"
    speed: float = 1.0  # real clock only: emulated seconds per wall second
    start_time: float | None = None  # manual clock: POSIX time it starts at (default: now)
    seed: int | None = None  # ids and seeded randomness are reproducible from it
    journal_size: int = DEFAULT_JOURNAL_SIZE  # requests kept in the request log
    webhook_log_size: int = DEFAULT_JOURNAL_SIZE  # deliveries kept in the delivery log
    webhook_max_pending: int = DEFAULT_MAX_PENDING  # deliveries not yet settled, at most
    webhook_hosts: tuple[str, ...] = ()  # hosts webhooks may go to; empty: any host
    advance_wait: float = DEFAULT_WAIT  # wall seconds clock/advance waits for webhook attempts in flight
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD  # per uploaded document
    retain_faxes: int = DEFAULT_MAX_FAXES  # faxes kept; beyond, the oldest ended go
    retain_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES  # ended faxes' document bytes kept
    scenarios: tuple[str, ...] = ()
    strict: bool = False  # validate the emulator's own responses and webhooks
    fetch_allow: tuple[str, ...] = ()  # hosts (besides loopback) documents may be fetched from
    log_level: str = "info"
    #: what happens, printed to stdout while serving: "text" or "json" lines; None prints nothing
    console: str | None = None
    #: the SQLite file the state is kept in (core/persist.py); None: in memory only
    data: str | None = None
    work: WorkLimits = field(default_factory=WorkLimits)  # the worker pool for parsing and rendering (core/work.py)

    def __post_init__(self) -> None:
        if self.clock not in ("real", "manual"):
            raise ValueError(f"clock must be 'real' or 'manual', not {self.clock!r}")
        if self.speed <= 0:
            raise ValueError("speed must be positive")
        if self.clock == "manual" and self.speed != 1.0:
            raise ValueError("--speed applies to the real clock only")
        if not 0 <= self.port <= 65535:
            raise ValueError("port must be between 0 and 65535")
        if self.console not in (None, "text", "json"):
            raise ValueError(f"console must be 'text', 'json' or None, not {self.console!r}")
        if min(self.journal_size, self.webhook_log_size, self.max_upload_bytes, self.webhook_max_pending) < 1:
            raise ValueError("sizes and limits must be positive")
        if self.retain_faxes < 1 or self.retain_document_bytes < 0:
            raise ValueError("--retain-faxes must be at least 1 and --retain-documents-mb not negative")
        if not 0 <= self.advance_wait <= 3600:
            raise ValueError("the advance wait must be between 0 and 3600 seconds")
