"""POST/GET/DELETE /_emulator/scenario, per-tenant isolation, and the journal's rule."""

from __future__ import annotations

import json

from tests.conftest import advance
from tests.scenarios.test_faults_http import send_form

OUTAGE = """
name: outage
rules:
  - {name: down, match: {operation: fax_status}, fault: {status: 503}}
"""


async def status(client, token: str) -> int:
    return (await client.get("/api/fax/status", params={"token": token, "uuid": "u"})).status


async def test_post_yaml_then_get_then_delete(client):
    response = await client.post("/_emulator/scenario", data=OUTAGE)
    assert response.status == 200
    body = await response.json()
    assert body["active"] and body["scenario"]["name"] == "outage" and body["notes"] == []
    assert await status(client, "a") == 503
    shown = await (await client.get("/_emulator/scenario")).json()
    assert shown["scenario"]["rules"] == [{"label": "down", "times": None, "matched": 1, "used": 1}]
    assert shown["scenario"]["document"]["rules"][0]["fault"] == {"status": 503}
    assert (await client.delete("/_emulator/scenario")).status == 200
    assert await status(client, "a") == 404
    assert (await (await client.get("/_emulator/scenario")).json())["active"] is False


async def test_post_json(client):
    document = {"name": "j", "rules": [{"match": {"operation": "fax_status"}, "fault": {"status": 502}}]}
    response = await client.post(
        "/_emulator/scenario", data=json.dumps(document), headers={"Content-Type": "application/json"}
    )
    assert response.status == 200
    assert await status(client, "a") == 502


async def test_posting_replaces_the_active_scenario(client):
    await client.post("/_emulator/scenario", data=OUTAGE)
    await client.post("/_emulator/scenario", data="name: calm")
    assert await status(client, "a") == 404


async def test_an_invalid_scenario_is_refused_with_lines_and_paths(client):
    await client.post("/_emulator/scenario", data=OUTAGE)
    bad = "name: bad\nrules:\n  - match: {to: 5}\n    outcome: bsy\n"
    response = await client.post("/_emulator/scenario", data=bad)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == "invalid_scenario"
    problems = error["detail"]["problems"]
    assert [(p["line"], p["path"]) for p in problems] == [(3, "rules #1 > match > to"), (4, "rules #1 > outcome")]
    assert all(p["source"] == "POST /_emulator/scenario" for p in problems)
    assert await status(client, "a") == 503  # the old scenario is still in force


async def test_a_different_clock_is_a_conflict(client):
    response = await client.post("/_emulator/scenario", data="clock: {mode: real, speed: 60}")
    assert response.status == 409
    same = await client.post("/_emulator/scenario", data="clock: {mode: manual, start: '2030-01-01T00:00:00Z'}")
    assert same.status == 200
    assert (await same.json())["notes"] == ["clock.start applies when serving; ignored here"]


async def test_tenant_scenarios_are_isolated(client):
    for tenant in ("test-a", "test-b"):
        text = f"rules: [{{name: {tenant}, match: {{operation: fax_status}}, fault: {{status: 500}}, times: 1}}]"
        response = await client.post("/_emulator/scenario", params={"vendor": "callerip", "tenant": tenant}, data=text)
        assert response.status == 200
    assert [await status(client, t) for t in ("test-a", "test-a", "test-b", "test-c")] == [500, 404, 500, 404]
    shown = await (await client.get("/_emulator/scenario", params={"vendor": "callerip", "tenant": "test-a"})).json()
    assert shown["scenario"]["rules"][0]["used"] == 1
    assert [t["tenant"] for t in shown["tenants"]] == ["test-a", "test-b"]
    await client.delete("/_emulator/scenario", params={"vendor": "callerip", "tenant": "test-a"})
    shown = await (await client.get("/_emulator/scenario")).json()
    assert [t["tenant"] for t in shown["tenants"]] == ["test-b"]


async def test_a_tenant_scenario_cannot_declare_accounts(client):
    response = await client.post(
        "/_emulator/scenario", params={"vendor": "callerip", "tenant": "x"}, data="accounts: {callerip: [{token: a}]}"
    )
    assert response.status == 400
    assert "not to one tenant" in (await response.json())["error"]["message"]


async def test_tenant_query_needs_both_and_a_known_vendor(client):
    assert (await client.get("/_emulator/scenario", params={"vendor": "callerip"})).status == 400
    assert (await client.get("/_emulator/scenario", params={"vendor": "nope", "tenant": "x"})).status == 400


async def test_declared_accounts_apply_and_go_with_the_scenario(client):
    text = "accounts: {callerip: [{token: alpha, line: l1}, {token: beta, line: l1}]}"
    assert (await client.post("/_emulator/scenario", data=text)).status == 200
    sent = await client.post("/api/fax/send", data=send_form("alpha"))
    uuid = (await sent.json())["uuid"]
    assert (await client.get("/api/fax/status", params={"token": "beta", "uuid": uuid})).status == 200
    assert (await client.post("/api/fax/send", data=send_form("gamma"))).status == 401
    await client.delete("/_emulator/scenario")
    assert (await client.post("/api/fax/send", data=send_form("gamma"))).status == 200


async def test_the_journal_names_the_rule_for_faults_and_for_outcomes(client):
    await client.post(
        "/_emulator/scenario",
        data="""
rules:
  - {name: busy line, match: {to: "2125550100"}, outcome: busy}
  - {name: slow polls, match: {operation: fax_status}, fault: {latency: 0.001}}
""",
    )
    await client.post("/api/fax/send", data=send_form())
    await client.post("/api/fax/send", data=send_form(number="2125550001"))
    await client.post("/api/fax/send", data=send_form(number="2125550123"))
    await status(client, "line-1")
    await advance(client, 1)
    entries = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert [(e["rule"], e["fault"]) for e in entries] == [
        ("busy line", None),
        ("magic number *5550001 (always busy)", None),
        (None, None),
        ("slow polls", "latency 0.001s"),
    ]


async def test_serve_loads_scenarios_from_the_config(make_client, tmp_path):
    path = tmp_path / "outage.yaml"
    path.write_text(OUTAGE)
    client = await make_client(scenarios=(str(path),))
    assert await status(client, "a") == 503
