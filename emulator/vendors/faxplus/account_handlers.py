"""FAX.PLUS handlers for accounts, numbers and the shop (faxplus.md §3.5-§3.7)."""

from __future__ import annotations

from aiohttp import web

from emulator.core.errors import NotFound
from emulator.vendors.faxplus import accounts, serialise, shop
from emulator.vendors.faxplus.context import admin_user, caller, done, json_body, ok, user

# -- accounts (§3.5) ---------------------------------------------------------------


async def get_accounts(request: web.Request) -> web.Response:
    _, tenant, identity = caller(request)
    accounts.require_admin(identity)
    return ok({"members": [serialise.account(m) for m in accounts.members(tenant)]})


async def get_user(request: web.Request) -> web.Response:
    _, _, found = user(request)
    return ok(serialise.account(found))


async def update_user(request: web.Request) -> web.Response:
    _, _, found = user(request)
    accounts.update(found, await json_body(request, "payload_account_modification"))
    return done()


def _member(request: web.Request) -> accounts.User:
    _, tenant, identity = caller(request)
    accounts.require_admin(identity)
    member_id = request.match_info["member_user_id"]
    found = next((m for m in accounts.members(tenant) if m.uid == member_id), None)
    if found is None:
        raise NotFound(f"no member {member_id} in this account")
    return found


async def get_member_details(request: web.Request) -> web.Response:
    return ok(serialise.member_detail(_member(request)))


async def update_member_details(request: web.Request) -> web.Response:
    member = _member(request)
    accounts.update_member(member, await json_body(request, "member_detail"))
    return done()


# -- numbers (§3.6) ----------------------------------------------------------------


async def list_numbers(request: web.Request) -> web.Response:
    _, tenant, owner = user(request)
    return ok({"numbers": [serialise.number(n) for n in accounts.visible_numbers(tenant, owner)]})


async def get_number(request: web.Request) -> web.Response:
    _, tenant, owner = user(request)
    return ok(serialise.number(accounts.find_number(tenant, owner, request.match_info["number"])))


async def update_number(request: web.Request) -> web.Response:
    _, tenant, owner = admin_user(request)
    body = await json_body(request, "payload_number_modification")
    accounts.assign(tenant, accounts.find_number(tenant, owner, request.match_info["number"]), body["assigned_to"])
    return done()


async def revoke_number(request: web.Request) -> web.Response:
    _, tenant, owner = admin_user(request)
    accounts.revoke(tenant, accounts.find_number(tenant, owner, request.match_info["number"]), owner)
    return done()


# -- shop (§3.7) -------------------------------------------------------------------


async def get_balance(request: web.Request) -> web.Response:
    _, tenant, _ = caller(request)
    return ok(shop.balance(tenant))


async def list_countries(request: web.Request) -> web.Response:
    caller(request)
    return ok(shop.countries())


async def list_areas(request: web.Request) -> web.Response:
    caller(request)
    return ok(shop.areas(request.match_info["country_code"]))


async def list_shop_numbers(request: web.Request) -> web.Response:
    runtime, _, _ = caller(request)
    match, query = request.match_info, request.query
    return ok(
        shop.available(
            runtime, match["country_code"], match["calling_code"], query.get("channel"), query.get("contains")
        )
    )


async def purchase_number(request: web.Request) -> web.Response:
    runtime, tenant, identity = caller(request)
    accounts.require_owner(identity)
    body = await json_body(request, "purchase_number_request")
    return ok({"number": shop.purchase(runtime, tenant, body["item_id"])})
