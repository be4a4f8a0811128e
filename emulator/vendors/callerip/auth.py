"""CallerIP fax tokens (callerip.md §3): a ``token`` field in the form or the query.

By default any non-empty token is accepted and is its own fax line (tenant), so
parallel tests isolate themselves by using different tokens. A scenario may declare the
accepted tokens (``accounts: {callerip: [{token: ..., line: ...}]}``): then only those
work, and tokens with the same ``line`` share one fax line, as several tokens of one
line do on the real service (§3).
"""

from typing import Any

from aiohttp import web

from emulator import keys
from emulator.core import contracts
from emulator.core.errors import Invalid, Unauthorized
from emulator.core.exchange import EXCHANGE

NAME = "callerip"


# TODO(unfinished): issue #15 item 8: every other vendor authenticates in ``Vendor.authenticate``
# before its handlers; CallerIP's token is a field of the send form, read by the handler first.
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
    request[EXCHANGE].identify(tenant)
    return tenant


def check_accounts(declared: list[Any]) -> list[dict[str, Any]]:
    """Declared tokens (``{token, line}``, schemas/callerip/account.json); Invalid on a bad entry
    or a token declared twice."""
    checked: list[dict[str, Any]] = []
    for index, entry in enumerate(declared):
        violations = contracts.check(NAME, "account", entry)
        if violations:
            raise Invalid(f"accounts[{index}]: {violations[0].message}", field="accounts")
        if any(c["token"] == entry["token"] for c in checked):
            raise Invalid(f"accounts[{index}]: the token {entry['token']!r} is declared twice", field="accounts")
        checked.append({"token": entry["token"], "line": entry.get("line") or entry["token"]})
    return checked
