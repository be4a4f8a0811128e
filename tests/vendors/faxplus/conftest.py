"""Fixtures for FAX.PLUS: a threaded emulator and the official SDK bound to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emulator.testing import FaxEmulator
from tests.conftest import START
from tests.vendors.faxplus.sdk import Sdk, make_sdk


@pytest.fixture
def emulator() -> Iterator[FaxEmulator]:
    with FaxEmulator(start_time=START, seed=1234) as running:
        yield running
        own = [v for v in running.client.violations() if v.kind in ("response", "webhook")]
        assert not own, "the emulator broke its own contract:\n" + "\n".join(v.describe() for v in own)


@pytest.fixture
def make(emulator: FaxEmulator, tmp_path: Path) -> Iterator[Callable[[str], Sdk]]:
    """``make(token)``: the SDK for another account or user."""
    made: list[Sdk] = []

    def build(token: str) -> Sdk:
        folder = tmp_path / f"sdk{len(made)}"
        folder.mkdir()
        made.append(make_sdk(emulator, token, folder))
        return made[-1]

    yield build
    for sdk in made:
        sdk.close()


@pytest.fixture
def sdk(make: Callable[[str], Sdk]) -> Sdk:
    """The SDK for an individual account."""
    return make("alohi_pat_test_individual")
