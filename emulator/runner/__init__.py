"""``fax-emulator run``: a scenario's steps against a fresh in-process emulator.

The emulator runs on the manual clock (from ``clock.start``, else 2026-01-01T00:00:00Z)
with the scenario's seed (else 0), on a real local port, so faults such as connection
resets reach a real HTTP client. The report says PASS or FAIL for each step, and why.
With ``strict`` the emulator also checks its own responses and webhooks against the
vendors' contracts, and a broken one fails the run.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

import aiohttp
from aiohttp import web

from emulator import keys
from emulator.config import Config
from emulator.core.scenarios import Scenario, ScenarioError, load_files
from emulator.core.vendor import Vendor
from emulator.runner.receiver import Receiver
from emulator.runner.steps import StepResult, Steps

DEFAULT_START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
DEFAULT_SEED = 0


async def run_scenario(
    scenario: Scenario, vendors: Iterable[Vendor] | None = None, out: TextIO | None = None, strict: bool = False
) -> list[StepResult]:
    """Run every step; each result is printed to ``out`` as it comes."""
    from emulator.app import build_app

    out = out or sys.stdout
    config = Config(
        clock="manual",
        start_time=scenario.clock.get("start") or DEFAULT_START,
        seed=scenario.seed if scenario.seed is not None else DEFAULT_SEED,
        strict=strict,
    )
    app = build_app(config, vendors)
    runtime = app[keys.RUNTIME]
    runtime.scenarios.apply(scenario)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    receiver = Receiver()
    results: list[StepResult] = []
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        await receiver.start()
        async with aiohttp.ClientSession() as http:
            # aiohttp's client retries an idempotent request once when the connection drops
            # (RFC 9112 9.3.1), which would hide a scripted reset from the report. Its own
            # TestClient turns that off the same way (aiohttp/test_utils.py).
            if hasattr(http, "_retry_connection"):
                http._retry_connection = False
            steps = Steps(http, base, receiver)
            for number, spec in enumerate(scenario.steps, start=1):
                result = await steps.run(number, spec)
                results.append(result)
                _print(result, out)
        errors = list(runtime.scheduler.errors)
        if errors:
            result = StepResult(len(results) + 1, "the emulator ran every scheduled action without error", errors)
            results.append(result)
            _print(result, out)
        if strict:
            own = [
                f"{v['vendor']} {v['operation']} {v['kind']} {v['location']}: {v['message']}"
                for v in runtime.journal.violations
                if v.get("kind") in ("response", "webhook")
            ]
            result = StepResult(len(results) + 1, "the emulator kept the vendors' contracts (--strict)", own)
            results.append(result)
            _print(result, out)
    finally:
        await receiver.stop()
        await runner.cleanup()
    return results


def _print(result: StepResult, out: TextIO) -> None:
    print(f"  {'PASS' if result.ok else 'FAIL'}  {result.number:>2}. {result.title}", file=out)
    for problem in result.problems:
        print(f"          - {problem}", file=out)


def run_files(
    paths: Sequence[str],
    vendors: Iterable[Vendor] | None = None,
    out: TextIO | None = None,
    strict: bool = False,
    compose: bool = False,
) -> int:
    """Run scenario files, each on a fresh emulator of its own (or, with ``compose``, all of them
    composed in order into one scenario on one emulator); the exit status: 0 only if every
    step of every run passed."""
    out = out or sys.stdout
    if vendors is None:
        from emulator.vendors import VENDORS

        vendors = VENDORS
    vendors = tuple(vendors)
    groups = [list(paths)] if compose else [[path] for path in paths]
    failed = [group for group in groups if _run_group(group, vendors, out, strict) != 0]
    if len(groups) > 1:
        verdict = "FAIL" if failed else "PASS"
        print(f"{verdict}: {len(groups) - len(failed)} of {len(groups)} scenarios passed", file=out)
        for group in failed:
            print(f"  failed: {group[0]}", file=out)
    return 1 if failed else 0


def _run_group(paths: Sequence[str], vendors: tuple[Vendor, ...], out: TextIO, strict: bool) -> int:
    """Load, compose and run the files of one run on one fresh emulator; its exit status."""
    try:
        scenario = load_files(paths, {v.name: v for v in vendors})
    except ScenarioError as exc:
        print(exc, file=out)
        return 1
    print(f"scenario {scenario.name!r} ({', '.join(scenario.sources)})", file=out)
    if not scenario.steps:
        print("  nothing to run: the scenario has no steps", file=out)
        return 1
    try:
        results = asyncio.run(run_scenario(scenario, vendors, out, strict))
    except ScenarioError as exc:
        print(exc, file=out)
        return 1
    passed = sum(r.ok for r in results)
    verdict = "PASS" if passed == len(results) else "FAIL"
    print(f"{verdict}: {passed} of {len(results)} steps passed", file=out)
    return 0 if verdict == "PASS" else 1
