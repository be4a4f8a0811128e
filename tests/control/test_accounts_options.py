"""Declared accounts, vendor options and captured e-mails in the control API (vendor-neutral parts)."""

from __future__ import annotations

import pytest


async def test_accounts_start_empty_and_are_replaced_whole(client):
    assert await (await client.get("/_emulator/accounts/imagicle")).json() == {"vendor": "imagicle", "accounts": []}
    response = await client.put("/_emulator/accounts/imagicle", json={"accounts": [{"name": "ann", "password": "p"}]})
    assert response.status == 200
    [ann] = (await response.json())["accounts"]
    assert ann == {
        "name": "ann",
        "password": "p",
        "level": 2,
        "groups": [],
        "email": None,
        "faxNumber": None,
        "send": True,
        "receive": True,
    }
    await client.put("/_emulator/accounts/imagicle", json={"accounts": []})
    assert (await (await client.get("/_emulator/accounts/imagicle")).json())["accounts"] == []


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"accounts": "ann"},
        {"accounts": [{"name": "ann"}]},
        {"accounts": [{"name": "", "password": "p"}]},
        {"accounts": [{"name": "a:b", "password": "p"}]},
        {"accounts": [{"name": "ann", "password": "p", "level": 11}]},
        {"accounts": [{"name": "ann", "password": "p", "level": True}]},
        {"accounts": [{"name": "ann", "password": "p", "colour": "red"}]},
        {"accounts": [{"name": "ann", "password": "p", "faxNumber": "call me"}]},
        {"accounts": [{"name": "ann", "password": "p"}, {"name": "ANN", "password": "q"}]},
    ],
)
async def test_bad_accounts_are_400_and_change_nothing(client, body):
    await client.put("/_emulator/accounts/imagicle", json={"accounts": [{"name": "keep", "password": "p"}]})
    response = await client.put("/_emulator/accounts/imagicle", json=body)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_request"
    accounts = (await (await client.get("/_emulator/accounts/imagicle")).json())["accounts"]
    assert [a["name"] for a in accounts] == ["keep"]


async def test_vendors_without_options_say_so_and_unknown_vendors_are_refused(client):
    assert (await client.get("/_emulator/vendors/callerip/options")).status == 409
    assert (await client.patch("/_emulator/vendors/callerip/options", json={})).status == 409
    assert (await client.get("/_emulator/accounts/nobody")).status == 400
    assert (await client.patch("/_emulator/vendors/nobody/options", json={})).status == 400


async def test_options_have_defaults_and_change_in_part(client):
    before = (await (await client.get("/_emulator/vendors/imagicle/options")).json())["options"]
    assert before["detail_envelope"] == "documented" and before["submit_status"] == 200
    response = await client.patch("/_emulator/vendors/imagicle/options", json={"submit_status": 201})
    after = (await response.json())["options"]
    assert after == {**before, "submit_status": 201}


@pytest.mark.parametrize(
    "change",
    [
        {"colour": "red"},
        {"submit_status": 204},
        {"detail_envelope": "both"},
        {"accept": []},
        {"accept": ["png"]},
        {"timezone": "Mars/Olympus"},
        {"timezone": "+25:00"},
        {"server_name": "has_underscore"},
        {"attempts": 0},
        {"retry_delay": -1},
        {"directories": {"A": [{"faxNumber": "x"}]}},
        {"directories": {"A": {"faxNumber": "1"}}},
        [],
        "text",
    ],
)
async def test_bad_options_are_400_and_change_nothing(client, change):
    before = (await (await client.get("/_emulator/vendors/imagicle/options")).json())["options"]
    response = await client.patch("/_emulator/vendors/imagicle/options", json=change)
    assert response.status == 400, await response.text()
    assert (await (await client.get("/_emulator/vendors/imagicle/options")).json())["options"] == before


async def test_reset_keeps_accounts_and_options(client):
    await client.put("/_emulator/accounts/imagicle", json={"accounts": [{"name": "ann", "password": "p"}]})
    await client.patch("/_emulator/vendors/imagicle/options", json={"submit_status": 202})
    await client.post("/_emulator/reset")
    assert len((await (await client.get("/_emulator/accounts/imagicle")).json())["accounts"]) == 1
    assert (await (await client.get("/_emulator/vendors/imagicle/options")).json())["options"]["submit_status"] == 202


async def test_emails_listing_checks_its_filters(client):
    assert await (await client.get("/_emulator/emails")).json() == {"emails": []}
    assert (await client.get("/_emulator/emails", params={"vendor": "nobody"})).status == 400
    assert (await client.get("/_emulator/emails", params={"limit": "0"})).status == 400
