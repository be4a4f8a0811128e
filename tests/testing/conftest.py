"""Fixtures for testing emulator.testing: a FaxEmulator thread with CallerIP and a fake vendor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import urllib3

from emulator.testing.client import ControlClient
from emulator.testing.server import FaxEmulator
from emulator.vendors import VENDORS
from tests.conftest import START
from tests.testing import fake_vendor


@pytest.fixture
def emulator() -> Iterator[FaxEmulator]:
    with FaxEmulator(vendors=(*VENDORS, fake_vendor.VENDOR), start_time=START, seed=1234) as emu:
        yield emu


@pytest.fixture
def control(emulator: FaxEmulator) -> ControlClient:
    return emulator.client


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    """A synchronous HTTP client, as an application's vendor SDK would use (FAX.PLUS's is urllib3)."""
    with urllib3.PoolManager() as pool:
        yield pool


def send_fake(
    http: urllib3.PoolManager, emulator: FaxEmulator, to: str = "+15550100", token: str = "t1", hook: str | None = None
) -> str:
    """Send a fax through the fake vendor; its id."""
    response = http.request(
        "POST", emulator.base_url("fake") + "/send", json={"to": to, "hook": hook}, headers={"X-Token": token}
    )
    assert response.status == 201, response.data
    return response.json()["id"]
