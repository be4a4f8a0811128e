"""HTTP Basic with an Imagicle (UC Suite) user, and privilege levels (imagicle.md §3, D15).

Every request carries ``Authorization: Basic``; no credentials or wrong ones get 401 with
``WWW-Authenticate: Basic realm="Imagicle"``. Users come from one of two places:

* declared accounts (``PUT /_emulator/accounts/imagicle``, shape ``schemas/imagicle/
  account.json``): only they can log in, with their password, level, groups and settings;
* none declared: any user/password pair makes its own user (its tenant) on first use and
  the password is remembered, so the same name with another password is 401. Such a
  user has level 2, except ``admin``, the built-in main administrator, who has level 10.

Level 2 and 6 may send as themselves or as a fax group they belong to; level 10 may send
as any user; a level below 2 may not use the fax API at all (403).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from aiohttp import hdrs, web

from emulator.core import contracts
from emulator.core.errors import Forbidden, Invalid, Unauthorized
from emulator.core.exchange import EXCHANGE, Exchange

if TYPE_CHECKING:
    from emulator.core.services import Services
    from emulator.core.store import Tenant

NAME = "imagicle"
CHALLENGE = {"WWW-Authenticate": 'Basic realm="Imagicle"'}
MAIN_ADMINISTRATOR = "admin"  # the built-in main administrator (always level 10)
ADMIN_LEVEL = 10
DEFAULT_LEVEL = 2
LOWEST_FAX_LEVEL = 2  # below it the fax API answers 403

_ACCOUNT_DEFAULTS: dict[str, Any] = {
    "level": DEFAULT_LEVEL,
    "groups": [],
    "email": None,
    "faxNumber": None,
    "send": True,
    "receive": True,
}


@dataclass(slots=True, repr=False, eq=False)
class User:
    """An authenticated Imagicle user."""

    name: str
    level: int = DEFAULT_LEVEL
    groups: tuple[str, ...] = ()
    email: str | None = None
    fax_number: str | None = None
    send: bool = True
    receive: bool = True

    @property
    def admin(self) -> bool:
        return self.level >= ADMIN_LEVEL

    @classmethod
    def of(cls, account: dict[str, Any]) -> User:
        return cls(
            account["name"],
            account["level"],
            tuple(account["groups"]),
            account["email"],
            account["faxNumber"],
            account["send"],
            account["receive"],
        )


class Caller(NamedTuple):
    """Who is calling: the user's tenant and the user. A tuple, so ``runtime.callers``
    remembers it as it is, one per credential."""

    tenant: Tenant
    user: User


def check_accounts(accounts: list[Any]) -> list[dict[str, Any]]:
    """Declared accounts with defaults filled; Invalid on a bad entry or a repeated name."""
    checked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, account in enumerate(accounts):
        violations = contracts.check(NAME, "account", account)
        if violations:
            raise Invalid(f"accounts[{index}]: {violations[0].message}", field="accounts")
        if account["name"].casefold() in seen:
            raise Invalid(f"accounts[{index}]: the name {account['name']!r} is declared twice", field="accounts")
        seen.add(account["name"].casefold())
        checked.append({**_ACCOUNT_DEFAULTS, **account, "groups": list(account.get("groups", []))})
    return checked


def declared(runtime: Services, name: str) -> dict[str, Any] | None:
    """The declared account called ``name`` (user names are case-insensitive, as in Windows)."""
    wanted = name.casefold()
    for account in runtime.accounts.get(NAME, ()):  # (a loop: no generator, none at all when none are declared)
        if account["name"].casefold() == wanted:
            return account
    return None


def _basic(header: str) -> tuple[str, str]:
    """(user name, password) of an ``Authorization: Basic`` header (Unauthorized if it is not one)."""
    kind, _, token = header.strip().partition(" ")
    if kind.lower() != "basic" or not token.strip():
        raise Unauthorized("authentication required", headers=CHALLENGE)
    try:
        raw = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise Unauthorized("malformed Basic credentials", headers=CHALLENGE) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    name, colon, password = text.partition(":")
    if not colon or not name.strip():
        raise Unauthorized("malformed Basic credentials", headers=CHALLENGE)
    return name, password


def _resolve(runtime: Services, header: str) -> Caller:
    """The user's account (its tenant) and the user an Authorization header names."""
    name, password = _basic(header)
    if runtime.accounts.get(NAME):
        account = declared(runtime, name)
        if account is None or not _same(account["password"], password):
            raise Unauthorized("wrong user name or password", headers=CHALLENGE)
        user = User.of(account)
        return Caller(runtime.tenant(NAME, user.name), user)
    tenant = runtime.tenant(NAME, name)
    if not _same(tenant.settings.setdefault("password", password), password):
        raise Unauthorized("wrong user name or password", headers=CHALLENGE)
    return Caller(tenant, User(name, ADMIN_LEVEL if name == MAIN_ADMINISTRATOR else DEFAULT_LEVEL))


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


def authenticate(runtime: Services, request: web.Request, exchange: Exchange) -> Caller | None:
    """The caller of every routed request (unknown paths go on to their 404); 401 for
    missing or wrong credentials, 403 below the fax API's level. A client's Authorization
    header is resolved once (``runtime.callers``)."""
    if exchange.operation is None:
        return None
    caller = runtime.callers.who(NAME, request.headers.get(hdrs.AUTHORIZATION, ""), _resolve, runtime)
    user = caller.user
    exchange.identify(user.name)
    if user.level < LOWEST_FAX_LEVEL:
        raise Forbidden(f"user {user.name} has privilege level {user.level}; the fax API needs {LOWEST_FAX_LEVEL}")
    return caller


def user(request: web.Request) -> User:
    """The calling user, as ``authenticate`` found it."""
    caller: Caller = request[EXCHANGE].caller  # type: ignore[assignment]  # what ``authenticate`` returned
    return caller.user


def sender(runtime: Services, user: User, send_as: str | None) -> str:
    """Who a new fax belongs to: the caller, or ``sendAsUsername`` if its level allows (else 403)."""
    send_as = (send_as or "").strip()
    if not send_as or send_as.casefold() == user.name.casefold():  # null or empty: the caller
        return user.name
    group = next((g for g in user.groups if g.casefold() == send_as.casefold()), None)
    if group is not None:
        return group
    if not user.admin:
        raise Forbidden(
            f"user {user.name} (level {user.level}) may send only as itself or its fax groups, not as {send_as}"
        )
    if not runtime.accounts.get(NAME):
        return send_as
    account = declared(runtime, send_as)
    if account is not None:
        return account["name"]
    groups = {g.casefold(): g for a in runtime.accounts[NAME] for g in a["groups"]}
    if send_as.casefold() in groups:
        return groups[send_as.casefold()]
    raise Invalid(f"sendAsUsername: there is no Digital Fax user {send_as}", field="sendAsUsername")
