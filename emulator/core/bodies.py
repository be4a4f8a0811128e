"""Reading request bodies within limits, for every vendor: JSON, forms and multipart.

Uploads are read in chunks and refused with 413 as soon as they pass the limit, so an
over-size upload is never held in memory; malformed bodies become ``Invalid``. What a
reader parsed is kept on the request (``PARSED_BODY``) for the contract checks, and what
it read on the request's ``Exchange`` for the journal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import BodyPartReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDict

from emulator.core.errors import Invalid, PayloadTooLarge
from emulator.core.exchange import EXCHANGE

MAX_FIELD_BYTES = 1024 * 1024  # a non-file form field
MAX_PARTS = 100  # parts in one multipart body
MAX_JSON_BYTES = 5 * 1024 * 1024
_CHUNK = 64 * 1024

#: the parsed request body (JSON value, or a form as a dict), kept for the contract checks
PARSED_BODY = web.RequestKey("parsed_body", object)
#: a body read before its handler ran (``peek``), which the readers below then read from
PEEKED_BODY = web.RequestKey("peeked_body", bytes)


@dataclass(slots=True)
class Upload:
    """A file part of a multipart body."""

    name: str
    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
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
        for key, value in [
            *self.fields.items(),
            *((f.name, f"<file {f.filename!r}, {len(f.data)} bytes>") for f in self.files),
        ]:
            if key in instance:
                previous = instance[key]
                instance[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                instance[key] = value
        return instance


async def _read_part(part: BodyPartReader, limit: int, what: str) -> bytes:
    chunks = bytearray()
    while True:
        chunk = await part.read_chunk(_CHUNK)
        if not chunk:
            break
        chunks += chunk
        if len(chunks) > limit:
            raise PayloadTooLarge(f"{what} is larger than the limit of {limit} bytes", detail={"limit": limit})
    data = bytes(chunks)
    encoding = part.headers.get("Content-Transfer-Encoding", "").lower()
    if encoding in ("base64", "quoted-printable"):
        data = part.decode(data)
    return data


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
) -> Form:
    """Parse a multipart (or, where the vendor takes it, url-encoded) body; files over
    ``max_file_bytes`` get 413. A part is a file when it has a filename, or when its name is
    one of ``file_fields`` (a client may send a file part without one: the FAX.PLUS JS SDK
    does for a Buffer); such a file's ``filename`` is empty."""
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
        return form
    if ctype != "multipart/form-data":
        raise Invalid(f"expected a multipart/form-data body, got {ctype or 'none'}", code="unsupported_media_type")
    try:
        reader = await request.multipart()
        parts = 0
        total = 0
        while True:
            part = await reader.next()
            if part is None:
                break
            parts += 1
            if parts > MAX_PARTS:
                raise Invalid(f"more than {MAX_PARTS} parts in one body")
            if not isinstance(part, BodyPartReader):
                raise Invalid("nested multipart bodies are not supported")
            name = part.name or ""
            if part.filename is not None or name in file_fields:
                filename = part.filename or ""
                data = await _read_part(part, max_file_bytes, f"the file {filename or name!r}")
                total += len(data)
                if total > total_limit:
                    raise PayloadTooLarge(
                        f"the files total more than the limit of {total_limit} bytes", detail={"limit": total_limit}
                    )
                form.files.append(Upload(name, filename, part.headers.get("Content-Type", ""), data))
            else:
                data = await _read_part(part, MAX_FIELD_BYTES, f"the field {name!r}")
                form.fields.add(name, data.decode(part.get_charset("utf-8"), "replace"))
    except (PayloadTooLarge, Invalid):
        raise
    except (ValueError, AssertionError, RuntimeError, LookupError, UnicodeError, HttpProcessingError) as exc:
        raise Invalid(MALFORMED_MULTIPART) from exc
    request[PARSED_BODY] = form.as_instance()
    _keep_body(request, orjson.dumps(request[PARSED_BODY]))  # files shown by name and size, not their bytes
    return form


async def read_parts(request: web.Request, max_part_bytes: int, max_total_bytes: int | None = None) -> list[Upload]:
    """Every part of any ``multipart/*`` body (``mixed``, ``form-data``...), in order.

    Unlike ``read_form`` no part is told apart by a file name: each becomes an Upload
    (``filename`` may be empty), for vendors whose parts are a JSON envelope and documents.
    """
    total_limit = max_total_bytes or max_part_bytes + MAX_FIELD_BYTES * 4
    _check_length(request, total_limit)
    if not request.content_type.startswith("multipart/"):
        raise Invalid(f"expected a multipart body, got {request.content_type or 'none'}", code="unsupported_media_type")
    parts: list[Upload] = []
    total = 0
    try:
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if len(parts) >= MAX_PARTS:
                raise Invalid(f"more than {MAX_PARTS} parts in one body")
            if not isinstance(part, BodyPartReader):
                raise Invalid("nested multipart bodies are not supported")
            data = await _read_part(part, max_part_bytes, f"the part {part.name or len(parts) + 1!r}")
            total += len(data)
            if total > total_limit:
                raise PayloadTooLarge(
                    f"the parts total more than the limit of {total_limit} bytes", detail={"limit": total_limit}
                )
            ctype = part.headers.get("Content-Type", "")
            parts.append(Upload(part.name or "", part.filename or "", ctype, data))
    except (PayloadTooLarge, Invalid):
        raise
    except (ValueError, AssertionError, RuntimeError, LookupError, UnicodeError, HttpProcessingError) as exc:
        raise Invalid(MALFORMED_MULTIPART) from exc
    _keep_body(
        request,
        orjson.dumps(
            [
                {"name": p.name, "filename": p.filename, "content_type": p.content_type, "bytes": len(p.data)}
                for p in parts
            ]
        ),
    )
    return parts


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


async def read_json(request: web.Request, limit: int = MAX_JSON_BYTES, *, required: bool = True) -> Any:
    """Parse a JSON body; ``Invalid`` with a readable reason when it is not JSON."""
    body = await _read_limited(request, limit)
    if not body.strip():
        if required:
            raise Invalid("the request body is empty; expected JSON")
        return None
    try:
        value = json.loads(body)
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
    return "the request body is not valid JSON (nested too deeply)"
