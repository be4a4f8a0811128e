"""The 4.3 worker's caller id check before it dials (``fax_worker.erl`` 88-89, 506-514,
821-839): a ``from_number`` that is not a number of the account fails the attempt with
``tx_result`` 400 ``invalid fax cid number: <from_number>``, no call and no pages, retried
like any failure; the job flag ``ensure_valid_caller_id`` turns the check off."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.vendors.kazoo.conftest import Kazoo, assert_error, send_as_requests_does

FIRST_ATTEMPT = 21  # pending 5 s, locked 1 s, processing 15 s of set-up (no page is sent)


def _refused(tx: dict, number: str, elapsed: int) -> None:
    """``tx_result`` as release_failed_job('invalid_cid', ...) writes it (and the documented keys mirrored)."""
    assert tx == {
        "success": False,
        "time_elapsed": elapsed,
        "result_code": 400,
        "result_text": f"invalid fax cid number: {number}",
        "pages_sent": 0,
        "fax_speed": 0,
        "fax_bad_rows": 0,
        "fax_error_correction": False,
        "fax_receiver_id": "",
        "error_message": f"invalid fax cid number: {number}",
    }


async def test_an_invalid_caller_id_fails_the_job_as_the_worker_does(client, kazoo, receiver):
    hook = {"name": "results", "hook": "notifications", "uri": receiver.url, "format": "json"}
    assert (await kazoo.put("/webhooks", hook)).status == 201
    job_id = (await kazoo.send(from_number="abc", pages=2)).data["id"]
    await advance(client, FIRST_ATTEMPT - 1)
    assert (await kazoo.get(f"/faxes/outgoing/{job_id}")).data["status"] == "negotiating"
    await advance(client, 1)

    assert_error(await kazoo.get(f"/faxes/outgoing/{job_id}"), 404, "bad_identifier")
    outbox_id = f"202601-{job_id}"
    fax = (await kazoo.get(f"/faxes/outbox/{outbox_id}")).data
    assert fax["folder"] == "outbox" and fax["attempts"] == 1 and fax["from_number"] == "abc"
    assert fax["_read_only"]["status"] == "failed"
    _refused(fax["tx_result"], "abc", FIRST_ATTEMPT)
    [row] = (await kazoo.get("/faxes/outbox")).data
    assert row["id"] == outbox_id and row["status"] == "failed" and row["from"] == "abc"
    _refused(row["tx_result"], "abc", FIRST_ATTEMPT)

    [payload] = receiver.bodies()
    assert payload["event_name"] == "outbound_fax_error" and payload["fax_id"] == outbox_id
    assert payload["fax_error"] == "invalid fax cid number: abc" and payload["caller_id_number"] == "abc"
    assert payload["fax_info"] == {"fax_hangup_code": 0}  # no call: notify_fields' sip:0, no cause
    assert "call_id" not in payload

    summary = await (await client.get(f"/_emulator/faxes/{job_id}")).json()
    assert summary["outcome"] == "invalid_number" and "caller id" in summary["rule"]


async def test_a_faxbox_caller_id_is_checked_on_every_attempt(client, kazoo, receiver):
    box = await kazoo.faxbox(
        caller_id="front desk", retries=2, notifications={"outbound": {"callback": {"url": receiver.url}}}
    )
    job_id = (await kazoo.send(f"/faxboxes/{box['id']}/faxes", from_number=None)).data["id"]
    await advance(client, FIRST_ATTEMPT)
    job = (await kazoo.get(f"/faxes/outgoing/{job_id}")).data
    assert job["status"] == "pending" and job["attempts"] == 1 and job["retry_after"] == 300
    _refused(job["tx_result"], "front desk", FIRST_ATTEMPT)
    assert receiver.received == []  # notified only once final
    await advance(client, 300 + 1 + 15)
    fax = (await kazoo.get(f"/faxes/outbox/202601-{job_id}")).data
    assert fax["_read_only"]["status"] == "failed" and fax["attempts"] == 2
    _refused(fax["tx_result"], "front desk", FIRST_ATTEMPT + 316)
    [payload] = receiver.bodies()
    assert (
        payload["event_name"] == "outbound_fax_error" and payload["fax_error"] == "invalid fax cid number: front desk"
    )


@pytest.mark.parametrize(("flag", "fails"), [(None, True), (True, True), ("true", True), (False, False), ("no", False)])
async def test_the_job_flag_ensure_valid_caller_id_gates_the_check(client, kazoo, flag, fails):
    job_id = (await kazoo.send(from_number="abc", ensure_valid_caller_id=flag)).data["id"]
    await advance(client, 60)
    tx = (await kazoo.get(f"/faxes/outbox/202601-{job_id}")).data["tx_result"]
    assert tx["success"] is not fails
    assert (tx["result_text"] == "invalid fax cid number: abc") is fails


@pytest.mark.parametrize("number", ["+14155550100", "14155550100", "4155550100", "+442071234567", "0114420712345"])
async def test_a_number_kazoo_can_reconcile_is_the_accounts_own(client, kazoo, number):
    job_id = (await kazoo.send(from_number=number)).data["id"]
    await advance(client, 60)
    tx = (await kazoo.get(f"/faxes/outbox/202601-{job_id}")).data["tx_result"]
    assert tx["success"] is True and tx["result_text"] == "OK"


@pytest.mark.parametrize("number", ["", "1", "555-0100", "+1 415 555 0100"])
async def test_a_number_kazoo_cannot_reconcile_is_no_accounts(client, kazoo, number):
    job_id = (await kazoo.send(from_number=number)).data["id"]
    await advance(client, 60)
    tx = (await kazoo.get(f"/faxes/outbox/202601-{job_id}")).data["tx_result"]
    assert tx["result_code"] == 400 and tx["result_text"] == f"invalid fax cid number: {number}"


async def test_a_declared_account_owns_only_the_numbers_it_lists(client):
    key = "k" * 64
    account = {"name": "acme", "api_key": key, "numbers": ["4155550100"]}
    response = await client.put("/_emulator/accounts/kazoo", json={"accounts": [account]})
    assert response.status == 200, await response.text()
    kazoo = Kazoo(client)
    auth = await kazoo.call("PUT", "/v2/api_auth", {"data": {"api_key": key}}, auth=False)
    kazoo.token, kazoo.account_id = auth.body["auth_token"], auth.data["account_id"]
    own = (await kazoo.send(from_number="+14155550100")).data["id"]  # the same number, normalised
    other = (await kazoo.send(from_number="+14155550199")).data["id"]
    await advance(client, 60)
    assert (await kazoo.get(f"/faxes/outbox/202601-{own}")).data["tx_result"]["success"] is True
    tx = (await kazoo.get(f"/faxes/outbox/202601-{other}")).data["tx_result"]
    assert tx["result_text"] == "invalid fax cid number: +14155550199"


def test_through_requests_a_job_from_abc_fails_and_a_valid_one_succeeds(crossbar):
    ids = {}
    for number in ("abc", "+14155550100"):
        response = send_as_requests_does(crossbar, {"from_number": number, "to_number": "+12125550100"})
        assert response.status_code == 201, response.text
        ids[number] = response.json()["data"]["id"]
    crossbar.emulator.client.advance(60)
    outbox = {row["from"]: row for row in crossbar.data("GET", "/faxes/outbox")}
    assert outbox["abc"]["id"] == f"202601-{ids['abc']}" and outbox["abc"]["status"] == "failed"
    assert outbox["abc"]["tx_result"]["result_code"] == 400
    assert outbox["abc"]["tx_result"]["result_text"] == "invalid fax cid number: abc"
    assert outbox["+14155550100"]["status"] == "completed"
    assert outbox["+14155550100"]["tx_result"]["success"] is True
