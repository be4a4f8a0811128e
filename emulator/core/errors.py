"""Neutral errors. Core and handlers raise these; each vendor renders them as its own
error body (``vendors/<name>/errors.py``), in the request pipeline (core/pipeline.py).
"""

from __future__ import annotations

from typing import Any


class EmulatorError(Exception):
    """Base of every error a client may see. ``status`` is the default HTTP status."""

    status = 500
    code = "internal_error"
    message = "internal error"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        field: str | None = None,
        status: int | None = None,
        detail: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.field = field
        self.detail = detail
        self.headers = headers or {}
        if status is not None:
            self.status = status
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        # kept whole through pickling (a worker process's error comes back as itself)
        return _rebuild, (type(self), self.__dict__)


def _rebuild(cls: type[EmulatorError], state: dict[str, Any]) -> EmulatorError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message"))
    error.__dict__.update(state)
    return error


class Invalid(EmulatorError):
    status = 400
    code = "invalid_request"
    message = "invalid request"


class Unauthorized(EmulatorError):
    status = 401
    code = "unauthorized"
    message = "missing or invalid credentials"


class Forbidden(EmulatorError):
    status = 403
    code = "forbidden"
    message = "not allowed"


class NotFound(EmulatorError):
    status = 404
    code = "not_found"
    message = "not found"


class MethodNotAllowed(EmulatorError):
    status = 405
    code = "method_not_allowed"
    message = "method not allowed"


class Conflict(EmulatorError):
    status = 409
    code = "conflict"
    message = "conflict"


class PayloadTooLarge(EmulatorError):
    status = 413
    code = "payload_too_large"
    message = "payload too large"


class UnsupportedMediaType(EmulatorError):
    status = 415
    code = "unsupported_media_type"
    message = "unsupported media type"


class RateLimited(EmulatorError):
    status = 429
    code = "rate_limited"
    message = "too many requests"


class Unavailable(EmulatorError):
    status = 503
    code = "service_unavailable"
    message = "service unavailable"


class ScriptedFault(Exception):
    """A scenario stops this request (a fault rule fired at a checkpoint).

    Not an ``EmulatorError``: error rendering lets it through untouched, and the pipeline's
    scenario gate answers with the fault the rule describes.
    """


_BY_STATUS: dict[int, type[EmulatorError]] = {
    cls.status: cls
    for cls in (
        Invalid,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PayloadTooLarge,
        UnsupportedMediaType,
        RateLimited,
        Unavailable,
    )
}


def for_status(status: int, message: str | None = None, headers: dict[str, str] | None = None) -> EmulatorError:
    """The neutral error for an HTTP status (used for router 404/405 and scripted faults)."""
    cls = _BY_STATUS.get(status, EmulatorError)
    return cls(message, status=status, headers=headers)
