"""benchmarks/instructions.py reads callgrind's count and turns two runs into instructions per request."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "instructions.py"
_spec = importlib.util.spec_from_file_location("benchmark_instructions", _PATH)
instructions = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(instructions)

# valgrind's stderr as callgrind writes it (3.19), with the measured program's own output mixed in
STDERR = """==18573== Callgrind, a call-graph generating cache profiler
==18573== Command: python benchmarks/instructions.py --child --target callerip:emulator --requests 1000
==18573==
==18573== For interactive control, run 'callgrind_control -h'.
a warning the measured program printed: Collected : 99
==18573==
==18573== Events    : Ir
==18573== Collected : 2316625999
==18573==
==18573== I   refs:      2,316,625,999
"""


def test_the_count_is_callgrinds_summary_line_not_the_programs_output():
    assert instructions.collected(STDERR) == 2_316_625_999


@pytest.mark.parametrize("stderr", ["", "==1== Events    : Ir\n", STDERR + "==2== Collected : 5\n"])
def test_no_single_summary_line_is_an_error_not_a_number(stderr):
    with pytest.raises(ValueError, match="Collected"):
        instructions.collected(stderr)


def test_per_request_is_the_difference_from_the_baseline_over_the_requests():
    assert instructions.per_request(2_000_000_000, 2_284_419_000, 1000) == 284_419.0
    assert instructions.per_request(7, 7, 1) == 0.0


@pytest.mark.parametrize(("baseline", "measured", "requests"), [(10, 9, 1000), (10, 20, 0)])
def test_a_run_below_its_baseline_or_without_requests_is_refused(baseline, measured, requests):
    with pytest.raises(ValueError):
        instructions.per_request(baseline, measured, requests)


def test_every_run_gets_an_argument_of_the_same_length_that_reads_back():
    runs = [(None, 0), (("faxplus", "emulator"), 1000), (("kazoo", "bare"), 1000), (("callerip", "bare"), 50)]
    arguments = [instructions.run_argument(target, requests) for target, requests in runs]
    assert len({len(argument) for argument in arguments}) == 1
    assert [instructions.parse_run(argument) for argument in arguments] == runs


def test_a_run_too_long_for_the_fixed_width_is_refused_rather_than_let_shift_the_layout():
    with pytest.raises(ValueError, match="longer"):
        instructions.run_argument(("x" * 40, "emulator"), 1000)


def test_a_start_up_run_ends_as_the_server_says_it_listens():
    import subprocess
    import sys

    argv = instructions.startup_argv("bare")
    assert argv[:2] == [instructions.PYTHON, "-c"]
    done = subprocess.run([sys.executable, *argv[1:]], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("bare listening on http://127.0.0.1:")  # and it did not go on serving
