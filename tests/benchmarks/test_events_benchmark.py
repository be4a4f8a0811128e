"""benchmarks/events.py on a few faxes: a reading browser gets every change; a slow one stays bounded."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from emulator.core.documents import make_pdf

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "events.py"
_spec = importlib.util.spec_from_file_location("benchmark_events", _PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


async def test_a_reading_browser_gets_every_change():
    bench.PDF = make_pdf(1)
    result = await bench.run(20, 10, "browser")
    assert result["changes"] == 80 and result["read"] == 80
    assert (result["ended"], result["dropped_markers"], result["coalesced"]) == (20, 0, 0)


async def test_a_client_that_never_reads_leaves_a_bounded_queue(monkeypatch):
    from emulator.control import events

    bench.PDF = make_pdf(1)
    monkeypatch.setattr(events, "QUEUE_LIMIT", 10)
    result = await bench.run(40, 20, "slow")
    assert result["largest_queue"] <= 10


def test_the_report_shows_the_events_part(run):
    result = {
        "browser": {"changes": 8000, "read": 8000, "read_per_second": 3400.0, "coalesced": 0},
        "slow": {"largest_queue": 1000, "queue_limit": 1000},
        "browser_time_ratio": 9.9,
    }
    report = run.markdown({"when": "now", "machine": "2 cores", "events": result}, [])
    assert "| 8000 | 8000 | 3400 | x9.90 | 0 | 1000 (1000) |" in report
