"""serve's own output never holds up its event loop (emulator/output.py); the console's part
is in tests/test_console.py."""

from __future__ import annotations

import fcntl
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request

import pytest

from emulator import output


def shrink(pipe: int) -> None:
    """Make a pipe hold one page (Linux; elsewhere it keeps its size, and fills later)."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setsize is not None:
        fcntl.fcntl(pipe, setsize, 4096)


def read_all(descriptor: int) -> str:
    with open(descriptor, encoding="utf-8") as pipe:
        return pipe.read()


def test_a_log_stderr_nobody_reads_stalls_no_request():
    """``serve --log-level debug`` logs each malformed request aiohttp refuses (its traceback,
    ~600 bytes): with stderr on a pipe nobody read, a handful filled it, and the next log line
    stopped the event loop, every request after it waiting (the health check below timed out)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--quiet", "--log-level", "debug"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    shrink(process.stderr.fileno())
    first = process.stdout.readline().decode()
    base = re.search(r"(http://\S+)", first).group(1)  # type: ignore[union-attr]
    host, port = base.removeprefix("http://").split(":")
    refused = 100  # ~60,000 bytes of log: far more than the pipe holds
    try:
        for _ in range(refused):
            with socket.create_connection((host, int(port)), timeout=10) as raw:
                raw.sendall(b"GARBAGE\x01 / HTTP/1.1\r\n\r\n")
                assert b" 400 Bad Request" in raw.recv(100)
        with urllib.request.urlopen(f"{base}/_emulator/health", timeout=10) as answer:
            assert answer.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0
    assert err.decode().count("Error handling request") == refused  # every line came once stderr was read


@pytest.mark.parametrize("backlog", [1024 * 1024, 2_000])
def test_log_lines_wait_up_to_a_bound_then_are_counted_not_kept(monkeypatch, backlog):
    """Logging never waits for a stuck output: lines queue up to ``LOG_BACKLOG_BYTES``; past it
    they are dropped, and the first line written after says how many were."""
    monkeypatch.setattr(output, "LOG_BACKLOG_BYTES", backlog)
    read_end, write_end = os.pipe()
    shrink(write_end)
    stream = open(write_end, "w", encoding="utf-8")  # noqa: SIM115 (closed once the handler is done)
    handler = output.LogHandler(stream)
    logger = logging.Logger("test_output")
    logger.addHandler(handler)
    logged_all = threading.Event()

    def read_once_logged() -> tuple[bool, str]:
        # (a handler that waits never returns from the logging below: the pipe is read anyway, to fail, not hang)
        return logged_all.wait(20), read_all(read_end)

    reading = threading.Thread(target=lambda: results.append(read_once_logged()))
    results: list[tuple[bool, str]] = []
    reading.start()
    lines = 200  # ~8,000 bytes: twice what the pipe holds
    for n in range(lines):
        logger.warning("line %d of the log, padded to forty bytes", n)
    logged_all.set()
    assert handler.output.writer is not None and handler.output.flush(10)  # what waited is written
    logger.warning("the last line")  # (it says how many were dropped, if any were)
    assert handler.output.flush(10)
    handler.close()
    stream.close()
    reading.join(20)
    [(in_time, text)] = results
    assert in_time
    written = [int(n) for n in re.findall(r"^line (\d+) of the log", text, re.MULTILINE)]
    dropped = [int(n) for n in re.findall(r"^\.\.\. (\d+) log lines not written", text, re.MULTILINE)]
    assert written == sorted(written) and text.endswith("the last line\n")
    assert len(written) + sum(dropped) == lines
    assert bool(dropped) == (backlog < lines * 40)
