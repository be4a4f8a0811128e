"""kill -9 at random moments during mixed traffic on all four vendors, restarted on the same
data file, round after round: nothing acknowledged is lost, each fax ends once, no webhook
is lost, and a webhook is sent again only when a kill cut it short (at least once)."""

from __future__ import annotations

import http.server
import itertools
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import pytest

from emulator.testing import ControlClient
from tests.container.conftest import free_port
from tests.properties.vendors import DRIVERS

ROUNDS = 5
SPEED = 200  # emulated seconds per second: faxes end within seconds, also during the downtime
#: last seven digits: succeeds, busy (retried), no answer, a rejected number (README "Magic destination numbers")
NUMBERS = ("5550100", "5550002", "5550003", "5550100", "5550005")
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")


class Receiver(http.server.ThreadingHTTPServer):
    """Every webhook as (path, body), answered 200."""

    daemon_threads = True

    def __init__(self) -> None:
        self.got: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with owner.lock:
                    owner.got.append((self.path, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Served:
    """What a driver needs of an emulator: its vendors' base URLs and its control client."""

    def __init__(self, port: int) -> None:
        self.client = ControlClient(f"http://127.0.0.1:{port}", timeout=10)

    def base_url(self, vendor: str) -> str:
        return self.client.base_url(vendor)


def _start(port: int, path: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "emulator", "serve", "--port", str(port), "--quiet", "--data", path),
            *("--clock", "real", "--speed", str(SPEED), "--advance-wait", "1"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    line = process.stdout.readline().decode()
    assert "listening on" in line, process.stderr.read().decode() if process.stderr else line
    return process


def _traffic(drivers: list[Any], acknowledged: list[str], stop: threading.Event, seed: int) -> None:
    """Sends faxes, one vendor after another, until the server dies or ``stop``; each fax the
    server acknowledged goes into ``acknowledged``."""
    pick = random.Random(seed)
    for driver in itertools.cycle(drivers):
        if stop.is_set():
            return
        try:
            acknowledged.append(driver.send(driver.destination(pick.choice(NUMBERS)), 1))
            if pick.random() < 0.2:
                driver.emulator.client.faxes(limit=5)  # a read now and then
        except Exception:  # the server was killed under the request: not acknowledged
            return


def test_nothing_acknowledged_is_lost_across_kill_9(tmp_path):
    started = time.monotonic()
    path, port, receiver = str(tmp_path / "state.sqlite"), free_port(), Receiver()
    acknowledged: list[str] = []
    seen: dict[str, list[str]] = {}  # fax id -> its statuses when last looked at
    drivers: list[Any] = []
    kills = 0
    pick = random.Random(os.getpid())
    for round_ in range(ROUNDS):
        process = _start(port, path)
        try:
            served = Served(port)
            for fax in served.client.faxes():
                before = seen.get(fax.id, [])
                assert fax.statuses[: len(before)] == before, f"{fax.id}: history went from {before} to {fax.statuses}"
                seen[fax.id] = fax.statuses
            missing = set(acknowledged) - set(seen)
            assert not missing, f"round {round_}: acknowledged faxes lost: {missing}"
            if not drivers:  # logged in once: the credentials (a Kazoo session) must survive the kills
                drivers = [driver(served, "kill") for _, driver in sorted(DRIVERS.items())]
                for driver in drivers:
                    driver.subscribe(receiver.url)
            else:
                for driver in drivers:
                    driver.emulator = served
            stop = threading.Event()
            sender = threading.Thread(target=_traffic, args=(drivers, acknowledged, stop, round_))
            sender.start()
            time.sleep(pick.uniform(0.3, 1.2))
            process.send_signal(signal.SIGKILL)
            kills += 1
            process.wait(10)
            stop.set()
            sender.join(30)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
        except BaseException:  # a failed check must not leave the server running
            process.kill()
            process.wait(10)
            raise
    process = _start(port, path)
    try:
        client = ControlClient(f"http://127.0.0.1:{port}", timeout=10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            faxes = client.faxes()
            if all(f.terminal for f in faxes) and client.health()["webhooks"]["pending"] == 0:
                break
            time.sleep(0.2)
        faxes = {f.id: f for f in client.faxes()}
        assert acknowledged and not set(acknowledged) - set(faxes), "acknowledged faxes lost"
        for fax in faxes.values():
            assert fax.terminal, f"{fax.id} never ended: {fax.statuses}"
            ends = [s for s in fax.statuses if s == fax.status]
            assert len(ends) == 1, f"{fax.id} ended more than once: {fax.statuses}"
            before = seen.get(fax.id, [])
            assert fax.statuses[: len(before)] == before, f"{fax.id}: history went from {before} to {fax.statuses}"
        deliveries = client.webhooks()
        assert deliveries and all(d.state == "delivered" for d in deliveries), [
            (d.id, d.state, d.reason) for d in deliveries if d.state != "delivered"
        ]
        with receiver.lock:
            got = Counter((p, b) for p, b in receiver.got)
        for delivery in deliveries:
            target = urlsplit(delivery.url)
            key = (target.path + (f"?{target.query}" if target.query else ""), delivery.body.encode())
            assert got[key] >= 1, f"webhook {delivery.id} ({delivery.event}) never arrived"
            assert got[key] <= 1 + kills, f"webhook {delivery.id} arrived {got[key]} times"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        for driver in drivers:
            driver.close()
        receiver.shutdown()
        receiver.server_close()
    assert time.monotonic() - started < 60
