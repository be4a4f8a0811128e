"""Kazoo's authentication handlers: ``PUT /user_auth`` and ``PUT /api_auth`` (kazoo.md §2),
which issue the tokens ``auth.authenticate`` checks on every other request."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.core.errors import Unauthorized
from emulator.core.exchange import EXCHANGE
from emulator.core.services import Services
from emulator.vendors.kazoo import accounts, errors, validation
from emulator.vendors.kazoo.auth import NAME, RESELLER_ID, digest, issue
from emulator.vendors.kazoo.envelope import call, read_data, respond, runtime


def _auth_response(
    request: web.Request, account_id: str, owner_id: str | None, method: str, extra: dict[str, Any]
) -> web.Response:
    rt = runtime(request)
    tenant = rt.tenant(NAME, account_id)
    tenant.settings.update(extra)
    context = call(request)
    context.token = issue(rt, account_id, owner_id, method)
    request[EXCHANGE].identify(account_id)
    data = {
        "account_id": account_id,
        "apps": [],
        "is_reseller": False,
        "language": "en-us",
        "reseller_id": RESELLER_ID,
        **extra,
    }
    if owner_id is not None:
        data["owner_id"] = owner_id
    return respond(request, data)


async def user_auth(request: web.Request) -> web.Response:
    doc = validation.validate("user_auth", await read_data(request))
    rt = runtime(request)
    if accounts.declared(rt):
        return _declared_user_auth(request, rt, doc)
    for field in ("account_name", "account_realm", "phone_number"):
        if doc.get(field):
            identity = f"{field}={doc[field].lower()}"
            break
    else:  # Crossbar's token-creation variant of the 401 (kazoo.md §2)
        raise Unauthorized("invalid credentials", code="invalid credentials", detail={})
    account_id = digest("user_auth", identity, doc["credentials"].lower())
    owner_id = digest("user", account_id, doc["credentials"].lower())
    extra = {"account_name": doc["account_name"]} if doc.get("account_name") else {}
    return _auth_response(request, account_id, owner_id, "cb_user_auth", extra)


def _declared_user_auth(request: web.Request, rt: Services, doc: dict[str, Any]) -> web.Response:
    account = accounts.by_login(rt, doc)
    username = accounts.user_of(account, doc["credentials"], doc.get("method", "md5")) if account else None
    if account is None or username is None:
        raise errors.invalid_credentials()
    return _auth_response(
        request,
        account["account_id"],
        accounts.owner_id(account["account_id"], username),
        "cb_user_auth",
        {"account_name": account["name"]},
    )


async def api_auth(request: web.Request) -> web.Response:
    doc = validation.validate("api_auth", await read_data(request))
    rt = runtime(request)
    if accounts.declared(rt):
        account = accounts.by_api_key(rt, doc["api_key"])
        if account is None:
            raise errors.invalid_credentials()
        return _auth_response(request, account["account_id"], None, "cb_api_auth", {"account_name": account["name"]})
    return _auth_response(request, digest("api_auth", doc["api_key"]), None, "cb_api_auth", {})
