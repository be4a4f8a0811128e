"""Fax results reaching HTTP endpoints: webhooks ``notifications`` hooks and faxbox
callbacks, as JSON or PHP-style form data, received by a real local server (kazoo.md §10)."""

from __future__ import annotations

import itertools
import json

from aiohttp import web

from tests.conftest import START, advance

GREGORIAN_START = int(START) + 62_167_219_200


async def hook(kazoo, receiver, **fields):
    reply = await kazoo.put(
        "/webhooks", {"name": "fax results", "hook": "notifications", "uri": receiver.url, **fields}
    )
    assert reply.status == 201, reply.body
    return reply.data


async def test_a_completed_fax_is_posted_to_a_json_notifications_hook(client, kazoo, receiver):
    webhook = await hook(kazoo, receiver, format="json", custom_data={"type": "outbound_fax", "tag": "t1"})
    box = await kazoo.faxbox()
    job_id = (await kazoo.send(f"/faxboxes/{box['id']}/faxes", to_name="Bob")).data["id"]
    await advance(client, 51)
    assert len(receiver.received) == 1
    entry = receiver.received[0]
    assert entry["method"] == "POST" and entry["headers"]["X-Hook-ID"] == webhook["id"]
    assert entry["headers"]["X-Account-ID"] == kazoo.account_id
    payload = entry["json"]
    assert payload["event_name"] == "outbound_fax" and payload["event_category"] == "notification"
    assert payload["fax_id"] == payload["fax_jobid"] == f"202601-{job_id}"
    assert payload["fax_timestamp"] == GREGORIAN_START + 51 and payload["faxbox_id"] == box["id"]
    assert payload["account_id"] == kazoo.account_id and payload["tag"] == "t1" and "type" not in payload
    assert payload["callee_id_number"] == "+12125550100" and payload["callee_id_name"] == "Bob"
    assert payload["caller_id_number"] == "+14155550100"
    assert payload["account_db"].startswith("account%2F") and payload["account_db"].endswith("-202601")
    info = payload["fax_info"]
    assert info["fax_success"] is True and info["fax_hangup_code"] == 200 and info["fax_result_text"] == "OK"
    assert info["fax_total_pages"] == "1" and "fax_error" not in payload
    assert all(key == key.lower() and "-" not in key for key in payload)


async def test_a_failed_fax_carries_fax_error_and_hook_types_filter(client, kazoo, receiver):
    await hook(kazoo, receiver, format="json", custom_data={"type": "outbound_fax"})  # not this event
    await hook(kazoo, receiver, format="json", custom_data={"type": "all"})
    await hook(kazoo, receiver, format="json")  # no custom_data: every notification
    await hook(kazoo, receiver, format="json", enabled=False)
    await kazoo.send(to_number="+12125550001")
    await advance(client, 60)
    assert len(receiver.received) == 2
    for payload in receiver.bodies():
        assert payload["event_name"] == "outbound_fax_error" and payload["fax_error"] == "USER_BUSY"
        assert payload["fax_info"] == {"fax_hangup_code": 486, "fax_hangup_cause": "USER_BUSY"}


async def test_form_data_hooks_nest_keys_php_style(client, kazoo, receiver):
    await hook(kazoo, receiver)  # the schema's default format is form-data
    await kazoo.send()
    await advance(client, 51)
    entry = receiver.received[0]
    assert entry["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    form = entry["form"]
    assert form["event_name"] == "outbound_fax" and form["fax_info[fax_success]"] == "true"
    assert form["fax_info[fax_hangup_code]"] == "200"


async def test_faxbox_outbound_callback_in_json_and_form_encodings(client, kazoo, receiver):
    json_box = await kazoo.faxbox(notifications={"outbound": {"callback": {"url": receiver.url + "/json"}}})
    form_box = await kazoo.faxbox(
        notifications={
            "outbound": {"callback": {"url": receiver.url + "/form", "method": "put", "type": "www-url-form-encoded"}}
        }
    )
    await kazoo.send(f"/faxboxes/{json_box['id']}/faxes")
    await kazoo.send(f"/faxboxes/{form_box['id']}/faxes", to_number="+12125550003")
    await advance(client, 60)
    by_path = {entry["path"]: entry for entry in receiver.received}
    as_json = by_path["/hook/json"]
    assert as_json["method"] == "POST" and as_json["json"]["faxbox_id"] == json_box["id"]
    assert as_json["json"]["event_name"] == "outbound_fax"
    as_form = by_path["/hook/form"]
    assert as_form["method"] == "PUT" and as_form["form"]["event_name"] == "outbound_fax_error"
    assert as_form["form"]["fax_error"] == "UNALLOCATED_NUMBER" and as_form["form"]["faxbox_id"] == form_box["id"]


async def test_no_notification_for_an_attempt_that_will_be_retried(client, kazoo, receiver):
    await hook(kazoo, receiver, format="json")
    await kazoo.send(to_number="+12125550011", retries=2)  # busy, then success
    await advance(client, 21)
    assert receiver.received == []
    await advance(client, 400)
    assert [p["event_name"] for p in receiver.bodies()] == ["outbound_fax"]


async def test_only_transport_errors_are_retried_2_s_apart(client, kazoo, receiver):
    await hook(kazoo, receiver, format="json", retries=3)
    receiver.fail_next = 1  # a 500 is logged, not retried
    await kazoo.send()
    await advance(client, 60)
    assert [e["answered"] for e in receiver.received] == [500]
    log = (await (await client.get("/_emulator/webhooks", params={"vendor": "kazoo"})).json())["deliveries"]
    assert log[0]["state"] == "failed" and len(log[0]["attempts"]) == 1

    broken = await hook(kazoo, receiver, format="json", retries=3, uri="http://127.0.0.1:9/unreachable")
    assert broken["retries"] == 3
    await kazoo.send()
    await advance(client, 60)
    log = (await (await client.get("/_emulator/webhooks", params={"vendor": "kazoo"})).json())["deliveries"]
    unreachable = next(d for d in log if d["url"].endswith("/unreachable"))
    assert unreachable["state"] == "failed" and len(unreachable["attempts"]) == 3
    times = [a["at"] for a in unreachable["attempts"]]
    assert [b - a for a, b in itertools.pairwise(times)] == [2.0, 2.0]


async def test_the_webhook_retry_option_changes_the_documented_policy(client, kazoo, receiver):
    assert (await (await client.get("/_emulator/vendors/kazoo/options")).json())["options"] == {"webhook_retry": {}}
    changed = await client.patch(
        "/_emulator/vendors/kazoo/options", json={"webhook_retry": {"attempts": 4, "delay": 30}}
    )
    assert changed.status == 200, await changed.text()
    await hook(kazoo, receiver, format="json", retries=2, uri="http://127.0.0.1:9/unreachable")
    await kazoo.send()
    await advance(client, 600)
    log = (await (await client.get("/_emulator/webhooks", params={"vendor": "kazoo"})).json())["deliveries"]
    times = [a["at"] for a in log[0]["attempts"]]
    assert log[0]["state"] == "failed" and [b - a for a, b in itertools.pairwise(times)] == [30.0, 30.0, 30.0]
    assert log[0]["reason"] == "gave up after 4 attempts"


async def test_a_receiver_down_for_four_minutes_is_given_up_on_as_documented_then_redelivered(
    client, kazoo, aiohttp_server, unused_tcp_port
):
    """Issue #17 item 7 for Kazoo: its policy (the hook's ``retries``, 2 s apart) gives up on a
    receiver that is down; once it is back, the control API's redeliver sends the same body."""
    url = f"http://127.0.0.1:{unused_tcp_port}/hook"
    reply = await kazoo.put("/webhooks", {"name": "fax results", "hook": "notifications", "uri": url, "format": "json"})
    assert reply.status == 201, reply.body
    await kazoo.send()
    await advance(client, 240)  # nothing listens: every attempt is refused
    [down] = (await (await client.get("/_emulator/webhooks", params={"vendor": "kazoo"})).json())["deliveries"]
    assert down["state"] == "failed" and len(down["attempts"]) == 2, down

    got: list[bytes] = []

    async def back(request):
        got.append(await request.read())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", back)
    await aiohttp_server(app, port=unused_tcp_port)
    again = await client.post(f"/_emulator/webhooks/{down['id']}/redeliver")
    assert again.status == 201, await again.text()
    await advance(client, 0)
    log = (await (await client.get("/_emulator/webhooks", params={"vendor": "kazoo"})).json())["deliveries"]
    assert [d["state"] for d in log] == ["failed", "delivered"]
    assert [json.loads(body) for body in got] == [json.loads(down["body"])]


def test_a_form_encoded_payload_carries_a_lone_surrogate_as_a_question_mark():
    """A client's text may hold a lone surrogate (a JSON escape): UTF-8 cannot carry it, so a
    form-encoded hook gets "?" there (docs/fidelity.md), not a failed delivery."""
    from emulator.vendors.kazoo.notify import form_encode

    assert form_encode({"from_name": "a\udcffb", "fax_info": {"n": 1}}) == b"from_name=a%3Fb&fax_info%5Bn%5D=1"
