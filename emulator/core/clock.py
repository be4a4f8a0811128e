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

    def state(self) -> dict[str, float | str]:
        """Where the clock stands: the emulated time at a wall time (snapshots)."""
        return {"mode": self.mode, "speed": self.speed, "now": self.now(), "wall": time.time()}

    def restore(self, state: dict[str, float | str]) -> None:
        """Resume from ``state()``: the wall time since then has passed at the clock's speed,
        so what fell due meanwhile is due now, in order."""
        elapsed = max(0.0, time.time() - float(state.get("wall", time.time())))
        self._origin_wall = float(state["now"]) + elapsed * self.speed
        self._origin_mono = time.monotonic()


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

    def state(self) -> dict[str, float | str]:
        """Where the clock stands (snapshots)."""
        return {"mode": self.mode, "speed": self.speed, "now": self._now}

    def restore(self, state: dict[str, float | str]) -> None:
        """Stand where ``state()`` stood (even earlier: the whole state is replaced with it)."""
        self._now = float(state["now"])


def make_clock(mode: str, speed: float = 1.0, start: float | None = None) -> RealClock | ManualClock:
    """Build the clock the configuration asks for."""
    if mode == "manual":
        return ManualClock(start)
    if mode == "real":
        return RealClock(speed)
    raise ValueError(f"unknown clock mode {mode!r}; expected 'real' or 'manual'")


def check_state(state: object, clock: Clock) -> dict[str, float | str]:
    """A snapshot's ``clock`` if ``clock`` can resume from it; ValueError why not. The mode
    and speed are chosen when the emulator starts, as for a scenario's clock."""
    if not isinstance(state, dict) or not {"mode", "speed", "now"} <= set(state):
        raise ValueError("clock must be an object with mode, speed and now")
    if state["mode"] != clock.mode:
        raise ValueError(
            f"the state was saved on the {state['mode']} clock and this emulator runs the {clock.mode} "
            f"clock; start it with --clock {state['mode']}"
        )
    numbers = [state["now"], state["speed"], state.get("wall", 0.0)]
    if not all(isinstance(n, int | float) and not isinstance(n, bool) and n >= 0 for n in numbers):
        raise ValueError("clock.now, speed and wall must be numbers from 0")
    if clock.mode == "real" and state["speed"] != clock.speed:
        raise ValueError(
            f"the state was saved at speed {state['speed']:g} and this emulator runs at {clock.speed:g}; "
            f"start it with --speed {state['speed']:g}"
        )
    return state


def iso8601(timestamp: float) -> str:
    """UTC ISO 8601 with milliseconds and a Z, for the control API."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
