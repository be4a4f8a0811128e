"""Coverage of the vendor contract (core/coverage.py): what happened, against what could have."""

from __future__ import annotations

import json

from emulator.core.coverage import below, merge, render
from emulator.vendors import VENDORS
from tests.conftest import advance
from tests.vendors.callerip.test_flow import send_form, status_of


async def _coverage(client, **query) -> dict:
    response = await client.get("/_emulator/coverage", params=query)
    assert response.status == 200
    return await response.json()


def _covered(report: dict, vendor: str) -> dict[str, set[str]]:
    (entry,) = [v for v in report["vendors"] if v["vendor"] == vendor]
    return {kind: {i["item"] for i in found["items"] if i["count"]} for kind, found in entry["kinds"].items()}


async def test_a_known_subset_is_reported_as_exactly_that_subset(client):
    response = await client.post("/api/fax/send", data=send_form(number="2125550100"))
    uuid = (await response.json())["uuid"]
    await advance(client, 60)
    assert await status_of(client, uuid) == "Success"
    refused = await client.get("/api/fax/status", params={"token": "line-1", "uuid": "no-such-fax"})
    assert refused.status == 404
    covered = _covered(await _coverage(client), "callerip")
    assert covered["operations"] == {"send_fax", "fax_status"}
    assert covered["answers"] == {"404"}
    assert covered["statuses"] == {"Loading", "Converting", "Pending", "Sending", "Success"}
    assert covered["transitions"] == {
        "new -> Loading",
        "Loading -> Converting",
        "Converting -> Pending",
        "Pending -> Sending",
        "Sending -> Success",
    }
    assert covered["outcomes"] == {"success"}
    assert covered["inbound"] == set() and covered["webhooks"] == set()
    for other in ("faxplus", "kazoo", "imagicle"):
        assert all(not items for items in _covered(await _coverage(client), other).values())


async def test_the_universe_is_the_vendors_contracts_and_machines(client):
    report = await _coverage(client)
    for spec in VENDORS:
        (entry,) = [v for v in report["vendors"] if v["vendor"] == spec.name]
        kinds = {kind: [i["item"] for i in found["items"]] for kind, found in entry["kinds"].items()}
        assert kinds["operations"] == list(spec.operations)
        assert kinds["statuses"] == list(spec.machine.states)
        assert sorted(kinds["transitions"]) == sorted(f"{a or 'new'} -> {b}" for a, b in spec.machine.transitions())
        assert kinds["webhooks"] == list(spec.webhook_events)
        assert entry["covered"] == 0 and entry["total"] == sum(
            len(kinds[k]) for k in ("operations", "statuses", "outcomes", "webhooks")
        )


async def test_per_tenant_and_reset(client):
    await client.post("/api/fax/send", data=send_form(token="line-a"))
    await client.post("/api/fax/send", data=send_form(token="line-b", number="2125550001"))
    await advance(client, 60)
    a = _covered(await _coverage(client, vendor="callerip", tenant="line-a"), "callerip")
    b = _covered(await _coverage(client, vendor="callerip", tenant="line-b"), "callerip")
    assert a["outcomes"] == {"success"} and b["outcomes"] == {"busy"}
    bad = await client.get("/_emulator/coverage", params={"vendor": "nope"})
    assert bad.status == 400
    await client.post("/_emulator/reset", json={})
    assert (await _coverage(client))["covered"] == 0


async def test_reports_merge_render_and_thresholds(client):
    await client.post("/api/fax/send", data=send_form())
    first = await _coverage(client)
    await client.post("/_emulator/reset", json={})
    await client.post("/api/fax/send", data=send_form(number="2125550001"))
    await advance(client, 60)
    second = await _coverage(client)
    merged = merge([first, second])
    assert merged is not None and merge([]) is None
    assert _covered(merged, "callerip")["operations"] == {"send_fax"}
    (send,) = [i for i in merged["vendors"][0]["kinds"]["operations"]["items"] if i["item"] == "send_fax"]
    assert send["count"] == 2
    assert merged["covered"] == first["covered"] + second["covered"] - 2  # send_fax and Loading: once each
    table = render(merged)
    assert "CallerIP:" in table and "not covered: fax_status" in table
    markdown = render(merged, "markdown")
    assert markdown.startswith("## Fax provider coverage") and "| outcomes |" in markdown
    assert json.loads(render(merged, "json"))["percent"] == merged["percent"]
    assert below(merged, ["100"]) and below(merged, ["callerip:100"]) and not below(merged, ["callerip:1"])
    assert below(merged, ["nobody:5"]) == [
        "nobody: no such vendor in the report (expected one of callerip, faxplus, imagicle, kazoo)"
    ]
