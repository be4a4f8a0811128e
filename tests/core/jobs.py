"""Jobs for the worker pool's tests, in a module of their own: a worker imports it to run
one, and it imports nothing heavy (a test module would bring pytest and the whole app)."""

from __future__ import annotations

import os
import time

from emulator.core.errors import Invalid


def pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def spin(seconds: float) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "done"


def nap(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def refuse(why: str) -> None:
    raise Invalid(why, code="bad_thing", field="x")


def unpicklable_error() -> None:
    class Local(Exception):
        pass

    raise Local("made inside the job")


def imported(names: list[str]) -> list[str]:
    """Which of ``names`` the worker had imported before this job (this module imports none of them)."""
    import sys

    return [name for name in names if name in sys.modules]
