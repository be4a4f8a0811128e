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


def test_a_send_is_written_as_wrk_writes_it():
    raw = instructions._raw("PUT", "/v2/x?y=1", {"X-Auth-Token": "t"}, b"body")
    assert raw == b"PUT /v2/x?y=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: t\r\nContent-Length: 4\r\n\r\nbody"


def test_a_send_run_drives_the_real_server_over_its_sockets_and_ends_it_at_once_on_its_signal(monkeypatch):
    import asyncio
    import signal

    monkeypatch.syspath_prepend(str(_PATH.parent))  # as when it runs as a script: its neighbours import
    bare = str(_PATH.parent / "bare_app.py")
    argv = [instructions.PYTHON, "-c", instructions.UNTIL_SIGNALLED, bare, "--port", "0"]
    process, port = instructions._started(argv, "bare listening on")
    try:
        raws = [instructions._raw("POST", "/send", {"Content-Type": "application/pdf"}, b"%PDF-1.4 bench")]
        assert asyncio.run(instructions._drive(port, raws, 21, 4)) == 0  # every answer 2xx
        instructions._until_idle(process.pid)
        process.send_signal(signal.SIGUSR1)
        process.communicate(timeout=30)
        assert process.returncode == 0  # os._exit(0): the server's own shutdown never ran
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
