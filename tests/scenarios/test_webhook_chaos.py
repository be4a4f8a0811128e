"""Webhook behaviour rules: delay, duplicate, out of order, drop (real receiver, manual clock)."""

from __future__ import annotations

from tests.conftest import advance, runtime_of
from tests.scenarios.fake import NAME


async def send(client, receiver, to: str = "1") -> str:
    response = await client.post("/fake/faxes", json={"to": to, "callback": receiver.url}, headers={"X-Token": "t"})
    assert response.status == 201
    return (await response.json())["id"]


async def deliveries(client) -> list[dict]:
    return (await (await client.get("/_emulator/webhooks", params={"vendor": NAME})).json())["deliveries"]


def statuses(receiver) -> list[str]:
    return [body["status"] for body in receiver.bodies()]


async def test_without_rules_every_transition_arrives_in_order(make_scenario_client, receiver):
    client = await make_scenario_client()
    await send(client, receiver)
    await advance(client, 60)
    assert statuses(receiver) == ["queued", "converting", "sending", "sent"]


async def test_drop_logs_the_delivery_but_never_sends_it(make_scenario_client, receiver):
    client = await make_scenario_client("""
rules:
  - {name: lost, match: {event: fax.sending}, webhook: {drop: true}}
""")
    await send(client, receiver)
    await advance(client, 60)
    assert statuses(receiver) == ["queued", "converting", "sent"]
    log = await deliveries(client)
    assert [(d["event"], d["state"], d["rule"]) for d in log if d["state"] == "dropped"] == [
        ("fax.sending", "dropped", "lost")
    ]
    assert log[2]["attempts"] == []


async def test_duplicate_sends_copies_after_the_original(make_scenario_client, receiver):
    client = await make_scenario_client("""
rules:
  - {name: twice more, match: {event: fax.sent}, webhook: {duplicate: 2}}
""")
    await send(client, receiver)
    await advance(client, 60)
    assert statuses(receiver) == ["queued", "converting", "sending", "sent", "sent", "sent"]
    log = await deliveries(client)
    original = next(d for d in log if d["event"] == "fax.sent" and d["copy_of"] is None)
    copies = [d for d in log if d["copy_of"] == original["id"]]
    assert len(copies) == 2 and {d["body"] for d in copies} == {original["body"]}
    assert all(d["state"] == "delivered" for d in log)


async def test_delay_postpones_on_the_emulated_clock(make_scenario_client, receiver):
    client = await make_scenario_client("""
rules:
  - {match: {event: fax.queued}, webhook: {delay: 100}}
""")
    await send(client, receiver)
    await advance(client, 99)
    assert statuses(receiver) == ["converting", "sending", "sent"]
    await advance(client, 1)
    assert statuses(receiver)[-1] == "queued"


async def test_out_of_order_holds_a_delivery_until_after_the_next(make_scenario_client, receiver):
    client = await make_scenario_client("""
rules:
  - {name: swapped, match: {event: fax.converting}, webhook: {out_of_order: true}}
""")
    await send(client, receiver)
    await advance(client, 60)
    assert statuses(receiver) == ["queued", "sending", "converting", "sent"]


async def test_a_held_delivery_goes_anyway_when_nothing_follows(make_scenario_client, receiver):
    client = await make_scenario_client("""
rules:
  - {match: {event: fax.sent}, webhook: {out_of_order: true}}
""")
    await send(client, receiver)
    await advance(client, 60)
    assert statuses(receiver) == ["queued", "converting", "sending"]
    await advance(client, 300)
    assert statuses(receiver) == ["queued", "converting", "sending", "sent"]


async def test_webhook_rules_match_the_faxs_destination_and_probability_is_seeded(make_scenario_client, receiver):
    text = """
seed: 3
rules:
  - {match: {to: "9*", probability: 0.5}, webhook: {drop: true}}
"""
    runs = []
    for _ in range(2):
        receiver.received.clear()
        client = await make_scenario_client(text)
        for _ in range(5):
            await send(client, receiver, "911")
        await send(client, receiver, "100")
        await advance(client, 60)
        runs.append([(d["fax_id"], d["state"]) for d in await deliveries(client)])
        other = runtime_of(client).store.all_faxes()[-1].id
        assert all(state == "delivered" for fax_id, state in runs[-1] if fax_id == other)
    assert [s for _, s in runs[0]] == [s for _, s in runs[1]]
    assert {s for _, s in runs[0]} == {"delivered", "dropped"}


async def test_dispatcher_shapes_without_any_vendor(make_scenario_client, receiver):
    """The dispatcher's shaping is vendor-neutral: any caller of deliver() gets it."""
    client = await make_scenario_client("""
rules:
  - {match: {vendor: callerip, event: custom}, webhook: {duplicate: 1, delay: 5}}
""")
    runtime = runtime_of(client)
    delivery = runtime.dispatcher.deliver(
        vendor="callerip", tenant="x", event="custom", url=receiver.url, body=b'{"status": "hello"}'
    )
    assert delivery.due_at == runtime.now() + 5
    await advance(client, 10)
    assert statuses(receiver) == ["hello", "hello"]


async def test_a_reset_forgets_a_held_delivery(make_scenario_client, receiver):
    client = await make_scenario_client("""
rules:
  - {match: {event: fax.sent}, webhook: {out_of_order: true}}
""")
    await send(client, receiver)
    await advance(client, 60)
    assert (await client.post("/_emulator/reset", json={})).status == 200
    await advance(client, 400)
    assert statuses(receiver) == ["queued", "converting", "sending"]
