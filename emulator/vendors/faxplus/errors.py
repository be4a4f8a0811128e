"""FAX.PLUS error body (faxplus.md §8): ``{"error": "<code>", "description": "<text>"}``.

The documented codes (``too_many_files``, ``too_many_destinations``) are raised with
``code=`` where they happen; the neutral codes that differ from the reference's
suggested ones are renamed here, in the one place errors are rendered.
"""

from aiohttp import web

from emulator.core.answers import json_response
from emulator.core.errors import EmulatorError

#: neutral code -> FAX.PLUS code (§8 "suggested ones for an emulator")
_CODES = {
    "unauthorized": "invalid_token",
}


def render(error: EmulatorError, request: web.Request | None = None) -> web.Response:
    code = _CODES.get(error.code, error.code)
    return json_response({"error": code, "description": error.message}, status=error.status)
