"""Reading hostile and large scenarios: what each costs, against parsing the same text.

    python benchmarks/scenarios.py

Each case is loaded as ``POST /_emulator/scenario`` loads it (``load_text``, with the four
vendors) and timed against ``yaml.load`` of a plain document of the same size in the same
run (the baseline: what any YAML reader pays), because absolute times drift on a shared
machine. The attacks of issue #17 must stay refused or matched at a small multiple of
that; a scenario at the limits (1,000 rules with patterns) must load at a bounded one.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.core.scenarios import ScenarioError, load_text
from emulator.core.scenarios.limits import LIMITS
from emulator.core.scenarios.match import Pattern
from emulator.vendors import VENDORS

VENDOR_MAP = {v.name: v for v in VENDORS}


def laughs(levels: int = 8, width: int = 9) -> str:
    lines = ['a0: &a0 ["x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "\n".join([*lines, f"name: *a{levels}"]) + "\n"


def aliased_patterns() -> str:
    anchors = ['x0: &p0 ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]']
    anchors += [f"x{i}: &p{i} [" + ", ".join([f"*p{i - 1}"] * 10) + "]" for i in range(1, 6)]
    return "\n".join([*anchors, "rules:", "  - match: {to: *p5}", "    outcome: busy"]) + "\n"


def many_rules(count: int) -> str:
    rule = "  - {{match: {{vendor: callerip, to: '{}'}}, outcome: busy}}\n"
    return "rules:\n" + "".join(rule.format(i) for i in range(count))


def at_the_limits() -> str:
    """1,000 rules, each with two exact destinations and a regex or a glob (1,000 in all)."""
    lines = ["rules:"]
    for i in range(LIMITS.rules):
        compiled = f"{{regex: '{i}[0-9]+'}}" if i % 2 else f"'{i}*'"
        lines.append(f"  - {{name: r{i}, match: {{vendor: callerip, to: ['{i}', '{i}0', {compiled}]}}, outcome: busy}}")
    return "\n".join(lines) + "\n"


def schema_errors() -> str:
    """A document that fails the schema everywhere, in nested forms (anyOf in anyOf), to its size limit."""
    rule = (
        "  - {match: {nth: {from: a, to: b}, attempt: [a, b, c], tenant: [1, 2, 3], to: [{regex: 1}, {x: 2}]}, "
        "outcome: [x, y], fault: {latency: [a, b]}}\n"
    )
    return "rules:\n" + rule * min(LIMITS.rules, (LIMITS.bytes - 100) // len(rule))


def baseline_text(size: int) -> str:
    """A plain YAML document of about ``size`` bytes (a list of small mappings)."""
    line = "- {a: 1, b: two, c: [3, 4]}\n"
    return line * max(1, size // len(line))


def best_of(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times) if rounds < 3 else statistics.median(times)


def load(text: str) -> str:
    try:
        load_text(text, "bench.yaml", VENDOR_MAP)
    except ScenarioError as exc:
        return "refused: " + exc.problems[0].message[:60]
    return "loaded"


def main() -> int:
    cases = {
        "billion laughs (8 levels x9, 456 bytes)": laughs(),
        "10^6 aliased patterns in match.to": aliased_patterns(),
        "60,000 rules": many_rules(60_000),
        f"{LIMITS.rules:,} rules, 3,000 patterns (at the limits)": at_the_limits(),
        "schema errors in every rule": schema_errors(),
    }
    print(f"{'case':<48} {'bytes':>9} {'load s':>8} {'yaml s':>8} {'ratio':>6}  result")
    for name, text in cases.items():
        outcome = load(text)
        seconds = best_of(lambda text=text: load(text), 3)
        baseline = baseline_text(min(len(text), LIMITS.bytes))
        parse = best_of(lambda baseline=baseline: yaml.load(baseline, Loader=yaml.CSafeLoader), 3)
        print(f"{name:<48} {len(text):>9,} {seconds:>8.3f} {parse:>8.3f} {seconds / parse:>6.1f}  {outcome}")
    evil = Pattern.parse({"regex": "(a+)+b"})
    for length in (26, LIMITS.matched_length - 1):
        seconds = best_of(lambda length=length: evil("a" * length + "!"), 3)
        print(f"{'(a+)+b against ' + format(length, ',') + ' a + !':<48} {length + 1:>9,} {seconds:>8.5f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
