"""Issue 17 items 4 and 5: a receiver that never answers delays only its own webhooks, an
advance waits for it only up to its bound and says what is still out, and no pending
delivery is ever evicted or dropped silently.

The dead receiver hangs until the test releases it, so no test waits for a timeout.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from emulator.core.clock import ManualClock
from emulator.core.scheduler import Scheduler
from emulator.core.webhooks import PER_TARGET, Delivery, Dispatcher, RetryPolicy, Shape
from tests.conftest import Receiver, advance, runtime_of


@dataclass
class Hanging:
    """A receiver that answers nothing until ``release`` is set, then 200."""

    url: str = ""
    release: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: int = 0


@pytest.fixture
async def hanging(aiohttp_server: Any) -> AsyncIterator[Hanging]:
    state = Hanging()

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        state.arrived += 1
        await state.release.wait()
        return web.Response(text="late")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = await aiohttp_server(app)
    state.url = str(server.make_url("/dead"))
    yield state
    state.release.set()  # let the server close


def make(**kw: Any) -> tuple[Scheduler, Dispatcher]:
    scheduler = Scheduler(ManualClock(0.0))
    return scheduler, Dispatcher(scheduler, **kw)


def send(dispatcher: Dispatcher, url: str, tenant: str = "t", event: str = "fax_sent", **kw: Any) -> Delivery:
    return dispatcher.deliver(vendor="v", tenant=tenant, event=event, url=url, body=json.dumps({"n": 1}).encode(), **kw)


async def test_a_dead_target_never_delays_another_targets_webhook(hanging: Hanging, aiohttp_server: Any) -> None:
    scheduler, dispatcher = make()
    seen: dict[str, Any] = {}

    async def live_receiver(request: web.Request) -> web.Response:
        # when the other target's webhook arrives, the dead one still holds its attempts
        seen["out"] = [d.id for d in dispatcher.in_flight()]
        seen["under_way"] = dispatcher.counts()["in_flight"]
        seen["dead_answered"] = sum(len(d.attempts) for d in dead)
        hanging.release.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/live", live_receiver)
    server = await aiohttp_server(app)
    try:
        dead = [send(dispatcher, hanging.url, tenant="a") for _ in range(40)]  # more than the old 32 shared slots
        live = send(dispatcher, str(server.make_url("/live")), tenant="b")
        await scheduler.advance(0, wait=30)
        assert seen["dead_answered"] == 0
        assert seen["out"] == [d.id for d in dead] + [live.id]
        assert seen["under_way"] == PER_TARGET + 1  # PER_TARGET at most to one target, the rest wait their turn
        assert live.state == "delivered"
        assert all(d.state == "delivered" for d in dead) and hanging.arrived == len(dead)
    finally:
        await dispatcher.close()


async def test_advance_waits_for_a_dead_receiver_only_up_to_its_bound_and_says_what_is_out(
    make_client: Any, hanging: Hanging, receiver: Receiver
) -> None:
    client = await make_client(advance_wait=0.05)
    dispatcher = runtime_of(client).dispatcher
    dead = dispatcher.deliver(
        vendor="callerip",
        tenant="a",
        event="e",
        url=hanging.url,
        body=b"{}",
        policy=RetryPolicy(attempts=3, delay=60, timeout=3600),
    )
    live = dispatcher.deliver(vendor="callerip", tenant="b", event="e", url=receiver.url, body=b"{}", delay=30)
    answer = await advance(client, 600)
    # the dead receiver's first attempt hangs (for an hour, by its policy); the call returned anyway
    assert answer["webhooks_in_flight"] == [{"id": dead.id, "url": hanging.url, "attempt": 1}]
    assert answer["now"] == runtime_of(client).now()
    assert live.state == "delivered" and live.attempts[0].at - dead.created_at == 30
    counts = (await (await client.get("/_emulator/health")).json())["webhooks"]
    assert counts == {
        "pending": 1,
        "max_pending": 10_000,
        "in_flight": 1,
        "refused": 0,
        "logged": 2,
        "capacity": 10_000,
    }
    hanging.release.set()
    await runtime_of(client).scheduler.settle()
    assert dead.state == "delivered"
    assert (await advance(client, 0))["webhooks_in_flight"] == []


async def test_an_advance_body_may_set_its_own_wait(client: Any, hanging: Hanging) -> None:
    dispatcher = runtime_of(client).dispatcher
    dead = dispatcher.deliver(vendor="callerip", tenant="a", event="e", url=hanging.url, body=b"{}")
    answer = await advance_with(client, {"seconds": 0, "webhook_wait": 0})
    assert [d["id"] for d in answer["webhooks_in_flight"]] == [dead.id]
    bad = await client.post("/_emulator/clock/advance", json={"seconds": 1, "webhook_wait": "soon"})
    assert bad.status == 400 and (await bad.json())["error"]["field"] == "webhook_wait"
    idle = await client.post("/_emulator/clock/run-until-idle", json={"webhook_wait": 0})
    assert [d["id"] for d in (await idle.json())["webhooks_in_flight"]] == [dead.id]
    hanging.release.set()
    await runtime_of(client).scheduler.settle()


async def advance_with(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/_emulator/clock/advance", json=body)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_retries_of_a_timed_out_attempt_follow_the_policy(hanging: Hanging) -> None:
    scheduler, dispatcher = make()
    try:
        dead = send(dispatcher, hanging.url, policy=RetryPolicy(attempts=3, delay=60, timeout=0.01))
        await scheduler.advance(600, wait=30)
        assert dead.state == "failed" and dead.reason == "gave up after 3 attempts"
        assert [a.at for a in dead.attempts] == [0, 60, 180]
        assert all(a.error == "TimeoutError" for a in dead.attempts)
    finally:
        await dispatcher.close()


async def test_a_held_webhook_is_sent_even_after_the_log_forgot_it(receiver: Receiver) -> None:
    scheduler, dispatcher = make(log_size=2)
    dispatcher.shaper = lambda d: Shape(out_of_order=True, rule="hold") if d.event == "held" else None
    try:
        held = send(dispatcher, receiver.url, event="held")
        others = [send(dispatcher, receiver.url + "/other", tenant="x", event="later") for _ in range(3)]
        assert held not in dispatcher.log  # evicted from the history...
        assert [d.id for d in dispatcher.query()] == [held.id, *(d.id for d in others)]  # ...still shown, pending
        await scheduler.advance(400)  # nothing else came for its receiver: it goes after HOLD_LIMIT
        assert held.state == "delivered" and held.id not in dispatcher.pending
        assert sum(1 for r in receiver.received if r["path"] == "/hook") == 1
        assert [d.id for d in dispatcher.query()] == [d.id for d in others[-2:]]  # settled: the log's bound again
    finally:
        await dispatcher.close()


async def test_pending_deliveries_beyond_the_limit_are_refused_loudly(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler, dispatcher = make(max_pending=2, log_size=1)
    try:
        kept = [send(dispatcher, receiver.url, delay=10) for _ in range(2)]
        with caplog.at_level(logging.WARNING, logger="emulator.core.webhooks"):
            refused = send(dispatcher, receiver.url, delay=10)
        assert refused.state == "refused" and refused.reason == "2 deliveries are pending already (the limit)"
        assert "refused" in caplog.text and str(refused.id) in caplog.text
        assert [d.id for d in dispatcher.query()] == [d.id for d in [*kept, refused]]
        await scheduler.advance(10)
        assert [d.state for d in kept] == ["delivered", "delivered"] and len(receiver.received) == 2
        assert send(dispatcher, receiver.url).state == "pending"  # room again
    finally:
        await dispatcher.close()


async def test_give_up_time_bounds_retries_and_the_last_attempt_is_at_it(receiver: Receiver) -> None:
    scheduler, dispatcher = make()
    receiver.fail_next = 100
    try:
        delivery = send(dispatcher, receiver.url, policy=RetryPolicy(attempts=50, delay=60, give_up=100))
        await scheduler.advance(1000)
        assert [a.at for a in delivery.attempts] == [0, 60, 100]
        assert delivery.state == "failed" and delivery.reason == "gave up 100 s after the first attempt"
    finally:
        await dispatcher.close()


async def test_a_target_outside_the_allowed_hosts_is_refused_with_why(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler, dispatcher = make(hosts=("Receiver.Internal", "localhost"))
    try:
        with caplog.at_level(logging.WARNING, logger="emulator.core.webhooks"):
            refused = send(dispatcher, receiver.url)  # 127.0.0.1 is not named
        assert refused.state == "refused" and refused.id not in dispatcher.pending
        assert refused.reason == "the target's host is not in the allowed webhook hosts (receiver.internal, localhost)"
        assert "refused" in caplog.text
        allowed = send(dispatcher, receiver.url.replace("127.0.0.1", "localhost"))
        await scheduler.advance(0)
        assert allowed.state == "delivered" and len(receiver.received) == 1
    finally:
        await dispatcher.close()


async def test_the_allowed_hosts_come_from_the_config_and_show_in_the_log(make_client: Any, receiver: Receiver) -> None:
    client = await make_client(webhook_hosts=("hooks.example",))
    runtime_of(client).dispatcher.deliver(vendor="callerip", tenant="a", event="e", url=receiver.url, body=b"{}")
    await advance(client, 10)
    (logged,) = (await (await client.get("/_emulator/webhooks")).json())["deliveries"]
    assert logged["state"] == "refused" and "allowed webhook hosts (hooks.example)" in logged["reason"]
    assert receiver.received == []
    counts = (await (await client.get("/_emulator/health")).json())["webhooks"]
    assert (counts["refused"], counts["pending"]) == (1, 0)


async def test_targets_take_turns_when_every_connection_is_taken(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emulator.core import webhooks

    monkeypatch.setattr(webhooks, "MAX_IN_FLIGHT", 1)
    scheduler, dispatcher = make()
    try:
        for _ in range(6):
            send(dispatcher, receiver.url + "/busy")
        send(dispatcher, receiver.url + "/other")
        await scheduler.advance(0)
        order = [r["path"] for r in receiver.received]
        assert sorted(order) == ["/hook/busy"] * 6 + ["/hook/other"]
        assert order.index("/hook/other") <= 2  # not behind all of the busy target's queue
    finally:
        await dispatcher.close()
