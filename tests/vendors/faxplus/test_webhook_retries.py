"""FAX.PLUS callbacks outlive a receiver's outage (issue 17 item 7): retried with backoff for
24 h by default; the policy is changed by the vendor option ``webhook_retry`` and by a
scenario's ``webhook.retry``; a delivery can be sent again through the control API."""

from __future__ import annotations

from typing import Any

from tests.conftest import Receiver, advance
from tests.vendors.faxplus.raw import TOKEN, call


async def callback(client: Any, receiver: Receiver) -> dict[str, Any]:
    """Register a fax_received hook, make a fax arrive; the delivery as the log shows it."""
    assert (await call(client, "POST", "/hooks", json={"target": receiver.url, "event": "fax_received"}))[0] == 201
    arrived = await client.post(
        "/_emulator/inbound", json={"vendor": "faxplus", "to": "+12125550100", "from": "+12125550199", "tenant": TOKEN}
    )
    assert arrived.status == 201, await arrived.text()
    return (await deliveries(client))[-1]


async def deliveries(client: Any) -> list[dict[str, Any]]:
    return (await (await client.get("/_emulator/webhooks", params={"vendor": "faxplus"})).json())["deliveries"]


async def test_a_receiver_down_for_four_minutes_gets_the_callback_when_it_is_back(client, receiver):
    receiver.fail_next = 3  # down at the attempts at 0, 60 and 180 s; up again by the next one
    first = await callback(client, receiver)
    await advance(client, 3600)
    delivery = (await deliveries(client))[-1]
    start = delivery["attempts"][0]["at"]
    assert [(a["at"] - start, a["status"]) for a in delivery["attempts"]] == [
        (0, 500),
        (60, 500),
        (180, 500),
        (420, 200),
    ]
    assert delivery["state"] == "delivered" and delivery["id"] == first["id"]
    assert [r["answered"] for r in receiver.received] == [500, 500, 500, 200]


async def test_a_receiver_down_for_a_day_is_given_up_on_at_24_hours(client, receiver):
    receiver.fail_next = 10_000
    await callback(client, receiver)
    await advance(client, 2 * 86400)
    delivery = (await deliveries(client))[-1]
    times = [a["at"] - delivery["attempts"][0]["at"] for a in delivery["attempts"]]
    assert times[:7] == [0, 60, 180, 420, 900, 1860, 3780]  # doubling from a minute...
    assert times[7] - times[6] == 3600 and times[-1] == 86400  # ...to hourly, the last at 24 h
    assert delivery["state"] == "failed" and delivery["reason"] == "gave up 86400 s after the first attempt"


async def test_the_webhook_retry_option_changes_the_policy_and_is_checked(client, receiver):
    bad = await client.patch("/_emulator/vendors/faxplus/options", json={"webhook_retry": {"attempts": 0}})
    assert bad.status == 400 and (await bad.json())["error"]["field"] == "webhook_retry"
    bad = await client.patch("/_emulator/vendors/faxplus/options", json={"webhook_retry": {"forever": True}})
    assert bad.status == 400
    options = await client.patch(
        "/_emulator/vendors/faxplus/options", json={"webhook_retry": {"attempts": 2, "delay": 5, "timeout": 0.5}}
    )
    assert (await options.json())["options"] == {"webhook_retry": {"attempts": 2, "delay": 5.0, "timeout": 0.5}}
    receiver.fail_next = 10
    await callback(client, receiver)
    await advance(client, 600)
    delivery = (await deliveries(client))[-1]
    assert [a["at"] - delivery["attempts"][0]["at"] for a in delivery["attempts"]] == [0, 5]
    assert delivery["policy"]["timeout"] == 0.5 and delivery["reason"] == "gave up after 2 attempts"


async def test_a_scenario_rule_changes_the_retry_policy_of_the_webhooks_it_matches(client, receiver):
    scenario = (
        "rules:\n  - name: impatient\n    match: {vendor: faxplus, event: fax_received}\n"
        "    webhook: {retry: {attempts: 1}}\n"
    )
    loaded = await client.post("/_emulator/scenario", data=scenario)
    assert loaded.status == 200, await loaded.text()
    receiver.fail_next = 1
    await callback(client, receiver)
    await advance(client, 600)
    delivery = (await deliveries(client))[-1]
    assert (delivery["state"], delivery["rule"], len(delivery["attempts"])) == ("failed", "impatient", 1)
    wrong = await client.post("/_emulator/scenario", data=scenario.replace("attempts: 1", "attempts: many"))
    assert wrong.status == 400 and "retry" in await wrong.text()


async def test_redeliver_sends_a_logged_webhook_again_as_a_new_delivery(client, receiver):
    receiver.fail_next = 1
    await client.patch("/_emulator/vendors/faxplus/options", json={"webhook_retry": {"attempts": 1}})
    original = await callback(client, receiver)
    await advance(client, 0)
    assert (await deliveries(client))[-1]["state"] == "failed"

    again = await client.post(f"/_emulator/webhooks/{original['id']}/redeliver")
    assert again.status == 201
    body = await again.json()
    assert body["redelivery_of"] == original["id"] and body["id"] != original["id"] and body["state"] == "pending"
    assert (body["url"], body["body"], body["event"]) == (original["url"], original["body"], original["event"])
    await advance(client, 0)
    log = await deliveries(client)
    assert [(d["id"], d["state"]) for d in log] == [(original["id"], "failed"), (body["id"], "delivered")]
    assert receiver.received[0]["body"] == receiver.received[1]["body"]

    for missing in ("999999", "abc"):
        gone = await client.post(f"/_emulator/webhooks/{missing}/redeliver")
        assert gone.status == 404 and (await gone.json())["error"]["code"] == "not_found"
