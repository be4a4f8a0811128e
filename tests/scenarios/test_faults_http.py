"""Every fault type, as a real HTTP client sees it (aiohttp client, real TCP server)."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from emulator.core.documents import make_pdf
from tests.conftest import runtime_of


def send_form(token: str = "line-1", number: str = "2125550100") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("token", token)
    form.add_field("number", number)
    form.add_field("file", make_pdf(1), filename="fax.pdf", content_type="application/pdf")
    return form


async def journal(client) -> list[dict]:
    return (await (await client.get("/_emulator/requests")).json())["requests"]


async def test_status_fault_uses_the_vendors_error_body_and_stores_nothing(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {name: down, match: {operation: send_fax}, fault: {status: 503, message: try later}}
""")
    response = await client.post("/api/fax/send", data=send_form())
    assert response.status == 503
    assert await response.json() == {"error": "try later"}  # CallerIP's own shape
    assert runtime_of(client).store.all_faxes() == []
    entry = (await journal(client))[-1]
    assert (entry["status"], entry["rule"], entry["fault"]) == (503, "down", "status 503")


async def test_other_vendors_render_their_own_body(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {vendor: fake}, fault: {status: 502}}
""")
    response = await client.get("/fake/faxes/x", headers={"X-Token": "t"})
    assert response.status == 502
    assert (await response.json())["fault"]["code"] == "internal_error"


async def test_429_carries_retry_after(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {operation: fax_status}, fault: {retry_after: 17}}
""")
    response = await client.get("/api/fax/status", params={"token": "t", "uuid": "u"})
    assert response.status == 429
    assert response.headers["Retry-After"] == "17"
    assert await response.json() == {"error": "too many requests"}


async def test_times_limits_how_often_a_fault_acts(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {operation: fax_status}, fault: {status: 500}, times: 2}
""")
    statuses = []
    for _ in range(4):
        response = await client.get("/api/fax/status", params={"token": "t", "uuid": "u"})
        statuses.append(response.status)
    assert statuses == [500, 500, 404, 404]


async def test_reset_before_drops_the_connection_and_stores_nothing(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {operation: send_fax}, fault: {reset: before}}
""")
    with pytest.raises(aiohttp.ClientConnectionError):
        await client.post("/api/fax/send", data=send_form())
    assert runtime_of(client).store.all_faxes() == []
    entry = (await journal(client))[-1]
    assert (entry["status"], entry["fault"]) == (444, "reset before")


async def test_reset_after_processes_the_request_but_the_client_sees_a_reset(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {operation: send_fax}, fault: {reset: after}}
""")
    with pytest.raises(aiohttp.ClientConnectionError):
        await client.post("/api/fax/send", data=send_form())
    faxes = runtime_of(client).store.all_faxes()
    assert len(faxes) == 1
    assert (await journal(client))[-1]["fax_ids"] == [faxes[0].id]


async def test_truncated_body_stops_half_way(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {operation: send_fax}, fault: {body: truncated}}
""")
    response = await client.post("/api/fax/send", data=send_form())
    assert response.status == 200
    with pytest.raises(aiohttp.ClientPayloadError):
        await response.read()
    assert len(runtime_of(client).store.all_faxes()) == 1


async def test_malformed_body_is_complete_but_not_json(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {operation: send_fax}, fault: {body: malformed}}
""")
    response = await client.post("/api/fax/send", data=send_form())
    assert response.status == 200
    assert response.content_type == "application/json"
    raw = await response.read()
    assert raw and raw.startswith(b'{"uuid"')
    with pytest.raises(ValueError):
        json.loads(raw)


async def test_empty_body_keeps_status_and_type(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {operation: fax_status}, fault: {status: 503, body: empty}}
""")
    response = await client.get("/api/fax/status", params={"token": "t", "uuid": "u"})
    assert response.status == 503
    assert await response.read() == b""


async def test_latency_trips_a_client_timeout_without_moving_the_emulated_clock(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {operation: fax_status}, fault: {latency: 0.3}, times: 1}
""")
    before = runtime_of(client).now()
    with pytest.raises(asyncio.TimeoutError):
        await client.get(
            "/api/fax/status", params={"token": "t", "uuid": "u"}, timeout=aiohttp.ClientTimeout(total=0.05)
        )
    response = await client.get("/api/fax/status", params={"token": "t", "uuid": "u"})
    assert response.status == 404  # the rule was used once: the normal answer
    assert runtime_of(client).now() == before


async def test_latency_range_is_drawn_from_the_seed(make_scenario_client):
    text = """
seed: 5
rules:
  - {match: {operation: fax_status}, fault: {latency: [0.01, 0.03]}}
"""
    runs = []
    for _ in range(2):
        client = await make_scenario_client(text)
        for _ in range(3):
            await client.get("/api/fax/status", params={"token": "t", "uuid": "u"})
        runs.append([e["fault"] for e in await journal(client)])
    assert runs[0] == runs[1]
    assert len(set(runs[0])) == 3
    assert all(f.startswith("latency 0.01-0.03s (drew 0.0") for f in runs[0])


async def test_a_tenant_fault_acts_after_authentication(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {name: b is down, match: {tenant: line-b}, fault: {status: 500}}
  - {name: everyone else slow, match: {operation: fax_status}, fault: {status: 418}}
""")
    unauthenticated = await client.get("/api/fax/status", params={"uuid": "u"})
    assert unauthenticated.status == 401  # the tenant never became known: no rule acted
    b = await client.get("/api/fax/status", params={"token": "line-b", "uuid": "u"})
    a = await client.get("/api/fax/status", params={"token": "line-a", "uuid": "u"})
    assert (b.status, a.status) == (500, 418)
    b_send = await client.post("/api/fax/send", data=send_form("line-b"))
    assert b_send.status == 500 and runtime_of(client).store.all_faxes() == []


async def test_a_tenant_fault_on_a_vendor_with_middleware_auth(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {tenant: "bad-*"}, fault: {status: 503}}
""")
    bad = await client.post("/fake/faxes", json={"to": "1"}, headers={"X-Token": "bad-1"})
    good = await client.post("/fake/faxes", json={"to": "1"}, headers={"X-Token": "good"})
    assert (bad.status, good.status) == (503, 201)


async def test_a_destination_fault_acts_when_the_fax_is_submitted(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {name: no toronto, match: {operation: send_fax, to: "416*"}, fault: {status: 400, message: bad number}}
""")
    refused = await client.post("/api/fax/send", data=send_form(number="4165550100"))
    accepted = await client.post("/api/fax/send", data=send_form(number="2125550100"))
    assert (refused.status, await refused.json()) == (400, {"error": "bad number"})
    assert accepted.status == 200
    assert [f.to for f in runtime_of(client).store.all_faxes()] == ["2125550100"]


async def test_header_match_is_case_insensitive(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {header: {x-chaos: {regex: "on|yes"}}}, fault: {status: 500}}
""")
    on = await client.get("/api/fax/status", params={"token": "t", "uuid": "u"}, headers={"X-CHAOS": "on"})
    off = await client.get("/api/fax/status", params={"token": "t", "uuid": "u"}, headers={"X-Chaos": "no"})
    absent = await client.get("/api/fax/status", params={"token": "t", "uuid": "u"})
    assert (on.status, off.status, absent.status) == (500, 404, 404)
