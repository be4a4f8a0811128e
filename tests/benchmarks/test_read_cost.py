"""benchmarks/read_cost.py: each server (benchmarks/served_without.py) takes away what it says
it does, a read's cost over the bare app is worked out per round, and a short run measures all
four servers against the bare app."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import urllib.error
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def read_cost(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """benchmarks/read_cost.py as a module, its servers not pinned to a core."""
    monkeypatch.syspath_prepend(str(HERE))
    spec = importlib.util.spec_from_file_location("benchmark_read_cost", HERE / "read_cost.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module.run, "pinned", lambda core, argv: argv)
    return module


def _served(read_cost: ModuleType, variant: str) -> tuple[list[dict], list[dict], bytes]:
    """A CallerIP fax sent to one server, its status read twice, once with a query its contract
    refuses (an unknown parameter), and a path no route has: the request log, the violations
    and the read's answer."""
    run = read_cost.run
    server, base = run.start(read_cost.launch(variant), read_cost.READY)
    try:
        url, headers = asyncio.run(run._setup("callerip", base))
        answer = run.get(url, headers)
        run.get(url + "&unknown=1", headers)
        with pytest.raises(urllib.error.HTTPError) as stray:  # the vendor's 404, whatever is taken away
            run.get(base + "/api/fax/nowhere")
        stray.value.close()
        assert stray.value.code == 404
        log = json.loads(run.get(base + "/_emulator/requests"))["requests"]
        violations = json.loads(run.get(base + "/_emulator/violations"))["violations"]
    finally:
        run.stop(server)
    return log, violations, answer


def test_each_server_takes_away_its_part_and_answers_the_same(read_cost):
    served = _served(read_cost, "served")
    without_journal = _served(read_cost, "no-journal")
    without_either = _served(read_cost, "no-journal-check")
    # the served emulator logs the send, both reads and the stray path, and finds the unknown parameter
    assert [entry["operation"] for entry in served[0]] == ["send_fax", "fax_status", "fax_status", None]
    assert [v["operation"] for v in served[1]] == ["fax_status"]
    # without its journal it logs nothing but still checks; without both, it checks nothing
    assert without_journal[0] == [] and [v["operation"] for v in without_journal[1]] == ["fax_status"]
    assert without_either[0] == [] and without_either[1] == []
    # and each answers the read alike
    answers = [json.loads(answer) for *_, answer in (served, without_journal, without_either)]
    assert answers[0]["status"] and answers == [answers[0]] * 3


def test_the_floor_answers_the_bare_apps_fixed_answer_from_the_emulators_app(read_cost):
    run = read_cost.run
    server, base = run.start(read_cost.launch("floor", b'{"fixed": true}', {"X-Fixed": "yes"}), read_cost.READY)
    try:
        body, headers = run.fetch(base + read_cost.FLOOR + "/anything")
        health = json.loads(run.get(base + "/_emulator/health"))  # the emulator's own app answers beside it
    finally:
        run.stop(server)
    assert body == b'{"fixed": true}' and headers["X-Fixed"] == "yes"
    assert health["status"] == "ok"


def test_a_short_run_measures_every_server_against_the_bare_app(read_cost):
    rows = read_cost.measure(["callerip"], duration=1, connections=2, rounds=1)
    assert [row["server"] for row in rows] == list(read_cost.VARIANTS.values())
    assert all(row["rps"] > 0 and row["bare_rps"] > 0 and row["ratio"] > 0 for row in rows)
    table = read_cost.markdown(rows)
    assert table.count("| CallerIP GET status |") == 4 and "| floor |" in table


def test_a_reads_cost_over_the_bare_app_is_the_median_of_its_rounds(read_cost):
    # bare, measured, bare, measured, bare: 50,000 reads/s between two bare runs at 100,000 is
    # 20 us a read against 10 (10 over); 40,000 between 100,000 and 50,000 is 25 against 13.3
    runs = {"baseline_rps": [100_000, 100_000, 50_000], "measured_rps": [50_000, 40_000]}
    assert read_cost.read_cost(runs) == 10.8  # the median of 10.0 and 11.7
