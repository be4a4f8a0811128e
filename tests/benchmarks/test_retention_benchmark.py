"""benchmarks/retention.py on a few faxes in small waves: the store holds what it is told to."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "retention.py"
_spec = importlib.util.spec_from_file_location("benchmark_retention", _PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


async def test_many_waves_leave_the_retained_faxes_only(monkeypatch):
    monkeypatch.setattr(bench, "WAVE", 50)
    result = await bench.measure(300, 40)
    assert (result["held"], result["faxes_dropped"]) == (40, 260)
    assert result["document_bytes"] == 40 * bench.DOCUMENT_BYTES and result["documents_dropped"] == 0


async def test_through_a_data_file_the_file_keeps_only_the_retained_faxes(monkeypatch, tmp_path):
    import sqlite3

    monkeypatch.setattr(bench, "WAVE", 50)
    path = str(tmp_path / "kept.sqlite")
    result = await bench.measure(300, 40, path)
    assert (result["held"], result["faxes_dropped"]) == (40, 260) and result["file_mb"] > 0
    assert sqlite3.connect(path).execute("SELECT count(*) FROM faxes").fetchone()[0] == 40
