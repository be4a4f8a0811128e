"""One frozen dataclass of settings, built from CLI flags (or by tests and the plugin)."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.core.documents import DEFAULT_MAX_UPLOAD
from emulator.core.journal import DEFAULT_SIZE as DEFAULT_JOURNAL_SIZE

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8329


@dataclass(frozen=True)
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
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD  # per uploaded document
    scenarios: tuple[str, ...] = ()
    strict: bool = False  # validate the emulator's own responses and webhooks
    fetch_allow: tuple[str, ...] = ()  # hosts (besides loopback) documents may be fetched from
    log_level: str = "info"

    def __post_init__(self) -> None:
        if self.clock not in ("real", "manual"):
            raise ValueError(f"clock must be 'real' or 'manual', not {self.clock!r}")
        if self.speed <= 0:
            raise ValueError("speed must be positive")
        if self.clock == "manual" and self.speed != 1.0:
            raise ValueError("--speed applies to the real clock only")
        if not 0 <= self.port <= 65535:
            raise ValueError("port must be between 0 and 65535")
        if self.journal_size < 1 or self.webhook_log_size < 1 or self.max_upload_bytes < 1:
            raise ValueError("sizes and limits must be positive")
