"""Fixtures of the browser tests: one Chromium and one emulator (manual clock, a free port)
for the browser tests' module; each test gets a fresh page and an emulator reset.

Module scope, not session: Playwright's sync API runs an event loop in the test thread
while it is started, so async tests elsewhere in the run must not meet a browser left open.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from emulator.testing.server import FaxEmulator
from tests.ui import browser as chromium

START = 1_767_258_000.0  # 2026-01-01 09:00 UTC
EXPECT_TIMEOUT_MS = 5_000  # the longest any expectation waits


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    why = chromium.missing()
    if why is not None:
        if os.environ.get("CI"):  # CI installs both: a missing one is a failure there, not a skip
            pytest.fail(why)
        pytest.skip(why)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def emulator(browser: Any) -> Iterator[FaxEmulator]:
    with FaxEmulator(start_time=START, seed=7) as emu:
        yield emu


@pytest.fixture
def page(browser: Any, emulator: FaxEmulator) -> Iterator[Any]:
    emulator.client.reset()
    emulator.client.clear_scenario()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=emulator.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"the page raised: {errors}"
