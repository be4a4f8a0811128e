"""Declared FAX.PLUS tokens (scenario ``accounts.faxplus``, ``PUT /_emulator/accounts/faxplus``).

Once tokens are declared only they work; each stands for the account, AccountType, member
and scopes declared (faxplus.md §1, §5.5), whatever the token looks like.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from faxplus.rest import ApiException

from emulator.testing import FaxEmulator
from emulator.vendors.faxplus.accounts import uid_for
from tests.vendors.faxplus.raw import call
from tests.vendors.faxplus.sdk import Sdk

ACME = [
    {"token": "alohi_pat_acme_admin", "account": "acme", "type": "corporate_admin"},
    {"token": "alohi_pat_acme_clerk", "account": "acme", "type": "corporate_member", "member": 2},
    {"token": "alohi_pat_acme_reader", "account": "acme", "type": "corporate_member", "scopes": ["fax:fax:read"]},
    {"token": "alohi_pat_solo"},
]


@pytest.fixture
def declared(emulator: FaxEmulator) -> FaxEmulator:
    emulator.client.call("PUT", "/accounts/faxplus", {"accounts": ACME})
    return emulator


def test_only_declared_tokens_work_and_the_rest_get_401(declared: FaxEmulator, make: Callable[[str], Sdk]):
    with pytest.raises(ApiException) as caught:
        make("corp_admin_acme").accounts.get_user("self")  # a shape that works undeclared
    assert caught.value.status == 401
    assert json.loads(caught.value.body)["error"] == "invalid_token"
    assert make("alohi_pat_solo").accounts.get_user("self").account_type == "individual"


def test_tokens_of_one_account_share_it_with_the_declared_roles(declared: FaxEmulator, make: Callable[[str], Sdk]):
    admin, clerk = make("alohi_pat_acme_admin"), make("alohi_pat_acme_clerk")
    me = admin.accounts.get_user("self")
    assert (me.account_type, me.uid) == ("corporate_admin", uid_for("acme", "admin"))
    assert me.account_data.company_name == "acme"
    assert clerk.accounts.get_user("self").uid == uid_for("acme", "member2")
    assert {m.uid for m in admin.accounts.get_accounts().members} == {
        uid_for("acme", "member1"),
        uid_for("acme", "member2"),
    }
    with pytest.raises(ApiException) as caught:
        clerk.accounts.get_accounts()  # a member, as declared: not an admin
    assert caught.value.status == 403


def test_declared_scopes_are_enforced(declared: FaxEmulator, make: Callable[[str], Sdk]):
    reader = make("alohi_pat_acme_reader")
    assert reader.faxes.list_faxes("self").data.records == []  # fax:fax:read allows it...
    with pytest.raises(ApiException) as caught:
        reader.upload()  # ...but not an upload (fax:file:edit)
    assert caught.value.status == 403 and b"insufficient_scope" in caught.value.body


def test_declared_accounts_come_back_complete_and_can_be_withdrawn(emulator: FaxEmulator, make: Callable[[str], Sdk]):
    accounts = emulator.client.call(
        "PUT", "/accounts/faxplus", {"accounts": [{"token": "corp_member1_globex"}, {"token": "t~fax:fax:read"}]}
    )["accounts"]
    assert accounts == [
        {
            "token": "corp_member1_globex",
            "account": "corp_admin_globex",
            "type": "corporate_member",
            "member": 1,
            "scopes": None,
        },
        {"token": "t~fax:fax:read", "account": "t", "type": "individual", "member": None, "scopes": ["fax:fax:read"]},
    ]
    emulator.client.call("PUT", "/accounts/faxplus", {"accounts": []})
    assert make("anything-goes").accounts.get_user("self").account_type == "individual"


@pytest.mark.parametrize(
    "accounts",
    [
        [{"account": "acme"}],
        [{"token": ""}],
        [{"token": "has space"}],
        [{"token": "t", "type": "owner"}],
        [{"token": "t", "type": "corporate_member", "member": 3}],
        [{"token": "t", "type": "individual", "member": 1}],
        [{"token": "t", "scopes": ["fax:everything"]}],
        [{"token": "t", "colour": "red"}],
        [{"token": "t"}, {"token": "t", "account": "other"}],
        [{"token": "a", "account": "x"}, {"token": "b", "account": "x", "type": "corporate_admin"}],
    ],
)
async def test_bad_declarations_are_400_and_change_nothing(client, accounts):
    keep = [{"token": "keep"}]
    assert (await client.put("/_emulator/accounts/faxplus", json={"accounts": keep})).status == 200
    response = await client.put("/_emulator/accounts/faxplus", json={"accounts": accounts})
    assert response.status == 400, await response.text()
    current = await (await client.get("/_emulator/accounts/faxplus")).json()
    assert [a["token"] for a in current["accounts"]] == ["keep"]
    assert (await call(client, "GET", "/accounts/self", token="keep"))[0] == 200


async def test_a_scenario_declares_them_and_removing_it_restores_any_token(client):
    scenario = {"name": "acme", "accounts": {"faxplus": ACME}}
    assert (await client.post("/_emulator/scenario", json=scenario)).status == 200
    status, body = await call(client, "GET", "/accounts/self", token="stranger")
    assert (status, body["error"]) == (401, "invalid_token")
    assert (await call(client, "GET", "/accounts/self", token="alohi_pat_acme_admin"))[1][
        "account_type"
    ] == "corporate_admin"
    assert (await client.delete("/_emulator/scenario")).status == 200
    assert (await call(client, "GET", "/accounts/self", token="stranger"))[0] == 200
