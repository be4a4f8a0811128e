"""fax-emulator benchmarks: throughput and latency, start-up, scale, webhook delivery.

    python benchmarks/run.py                 # everything, ~2 minutes
    python benchmarks/run.py --only throughput --duration 5

Each server is pinned to core 0 and the load generator to core 1 (taskset), and every
figure is compared with a bare aiohttp app measured in the same run, because absolute
numbers drift on shared machines. Results go to benchmarks/results/latest.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from hot_reads import HOT_READS  # noqa: E402

PYTHON = sys.executable
SERVER_CORE, LOAD_CORE = "0", "1"
TARGETS = {"throughput_ratio": 0.85, "startup_ratio": 1.3, "scale_100k_s": 10.0, "scale_100k_mb": 300.0,
           "webhooks_per_s": 3000.0}


def pinned(core: str, argv: list[str]) -> list[str]:
    return ["taskset", "-c", core, *argv] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else argv


def start(argv: list[str], ready: str) -> tuple[subprocess.Popen[str], str]:
    """Start a server and wait for its ready line; return the process and its base URL."""
    process = subprocess.Popen(pinned(SERVER_CORE, argv), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://\S+)", line)
    if ready not in line or match is None:
        process.kill()
        raise RuntimeError(f"server did not start: {line!r}")
    return process, match.group(1)


def emulator_argv(port: int = 0) -> list[str]:
    return [PYTHON, "-m", "emulator", "serve", "--port", str(port), "--clock", "manual", "--log-level", "error"]


def bare_argv(body: str = '{"ok": true}', port: int = 0) -> list[str]:
    return [PYTHON, str(HERE / "bare_app.py"), "--port", str(port), "--body", body]


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


# -- load ---------------------------------------------------------------------------


def load(url: str, headers: dict[str, str], duration: float, connections: int) -> dict[str, Any]:
    if shutil.which("wrk"):
        argv = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency"]
        for key, value in headers.items():
            argv += ["-H", f"{key}: {value}"]
        out = subprocess.run(pinned(LOAD_CORE, [*argv, url]), capture_output=True, text=True, check=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        return {"tool": "wrk", "rps": round(rps, 1), "p50_ms": _wrk_ms(out, "50%"), "p99_ms": _wrk_ms(out, "99%"),
                "errors": int(non2xx.group(1)) if non2xx else 0}
    argv = [PYTHON, str(HERE / "loadgen.py"), url, "--connections", str(connections), "--duration", str(duration)]
    for key, value in headers.items():
        argv += ["--header", f"{key}: {value}"]
    result = json.loads(subprocess.run(pinned(LOAD_CORE, argv), capture_output=True, text=True, check=True).stdout)
    return {"tool": "aiohttp", **{k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}}


def _wrk_ms(out: str, quantile: str) -> float:
    value, unit = re.search(rf"{re.escape(quantile)}\s+([\d.]+)(us|ms|s)", out).groups()
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 3)


def get(url: str, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


async def _setup(vendor: str, base: str) -> tuple[str, dict[str, str]]:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        return await HOT_READS[vendor][1](session, base)


def throughput(duration: float, connections: int) -> list[dict[str, Any]]:
    rows = []
    emulator, base = start(emulator_argv(), "fax-emulator listening on")
    try:
        for vendor, (label, _) in HOT_READS.items():
            url, headers = asyncio.run(_setup(vendor, base))
            body = get(url, headers)
            bare, bare_base = start(bare_argv(body.decode()), "bare listening on")
            try:
                bare_url = bare_base + url[len(base):]
                assert get(bare_url) == body
                bare_result = load(bare_url, headers, duration, connections)
            finally:
                stop(bare)
            ours = load(url, headers, duration, connections)
            rows.append({"vendor": vendor, "read": label, "bytes": len(body), "emulator": ours, "bare": bare_result,
                         "ratio": round(ours["rps"] / bare_result["rps"], 3)})
            print(f"  {label}: {ours['rps']:.0f} req/s vs bare {bare_result['rps']:.0f} "
                  f"(x{rows[-1]['ratio']}), p99 {ours['p99_ms']} ms", flush=True)
    finally:
        stop(emulator)
    return rows


# -- start-up -----------------------------------------------------------------------


def time_to_health(argv: list[str], health: str, runs: int) -> float:
    """Median seconds from process start to the first successful health request."""
    import socket

    times = []
    for _ in range(runs):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        began = time.perf_counter()
        process = subprocess.Popen(pinned(SERVER_CORE, [*argv[:-1], str(port)] if argv[-1] == "PORT" else argv),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    get(f"http://127.0.0.1:{port}{health}")
                    break
                except OSError:
                    if time.perf_counter() - began > 30:
                        raise RuntimeError("server never became healthy") from None
                    time.sleep(0.005)
            times.append(time.perf_counter() - began)
        finally:
            process.terminate()
            process.wait(10)
    times.sort()
    return times[len(times) // 2]


def startup(runs: int) -> dict[str, Any]:
    ours = time_to_health([PYTHON, "-m", "emulator", "serve", "--clock", "manual", "--port", "PORT"],
                          "/_emulator/health", runs)
    bare = time_to_health([PYTHON, str(HERE / "bare_app.py"), "--port", "PORT"], "/health", runs)
    print(f"  ready in {ours:.3f} s vs bare {bare:.3f} s (x{ours / bare:.2f})", flush=True)
    return {"emulator_s": round(ours, 3), "bare_s": round(bare, 3), "ratio": round(ours / bare, 3), "runs": runs}


# -- scale and webhooks -----------------------------------------------------------------


def scale(counts: list[int]) -> list[dict[str, Any]]:
    rows = []
    for count in counts:
        out = subprocess.run(pinned(SERVER_CORE, [PYTHON, str(HERE / "scale.py"), str(count)]),
                             capture_output=True, text=True, check=True).stdout
        rows.append(json.loads(out))
        print(f"  {count} faxes: {rows[-1]['total_s']} s, {rows[-1]['us_per_fax']} us/fax, "
              f"peak RSS {rows[-1]['peak_rss_mb']} MB", flush=True)
    return rows


def webhooks(count: int) -> dict[str, Any]:
    out = subprocess.run(pinned(SERVER_CORE, [PYTHON, str(HERE / "webhooks.py"), str(count)]),
                         capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    print(f"  {count} deliveries: {result['per_second']:.0f}/s", flush=True)
    return result


# -- report -------------------------------------------------------------------------------


def markdown(results: dict[str, Any]) -> str:
    lines = [f"# fax-emulator benchmark ({results['when']}, {results['machine']})", ""]
    if "throughput" in results:
        lines += ["## Hot reads (one core each; same run)", "",
                  "| read | bytes | emulator req/s | p50 ms | p99 ms | bare req/s | bare p99 ms "
                  "| ratio (target ≥ 0.85) |",
                  "|---|---|---|---|---|---|---|---|"]
        for row in results["throughput"]:
            e, b = row["emulator"], row["bare"]
            lines.append(f"| {row['read']} | {row['bytes']} | {e['rps']:.0f} | {e['p50_ms']} | {e['p99_ms']} | "
                         f"{b['rps']:.0f} | {b['p99_ms']} | {row['ratio']} |")
        lines.append("")
    if "startup" in results:
        s = results["startup"]
        lines += ["## Start-up (process start to first healthy answer, median)", "",
                  "| emulator s | bare s | ratio (target ≤ 1.3) |", "|---|---|---|",
                  f"| {s['emulator_s']} | {s['bare_s']} | {s['ratio']} |", ""]
    if "scale" in results:
        lines += ["## Scale (N faxes in flight on the manual clock, driven to the end)", "",
                  "| faxes | total s | µs per fax | peak RSS MB | transitions |", "|---|---|---|---|---|"]
        for row in results["scale"]:
            lines.append(f"| {row['faxes']} | {row['total_s']} | {row['us_per_fax']} | {row['peak_rss_mb']} | "
                         f"{row['transitions']} |")
        lines.append("")
    if "webhooks" in results:
        w = results["webhooks"]
        lines += ["## Webhook delivery to a local receiver", "",
                  "| deliveries | seconds | per second (target ≥ 3000) |",
                  "|---|---|---|", f"| {w['deliveries']} | {w['seconds']} | {w['per_second']:.0f} |", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="throughput,startup,scale,webhooks")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per server")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--scale", default="1000,10000,100000")
    parser.add_argument("--startup-runs", type=int, default=7)
    parser.add_argument("--webhooks", type=int, default=5000)
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args()
    parts = set(args.only.split(","))
    results: dict[str, Any] = {"when": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{os.cpu_count()} cores",
                               "targets": TARGETS}
    if "throughput" in parts:
        print("throughput:", flush=True)
        results["throughput"] = throughput(args.duration, args.connections)
    if "startup" in parts:
        print("start-up:", flush=True)
        results["startup"] = startup(args.startup_runs)
    if "scale" in parts:
        print("scale:", flush=True)
        results["scale"] = scale([int(n) for n in args.scale.split(",")])
    if "webhooks" in parts:
        print("webhooks:", flush=True)
        results["webhooks"] = webhooks(args.webhooks)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    (out / "latest.md").write_text(markdown(results))
    print(f"written {out / 'latest.md'}")


if __name__ == "__main__":
    main()
