"""Scenario ``inbound``: faxes that arrive at given clock times."""

from __future__ import annotations

from tests.conftest import START, advance, runtime_of
from tests.scenarios.fake import NAME


async def inbound(client) -> list[dict]:
    query = {"vendor": NAME, "direction": "inbound"}
    return (await (await client.get("/_emulator/faxes", params=query)).json())["faxes"]


async def test_a_burst_arrives_on_time(make_scenario_client):
    client = await make_scenario_client("""
inbound:
  - {vendor: fake, to: "+15550100", from: "+15550199", tenant: office, pages: 3, at: 60, count: 3, every: 10}
""")
    await advance(client, 59)
    assert await inbound(client) == []
    await advance(client, 1)
    assert len(await inbound(client)) == 1
    await advance(client, 20)
    faxes = await inbound(client)
    assert [f["created_at"] for f in faxes] == [
        "2026-01-01T00:01:00.000Z", "2026-01-01T00:01:10.000Z", "2026-01-01T00:01:20.000Z"]
    assert {(f["tenant"], f["from"], f["to"], f["pages"], f["status"]) for f in faxes} == {
        ("office", "+15550199", "+15550100", 3, "received")}


async def test_an_absolute_time(make_scenario_client):
    client = await make_scenario_client("""
inbound:
  - {vendor: fake, to: "1", from: "2", at: "2026-01-01T00:10:00Z"}
""")
    await advance(client, 599)
    assert await inbound(client) == []
    await advance(client, 1)
    assert len(await inbound(client)) == 1


async def test_replacing_the_scenario_cancels_arrivals_still_to_come(make_scenario_client):
    client = await make_scenario_client("""
inbound:
  - {vendor: fake, to: "1", from: "2", at: 10, count: 5, every: 10}
""")
    await advance(client, 25)
    assert (await client.delete("/_emulator/scenario")).status == 200
    await advance(client, 100)
    assert len(await inbound(client)) == 2
    assert not runtime_of(client).scheduler.errors


async def test_a_tenant_scenario_brings_faxes_to_its_tenant(make_scenario_client):
    client = await make_scenario_client()
    body = "inbound: [{vendor: fake, to: '1', from: '2', at: 5}]"
    response = await client.post("/_emulator/scenario", params={"vendor": NAME, "tenant": "desk"}, data=body)
    assert response.status == 200
    await advance(client, 5)
    assert [f["tenant"] for f in await inbound(client)] == ["desk"]
    assert runtime_of(client).now() == START + 5
