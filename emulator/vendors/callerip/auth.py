"""CallerIP fax tokens (callerip.md §3): a ``token`` field in the form or the query.

By default any non-empty token is accepted and is its own fax line (tenant), so
parallel tests isolate themselves by using different tokens. A scenario may declare the
accepted tokens (``accounts: {callerip: [{token: ..., line: ...}]}``): then only those
work, and tokens with the same ``line`` share one fax line, as several tokens of one
line do on the real service (§3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator.core import contracts
from emulator.core.bodies import FORM, PART_HEADS, Form, read_form
from emulator.core.errors import Invalid, Unauthorized
from emulator.core.exchange import EXCHANGE, Exchange

if TYPE_CHECKING:
    from emulator.core.services import Services

NAME = "callerip"
#: the operation whose token is a field of its form, read before ``authenticate``
#: (``Vendor.read_first``); the others carry it in the query
SEND = "send_fax"


async def read_send_form(runtime: Services, request: web.Request) -> Form:
    """The send's form, within the upload limit: read before auth (``Vendor.read_first``: the
    token is one of its fields), and once (``send_form`` gives it to the handler)."""
    return await read_form(request, runtime.config.max_upload_bytes, heads=runtime.cache.memos[PART_HEADS])


def send_form(request: web.Request) -> Form:
    """The send's form, as ``read_send_form`` read it before auth."""
    return request[FORM]


#: who is calling (CallerIP's caller, ``exchange.caller``): the fax line (tenant id) its token
#: belongs to. A plain string, not a tuple around it: building one cost a status read ~1 %
Line = str


def authenticate(runtime: Services, request: web.Request, exchange: Exchange) -> Line | None:
    """The caller of every routed request (unknown paths go on to their 404): the fax line of
    its ``token``, a field of the send's form (read before, ``Vendor.read_first``) and of the
    query otherwise (status); 401 when it is
    missing, empty or not declared."""
    operation = exchange.operation
    if operation is None:
        return None
    # (by the operation, not ``request.get(FORM)``: a missing request key costs a status read
    # a raised and caught KeyError, about 3 % of the read)
    token = ((send_form(request).get("token") if operation == SEND else request.query.get("token")) or "").strip()
    if not token:
        raise Unauthorized("missing token")
    declared = runtime.accounts.get(NAME)
    line = token
    if declared:
        account = next((a for a in declared if a.get("token") == token), None)
        if account is None:
            raise Unauthorized("invalid token")
        line = str(account.get("line") or token)
    exchange.identify(line)
    return line


def line(request: web.Request) -> Line:
    """The calling fax line (its tenant id), as ``authenticate`` found it."""
    caller: Line = request[EXCHANGE].caller  # type: ignore[assignment]  # what ``authenticate`` returned
    return caller


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
