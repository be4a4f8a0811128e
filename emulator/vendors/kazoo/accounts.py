"""Declared Kazoo accounts (scenario ``accounts.kazoo``, ``PUT /_emulator/accounts/kazoo``).

Each declares an account (``schemas/kazoo/account.json``): its name and optional realm,
its users' usernames and passwords for ``PUT /v2/user_auth``, its ``api_key`` for
``PUT /v2/api_auth`` (kazoo.md §2), and the ``numbers`` it owns, its jobs' valid caller ids
(``jobs.owns_number``). Once any is declared only these credentials log in;
everything else is 401 ``invalid_credentials``, as Crossbar answers an unknown account
or credentials that belong to no user (``cb_user_auth.erl``). The account id is the
declared ``account_id``, else derived from the name, so a scenario can name it in rules
and inbound faxes; each user's ``owner_id`` is derived from the account id and username.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from emulator.core import contracts
from emulator.core.errors import Invalid

if TYPE_CHECKING:
    from emulator.core.services import Services

NAME = "kazoo"
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


def normalize_name(name: str) -> str:
    """``kz_util:normalize_account_name``: lower case, letters and digits only."""
    return _NOT_ALPHANUMERIC.sub("", name.lower())


def derived_id(name: str) -> str:
    """The account id of a declared account that does not give one."""
    return hashlib.md5(f"fax-emulator declared account:{normalize_name(name)}".encode()).hexdigest()


def owner_id(account_id: str, username: str) -> str:
    """The stable user id of a declared user."""
    return hashlib.md5(f"{account_id}:user:{username.lower()}".encode()).hexdigest()


def check_accounts(declared: list[Any]) -> list[dict[str, Any]]:
    """Declared accounts, complete (``realm``, ``account_id``, ``users``, ``api_key``, ``numbers``); Invalid on a
    bad entry or on a name, realm, account id or api key declared twice. Accounts it completed
    are taken back as they are (a snapshot's): a null or no users there means not given."""
    checked: list[dict[str, Any]] = []
    for index, given in enumerate(declared):
        entry = (
            {k: v for k, v in given.items() if v is not None and (k != "users" or v != [])}
            if isinstance(given, dict)
            else given
        )
        violations = contracts.check(NAME, "account", entry)
        if violations:
            raise Invalid(f"accounts[{index}]: {violations[0].message}", field="accounts")
        if "users" not in entry and "api_key" not in entry:
            raise Invalid(
                f"accounts[{index}]: give users (for PUT /v2/user_auth), an api_key (for PUT "
                "/v2/api_auth) or both; without them nobody can log in",
                field="accounts",
            )
        account = {
            "name": entry["name"],
            "realm": entry.get("realm"),
            "account_id": entry.get("account_id") or derived_id(entry["name"]),
            "users": [dict(u) for u in entry.get("users", [])],
            "api_key": entry.get("api_key"),
            "numbers": list(entry["numbers"]) if "numbers" in entry else None,  # None: every number
        }
        for key, same in (("name", normalize_name), ("realm", str.lower), ("account_id", str), ("api_key", str)):
            value = account[key]
            if value is not None and any(c[key] is not None and same(c[key]) == same(value) for c in checked):
                raise Invalid(f"accounts[{index}]: the {key} {value!r} is declared twice", field="accounts")
        checked.append(account)
    return checked


def declared(runtime: Services) -> list[dict[str, Any]]:
    """The declared accounts; empty when any credentials make their own account."""
    return runtime.accounts.get(NAME, [])


def by_login(runtime: Services, doc: dict[str, Any]) -> dict[str, Any] | None:
    """The declared account a ``user_auth`` request names: by realm, else by name (as Crossbar looks)."""
    realm, name = doc.get("account_realm"), doc.get("account_name")
    for account in declared(runtime):
        if realm and account["realm"] is not None and account["realm"].lower() == realm.lower():
            return account
    for account in declared(runtime):
        if name and normalize_name(account["name"]) == normalize_name(name):
            return account
    return None


def user_of(account: dict[str, Any], credentials: str, method: str) -> str | None:
    """The username whose hash of ``lowercase(username):password`` is ``credentials``, if any."""
    digest = hashlib.sha1 if method == "sha" else hashlib.md5
    for user in account["users"]:
        if digest(f"{user['username'].lower()}:{user['password']}".encode()).hexdigest() == credentials.lower():
            return str(user["username"])
    return None


def by_api_key(runtime: Services, api_key: str) -> dict[str, Any] | None:
    """The declared account whose api key this is."""
    return next((a for a in declared(runtime) if a["api_key"] == api_key), None)


def account_id_of(runtime: Services, name: str) -> str | None:
    """The id of the declared account called ``name`` (for ``tenant`` in inbound faxes)."""
    found = next((a for a in declared(runtime) if normalize_name(a["name"]) == normalize_name(name)), None)
    return found["account_id"] if found else None
