"""Bounded logs of what happened: every request, and every contract violation.

Both are ring buffers: the oldest entry goes when a new one would exceed the size
(``--journal-size``, default 10,000), so a long-running emulator stays bounded.

A request entry also keeps the request's and the answer's headers and bodies, each bounded
in bytes: at most ``MAX_HEADER_BYTES`` of each header block and ``MAX_BODY_BYTES`` of each
body (the rest is cut at once, and the entry says how long the whole was, so a reader sees
how many bytes were dropped). A header block is kept as one string of ``Name: value`` lines
joined by CRLF (bytes for the request's, as its parser read them; text for the answer's) and
split into pairs only when the entry is read; a body as the bytes it already is. So an
entry holds only bytes, strings and numbers in one tuple: the garbage collector stops
tracking it at its first look, and a request leaves nothing else for collections to walk.
(Keeping the headers' multidicts cost a hot read about 4% more instructions, a ring of
tracked objects that each collection walks; keeping them as tuples of pairs still left
several tracked tuples a request, enough for a young collection every ~70 requests.)
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from emulator.core.answers import JSON_HEADERS
from emulator.core.codec import peek
from emulator.core.events import Events

DEFAULT_SIZE = 10_000
MAX_BODY_BYTES = 16 * 1024  # of each body an entry keeps (request and answer)
MAX_HEADER_BYTES = 8 * 1024  # of each header block an entry keeps, as ``Name: value`` lines (request and answer)

#: an answer's headers when they are a JSON answer's defaults (core/answers.py), as most answers'
#: are, and their header block, made once: recording such an answer joins nothing (the headers
#: compare as headers do, case-insensitively: the block names them as the defaults do)
_JSON_DEFAULTS = CIMultiDictProxy(CIMultiDict(JSON_HEADERS))
_JSON_LINES = "\r\n".join(map(": ".join, _JSON_DEFAULTS.items()))
_JSON_LINES_SIZE = len(_JSON_LINES)

#: a header block as kept: ``Name: value`` lines joined by CRLF (bytes for a request's, as
#: sent; text for an answer's); entries of older snapshots hold (name, value) pairs instead
Headers = bytes | str | Sequence[tuple[bytes, bytes]] | Sequence[tuple[str, str]]


def bounded_body(body: bytes | None) -> bytes | None:
    """At most ``MAX_BODY_BYTES`` of ``body`` (the same object when it is short)."""
    return body if body is None or len(body) <= MAX_BODY_BYTES else body[:MAX_BODY_BYTES]


def bounded_lines(lines: bytes | str) -> bytes | str:
    """The whole lines of a header block that fit in ``MAX_HEADER_BYTES`` (the same object
    when it is short): a header is kept whole or not at all."""
    if len(lines) <= MAX_HEADER_BYTES:
        return lines
    # a line that ends right at the bound has its CRLF within the first bound + 2
    end = (
        lines.rfind(b"\r\n", 0, MAX_HEADER_BYTES + 2)
        if isinstance(lines, bytes)
        else lines.rfind("\r\n", 0, MAX_HEADER_BYTES + 2)
    )
    return lines[: max(end, 0)]


def _text(body: bytes | None) -> str | None:
    """A body for JSON: its text, or for bytes that are not UTF-8 a note of their length."""
    if body is None:
        return None
    try:
        return body.decode()
    except UnicodeDecodeError:
        return f"<{len(body)} bytes of binary data>"


def _pairs(headers: Headers | None) -> list[list[str]]:
    """A kept header block as [name, value] pairs (``Name: value`` lines, or older entries' pairs)."""
    if not headers:
        return []
    if isinstance(headers, bytes | str):
        lines = _decoded(headers).split("\r\n")
        return [[name, value.removeprefix(" ")] for name, _, value in (line.partition(":") for line in lines)]
    return [[_decoded(name), _decoded(value)] for name, value in headers]


def _side(headers: Headers | None, header_size: int, body: bytes | None, size: int) -> dict[str, Any]:
    """One side of an entry (the request or the answer) as JSON: what was kept of it, how long
    the whole was and whether it was cut (``*_dropped``: how many bytes of it were not kept)."""
    kept = len(headers) if isinstance(headers, bytes | str) else header_size
    held = len(body) if body is not None else 0
    return {
        "headers": _pairs(headers),
        "headers_size": header_size,
        "headers_truncated": header_size > kept,
        "headers_dropped": header_size - kept,
        "body": _text(body),
        "size": size,
        "truncated": size > held,
        "dropped": size - held,
    }


def _decoded(text: str | bytes) -> str:
    # header bytes are latin-1 on the wire (RFC 9110 §5.5: anything else is opaque)
    return text.decode("latin-1") if isinstance(text, bytes) else text


#: where an entry's header blocks and bodies stand among its fields (``Journal.record``)
_HEADERS, _BODIES = (12, 15), (13, 16)
_RAW = "raw"  # a header block of byte pairs, in an entry's JSON (``entries_json``)
_LINES = "lines"  # a request's header block of lines (bytes), in an entry's JSON


def entries_json(entries: Iterable[tuple[Any, ...]]) -> bytes:
    """Request entries (``Journal.record``'s fields) as one JSON array, as the data file keeps
    them (core/persist.py), and ``entries_from_json`` makes them again: each entry's fields in
    order, each body and a request's header lines as text a byte a character (latin-1: no
    byte is lost; an answer's header lines are text already). An older entry's header block
    of byte pairs is one such text, its names and values NUL-separated (no header holds a
    NUL: one that did is kept pair by pair). A hot read with ``--data`` pays for this once,
    made of C calls (the codec's tags were a tenth of its time)."""
    return orjson.dumps([_row(fields) for fields in entries])


def _row(fields: tuple[Any, ...]) -> list[Any]:
    row = list(fields)
    for at in _HEADERS:
        block = row[at]
        if type(block) is bytes:  # a request's lines (an answer's are text already)
            row[at] = {_LINES: block.decode("latin-1")}
        elif block and not isinstance(block, str) and type(block[0][0]) is bytes:  # pairs, of an older entry
            joined = b"\0".join(itertools.chain.from_iterable(block))
            if joined.count(b"\0") == 2 * len(block) - 1:
                row[at] = {_RAW: joined.decode("latin-1")}
            else:
                row[at] = {_RAW: [(name.decode("latin-1"), value.decode("latin-1")) for name, value in block]}
    for at in _BODIES:
        if row[at] is not None:
            row[at] = row[at].decode("latin-1")
    return row


def entries_from_json(text: str | bytes) -> list[tuple[Any, ...]]:
    """The entries ``entries_json`` gave ``text`` for (ValueError, KeyError or TypeError if it is not them)."""
    rows = orjson.loads(text)
    if not isinstance(rows, list):
        raise ValueError("not request entries")
    return [_entry(row) for row in rows]


def _entry(row: Any) -> tuple[Any, ...]:
    if not isinstance(row, list) or len(row) not in (18, 20):  # 18: before header sizes were kept
        raise ValueError("not a request entry")
    row[11] = tuple(row[11])
    for at in _HEADERS:
        block = row[at]
        if isinstance(block, dict) and _LINES in block:
            row[at] = block[_LINES].encode("latin-1")
        elif isinstance(block, dict):
            raw = block[_RAW]
            if isinstance(raw, str):
                parts = raw.encode("latin-1").split(b"\0")
                row[at] = tuple(zip(parts[::2], parts[1::2], strict=True))
            else:
                row[at] = tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in raw)
        elif block is not None and not isinstance(block, str):
            row[at] = tuple((name, value) for name, value in block)
    for at in _BODIES:
        if row[at] is not None:
            row[at] = row[at].encode("latin-1")
    return tuple(row)


@dataclass(slots=True, repr=False, eq=False)
class RequestEntry:
    """One HTTP request the emulator answered.

    It keeps the request target as it came (the path and query, still percent-encoded: a
    string the request already had), and decodes the path and query only when the entry is
    read: most entries are never read, and decoding, or keeping a URL object per entry,
    costs every request.
    """

    seq: int
    time: float
    vendor: str | None
    operation: str | None
    tenant: str | None
    method: str
    target: str  # the request target as sent: the path and query, still percent-encoded
    status: int
    seconds: float  # wall time taken to answer
    rule: str | None = None  # the scenario rule that acted on it (a fault, or the outcome of a fax it made)
    fault: str | None = None  # what that fault rule did, e.g. "status 503" or "reset after"
    fax_ids: Sequence[str] = ()
    request_headers: Headers | None = None  # at most MAX_HEADER_BYTES
    request_body: bytes | None = None  # at most MAX_BODY_BYTES
    request_size: int = 0  # the whole request body's length (0: none was read)
    response_headers: Headers | None = None  # at most MAX_HEADER_BYTES
    response_body: bytes | None = None  # at most MAX_BODY_BYTES; None for a streamed answer
    response_size: int = 0
    # (last, so that the entries of snapshots made before they were kept still read)
    request_headers_size: int = 0  # the whole header block's length, as ``Name: value`` lines
    response_headers_size: int = 0

    @property
    def url(self) -> URL:
        """The target as a relative URL, as aiohttp's ``request.rel_url`` reads it: a path
        is a path even when it starts with ``//`` (a base URL with a trailing slash), and a
        target in absolute form, as a proxy is sent one, loses its scheme and host."""
        if self.target.startswith("/"):
            path, _, query = self.target.partition("#")[0].partition("?")
            return URL.build(path=path, query_string=query, encoded=True)
        url = URL(self.target, encoded=True)
        return url.relative() if url.absolute else url

    @property
    def path(self) -> str:
        return self.url.path

    @property
    def query(self) -> str:
        return self.url.query_string

    @property
    def duration_ms(self) -> float:
        return round(self.seconds * 1000, 3)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "vendor": self.vendor,
            "operation": self.operation,
            "tenant": self.tenant,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "rule": self.rule,
            "fault": self.fault,
            "fax_ids": list(self.fax_ids),
        }

    def to_full_json(self) -> dict[str, Any]:
        """``to_json`` with the headers and bodies, each side saying how long its header block
        and body were and how many bytes of each were cut (a body that is not UTF-8 shows as
        a note of its length)."""
        return {
            **self.to_json(),
            "request": _side(self.request_headers, self.request_headers_size, self.request_body, self.request_size),
            "response": _side(
                self.response_headers, self.response_headers_size, self.response_body, self.response_size
            ),
        }


class Journal:
    """The request log and the contract-violation log."""

    def __init__(self, size: int = DEFAULT_SIZE, events: Events | None = None) -> None:
        if size < 1:
            raise ValueError("journal size must be at least 1")
        self.size = size
        self.events = events if events is not None else Events()
        self._counted = self.events.tally.requests  # bound once: every vendor request adds to it
        #: the request ring, as RequestEntry field tuples (made into entries when read)
        self.requests: deque[tuple[Any, ...]] = deque(maxlen=size)
        self.violations: deque[dict[str, Any]] = deque(maxlen=size)
        self._seq = itertools.count(1)
        #: the last request's header pairs, their block as kept and its whole length (``record``)
        self._last_asked: tuple[Sequence[tuple[bytes, bytes]], bytes | str, int] = ((), b"", 0)
        self._violation_seq = itertools.count(1)
        self.dropped = 0  # entries pushed out of the request ring
        #: seq of the newest violation ever recorded (0: none); never goes back, even on clear
        self.last_violation = 0

    def record(
        self,
        time: float,
        vendor: str | None,
        operation: str | None,
        tenant: str | None,
        method: str,
        target: str,
        status: int,
        seconds: float,
        rule: str | None = None,
        fault: str | None = None,
        fax_ids: Sequence[str] = (),
        request_headers: Sequence[tuple[bytes, bytes]] = (),
        request_body: bytes | None = None,
        response: web.StreamResponse | None = None,
    ) -> None:
        """Add a request (the request pipeline does, once per request outside the control API),
        with its headers (its raw pairs) and body and its answer's (each bounded, see the
        module docstring)."""
        # TODO(#15 hot reads): the ceilings (3% over the targets: 234.8k/263.7k/236.9k/231.7k
        # instructions a read) are met by CallerIP only: 2026-12-03 (main after this stop's
        # round) FAX.PLUS 236.6k (+0.8 %), Kazoo 268.6k (+1.9 %), Imagicle 238.0k (+0.5 %),
        # CallerIP 228.1k (bare 220.3k/229.4k/225.2k/213.1k, as when the targets were set).
        # The targets' overheads over the bare app were 8k/26.5k/6k/11.8k; what has grown since
        # is mostly this call (the entry's headers and bodies for the web UI and the data file):
        # with it a no-op the reads count 228.9k/262.7k/229.8k/220.5k (on 8eb34f8). In
        # Python bytecodes (sys.settrace, one read): this call 144 ops of FAX.PLUS's ~2,740 (162
        # of Kazoo's ~2,990), the pipeline's ``handle`` 116, ``Callers.who`` 46. Done: a polling
        # client's header block is the last one's (-2.2k to -3.4k); a block's lengths worked out
        # once (-0.8k to -1.5k); an answer's lines concatenated, not joined pair by pair (a third
        # cheaper, timeit). Measured and not kept: counting a repeated coverage key without
        # hashing it; the entries handed to the tally in batches of 256 and counted by
        # ``Counter.update`` (no gain: +0.6k/+0.9k, within layout noise); the raw request pairs
        # kept as they are (their bound costs more than the join); pairs joined with NUL. The
        # counts move ~1 % with the memory layout, so what is left (0.7-2.2 %) is one or two
        # such changes: an entry of fewer fields (sizes worked out when read), and for Kazoo
        # its caller made in one step (``begin``, the ``Call`` and ``authenticate`` are ~150
        # bytecodes of its read).
        requests = self.requests
        if len(requests) == self.size:
            self.dropped += 1
        # each header block as ``Name: value`` lines, kept as much as fits, and its whole length;
        # a client polling one URL sends the same headers every time: their block is the last one's
        asked = self._last_asked
        if request_headers != asked[0]:
            lines = b"\r\n".join(map(b": ".join, request_headers))
            asked = self._last_asked = (request_headers, bounded_lines(lines), len(lines))
        answered: str | bytes | None = None
        answered_size = response_size = 0
        response_body = None
        if response is not None:
            headers = response.headers
            if headers == _JSON_DEFAULTS:  # most answers': nothing to join
                answered, answered_size = _JSON_LINES, _JSON_LINES_SIZE
            else:
                # (concatenated: a third cheaper than ``": ".join`` of each pair, whose names are istr)
                answered = "\r\n".join([name + ": " + value for name, value in headers.items()])
                answered_size = len(answered)
                if answered_size > MAX_HEADER_BYTES:
                    answered = bounded_lines(answered)
            if type(response) is web.Response:
                body = response.body
                if type(body) is bytes:  # not a payload (a file, a stream)
                    response_size = len(body)
                    response_body = body if response_size <= MAX_BODY_BYTES else body[:MAX_BODY_BYTES]
        fields = (
            next(self._seq),
            time,
            vendor,
            operation,
            tenant,
            method,
            target,
            status,
            seconds,
            rule,
            fault,
            fax_ids,
            asked[1],
            None if request_body is None else bounded_body(request_body),
            0 if request_body is None else len(request_body),
            answered,
            response_body,
            response_size,
            asked[2],
            answered_size,
        )
        requests.append(fields)
        if operation is not None:  # a vendor's request: coverage counts it (core/tally.py), one increment
            key = (vendor, operation, tenant, status, fault, rule)
            counted = self._counted
            counted[key] = counted.get(key, 0) + 1
        if self.events.subscribers:
            self.events.publish(
                "request", RequestEntry(*fields).to_json(), vendor, tenant, fax_ids[0] if fax_ids else None
            )

    def violation(self, **fields: Any) -> dict[str, Any]:
        """Record a contract violation; it gets a ``seq`` that only grows, so a reader can
        ask for the violations recorded since a point (the pytest plugin does, per test)."""
        self.last_violation = next(self._violation_seq)
        entry = {"seq": self.last_violation, **fields}
        self.violations.append(entry)
        if self.events.subscribers:
            self.events.publish("violation", entry, fields.get("vendor"), fields.get("tenant"))
        return entry

    def violations_since(self, seq: int = 0, *, vendor: str | None = None) -> list[dict[str, Any]]:
        """Violations newer than ``seq`` (oldest first), optionally of one vendor."""
        return [v for v in self.violations if v["seq"] > seq and (vendor is None or v.get("vendor") == vendor)]

    def query(
        self,
        *,
        vendor: str | None = None,
        tenant: str | None = None,
        limit: int | None = None,
        fax_ids: Collection[str] = (),
    ) -> list[RequestEntry]:
        """Entries, oldest first (the newest ``limit``); ``fax_ids``: those that made a fax of
        these ids (a fax's id and the other ids its vendor gave it) or name one in their target.

        Walked from the newest, an entry made only for what passes the vendor and tenant test,
        and no further than ``limit`` found: a full journal (10,000 entries) was made whole for
        the 50 a reader asks for, 8 ms of the event loop's CPU a read (now 0.03 ms; a filter on
        ``fax_ids`` still reads every entry's target: the web UI's timeline of one fax)."""
        matching = (
            fields
            for fields in reversed(self.requests)
            if (vendor is None or fields[2] == vendor) and (tenant is None or fields[4] == tenant)
        )
        entries = (RequestEntry(*fields) for fields in matching)
        if fax_ids:
            entries = (e for e in entries if any(i in e.fax_ids or i in e.path or i in e.query for i in fax_ids))
        newest = list(itertools.islice(entries, limit) if limit else entries)
        newest.reverse()
        return newest

    def entry(self, seq: int) -> RequestEntry | None:
        """The entry numbered ``seq``, while the ring still holds it."""
        return next((RequestEntry(*fields) for fields in reversed(self.requests) if fields[0] == seq), None)

    def state(self) -> dict[str, Any]:
        """Both rings and where their numbering stands (snapshots)."""
        return {
            "requests": list(self.requests),
            "violations": list(self.violations),
            "next_seq": peek(self._seq),
            "next_violation": peek(self._violation_seq),
            "dropped": self.dropped,
            "last_violation": self.last_violation,
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Hold ``state()``'s entries (the newest, up to this journal's size); numbering continues."""
        self.requests.clear()
        self.requests.extend(tuple(entry) for entry in state["requests"])
        self.violations.clear()
        self.violations.extend(state["violations"])
        self._seq = itertools.count(state["next_seq"])
        self._violation_seq = itertools.count(state["next_violation"])
        self.dropped = state["dropped"]
        self.last_violation = state["last_violation"]

    def clear(self, vendor: str | None = None, tenant: str | None = None) -> None:
        if vendor is None:
            self.requests.clear()
            self.violations.clear()
            return
        keep = [f for f in self.requests if not (f[2] == vendor and (tenant is None or f[4] == tenant))]
        self.requests.clear()
        self.requests.extend(keep)
