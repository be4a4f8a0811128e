"""benchmarks/soak.py for a few seconds with a few clients: no server error, bounded memory."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "soak.py"
_spec = importlib.util.spec_from_file_location("benchmark_soak", _PATH)
soak = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(soak)

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="samples RSS from /proc (Linux)")


def test_a_short_soak_with_a_hostile_client_answers_no_5xx_and_stays_bounded():
    result = soak.run(clients=6, seconds=4, hostile_mb=4)
    assert result["client_failures"] == [], result
    assert result["server_errors"] == 0, result["server_error_samples"]
    # every vendor and the hostile client were served, whatever this machine's speed
    assert result["requests"] >= 20 and result["health"]["reads"] >= 5 and result["health"]["failures"] == 0, result
    # generous (the emulator starts at about 45 MiB): a bound, not a measurement; the soak itself reports the slope
    assert result["rss_mb"]["peak"] < 400, result["rss_mb"]


def test_the_slope_is_the_least_squares_fit_in_mib_a_minute():
    assert soak.slope_mb_per_minute([(0.0, 100.0), (30.0, 101.0), (60.0, 102.0)]) == pytest.approx(2.0)
    assert soak.slope_mb_per_minute([(5.0, 80.0)]) == 0.0


def test_a_sample_is_between_uploads_when_none_is_in_flight_nor_just_answered():
    uploads = soak.Uploads()
    assert uploads.quiet(100.0)
    uploads.sending += 1
    assert not uploads.quiet(100.0)
    uploads.sending -= 1
    uploads.ended = 100.0
    assert not uploads.quiet(100.0 + soak.UPLOAD_SETTLES / 2) and uploads.quiet(100.0 + soak.UPLOAD_SETTLES)


def test_a_census_reports_the_servers_memory_part_by_part(tmp_path):
    report = tmp_path / "census.txt"
    result = soak.run(clients=4, seconds=4, hostile_mb=1, census=str(report))
    assert result["server_errors"] == 0, result["server_error_samples"]
    text = report.read_text()
    # three, or two when a slow machine's short run ends as the last is asked for
    assert text.count("== census at") >= 2 and "count: faxes in the store" in text and "journal.requests" in text
    assert "pymalloc arenas" in text and "== change from" in text
