"""Where a hot read's time goes, on the wall clock: each vendor's hot read from the emulator
served four ways, each against the bare app serving the same bytes in the same run.

    python benchmarks/read_cost.py [--vendors kazoo,callerip] [--rounds 6] [--duration 2] [--out FILE]

The four servers, each `fax-emulator serve` as users start it (through
``benchmarks/served_without.py``), with one part of the request's work taken away in the ones
after the first:

- ``served``: as it is;
- ``no journal``: the request journal's entry not made (``Journal.record`` does nothing);
- ``no journal, no check``: nor the request's contract check (each route's check does nothing);
- ``floor``: the bare app's fixed answer, from a route of the emulator's own app: what aiohttp
  and the emulator's process and app cost a request that asks nothing of the emulator.

Each is measured as ``run.py``'s ``throughput`` part measures a read (alternating runs, the
median ratio and its interval), and each row also says how many microseconds a read costs
over the bare app's (the median over the rounds of each run's time a read against the bare
runs' around it). Each server is alternated with the bare app, not with the other servers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402
from bare_app import answer_headers  # noqa: E402
from hot_reads import HOT_READS  # noqa: E402
from served_without import FLOOR, VARIANTS  # noqa: E402

READY = "fax-emulator listening on"


def launch(variant: str, body: bytes = b"", headers: dict[str, str] | None = None) -> list[str]:
    """The command line of one server: `fax-emulator serve` as ``run.py`` starts it, ``variant``'s part taken away."""
    script = str(HERE / "served_without.py")
    return [*run.LAUNCH, script, variant, "--body", body.decode(), *run.header_args(headers), "--", *run.serve_args()]


def read_cost(runs: dict[str, Any]) -> float:
    """Microseconds a read takes over the bare app's: the median over the rounds of each
    measured run's time a read against the mean of the two bare runs' around it."""
    baseline = runs["baseline_rps"]
    over = [
        1e6 / measured - 2e6 / (before + after)
        for measured, before, after in zip(runs["measured_rps"], baseline, baseline[1:], strict=False)
    ]
    return round(statistics.median(over), 1)


def measure(vendors: Sequence[str], duration: float, connections: int, rounds: int) -> list[dict[str, Any]]:
    """Each vendor's hot read from each server against the bare app, a row a server."""
    rows = []
    for vendor in vendors:
        label = HOT_READS[vendor][0]
        bare = None
        body, fixed = b"", {}
        try:
            for variant, name in VARIANTS.items():
                server, base = run.start(launch(variant, body, fixed), READY)
                try:
                    if variant == "floor":
                        url, headers = base + FLOOR + "/read", {}
                    else:
                        url, headers = asyncio.run(run._setup(vendor, base))
                    if bare is None:  # the first server's answer is the bare app's and the floor's
                        body, answered = run.fetch(url, headers)
                        fixed = answer_headers(answered)
                        bare, bare_base = run.start(run.bare_argv(body.decode(), headers=fixed), "bare listening on")
                    bare_url = bare_base + url[len(base) :]
                    runs = run.alternating_loads(
                        (bare_url, headers, None), (url, headers, None), duration, connections, rounds
                    )
                finally:
                    run.stop(server)
                rows.append(
                    {
                        "vendor": vendor,
                        "read": label,
                        "server": name,
                        "rps": runs["measured"]["rps"],
                        "bare_rps": runs["baseline"]["rps"],
                        "ratio": runs["ratio"],
                        "interval": runs["interval"],
                        "ratios": runs["ratios"],
                        "us_over_bare": read_cost(runs),
                    }
                )
                print(
                    f"  {label}, {name}: {runs['measured']['rps']:.0f} req/s vs bare {runs['baseline']['rps']:.0f}, "
                    f"x{runs['ratio']} ({run.shown_interval(runs)}), {rows[-1]['us_over_bare']} us a read over bare",
                    flush=True,
                )
        finally:
            if bare is not None:
                run.stop(bare)
    return rows


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| read | server | req/s | bare req/s | ratio, run against run | µs a read over bare |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        interval = row["interval"]
        shown = f" ({interval[0]:.2f}-{interval[1]:.2f})" if interval else ""
        lines.append(
            f"| {row['read']} | {row['server']} | {row['rps']:,.0f} | {row['bare_rps']:,.0f} | "
            f"{row['ratio']:.3f}{shown} | {row['us_over_bare']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vendors", default=",".join(HOT_READS), help="hot reads to measure, comma-separated")
    parser.add_argument("--duration", type=float, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--out", type=Path, help="write the rows as JSON here too")
    args = parser.parse_args()
    rows = measure(args.vendors.split(","), args.duration, args.connections, args.rounds)
    print(markdown(rows))
    if args.out is not None:
        args.out.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
