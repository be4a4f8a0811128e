"""Scenario ``inbound``: faxes that arrive at given clock times."""

from __future__ import annotations

import pytest

from emulator.core.documents import make_pdf
from emulator.core.scenarios.load import load_files
from emulator.core.scenarios.problems import ScenarioError
from tests.conftest import START, advance, runtime_of
from tests.scenarios.conftest import ALL
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
        "2026-01-01T00:01:00.000Z",
        "2026-01-01T00:01:10.000Z",
        "2026-01-01T00:01:20.000Z",
    ]
    assert {(f["tenant"], f["from"], f["to"], f["pages"], f["status"]) for f in faxes} == {
        ("office", "+15550199", "+15550100", 3, "received")
    }


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


async def test_an_inbound_fax_carries_the_document_the_scenario_names(make_scenario_client, tmp_path):
    tmp_path.joinpath("scan.pdf").write_bytes(make_pdf(2))
    tmp_path.joinpath("inbound.yaml").write_text(
        'inbound:\n  - {vendor: fake, to: "1", from: "2", tenant: office, document: scan.pdf, at: 1}\n'
    )
    client = await make_scenario_client()
    runtime = runtime_of(client)
    runtime.scenarios.apply(load_files([str(tmp_path / "inbound.yaml")], runtime.vendors))
    await advance(client, 1)
    [fax] = await inbound(client)
    assert fax["pages"] == 2 and fax["documents"][0]["filename"] == "scan.pdf"


async def test_a_scenario_naming_a_missing_document_is_refused(tmp_path):
    tmp_path.joinpath("inbound.yaml").write_text(
        'inbound:\n  - {vendor: fake, to: "1", from: "2", document: nowhere.pdf}\n'
    )
    with pytest.raises(ScenarioError) as refused:
        load_files([str(tmp_path / "inbound.yaml")], {v.name: v for v in ALL})
    [problem] = refused.value.problems
    assert problem.path == ("inbound", 0, "document") and "nowhere.pdf" in problem.message


async def test_without_a_document_an_inbound_fax_carries_a_letter(make_scenario_client):
    client = await make_scenario_client('inbound:\n  - {vendor: fake, to: "1", from: "2", pages: 2}\n')
    await advance(client, 0)
    [fax] = await inbound(client)
    assert (fax["pages"], fax["documents"][0]["kind"], fax["documents"][0]["filename"]) == (2, "text", "letter.txt")
