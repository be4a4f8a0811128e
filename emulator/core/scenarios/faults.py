"""Answering a request the way a fault rule says: an error status with the vendor's own
body, wall-clock latency, a dropped connection, a cut-off or garbled body.

Latency is **wall time**, in every clock mode: it exists to trip HTTP client timeouts,
and clients count wall seconds. It never moves the emulated clock (on the manual clock
nothing else happens while a slow answer is pending, so tests stay deterministic).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import TYPE_CHECKING

from aiohttp import web
from multidict import CIMultiDict

from emulator.core.answers import Renderer
from emulator.core.errors import for_status

if TYPE_CHECKING:
    from emulator.core.scenarios.model import FaultAction

#: the status the journal records for a request whose connection was reset: nginx's
#: "connection closed without a response" (no client ever sees it)
RESET_STATUS = 444


def error_response(request: web.Request, fault: FaultAction, render: Renderer) -> web.StreamResponse:
    """The vendor's own error answer to ``request`` for a status fault, with Retry-After if asked.

    The renderer gets the request, so what the vendor echoes from it in every error
    (Kazoo's request id and auth token, say) is there too.
    """
    status = fault.status if fault.status is not None else 500
    response = render(for_status(status, fault.message), request)
    if fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    return response


async def answer(
    request: web.Request, fault: FaultAction, latency: float, response: web.StreamResponse | None, render: Renderer
) -> web.StreamResponse:
    """The answer to send instead of (or made from) ``response``, the handler's own answer.

    ``response`` is None when the fault stopped the request before the handler finished.
    """
    if latency > 0:
        await asyncio.sleep(latency)
    if fault.reset is not None:
        reset(request)
        return web.Response(status=RESET_STATUS)
    if response is None or fault.status is not None:
        response = error_response(request, fault, render)
    elif fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    if fault.body is None or response.prepared:
        return response
    body = _body(response)
    if fault.body == "empty":
        return _replace_body(response, b"")
    if fault.body == "malformed":
        # a complete answer whose JSON is cut in half: the client cannot parse it
        return _replace_body(response, body[: len(body) // 2] if len(body) > 1 else b"{")
    return await _truncate(request, response, body)


def reset(request: web.Request) -> None:
    """Drop the connection with a TCP reset (SO_LINGER 0), sending nothing."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _body(response: web.StreamResponse) -> bytes:
    body = getattr(response, "body", None)
    return body if isinstance(body, bytes) else b""


def _headers(response: web.StreamResponse) -> CIMultiDict[str]:
    """The answer's headers without those that describe its body's length."""
    return CIMultiDict(
        (k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "transfer-encoding")
    )


def _replace_body(response: web.StreamResponse, body: bytes) -> web.Response:
    return web.Response(status=response.status, reason=response.reason, body=body, headers=_headers(response))


async def _truncate(request: web.Request, response: web.StreamResponse, body: bytes) -> web.StreamResponse:
    """Promise the whole body (Content-Length), send half of it, then close the connection."""
    cut = web.StreamResponse(status=response.status, reason=response.reason, headers=_headers(response))
    cut.content_length = max(len(body), 2)
    await cut.prepare(request)
    await cut.write(body[: len(body) // 2])
    if request.transport is not None:
        request.transport.close()
    return cut
