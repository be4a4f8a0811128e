"""GET /_emulator/events: server-sent events of faxes, webhooks, requests, violations, the clock."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from emulator.core.webhooks import RetryPolicy
from tests.conftest import START, advance, runtime_of
from tests.vendors.callerip.test_flow import send_form
from tests.vendors.faxplus import raw as faxplus

READ_TIMEOUT = 10.0  # a safety net for a broken stream, never a wait for a state


async def open_stream(client, **query: str):
    response = await client.get("/_emulator/events", params=query)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/event-stream")
    return response


async def read(response, count: int) -> list[dict[str, Any]]:
    """The next ``count`` messages of an SSE stream, as {"id", "event", "data"}."""
    found: list[dict[str, Any]] = []
    message: dict[str, Any] = {}
    while len(found) < count:
        line = (await asyncio.wait_for(response.content.readline(), READ_TIMEOUT)).decode().rstrip("\n")
        if not line:
            if "event" in message:
                found.append(message)
            message = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            message[name] = orjson.loads(value) if name == "data" else value
    return found


async def test_a_fax_from_submission_to_its_end(client):
    stream = await open_stream(client, type="fax")
    uuid = (await (await client.post("/api/fax/send", data=send_form())).json())["uuid"]
    await client.post("/_emulator/clock/run-until-idle")
    events = await read(stream, 5)
    assert [e["event"] for e in events] == ["fax"] * 5
    assert [e["data"]["change"]["to"] for e in events] == ["Loading", "Converting", "Pending", "Sending", "Success"]
    assert events[0]["data"]["change"]["from"] is None
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids) and len(set(ids)) == 5
    last = events[-1]["data"]
    assert last["id"] == uuid and last["vendor"] == "callerip" and last["tenant"] == "line-1"
    assert last["vendor_status"] == "Success" and last["outcome"] == "success" and last["terminal"]
    # the same neutral summary as the control API's fax list shows
    shown = (await (await client.get("/_emulator/faxes", params={"view": "summary"})).json())["faxes"]
    assert {k: v for k, v in last.items() if k not in ("version", "vendor_status", "change")} == shown[0]
    versions = [e["data"]["version"] for e in events]
    assert versions == sorted(versions) and len(set(versions)) == 5  # each change counted


async def test_a_change_that_is_no_transition_is_a_fax_event_too(client):
    """An edit (here FAX.PLUS's outbox comment) publishes the fax as it is now, with no change of
    status: the web UI and ``wait_for`` see every change ``Store.changed`` counts."""
    path = await faxplus.upload(client, token="events")
    body = {"from": await faxplus.my_number(client, "events"), "to": ["+12125550100"], "files": [path]}
    status, sent = await faxplus.call(
        client, "POST", "/accounts/self/outbox", token="events", json={**body, "return_ids": True}
    )
    assert status == 201
    outbox_id = sent["ids"]["+12125550100"]
    stream = await open_stream(client, type="fax", vendor="faxplus")
    await faxplus.call(client, "PUT", f"/accounts/self/outbox/{outbox_id}", token="events", json={"comment": "edited"})
    (event,) = await read(stream, 1)
    fax = runtime_of(client).store.get(outbox_id)
    assert event["data"]["id"] == fax.id and event["data"]["change"] is None
    assert event["data"]["vendor_status"] == fax.status  # as it was: the comment changed, not the status
    assert event["data"]["version"] == fax.version


async def test_requests_violations_and_the_clock(client):
    stream = await open_stream(client, type="request,violation,clock")
    await client.post("/api/fax/send", data=send_form(number=""))  # refused: a contract violation
    await advance(client, 30)
    events = await read(stream, 3)
    kinds = sorted(e["event"] for e in events)
    assert kinds == ["clock", "request", "violation"]
    request = next(e["data"] for e in events if e["event"] == "request")
    journal = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert request == journal[-1] and request["operation"] == "send_fax"
    violation = next(e["data"] for e in events if e["event"] == "violation")
    assert violation["vendor"] == "callerip" and violation["kind"] == "request"
    clock = next(e["data"] for e in events if e["event"] == "clock")
    assert clock == {"mode": "manual", "now": START + 30, "advanced": 30, "actions_run": 0}


async def test_filters_by_vendor_tenant_and_fax(client):
    by_tenant = await open_stream(client, type="fax", tenant="line-2")
    first = (await (await client.post("/api/fax/send", data=send_form(token="line-1"))).json())["uuid"]
    second = (await (await client.post("/api/fax/send", data=send_form(token="line-2"))).json())["uuid"]
    by_fax = await open_stream(client, fax_id=first, type="fax")
    by_vendor = await open_stream(client, vendor="faxplus", type="fax,clock")
    await advance(client, 1)
    assert {e["data"]["id"] for e in await read(by_tenant, 2)} == {second}  # created, then converting
    assert [e["data"]["id"] for e in await read(by_fax, 1)] == [first]
    assert [e["event"] for e in await read(by_vendor, 1)] == ["clock"]  # no FAX.PLUS fax moved


async def test_webhook_attempts(client, receiver):
    stream = await open_stream(client, type="webhook")
    dispatcher = runtime_of(client).dispatcher
    receiver.fail_next = 1
    delivery = dispatcher.deliver(
        vendor="callerip",
        tenant="t",
        event="e",
        url=receiver.url,
        body=b"{}",
        fax_id="f1",
        policy=RetryPolicy(attempts=2, delay=60),
    )
    await client.post("/_emulator/clock/run-until-idle")
    failed, delivered = (e["data"] for e in await read(stream, 2))
    assert failed == {
        "id": delivery.id,
        "fax_id": "f1",
        "vendor": "callerip",
        "tenant": "t",
        "event": "e",
        "target": receiver.url,
        "attempt": 1,
        "status": 500,
        "error": None,
        "outcome": "pending",
        "reason": None,
        "next_retry": START + 60,
        "rule": None,
        "copy_of": None,
        "redelivery_of": None,
    }
    assert (delivered["attempt"], delivered["status"], delivered["outcome"], delivered["next_retry"]) == (
        2,
        200,
        "delivered",
        None,
    )


async def test_scenario_and_reset(client):
    stream = await open_stream(client, type="scenario,reset")
    body = "name: quiet\nrules: []\n"
    assert (await client.post("/_emulator/scenario", data=body)).status == 200
    await client.delete("/_emulator/scenario")
    await client.post("/_emulator/reset", json={"vendor": "callerip"})
    applied, removed, reset = await read(stream, 3)
    assert (applied["event"], applied["data"]["active"], applied["data"]["scenario"]["name"]) == (
        "scenario",
        True,
        "quiet",
    )
    assert (removed["event"], removed["data"]["active"]) == ("scenario", False)
    assert reset == {
        "id": reset["id"],
        "event": "reset",
        "data": {"vendor": "callerip", "tenant": None, "faxes_dropped": 0},
    }


async def test_a_reconnecting_client_learns_whether_it_missed_events(client):
    listening = await open_stream(client, type="clock")
    first = await open_stream(client, type="clock")
    await advance(client, 1)
    (seen,) = await read(first, 1)
    first.close()
    # another client listened all along and nothing happened: nothing was missed
    again = await client.get("/_emulator/events", params={"type": "clock"}, headers={"Last-Event-ID": seen["id"]})
    await advance(client, 1)
    assert [e["event"] for e in await read(again, 1)] == ["clock"]
    # nobody listened for a while: events may have been missed
    again.close()
    listening.close()
    await _until_unsubscribed(client)
    await advance(client, 1)
    later = await client.get("/_emulator/events", headers={"Last-Event-ID": seen["id"]})
    (dropped,) = await read(later, 1)
    assert dropped["event"] == "dropped" and dropped["data"] == {"lost": None, "reason": "reconnected"}


async def _until_unsubscribed(client) -> None:
    events = runtime_of(client).events
    await advance(client, 0)  # a write to a gone client ends its handler
    for _ in range(1000):  # the server notices a closed connection within a few loop turns
        if not events.subscribers:
            return
        await asyncio.sleep(0)
    raise AssertionError("the server kept listening for a closed stream")


@pytest.mark.parametrize(
    ("query", "field"), [({"vendor": "nope"}, "vendor"), ({"type": "fax,nope"}, "type"), ({"type": "dropped"}, "type")]
)
async def test_bad_filters_are_refused(client, query, field):
    response = await client.get("/_emulator/events", params=query)
    assert response.status == 400 and (await response.json())["error"]["field"] == field


async def test_a_closed_stream_stops_listening(client):
    stream = await open_stream(client)
    events = runtime_of(client).events
    assert len(events.subscribers) == 1
    stream.close()
    await _until_unsubscribed(client)
