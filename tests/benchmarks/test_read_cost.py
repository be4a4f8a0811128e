"""benchmarks/read_cost.py: each server takes away what it says it does, and a short run
measures all four against the bare app."""

from __future__ import annotations

import asyncio
import importlib.util
import json
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
    refuses (an unknown parameter): the request log, the violations and the read's answer."""
    run = read_cost.run
    server, base = run.start(read_cost.launch(variant), read_cost.READY)
    try:
        url, headers = asyncio.run(run._setup("callerip", base))
        answer = run.get(url, headers)
        run.get(url + "&unknown=1", headers)
        log = json.loads(run.get(base + "/_emulator/requests"))["requests"]
        violations = json.loads(run.get(base + "/_emulator/violations"))["violations"]
    finally:
        run.stop(server)
    return log, violations, answer


def test_each_server_takes_away_its_part_and_answers_the_same(read_cost):
    served = _served(read_cost, "served")
    without_journal = _served(read_cost, "no-journal")
    without_either = _served(read_cost, "no-journal-check")
    # the served emulator logs the send and both reads, and finds the unknown parameter
    assert [entry["operation"] for entry in served[0]] == ["send_fax", "fax_status", "fax_status"]
    assert [v["operation"] for v in served[1]] == ["fax_status"]
    # without its journal it logs nothing but still checks; without both, it checks nothing
    assert without_journal[0] == [] and [v["operation"] for v in without_journal[1]] == ["fax_status"]
    assert without_either[0] == [] and without_either[1] == []
    # and each answers the read alike (only the fax's id differs)
    shapes = {tuple(sorted(json.loads(answer))) for *_, answer in (served, without_journal, without_either)}
    assert len(shapes) == 1 and json.loads(served[2])["status"]


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
    for row in rows:
        assert row["rps"] > 0 and row["bare_rps"] > 0 and row["ratio"] > 0
        # a read's cost over the bare app's follows from its ratio and the bare app's rate
        assert row["us_over_bare"] == pytest.approx((1 / row["ratio"] - 1) * 1e6 / row["bare_rps"], abs=0.06)
    table = read_cost.markdown(rows)
    assert table.count("| CallerIP GET status |") == 4 and "| floor |" in table
