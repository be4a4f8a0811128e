"""benchmarks/suite.py: the user's suite it generates runs green, and each test's cost is read back."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parents[2] / "benchmarks"
_spec = importlib.util.spec_from_file_location("benchmark_suite", _HERE / "suite.py")
suite = importlib.util.module_from_spec(_spec)
sys.modules["benchmark_suite"] = suite
_spec.loader.exec_module(suite)


def test_the_generated_sending_suite_passes_in_a_shared_emulator(tmp_path):
    result = suite.run_suite(tmp_path, "send", 3, "session")  # a failing test raises, with pytest's output
    assert result["per_test_ms"] > 0 and result["first_ms"] > 0
