"""Scenario status faults on Kazoo: Crossbar's whole error envelope, whenever the fault fires.

A fault may stop a request before the Kazoo middleware has run (a rule on the operation)
or inside it (a rule on the tenant, once the token is checked); either way the answer
echoes the request's id and token, as every Crossbar answer does (kazoo.md §3, §4).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.vendors.kazoo.conftest import Kazoo


async def _scenario(client: TestClient, *rules: dict[str, Any]) -> None:
    response = await client.post("/_emulator/scenario", json={"name": "kazoo faults", "rules": list(rules)})
    assert response.status == 200, await response.text()


def _envelope(body: dict[str, Any], status: int) -> None:
    assert body["error"] == str(status)
    assert body["status"] == ("fatal" if status >= 503 else "error")
    assert {"data", "message", "request_id", "node", "timestamp", "version"} <= set(body)


async def test_a_fault_before_the_vendor_runs_echoes_the_request_id_and_token(client, kazoo: Kazoo):
    await _scenario(
        client,
        {
            "name": "outage",
            "match": {"vendor": "kazoo", "operation": "list_faxboxes"},
            "fault": {"status": 503, "message": "datastore fatal error"},
        },
    )
    reply = await kazoo.get("/faxboxes", headers={"X-Request-ID": "req-42"})
    assert reply.status == 503
    _envelope(reply.body, 503)
    assert reply.body["message"] == "datastore_unreachable"
    assert reply.body["data"] == {"message": "datastore fatal error"}
    assert reply.body["request_id"] == "req-42" and reply.headers["X-Request-ID"] == "req-42"
    assert reply.body["auth_token"] == kazoo.token


async def test_a_fault_on_the_tenant_fires_inside_the_middleware_with_the_same_envelope(client, kazoo: Kazoo):
    await _scenario(
        client,
        {"name": "this account is throttled", "match": {"tenant": kazoo.account_id}, "fault": {"retry_after": 30}},
    )
    reply = await kazoo.get("/faxes/outgoing")
    assert reply.status == 429
    _envelope(reply.body, 429)
    assert reply.body["message"] == "too_many_requests"
    assert reply.body["data"] == {"message": "too many requests"}
    assert reply.headers["Retry-After"] == "30"
    assert re.fullmatch(r"[0-9a-f]{32}", reply.body["request_id"])
    assert reply.headers["X-Request-ID"] == reply.body["request_id"]
    assert reply.body["auth_token"] == kazoo.token


async def test_without_a_token_the_envelope_has_no_auth_token(client, kazoo: Kazoo):
    await _scenario(client, {"match": {"operation": "user_auth"}, "fault": {"status": 503}})
    reply = await kazoo.call(
        "PUT", "/v2/user_auth", {"data": {"credentials": "x" * 32, "account_name": "acme"}}, auth=False
    )
    assert reply.status == 503
    _envelope(reply.body, 503)
    assert "auth_token" not in reply.body
    assert reply.body["data"] == {"message": "datastore timeout"}  # Crossbar's text when the fault gives none
    assert reply.headers["X-Request-ID"] == reply.body["request_id"]


async def test_a_status_crossbar_has_no_code_for_is_an_ad_hoc_error(client, kazoo: Kazoo):
    await _scenario(client, {"match": {"operation": "create_fax"}, "fault": {"status": 500, "message": "boom"}})
    reply = await kazoo.send()
    assert reply.status == 500
    _envelope(reply.body, 500)
    assert (reply.body["message"], reply.body["data"]) == ("boom", {"message": "boom"})
    faxes = await (await client.get("/_emulator/faxes", params={"vendor": "kazoo"})).json()
    assert faxes["faxes"] == []  # a status fault stops the request before anything is stored
