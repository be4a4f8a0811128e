"""What `fax-emulator serve` prints per request, violation and failed webhook (emulator/console.py)."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from emulator import console
from emulator.core.events import Events
from emulator.core.webhooks import RetryPolicy
from tests.conftest import advance, runtime_of
from tests.test_output import read_all, shrink
from tests.vendors.callerip.test_flow import send_form


def _serve(*flags: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "serve",
            "--port",
            "0",
            "--clock",
            "manual",
            "--start-time",
            "2026-01-01T00:00:00Z",
            *flags,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    first = process.stdout.readline().strip()  # type: ignore[union-attr]
    assert first.startswith("fax-emulator listening on "), first
    for _ in range(4):  # one line per vendor
        process.stdout.readline()  # type: ignore[union-attr]
    return process, first.rsplit(" ", 1)[1]


def _get(url: str) -> None:
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(url, timeout=10).close()


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0 and "Traceback" not in err, err
    return out


def test_serve_prints_one_line_per_request():
    process, base = _serve()
    try:
        _get(f"{base}/api/fax/status?token=line-9&uuid=nope")
        line = process.stdout.readline().strip()  # type: ignore[union-attr]
    finally:
        _stop(process)
    assert re.fullmatch(r"00:00:00\.000 GET /api/fax/status \d{3} callerip fax_status tenant=line-9 \d+\.\dms", line), (
        line
    )
    assert "nope" not in line  # the query (which may carry a token) is not printed


def test_log_format_json_prints_one_object_per_line():
    process, base = _serve("--log-format", "json")
    try:
        _get(f"{base}/api/fax/status?token=line-9&uuid=nope")
        line = process.stdout.readline()  # type: ignore[union-attr]
    finally:
        _stop(process)
    entry = json.loads(line)
    assert (entry["type"], entry["method"], entry["path"], entry["vendor"], entry["operation"], entry["tenant"]) == (
        "request",
        "GET",
        "/api/fax/status",
        "callerip",
        "fax_status",
        "line-9",
    )
    assert entry["iso"] == "2026-01-01T00:00:00.000Z" and isinstance(entry["duration_ms"], float)


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_line_holding_a_lone_surrogate_is_printed_as_its_escape(log_format):
    """A lone surrogate in a line (a CallerIP token field in utf-7, ``+2AA-``, was a request's
    tenant so, before such fields were read as U+FFFD) raised as it was written to stdout (or by
    orjson, for json): the printing task ended, nothing more was printed, and ``serve`` exited
    1 with a traceback (found by a byte probe)."""
    events = Events()
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # strict, as sys.stdout is
    task = asyncio.create_task(console.print_events(events, log_format, stdout))
    await asyncio.sleep(0)  # let it subscribe
    for tenant in ("\ud800", "line-9"):
        request = dict.fromkeys(("vendor", "operation", "method", "path", "status"), "x")
        events.publish("request", {**request, "time": 0.0, "tenant": tenant, "duration_ms": 1.0})
        await asyncio.sleep(0)  # printed in its own batch
    events.close()
    await task  # (it raised here)
    stdout.flush()
    lines = stdout.buffer.getvalue().decode().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 2 and "ud800" in lines[0] and "line-9" in lines[1], lines


def test_quiet_prints_nothing_after_the_start_up_lines():
    process, base = _serve("--quiet")
    _get(f"{base}/api/fax/status?token=line-9&uuid=nope")
    with urllib.request.urlopen(f"{base}/_emulator/requests", timeout=10) as answer:
        assert len(json.load(answer)["requests"]) == 1  # it was served
    assert _stop(process) == ""


async def test_violations_and_failed_webhooks_are_printed_but_deliveries_that_worked_are_not(client, receiver):
    runtime = runtime_of(client)
    out = io.StringIO()
    task = asyncio.create_task(console.print_events(runtime.events, "text", out))
    await asyncio.sleep(0)  # let it subscribe
    await client.post("/api/fax/send", data=send_form(number=""))  # refused: a violation
    receiver.fail_next = 1
    runtime.dispatcher.deliver(
        vendor="callerip",
        tenant="t",
        event="fax_done",
        url=receiver.url,
        body=b"{}",
        fax_id="f1",
        policy=RetryPolicy(attempts=2, delay=60),
    )
    await advance(client, 120)
    runtime.events.close()
    await task
    lines = out.getvalue().splitlines()
    assert len(lines) == 3, lines
    # the checks record the violation before the journal records the request
    assert lines[0].startswith(
        "00:00:00.000 VIOLATION callerip send_fax request error (POST /api/fax/send -> 400): "
        "body.number: '' does not match"
    )
    assert re.fullmatch(r"00:00:00\.000 POST /api/fax/send 400 callerip send_fax tenant=\S+ \d+\.\dms", lines[1])
    assert lines[2] == (
        f"00:00:00.000 WEBHOOK FAILED callerip fax_done fax f1 -> {receiver.url} attempt 1: "
        "HTTP 500; retry at 00:01:00.000"
    )


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="text, json"):
        console.formatter("xml")


def test_an_output_nobody_reads_stalls_no_request_and_loses_no_line():
    """A test suite's ``Popen(stdout=PIPE)`` that reads only the first line: once the pipe was
    full (about a thousand lines), writing to it stopped the event loop, and every request
    after it waited until the pipe was read. Now the lines wait, not the requests, and they
    all come once the pipe is read (at the latest, while the server stops)."""
    process, base = _serve()
    assert process.stdout is not None
    shrink(process.stdout.fileno())
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    requests = 400  # ~25,000 bytes of lines: far more than the pipe holds
    try:
        for n in range(requests):
            connection.request("GET", f"/api/fax/status?token=line-{n}&uuid=nope")
            connection.getresponse().read()
        with urllib.request.urlopen(f"{base}/_emulator/health", timeout=10) as answer:  # (it timed out)
            assert answer.status == 200
    finally:
        connection.close()
        out = _stop(process)
    tenants = re.findall(r" tenant=(line-\d+) ", out)
    assert tenants == [f"line-{n}" for n in range(requests)]


async def test_lines_the_output_could_not_take_are_counted_not_queued(monkeypatch):
    """While the output is stuck the console takes no events: its queue, bounded, drops them,
    and once the output moves again one line says how many were not shown."""
    monkeypatch.setattr(console, "QUEUE_LIMIT", 50)
    events = Events()
    read_end, write_end = os.pipe()
    shrink(write_end)
    out = open(write_end, "w", encoding="utf-8")  # noqa: SIM115 (closed below, once the console is done)
    task = asyncio.create_task(console.print_events(events, "text", out))
    published_all = threading.Event()

    def read_once_published() -> tuple[bool, str]:
        # (a loop stopped by a write never publishes them all: the pipe is read anyway, to fail, not hang)
        return published_all.wait(20), read_all(read_end)

    reading = asyncio.create_task(asyncio.to_thread(read_once_published))
    await asyncio.sleep(0)  # let it subscribe
    published = 2_000  # ~110,000 bytes of lines
    request = dict.fromkeys(("vendor", "operation", "method", "path", "status", "tenant"), "x")
    for _ in range(published):
        events.publish("request", {**request, "time": 0.0, "duration_ms": 1.0})
        await asyncio.sleep(0)  # the loop runs on (a write that waited stopped it here for good)
    published_all.set()
    events.close()
    await task
    out.close()
    in_time, text = await reading
    assert in_time
    lines = text.splitlines()
    shown = [line for line in lines if not line.endswith(" tenant=x 1.0ms")]
    lost = [int(re.search(r"\.\.\. (\d+) events not shown", line).group(1)) for line in shown]  # type: ignore[union-attr]
    assert lost and len(lines) - len(shown) + sum(lost) == published, shown
