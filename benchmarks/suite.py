"""What a user's test suite feels: the ``fax_emulator`` fixture's cost per test, and a small suite.

    python benchmarks/suite.py            # prints one JSON line
    python benchmarks/suite.py --tests 50

Each case is a pytest run, in its own process, of generated test files as a user writes them
(the plugin comes with the install): ``--tests`` empty tests without the fixture (the
baseline), the same with a fresh emulator per test (function scope) and with one emulator
shared by the session (reset before each test), and a small suite of tests that each send a
CallerIP fax with ``requests`` and run its transmission to the end, in each scope. A test's
cost is what pytest spends on it (setup, call and teardown, summed by a hook); the first test
of a session is left out, since it also starts the shared emulator and imports what the
fixture needs once. The fixture's cost per test is the difference from the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: a pytest plugin of the generated suite: each test's setup + call + teardown, in seconds
_TIMER = """
import json, os

_spent = {}


def pytest_runtest_logreport(report):
    _spent[report.nodeid] = _spent.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session):
    with open(os.environ["SUITE_TIMES"], "w") as out:
        json.dump(list(_spent.values()), out)
"""

_EMPTY = """
def test_{n}():
    pass
"""

_FIXTURE = """
def test_{n}(fax_emulator):
    pass
"""

_SEND = """
import requests

from emulator.testing import make_pdf

PDF = make_pdf(1)


def send(fax_url, token, number):
    answer = requests.post(
        f"{fax_url}/send",
        data={"token": token, "number": number},
        files={"file": ("invoice.pdf", PDF, "application/pdf")},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["uuid"]
""" + "".join(
    f"""

def test_send_{n}(fax_emulator):
    fax_id = send(fax_emulator.base_url("callerip"), fax_emulator.credentials("callerip").token, "2125550100")
    fax_emulator.run_until_idle()
    assert fax_emulator.fax(fax_id).status == "Success"
"""
    for n in range(1000)
)


def run_suite(folder: Path, tests: str, count: int, scope: str) -> dict[str, Any]:
    """Run ``count`` tests of the ``tests`` template in a fresh pytest process."""
    case = folder / f"{scope}-{abs(hash(tests))}"
    case.mkdir()
    (case / "conftest.py").write_text(_TIMER)
    (case / "pytest.ini").write_text(f"[pytest]\nfax_emulator_scope = {scope}\n")
    if tests == "send":
        body = _SEND.split("\n\ndef test_send_")
        (case / "test_suite.py").write_text("\n\ndef test_send_".join(body[: count + 1]))
    else:
        (case / "test_suite.py").write_text("".join(tests.format(n=n) for n in range(count)))
    times = case / "times.json"
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", str(case)],
        cwd=case,
        env={**os.environ, "SUITE_TIMES": str(times)},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"the {scope} suite failed:\n{done.stdout[-3000:]}")
    wall = time.perf_counter() - began
    spent = json.loads(times.read_text())
    return {"wall_s": round(wall, 3), "per_test_ms": statistics.median(spent[1:]) * 1000, "first_ms": spent[0] * 1000}


def measure(tests: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as where:
        folder = Path(where)
        plain = run_suite(folder, _EMPTY, tests, "function")
        function = run_suite(folder, _FIXTURE, tests, "function")
        session = run_suite(folder, _FIXTURE, tests, "session")
        send_function = run_suite(folder, "send", tests, "function")
        send_session = run_suite(folder, "send", tests, "session")
    return {
        "tests": tests,
        "baseline_ms": round(plain["per_test_ms"], 3),
        "function_fixture_ms": round(function["per_test_ms"] - plain["per_test_ms"], 3),
        "session_reset_ms": round(session["per_test_ms"] - plain["per_test_ms"], 3),
        "session_first_ms": round(session["first_ms"], 1),
        "suite_function_s": send_function["wall_s"],
        "suite_session_s": send_session["wall_s"],
        "suite_send_function_ms": round(send_function["per_test_ms"], 2),
        "suite_send_session_ms": round(send_session["per_test_ms"], 2),
        "pytest_alone_s": plain["wall_s"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=100, help="tests in each suite (at most 1000)")
    args = parser.parse_args()
    print(json.dumps(measure(min(args.tests, 1000))))


if __name__ == "__main__":
    main()
