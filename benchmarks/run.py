"""fax-emulator benchmarks: throughput and latency, CPU and instructions per request, start-up, scale, webhooks, events.

    python benchmarks/run.py                          # everything, about 10 minutes (+2 to 4 with valgrind)
    python benchmarks/run.py --only throughput --vendors kazoo --rounds 9
    python benchmarks/run.py --only throughput,startup --uvloop   # both servers on uvloop

Each server is pinned to core 0 and the load generator to core 1 (taskset), and every
figure is compared with a bare aiohttp app measured in the same run, alternately, because
absolute numbers drift on shared machines. Results go to benchmarks/results/latest.{json,md}.
Parts: throughput (wrk, else benchmarks/loadgen.py), sends (each vendor's send, wrk only),
cpu (benchmarks/inproc.py), startup, suite (a user's pytest suite: benchmarks/suite.py),
scale (benchmarks/scale.py), retention (benchmarks/retention.py),
data (serve --data: a send against the same in memory, a hot read against the bare app, start-up
on a file of 100,000 faxes made by benchmarks/data_file.py, faxes through a file at flat memory),
webhooks (benchmarks/webhooks.py), events (benchmarks/events.py), console (the CallerIP status read with
serve's console on, to a file, against serve --quiet), pages (a fax rendered as printed, ms
per page, and a status read's p99 meanwhile: benchmarks/pages.py), instructions (instructions per
request counted by valgrind, benchmarks/instructions.py; in "everything" only if valgrind is installed),
soak (64 clients of all four vendors and a hostile one for 60 s: server errors, health p99, RSS
slope between the hostile uploads; benchmarks/soak.py), tokens (RSS growth after 20,000 new
FAX.PLUS tokens and 20,000 Kazoo logins on read-only requests: benchmarks/tokens.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import instructions as icount  # noqa: E402
import svgplot  # noqa: E402
from bare_app import answer_headers  # noqa: E402
from hot_reads import HOT_READS  # noqa: E402
from inproc import SERVER_ENV  # noqa: E402
from sends import DOCUMENTS, NOT_TAKEN, SENDS, prepared, send_once  # noqa: E402

PYTHON = sys.executable
SERVER_CORE, LOAD_CORE = "0", "1"
TARGETS = {
    "throughput_ratio": 0.85,
    "send_1_page_ratio": 0.35,
    "send_10_page_ratio": 0.25,
    "startup_ratio": 1.2,
    "scale_100k_s": 10.0,
    "scale_100k_mb": 300.0,
    "retention_1m_mb": 200.0,
    "data_send_ratio": 0.5,
    "data_read_ratio": 0.85,
    "data_startup_100k_s": 3.0,
    "webhooks_per_s": 3000.0,
    "events_per_s": 1000.0,
    "console_ratio": 0.7,
    "pages_status_p99_ms": 50.0,
    "soak_server_errors": 0,
    "soak_health_p99_ms": 100.0,
    "tokens_growth_mb": 10.0,
    "suite_function_fixture_ms": 10.0,
    "suite_session_reset_ms": 1.0,
    # a reference, not a target of its own: the throughput target applied to instructions per request
    "instructions_ratio": 0.85,
}
PARTS = (
    "throughput",
    "sends",
    "cpu",
    "startup",
    "suite",
    "scale",
    "retention",
    "data",
    "webhooks",
    "events",
    "console",
    "pages",
    "instructions",
    "soak",
    "tokens",
)


def pinned(core: str, argv: list[str]) -> list[str]:
    return ["taskset", "-c", core, *argv] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else argv


def start(argv: list[str], ready: str) -> tuple[subprocess.Popen[str], str]:
    """Start a server and wait for its ready line; return the process and its base URL."""
    process = subprocess.Popen(
        pinned(SERVER_CORE, argv), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=SERVER_ENV
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://\S+)", line)
    if ready not in line or match is None:
        process.kill()
        raise RuntimeError(f"server did not start: {line!r}")
    return process, match.group(1)


#: the servers' interpreter; with --uvloop both run on uvloop's event loop
LAUNCH = [PYTHON]


def serve_args(port: int = 0, data: str | None = None) -> list[str]:
    """`fax-emulator serve`'s arguments as the benchmarks start it (after ``python -m emulator``)."""
    # --quiet: nobody reads the server's output past its ready line, and a full pipe would stall it
    return [
        "serve",
        "--port",
        str(port),
        "--clock",
        "manual",
        "--log-level",
        "error",
        "--quiet",
        *(("--data", data) if data is not None else ()),
    ]


def emulator_argv(port: int = 0, data: str | None = None) -> list[str]:
    return [*LAUNCH, "-m", "emulator", *serve_args(port, data)]


def header_args(headers: dict[str, str] | None) -> list[str]:
    """``headers`` as the bare app's ``--header 'Name: value'`` arguments."""
    return [part for name, value in (headers or {}).items() for part in ("--header", f"{name}: {value}")]


def bare_argv(body: str = '{"ok": true}', port: int = 0, headers: dict[str, str] | None = None) -> list[str]:
    return [*LAUNCH, str(HERE / "bare_app.py"), "--port", str(port), "--body", body, *header_args(headers)]


def stop(process: subprocess.Popen[str]) -> None:
    """End a server ``start`` started, and close the pipe its ready line came on."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


# -- load ---------------------------------------------------------------------------


def load(
    url: str, headers: dict[str, str], duration: float, connections: int, script: str | None = None
) -> dict[str, Any]:
    """GETs of ``url`` (or, with wrk, the requests a Lua ``script`` makes)."""
    if shutil.which("wrk"):
        argv = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency"]
        argv += ["-s", script] if script else []
        for key, value in headers.items():
            argv += ["-H", f"{key}: {value}"]
        out = subprocess.run(pinned(LOAD_CORE, [*argv, url]), capture_output=True, text=True, check=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        return {
            "tool": "wrk",
            "rps": round(rps, 1),
            "p50_ms": _wrk_ms(out, "50%"),
            "p99_ms": _wrk_ms(out, "99%"),
            "errors": int(non2xx.group(1)) if non2xx else 0,
        }
    argv = [PYTHON, str(HERE / "loadgen.py"), url, "--connections", str(connections), "--duration", str(duration)]
    for key, value in headers.items():
        argv += ["--header", f"{key}: {value}"]
    result = json.loads(subprocess.run(pinned(LOAD_CORE, argv), capture_output=True, text=True, check=True).stdout)
    return {"tool": "aiohttp", **{k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}}


def _wrk_ms(out: str, quantile: str) -> float:
    value, unit = re.search(rf"{re.escape(quantile)}\s+([\d.]+)(us|ms|s)", out).groups()
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 3)


def alternating(
    baseline: Callable[[], dict[str, Any]], measured: Callable[[], dict[str, Any]], rounds: int
) -> dict[str, Any]:
    """``rounds`` runs of ``measured`` alternating with runs of ``baseline``, which also opens
    and closes the series (baseline, measured, baseline, ..., measured, baseline): the best run
    of each and two ratios of their rates (measured / baseline).

    ``ratio``, the one the targets are held to, is the median over the rounds of each measured
    run against the mean of the two baseline runs around it: on this shared machine the speed
    moves by a third and more between runs seconds apart (the bare app alone measured from
    8,700 to 17,900 reads a second within a minute, 2026-12-03), so the two runs compared are
    taken at nearly the same moment and the median leaves out a round a busy spell fell on.
    ``best_ratio`` is the best of each side's runs, as the parts reported before; it can pair
    one side's fastest spell with the other's slowest. ``interval`` is where the median of such
    ratios lies, as far as these rounds tell (``median_interval``): a target inside it is one
    this run cannot settle either way.
    """
    baseline_runs = [baseline()]
    measured_runs = []
    for _ in range(rounds):
        measured_runs.append(measured())
        baseline_runs.append(baseline())
    best = max(measured_runs, key=lambda run: run["rps"])
    best_baseline = max(baseline_runs, key=lambda run: run["rps"])
    around = [
        run["rps"] / ((before["rps"] + after["rps"]) / 2)
        for run, before, after in zip(measured_runs, baseline_runs, baseline_runs[1:], strict=False)
    ]
    ratios = [round(value, 3) for value in around]
    return {
        "measured": best,
        "baseline": best_baseline,
        "ratio": round(statistics.median(around), 3),
        "best_ratio": round(best["rps"] / best_baseline["rps"], 3),
        "ratios": ratios,
        "interval": median_interval(ratios),
        # each run's rate, in the order run (the baseline's first and last)
        "measured_rps": [run["rps"] for run in measured_runs],
        "baseline_rps": [run["rps"] for run in baseline_runs],
    }


#: how sure ``median_interval`` is that the median lies within the interval it gives
CONFIDENCE = 0.95


def median_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> list[float] | None:
    """The narrowest interval of order statistics, ``[x(k), x(n+1-k)]`` of the ``n`` sorted
    values, that holds the median of what they were drawn from with at least ``confidence``,
    whatever its distribution: it misses only if ``k`` or more values fall on one side of the
    median, which happens with probability ``2 P(Binomial(n, 1/2) < k)``. None when even
    ``[min, max]`` is not sure enough (fewer than 6 values at 95 %).

    It covers the noise between one run's rounds, not the state of the machine: on this shared
    machine, runs of 40 rounds of Kazoo's read minutes apart gave medians of 0.887 (interval
    0.852-0.919) and 0.781 (README, "Benchmarks"). And adjacent rounds of ``alternating`` share
    a baseline run, so they are not quite independent draws. So the interval says how much a
    run can settle, not where the ratio of every run lies.
    """
    ordered = sorted(values)
    n = len(ordered)
    found = None
    below = 0.0  # P(Binomial(n, 1/2) < k)
    for k in range(1, n // 2 + 1):
        below += math.comb(n, k - 1) / 2**n
        if 1 - 2 * below < confidence:
            break
        found = [ordered[k - 1], ordered[n - k]]
    return found


def shown_interval(result: dict[str, Any]) -> str:
    """A result's ``interval`` as a report shows it: ``0.80-0.92``, or "too few rounds"."""
    interval = result.get("interval")
    return f"{interval[0]:.2f}-{interval[1]:.2f}" if interval else "too few rounds"


#: one side of ``alternating_loads``: a server's URL, the headers sent, the wrk script that makes
#: the requests (None: GETs of the URL)
Side = tuple[str, dict[str, str], str | None]


def alternating_loads(baseline: Side, measured: Side, duration: float, connections: int, rounds: int) -> dict[str, Any]:
    """``alternating`` runs of ``load`` against two servers."""
    return alternating(
        partial(load, baseline[0], baseline[1], duration, connections, baseline[2]),
        partial(load, measured[0], measured[1], duration, connections, measured[2]),
        rounds,
    )


def reset(base: str) -> None:
    """Empty the emulator at ``base`` (``POST /_emulator/reset``)."""
    request = urllib.request.Request(base + "/_emulator/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


def get(url: str, headers: dict[str, str] | None = None) -> bytes:
    return fetch(url, headers)[0]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a GET."""
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read(), dict(response.headers.items())


async def _setup(vendor: str, base: str) -> tuple[str, dict[str, str]]:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        return await HOT_READS[vendor][1](session, base)


def throughput(duration: float, connections: int, rounds: int, vendors: list[str]) -> list[dict[str, Any]]:
    """Each hot read against the bare app serving its bytes: ``rounds`` alternating runs of
    each (``alternating``: bare, emulator, bare, ..., bare), so that a busy spell of the
    machine does not fall on one side only."""
    rows = []
    emulator, base = start(emulator_argv(), "fax-emulator listening on")
    try:
        for vendor in vendors:
            label = HOT_READS[vendor][0]
            url, headers = asyncio.run(_setup(vendor, base))
            body, answered = fetch(url, headers)
            bare, bare_base = start(bare_argv(body.decode(), headers=answer_headers(answered)), "bare listening on")
            try:
                bare_url = bare_base + url[len(base) :]
                assert get(bare_url) == body
                runs = alternating_loads((bare_url, headers, None), (url, headers, None), duration, connections, rounds)
            finally:
                stop(bare)
            ours = runs["measured"]
            rows.append(
                {
                    "vendor": vendor,
                    "read": label,
                    "bytes": len(body),
                    "emulator": ours,
                    "bare": runs["baseline"],
                    "ratio": runs["ratio"],
                    "best_ratio": runs["best_ratio"],
                    "ratios": runs["ratios"],
                    "interval": runs["interval"],
                    "rounds": rounds,
                }
            )
            print(
                f"  {label}: {ours['rps']:.0f} req/s vs bare {runs['baseline']['rps']:.0f} at best "
                f"(x{runs['best_ratio']}), x{runs['ratio']} run against run ({shown_interval(runs)}), "
                f"p99 {ours['p99_ms']} ms",
                flush=True,
            )
    finally:
        stop(emulator)
    return rows


def _wrk_script(requests: list[tuple[str, str, dict[str, str], bytes]], folder: Path) -> str:
    """A wrk script sending ``requests`` (method, path, headers, body) in turn, bodies read from files."""

    def quoted(text: str) -> str:
        return "[==[" + text + "]==]"

    specs = []
    for index, (method, path, headers, body) in enumerate(requests):
        (folder / f"body{index}").write_bytes(body)
        given = ", ".join(f"[ {quoted(k)} ] = {quoted(v)}" for k, v in headers.items())
        specs.append(f"{{{quoted(method)}, {quoted(path)}, {{{given}}}, {quoted(str(folder / f'body{index}'))}}}")
    script = folder / "sends.lua"
    script.write_text(f"""local specs = {{{", ".join(specs)}}}
local requests, turn = {{}}, 0
init = function(args)
  for i, spec in ipairs(specs) do
    local file = io.open(spec[4], "rb")
    requests[i] = wrk.format(spec[1], spec[2], spec[3], file:read("*a"))
    file:close()
  end
end
request = function()
  turn = turn % #requests + 1
  return requests[turn]
end
""")
    return str(script)


def sends(duration: float, connections: int, rounds: int, vendors: list[str]) -> list[dict[str, Any]]:
    """Each vendor's send of each document against the bare app reading the same bodies,
    alternating runs (``alternating``; wrk: it sends bodies; the sends are made in the
    emulator's memory as a user's load test makes them), each send's from an emptied emulator
    (``reset``): on the manual clock no fax ends, so none is let go, and each send measured
    after the others carried all their faxes (1.1 GB by the last, its p99 at 0.6 s)."""
    import tempfile
    from urllib.parse import urlsplit

    if not shutil.which("wrk"):
        print("  skipped: the sends part needs wrk (apt-get install wrk on Debian)", flush=True)
        return []
    rows = []
    emulator, base = start(emulator_argv(), "fax-emulator listening on")
    try:
        for vendor in vendors:
            label, setup = SENDS[vendor]
            for document in DOCUMENTS:
                if (vendor, document[0]) in NOT_TAKEN:
                    continue
                reset(base)
                requests = asyncio.run(prepared(setup, base, document))
                answer, answered = send_once(requests)
                bare, bare_base = start(
                    bare_argv(answer.decode(), headers=answer_headers(answered)), "bare listening on"
                )
                try:
                    with tempfile.TemporaryDirectory() as folder:
                        relative = [
                            (m, urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else ""), h, b)
                            for m, u, h, b in requests
                        ]
                        script = _wrk_script(relative, Path(folder))
                        runs = alternating_loads(
                            (bare_base + "/", {}, script), (base + "/", {}, script), duration, connections, rounds
                        )
                finally:
                    stop(bare)
                ours, bare_result = runs["measured"], runs["baseline"]
                per_send = len(requests)
                rows.append(
                    {
                        "vendor": vendor,
                        "send": label,
                        "document": document[0],
                        "bytes": sum(len(r[3]) for r in requests),
                        "requests_per_send": per_send,
                        "emulator": ours,
                        "bare": bare_result,
                        "sends_per_s": round(ours["rps"] / per_send, 1),
                        "bare_sends_per_s": round(bare_result["rps"] / per_send, 1),
                        "ratio": runs["ratio"],
                        "best_ratio": runs["best_ratio"],
                        "ratios": runs["ratios"],
                        "interval": runs["interval"],
                        "rounds": rounds,
                    }
                )
                print(
                    f"  {label}, {document[0]}: {rows[-1]['sends_per_s']:.0f} sends/s vs bare "
                    f"{rows[-1]['bare_sends_per_s']:.0f} at best (x{runs['best_ratio']}), x{runs['ratio']} run "
                    f"against run ({shown_interval(runs)}), p99 {ours['p99_ms']} ms"
                    + (f", {ours['errors']} errors" if ours["errors"] else ""),
                    flush=True,
                )
    finally:
        stop(emulator)
    return rows


def cpu(vendors: list[str]) -> list[dict[str, Any]]:
    """Server CPU per hot read without sockets (benchmarks/inproc.py): the low-noise view."""
    argv = [*LAUNCH, str(HERE / "inproc.py"), *[a for v in vendors for a in ("--vendor", v)]]
    out = subprocess.run(pinned(SERVER_CORE, argv), capture_output=True, text=True, check=True, env=SERVER_ENV).stdout
    rows = json.loads(out.strip().splitlines()[-1])
    for row in rows:
        row["read"] = HOT_READS[row["vendor"]][0]
        print(f"  {row['read']}: {row['emulator_us']} us vs bare {row['bare_us']} us (x{row['ratio']})", flush=True)
    return rows


# -- start-up -----------------------------------------------------------------------


def time_to_health(argv: list[str], health: str) -> float:
    """Seconds from process start to the first successful health request."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    began = time.perf_counter()
    process = subprocess.Popen(
        pinned(SERVER_CORE, [*argv, str(port)]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=SERVER_ENV
    )
    try:
        while True:
            try:
                get(f"http://127.0.0.1:{port}{health}")
                return time.perf_counter() - began
            except OSError:
                if time.perf_counter() - began > 30:
                    raise RuntimeError("server never became healthy") from None
                time.sleep(0.002)
    finally:
        process.terminate()
        process.wait(10)


def startup(runs: int) -> dict[str, Any]:
    """Median time to health of each, started alternately; a first start of each (not
    counted) fills the bytecode cache, as any earlier run would have. The emulator starts as
    users start it: ``fax-emulator serve`` (the installed script; with its defaults: the real
    clock, the console), unless the servers run on uvloop."""
    script = Path(PYTHON).parent / "fax-emulator"
    if LAUNCH == [PYTHON] and script.exists():
        ours_argv = [str(script), "serve", "--port"]
    else:
        ours_argv = [*LAUNCH, "-m", "emulator", "serve", "--port"]
    bare_argv_ = [*LAUNCH, str(HERE / "bare_app.py"), "--port"]
    ours, bare = [], []
    for n in range(runs + 1):
        our_time = time_to_health(ours_argv, "/_emulator/health")
        bare_time = time_to_health(bare_argv_, "/health")
        if n:
            ours.append(our_time)
            bare.append(bare_time)
    ours_s, bare_s = statistics.median(ours), statistics.median(bare)
    print(f"  ready in {ours_s:.3f} s vs bare {bare_s:.3f} s (x{ours_s / bare_s:.2f})", flush=True)
    return {
        "emulator_s": round(ours_s, 3),
        "bare_s": round(bare_s, 3),
        "ratio": round(ours_s / bare_s, 3),
        "runs": runs,
    }


# -- the data file (serve --data) -------------------------------------------------------


def data_file(
    duration: float, connections: int, rounds: int, faxes: int, startup_runs: int, retention_run: tuple[int, int]
) -> dict[str, Any]:
    """``serve --data``: a send (CallerIP, a 1-page PDF) against the same send in memory; the
    CallerIP hot read against the bare app; and the time to health of a server started on a
    file of ``faxes`` faxes (benchmarks/data_file.py makes it). Alternating runs
    (``alternating``), as the other parts. Then ``retention_run`` (faxes, kept) through a data file
    (benchmarks/retention.py --data): memory and the file stay flat."""
    import tempfile
    from urllib.parse import urlsplit

    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        if shutil.which("wrk"):
            memory, memory_base = start(emulator_argv(), "fax-emulator listening on")
            kept, kept_base = start(emulator_argv(data=str(Path(folder) / "sends.sqlite")), "fax-emulator listening on")
            try:
                label, setup = SENDS["callerip"]
                scripts = {}
                for name, base in (("memory", memory_base), ("data", kept_base)):
                    requests = asyncio.run(prepared(setup, base, DOCUMENTS[0]))
                    send_once(requests)
                    relative = [(m, urlsplit(u).path, h, b) for m, u, h, b in requests]
                    (Path(folder) / name).mkdir()
                    scripts[name] = _wrk_script(relative, Path(folder) / name)
                runs = alternating_loads(
                    (memory_base + "/", {}, scripts["memory"]),
                    (kept_base + "/", {}, scripts["data"]),
                    duration,
                    connections,
                    rounds,
                )
                result["sends"] = {
                    "send": f"{label}, {DOCUMENTS[0][0]}",
                    "memory": runs["baseline"],
                    "data": runs["measured"],
                    "ratio": runs["ratio"],
                    "best_ratio": runs["best_ratio"],
                }
                print(
                    f"  sends with --data: {runs['measured']['rps']:.0f}/s vs in memory "
                    f"{runs['baseline']['rps']:.0f}/s at best (x{runs['best_ratio']}), x{runs['ratio']} run "
                    f"against run, p99 {runs['measured']['p99_ms']} ms",
                    flush=True,
                )
            finally:
                stop(memory)
                stop(kept)
        else:
            print("  sends skipped: they need wrk (apt-get install wrk on Debian)", flush=True)
        kept, kept_base = start(emulator_argv(data=str(Path(folder) / "reads.sqlite")), "fax-emulator listening on")
        try:
            url, headers = asyncio.run(_setup("callerip", kept_base))
            body, answered = fetch(url, headers)
            bare, bare_base = start(bare_argv(body.decode(), headers=answer_headers(answered)), "bare listening on")
            try:
                bare_url = bare_base + url[len(kept_base) :]
                reads = alternating_loads(
                    (bare_url, headers, None), (url, headers, None), duration, connections, rounds
                )
            finally:
                stop(bare)
        finally:
            stop(kept)
        result["reads"] = {
            "read": HOT_READS["callerip"][0],
            "emulator": reads["measured"],
            "bare": reads["baseline"],
            "ratio": reads["ratio"],
            "best_ratio": reads["best_ratio"],
        }
        print(
            f"  {HOT_READS['callerip'][0]} with --data: {reads['measured']['rps']:.0f} req/s vs bare "
            f"{reads['baseline']['rps']:.0f} at best (x{reads['best_ratio']}), x{reads['ratio']} run against run",
            flush=True,
        )
        path = str(Path(folder) / "many.sqlite")
        made = json.loads(
            subprocess.run(
                [PYTHON, str(HERE / "data_file.py"), "make", path, str(faxes)],
                env=SERVER_ENV,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        empty = [*LAUNCH, "-m", "emulator", "serve", "--clock", "manual", "--quiet", "--port"]
        argv = [*empty[:-1], "--data", path, "--retain-faxes", str(faxes), "--port"]
        times, empty_times = [], []
        for _ in range(startup_runs):  # alternately, so both see the same machine
            times.append(time_to_health(argv, "/_emulator/health"))
            empty_times.append(time_to_health(empty, "/_emulator/health"))
        read = json.loads(
            subprocess.run(
                [PYTHON, str(HERE / "data_file.py"), "load", path], env=SERVER_ENV, capture_output=True, text=True
            ).stdout
        )
        result["startup"] = {
            **made,
            "ready_s": round(statistics.median(times), 3),
            "no_file_s": round(statistics.median(empty_times), 3),
            "load_cpu_s": read["load_cpu_s"],
            "runs": startup_runs,
        }
        print(
            f"  start-up on a file of {faxes} faxes ({made['file_mb']} MB): ready in {result['startup']['ready_s']} s "
            f"(no file: {result['startup']['no_file_s']} s; reading the file took {read['load_cpu_s']} s of CPU)",
            flush=True,
        )
        count, retain = retention_run
        out = subprocess.run(
            pinned(
                SERVER_CORE,
                [PYTHON, str(HERE / "retention.py"), str(count), str(retain), "--data", str(Path(folder) / "r.sqlite")],
            ),
            env=SERVER_ENV,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result["retention"] = json.loads(out)
        print(
            f"  {count} faxes through a data file, {retain} kept: peak RSS "
            f"{result['retention']['peak_rss_mb_at_10pct']} MB after 10%, {result['retention']['peak_rss_mb']} MB "
            f"at the end, file {result['retention']['file_mb']} MB",
            flush=True,
        )
    return result


def suite(tests: int) -> dict[str, Any]:
    """What a user's test suite feels (benchmarks/suite.py, in its own processes)."""
    out = subprocess.run(
        [PYTHON, str(HERE / "suite.py"), "--tests", str(tests)], capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    print(
        f"  fixture per test: {result['function_fixture_ms']} ms fresh, {result['session_reset_ms']} ms shared "
        f"and reset; {tests} tests sending a fax each: {result['suite_function_s']} s fresh, "
        f"{result['suite_session_s']} s shared (pytest alone: {result['pytest_alone_s']} s)",
        flush=True,
    )
    return result


# -- scale and webhooks -----------------------------------------------------------------


def scale(counts: list[int]) -> list[dict[str, Any]]:
    rows = []
    for count in counts:
        out = subprocess.run(
            pinned(SERVER_CORE, [PYTHON, str(HERE / "scale.py"), str(count)]),
            env=SERVER_ENV,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows.append(json.loads(out))
        print(
            f"  {count} faxes: {rows[-1]['total_s']} s, {rows[-1]['us_per_fax']} us/fax "
            f"({rows[-1]['gc_s']} s in GC), peak RSS {rows[-1]['peak_rss_mb']} MB",
            flush=True,
        )
    return rows


def retention(count: int, retain: int) -> dict[str, Any]:
    out = subprocess.run(
        pinned(SERVER_CORE, [PYTHON, str(HERE / "retention.py"), str(count), str(retain)]),
        env=SERVER_ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out)
    print(
        f"  {count} faxes, {retain} kept: {result['seconds']} s, peak RSS {result['peak_rss_mb_at_10pct']} MB "
        f"after 10%, {result['peak_rss_mb']} MB at the end",
        flush=True,
    )
    return result


def webhooks(count: int) -> dict[str, Any]:
    out = subprocess.run(
        pinned(SERVER_CORE, [PYTHON, str(HERE / "webhooks.py"), str(count)]),
        env=SERVER_ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out)
    print(f"  {count} deliveries: {result['per_second']:.0f}/s", flush=True)
    return result


def events(faxes: int) -> dict[str, Any]:
    out = subprocess.run(
        pinned(SERVER_CORE, [PYTHON, str(HERE / "events.py"), "--faxes", str(faxes)]),
        env=SERVER_ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out)
    browser = result["browser"]
    print(
        f"  {browser['changes']} fax changes: {browser['read_per_second']:.0f}/s read by a browser "
        f"(x{result['browser_time_ratio']:.2f} the time with nobody listening); a client that never reads: "
        f"queue at most {result['slow']['largest_queue']}",
        flush=True,
    )
    return result


def console(duration: float, connections: int, rounds: int) -> dict[str, Any]:
    """The CallerIP status read (the shortest answer: the console's share is largest) from
    ``serve`` as users start it, its console on and written to a file (one line a request),
    against ``serve --quiet``, alternating runs (``alternating``, the quiet server as the
    baseline): what the console costs a read."""
    quiet, quiet_base = start(emulator_argv(), "fax-emulator listening on")
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "console.log"
        with log.open("w") as out:
            loud = subprocess.Popen(
                pinned(SERVER_CORE, [part for part in emulator_argv() if part != "--quiet"]),
                stdout=out,
                stderr=subprocess.DEVNULL,
                text=True,
                env=SERVER_ENV,
            )
        try:
            loud_base = _listening(loud, log)
            quiet_url, headers = asyncio.run(_setup("callerip", quiet_base))
            loud_url, loud_headers = asyncio.run(_setup("callerip", loud_base))
            runs = alternating_loads(
                (quiet_url, headers, None), (loud_url, loud_headers, None), duration, connections, rounds
            )
        finally:
            stop(loud)
            stop(quiet)
            if quiet.stdout is not None:
                quiet.stdout.close()
        with log.open() as written:
            lines = sum(1 for line in written if " GET /api/fax/status " in line)
    row = {
        "read": HOT_READS["callerip"][0],
        "console": runs["measured"],
        "quiet": runs["baseline"],
        "ratio": runs["ratio"],
        "best_ratio": runs["best_ratio"],
        "ratios": runs["ratios"],
        "interval": runs["interval"],
        "rounds": rounds,
        "lines": lines,
    }
    print(
        f"  {row['read']}, console on: {row['console']['rps']:.0f} req/s vs quiet {row['quiet']['rps']:.0f} at best "
        f"(x{row['best_ratio']}), x{row['ratio']} run against run; {lines:,} lines written",
        flush=True,
    )
    return row


def _listening(process: subprocess.Popen[str], log: Path) -> str:
    """The base URL a server writing to ``log`` says it listens on, once it does."""
    for _ in range(300):
        match = re.search(r"fax-emulator listening on (http://\S+)", log.read_text())
        if match is not None:
            return match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[:500]!r}")


def pages(count: int) -> dict[str, Any]:
    out = subprocess.run(
        [PYTHON, str(HERE / "pages.py"), "--pages", str(count)],
        env=SERVER_ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out)
    print(
        f"  {count} pages: {result['ms_per_page']} ms a page (x{result['ratio_to_floor']} of pdfium alone); "
        f"status p99 {result['status_while_rendering']['p99_ms']} ms while rendering, "
        f"{result['status_idle']['p99_ms']} ms idle",
        flush=True,
    )
    return result


def soak(clients: int, seconds: float) -> dict[str, Any]:
    out = subprocess.run(
        [PYTHON, str(HERE / "soak.py"), "--clients", str(clients), "--seconds", str(seconds)],
        env=SERVER_ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out)
    health, rss = result["health"], result["rss_mb"]
    print(
        f"  {clients} clients, {seconds:.0f} s: {result['requests']} requests, "
        f"{result['server_errors']} server errors; health p99 {health['p99_ms']} ms; "
        f"RSS {rss['start']} -> {rss['end']} MB (peak {rss['peak']}), "
        f"{rss['between_uploads_slope_second_half_mb_per_min']} MB/min between the hostile uploads in the second half "
        f"({rss['slope_second_half_mb_per_min']} over all samples)",
        flush=True,
    )
    return result


def tokens(count: int) -> dict[str, Any]:
    out = subprocess.run(
        [PYTHON, str(HERE / "tokens.py"), "--count", str(count)],
        env=SERVER_ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out)
    steps = ", ".join(f"{step} +{result[step]['grown_mb']} MB" for step in TOKEN_STEPS)
    print(f"  {count} new credentials a step: {steps}", flush=True)
    return result


#: the steps of benchmarks/tokens.py, in its order
TOKEN_STEPS = ("faxplus", "kazoo_new_users", "kazoo_same_user")


# -- report -------------------------------------------------------------------------------

#: each part whose rows carry a ratio to the bare app, and its name in the hot reads chart
RATIO_PARTS = (("throughput", "req/s"), ("cpu", "CPU per request"), ("instructions", "instructions"))


def charts(results: dict[str, Any]) -> dict[str, str]:
    """The SVG charts the results make, by file name: the hot reads' ratios to the bare app
    against the target, and how the cost per fax and the memory grow with the faxes in flight."""
    made: dict[str, str] = {}
    parts = [(part, label) for part, label in RATIO_PARTS if part in results]
    if parts:
        reads = [row["read"].split()[0] for row in results[parts[0][0]]]
        made["hot_reads.svg"] = svgplot.bars(
            "Hot reads against bare aiohttp (1.0: as fast)",
            "ratio to the bare app",
            reads,
            {label: [row["ratio"] for row in results[part]] for part, label in parts},
            target=TARGETS["throughput_ratio"],
        )
    if results.get("sends"):
        rows = results["sends"]
        names = [document[0] for document in DOCUMENTS]
        sends_ = list(dict.fromkeys(row["send"] for row in rows))
        ratio = {(row["send"], row["document"]): row["ratio"] for row in rows}
        made["sends.svg"] = svgplot.bars(
            "Sends against bare aiohttp reading the same body (1.0: as fast)",
            "ratio to the bare app",
            [send.split()[0] for send in sends_],
            {name: [ratio.get((send, name), 0.0) for send in sends_] for name in names},
            series_targets={"1-page PDF": TARGETS["send_1_page_ratio"], "10-page PDF": TARGETS["send_10_page_ratio"]},
        )
    if "scale" in results:
        rows = results["scale"]
        faxes = [row["faxes"] for row in rows]
        made["scale_time.svg"] = svgplot.lines(
            "Cost per fax as the faxes in flight grow (flat is the goal)",
            "faxes in flight",
            "µs per fax",
            faxes,
            {
                "µs per fax": [row["us_per_fax"] for row in rows],
                "without the garbage collector": [row["us_per_fax_without_gc"] for row in rows],
            },
        )
        made["scale_memory.svg"] = svgplot.lines(
            "Peak memory as the faxes in flight grow",
            "faxes in flight",
            "peak RSS MB",
            faxes,
            {"peak RSS MB": [row["peak_rss_mb"] for row in rows]},
        )
    return made


def markdown(results: dict[str, Any], chart_files: Sequence[str] = ()) -> str:
    lines = [f"# fax-emulator benchmark ({results['when']}, {results['machine']})", ""]
    if chart_files:
        lines += [" ".join(f"![{name}]({name})" for name in chart_files), ""]
    if "throughput" in results:
        lines += [
            "## Hot reads (server on one core, wrk on the other; alternating runs, `alternating`)",
            "",
            "| read | bytes | emulator req/s | p50 ms | p99 ms | bare req/s | bare p99 ms | best / best "
            "| ratio, run against run (target ≥ 0.85) | its median's 95 % interval |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in results["throughput"]:
            e, b = row["emulator"], row["bare"]
            lines.append(
                f"| {row['read']} | {row['bytes']} | {e['rps']:.0f} | {e['p50_ms']} | {e['p99_ms']} | "
                f"{b['rps']:.0f} | {b['p99_ms']} | {row['best_ratio']} | {row['ratio']} | {shown_interval(row)} |"
            )
        lines.append("")
    if results.get("sends"):
        lines += [
            "## Sends (each vendor's send; server on one core, wrk on the other; alternating runs, `alternating`)",
            "",
            "| send | document | body bytes | emulator sends/s | p99 ms | bare sends/s | bare p99 ms | best / best "
            "| ratio, run against run (target ≥ 0.35 at 1 page, ≥ 0.25 at 10) | its median's 95 % interval |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in results["sends"]:
            e, b = row["emulator"], row["bare"]
            lines.append(
                f"| {row['send']} | {row['document']} | {row['bytes']} | {row['sends_per_s']:.0f} | "
                f"{e['p99_ms']} | {row['bare_sends_per_s']:.0f} | {b['p99_ms']} | "
                f"{row['best_ratio']} | {row['ratio']} | {shown_interval(row)} |"
            )
        lines.append("")
    if results.get("data"):
        data = results["data"]
        lines += ["## The data file (`serve --data`)", ""]
        if "sends" in data:
            sends_ = data["sends"]
            lines.append(
                f"- {sends_['send']}: {sends_['data']['rps']:.0f}/s with `--data` vs {sends_['memory']['rps']:.0f}/s "
                f"in memory: x{sends_['ratio']} (target ≥ 0.5)"
            )
        reads = data["reads"]
        lines.append(
            f"- {reads['read']} with `--data`: {reads['emulator']['rps']:.0f} req/s vs bare "
            f"{reads['bare']['rps']:.0f}: x{reads['ratio']} (target ≥ 0.85)"
        )
        up = data["startup"]
        lines.append(
            f"- start-up on a file of {up['faxes']} faxes ({up['file_mb']} MB): {up['ready_s']} s to health "
            f"(target < 3 s), {up['no_file_s']} s with no file; reading the file {up['load_cpu_s']} s of CPU"
        )
        kept = data["retention"]
        lines += [
            f"- {kept['faxes']} faxes through a data file, {kept['retain_faxes']} kept: peak RSS "
            f"{kept['peak_rss_mb_at_10pct']} MB after 10%, {kept['peak_rss_mb']} MB at the end; "
            f"file {kept['file_mb']} MB",
            "",
        ]
    if "cpu" in results:
        lines += [
            "## Server CPU per hot read (in process, no sockets; best of 5 rounds)",
            "",
            "| read | emulator µs | bare µs | ratio |",
            "|---|---|---|---|",
        ]
        for row in results["cpu"]:
            lines.append(f"| {row['read']} | {row['emulator_us']} | {row['bare_us']} | {row['ratio']} |")
        lines.append("")
    if "instructions" in results:
        rows = results["instructions"]
        lines += [
            f"## Instructions per hot read (valgrind callgrind, in process, no sockets; "
            f"{rows[0]['requests']} requests, deterministic)",
            "",
            "| read | emulator instructions | bare instructions "
            "| instructions ratio (reference: the req/s target ≥ 0.85) |",
            "|---|---|---|---|",
        ]
        for row in rows:
            lines.append(
                f"| {row['read']} | {row['emulator_instructions']:,} | {row['bare_instructions']:,} | {row['ratio']} |"
            )
        lines.append("")
    if "startup" in results:
        s = results["startup"]
        lines += [
            "## Start-up (process start to first healthy answer, median)",
            "",
            "| emulator s | bare s | ratio (target ≤ 1.2) |",
            "|---|---|---|",
            f"| {s['emulator_s']} | {s['bare_s']} | {s['ratio']} |",
            "",
        ]
    if "suite" in results:
        t = results["suite"]
        lines += [
            "## A user's test suite (the fax_emulator fixture; pytest per test, the first left out)",
            "",
            "| fixture ms per test, fresh (target < 10) | shared and reset (target < 1) | "
            f"{t['tests']} tests sending a fax each, s: fresh | shared | pytest alone, s |",
            "|---|---|---|---|---|",
            f"| {t['function_fixture_ms']} | {t['session_reset_ms']} | {t['suite_function_s']} | "
            f"{t['suite_session_s']} | {t['pytest_alone_s']} |",
            "",
        ]
    if "scale" in results:
        rows = results["scale"]
        first = rows[0]
        lines += [
            "## Scale (N faxes in flight on the manual clock, driven to the end)",
            "",
            "Growth is relative to the smallest N: flat cost per fax means x1.0. The garbage "
            "collector's share is shown apart; it is what grows.",
            "",
            "| faxes | total s (target < 10 at 100k) | µs per fax | growth | of which GC µs | "
            "peak RSS MB (target < 300) | KB per fax | transitions |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in rows:
            gc_us = round(row["us_per_fax"] - row["us_per_fax_without_gc"], 1)
            lines.append(
                f"| {row['faxes']} | {row['total_s']} | {row['us_per_fax']} | "
                f"x{row['us_per_fax'] / first['us_per_fax']:.2f} | {gc_us} | {row['peak_rss_mb']} | "
                f"{row['kb_per_fax']} | {row['transitions']} |"
            )
        lines.append("")
    if "retention" in results:
        r = results["retention"]
        lines += [
            "## Retention: many faxes through one emulator at flat memory",
            "",
            "| faxes | kept (--retain-faxes) | seconds | µs per fax | peak RSS MB after 10% | "
            "peak RSS MB at the end (target < 200) | documents expired |",
            "|---|---|---|---|---|---|---|",
            f"| {r['faxes']} | {r['retain_faxes']} | {r['seconds']} | {r['us_per_fax']} | "
            f"{r['peak_rss_mb_at_10pct']} | {r['peak_rss_mb']} | {r['documents_dropped']} |",
            "",
        ]
    if "webhooks" in results:
        w = results["webhooks"]
        lines += [
            "## Webhook delivery to a local receiver",
            "",
            "| deliveries | seconds | per second (target ≥ 3000) |",
            "|---|---|---|",
            f"| {w['deliveries']} | {w['seconds']} | {w['per_second']:.0f} |",
            "",
        ]
    if "console" in results:
        c = results["console"]
        lines += [
            "## The console: a hot read with `serve`'s line a request on (to a file) against `--quiet`",
            "",
            "| read | console req/s | quiet req/s | best / best | "
            f"ratio, run against run (target ≥ {TARGETS['console_ratio']}) | lines written |",
            "|---|---|---|---|---|---|",
            f"| {c['read']} | {c['console']['rps']:.0f} | {c['quiet']['rps']:.0f} | {c['best_ratio']} | {c['ratio']} "
            f"| {c['lines']:,} |",
            "",
        ]
    if "events" in results:
        e = results["events"]
        b, slow = e["browser"], e["slow"]
        lines += [
            "## The event stream: fax changes reaching a browser",
            "",
            "| fax changes | read by the browser | per second (target ≥ 1000) | time vs nobody listening | "
            "coalesced | a non-reader's largest queue (limit) |",
            "|---|---|---|---|---|---|",
            f"| {b['changes']} | {b['read']} | {b['read_per_second']:.0f} | x{e['browser_time_ratio']:.2f} | "
            f"{b['coalesced']} | {slow['largest_queue']} ({slow['queue_limit']}) |",
            "",
        ]
    if "pages" in results:
        p = results["pages"]
        idle, busy = p["status_idle"], p["status_while_rendering"]
        lines += [
            f"## A {p['pages']}-page fax rendered as printed (worker pool), and a status read meanwhile",
            "",
            "| ms per page | pdfium alone, ms per page | ratio | status p50/p99 ms idle "
            "| status p50/p99 ms while rendering (target p99 < 50) |",
            "|---|---|---|---|---|",
            f"| {p['ms_per_page']} | {p['floor_ms_per_page']} | {p['ratio_to_floor']} | "
            f"{idle['p50_ms']} / {idle['p99_ms']} | {busy['p50_ms']} / {busy['p99_ms']} |",
            "",
        ]
    if "soak" in results:
        k = results["soak"]
        lines += [
            f"## Soak: {k['clients']} clients of all four vendors and a hostile one, {k['seconds']:.0f} s",
            "",
            "| requests | server errors (target 0) | health p50 ms | health p99 ms (target < 100) "
            "| RSS MB start / end / peak | RSS slope between the hostile uploads, second half, MB/min "
            "(target: flat, within ±5) | over all samples |",
            "|---|---|---|---|---|---|---|",
            f"| {k['requests']} | {k['server_errors']} | {k['health']['p50_ms']} | {k['health']['p99_ms']} | "
            f"{k['rss_mb']['start']} / {k['rss_mb']['end']} / {k['rss_mb']['peak']} | "
            f"{k['rss_mb']['between_uploads_slope_second_half_mb_per_min']} | "
            f"{k['rss_mb']['slope_second_half_mb_per_min']} |",
            "",
        ]
    if "tokens" in results:
        t = results["tokens"]
        lines += [
            f"## RSS growth after {t['count']:,} new credentials on read-only requests (target < 10 MB each)",
            "",
            "| step | RSS before, MB | grown, MB |",
            "|---|---|---|",
            *(f"| {step} | {t[step]['rss_before_mb']} | {t[step]['grown_mb']} |" for step in TOKEN_STEPS),
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--only",
        help=f"comma-separated parts of {','.join(PARTS)} (default: all; instructions only if valgrind is installed)",
    )
    parser.add_argument("--duration", type=float, default=4, help="seconds of load per run")
    parser.add_argument("--rounds", type=int, default=7, help="alternating runs of each server per hot read")
    parser.add_argument("--vendors", default=",".join(HOT_READS), help="hot reads to measure")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--send-rounds",
        type=int,
        default=6,
        help="alternating runs of each server per send (6 at least for the ratio's 95 %% interval)",
    )
    parser.add_argument("--send-connections", type=int, default=16)
    parser.add_argument("--scale", default="1000,10000,100000")
    parser.add_argument(
        "--retention",
        default="1000000,10000",
        metavar="N,KEPT",
        help="faxes sent and --retain-faxes of the retention part",
    )
    parser.add_argument("--startup-runs", type=int, default=7)
    parser.add_argument("--data-faxes", type=int, default=100_000, help="faxes in the file the data part starts on")
    parser.add_argument(
        "--data-retention",
        default="100000,10000",
        metavar="N,KEPT",
        help="faxes sent through a data file and --retain-faxes, in the data part",
    )
    parser.add_argument("--suite-tests", type=int, default=100, help="tests in each suite of the suite part")
    parser.add_argument("--webhooks", type=int, default=5000)
    parser.add_argument("--events", type=int, default=2000, help="faxes whose changes the events part streams")
    parser.add_argument("--pages", type=int, default=100, help="pages of the fax the pages part renders")
    parser.add_argument("--jobs", type=int, default=2, help="valgrind runs at a time (instructions part)")
    parser.add_argument("--soak-clients", type=int, default=64)
    parser.add_argument("--soak-seconds", type=float, default=60)
    parser.add_argument("--tokens", type=int, default=20_000, help="new credentials in each step of the tokens part")
    parser.add_argument("--uvloop", action="store_true", help="run both servers on uvloop (must be installed)")
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args()
    if args.uvloop:
        LAUNCH[:] = [PYTHON, str(HERE / "with_uvloop.py")]
    parts = set(args.only.split(",")) if args.only else set(PARTS)
    if parts - set(PARTS):
        parser.error(f"unknown part(s) {','.join(sorted(parts - set(PARTS)))}; parts: {','.join(PARTS)}")
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} cores",
        "loop": "uvloop" if args.uvloop else "asyncio",
        "targets": TARGETS,
    }
    if "throughput" in parts:
        print("throughput:", flush=True)
        results["throughput"] = throughput(args.duration, args.connections, args.rounds, args.vendors.split(","))
    if "sends" in parts:
        print("sends:", flush=True)
        results["sends"] = sends(
            args.duration, args.send_connections, args.send_rounds, [v for v in args.vendors.split(",") if v in SENDS]
        )
    if "cpu" in parts:
        print("server CPU per request:", flush=True)
        results["cpu"] = cpu(args.vendors.split(","))
    if "startup" in parts:
        print("start-up:", flush=True)
        results["startup"] = startup(args.startup_runs)
    if "suite" in parts:
        print("a user's test suite:", flush=True)
        results["suite"] = suite(args.suite_tests)
    if "scale" in parts:
        print("scale:", flush=True)
        results["scale"] = scale([int(n) for n in args.scale.split(",")])
    if "retention" in parts:
        print("retention:", flush=True)
        count, retain = (int(n) for n in args.retention.split(","))
        results["retention"] = retention(count, retain)
    if "data" in parts:
        print("data file (--data):", flush=True)
        results["data"] = data_file(
            args.duration,
            args.send_connections,
            args.send_rounds,
            args.data_faxes,
            max(3, args.startup_runs // 2),
            tuple(int(n) for n in args.data_retention.split(",")),  # type: ignore[arg-type]
        )
    if "webhooks" in parts:
        print("webhooks:", flush=True)
        results["webhooks"] = webhooks(args.webhooks)
    if "events" in parts:
        print("events:", flush=True)
        results["events"] = events(args.events)
    if "console" in parts:
        print("the console:", flush=True)
        results["console"] = console(args.duration, args.connections, args.rounds)
    if "pages" in parts:
        print("pages:", flush=True)
        results["pages"] = pages(args.pages)
    if "instructions" in parts:
        if icount.installed():
            print(f"instructions per request (valgrind, {args.jobs} runs at a time):", flush=True)
            results["instructions"] = icount.measure(args.vendors.split(","), jobs=args.jobs, launch=LAUNCH)
        else:
            print(
                "instructions per request: skipped, valgrind is not installed (apt-get install valgrind on Debian)",
                flush=True,
            )
    if "soak" in parts:
        print("soak:", flush=True)
        results["soak"] = soak(args.soak_clients, args.soak_seconds)
    if "tokens" in parts:
        print("tokens:", flush=True)
        results["tokens"] = tokens(args.tokens)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    made = charts(results)
    for name, svg in made.items():
        (out / name).write_text(svg)
    (out / "latest.md").write_text(markdown(results, list(made)))
    print(f"written {out / 'latest.md'}")


if __name__ == "__main__":
    main()
