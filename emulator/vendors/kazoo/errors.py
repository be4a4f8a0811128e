"""Kazoo's error envelope (kazoo.md §4): ``status: "error"``, ``error`` = the HTTP code as a
string, ``message`` = a short code, ``data`` = details, plus the usual envelope fields.

Errors raised by the Kazoo handlers carry Kazoo's message in ``code`` and its ``data`` in
``detail`` (the constructors below); neutral errors from the core get the message and data
Crossbar gives for their HTTP status.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.core.answers import json_response
from emulator.core.errors import (
    EmulatorError,
    Forbidden,
    Invalid,
    MethodNotAllowed,
    NotFound,
    Unauthorized,
)
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
_ERROR_TYPES: list[type[EmulatorError]] = [EmulatorError, *EmulatorError.__subclasses__()]
_NEUTRAL_CODES = {cls.code for cls in _ERROR_TYPES}


def validation(detail: dict[str, Any]) -> Invalid:
    """400 ``validation error`` with Kazoo's per-field detail."""
    return Invalid("validation error", code="validation error", detail=detail)


def bad_identifier(doc_id: str) -> NotFound:
    """404 ``bad_identifier``: a document that does not exist, is deleted or of another type."""
    return NotFound(
        f"bad identifier {doc_id}", code="bad_identifier", detail={"message": "bad identifier", "cause": doc_id}
    )


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


def invalid_method(allow: str) -> MethodNotAllowed:
    """405, with the methods the path allows."""
    return MethodNotAllowed(
        "method not allowed", code="invalid_method", detail={"message": "method not allowed"}, headers={"Allow": allow}
    )


def not_found() -> NotFound:
    return NotFound("not found", code="not_found", detail={"message": "not found"})


def _message_and_data(error: EmulatorError) -> tuple[str, Any]:
    if error.code not in _NEUTRAL_CODES and error.detail is not None:
        return error.code, error.detail
    given = error.message != type(error).message  # e.g. a scenario fault's ``message``
    if error.status == 400:  # a neutral Invalid from the core (e.g. a malformed multipart body)
        return DEFAULTS[400][0], {"body": {"invalid": {"message": error.message, "target": "body"}}}
    if error.status in DEFAULTS:
        message, data = DEFAULTS[error.status]
        return message, {"message": error.message} if given else data
    if given:  # Crossbar's ad-hoc error: the free text is the message and the data (kazoo.md §4)
        return error.message, {"message": error.message}
    return ("init failed", {"message": error.message}) if error.status >= 500 else ("error", {})


def render(error: EmulatorError, request: web.Request | None = None) -> web.Response:
    """The Kazoo error body for ``error``: with ``request``, the whole envelope (its request id
    and the token it carried) and the ``X-Request-ID`` header, as Crossbar answers every request."""
    message, data = _message_and_data(error)
    status = "fatal" if error.status >= 503 else "error"
    if request is None:  # no request to echo (never the case for an answer to a client)
        body = {
            "data": data,
            "error": str(error.status),
            "message": message,
            "status": status,
            "version": envelope.VERSION,
            "node": envelope.NODE,
        }
        return json_response(body, status=error.status)
    body = envelope.wrap(request, status, data, error=str(error.status), message=message)
    response = json_response(body, status=error.status)
    response.headers["X-Request-ID"] = envelope.call(request).request_id
    return response
