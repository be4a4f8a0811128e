"""FAX.PLUS authentication (faxplus.md §1): ``Authorization: Bearer <token>`` on every call.

Any non-empty token is accepted and names its account (tenant), so parallel tests isolate
themselves by using different tokens. The token's shape says who is calling:

* ``corp_admin_<name>``: the corporate admin of corporate account ``corp_admin_<name>``;
* ``corp_member<N>_<name>`` (N = 1..MEMBERS): member N of that same corporate account;
* anything else: the only user of an individual account named by the token.

A token may end with ``~scope,scope`` to carry PAT scopes (e.g. ``t1~fax:fax:read``); the
part before ``~`` names the account. Without it the token has every scope. The OAuth
``x-fax-clientid`` header is accepted and never required.

A scenario (``accounts.faxplus``) or ``PUT /_emulator/accounts/faxplus`` may declare the
tokens instead (shape ``schemas/faxplus/account.json``): then only those work (any other
is 401), each exactly as declared, with its ``account``, ``type`` (AccountType),
``member`` and ``scopes``; a key left out means what the token would mean undeclared.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from aiohttp import hdrs, web

from emulator.core import contracts
from emulator.core.bodies import is_utf8
from emulator.core.errors import Forbidden, Invalid, Unauthorized
from emulator.core.exchange import Exchange
from emulator.vendors.faxplus import accounts
from emulator.vendors.faxplus.accounts import Identity

if TYPE_CHECKING:
    from emulator.core.services import Services
    from emulator.core.store import Tenant


class Caller(NamedTuple):
    """Who is calling: the account (its tenant) and the user and scopes its token names,
    with the services it was resolved in (every handler needs them: one look-up fewer than
    ``request.app``). A tuple, so ``runtime.callers`` remembers it as it is, one per credential."""

    tenant: Tenant
    identity: Identity
    services: Services


_MEMBER = re.compile(r"corp_member([0-9]+)_(.+)")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="fax.plus"'}

#: operation -> (read | edit, the scope areas that allow it), from the endpoint tables of §3
SCOPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "upload_file": ("edit", ("file",)),
    "get_file": ("read", ("file",)),
    "get_fax_report": ("read", ("fax",)),
    "get_fax_thumbnail": ("read", ("fax",)),
    "send_fax": ("edit", ("fax",)),
    "list_outbox_faxes": ("read", ("fax",)),
    "get_outbox_fax": ("read", ("fax",)),
    "update_outbox_fax": ("edit", ("fax",)),
    "delete_outbox_fax": ("edit", ("fax",)),
    "list_faxes": ("read", ("fax",)),
    "get_fax": ("read", ("fax",)),
    "update_fax": ("edit", ("fax",)),
    "delete_fax": ("edit", ("fax",)),
    "create_webhook": ("edit", ("webhook",)),
    "get_webhooks": ("read", ("webhook",)),
    "delete_webhook": ("edit", ("webhook",)),
    "get_accounts": ("read", ("member",)),
    "get_user": ("read", ("member", "user")),
    "update_user": ("edit", ("member", "user")),
    "get_member_details": ("read", ("member",)),
    "update_member_details": ("edit", ("member",)),
    "list_numbers": ("read", ("numbers",)),
    "get_number": ("read", ("numbers",)),
    "update_number": ("edit", ("numbers",)),
    "revoke_number": ("edit", ("numbers",)),
    "get_balance": ("read", ("shop",)),
    "list_countries": ("read", ("shop",)),
    "list_areas": ("read", ("shop",)),
    "list_shop_numbers": ("read", ("shop",)),
    "purchase_number": ("edit", ("shop",)),
}


def parse(token: str) -> tuple[str, str, frozenset[str] | None]:
    """(tenant id, user key, scopes) of an undeclared token; see the module docstring."""
    base, tilde, scope_text = token.partition("~")
    scopes = frozenset(s.strip() for s in scope_text.split(",") if s.strip()) if tilde else None
    member = _MEMBER.fullmatch(base)
    if member and 1 <= int(member.group(1)) <= accounts.MEMBERS:
        return accounts.CORPORATE_PREFIX + member.group(2), f"member{int(member.group(1))}", scopes
    if accounts.is_corporate(base) and len(base) > len(accounts.CORPORATE_PREFIX):
        return base, "admin", scopes
    return base, "self", scopes


_TYPES = {"self": accounts.INDIVIDUAL, "admin": accounts.ADMIN}


def check_accounts(declared: list[Any]) -> list[dict[str, Any]]:
    """Declared tokens, complete (``account``, ``type``, ``member``, ``scopes``); Invalid on a bad
    entry, a token declared twice, or an account declared both individual and corporate.
    Tokens it completed are taken back as they are (a snapshot's): a null there means not given."""
    checked: list[dict[str, Any]] = []
    kinds: dict[str, str] = {}
    for index, given in enumerate(declared):
        entry = {k: v for k, v in given.items() if v is not None} if isinstance(given, dict) else given
        violations = contracts.check(accounts.VENDOR, "account", entry)
        if violations:
            raise Invalid(f"accounts[{index}]: {violations[0].message}", field="accounts")
        tenant, key, scopes = parse(entry["token"])
        kind = entry.get("type", _TYPES.get(key, accounts.MEMBER))
        if "member" in entry and kind != accounts.MEMBER:
            raise Invalid(f"accounts[{index}]: member applies to a corporate_member only", field="accounts")
        member = entry.get("member", int(key.removeprefix("member")) if key.startswith("member") else 1)
        account = entry.get("account", tenant)
        corporate = "individual" if kind == accounts.INDIVIDUAL else "corporate"
        if kinds.setdefault(account, corporate) != corporate:
            raise Invalid(
                f"accounts[{index}]: account {account!r} is declared both individual and corporate", field="accounts"
            )
        if any(c["token"] == entry["token"] for c in checked):
            raise Invalid(f"accounts[{index}]: the token {entry['token']!r} is declared twice", field="accounts")
        checked.append(
            {
                "token": entry["token"],
                "account": account,
                "type": kind,
                "member": member if kind == accounts.MEMBER else None,
                "scopes": entry["scopes"] if "scopes" in entry else (sorted(scopes) if scopes is not None else None),
            }
        )
    return checked


def _identify(runtime: Services, token: str) -> tuple[str, str, frozenset[str] | None]:
    """(tenant id, user key, scopes) of ``token``: declared, or by its shape when none are."""
    declared = runtime.accounts.get(accounts.VENDOR)
    if not declared:
        return parse(token)
    found = next((a for a in declared if a["token"] == token), None)
    if found is None:
        raise Unauthorized("the token is not valid", headers=_CHALLENGE)
    key = {accounts.INDIVIDUAL: "self", accounts.ADMIN: "admin"}.get(found["type"], f"member{found['member']}")
    scopes = frozenset(found["scopes"]) if found["scopes"] is not None else None
    return found["account"], key, scopes


def _bearer(header: str) -> str:
    """The token of an ``Authorization: Bearer <token>`` header (Unauthorized if it is not one)."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthorized("an Authorization: Bearer <token> header is required", headers=_CHALLENGE)
    token = token.strip()
    if not token:
        raise Unauthorized("the bearer token is empty", headers=_CHALLENGE)
    if not is_utf8(token):  # (it would name an account no snapshot or data file can hold: a 500)
        raise Unauthorized("the bearer token is not valid", headers=_CHALLENGE)
    return token


def _check_scope(identity: Identity, operation: str) -> None:
    if identity.scopes is None or operation not in SCOPES:
        return
    mode, areas = SCOPES[operation]
    allowed = {f"fax:all:{mode}", *(f"fax:{area}:{mode}" for area in areas)}
    if not allowed & identity.scopes:
        raise Forbidden(
            f"the token lacks a scope for this call; one of {', '.join(sorted(allowed))} is needed",
            code="insufficient_scope",
        )


def authenticate(runtime: Services, request: web.Request, exchange: Exchange) -> Caller | None:
    """The caller of every routed request (unknown paths go on to their 404); a client's
    Authorization header is resolved once (``runtime.callers``)."""
    operation = exchange.operation
    if operation is None:
        return None
    caller = runtime.callers.who(accounts.VENDOR, request.headers.get(hdrs.AUTHORIZATION, ""), _resolve, runtime)
    exchange.identify(caller.tenant.id)
    _check_scope(caller.identity, operation)
    return caller


def _resolve(runtime: Services, header: str) -> Caller:
    """The account (made on first use) and identity an Authorization header names."""
    tenant_id, key, scopes = _identify(runtime, _bearer(header))
    if not tenant_id:
        raise Unauthorized("the bearer token names no account", headers=_CHALLENGE)
    tenant = accounts.ensure(runtime, tenant_id)
    return Caller(tenant, accounts.identity(tenant, key, scopes), runtime)
