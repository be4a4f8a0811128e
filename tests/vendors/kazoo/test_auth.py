"""Crossbar authentication: tokens, account scoping, expiry on the emulator clock (kazoo.md §2)."""

from __future__ import annotations

from tests.conftest import advance
from tests.vendors.kazoo.conftest import Kazoo, assert_error


async def test_user_auth_returns_a_token_and_the_account_in_the_envelope(client):
    api = Kazoo(client)
    reply = await api.login(account="acme")
    body = reply.body
    assert body["status"] == "success" and body["auth_token"]
    assert len(body["request_id"]) == 32 and body["timestamp"] == "2026-01-01T00:00:00Z"
    data = body["data"]
    assert len(data["account_id"]) == 32 and int(data["account_id"], 16) >= 0
    assert data["account_name"] == "acme" and data["is_reseller"] is False and data["apps"] == []
    assert reply.headers["X-Request-ID"] == body["request_id"]


async def test_the_same_credentials_reach_the_same_account_and_others_do_not(client):
    first, again, other = Kazoo(client), Kazoo(client), Kazoo(client)
    await first.login(account="acme", password="secret")
    await again.login(account="ACME", password="secret")
    await other.login(account="acme", password="another")
    assert first.account_id == again.account_id != other.account_id
    assert first.token != again.token


async def test_api_auth_takes_a_64_character_key(client):
    api = Kazoo(client)
    reply = await api.call("PUT", "/v2/api_auth", {"data": {"api_key": "k" * 64}}, auth=False)
    assert reply.status == 201 and reply.data["account_id"] and reply.body["auth_token"]
    short = await api.call("PUT", "/v2/api_auth", {"data": {"api_key": "short"}}, auth=False)
    assert_error(short, 400, "validation error")
    assert short.data["api_key"]["minLength"] == {
        "message": "String must be at least 64 characters",
        "target": 64,
        "cause": "short",
        "value": "short",
    }


async def test_user_auth_validates_its_body(client):
    reply = await Kazoo(client).call("PUT", "/v2/user_auth", {"data": {"account_name": "acme"}}, auth=False)
    assert_error(reply, 400, "validation error")
    assert reply.data == {
        "credentials": {"required": {"message": "Field is required but missing", "value": "credentials"}}
    }


async def test_request_id_sent_by_the_client_is_echoed(kazoo):
    reply = await kazoo.get("/faxboxes", headers={"X-Request-ID": "my-request-1"})
    assert reply.body["request_id"] == "my-request-1" and reply.headers["X-Request-ID"] == "my-request-1"


async def test_missing_and_unknown_tokens_get_the_401_envelope(kazoo):
    missing = await kazoo.call("GET", kazoo.url("/faxboxes"), auth=False)
    assert_error(missing, 401, "invalid_credentials")
    assert missing.data == {"message": "invalid credentials"} and "auth_token" not in missing.body
    unknown = await kazoo.call("GET", kazoo.url("/faxboxes"), auth=False, headers={"X-Auth-Token": "nope"})
    assert_error(unknown, 401, "invalid_credentials")
    assert unknown.body["auth_token"] == "nope"


async def test_a_token_works_as_bearer_or_query_parameter(kazoo):
    bearer = await kazoo.call(
        "GET", kazoo.url("/faxboxes"), auth=False, headers={"Authorization": f"Bearer {kazoo.token}"}
    )
    query = await kazoo.call("GET", kazoo.url("/faxboxes"), auth=False, params={"auth_token": kazoo.token})
    assert bearer.status == query.status == 200


async def test_another_accounts_id_in_the_path_is_forbidden(client, kazoo):
    other = Kazoo(client)
    await other.login(account="globex")
    box = await other.faxbox()
    reply = await kazoo.call("GET", f"/v2/accounts/{other.account_id}/faxboxes/{box['id']}")
    assert_error(reply, 403, "forbidden")
    assert reply.data == {"message": "forbidden"}
    sneaky = await kazoo.call("PUT", f"/v2/accounts/{other.account_id}/faxboxes", {"data": {"name": "x"}})
    assert sneaky.status == 403
    assert (await other.get("/faxboxes")).body["page_size"] == 1


async def test_a_malformed_account_id_is_a_bad_identifier(kazoo):
    reply = await kazoo.call("GET", "/v2/accounts/not-an-account/faxboxes")
    assert reply.status == 404 and reply.data == {"message": "invalid account_id 'not-an-account'"}


async def test_tokens_expire_after_an_hour_of_emulator_time(client, kazoo):
    await advance(client, 3599)
    assert (await kazoo.get("/faxboxes")).status == 200
    await advance(client, 1)
    assert_error(await kazoo.get("/faxboxes"), 401, "invalid_credentials")
    await kazoo.login()  # a new token works again, on the same account
    assert (await kazoo.get("/faxboxes")).status == 200


async def test_method_and_path_errors_come_before_authentication(kazoo):
    wrong_method = await kazoo.call("DELETE", kazoo.url("/faxboxes"), auth=False)
    assert_error(wrong_method, 405, "invalid_method")
    assert set(wrong_method.headers["Allow"].split(",")) == {"GET", "PUT"}
    unknown = await kazoo.call("GET", "/v2/nothing/here", auth=False)
    assert_error(unknown, 404, "not_found")


async def test_every_kind_of_answer_carries_its_request_id_in_x_request_id(client, kazoo):
    """Crossbar sets X-Request-ID on every answer: successes, listings, refusals, routing
    errors and raw attachments alike; a JSON answer's header matches its envelope."""
    box = await kazoo.faxbox(caller_id="+14155550199")
    inbound = await client.post(
        "/_emulator/inbound", json={"vendor": "kazoo", "from": "+13125550100", "to": "+14155550199"}
    )
    fax_id = (await inbound.json())["id"]
    answers = {
        "created": await kazoo.put("/faxboxes", {"name": "Back office"}),
        "read": await kazoo.get(f"/faxboxes/{box['id']}"),
        "listing": await kazoo.get("/faxes/inbox"),
        "refused": await kazoo.call("GET", kazoo.url("/faxboxes"), auth=False),
        "unrouted": await kazoo.get("/no-such-collection"),
        "wrong method": await kazoo.call("POST", kazoo.url("/faxes/outgoing"), {"data": {}}),
        "attachment": await kazoo.get(f"/faxes/inbox/{fax_id}/attachment"),
    }
    for kind, reply in answers.items():
        request_id = reply.headers.get("X-Request-ID")
        assert request_id and len(request_id) == 32, kind
        if kind != "attachment":
            assert reply.body["request_id"] == request_id, kind
    assert [answers[k].status for k in ("created", "refused", "unrouted", "wrong method", "attachment")] == [
        201,
        401,
        404,
        405,
        200,
    ]
    assert set(answers["wrong method"].headers["Allow"].split(",")) >= {"GET"}
    assert len({reply.headers["X-Request-ID"] for reply in answers.values()}) == len(answers)


async def test_a_token_is_forgotten_with_its_account_when_the_emulator_is_reset(client, kazoo):
    assert (await kazoo.get("/faxboxes")).status == 200  # the token is remembered now
    assert (await client.post("/_emulator/reset", json={})).status == 200
    assert_error(await kazoo.get("/faxboxes"), 401, "invalid_credentials")
    await kazoo.login()
    assert (await kazoo.get("/faxboxes")).status == 200
