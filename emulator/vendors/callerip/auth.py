"""CallerIP fax tokens (callerip.md §3): a ``token`` field in the form or the query.

By default any non-empty token is accepted and is its own fax line (tenant), so
parallel tests isolate themselves by using different tokens.
"""

from aiohttp import web

from emulator import keys
from emulator.core.errors import Unauthorized


def authenticate(request: web.Request, token: str | None) -> str:
    """The fax line (tenant id) of ``token``; 401 when it is missing or empty."""
    token = (token or "").strip()
    if not token:
        raise Unauthorized("missing token")
    request[keys.TENANT] = token
    return token
