"""Where a hot read's time goes, on the wall clock: each vendor's hot read from the emulator
served four ways, each against the bare app serving the same bytes in the same run.

    python benchmarks/read_cost.py [--vendors kazoo callerip] [--rounds 6] [--duration 2] [--out FILE]

The four servers, each `fax-emulator serve` as users start it, with one part of the request's
work taken away in the ones after the first:

- ``served``: as it is;
- ``no journal``: the request journal's entry not made (``Journal.record`` does nothing);
- ``no journal, no check``: nor the request's contract check (each route's check does nothing);
- ``floor``: the bare app's fixed answer, from a route of the emulator's own app: what aiohttp
  and the emulator's app cost a request when the request does nothing of the emulator's.

Each is measured as ``run.py``'s ``throughput`` part measures a read (alternating runs, the
median ratio and its interval), and each row also says how many microseconds a read costs
over the bare app's (from the ratio and the bare app's best rate). What a server without its
journal or checks answers is the same read; it is not a mode of the emulator, only a measure
of what those parts cost (``--serve VARIANT`` starts one such server: this script does).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402
from bare_app import answer_headers, fixed_answer  # noqa: E402
from hot_reads import HOT_READS  # noqa: E402

#: what each server is (``--serve`` takes the key), in the order they are measured
VARIANTS = {
    "served": "served",
    "no-journal": "no journal",
    "no-journal-check": "no journal, no check",
    "floor": "floor",
}
#: where the floor server answers the bare app's fixed answer (no vendor's prefix)
FLOOR = "/floor"
READY = "fax-emulator listening on"
#: `fax-emulator serve`'s arguments as ``run.py`` starts it (after ``python -m emulator``)
SERVE = run.emulator_argv()[len(run.LAUNCH) + 2 :]


def launch(variant: str, body: bytes = b"", headers: dict[str, str] | None = None) -> list[str]:
    """The command line of one server: ``serve`` through this script's ``--serve``."""
    given = [arg for name, value in (headers or {}).items() for arg in ("--header", f"{name}: {value}")]
    script = str(Path(__file__).resolve())
    return [*run.LAUNCH, script, "--serve", variant, "--body", body.decode(), *given, "--", *SERVE]


def _unchecked(request: Any, response: Any) -> None:
    """A route's contract check that checks nothing."""


def take_away(variant: str, body: bytes, headers: dict[str, str]) -> None:
    """Take ``variant``'s part away from the emulator, before its app is built."""
    if variant in ("no-journal", "no-journal-check"):
        from emulator.core.journal import Journal

        Journal.record = lambda self, *fields: None  # type: ignore[method-assign,assignment]
    if variant == "no-journal-check":
        from emulator.core.contract_checks import ContractChecker

        ContractChecker.for_route = lambda self, vendor, operation, contract: _unchecked  # type: ignore[method-assign]
    if variant == "floor":
        from aiohttp import web

        import emulator.app

        build = emulator.app.build_app

        def with_floor(config: Any) -> web.Application:
            app = build(config)
            app.router.add_route("*", FLOOR + "/{tail:.*}", fixed_answer(body, headers))
            return app

        emulator.app.build_app = with_floor  # (`serve` imports it when it starts)


def _read_cost(runs: dict[str, Any]) -> float:
    """Microseconds a read takes over the bare app's: from the median ratio and the bare app's best rate."""
    return round((1 / runs["ratio"] - 1) * 1e6 / runs["baseline"]["rps"], 1)


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
                        "us_over_bare": _read_cost(runs),
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


def _serve(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", choices=VARIANTS, required=True)
    parser.add_argument("--body", default="")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    headers = dict((part.strip() for part in given.split(":", 1)) for given in args.header)
    take_away(args.serve, args.body.encode(), headers)
    from emulator import cli

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    return cli.main(command)


def main() -> None:
    if "--serve" in sys.argv[1:]:
        raise SystemExit(_serve(sys.argv[1:]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vendors", nargs="+", choices=HOT_READS, default=list(HOT_READS))
    parser.add_argument("--duration", type=float, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--out", type=Path, help="write the rows as JSON here too")
    args = parser.parse_args()
    rows = measure(args.vendors, args.duration, args.connections, args.rounds)
    print(markdown(rows))
    if args.out is not None:
        args.out.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
