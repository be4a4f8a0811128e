"""``POST /_emulator/inbound`` with ``tenant`` and no ``to``: the fax arrives at the tenant's own
number (FAX.PLUS: the account's first number; Kazoo: its first faxbox; Imagicle: the declared
user's fax number), as the README offers."""

from __future__ import annotations

import hashlib

import pytest
import requests


def _inbound(fax_emulator, **body):
    return requests.post(f"{fax_emulator.url}/_emulator/inbound", json={"from": "+13105550100", **body}, timeout=10)


def test_faxplus_the_accounts_first_number(fax_emulator):
    credentials = fax_emulator.credentials("faxplus")
    numbers = requests.get(
        f"{fax_emulator.base_url('faxplus')}/accounts/self/numbers", headers=credentials.bearer_header, timeout=10
    ).json()["numbers"]
    answer = _inbound(fax_emulator, vendor="faxplus", tenant=credentials.token)
    assert answer.status_code == 201, answer.text
    assert answer.json()["to"] == numbers[0]["number"]


def test_kazoo_the_accounts_first_faxbox(fax_emulator):
    base = fax_emulator.base_url("kazoo")
    auth = requests.put(
        f"{base}/user_auth",
        timeout=10,
        json={"data": {"credentials": hashlib.md5(b"alice:secret").hexdigest(), "account_name": "acme"}},
    ).json()
    account, token = auth["data"]["account_id"], auth["auth_token"]
    requests.put(
        f"{base}/accounts/{account}/faxboxes",
        headers={"X-Auth-Token": token},
        timeout=10,
        json={"data": {"name": "Front desk", "caller_id": "+14155550100"}},
    ).raise_for_status()
    answer = _inbound(fax_emulator, vendor="kazoo", tenant=account)
    assert answer.status_code == 201, answer.text
    fax_emulator.run_until_idle()
    inbox = requests.get(f"{base}/accounts/{account}/faxes/inbox", headers={"X-Auth-Token": token}, timeout=10)
    [received] = inbox.json()["data"]
    assert received["to_number"] == answer.json()["to"] == "+14155550100"


def test_imagicle_the_declared_users_fax_number(fax_emulator):
    fax_emulator.call(
        "PUT",
        "/accounts/imagicle",
        {"accounts": [{"name": "ann", "password": "p", "faxNumber": "+12125550199", "receive": True}]},
    )
    answer = _inbound(fax_emulator, vendor="imagicle", tenant="ann")
    assert answer.status_code == 201, answer.text
    assert (answer.json()["to"], answer.json()["tenant"]) == ("+12125550199", "ann")


@pytest.mark.parametrize("body", [{"vendor": "faxplus"}, {"vendor": "faxplus", "to": "", "tenant": "t"}])
def test_without_tenant_to_is_still_required(fax_emulator, body):
    answer = _inbound(fax_emulator, **body)
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "to"
