"""benchmarks/data_file.py on a few faxes: the file it makes loads back whole."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "data_file.py"
_spec = importlib.util.spec_from_file_location("benchmark_data_file", _PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


async def test_a_file_made_ahead_loads_back_every_fax(tmp_path):
    path = str(tmp_path / "many.sqlite")
    made = await bench.make(path, 200)
    assert made["faxes"] == 200 and made["file_mb"] > 0
    loaded = await bench.load(path)
    assert loaded["faxes"] == 200
