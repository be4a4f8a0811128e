"""A fax and its vendor's record convert to plain data and back (``Fax.to_data``,
``core.store.fax_from_data``), whatever state the fax is in: persistence and state
snapshots rest on it. Each vendor's faxes are made through its own HTTP API."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from emulator.core.store import Fax, fax_from_data
from emulator.core.views import fax_json
from emulator.testing import FaxEmulator
from tests.conftest import START
from tests.properties.vendors import DRIVERS


@pytest.fixture(scope="module")
def emulator() -> Iterator[FaxEmulator]:
    # a document budget of one byte: every ended fax loses its documents' bytes at once
    with FaxEmulator(start_time=START, seed=99, retain_document_bytes=1) as running:
        yield running


def as_json(data: dict[str, Any]) -> str:
    """``data`` as the state snapshot writes it: documents' bytes in base64."""
    return json.dumps(data, default=lambda b: base64.b64encode(b).decode(), sort_keys=True)


def from_json(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    for document in data["documents"]:
        document["data"] = base64.b64decode(document["data"])
    return data


def kinds(fax: Fax, cancelled: str | None) -> set[str]:
    """The states a fax shows that the round trip must carry."""
    found = {fax.direction}
    if fax.terminal:
        found.add(
            "cancelled"
            if fax.status == cancelled
            else ("failed" if fax.result and not fax.result.outcome.ok else "ended")
        )
    else:
        found.add("running")
    if fax.attempts > 1:
        found.add("retried")
    if fax.aliases:
        found.add("aliased")
    if fax.documents_expired:
        found.add("documents expired")
    if fax.documents:
        found.add("with documents")
    return found


@pytest.mark.parametrize("vendor", sorted(DRIVERS))
def test_every_fax_converts_to_plain_data_and_back(emulator: FaxEmulator, vendor: str) -> None:
    driver = DRIVERS[vendor](emulator, "round-trip")
    client = emulator.client
    runtime = emulator.runtime
    spec = runtime.vendors[vendor]
    try:
        driver.send(driver.destination("5550100"), 0)  # succeeds
        driver.send(driver.destination("5550001"), 2)  # busy: retried where the vendor retries, then fails
        if spec.receive is not None:
            client.inbound(vendor, driver.own_number(), "+14155550100", tenant=driver.tenant)
        client.run_until_idle()
        cancelled = driver.send(driver.destination("5550100"), 0)
        driver.cancel(client.fax(cancelled))
        driver.send(driver.destination("5550100"), 0)  # still running
    finally:
        driver.close()
    faxes = [f for f in runtime.store.all_faxes() if f.vendor == vendor]
    shown: set[str] = set()
    for fax in faxes:
        data = fax.to_data()
        loaded = fax_from_data(from_json(as_json(data)), runtime.vendors)
        assert loaded is not fax and loaded.to_data() == data
        assert type(loaded.record) is spec.record
        assert fax_json(runtime, loaded) == fax_json(runtime, fax)  # the neutral view and the vendor's own
        shown |= kinds(fax, spec.machine.cancelled)
    wanted = {"outbound", "ended", "failed", "running", "documents expired", "with documents"}
    if spec.receive is not None:
        wanted.add("inbound")
    if spec.machine.cancelled is not None:
        wanted.add("cancelled")
    if spec.machine.requeue is not None:
        wanted.add("retried")
    if vendor in ("faxplus", "kazoo"):  # the vendors that re-id finished faxes
        wanted.add("aliased")
    assert wanted <= shown


def test_a_fax_of_a_vendor_with_no_record_class_converts_too() -> None:
    fax = Fax(id="f1", vendor="bare", tenant="t", direction="outbound", to="1", sender="2", status="s", created_at=1.0)
    fax.entered += (1.0, "s")

    class Bare:
        record = None

    data = fax.to_data()
    assert fax_from_data(json.loads(json.dumps(data)), {"bare": Bare()}).to_data() == data
