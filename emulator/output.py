"""The serving process's own output (its console on stdout, its log on stderr), written so
that the event loop never waits for it.

A pipe nobody drains (a test suite's ``subprocess.Popen(..., stdout=PIPE, stderr=PIPE)`` that
reads only the first line) fills after 64 KiB; a write to it from the loop stopped every
request until it was read. Here (``FdWriter``) what the output has room for is written at once,
and the rest by a daemon thread of the output's own, with ``os.write``, which holds none of the
interpreter's stream locks: a write that waits holds up neither the loop nor the process's exit
(a lock of ``sys.stdout`` held by a daemon thread at exit aborts the interpreter).
"""

from __future__ import annotations

import logging
import os
import queue
import select
import threading
from collections.abc import Callable
from typing import TextIO

#: bytes of log lines that may wait for stderr; past it a line is dropped, and counted
LOG_BACKLOG_BYTES = 1024 * 1024
#: at shutdown, how long the console and the log may each go on writing what waits to an
#: output that is slow or stuck
FLUSH_SECONDS = 2.0


def _descriptor(stream: TextIO) -> int | None:
    """``stream``'s file descriptor, None if it has none (a test's ``StringIO``: it cannot block)."""
    try:
        return stream.fileno()
    except (OSError, ValueError, AttributeError):  # (io.UnsupportedOperation is both)
        return None


def _write_in_place(stream: TextIO, text: str) -> None:
    """``text`` written to a stream that cannot block (one without a descriptor); a lone
    surrogate (a tenant from a form field in utf-7...) or a character its encoding lacks is
    written as its escape (strict, it raised, and the writer ended)."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


#: the most bytes written at once by the caller's own thread (``FdWriter.write``): a pipe that
#: polls writable takes this many without waiting (POSIX's PIPE_BUF, Linux's page)
AT_ONCE_BYTES = 4096


class FdWriter:
    """Bytes written to the file descriptor ``fd`` in order, never waiting for it.

    A write of at most ``AT_ONCE_BYTES`` to an output that has room for it now (poll says
    writable, and nothing handed over earlier still waits) is written at once, by the caller:
    the usual case, a syscall or two. Anything else is handed to a daemon thread of the
    writer's own, which waits for the output as long as it takes: handing each line over cost
    a console that prints every request about 16 us a request (the thread's wake-up and the
    GIL going back and forth). An output that is gone (a closed pipe) drops every write from
    then on."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._room = select.poll()
        self._room.register(fd, select.POLLOUT)
        self.waiting = 0  # bytes handed over and not yet written
        self.gone = False
        self._pending: queue.SimpleQueue[tuple[bytes, Callable[[], None] | None] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()  # (for ``waiting``: log records come from any thread)
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None

    def write(self, data: bytes, done: Callable[[], None] | None = None) -> bool:
        """Write ``data``: True if it is written (or dropped: the output is gone) now, else
        False, and ``done`` is called, in the writer's thread, once it is."""
        if self.gone:
            return True
        if not self.waiting and len(data) <= AT_ONCE_BYTES and self._has_room():
            try:
                written = os.write(self.fd, data)
            except BlockingIOError:  # (an output left non-blocking by a parent process, full after all)
                written = 0
            except OSError:  # the reader is gone (EPIPE), or the descriptor was closed
                self.gone = True
                return True
            if written == len(data):
                return True
            data = data[written:]
        with self._lock:
            self.waiting += len(data)
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"fax-emulator output {self.fd}", daemon=True)
                self._thread.start()
        self._pending.put((data, done))
        return False

    def _has_room(self) -> bool:
        polled = self._room.poll(0)  # (POLLNVAL, not POLLOUT, where poll cannot tell: macOS's terminals)
        return bool(polled) and bool(polled[0][1] & select.POLLOUT)

    def flush(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for what was handed over to be written; True if it was."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """End the thread once it has written what it was given (if it ever can)."""
        self._pending.put(None)

    def _run(self) -> None:
        while (item := self._pending.get()) is not None:
            data, done = item
            if not self.gone:
                try:
                    view = memoryview(data)
                    while view:
                        try:
                            view = view[os.write(self.fd, view) :]
                        except BlockingIOError:  # an output left non-blocking (by a parent process): wait for room
                            select.select([], [self.fd], [])
                except OSError:  # the reader is gone (EPIPE), or the descriptor was closed
                    self.gone = True
            with self._lock:
                self.waiting -= len(data)
                if not self.waiting:
                    self._idle.set()
            if done is not None:
                done()


class Output:
    """A text stream (stdout, stderr) written without waiting: through an ``FdWriter`` when it
    has a file descriptor, else in place (a test's ``StringIO`` cannot block). A lone surrogate
    (a tenant from a form field in utf-7...) or a character the stream's encoding lacks is
    written as its escape."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.encoding = getattr(stream, "encoding", None) or "utf-8"
        fd = _descriptor(stream)
        if fd is not None:
            stream.flush()  # what was written before (the start-up lines) comes first
        self.writer = FdWriter(fd) if fd is not None else None

    @property
    def waiting(self) -> int:
        """Bytes handed to the writer's thread and not yet written."""
        return self.writer.waiting if self.writer is not None else 0

    def write(self, text: str, done: Callable[[], None] | None = None) -> bool:
        """``FdWriter.write`` of ``text``: True if it is written now (in place, always)."""
        if self.writer is None:
            _write_in_place(self.stream, text)
            return True
        return self.writer.write(text.encode(self.encoding, "backslashreplace"), done)

    def flush(self, timeout: float) -> bool:
        return self.writer.flush(timeout) if self.writer is not None else True

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class LogHandler(logging.Handler):
    """``serve``'s log handler: each line to ``stream`` (stderr) as an ``Output``; at most
    ``LOG_BACKLOG_BYTES`` wait, a line past it is dropped, and the next line written says how
    many were."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.output = Output(stream)
        if self.output.writer is None:  # written in place, from whichever thread logs: one at a time
            self.lock = threading.RLock()
        self.dropped = 0

    def createLock(self) -> None:
        # none for a descriptor: ``FdWriter.write`` is safe from any thread and never waits; a lock
        # held by a write that waits would hold up ``logging.shutdown`` at exit
        self.lock = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + "\n"
        except Exception:
            self.handleError(record)
            return
        if self.output.waiting + len(line) > LOG_BACKLOG_BYTES:
            self.dropped += 1
            return
        if self.dropped:
            line = f"... {self.dropped} log lines not written (the output could not keep up)\n{line}"
            self.dropped = 0
        self.output.write(line)

    def flush(self) -> None:
        self.output.flush(FLUSH_SECONDS)

    def close(self) -> None:
        self.output.close()
        super().close()
