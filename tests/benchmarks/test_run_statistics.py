"""benchmarks/run.py's statistics: the run-against-run ratio of ``alternating`` and the interval
its median is known to lie in (``median_interval``)."""

from __future__ import annotations

import json
import random
import shutil

import pytest


def test_the_interval_is_the_order_statistics_the_binomial_allows(run):
    # 40 rounds: 1 - 2 P(Bin(40, 1/2) <= 13) = 0.962, and with k = 15 it would be 0.919
    assert run.median_interval(list(range(40, 0, -1))) == [14, 27]
    assert run.median_interval([3, 1, 2, 7, 5, 4, 6]) == [1, 7]  # 7 rounds: [min, max], 0.984
    assert run.median_interval([1, 2, 3, 4, 5]) is None  # [min, max] of 5 holds it with 0.9375 only


@pytest.mark.parametrize("rounds", [7, 20, 40])
def test_the_interval_holds_the_true_median_as_often_as_it_says_and_no_more(run, rounds):
    # ratios from a skewed distribution whose median is known: exp(N(0, 0.2)) has median 1
    draws = random.Random(rounds)
    trials = 4000
    held = 0
    for _ in range(trials):
        low, high = run.median_interval([draws.lognormvariate(0, 0.2) for _ in range(rounds)])
        held += low <= 1.0 <= high
    coverage = held / trials
    exact = {7: 0.984, 20: 0.959, 40: 0.962}[rounds]  # the binomial's own figure for the chosen k
    assert coverage >= run.CONFIDENCE - 0.012  # a k one too large would give 0.88 at 20, 0.92 at 40
    assert abs(coverage - exact) < 0.012  # a k one too small would give 0.988 at 20, 0.983 at 40


def test_alternating_reports_the_interval_of_its_rounds(run):
    # the bare app at 100 req/s throughout, the emulator's rounds at these rates
    measured = iter([80, 90, 85, 70, 95, 88, 86])
    result = run.alternating(lambda: {"rps": 100.0}, lambda: {"rps": float(next(measured))}, rounds=7)
    assert result["ratios"] == [0.8, 0.9, 0.85, 0.7, 0.95, 0.88, 0.86]
    assert result["ratio"] == 0.86
    assert result["interval"] == [0.7, 0.95]
    assert run.shown_interval(result) == "0.70-0.95"
    few = run.alternating(lambda: {"rps": 100.0}, lambda: {"rps": 90.0}, rounds=3)
    assert few["interval"] is None and run.shown_interval(few) == "too few rounds"


def test_the_report_shows_the_interval_beside_the_ratio(run):
    side = {"rps": 900.0, "p50_ms": 1.0, "p99_ms": 2.0}
    row = {"read": "Kazoo GET outgoing job", "bytes": 843, "emulator": side, "bare": {**side, "rps": 1000.0}}
    row |= {"ratio": 0.86, "best_ratio": 0.9, "interval": [0.7, 0.95]}
    report = run.markdown({"when": "now", "machine": "2 cores", "throughput": [row]}, [])
    assert "| 0.9 | 0.86 | 0.70-0.95 |" in report


def test_each_send_is_measured_from_an_emptied_emulator(run, monkeypatch):
    """On the manual clock no fax ends, so an emulator measured send after send carried every
    earlier send's faxes (1.1 GB by the last): each send now starts from a reset. The load is
    faked (wrk need not be there): each run against the emulator notes the faxes it holds,
    then sends once, as a run of load would have."""
    from sends import send_once  # (benchmarks/, on the path for ``run``)

    emulator: dict[str, str] = {}
    made: dict[str, list] = {}
    started, prepared, found = run.start, run.prepared, shutil.which

    def start(argv, ready):
        process, base = started(argv, ready)
        if "fax-emulator" in ready:
            emulator["base"] = base
        return process, base

    async def preparing(setup, base, document):
        made["requests"] = await prepared(setup, base, document)
        return made["requests"]

    held: list[int] = []

    def load(url, headers, duration, connections, script=None):
        if url == emulator["base"] + "/":
            health = json.loads(run.get(emulator["base"] + "/_emulator/health"))
            held.append(health["retention"]["faxes"])
            send_once(made["requests"])
        return {"rps": 100.0, "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0}

    monkeypatch.setattr(run, "start", start)
    monkeypatch.setattr(run, "prepared", preparing)
    monkeypatch.setattr(run, "load", load)
    monkeypatch.setattr(run.shutil, "which", lambda name: "wrk" if name == "wrk" else found(name))
    rows = run.sends(duration=1, connections=1, rounds=2, vendors=["callerip", "kazoo"])
    assert [(row["send"], row["document"]) for row in rows] == [
        ("CallerIP send", "1-page PDF"),
        ("CallerIP send", "10-page PDF"),
        ("Kazoo multipart job", "1-page PDF"),
        ("Kazoo multipart job", "10-page PDF"),
        ("Kazoo multipart job", "3-page TIFF"),
    ]
    # each send: the one made to read its answer, then one a round; none left from the send before
    assert held == [1, 2] * len(rows)
