"""Imagicle's error body: ``{"reason": "<text>"}`` as JSON, for every status (imagicle.md §12, D4).

The public client reads the string ``reason`` from a JSON error; 401 also carries the
Basic challenge (added by ``auth.py`` through the error's headers).
"""

from aiohttp import web

from emulator.core.answers import json_response
from emulator.core.errors import EmulatorError


def render(error: EmulatorError, request: web.Request | None = None) -> web.Response:
    return json_response({"reason": error.message}, status=error.status)
