"""CallerIP's error body: ``{"error": "<message>"}`` (decision D4 in callerip.md §7)."""

from aiohttp import web

from emulator.core.answers import json_response
from emulator.core.errors import EmulatorError


def render(error: EmulatorError, request: web.Request | None = None) -> web.Response:
    return json_response({"error": error.message}, status=error.status)
