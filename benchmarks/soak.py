"""Soak: many clients of all four vendors for a bounded time, a hostile one among them.

    python benchmarks/soak.py --clients 64 --seconds 60

An emulator is started (``serve --clock manual``, with small retention limits so that they
hold within the run) and driven for ``--seconds``: ``--clients`` clients, a quarter per
vendor, each with a credential of its own, send faxes and poll them, list, download and
call the control API, while a clock driver advances the clock every 0.2 s and a hostile
client sends what issue #17 found: uploads that are not PDFs (``--hostile-mb`` MiB each),
PDFs whose one stream inflates to 64 MiB, JSON nested 100,000 levels deep, a scenario with
a catastrophic regex and requests made to trip it, a YAML alias bomb, and webhooks aimed at
a receiver that never answers. A probe in a process of its own reads ``/_emulator/health``
every 20 ms, and the server's RSS is sampled every 0.25 s.

Prints one JSON line: requests made, server errors (any 5xx, with the first few), health
p50/p99 (target: p99 < 100 ms), RSS at the start, the end and its peak, and over the second
half of the run, once the retention limits hold, the slope of RSS over all samples and over
those taken between the hostile uploads (target: flat, |slope| < 5 MiB a minute, between
them). Between them is the measure because a 40 MiB upload in flight holds about 80 MB (its
chunks, the part joined, its copy to a worker) for as long as it takes, a second on a quiet
machine, many on a loaded one, and then frees it: whether samples fall in it moves a
half-minute's slope by up to a hundred MB a minute either way, while what the server keeps
shows between them. ``--census REPORT``
starts the server through benchmarks/census_serve.py, which takes a census of its memory,
part by part, at a quarter, half and the end of the run. A test runs it for a few seconds
with a few clients (tests/benchmarks/test_soak.py).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import io
import itertools
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from emulator.core.documents import make_pdf  # noqa: E402

VENDORS = ("faxplus", "kazoo", "imagicle", "callerip")
#: the server's limits for the run: small, so that each holds within the run's first half and
#: the second half's slope is of what the server keeps, not of a bound still filling (the
#: delivery log, 2,000 before, filled at about 15 deliveries a second for two minutes: 3 to 4
#: MB a minute of the slope; FAX.PLUS's 100 uploads an account, not a flag, still fill for two
#: minutes at about 1 MB a minute; README "Soak")
SERVER_LIMITS = [
    *("--retain-faxes", "500", "--retain-documents-mb", "8", "--journal-size", "2000"),
    *("--webhook-log-size", "200", "--advance-wait", "0.5"),
]
PROBE_EVERY = 0.02  # seconds between health reads
SAMPLE_EVERY = 0.25  # seconds between RSS samples
#: seconds after a hostile upload's answer during which a sample still counts as during it
#: (the server lets go of the request once its answer is written)
UPLOAD_SETTLES = 0.5
# health p99 < 100 ms holds on a quiet machine (39.5 ms); on a loaded one it measures the wait
# for a core (README, "Soak")
EVIL_SCENARIO = """
name: evil regex
rules:
  - name: catastrophic
    match: {vendor: callerip, tenant: {regex: "(a+)+b"}}
    outcome: busy
"""
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
)


# -- the server, its memory and the health probe --------------------------------------------


def start_server(python: str = sys.executable, launcher: list[str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """The emulator, as ``python -m emulator serve`` or through ``launcher`` (census_serve.py)."""
    command = launcher if launcher is not None else ["-m", "emulator"]
    argv = [python, *command, "serve", "--port", "0", "--clock", "manual", "--quiet", "--log-level", "error"]
    process = subprocess.Popen(
        [*argv, *SERVER_LIMITS], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=HERE.parent
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://\S+)", line)
    if match is None:
        process.kill()
        raise RuntimeError(f"the emulator did not start: {line!r}")
    return process, match.group(1).rstrip("/")


def rss_mb(pid: int) -> float:
    """The process's resident set, in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def slope_mb_per_minute(samples: list[tuple[float, float]]) -> float:
    """The least-squares slope of (seconds, MiB) samples, in MiB a minute."""
    if len(samples) < 2:
        return 0.0
    times, sizes = zip(*samples, strict=True)
    return statistics.linear_regression(times, sizes).slope * 60


class Uploads:
    """When the hostile client's big uploads are in flight, so that RSS samples taken during
    one (or just after) can be told apart."""

    def __init__(self) -> None:
        self.sending = 0
        self.ended = -1e9  # monotonic time the last one was answered

    def quiet(self, now: float) -> bool:
        """No big upload in flight now, nor answered within ``UPLOAD_SETTLES``."""
        return not self.sending and now - self.ended >= UPLOAD_SETTLES


def probe(base: str, seconds: float) -> None:
    """Read /_emulator/health every PROBE_EVERY for ``seconds``; print the latencies (JSON)."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    latencies, failures, slowest = [], 0, []
    begun = time.monotonic()
    end = begun + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        try:
            connection.request("GET", "/_emulator/health")
            response = connection.getresponse()
            response.read()
            failures += response.status != 200
        except OSError:
            failures += 1
            connection.close()
        latencies.append(time.perf_counter() - started)
        slowest = sorted([*slowest, (latencies[-1], round(time.monotonic() - begun, 2))], reverse=True)[:5]
        time.sleep(PROBE_EVERY)
    print(json.dumps({"latencies": latencies, "failures": failures, "slowest": slowest}))


# -- the clients ----------------------------------------------------------------------------


class Tally:
    """Every answer's status, and the first few server errors."""

    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []

    def saw(self, method: str, url: str, status: int) -> None:
        self.statuses[status] += 1
        if status >= 500 and len(self.server_errors) < 20:
            self.server_errors.append(f"{method} {url.split('?')[0]} -> {status}")


async def call(session: Any, tally: Tally, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
    """One request; its status and its JSON body (None when it is not JSON)."""
    async with session.request(method, url, **kwargs) as response:
        data = await response.read()
        tally.saw(method, url, response.status)
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, None


async def post_form(
    session: Any, tally: Tally, url: str, fields: dict[str, str], file_field: str, document: bytes, **headers: str
) -> tuple[int, Any]:
    """POST a multipart body of ``fields`` and a document (as a file object when large, as
    aiohttp asks, so that sending it does not hold the client's loop)."""
    from sends import multipart

    parts = [(name, None, None, value.encode()) for name, value in fields.items()]
    body, content_type = multipart([*parts, (file_field, "soak.pdf", "application/pdf", document)])
    data = io.BytesIO(body) if len(body) > 1024 * 1024 else body
    return await call(session, tally, "POST", url, data=data, headers={**headers, "Content-Type": content_type})


async def faxplus(session: Any, tally: Tally, base: str, who: str, hooks: str) -> None:
    auth = {"Authorization": f"Bearer soak-{who}"}
    api = f"{base}/v3/accounts/self"
    await call(session, tally, "POST", f"{base}/v3/hooks", json={"target": hooks, "event": "fax_sent"}, headers=auth)
    _, numbers = await call(session, tally, "GET", f"{api}/numbers", headers=auth)
    number = numbers["numbers"][0]["number"]
    for n in itertools.count():
        _, file = await post_form(session, tally, f"{api}/files?format=pdf", {}, "fax_file", make_pdf(1), **auth)
        body = {"from": number, "to": ["+12125550100"], "files": [file["path"]], "return_ids": True}
        _, sent = await call(session, tally, "POST", f"{api}/outbox", json=body, headers=auth)
        [outbox_id] = sent["ids"].values()
        for _ in range(5):
            await call(session, tally, "GET", f"{api}/outbox/{outbox_id}", headers=auth)
        await call(session, tally, "GET", f"{api}/outbox", headers=auth)
        await call(session, tally, "GET", f"{api}/faxes?category=sent&limit=5", headers=auth)
        if n % 8 == 7:  # a download: the fax as printed, rendered in a worker
            await call(session, tally, "GET", f"{api}/files/{outbox_id}?format=pdf", headers=auth)


async def kazoo(session: Any, tally: Tally, base: str, who: str, hooks: str) -> None:
    credentials = hashlib.md5(f"{who}:secret".encode()).hexdigest()
    body = {"data": {"credentials": credentials, "account_name": f"soak-{who}"}}
    _, login = await call(session, tally, "PUT", f"{base}/v2/user_auth", json=body)
    auth = {"X-Auth-Token": login["auth_token"]}
    api = f"{base}/v2/accounts/{login['data']['account_id']}"
    hook = {"data": {"name": "soak", "uri": hooks, "hook": "outbound_fax", "http_verb": "post"}}
    await call(session, tally, "PUT", f"{api}/webhooks", json=hook, headers=auth)
    job = {
        "data": {
            "from_number": "+14155550100",
            "to_number": "+12125550100",
            "document": {"url": f"{base}/_emulator/health"},
        }
    }
    for n in itertools.count():
        status, made = await call(session, tally, "PUT", f"{api}/faxes/outgoing", json=job, headers=auth)
        if status == 401:  # the token expired on the advancing clock (Kazoo's hour): log in again, as clients do
            _, login = await call(session, tally, "PUT", f"{base}/v2/user_auth", json=body)
            auth["X-Auth-Token"] = login["auth_token"]
            continue
        job_id = made["data"]["id"]
        for _ in range(5):
            await call(session, tally, "GET", f"{api}/faxes/outgoing/{job_id}", headers=auth)
        await call(session, tally, "GET", f"{api}/faxes/outgoing", headers=auth)
        await call(session, tally, "GET", f"{api}/faxes/outbox", headers=auth)
        if n % 8 == 7:
            await call(session, tally, "GET", f"{api}/faxes/outbox/{job_id}/attachment", headers=auth)


async def imagicle(session: Any, tally: Tally, base: str, who: str, hooks: str) -> None:
    auth = {"Authorization": "Basic " + base64.b64encode(f"soak-{who}:secret".encode()).decode()}
    api = f"{base}/fw/Apps/StoneFax/WebAPI/Faxes"
    envelope = json.dumps({"subject": "soak", "recipients": [{"faxNumber": "2125550100"}]})
    for n in itertools.count():
        _, made = await post_form(
            session, tally, f"{api}/Outbound", {"jsondata": envelope}, "attachment0", make_pdf(1), **auth
        )
        [fax_id] = made["ids"]
        for _ in range(5):
            await call(session, tally, "GET", f"{api}/Outbound/{fax_id}", headers=auth)
        await call(session, tally, "GET", f"{api}/Outbound/Mine", headers=auth)
        if n % 4 == 3:
            await call(session, tally, "GET", f"{api}/Outbound/{fax_id}/Document", headers=auth)


async def callerip(session: Any, tally: Tally, base: str, who: str, hooks: str) -> None:
    token = f"soak-{who}"
    for _ in itertools.count():
        _, made = await post_form(
            session, tally, f"{base}/api/fax/send", {"token": token, "number": "2125550100"}, "file", make_pdf(1)
        )
        for _ in range(6):
            await call(session, tally, "GET", f"{base}/api/fax/status?token={token}&uuid={made['uuid']}")


async def control(session: Any, tally: Tally, base: str, who: str, hooks: str) -> None:
    """What a test suite or the web UI reads of the control API."""
    api = f"{base}/_emulator"
    paths = ["faxes?order=newest&view=summary&limit=100", "requests?limit=50", "webhooks?limit=50", "coverage", "clock"]
    for path in itertools.cycle(paths):
        await call(session, tally, "GET", f"{api}/{path}")
        await asyncio.sleep(0.05)


async def clock(session: Any, tally: Tally, base: str) -> None:
    """Advances the clock 20 emulated seconds every 0.2 s of the run."""
    while True:
        await call(session, tally, "POST", f"{base}/_emulator/clock/advance", json={"seconds": 20})
        await asyncio.sleep(0.2)


def zip_bomb() -> bytes:
    """A one-page PDF whose content stream inflates from about 64 KiB to 64 MiB."""
    stream = zlib.compress(b" " * (64 * 1024 * 1024), 1)
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
        b"<</Length %d/Filter/FlateDecode>>stream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    return bytes(out + b"trailer\n<</Root 1 0 R>>\n%%EOF\n")


def hostile_payloads(hostile_mb: float) -> dict[str, bytes]:
    """Made before the run starts (compressing the bomb takes a while)."""
    return {
        "huge": os.urandom(1024) * int(hostile_mb * 1024),
        "bomb": zip_bomb(),
        "deep": b"[" * 100_000 + b"]" * 100_000,
    }


async def hostile(
    session: Any, tally: Tally, base: str, payloads: dict[str, bytes], silent: str, uploads: Uploads
) -> None:
    """What issue #17 found, over and over: each must be answered (4xx or 2xx), never a 5xx."""
    huge, bomb, deep = payloads["huge"], payloads["bomb"], payloads["deep"]
    auth = {"Authorization": "Bearer soak-hostile"}
    files = f"{base}/v3/accounts/self/files"
    await call(session, tally, "POST", f"{base}/v3/hooks", json={"target": silent, "event": "fax_sent"}, headers=auth)
    for n in itertools.count():
        step = n % 6
        if step == 0:
            uploads.sending += 1
            try:
                await post_form(session, tally, files, {}, "fax_file", huge, **auth)
            finally:
                uploads.sending -= 1
                uploads.ended = time.monotonic()
        elif step == 1:
            await asyncio.gather(*(post_form(session, tally, files, {}, "fax_file", bomb, **auth) for _ in range(8)))
        elif step == 2:
            headers = {**auth, "Content-Type": "application/json"}
            await call(session, tally, "POST", f"{base}/v3/accounts/self/outbox", data=deep, headers=headers)
        elif step == 3:
            await call(session, tally, "POST", f"{base}/_emulator/scenario", data=EVIL_SCENARIO)
            for length in (20, 26, 32):
                await call(session, tally, "GET", f"{base}/api/fax/status?token={'a' * length}!&uuid=x")
            await call(session, tally, "DELETE", f"{base}/_emulator/scenario")
        elif step == 4:
            await call(session, tally, "POST", f"{base}/_emulator/scenario", data=ALIAS_BOMB)
        else:  # a fax whose webhook goes to the receiver that never answers
            _, numbers = await call(session, tally, "GET", f"{base}/v3/accounts/self/numbers", headers=auth)
            _, file = await post_form(session, tally, files, {}, "fax_file", make_pdf(1), **auth)
            body = {"from": numbers["numbers"][0]["number"], "to": ["+12125550100"], "files": [file["path"]]}
            await call(session, tally, "POST", f"{base}/v3/accounts/self/outbox", json=body, headers=auth)


# -- the run --------------------------------------------------------------------------------

CLIENTS: dict[str, Callable[..., Awaitable[None]]] = {
    "faxplus": faxplus,
    "kazoo": kazoo,
    "imagicle": imagicle,
    "callerip": callerip,
}


async def receivers() -> tuple[Any, str, str]:
    """A webhook receiver that answers at once, and one that never answers."""
    from aiohttp import web

    async def fast(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="ok")

    async def silent(request: web.Request) -> web.Response:
        await asyncio.sleep(3600)
        return web.Response()

    app = web.Application()
    app.router.add_post("/fast", fast)
    app.router.add_post("/silent", silent)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/fast", f"http://127.0.0.1:{port}/silent"


async def drive(
    base: str, pid: int, clients: int, seconds: float, payloads: dict[str, bytes], snapshots: bool = False
) -> dict[str, Any]:
    """Run the clients against the emulator at ``base`` (process ``pid``) for ``seconds``;
    ``snapshots``: signal it (SIGUSR1) at a quarter, half and the end of the run (census_serve.py),
    each at the first sample after that between the hostile uploads (one in flight holds its
    chunks in glibc's heap: up to 40 MiB more "in use"), at the latest at the next mark."""
    import aiohttp

    runner, fast, silent = await receivers()
    tally = Tally()
    connector = aiohttp.TCPConnector(limit=clients + 8)
    timeout = aiohttp.ClientTimeout(total=120)
    samples: list[tuple[float, float]] = []
    between: list[tuple[float, float]] = []  # the samples taken between the hostile uploads
    uploads = Uploads()
    started = time.monotonic()
    prober = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--probe", base, str(seconds), stdout=asyncio.subprocess.PIPE
    )
    # the hostile client on connections of its own, closed after each request: a body it is
    # still sending when the server refuses it is not retried on a kept-alive connection
    rude = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True), timeout=timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session, rude:
        tasks = [asyncio.create_task(clock(session, tally, base))]
        tasks.append(asyncio.create_task(hostile(rude, tally, base, payloads, silent, uploads)))
        tasks.append(asyncio.create_task(control(session, tally, base, "control", fast)))
        for n in range(max(0, clients - 2)):
            vendor = VENDORS[n % len(VENDORS)]
            tasks.append(asyncio.create_task(CLIENTS[vendor](session, tally, base, str(n), fast)))
        failed: list[str] = []
        marks = [seconds * part for part in (0.25, 0.5, 0.95)] if snapshots else []
        while (elapsed := time.monotonic() - started) < seconds:
            quiet = uploads.quiet(time.monotonic())
            samples.append((elapsed, rss_mb(pid)))
            if quiet and uploads.quiet(time.monotonic()):
                between.append(samples[-1])
            # between the hostile uploads, as the slope is; or, if none came, at the next mark
            if marks and elapsed >= marks[0] and (quiet or (len(marks) > 1 and elapsed >= marks[1])):
                marks.pop(0)
                os.kill(pid, signal.SIGUSR1)
            failed += [repr(t.exception()) for t in tasks if t.done() and not t.cancelled() and t.exception()]
            if failed:
                break
            await asyncio.sleep(SAMPLE_EVERY)
        samples.append((time.monotonic() - started, rss_mb(pid)))
        if marks:  # the run's end came before the last mark (a slow machine): a census of the end
            os.kill(pid, signal.SIGUSR1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await runner.cleanup()
    probed = json.loads((await prober.communicate())[0])
    latencies = sorted(probed["latencies"])
    second_half = [(t, mb) for t, mb in samples if t >= seconds / 2]
    quiet_half = [(t, mb) for t, mb in between if t >= seconds / 2]
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": sum(tally.statuses.values()),
        "statuses": {str(status): count for status, count in sorted(tally.statuses.items())},
        "server_errors": sum(count for status, count in tally.statuses.items() if status >= 500),
        "server_error_samples": tally.server_errors,
        "client_failures": failed,
        "health": {
            "reads": len(latencies),
            "failures": probed["failures"],
            "slowest_at_s": [[round(ms * 1000), at] for ms, at in probed["slowest"]],
            "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1)
            if latencies
            else None,
        },
        "rss_mb": {
            "start": round(samples[0][1], 1),
            "end": round(samples[-1][1], 1),
            "peak": round(max(mb for _, mb in samples), 1),
            "slope_second_half_mb_per_min": round(slope_mb_per_minute(second_half), 1),
            # the target's measure: what the server keeps, not a hostile upload in flight
            "between_uploads_second_half": [
                round(min(mb for _, mb in quiet_half), 1),
                round(max(mb for _, mb in quiet_half), 1),
            ]
            if quiet_half
            else None,
            "between_uploads_slope_second_half_mb_per_min": round(slope_mb_per_minute(quiet_half), 1),
        },
    }


def run(clients: int, seconds: float, hostile_mb: float, census: str | None = None) -> dict[str, Any]:
    """Start an emulator, soak it, stop it; the figures ``drive`` reports. ``census``: a
    file where benchmarks/census_serve.py writes the server's memory, part by part, at a quarter,
    half and the end of the run (each census holds the server a second or so)."""
    payloads = hostile_payloads(hostile_mb)
    launcher = None if census is None else [str(HERE / "census_serve.py"), str(Path(census).resolve()), "--"]
    process, base = start_server(launcher=launcher)
    try:
        return asyncio.run(drive(base, process.pid, clients, seconds, payloads, snapshots=census is not None))
    finally:
        assert process.stdout is not None
        process.stdout.close()
        process.terminate()
        try:
            process.wait(300 if census else 10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    if sys.argv[1:2] == ["--probe"]:
        probe(sys.argv[2], float(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--hostile-mb", type=float, default=40, help="MiB of each upload that is not a PDF")
    parser.add_argument(
        "--census", metavar="REPORT", help="take memory censuses of the server during the run; write them to REPORT"
    )
    args = parser.parse_args()
    print(json.dumps(run(args.clients, args.seconds, args.hostile_mb, args.census)))


if __name__ == "__main__":
    main()
