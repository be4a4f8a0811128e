"""Reading request bodies within limits, for every vendor: JSON, forms and multipart.

Uploads are read in chunks and refused with 413 as soon as they pass the limit, so an
over-size upload is never held in memory; malformed bodies become ``Invalid``. What a
reader parsed is kept on the request (``PARSED_BODY``) for the contract checks, and what
it read on the request's ``Exchange`` for the journal.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import hdrs, web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.multipart import content_disposition_filename, parse_content_disposition
from multidict import MultiDict

from emulator.core.answers import json_bytes
from emulator.core.errors import Invalid, PayloadTooLarge
from emulator.core.exchange import EXCHANGE
from emulator.core.memo import Memo, Remembered

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartParser

# python-multipart is imported by the functions that read a multipart body, at the first one
# (about 3 % of what ``serve`` did before it listens; core.warmup imports it meanwhile)

MAX_FIELD_BYTES = 1024 * 1024  # a non-file form field
MAX_PARTS = 100  # parts in one multipart body
MAX_JSON_BYTES = 5 * 1024 * 1024
_CHUNK = 64 * 1024

#: the parsed request body (JSON value, or a form as a dict), kept for the contract checks
PARSED_BODY = web.RequestKey("parsed_body", object)
#: a body read before its handler ran (``peek``), which the readers below then read from
PEEKED_BODY = web.RequestKey("peeked_body", bytes)


@dataclass(slots=True, repr=False, eq=False)
class Upload:
    """A file part of a multipart body."""

    name: str
    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True, repr=False, eq=False)
class Form:
    """A parsed form: text fields (all values kept) and file parts in order."""

    fields: MultiDict[str] = field(default_factory=MultiDict)
    files: list[Upload] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.fields.get(name, default)

    def file(self, name: str) -> Upload | None:
        return next((f for f in self.files if f.name == name), None)

    def as_instance(self) -> dict[str, Any]:
        """The form as a JSON-like object for schema checks; a file part is a short string."""
        instance: dict[str, Any] = {}
        pairs: list[tuple[str, str]] = list(self.fields.items())
        pairs += [(f.name, f"<file {f.filename!r}, {len(f.data)} bytes>") for f in self.files]  # (no generator)
        for key, value in pairs:
            if key in instance:
                previous = instance[key]
                instance[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                instance[key] = value
        return instance


#: the form ``read_form`` parsed, kept on the request for what reads it after (CallerIP's auth
#: and send handler: the pipeline reads its form first, ``Vendor.read_first``): a body is read once
FORM = web.RequestKey("form", Form)


def _check_length(request: web.Request, limit: int) -> None:
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(
            f"the request body ({length} bytes) is larger than the limit of {limit} bytes", detail={"limit": limit}
        )


async def read_form(
    request: web.Request,
    max_file_bytes: int,
    max_total_bytes: int | None = None,
    *,
    urlencoded: bool = True,
    file_fields: tuple[str, ...] = (),
    heads: Memo[bytes, PlainHead | None] | None = None,
) -> Form:
    """Parse a multipart (or, where the vendor takes it, url-encoded) body; files over
    ``max_file_bytes`` get 413. A part is a file when it has a filename, or when its name is
    one of ``file_fields`` (a client may send a file part without one: the FAX.PLUS JS SDK
    does for a Buffer); such a file's ``filename`` is empty. The body is read once; the form
    is kept as ``FORM``, where later readers take it (CallerIP's: ``auth.send_form``). With
    ``heads`` (``PART_HEADS``), the parts' header blocks are read through it."""
    total_limit = max_total_bytes or max_file_bytes + MAX_FIELD_BYTES * 4
    _check_length(request, total_limit)
    form = Form()
    ctype = request.content_type
    if ctype == "application/x-www-form-urlencoded" and urlencoded:
        body = await _read_limited(request, MAX_FIELD_BYTES * 4)
        from urllib.parse import parse_qsl

        form.fields.extend(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        request[PARSED_BODY] = form.as_instance()
        _keep_body(request, body)
        request[FORM] = form
        return form
    if ctype != "multipart/form-data":
        raise Invalid(f"expected a multipart/form-data body, got {ctype or 'none'}", code="unsupported_media_type")

    def limit(name: str, filename: str | None) -> tuple[int, str]:
        if filename is not None or name in file_fields:
            return max_file_bytes, "file"
        return MAX_FIELD_BYTES, "field"

    parts = await _read_multipart(request, limit, total_limit, heads)
    charset = "utf-8"
    if parts and parts[0].name == "_charset_" and parts[0].filename is None:
        # RFC 7578 §4.6: a first field named _charset_ names the other fields' charset
        charset = parts.pop(0).data.decode("ascii", "replace").strip() or charset
    for part in parts:
        if part.filename is not None or part.name in file_fields:
            form.files.append(Upload(part.name, part.filename or "", part.content_type, part.data))
        else:
            form.fields.add(part.name, _text(part.data, part.charset or charset))
    request[PARSED_BODY] = instance = form.as_instance()
    _keep_body(request, json_bytes(instance))  # files shown by name and size, not their bytes
    request[FORM] = form
    return form


async def read_parts(
    request: web.Request,
    max_part_bytes: int,
    max_total_bytes: int | None = None,
    heads: Memo[bytes, PlainHead | None] | None = None,
) -> list[Part]:
    """Every part of any ``multipart/*`` body (``mixed``, ``form-data``...), in order.

    Unlike ``read_form`` no part is told apart by a file name: each is a ``Part`` as read
    (``filename`` None when it has none), for vendors whose parts are a JSON envelope and
    documents. (Made into ``Upload``s, a 2-part Kazoo job spent ~1.3 µs of its ~86 on them.)
    ``heads`` as ``read_form``'s.
    """
    total_limit = max_total_bytes or max_part_bytes + MAX_FIELD_BYTES * 4
    _check_length(request, total_limit)
    if not request.content_type.startswith("multipart/"):
        raise Invalid(f"expected a multipart body, got {request.content_type or 'none'}", code="unsupported_media_type")
    parts = await _read_multipart(request, lambda name, filename: (max_part_bytes, "part"), total_limit, heads)
    # the journal's summary: a part with no filename shows "", as it always has
    summary = [
        {"name": p.name, "filename": p.filename or "", "content_type": p.content_type, "bytes": len(p.data)}
        for p in parts
    ]
    _keep_body(request, json_bytes(summary))
    return parts


#: a multipart body of a known length up to this is read whole before it is parsed, so that a
#: body in the plain form clients write is split at once (``_PartsReader.read_plain``); a
#: longer one, or one of unknown length, is parsed as it arrives
WHOLE_BODY_BYTES = 256 * 1024
#: a part's name and filename -> the most bytes it may have, and what a 413 calls it ("file",
#: "field" or "part": ``_PartsReader._too_large`` names it, only when it is too large)
PartLimit = Callable[[str, str | None], tuple[int, str]]
MAX_PART_HEADER_BYTES = 8 * 1024  # one header line of a part
_MAX_PART_HEADERS = 16


@dataclass(slots=True, repr=False, eq=False)
class Part:
    """A part of a multipart body read whole: what its headers say, and its bytes (transfer
    encoding undone). ``read_parts`` gives them as they are; ``read_form`` makes its files
    ``Upload``s and its fields text."""

    name: str
    filename: str | None  # None: the part has no filename parameter
    content_type: str
    charset: str | None
    data: bytes


class _PartsReader:
    """Reads one body's parts: split at once when it is in the plain form clients write
    (``read_plain``), else through python-multipart's streaming parser (``parser``), whose
    callbacks these are. Both ways end each part in ``_part``, so a part reads the same
    whichever way it came.

    The parser finds boundaries with ``bytes.find`` and hands over a part's bytes as offsets
    into the chunk that carried them; they are kept as views of those chunks and joined once
    when the part ends, so a document is copied once. A part past ``JOIN_OFF_LOOP`` is gathered
    into one growing buffer as it comes instead, each chunk let go once copied, and that buffer
    copied once more, in a thread, when the part ends: ``serve`` reads sockets in blocks under
    the mmap threshold (``cli.read_under_the_threshold``), so the chunks come from the heap,
    and a 40 MiB upload's 640 chunks held at once left the heap 38 MB larger for good (the
    soak's RSS between its uploads, README "Sends"). A part's Content-Disposition is parsed
    once (aiohttp's reader parsed it again for each of ``name`` and ``filename``, a third of
    a whole send's time). A part over its limit stops the read at once (413).
    """

    __slots__ = (
        "_boundary",
        "_chunks",
        "_fields",
        "_filename",
        "_gathered",
        "_headers",
        "_heads",
        "_limit",
        "_most",
        "_name",
        "_parser",
        "_size",
        "_values",
        "_what",
        "joins",
        "parts",
    )
    # set by ``_begin`` for each part (``_headers_read`` once its headers are read), the header
    # pieces by the streaming parser's callbacks (``parser``): a body split at once needs none
    # of the streaming state, and setting it all was a tenth of the reader's cost
    _headers: dict[str, str]
    _chunks: list[memoryview]
    _gathered: bytearray | None  # a part past JOIN_OFF_LOOP, so far
    _size: int
    _most: int
    _what: str
    _name: str
    _filename: str | None
    _fields: list[bytes]
    _values: list[bytes]

    def __init__(self, boundary: bytes, limit: PartLimit, heads: Memo[bytes, PlainHead | None] | None) -> None:
        self.parts: list[Part] = []
        self._heads = heads  # header blocks read before (``PART_HEADS``), if given
        self._boundary = boundary
        self._parser: MultipartParser | None = None  # made when a body is streamed (``parser``)
        #: large streamed parts whose bytes are still to be joined: the part, its chunks, its encoding
        self.joins: list[tuple[Part, list[memoryview], str]] = []
        self._limit = limit

    @property
    def parser(self) -> MultipartParser:
        """python-multipart's streaming parser calling this reader back (made on first use)."""
        if self._parser is None:
            from python_multipart.multipart import MultipartParser

            self._fields, self._values = [], []
            self._parser = MultipartParser(
                self._boundary,
                {
                    "on_part_begin": self._begin,
                    "on_header_field": lambda data, start, end: self._fields.append(data[start:end]),
                    "on_header_value": lambda data, start, end: self._values.append(data[start:end]),
                    "on_header_end": self._header_end,
                    "on_headers_finished": self._headers_finished,
                    "on_part_data": self._data,
                    "on_part_end": self._end,
                },
                max_header_count=_MAX_PART_HEADERS,
                max_header_size=MAX_PART_HEADER_BYTES,
            )
        return self._parser

    def close(self) -> None:
        """Let go of the parser and of what is left of the chunks. The parser calls this reader
        back, a cycle: without this, the reader, and every chunk of an upload of tens of MiB
        its memoryviews hold, waited for the collector's next full pass (seconds to minutes)."""
        self._parser = None
        self.joins = []
        self._chunks = []
        self._gathered = None

    def read_plain(self, body: bytes) -> bool:
        """Read a whole body written as clients write one; False, with nothing read, for
        any other body.

        python-multipart walks a part's headers in Python, state by state, calling back for
        each piece: for the small bodies of a send that was about 40 % of the whole request.
        A body in the plain form (no preamble, each part's headers ``Name: value`` lines of
        token names within the parser's limits, each delimiter followed by CRLF or by the
        closing ``--``) is split here with ``bytes.find``; anything else (padding after a
        delimiter, a bare CR or LF in a header, a part without headers...) is left to the
        parser, which reads it, or refuses it, as it always did. tests/core/test_multipart.py
        checks that both ways read the same parts and refuse the same bodies."""
        boundary = self._boundary
        opening = b"--" + boundary + b"\r\n"
        if not body.startswith(opening):
            return False
        delimiter = b"\r\n--" + boundary
        parts = self.parts
        heads = self._heads
        find = body.find
        at = len(opening)
        # one pass: each part is read as soon as its bounds are found; a part that turns out
        # not to be plain drops what was read (the parser reads the body from its start), and
        # an error met on the way is the parser's too, which reads the parts in the same order
        while True:
            headers_end = find(b"\r\n\r\n", at)
            if headers_end < 0 or headers_end - at > MAX_PART_HEADER_BYTES:
                break
            start = headers_end + 4
            end = find(delimiter, start)
            if end < 0:
                break
            after = end + len(delimiter)
            follows = body[after : after + 2]  # "--": the closing delimiter, the epilogue after it
            if follows != b"--" and follows != b"\r\n":
                break
            block = body[at:start]
            head = heads[block] if heads is not None else _plain_head(block)
            if head is not None:
                # headers as clients write them, read in one match: the part made here as
                # ``_part`` makes it (a Content-Type of token characters has no parameters, so
                # no charset, and there is no transfer encoding), without ``_begin``'s
                # streaming state and a headers dict a part (CallerIP's send has three)
                if len(parts) >= MAX_PARTS:
                    raise Invalid(TOO_MANY_PARTS)
                name, filename, content_type = head
                self._headers_read(name, filename, content_type)
                if end - start > self._most:
                    raise self._too_large()
                parts.append(Part(name, filename, content_type, None, body[start:end]))
            else:  # headers written otherwise, read as ``_header_end`` reads them
                lines = _header_lines(body, at, headers_end)
                if lines is None:
                    break
                self._begin()
                headers = self._headers
                for header, value in lines:
                    headers.setdefault(header.decode("utf-8", "replace").lower(), value.decode("utf-8", "replace"))
                self._headers_finished()
                if end - start > self._most:
                    raise self._too_large()
                self._part(body[start:end])
            if follows == b"--":
                return True
            at = after + 2
        parts.clear()
        return False

    def _begin(self) -> None:
        if len(self.parts) >= MAX_PARTS:
            raise Invalid(TOO_MANY_PARTS)
        self._headers = {}
        self._chunks = []
        self._gathered = None
        self._size = 0

    def _header_end(self) -> None:
        # a part's header names and values are UTF-8 (RFC 7578 §5.1), as aiohttp reads them;
        # the first of a repeated header counts, as it does for aiohttp's readers
        name = b"".join(self._fields).decode("utf-8", "replace").lower()
        self._headers.setdefault(name, b"".join(self._values).decode("utf-8", "replace"))
        self._fields.clear()
        self._values.clear()

    def _headers_finished(self) -> None:
        headers = self._headers
        self._headers_read(*_disposition(headers.get("content-disposition", "")), headers.get("content-type", ""))

    def _headers_read(self, name: str, filename: str | None, content_type: str) -> None:
        """A part's headers are read: ``name`` and ``filename`` are its Content-Disposition's."""
        if content_type.lower().startswith("multipart/"):
            raise Invalid("nested multipart bodies are not supported")
        self._name, self._filename = name, filename
        self._most, self._what = self._limit(name, filename)

    def _too_large(self) -> PayloadTooLarge:
        limit = self._most
        kind, name, filename = self._what, self._name, self._filename
        shown = (filename or name) if kind == "file" else (name or "unnamed") if kind == "part" else name
        return PayloadTooLarge(
            f"the {kind} {shown!r} is larger than the limit of {limit} bytes", detail={"limit": limit}
        )

    def _data(self, data: bytes, start: int, end: int) -> None:
        self._size += end - start
        if self._size > self._most:
            raise self._too_large()
        if self._gathered is not None:
            self._gathered += memoryview(data)[start:end]
            return
        self._chunks.append(memoryview(data)[start:end])
        if self._size > JOIN_OFF_LOOP:
            self._gathered = bytearray().join(self._chunks)
            self._chunks = []

    def _end(self) -> None:
        chunks, self._chunks = self._chunks, []
        gathered, self._gathered = self._gathered, None
        if gathered is not None:  # copied once parsing is over, in a thread (_read_multipart)
            self.joins.append((self._part(b""), [memoryview(gathered)], self._encoding()))
        else:
            self._part(b"".join(chunks))

    def _encoding(self) -> str:
        encoding = self._headers.get("content-transfer-encoding")
        return encoding.strip().lower() if encoding else ""  # (most parts have none)

    def _part(self, data: bytes) -> Part:
        """The part whose headers were read, with its bytes as sent: kept (and returned), its
        transfer encoding undone."""
        headers = self._headers
        content_type = headers.get("content-type", "")
        part = Part(
            self._name,
            self._filename,
            content_type,
            _charset(content_type) if ";" in content_type else None,
            _decoded(data, self._encoding()) if "content-transfer-encoding" in headers else data,
        )
        self.parts.append(part)
        return part


TOO_MANY_PARTS = f"more than {MAX_PARTS} parts in one body"


def as_sent(header: str) -> bytes:
    """A header's value as its bytes came: aiohttp decodes bytes that are not UTF-8 as lone
    surrogates (``surrogateescape``), which a plain ``encode`` refuses (a send whose
    Content-Type held one was a 500)."""
    return header.encode("utf-8", "surrogateescape")


def is_utf8(text: str) -> bool:
    """Whether ``text`` came as UTF-8: not so a header whose bytes were not (aiohttp decodes
    them as lone surrogates), nor a JSON ``\\udcxx`` escape of a lone surrogate."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _charset(content_type: str) -> str | None:
    """The charset parameter of a part's Content-Type, if any."""
    from python_multipart.multipart import parse_options_header

    charset = parse_options_header(as_sent(content_type))[1].get(b"charset")
    return charset.decode("latin-1") if charset else None


#: a streamed part larger than this is joined in a thread: bytes.join lets other threads run
#: while it copies 1 MiB or more, and copying an upload of tens of MiB held the event loop
#: for 30-60 ms
JOIN_OFF_LOOP = 1024 * 1024


def _decoded(data: bytes, encoding: str) -> bytes:
    """A part's bytes, its transfer encoding undone."""
    if encoding == "base64":
        return base64.b64decode(data)
    if encoding == "quoted-printable":
        return binascii.a2b_qp(data)
    return data


def _joined(chunks: list[memoryview], encoding: str) -> bytes:
    """A part's chunks as one bytes, its transfer encoding undone (in a thread)."""
    return _decoded(b"".join(chunks), encoding)


def _header_lines(body: bytes, at: int, headers_end: int) -> list[tuple[bytes, bytes]] | None:
    """A part's header lines (name, value) from ``at`` to ``headers_end``, for a part whose
    headers ``_PLAIN_HEAD`` does not match; None unless they are in the plain form
    ``_PartsReader.read_plain`` reads (else the parser reads them, or refuses them)."""
    block = body[at:headers_end]
    lines = block.split(b"\r\n")
    # no CR or LF but those ending the lines (bytes.count: ``in`` tries the operand as an int first)
    if len(lines) > _MAX_PART_HEADERS or block.count(b"\r") + block.count(b"\n") != 2 * len(lines) - 2:
        return None
    from python_multipart.multipart import TOKEN_CHARS  # (here: an import statement costs each call)

    head = []
    for line in lines:
        name, colon, value = line.partition(b":")
        # the parser's own rules: a name of token characters, leading spaces (only) skipped
        if not colon or not name or name.translate(None, TOKEN_CHARS):
            return None
        head.append((name, value.lstrip(b" ")))
    return head


#: a Content-Disposition as clients write it: no escapes, no extended parameters
_PLAIN_DISPOSITION = re.compile(r'form-data; name="([^"\\*]*)"(?:; filename="([^"\\*]*)")?')
#: a part's headers as most clients write them (curl, requests): a plain Content-Disposition (as
#: ``_PLAIN_DISPOSITION``), then perhaps a Content-Type of token characters, and nothing else
_PLAIN_HEAD = re.compile(
    rb'Content-Disposition: form-data; name="([^"\\*\r\n]*)"(?:; filename="([^"\\*\r\n]*)")?\r\n'
    rb"(?:Content-Type: ([!#$%&'*+.^_`|~0-9A-Za-z/-]+)\r\n)?\r\n"
)


#: a part's name, filename (None if it has none) and Content-Type ("" if none), as
#: ``_plain_head`` reads them from its header block
PlainHead = tuple[str, str | None, str]
#: a part's header block up to this long is remembered (``PART_HEADS``); a longer one is read
#: each time
MEMO_HEAD_BYTES = 512
#: how many header blocks the memo holds (with ``MEMO_HEAD_BYTES``: at most 512 KiB of keys, and
#: their values, decoded, about as much again, twice that for bytes that are not UTF-8)
REMEMBERED_HEADS = 1024


def _plain_head(block: bytes) -> PlainHead | None:
    """A part's name, filename and Content-Type from its header block (up to the blank line)
    as ``_PLAIN_HEAD`` reads it; None if written otherwise."""
    head = _PLAIN_HEAD.fullmatch(block)
    if head is None:
        return None
    name, filename, content_type = head.groups()
    return (
        name.decode("utf-8", "replace"),
        None if filename is None else filename.decode("utf-8", "replace"),
        "" if content_type is None else content_type.decode(),
    )


#: ``_plain_head``, remembered in each emulator's cache (``cache.memos[PART_HEADS]``, emptied by
#: a reset), for ``read_form`` and ``read_parts`` (their ``heads``): a client writes the same few
#: header blocks (its envelope's part, its document's) in every send, and the match and its
#: three decodes were ~7,000 CPU instructions of a 2-part Kazoo job (~1.3 %)
PART_HEADS = Remembered("bodies.part_heads", _plain_head, REMEMBERED_HEADS, longest=MEMO_HEAD_BYTES)


def _disposition(value: str) -> tuple[str, str | None]:
    """A part's name ("" if none) and filename (None if none) from its Content-Disposition."""
    if not value:
        return "", None
    plain = _PLAIN_DISPOSITION.fullmatch(value)
    if plain is not None:  # how clients write it: read in one match
        return plain.group(1), plain.group(2)
    if "*" in value:  # RFC 2231 extended or continued parameters (filename*=UTF-8''...): aiohttp reads them
        _, extended = parse_content_disposition(value)
        return extended.get("name") or "", content_disposition_filename(extended, "filename")
    from python_multipart.multipart import parse_options_header

    params = parse_options_header(as_sent(value))[1]
    filename = params.get(b"filename")
    return params.get(b"name", b"").decode("utf-8", "replace"), (
        None if filename is None else filename.decode("utf-8", "replace")
    )


#: a multipart Content-Type as clients write it: the boundary a plain token (RFC 2046 §5.1.1's
#: characters but the space, unquoted), read in one match
_PLAIN_BOUNDARY = re.compile(r"multipart/[a-z-]+; boundary=([0-9A-Za-z'()+_,./:=?-]+)")


def boundary_of(content_type: str) -> bytes:
    """A multipart body's boundary, from its Content-Type (empty if it has none): in one match
    as clients write it (python-multipart's parser was about 2 % of a send), else as
    python-multipart reads it."""
    plain = _PLAIN_BOUNDARY.fullmatch(content_type)
    if plain is not None:
        return plain.group(1).encode()
    from python_multipart.multipart import parse_options_header

    return parse_options_header(as_sent(content_type))[1].get(b"boundary", b"")


async def _read_multipart(
    request: web.Request, limit: PartLimit, total_limit: int, heads: Memo[bytes, PlainHead | None] | None
) -> list[Part]:
    """Every part of a multipart body, read as it arrives, within ``limit`` a part and
    ``total_limit`` for the whole body (``heads``: ``read_form``'s); ``Invalid`` if it cannot be read."""
    boundary = boundary_of(request.headers.get(hdrs.CONTENT_TYPE, ""))
    if not 0 < len(boundary) <= 70:  # RFC 2046 §5.1.1
        raise Invalid(MALFORMED_MULTIPART)
    reader = _PartsReader(boundary, limit, heads)
    delimiter = b"--" + boundary
    head: bytes | None = b""  # the body until its first delimiter line: RFC 2046 lets a preamble come first
    received = 0
    length = request.content_length
    try:
        if length is not None and length <= WHOLE_BODY_BYTES:  # within total_limit: checked before
            content = request.content
            # all of it arrived already (a short body): taken as it is, without read()'s awaits
            whole = content.read_nowait() if content.is_eof() else await content.read()
            if reader.read_plain(whole):
                return reader.parts
            chunks: AsyncIterator[bytes] = _once(whole)
        else:
            chunks = request.content.iter_any()
        async for chunk in chunks:
            received += len(chunk)
            if received > total_limit:
                raise PayloadTooLarge(
                    f"the request body is larger than the limit of {total_limit} bytes", detail={"limit": total_limit}
                )
            if head is not None:
                head += chunk
                at = _first_delimiter(head, delimiter)
                if at < 0:
                    if len(head) > MAX_FIELD_BYTES:
                        raise Invalid(MALFORMED_MULTIPART)
                    continue
                chunk, head = head[at:], None
            reader.parser.write(chunk)
        from python_multipart.multipart import MultipartState  # (only a streamed body needs it)

        if reader.parser.state != MultipartState.END:
            raise Invalid(MALFORMED_MULTIPART)  # cut short: no closing delimiter
        for part, kept, encoding in reader.joins:
            part.data = await asyncio.to_thread(_joined, kept, encoding)
    except (PayloadTooLarge, Invalid):
        raise
    except (ValueError, LookupError, UnicodeError, HttpProcessingError) as exc:
        raise Invalid(MALFORMED_MULTIPART) from exc
    finally:
        reader.close()
    return reader.parts


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body


def _first_delimiter(head: bytes, delimiter: bytes) -> int:
    """Where the first delimiter line starts, or -1 if not yet seen."""
    if head.startswith(delimiter):
        return 0
    at = head.find(b"\n" + delimiter)
    return at + 1 if at >= 0 else -1


def _text(data: bytes, charset: str) -> str:
    """A form field's value in its charset; an unknown charset is a malformed body, and so is
    a codec that refuses the ``replace`` handler (``idna``) or every byte (``undefined``): their
    UnicodeError was a 500 on CallerIP's and Imagicle's sends."""
    try:
        text = data.decode(charset, "replace")
    except (LookupError, UnicodeError):
        raise Invalid(MALFORMED_MULTIPART) from None
    if charset.lower() in ("utf-8", "utf8"):  # (UTF-8's decoder makes no lone surrogate)
        return text
    # utf-7 ("+2AA-") and the escape codecs ("\\ud800") decode to lone surrogates, which no
    # UTF-8 writer takes: a CallerIP token so (the request's tenant) killed the console's
    # printer, the event stream and, with --data, the data file's writer (every later change a
    # 503). Each is U+FFFD, as a byte that does not decode is.
    return _LONE_SURROGATE.sub("\ufffd", text)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _keep_body(request: web.Request, body: bytes) -> None:
    """Keep what a vendor request's body was, for its journal entry (a multipart body as a
    summary of its parts: the files' bytes are the documents, shown elsewhere)."""
    exchange = request.get(EXCHANGE)
    if exchange is not None:
        exchange.body = body


async def peek(request: web.Request, limit: int = MAX_JSON_BYTES) -> bytes | None:
    """The body, read before its handler runs (to route it: a vendor that reads the method
    from the body) and kept, so that the handler's reader reads the same bytes. None, with
    nothing read, for a body that is not read early: multipart (its readers stream it), one
    of unknown length or longer than ``limit`` (its reader answers the limit), or one the
    client waits to send until the server says ``100 Continue`` (which comes after routing)."""
    peeked: bytes | None = request.get(PEEKED_BODY)
    if peeked is not None:
        return peeked
    length = request.content_length
    if (
        length is None
        or length > limit
        or request.content_type.startswith("multipart/")
        or hdrs.EXPECT in request.headers
    ):
        return None
    body = await request.content.read()  # within Content-Length, at most ``limit``
    request[PEEKED_BODY] = body
    return body


async def _read_limited(request: web.Request, limit: int) -> bytes:
    _check_length(request, limit)
    peeked: bytes | None = request.get(PEEKED_BODY)  # (its length was known: checked above)
    if peeked is not None:
        _keep_body(request, peeked)
        return peeked
    body = bytearray()
    async for chunk in request.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(
                f"the request body is larger than the limit of {limit} bytes", detail={"limit": limit}
            )
    read = bytes(body)
    _keep_body(request, read)
    return read


async def read_bytes(request: web.Request, limit: int = MAX_JSON_BYTES) -> bytes:
    """The raw request body, refused with 413 past ``limit`` bytes."""
    return await _read_limited(request, limit)


#: every ASCII digit as "0", so that 19 digits in a row (perhaps an integer past 64 bits, which
#: orjson reads as a float) are 19 "0"s in a row, found by a substring search
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_NINETEEN_DIGITS = b"0" * 19


def long_digits(raw: bytes | str) -> bool:
    """Whether ``raw`` has 19 ASCII digits in a row. By ``bytes.translate`` and a substring
    search: the regular expression ``[0-9]{19}`` tried a match at every character, 12,000
    to 16,000 instructions for a 70-90 character envelope, three a Kazoo send (~6 % of it,
    more than orjson's reading of the same text)."""
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "replace")  # (digits are ASCII either way)
    return data.translate(_DIGITS_AS_ZERO).find(_NINETEEN_DIGITS) >= 0  # (``in`` would try an integer first)


def json_value(raw: bytes | str) -> Any:
    """A JSON text's value exactly as ``json.loads`` reads it (its errors too), read by orjson
    where orjson reads the same (``orjson_reads_as_json``): json took ~3 % of a Kazoo send.
    orjson refuses NaN, the infinities, lone surrogates, a byte order mark, other encodings
    than UTF-8 and nesting past 1,024 levels (json then reads, or refuses, as before), and
    reads an integer past 64 bits as a float (a text with 19 digits in a row goes to json:
    ``long_digits``)."""
    if not long_digits(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


def orjson_reads_as_json(text: str) -> bool:
    """Whether ``json_value`` reads ``text`` by orjson: orjson reads it exactly as json does."""
    if long_digits(text):
        return False
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN, the infinities, lone surrogates, nesting past 1,024 levels
        return False
    return True


async def read_json(request: web.Request, limit: int = MAX_JSON_BYTES, *, required: bool = True) -> Any:
    """Parse a JSON body; ``Invalid`` with a readable reason when it is not JSON."""
    body = await _read_limited(request, limit)
    if not body.strip():
        if required:
            raise Invalid("the request body is empty; expected JSON")
        return None
    try:
        value = json_value(body)
    except (ValueError, RecursionError) as exc:
        raise Invalid(_not_json(request.content_type, exc)) from None
    if too_deep(body, value):
        raise Invalid(f"the request body is not valid JSON (nested deeper than {MAX_JSON_DEPTH} levels)")
    request[PARSED_BODY] = value
    return value


#: JSON nested deeper than this is refused (no vendor's document nests past a few levels;
#: the handlers, checks and journal walk what they are given recursively)
MAX_JSON_DEPTH = 64


def too_deep(raw: bytes | str, value: Any) -> bool:
    """Whether parsed JSON ``value`` (read from ``raw``) nests deeper than ``MAX_JSON_DEPTH``."""
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw  # brackets are ASCII either way
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:  # too few brackets to nest that deep: nothing to walk
        return False
    level: list[Any] = [value]
    for _ in range(MAX_JSON_DEPTH):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return any(isinstance(item, dict | list) for item in level)


#: in our words, not the multipart parser's
MALFORMED_MULTIPART = "malformed multipart body: its boundary, part headers or encoding cannot be read"


def _not_json(content_type: str, exc: Exception) -> str:
    """Why a body is not JSON, in our words: never the parser's own exception text."""
    if content_type.startswith("multipart/") or content_type == "application/x-www-form-urlencoded":
        return f"expected a JSON body (Content-Type: application/json), got {content_type}"
    if isinstance(exc, UnicodeDecodeError):
        return "the request body is not UTF-8 text; expected JSON"
    if isinstance(exc, json.JSONDecodeError):
        return f"the request body is not valid JSON (line {exc.lineno}, column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "the request body is not valid JSON (nested too deeply)"
    # json's one other ValueError: Python reads no integer of more digits
    return f"the request body holds an integer of more than {sys.get_int_max_str_digits():,} digits"
