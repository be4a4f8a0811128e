"""CPU instructions per hot read, counted by valgrind: the noise-free view of the hot reads.

    python benchmarks/instructions.py [--vendor kazoo ...] [--requests 1000] [--jobs 2]
    python benchmarks/instructions.py --startup    # start-up: instructions to listening

With ``--startup`` it counts instead what each server executes from process start until it
prints that it listens, ``fax-emulator serve`` (the installed script, with its defaults, as
users start it) against the bare app (see ``startup``).

Wall-clock figures move by 10-30 % between runs on a shared machine; the number of
instructions a process executes does not (same interpreter, same inputs, same count). So
each hot read is fed as raw bytes to the server's protocol object, as in inproc.py, in a
process run under ``valgrind --tool=callgrind``, which reports the instructions it
executed. One process makes every vendor's hot-read fax, starts the emulator and one bare
app per read (serving the same bytes), and warms every server up; it then sends
``--requests`` requests to one of them, or none for the baseline. A server's instructions
per request are (its run - the baseline) / requests, so start-up, imports and setup cancel
out. The runs, 1 + 2 per vendor measured, go in parallel, ``--jobs`` at a time (each takes
30-60 s). Every run sets up all four vendors, whichever are measured, so that each process
holds the same and a count does not depend on the ``--vendor`` chosen.

String hashing is fixed (PYTHONHASHSEED), as are the emulator's seed and start time;
bytecode is compiled by a first run outside valgrind; every run's command line has the same
length (see run_argument) and the collector starts afresh before the measured requests. So
the counts repeat within ~0.3 %. The memory layout moves counts too, so a code change can
move them by up to ~1 % without doing more work: smaller differences between commits mean little.
Needs valgrind (``apt-get install valgrind`` on Debian).
"""

from __future__ import annotations

import argparse
import gc
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
VALGRIND = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
WARM_UP = 200  # requests to every server before the measured ones, in every run
SEED, START_TIME = 0, 1_767_225_600  # the emulator's ids and manual clock (2026-01-01T00:00:00Z)
SERVERS = ("emulator", "bare")
RUN_WIDTH = 40  # characters of the one argument that tells a measured process what to do

_COLLECTED = re.compile(r"^==\d+== Collected : (\d+)\s*$", re.MULTILINE)


def installed() -> bool:
    return shutil.which(VALGRIND[0]) is not None


def collected(stderr: str) -> int:
    """The instruction count in callgrind's summary on valgrind's stderr."""
    counts = _COLLECTED.findall(stderr)
    if len(counts) != 1:
        raise ValueError(f"expected one 'Collected :' line from callgrind, found {len(counts)}")
    return int(counts[0])


def per_request(baseline: int, measured: int, requests: int) -> float:
    """Instructions per request: what the measured run executed beyond the baseline run."""
    if requests < 1 or measured < baseline:
        raise ValueError(f"no per-request count from {measured} - {baseline} over {requests} requests")
    return (measured - baseline) / requests


# -- the measured process ---------------------------------------------------------------


def run_argument(target: tuple[str, str] | None, requests: int) -> str:
    """What a measured process does, as one argument of the same length in every run.

    A run's whole count moves with the memory layout, and an argument of another length
    takes a block of another size when the interpreter starts: "emulator" against "bare"
    moved the setup by ~5 million instructions (5,000 a request over 1,000 requests). So
    every run gets ``VENDOR:SERVER:REQUESTS`` (or ``baseline``) padded with dots to the same
    length, and reads it only after the setup.
    """
    text = f"{target[0]}:{target[1]}:{requests}" if target else "baseline"
    if len(text) > RUN_WIDTH:
        raise ValueError(f"run {text!r} is longer than {RUN_WIDTH} characters")
    return text.ljust(RUN_WIDTH, ".")


def parse_run(argument: str) -> tuple[tuple[str, str] | None, int]:
    text = argument.rstrip(".")
    if text == "baseline":
        return None, 0
    vendor, server, requests = text.split(":")
    return (vendor, server), int(requests)


async def _serve(run: str) -> None:
    """Set up every hot read, warm every server; then the requests ``run`` says, if any."""
    import aiohttp
    from aiohttp import web
    from bare_app import answer_headers, make_app
    from hot_reads import HOT_READS
    from inproc import _connect, _round, raw_request

    from emulator.app import build_app
    from emulator.config import Config

    config = Config(clock="manual", port=0, log_level="error", seed=SEED, start_time=START_TIME)
    runner = web.AppRunner(build_app(config), access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    runners, connections = [runner], {}
    try:
        async with aiohttp.ClientSession() as session:
            for vendor in HOT_READS:
                url, headers = await HOT_READS[vendor][1](session, base)
                async with session.get(url, headers=headers) as response:
                    body, answered = await response.read(), answer_headers(response.headers)
                bare = web.AppRunner(make_app(body, answered), access_log=None, handle_signals=False)
                await bare.setup()
                runners.append(bare)
                raw = raw_request(url[len(base) :], headers)
                for name, server in zip(SERVERS, (runner, bare), strict=True):
                    protocol, transport = _connect(server)
                    await _round(protocol, transport, raw, WARM_UP)
                    connections[vendor, name] = protocol, transport, raw
        # the collector's counts start from nought, so its collections fall at the same requests in every
        # run, whatever the setup (which varies a little with the sockets' timing) left them at; and the
        # heap is frozen, as ``serve`` freezes it after start-up (cli.py), so a full collection walks only
        # what serving made, not a heap whose size differs from commit to commit
        gc.collect()
        gc.freeze()
        target, requests = parse_run(run)
        if target is not None:
            protocol, transport, raw = connections[target]
            await _round(protocol, transport, raw, requests)
        for (vendor, name), (protocol, transport, _) in connections.items():
            status = transport.written[-1].split(b"\r\n", 1)[0]
            if b" 200 " not in status:
                raise SystemExit(f"{vendor} {name} answered {status!r}")
            protocol.connection_lost(None)
    finally:
        for each in reversed(runners):
            await each.cleanup()


def child(run: str) -> None:
    import asyncio

    asyncio.run(_serve(run))


# -- the driver ---------------------------------------------------------------------------


def _argv(launch: list[str], target: tuple[str, str] | None, requests: int) -> list[str]:
    return [*launch, str(HERE / "instructions.py"), "--child", run_argument(target, requests)]


def _env() -> dict[str, str]:
    from inproc import SERVER_ENV

    return {**SERVER_ENV, "PYTHONHASHSEED": "0"}


def count(launch: list[str], target: tuple[str, str] | None, requests: int) -> int:
    """Instructions executed by one run of the measured process under callgrind."""
    done = subprocess.run([*VALGRIND, *_argv(launch, target, requests)], capture_output=True, text=True, env=_env())
    if done.returncode != 0:
        raise RuntimeError(f"measured run {target or 'baseline'} failed:\n{done.stderr[-2000:]}")
    return collected(done.stderr)


def measure(
    vendors: list[str],
    requests: int = 1000,
    jobs: int = 2,
    launch: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Instructions per request of the emulator and of the bare app, for each hot read."""
    from hot_reads import HOT_READS

    launch = launch or [PYTHON]
    # outside valgrind: compiles the bytecode (so no run counts it) and checks every server answers 200
    warm = subprocess.run(_argv(launch, None, 0), capture_output=True, text=True, env=_env())
    if warm.returncode != 0:
        raise RuntimeError(f"warm-up run failed:\n{warm.stderr[-2000:]}")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        baseline = pool.submit(count, launch, None, 0)
        runs = {
            (vendor, name): pool.submit(count, launch, (vendor, name), requests)
            for vendor in vendors
            for name in SERVERS
        }
        rows = []
        for vendor in vendors:
            ours, bare = (per_request(baseline.result(), runs[vendor, name].result(), requests) for name in SERVERS)
            rows.append(
                {
                    "vendor": vendor,
                    "read": HOT_READS[vendor][0],
                    "emulator_instructions": round(ours),
                    "bare_instructions": round(bare),
                    "ratio": round(bare / ours, 3),
                    "requests": requests,
                }
            )
            print(
                f"  {HOT_READS[vendor][0]}: {ours:,.0f} instructions vs bare {bare:,.0f} (x{bare / ours:.3f})",
                flush=True,
            )
    return rows


# -- start-up ------------------------------------------------------------------------------

#: runs a server's script as ``python SCRIPT ARGS`` would (compiled afresh, as Python does for
#: the script it is given; its folder first on the path) and ends the process the moment it
#: prints its listening line: nothing after it (warming up, the first request) is counted.
#: Built-in modules and os only, which every interpreter has loaded before it runs a script.
UNTIL_LISTENING = """\
import builtins, os, sys
def said(*args, **kwargs):
    shown(*args, **kwargs)
    if "listening on" in " ".join(map(str, args)):
        os._exit(0)
shown, builtins.print = builtins.print, said
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
with open(sys.argv[0], "rb") as script:
    code = compile(script.read(), sys.argv[0], "exec")
exec(code, {"__name__": "__main__", "__file__": sys.argv[0], "__builtins__": builtins})
"""


def startup_argv(server: str) -> list[str]:
    """The measured start of ``server``: the emulator as users start it, or the bare app."""
    if server == "emulator":
        script = Path(PYTHON).parent / "fax-emulator"
        if not script.exists():
            raise RuntimeError(f"no {script}: install the project (pip install -e .) into this interpreter")
        return [PYTHON, "-c", UNTIL_LISTENING, str(script), "serve", "--port", "0"]
    return [PYTHON, "-c", UNTIL_LISTENING, str(HERE / "bare_app.py"), "--port", "0"]


def startup() -> dict[str, Any]:
    """Instructions from process start to listening, of the emulator and of the bare app.

    Both start from the same interpreter with the same site-packages, bytecode compiled by a
    first start outside valgrind, string hashing fixed; each is ended as it prints that it
    listens, so the count is start-up's alone. The counts repeat within a fraction of a percent
    (a wall-clock start on a shared machine moves by tens of percent)."""

    def one(server: str, under: list[str]) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*under, *startup_argv(server)], capture_output=True, text=True, env=_env())
        if done.returncode != 0 or "listening on" not in done.stdout:
            raise RuntimeError(f"{server} did not start:\n{done.stdout[-1000:]}{done.stderr[-2000:]}")
        return done

    for server in SERVERS:  # outside valgrind: compiles and caches the bytecode
        one(server, [])
    with ThreadPoolExecutor(max_workers=len(SERVERS)) as pool:
        ours, bare = pool.map(lambda server: collected(one(server, VALGRIND).stderr), SERVERS)
    print(f"  start-up: {ours:,} instructions to listening vs bare {bare:,} (x{ours / bare:.3f})", flush=True)
    return {"emulator_instructions": ours, "bare_instructions": bare, "ratio": round(ours / bare, 3)}


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
        return
    import json

    from hot_reads import HOT_READS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vendor", action="append", choices=sorted(HOT_READS))
    parser.add_argument("--requests", type=int, default=1000, help="measured requests per run")
    parser.add_argument("--jobs", type=int, default=2, help="valgrind runs at a time")
    parser.add_argument("--uvloop", action="store_true", help="on uvloop's event loop (must be installed)")
    parser.add_argument(
        "--startup", action="store_true", help="instructions from process start to listening, emulator and bare app"
    )
    args = parser.parse_args()
    if not installed():
        parser.exit(1, "valgrind is not installed (apt-get install valgrind on Debian)\n")
    if args.startup:
        print(json.dumps(startup()))
        return
    launch = [PYTHON, str(HERE / "with_uvloop.py")] if args.uvloop else [PYTHON]
    print(json.dumps(measure(args.vendor or list(HOT_READS), args.requests, args.jobs, launch)))


if __name__ == "__main__":
    main()
