"""CallerIP fax tokens (callerip.md §3): a ``token`` field in the form or the query.

By default any non-empty token is accepted and is its own fax line (tenant), so
parallel tests isolate themselves by using different tokens. A scenario may declare the
accepted tokens (``accounts: {callerip: [{token: ..., line: ...}]}``): then only those
work, and tokens with the same ``line`` share one fax line, as several tokens of one
line do on the real service (§3).
"""

from aiohttp import web

from emulator import keys
from emulator.core.errors import Unauthorized
from emulator.core.http import identify

NAME = "callerip"


def authenticate(request: web.Request, token: str | None) -> str:
    """The fax line (tenant id) of ``token``; 401 when it is missing, empty or not declared."""
    token = (token or "").strip()
    if not token:
        raise Unauthorized("missing token")
    declared = request.app[keys.RUNTIME].accounts.get(NAME)
    tenant = token
    if declared:
        account = next((a for a in declared if a.get("token") == token), None)
        if account is None:
            raise Unauthorized("invalid token")
        tenant = str(account.get("line") or token)
    identify(request, tenant)
    return tenant
