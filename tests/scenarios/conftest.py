"""Fixtures for scenario tests: emulators with a scenario in force, and the fake vendor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from emulator.app import build_app
from emulator.config import Config
from emulator.core.scenarios import load_text
from emulator.vendors import VENDORS
from tests.conftest import START, runtime_of
from tests.scenarios.fake import FAKE

ALL = (*VENDORS, FAKE)


@pytest.fixture
def make_scenario_client(aiohttp_client: Any) -> Callable[..., Awaitable[TestClient]]:
    """An emulator (CallerIP and the fake vendor, manual clock) with ``text`` in force."""

    async def make(text: str | None = None, **settings: Any) -> TestClient:
        settings = {"clock": "manual", "start_time": START, "seed": 1234, **settings}
        client = await aiohttp_client(build_app(Config(**settings), ALL))
        if text is not None:
            runtime = runtime_of(client)
            runtime.scenarios.apply(load_text(text, "test.yaml", runtime.vendors))
        return client

    return make
