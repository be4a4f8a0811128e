"""Kazoo's error envelope (kazoo.md §4): ``status: "error"``, ``error`` = the HTTP code as a
string, ``message`` = a short code, ``data`` = details, plus the usual envelope fields.

Errors raised by the Kazoo handlers carry Kazoo's message in ``code`` and its ``data`` in
``detail`` (the constructors below); neutral errors from the core get the message and data
Crossbar gives for their HTTP status.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.core.errors import (
    EmulatorError,
    Forbidden,
    Invalid,
    MethodNotAllowed,
    NotFound,
    Unauthorized,
)
from emulator.core.http import json_response
from emulator.vendors.kazoo import envelope

#: Crossbar's message and data for each HTTP status, when nothing more specific is known
DEFAULTS: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("validation error", {}),
    401: ("invalid_credentials", {"message": "invalid credentials"}),
    403: ("forbidden", {"message": "forbidden"}),
    404: ("not_found", {"message": "not found"}),
    405: ("invalid_method", {"message": "method not allowed"}),
    409: ("datastore_conflict", {"message": "conflicting documents"}),
    413: ("request entity too large", {"message": "request entity too large"}),
    415: ("unsupported media type", {"message": "unsupported media type"}),
    416: ("range not satisfiable", {"message": "range not satisfiable"}),
    429: ("too_many_requests", {"message": "too many requests"}),
    503: ("datastore_unreachable", {"message": "datastore timeout"}),
}
_NEUTRAL_CODES = {cls.code for cls in (EmulatorError, *EmulatorError.__subclasses__())}


def validation(detail: dict[str, Any]) -> Invalid:
    """400 ``validation error`` with Kazoo's per-field detail."""
    return Invalid("validation error", code="validation error", detail=detail)


def bad_identifier(doc_id: str) -> NotFound:
    """404 ``bad_identifier``: a document that does not exist, is deleted or of another type."""
    return NotFound(f"bad identifier {doc_id}", code="bad_identifier",
                    detail={"message": "bad identifier", "cause": doc_id})


def bad_account(message: str) -> NotFound:
    """404 for a missing or malformed account id in the path (kazoo.md §1)."""
    return NotFound(message, code="bad identifier", detail={"message": message})


def ad_hoc(text: str) -> EmulatorError:
    """Crossbar's ad-hoc error: HTTP 500 whose message is the free text (kazoo.md §4)."""
    return EmulatorError(text, code=text, detail={"message": text})


def invalid_credentials() -> Unauthorized:
    return Unauthorized("invalid credentials", code="invalid_credentials", detail={"message": "invalid credentials"})


def forbidden() -> Forbidden:
    return Forbidden("forbidden", code="forbidden", detail={"message": "forbidden"})


def invalid_method() -> MethodNotAllowed:
    return MethodNotAllowed("method not allowed", code="invalid_method", detail={"message": "method not allowed"})


def not_found() -> NotFound:
    return NotFound("not found", code="not_found", detail={"message": "not found"})


def _message_and_data(error: EmulatorError) -> tuple[str, Any]:
    if error.code not in _NEUTRAL_CODES and error.detail is not None:
        return error.code, error.detail
    message, data = DEFAULTS.get(error.status, ("init failed" if error.status >= 500 else "error", {}))
    if error.status == 400:  # a neutral Invalid from the core (e.g. a malformed multipart body)
        data = {"body": {"invalid": {"message": error.message, "target": "body"}}}
    elif error.status >= 500 and not data:
        data = {"message": error.message}
    return message, data


def render(error: EmulatorError, request: web.Request | None = None) -> web.Response:
    """The Kazoo error body for ``error`` (with the request's id and token when known)."""
    message, data = _message_and_data(error)
    status = "fatal" if error.status >= 503 else "error"
    if request is None:  # only for a bug that escaped the Kazoo middleware
        body = {"data": data, "error": str(error.status), "message": message, "status": status,
                "version": envelope.VERSION, "node": envelope.NODE}
    else:
        body = envelope.wrap(request, status, data, error=str(error.status), message=message)
    return json_response(body, status=error.status)
