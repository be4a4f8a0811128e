"""FaxEmulator: a whole emulator in a background thread, started and stopped cleanly."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest
import urllib3

from emulator.testing import FaxEmulator
from tests.testing.conftest import send_fake


def test_context_manager_serves_on_a_free_port_then_stops():
    with FaxEmulator() as first, FaxEmulator() as second:
        assert first.port != second.port
        assert first.client.health()["status"] == "ok"
        url = first.url
        thread = first._thread
    assert not first.running and not thread.is_alive()
    with pytest.raises(urllib3.exceptions.MaxRetryError), urllib3.PoolManager(retries=0) as http:
        http.request("GET", url + "/_emulator/health", retries=0)
    first.stop()  # a second stop is harmless


def test_test_settings_are_manual_clock_and_strict():
    with FaxEmulator() as emu:
        assert emu.client.clock().mode == "manual"
        assert emu.config.strict is True
    with FaxEmulator(clock="real", strict=False) as emu:
        assert emu.client.clock().mode == "real"


def test_a_port_in_use_fails_start_and_leaves_no_thread():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        emu = FaxEmulator(port=taken.getsockname()[1])
        with pytest.raises(OSError):
            emu.start()
    assert emu._thread is None and not emu.running
    assert "fax-emulator" not in [t.name for t in threading.enumerate()]


def test_bad_settings_are_refused_before_starting():
    with pytest.raises(ValueError, match="clock"):
        FaxEmulator(clock="sundial")
    with pytest.raises(TypeError):
        FaxEmulator(colour="blue")


def test_call_runs_on_the_server_loop_and_awaits_coroutines(emulator):
    def where() -> str:
        return threading.current_thread().name

    async def pending() -> int:
        await asyncio.sleep(0)
        return emulator.runtime.scheduler.pending

    assert emulator.call(where) == "fax-emulator"
    assert emulator.call(pending) == 0


def test_call_from_the_server_loop_is_refused_not_deadlocked(emulator):
    def nested() -> None:
        emulator.call(lambda: None)

    with pytest.raises(RuntimeError, match="deadlock"):
        emulator.call(nested)


def test_sync_client_and_loop_calls_interleave(emulator, http):
    """A synchronous vendor client in the test thread and helpers on the server loop, in turn."""
    ids = []
    for number in range(5):
        ids.append(send_fake(http, emulator, to=f"+1555010{number}"))
        assert emulator.call(lambda: len(emulator.runtime.store.all_faxes())) == number + 1
    emulator.client.run_until_idle()
    assert {f.id for f in emulator.client.faxes(status="sent")} == set(ids)


def test_not_running_says_so():
    emu = FaxEmulator()
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.url
    with pytest.raises(RuntimeError, match="not running"):
        emu.call(lambda: None)
