"""benchmarks/run.py's ``console`` part, short: both servers serve the read, and the loud one
writes a line for each request it served."""

from __future__ import annotations


def test_the_console_part_measures_both_servers_and_counts_the_lines(run):
    result = run.console(duration=1, connections=2, rounds=1)
    assert result["console"]["rps"] > 0 and result["quiet"]["rps"] > 0 and result["ratio"] > 0
    # every read the loud server answered is a line (the load's count is of answers it had whole;
    # with wrk, else benchmarks/loadgen.py)
    assert result["lines"] >= result["console"]["rps"] * 0.5
    report = run.markdown({"when": "now", "machine": "2 cores", "console": result}, [])
    assert f"| {result['read']} | {result['console']['rps']:.0f} | {result['quiet']['rps']:.0f} |" in report
