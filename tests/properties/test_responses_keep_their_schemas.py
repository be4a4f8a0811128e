"""Schemathesis on every vendor operation: no 5xx, every answer matches its contract's schema.

Each operation runs against the live emulator with valid credentials and some existing ids
(see ``fuzz``); afterwards the emulator's own strict mode must have found nothing wrong with
what it answered (``GET /_emulator/violations``, kinds ``response`` and ``webhook``).
"""

from __future__ import annotations

from typing import Any

import pytest

from emulator.testing import FaxEmulator
from emulator.vendors import VENDORS
from tests.properties import fuzz
from tests.properties.conftest import own_violations
from tests.properties.vendors import DRIVERS


def _operations() -> list[Any]:
    """One case per operation (every operation has a contract: tests/contracts/test_openapi.py)."""
    return [pytest.param(vendor, op, id=f"{vendor.name}-{op}") for vendor in VENDORS for op in vendor.operations]


_schemas: dict[str, Any] = {}


@pytest.mark.parametrize(("vendor", "operation"), _operations())
def test_no_5xx_and_every_answer_keeps_its_schema(emulator: FaxEmulator, vendor: Any, operation: str) -> None:
    if vendor.name not in _schemas:
        _schemas[vendor.name] = fuzz.load(emulator, vendor.name)
    driver = DRIVERS[vendor.name](emulator, f"fuzz {operation}")
    try:
        known = driver.seed()
        baseline = emulator.client.last_violation()
        statuses = fuzz.exercise(_schemas[vendor.name].find_operation_by_id(operation), driver, known)
    finally:
        driver.close()
    assert statuses, "no request was made"
    assert own_violations(emulator, since=baseline) == []
