"""Crossbar authentication (kazoo.md §2), which every Kazoo request goes through.

``PUT /v2/user_auth`` (an md5/sha1 credentials hash and an account name, realm or phone
number) and ``PUT /v2/api_auth`` (a 64-character api key) return an auth token. Any
credentials are accepted and make their own account, whose id is derived from them, so
the same credentials always reach the same account and parallel tests isolate themselves
by using different credentials. A token lives 3600 s of emulator time and is good for its
own account only. Declared accounts (``accounts.py``) replace "any credentials": then only
theirs log in. ``user_login`` and ``api_login`` decide whom a login logs in, ``log_in``
issues its token.

``authenticate`` checks, in Crossbar's order, the route (404/405), the account id in the
path (404), the token (401) and the account (403); ``errors.render`` answers every refusal
in Kazoo's envelope with the request's id and token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, NoReturn

from aiohttp import web

from emulator.core.errors import Unauthorized
from emulator.core.exchange import Exchange
from emulator.core.services import Services
from emulator.core.store import Tenant
from emulator.vendors.kazoo import accounts, errors
from emulator.vendors.kazoo.envelope import NAME, Call, begin, request_id_of, token_member, token_of

ACCOUNT_ID = re.compile(r"[0-9a-f]{32}")
TOKEN_TTL = 3600.0  # crossbar.auth token_auth_expiry_s
TOKENS = "auth_tokens"  # the collection of the master account that keeps every token (_book)
#: the reseller every emulated account belongs to (a fixed "master account")
RESELLER_ID = hashlib.md5(b"fax-emulator master account").hexdigest()
#: routes that need no token
PUBLIC = frozenset({"user_auth", "api_auth"})


@dataclass(slots=True, repr=False, eq=False)
class Session:
    """What a valid token stands for."""

    account_id: str
    owner_id: str | None
    method: str
    expires: float


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def digest(*parts: str) -> str:
    # (a lone surrogate, from a JSON escape or a header's bytes that are not UTF-8, is hashed
    # as its code point's bytes: such a login or token is one like any other, never a 500)
    return hashlib.md5(":".join(parts).encode(errors="surrogatepass")).hexdigest()


@dataclass(slots=True, repr=False, eq=False)
class Login:
    """Whom a ``user_auth`` or ``api_auth`` logs in: the account, its user (None for an api
    key), the Crossbar module that issues the token, and what the account learns (its name)."""

    account_id: str
    owner_id: str | None
    method: str
    learnt: dict[str, Any]


def user_login(rt: Services, doc: dict[str, Any]) -> Login:
    """``PUT /user_auth`` (a checked ``doc``): the declared account whose user the credentials
    hash names, or, with none declared, the account the credentials make (kazoo.md §2)."""
    if accounts.declared(rt):
        account = accounts.by_login(rt, doc)
        username = accounts.user_of(account, doc["credentials"], doc.get("method", "md5")) if account else None
        if account is None or username is None:
            raise errors.invalid_credentials()
        account_id = account["account_id"]
        return Login(
            account_id, accounts.owner_id(account_id, username), "cb_user_auth", {"account_name": account["name"]}
        )
    for field in ("account_name", "account_realm", "phone_number"):
        if doc.get(field):
            identity = f"{field}={doc[field].lower()}"
            break
    else:  # Crossbar's token-creation variant of the 401 (kazoo.md §2)
        raise Unauthorized("invalid credentials", code="invalid credentials", detail={})
    account_id = digest("user_auth", identity, doc["credentials"].lower())
    owner_id = digest("user", account_id, doc["credentials"].lower())
    learnt = {"account_name": doc["account_name"]} if doc.get("account_name") else {}
    return Login(account_id, owner_id, "cb_user_auth", learnt)


def api_login(rt: Services, doc: dict[str, Any]) -> Login:
    """``PUT /api_auth`` (a checked ``doc``): the declared account of the api key, or, with none
    declared, the account the key makes."""
    if accounts.declared(rt):
        account = accounts.by_api_key(rt, doc["api_key"])
        if account is None:
            raise errors.invalid_credentials()
        return Login(account["account_id"], None, "cb_api_auth", {"account_name": account["name"]})
    return Login(digest("api_auth", doc["api_key"]), None, "cb_api_auth", {})


def log_in(rt: Services, login: Login) -> str:
    """The account (made on first use) keeps what the login taught it (its name); returns a
    new token, kept in the master account's book (``issue``)."""
    rt.tenant(NAME, login.account_id).settings.update(login.learnt)
    return issue(rt, login.account_id, login.owner_id, login.method)


def issue(rt: Services, account_id: str, owner_id: str | None, method: str) -> str:
    """A new token for ``account_id``: JWT-shaped and opaque to clients, as on Kazoo."""
    now = rt.now()
    claims = {
        "account_id": account_id,
        "owner_id": owner_id,
        "method": method,
        "iat": int(now),
        "exp": int(now + TOKEN_TTL),
        "jti": rt.ids.hex(32),
    }
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    token = f"{header}.{payload}.{_b64(bytes.fromhex(rt.ids.hex(64)))}"
    book = _book(rt)
    if len(book) % SWEEP_EVERY == 0:  # now and then, the expired go (a login each test for days stays bounded)
        for key in [key for key, expires in book.items() if expires <= now]:
            del book[key]
    book[_key(token)] = now + TOKEN_TTL
    return token


#: the token book is swept of expired tokens each time it holds a multiple of this many
SWEEP_EVERY = 1024


def _book(rt: Services) -> dict[str, float]:
    """Every valid token of every account, as ``_key(token) -> expiry``: one book, held by the
    master account (the reseller every emulated account belongs to). So a login leaves
    nothing in its own account but what it learnt (``log_in``), and costs only its line here:
    its account, owning nothing, is forgotten like any other (made again the same on next use).
    (A token was kept whole, with its session, in its own account: 20,000 logins of new users
    added about 28 MB, and each account was held for the token's hour.)"""
    return rt.tenant(NAME, RESELLER_ID).collection(TOKENS)


def _key(token: str) -> str:
    """What the book keeps of a token: a digest of all of it (a token changed anywhere is unknown)."""
    return hashlib.blake2b(token.encode(errors="surrogatepass"), digest_size=12).hexdigest()  # (as ``digest``)


def owns(rt: Services, tenant: Tenant) -> bool:
    """Whether the account holds anything: a fax, a faxbox, a webhook... or, for the master
    account, a token that may still be used (expired ones are made again by the next login)."""
    if tenant.faxes or any(items for name, items in tenant.collections.items() if name != TOKENS):
        return True
    now = rt.now()
    return any(_expiry(kept) > now for kept in tenant.collections.get(TOKENS, {}).values())


def _expiry(kept: float | Session) -> float:
    # a data file written before the token book kept a Session whole, in its own account
    return kept.expires if isinstance(kept, Session) else kept


def _claims(token: str) -> dict[str, object] | None:
    """The claims a token's payload holds (None if it is not a token of ours)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, TypeError):
        return None
    return claims if isinstance(claims, dict) and isinstance(claims.get("account_id"), str) else None


def _session(rt: Services, token: str) -> tuple[Tenant, Session, bytes | None] | None:
    """The account and session ``token`` stands for, if the book has it (the account is made
    again on use if it was forgotten), and the token's member of a success envelope (which
    ``Callers`` remembers with them: ``Call.token_member``)."""
    claims = _claims(token)
    expires = _book(rt).get(_key(token)) if claims is not None else None
    if claims is None or expires is None:
        return None
    account_id, owner_id = str(claims["account_id"]), claims.get("owner_id")
    session = Session(account_id, owner_id if isinstance(owner_id, str) else None, str(claims.get("method")), expires)
    return rt.tenant(NAME, account_id), session, token_member(token)


def _refuse(account: str | None, session: Session | None) -> NoReturn:
    """Why a request under /v2 is refused, in Crossbar's order: a malformed account id in the
    path (404; a session's own id is valid), no live token (401), another account's (403)."""
    if account is not None and (session is None or account != session.account_id) and not ACCOUNT_ID.fullmatch(account):
        raise errors.bad_account(f"invalid account_id '{account}'")
    if session is None:
        raise errors.invalid_credentials()
    raise errors.forbidden()


def authenticate(rt: Services, request: web.Request, exchange: Exchange) -> Call:
    """Route check and authentication of every request under /v2, in Crossbar's order: the
    route (404, 405), the account id in the path (404), the token (401), the account (403).
    (A refused request's ``Call`` is begun by its error's rendering, ``envelope.call``.)"""
    match_info = request.match_info
    routing = match_info.http_exception
    if routing is not None:
        if routing.status == 405:
            raise errors.invalid_method(routing.headers.get("Allow", ""))
        raise errors.not_found()
    if exchange.operation in PUBLIC:
        return begin(rt, request, exchange)
    account = match_info.get("account_id")
    token = token_of(request)
    # a client's token is looked up once (``rt.callers``), its expiry on the emulator clock every time
    found = rt.callers.who(NAME, token, _session, rt) if token else None
    live = found if found is not None and exchange.at < found[1].expires else None
    if live is None or (account is not None and account != live[1].account_id):
        _refuse(account, live[1] if live is not None else None)
    tenant, session, member = live
    # made whole at once (kept on the exchange before ``identify``, whose scenario rules may answer now)
    context = exchange.caller = Call(
        rt, exchange.at, request_id_of(rt, request), token, session.account_id, session.owner_id, tenant, member
    )
    exchange.identify(session.account_id)
    return context
