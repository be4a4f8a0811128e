"""CPU instructions per hot read, counted by valgrind: the noise-free view of the hot reads.

    python benchmarks/instructions.py [--vendor kazoo ...] [--requests 1000] [--jobs 2]
    python benchmarks/instructions.py --startup    # start-up: instructions to listening
    python benchmarks/instructions.py --sends [--send-vendor kazoo ...] [--document "10-page PDF" ...]

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
With ``--sends`` it counts each vendor's send (benchmarks/sends.py) as ``run.py --only sends``
drives it, in the real server process: ``python -m emulator serve`` (as run.py starts it,
ids seeded) and the bare app answering the send's last answer, each under callgrind, sent
over 16 keep-alive connections from a client outside valgrind the requests wrk sends. A
server's instructions per send are (its run with ``SEND_WARM_UP + --requests`` sends - its
run with ``SEND_WARM_UP``) / ``--requests``: start-up, the warm-up thread, imports and the
first sends cancel out, and so does the end (the process ends at once, not freeing what the
sends made). Whatever serving costs the server is in it: its sockets, the event loop, the
collector over what the store keeps. Bytecode is compiled and cached by a first run of each
server outside valgrind, which ends once the warm-up thread is done (``send_count``). The
bare app's pairs repeat within 0.1 % (how many requests a server finds ready at each turn of
its loop varies a little with the timing). ``--profile DIR`` keeps each run's profile
(``callgrind_annotate`` of the two runs of a pair shows where the difference goes).

Needs valgrind (``apt-get install valgrind`` on Debian).
"""

from __future__ import annotations

import argparse
import gc
import re
import shutil
import signal
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


# -- sends: the real server process, its sockets, as wrk drives it ----------------------------

#: runs a server as ``python ARGS`` would (``-m MODULE ...`` or ``SCRIPT ...``) and ends the process
#: at once on SIGUSR1, without the interpreter's finalisation (which would free every fax the sends
#: made, a cost no wrk run pays). Built-in modules, os and runpy only, the same for both servers.
UNTIL_SIGNALLED = """\
import os, runpy, signal, sys
signal.signal(signal.SIGUSR1, lambda *_: os._exit(0))
sys.argv = sys.argv[1:]
if sys.argv[0] == "-m":
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
    runpy.run_path(sys.argv[0], run_name="__main__")
"""
#: the emulator as benchmarks/run.py starts it for the sends part (ids seeded, so runs repeat)
EMULATOR_SERVE = ["-m", "emulator", "serve", "--port", "0", "--clock", "manual", "--log-level", "error", "--quiet"]
SEND_CONNECTIONS = 16  # as run.py's wrk: the server has several requests ready at each turn of its loop
SEND_WARM_UP = 300  # sends before the counted ones, in both runs of a pair


def _raw(method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    """A request as wrk writes it (wrk.format): the request line, Host, the given headers, the length."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join([*lines, f"Content-Length: {len(body)}"]) + "\r\n\r\n").encode() + body


async def _drive(port: int, raws: list[bytes], sends: int, connections: int) -> int:
    """``sends`` sends (each ``raws`` in turn) over ``connections`` keep-alive connections, each
    waiting for an answer before its next request, as wrk does; returns the answers not 2xx."""
    import asyncio

    failed = 0

    async def connection(share: int) -> None:
        nonlocal failed
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(share):
            for raw in raws:
                writer.write(raw)
                head = await reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if length is None:
                    raise RuntimeError(f"an answer without Content-Length: {head[:200]!r}")
                await reader.readexactly(int(length.group(1)))
                failed += not head.startswith(b"HTTP/1.1 2")
        writer.close()

    shares = [sends // connections + (index < sends % connections) for index in range(connections)]
    await asyncio.gather(*(connection(share) for share in shares if share))
    return failed


def _running(pid: int) -> bool:
    """Whether any thread of the process is running or waiting for a CPU (state R)."""
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "R":
                return True
        except OSError:  # the thread ended meanwhile
            continue
    return False


def _until_idle(pid: int, quiet: float = 1.5) -> None:
    """Wait until no thread of the server has run for ``quiet`` seconds (start-up's warm-up thread
    done, the answers written), so each run of a pair counts the same work before and after
    the sends. By the threads' state, not by CPU time: on a busy machine a process that waits
    for a CPU spends none, yet is not idle."""
    import time

    since = time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.02)
        if _running(pid):
            since = time.monotonic()


def _started(argv: list[str], ready: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    assert process.stdout is not None
    line = process.stdout.readline()
    port = re.search(r"http://[\d.]+:(\d+)", line)
    if ready not in line or port is None:
        process.kill()
        raise RuntimeError(f"server did not start: {line!r}{process.stderr.read()[-2000:] if process.stderr else ''}")
    return process, int(port.group(1))


def send_count(
    server: list[str], ready: str, setup: Any, document: Any, sends: int, under: list[str], profile: str | None = None
) -> tuple[int, int]:
    """One run: ``server`` started under valgrind, set up (``setup`` makes the send's requests, a
    list for the bare app), warmed up, ``sends`` sends; the instructions its whole process executed
    and the server's peak RSS in kB (valgrind's own included)."""
    import asyncio

    from sends import prepared

    # Both runs of a pair start with the same bytecode cached: ``sends_measure`` first runs the server
    # outside valgrind until its warm-up thread is idle. It used to end that run after one send, before
    # the warm-up thread's imports, so whichever run of a pair (they run side by side) first imported a
    # module whose source had changed compiled it under valgrind: once ~110 million instructions of
    # Python's compiler in one run only, a CallerIP pair giving 436,586 a send where another gave
    # 657,317. Since, each pair's two profiles count the same compiling (Python's parser within 0.01 %).
    # without a profile asked for, none is written (callgrind's default is a file in the working directory)
    out = ["--callgrind-out-file=" + (profile or "/dev/null")] + (["--dump-instr=no"] if profile else [])
    process, port = _started([*under, *out, PYTHON, "-c", UNTIL_SIGNALLED, *server], ready)
    try:
        _until_idle(process.pid)
        base = f"http://127.0.0.1:{port}"
        requests = setup if isinstance(setup, list) else asyncio.run(prepared(setup, base, document))
        raws = [_raw(method, _relative(url), headers, body) for method, url, headers, body in requests]
        for each in (SEND_WARM_UP, sends):
            failed = asyncio.run(_drive(port, raws, each, SEND_CONNECTIONS))
            if failed:
                raise RuntimeError(f"{failed} of {each} sends were answered other than 2xx")
            _until_idle(process.pid)
        rss = int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{process.pid}/status").read_text()).group(1))
        process.send_signal(signal.SIGUSR1)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return collected(stderr), rss


def _relative(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sends_measure(
    vendors: list[str], documents: list[str], sends: int = 1000, jobs: int = 2, profile: str | None = None
) -> list[dict[str, Any]]:
    """Instructions per send of the emulator's server process and of the bare app's, each
    (run with ``SEND_WARM_UP + sends`` sends - run with ``SEND_WARM_UP``) / ``sends``."""
    import asyncio

    from bare_app import answer_headers
    from sends import DOCUMENTS, NOT_TAKEN, SENDS, prepared, send_once

    chosen = [(v, d) for v in vendors for d in DOCUMENTS if d[0] in documents and (v, d[0]) not in NOT_TAKEN]
    emulator = ([*EMULATOR_SERVE, "--seed", str(SEED)], "fax-emulator listening on")
    # outside valgrind: compiles the bytecode, and each send's answer, which the bare app gives back
    servers: dict[tuple[str, str], tuple[tuple[list[str], str], Any]] = {}
    for vendor, document in chosen:
        process, port = _started([PYTHON, "-c", UNTIL_SIGNALLED, *emulator[0]], emulator[1])
        try:
            base = f"http://127.0.0.1:{port}"
            requests = asyncio.run(prepared(SENDS[vendor][1], base, document))
            answer = send_once(requests)
            # until the warm-up thread is done: what it imports is compiled and cached here, not by
            # whichever run of a pair imports it first under valgrind
            _until_idle(process.pid)
        finally:
            process.kill()
            process.communicate()
        bare = [str(HERE / "bare_app.py"), "--port", "0", "--body", answer[0].decode()]
        bare += [part for name, value in answer_headers(answer[1]).items() for part in ("--header", f"{name}: {value}")]
        servers[vendor, document[0]] = (emulator, SENDS[vendor][1])
        servers[vendor, document[0] + " bare"] = ((bare, "bare listening on"), requests)

    def one(key: tuple[str, str], count: int) -> tuple[int, int]:
        (argv, ready), setup = servers[key]
        document = next(d for d in DOCUMENTS if key[1].startswith(d[0]))
        path = f"{profile}/{key[0]}-{key[1].replace(' ', '-')}-{count}.callgrind" if profile else None
        return send_count(argv, ready, setup, document, count, VALGRIND[:2], path)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        runs = {(key, count): pool.submit(one, key, count) for key in servers for count in (0, sends)}
        rows = []
        for vendor, document in chosen:
            (ours, ours_rss), (bare, bare_rss) = (
                (
                    per_request(runs[(key, 0)].result()[0], runs[(key, sends)].result()[0], sends),
                    runs[(key, sends)].result()[1],
                )
                for key in ((vendor, document[0]), (vendor, document[0] + " bare"))
            )
            label = SENDS[vendor][0]
            rows.append(
                {
                    "vendor": vendor,
                    "send": label,
                    "document": document[0],
                    "emulator_instructions": round(ours),
                    "bare_instructions": round(bare),
                    "ratio": round(bare / ours, 3),
                    "sends": sends,
                    "emulator_peak_rss_kb": ours_rss,
                    "bare_peak_rss_kb": bare_rss,
                }
            )
            print(
                f"  {label}, {document[0]}: {ours:,.0f} instructions a send vs bare {bare:,.0f} (x{bare / ours:.3f})",
                flush=True,
            )
    return rows


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
        return
    import json

    from hot_reads import HOT_READS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vendor", action="append", choices=sorted(HOT_READS))
    parser.add_argument("--requests", type=int, default=1000, help="measured requests (with --sends: sends) per run")
    parser.add_argument("--jobs", type=int, default=2, help="valgrind runs at a time")
    parser.add_argument("--uvloop", action="store_true", help="on uvloop's event loop (must be installed)")
    parser.add_argument(
        "--startup", action="store_true", help="instructions from process start to listening, emulator and bare app"
    )
    parser.add_argument(
        "--sends", action="store_true", help="instructions per send, each server process as wrk drives it"
    )
    parser.add_argument("--send-vendor", action="append", help="with --sends: a vendor's send (default: every vendor)")
    parser.add_argument("--document", action="append", help="with --sends: a document (default: the 1-page PDF)")
    parser.add_argument("--profile", help="with --sends: keep each run's callgrind profile in this folder")
    args = parser.parse_args()
    if not installed():
        parser.exit(1, "valgrind is not installed (apt-get install valgrind on Debian)\n")
    if args.startup:
        print(json.dumps(startup()))
        return
    if args.sends:
        from sends import SENDS

        vendors, documents = args.send_vendor or list(SENDS), args.document or ["1-page PDF"]
        print(json.dumps(sends_measure(vendors, documents, args.requests, args.jobs, args.profile)))
        return
    launch = [PYTHON, str(HERE / "with_uvloop.py")] if args.uvloop else [PYTHON]
    print(json.dumps(measure(args.vendor or list(HOT_READS), args.requests, args.jobs, launch)))


if __name__ == "__main__":
    main()
