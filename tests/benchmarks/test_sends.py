"""benchmarks/sends.py: each vendor's send, as the sends benchmark replays it, is a send the emulator takes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from emulator.app import build_app
from emulator.config import Config
from emulator.vendors import VENDORS

_HERE = Path(__file__).resolve().parents[2] / "benchmarks"
_spec = importlib.util.spec_from_file_location("benchmark_sends", _HERE / "sends.py")
sends = importlib.util.module_from_spec(_spec)
sys.modules["benchmark_sends"] = sends
_spec.loader.exec_module(sends)

_hot = importlib.util.spec_from_file_location("benchmark_hot_reads", _HERE / "hot_reads.py")
hot_reads = importlib.util.module_from_spec(_hot)
_hot.loader.exec_module(hot_reads)


def test_every_vendor_has_a_hot_read_and_a_send_to_measure():
    """docs/architecture.md "Adding a vendor": the benchmarks measure each vendor's poll and send."""
    names = sorted(v.name for v in VENDORS)
    assert sorted(hot_reads.HOT_READS) == names
    assert sorted(sends.SENDS) == names


CASES = [
    (vendor, document)
    for vendor in sends.SENDS
    for document in sends.DOCUMENTS
    if (vendor, document[0]) not in sends.NOT_TAKEN
]


@pytest.mark.parametrize(("vendor", "document"), CASES, ids=[f"{v}-{d[0]}" for v, d in CASES])
async def test_each_send_replayed_makes_a_fax_each_time(vendor, document):
    async with TestServer(build_app(Config(clock="manual"))) as server, aiohttp.ClientSession() as session:
        base = str(server.make_url("")).rstrip("/")
        requests = await sends.SENDS[vendor][1](session, base, document)
        for _ in range(2):  # the benchmark sends the same requests over and over
            for method, url, headers, body in requests:
                async with session.request(method, url, headers=headers, data=body) as response:
                    assert response.status < 300, await response.text()
        async with session.get(f"{base}/_emulator/faxes") as response:
            listed = await response.json()
        faxes = listed["faxes"] if isinstance(listed, dict) else listed
        assert len(faxes) == 2
