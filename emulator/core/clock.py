"""Clocks: the only source of "now" for the emulator.

Every dwell time, retry delay and timestamp is read from a clock, never from
``time.time()`` or ``asyncio.sleep`` in a handler, so a test on the manual clock is
fully deterministic.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """What the engine needs from a clock: the current emulated time."""

    mode: str
    speed: float

    def now(self) -> float:
        """Emulated time as POSIX seconds."""

    def wall_delay(self, emulated_seconds: float) -> float:
        """How many real seconds pass while ``emulated_seconds`` pass on this clock."""


class RealClock:
    """Wall time, optionally accelerated: at ``speed`` 60 a minute passes every second.

    Emulated time starts at the wall time of creation, so timestamps look real.
    """

    mode = "real"

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._origin_wall = time.time()
        self._origin_mono = time.monotonic()

    def now(self) -> float:
        return self._origin_wall + (time.monotonic() - self._origin_mono) * self.speed

    def wall_delay(self, emulated_seconds: float) -> float:
        return max(0.0, emulated_seconds / self.speed)


class ManualClock:
    """Time that moves only when told to (``advance``/``set``); used by tests."""

    mode = "manual"
    speed = 0.0

    def __init__(self, start: float | None = None) -> None:
        self._now = float(int(time.time()) if start is None else start)

    def now(self) -> float:
        return self._now

    def set(self, when: float) -> None:
        """Move to ``when``; time never goes backwards."""
        if when < self._now:
            raise ValueError("a manual clock cannot go backwards")
        self._now = when

    def wall_delay(self, emulated_seconds: float) -> float:
        return float("inf")


def make_clock(mode: str, speed: float = 1.0, start: float | None = None) -> RealClock | ManualClock:
    """Build the clock the configuration asks for."""
    if mode == "manual":
        return ManualClock(start)
    if mode == "real":
        return RealClock(speed)
    raise ValueError(f"unknown clock mode {mode!r}; expected 'real' or 'manual'")


def iso8601(timestamp: float) -> str:
    """UTC ISO 8601 with milliseconds and a Z, for the control API."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
