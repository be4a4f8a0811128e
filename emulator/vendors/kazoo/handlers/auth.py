"""Kazoo's authentication handlers: ``PUT /user_auth`` and ``PUT /api_auth`` (kazoo.md §2),
which issue the tokens ``auth.authenticate`` checks on every other request."""

from __future__ import annotations

from aiohttp import web

from emulator.core.exchange import EXCHANGE
from emulator.vendors.kazoo import auth, validation
from emulator.vendors.kazoo.envelope import call, read_data, respond, runtime


def _logged_in(request: web.Request, login: auth.Login) -> web.Response:
    """The answer to a login: a new token, in the envelope, and the account it is good for."""
    context = call(request)
    context.token = auth.log_in(runtime(request), login)
    request[EXCHANGE].identify(login.account_id)
    data = {
        "account_id": login.account_id,
        "apps": [],
        "is_reseller": False,
        "language": "en-us",
        "reseller_id": auth.RESELLER_ID,
        **login.learnt,
    }
    if login.owner_id is not None:
        data["owner_id"] = login.owner_id
    return respond(request, data)


async def user_auth(request: web.Request) -> web.Response:
    doc = validation.validate("user_auth", await read_data(request))
    return _logged_in(request, auth.user_login(runtime(request), doc))


async def api_auth(request: web.Request) -> web.Response:
    doc = validation.validate("api_auth", await read_data(request))
    return _logged_in(request, auth.api_login(runtime(request), doc))
