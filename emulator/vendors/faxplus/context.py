"""What every FAX.PLUS handler starts from: the runtime, the caller's account and user,
and the response shapes the SDK accepts (faxplus.md §2, §11.7)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator import keys
from emulator.core import contracts
from emulator.core.answers import json_response
from emulator.core.bodies import read_json
from emulator.core.errors import Invalid
from emulator.core.exchange import EXCHANGE
from emulator.core.services import Services
from emulator.core.store import Tenant
from emulator.vendors.faxplus import accounts
from emulator.vendors.faxplus.accounts import Identity, User
from emulator.vendors.faxplus.auth import Caller


def caller(request: web.Request) -> tuple[Services, Tenant, Identity]:
    """The runtime, the caller's account (made by auth) and identity."""
    found: Caller = request[EXCHANGE].caller  # type: ignore[assignment]  # what ``auth.authenticate`` returned
    return found.services, found.tenant, found.identity


def user(request: web.Request) -> tuple[Services, Tenant, User]:
    """As ``caller``, with the user the path's ``{user_id}`` names (§2: ``self`` or a member)."""
    runtime, tenant, identity = caller(request)
    return runtime, tenant, accounts.resolve(tenant, identity, request.match_info["user_id"])


def drop_nulls(value: Any) -> Any:
    """JSON nulls mean "not given" (the SDK never sends them; other clients may)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def check_schema(runtime: Services, name: str, body: Any) -> dict[str, Any]:
    """Validate a request body against ``schemas/faxplus/<name>.json``; 400 naming the first
    fault (what the schema finds in a short body is remembered: ``contracts.remembered``)."""
    if not isinstance(body, dict):
        raise Invalid("the request body must be a JSON object")
    text = contracts.as_text(body)  # the key of its remembered check: with no null, the body is checked as it is
    if text.find("null") >= 0:  # (perhaps only in a string) nulls dropped, and the key is the rest's
        body = drop_nulls(body)
        text = contracts.as_text(body)
    violations = contracts.remembered(runtime.cache, "faxplus", name, body, text)
    if violations:
        raise Invalid(violations[0].message, field=violations[0].path)
    return body


async def json_body(request: web.Request, schema: str) -> dict[str, Any]:
    """The request's JSON body, checked against ``schemas/faxplus/<schema>.json``."""
    return check_schema(request.app[keys.RUNTIME], schema, await read_json(request))


def admin_user(request: web.Request) -> tuple[Services, Tenant, User]:
    """As ``user``, for calls only a corporate admin may make (403 for anyone else)."""
    runtime, tenant, identity = caller(request)
    accounts.require_admin(identity)
    return runtime, tenant, accounts.resolve(tenant, identity, request.match_info["user_id"])


def ok(body: Any, status: int = 200) -> web.Response:
    return json_response(body, status=status)


def done() -> web.Response:
    """A PUT or DELETE that returns nothing (the SDK ignores these bodies)."""
    return web.Response(status=204)


def download(data: bytes, content_type: str, filename: str) -> web.Response:
    """A file; the SDK needs ``filename=`` in Content-Disposition, without spaces (§10)."""
    return web.Response(
        body=data, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
