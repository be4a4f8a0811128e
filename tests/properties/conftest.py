"""Fixtures of the property tests: one threaded emulator per module, checked for its own contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.testing import FaxEmulator
from tests.conftest import START


def own_violations(emulator: FaxEmulator, since: int = 0) -> list[str]:
    """Strict mode's findings about the emulator's own responses and webhooks, one line each."""
    return [v.describe() for v in emulator.client.violations(since=since) if v.kind in ("response", "webhook")]


@pytest.fixture(scope="module")
def emulator() -> Iterator[FaxEmulator]:
    """A strict emulator on the manual clock, shared by a module's tests (each uses its own tenants)."""
    with FaxEmulator(start_time=START, seed=4321) as running:
        yield running
