"""Declared Kazoo accounts (scenario ``accounts.kazoo``, ``PUT /_emulator/accounts/kazoo``).

Once accounts are declared only their credentials log in (kazoo.md §2): a user's md5 or
sha1 of ``lowercase(username):password`` with the account's name or realm, or the
account's api key; anything else is 401 ``invalid_credentials``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from emulator.vendors.kazoo.accounts import derived_id, owner_id
from tests.vendors.kazoo.conftest import Kazoo, assert_error

ACME_ID = "0123456789abcdef0123456789abcdef"
KEY = "k" * 64
ACCOUNTS = [
    {
        "name": "Acme Corp",
        "realm": "acme.sip.example.com",
        "account_id": ACME_ID,
        "users": [{"username": "Alice", "password": "secret"}, {"username": "bob", "password": "hunter2"}],
    },
    {"name": "globex", "api_key": KEY},
]


async def _declare(client: TestClient, accounts: list[dict[str, Any]]) -> Any:
    response = await client.put("/_emulator/accounts/kazoo", json={"accounts": accounts})
    return response.status, await response.json()


async def _user_auth(client: TestClient, user: str, password: str, method: str = "md5", **where: str) -> Any:
    digest = hashlib.sha1 if method == "sha" else hashlib.md5
    data = {"credentials": digest(f"{user.lower()}:{password}".encode()).hexdigest(), "method": method, **where}
    return await Kazoo(client).call("PUT", "/v2/user_auth", {"data": data}, auth=False)


async def test_declared_users_log_in_to_their_account_by_name_or_realm(client):
    assert (await _declare(client, ACCOUNTS))[0] == 200
    by_name = await _user_auth(client, "alice", "secret", account_name="acme corp")
    assert by_name.status == 201, by_name.body
    assert by_name.data["account_id"] == ACME_ID and by_name.data["account_name"] == "Acme Corp"
    assert by_name.data["owner_id"] == owner_id(ACME_ID, "alice")
    by_realm = await _user_auth(client, "bob", "hunter2", method="sha", account_realm="ACME.sip.example.com")
    assert by_realm.status == 201 and by_realm.data["account_id"] == ACME_ID
    assert by_realm.data["owner_id"] == owner_id(ACME_ID, "bob")
    # the token works on its account
    kazoo = Kazoo(client, by_name.body["auth_token"], ACME_ID)
    assert (await kazoo.get("/faxboxes")).status == 200


async def test_api_key_logs_in_to_the_account_with_an_id_derived_from_its_name(client):
    await _declare(client, ACCOUNTS)
    reply = await Kazoo(client).call("PUT", "/v2/api_auth", {"data": {"api_key": KEY}}, auth=False)
    assert reply.status == 201
    assert reply.data["account_id"] == derived_id("globex")


@pytest.mark.parametrize(
    ("user", "password", "where"),
    [
        ("alice", "wrong", {"account_name": "Acme Corp"}),
        ("mallory", "secret", {"account_name": "Acme Corp"}),
        ("alice", "secret", {"account_name": "initech"}),
        ("alice", "secret", {"account_realm": "other.example.com"}),
        ("alice", "secret", {"phone_number": "+14155550100"}),
        ("alice", "secret", {"account_name": "globex"}),  # an account with no users
    ],
)
async def test_anything_else_is_invalid_credentials(client, user, password, where):
    await _declare(client, ACCOUNTS)
    assert_error(await _user_auth(client, user, password, **where), 401, "invalid_credentials")


async def test_an_undeclared_api_key_is_invalid_credentials_and_declaring_nothing_restores_any(client):
    await _declare(client, ACCOUNTS)
    other = "x" * 64
    assert_error(
        await Kazoo(client).call("PUT", "/v2/api_auth", {"data": {"api_key": other}}, auth=False),
        401,
        "invalid_credentials",
    )
    await _declare(client, [])
    assert (await Kazoo(client).call("PUT", "/v2/api_auth", {"data": {"api_key": other}}, auth=False)).status == 201


async def test_the_control_api_shows_them_complete(client):
    status, body = await _declare(client, [{"name": "globex", "api_key": KEY}])
    assert status == 200
    assert body["accounts"] == [
        {
            "name": "globex",
            "realm": None,
            "account_id": derived_id("globex"),
            "users": [],
            "api_key": KEY,
            "numbers": None,
        }
    ]


@pytest.mark.parametrize(
    "accounts",
    [
        [{"name": "no credentials"}],
        [{"users": [{"username": "a", "password": "b"}]}],
        [{"name": "x", "api_key": "short"}],
        [{"name": "x", "api_key": KEY, "account_id": "not-hex"}],
        [{"name": "x", "api_key": KEY, "realm": "no spaces allowed"}],
        [{"name": "x", "users": []}],
        [{"name": "x", "users": [{"username": "a"}]}],
        [{"name": "x", "api_key": KEY, "colour": "red"}],
        [{"name": "Acme", "api_key": KEY}, {"name": "ACME", "api_key": "y" * 64}],
        [{"name": "a", "api_key": KEY}, {"name": "b", "api_key": KEY}],
        [
            {"name": "a", "api_key": KEY, "account_id": ACME_ID},
            {"name": "b", "api_key": "y" * 64, "account_id": ACME_ID},
        ],
    ],
)
async def test_bad_declarations_are_400_and_change_nothing(client, accounts):
    keep = [{"name": "keep", "api_key": KEY}]
    assert (await _declare(client, keep))[0] == 200
    status, _ = await _declare(client, accounts)
    assert status == 400
    shown = await (await client.get("/_emulator/accounts/kazoo")).json()
    assert [a["name"] for a in shown["accounts"]] == ["keep"]


async def test_a_declared_account_receives_inbound_faxes_by_name(client):
    await _declare(client, ACCOUNTS)
    response = await client.post(
        "/_emulator/inbound",
        json={"vendor": "kazoo", "tenant": "Acme Corp", "to": "+14155550100", "from": "+12125550199"},
    )
    assert response.status == 201, await response.text()
    assert (await response.json())["tenant"] == ACME_ID


async def test_declared_accounts_come_back_from_a_snapshot_as_they_were(client):
    accounts = [{"name": "globex", "api_key": KEY}, {"name": "acme", "users": [{"username": "a", "password": "p"}]}]
    accounts[1]["numbers"] = ["+14155550100"]
    status, body = await _declare(client, accounts)
    assert status == 200
    snapshot = await (await client.get("/_emulator/state")).json()
    restored = await client.put("/_emulator/state", json=snapshot)  # what check_accounts completed, taken back
    assert restored.status == 200, await restored.text()
    assert (await (await client.get("/_emulator/accounts/kazoo")).json())["accounts"] == body["accounts"]
