"""Answers: JSON the way the vendors write it, and errors as the vendor's own body.

Every vendor answers JSON through ``json_response`` (or ``json_text_response``, for JSON
that ``json_bytes`` made already: a view the cache keeps); every error raised while answering a
request (a handler's, the router's 404/405, an unexpected exception) becomes the vendor's
error body through ``answer_error`` and the vendor's ``Renderer``.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol

import orjson
from aiohttp import hdrs, web

from emulator.core.errors import EmulatorError, ScriptedFault, for_status

log = logging.getLogger(__name__)


#: orjson leaves these to ``json.dumps`` (by raising TypeError), which refuses them as before
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def json_bytes(data: Any) -> bytes:
    """``data`` as compact UTF-8 JSON, the way the vendors' own servers write it.

    orjson does it (about ten times faster than ``json.dumps``); what it does not take
    (integers past 64 bits, non-string keys, lone surrogates) goes through ``json.dumps``,
    compact too, with non-ASCII escaped.
    """
    try:
        made = orjson.dumps(data, option=_ORJSON_OPTIONS)
    except TypeError:
        return json.dumps(data, separators=(",", ":")).encode()
    # orjson's bytes keep the whole buffer it wrote into (4 KiB and more for a short answer,
    # orjson 3.13), and the request journal keeps every answer: a copy of the text's own length
    # costs a few hundred instructions, and a Kazoo send held 8 KB where its answer is 1 KB
    return bytes(memoryview(made))


def loose_json_bytes(data: Any) -> bytes:
    """``data`` as compact JSON for the event stream and the console's lines: a value JSON has
    no type for written as its ``str``, a text holding a lone surrogate (a tenant from a form
    field in utf-7...) as its escape, which orjson refuses and ``json.dumps`` writes."""
    try:
        return orjson.dumps(data, default=str)
    except TypeError:
        return json.dumps(data, default=str, separators=(",", ":")).encode()


def json_loads(text: str | bytes) -> Any:
    """What ``json_bytes`` wrote, read back: by orjson, else by ``json`` (a lone surrogate's
    escape, which ``json_bytes`` writes through ``json.dumps`` and orjson refuses to read)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as refused:
        try:
            return json.loads(text)
        except RecursionError:  # nested past orjson's limit, 1,024 levels: orjson's refusal says so
            raise refused from None


#: the headers every JSON answer starts from (aiohttp copies them into each response; the
#: journal keeps their header block made once, core/journal.py)
JSON_HEADERS = {hdrs.CONTENT_TYPE: "application/json; charset=utf-8"}  # istr keys: aiohttp takes them as they are


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer (``application/json; charset=utf-8``): every vendor answers through this.

    ``headers``, a new dict of more headers, becomes the answer's own: the Content-Type is
    set in it (always the one above), sparing a copy on every answer that has some.
    """
    return json_text_response(json_bytes(data), status=status, headers=headers)


def json_text_response(text: bytes, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON made already (a view the runtime's cache keeps, made by ``json_bytes``), answered
    as it is, with ``headers`` as ``json_response`` takes them: the hot reads answer a polled
    fax this way. ``json_response`` of the same text as an ``orjson.Fragment`` costs about
    5,700 CPU instructions more (the fragment, the serialiser's pass over it, the copy to its length)."""
    if headers:
        headers[hdrs.CONTENT_TYPE] = JSON_HEADERS[hdrs.CONTENT_TYPE]
    return web.Response(body=text, status=status, headers=headers or JSON_HEADERS)


class Renderer(Protocol):
    """A vendor's error answer (``Vendor.render_error``).

    ``request`` is the request being answered, whenever there is one, so a vendor can echo
    what the request said (Kazoo puts its request id and auth token in every error
    envelope); a renderer must also work without it.
    """

    def __call__(self, error: EmulatorError, request: web.Request | None = None, /) -> web.StreamResponse: ...


def answer_error(render: Renderer, request: web.Request, exc: Exception) -> web.StreamResponse:
    """``exc``, raised while answering ``request``, as ``render``'s error body.

    It covers errors raised by handlers, the router's 404/405, and unexpected exceptions
    (logged, answered as a 500, never a traceback). A scripted fault and a 3xx answer are
    raised again, for the scenario gate and aiohttp to answer.
    """
    if isinstance(exc, EmulatorError):
        return _with_headers(render(exc, request), exc.headers)
    if isinstance(exc, web.HTTPException):
        if exc.status < 400:
            raise exc
        allow = exc.headers.get("Allow")
        return _with_headers(render(for_status(exc.status, exc.reason), request), {"Allow": allow} if allow else {})
    if isinstance(exc, ScriptedFault):
        raise exc
    log.exception("unexpected error answering %s %s", request.method, request.path, exc_info=exc)
    return render(EmulatorError(), request)


def _with_headers(response: web.StreamResponse, headers: dict[str, str]) -> web.StreamResponse:
    response.headers.update(headers)
    return response
