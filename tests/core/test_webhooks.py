"""The webhook dispatcher against a real local receiver that fails on purpose."""

from __future__ import annotations

import json

from emulator.core.clock import ManualClock
from emulator.core.scheduler import Scheduler
from emulator.core.webhooks import Dispatcher, RetryPolicy


def make() -> tuple[ManualClock, Scheduler, Dispatcher]:
    clock = ManualClock(0.0)
    scheduler = Scheduler(clock)
    return clock, scheduler, Dispatcher(scheduler)


DEFAULT = RetryPolicy()


def send(dispatcher: Dispatcher, url: str, policy: RetryPolicy = DEFAULT, **kw):
    return dispatcher.deliver(
        vendor="v", tenant="t", event="fax_sent", url=url, body=json.dumps({"n": 1}).encode(), policy=policy, **kw
    )


async def test_delivers_once_with_body_headers_and_log(receiver):
    _, scheduler, dispatcher = make()
    try:
        delivery = send(dispatcher, receiver.url, headers={"X-Test": "yes"})
        assert delivery.state == "pending" and receiver.received == []  # nothing before the clock moves
        await scheduler.advance(0)
        assert delivery.state == "delivered"
        assert receiver.bodies() == [{"n": 1}]
        assert receiver.received[0]["headers"]["X-Test"] == "yes"
        assert [(a.at, a.status, a.error) for a in delivery.attempts] == [(0.0, 200, None)]
    finally:
        await dispatcher.close()


async def test_retries_5xx_with_exponential_backoff_on_the_clock(receiver):
    _, scheduler, dispatcher = make()
    receiver.fail_next = 3
    try:
        delivery = send(dispatcher, receiver.url, RetryPolicy(attempts=5, delay=2, factor=3))
        await scheduler.advance(1)
        assert [a.status for a in delivery.attempts] == [500]
        await scheduler.advance(1000)
        assert [a.status for a in delivery.attempts] == [500, 500, 500, 200]
        assert [a.at for a in delivery.attempts] == [0, 2, 8, 26]  # delays 2, 6, 18
        assert delivery.state == "delivered"
        assert len(receiver.received) == 4
    finally:
        await dispatcher.close()


async def test_gives_up_after_the_last_attempt(receiver):
    _, scheduler, dispatcher = make()
    receiver.fail_next = 10
    try:
        delivery = send(dispatcher, receiver.url, RetryPolicy(attempts=3, delay=1))
        await scheduler.advance(1000)
        assert delivery.state == "failed" and len(delivery.attempts) == 3
    finally:
        await dispatcher.close()


async def test_4xx_is_not_retried_and_5xx_is_not_when_the_policy_says_transport_only(receiver):
    _, scheduler, dispatcher = make()
    try:
        receiver.fail_next, receiver.fail_status = 1, 404
        not_found = send(dispatcher, receiver.url)
        await scheduler.advance(100)
        receiver.fail_next, receiver.fail_status = 1, 503
        transport_only = send(dispatcher, receiver.url, RetryPolicy(retry_5xx=False))
        await scheduler.advance(100)
        assert (not_found.state, len(not_found.attempts)) == ("failed", 1)
        assert (transport_only.state, len(transport_only.attempts)) == ("failed", 1)
    finally:
        await dispatcher.close()


async def test_connection_errors_are_retried_and_logged(unused_tcp_port):
    _, scheduler, dispatcher = make()
    try:
        delivery = send(dispatcher, f"http://127.0.0.1:{unused_tcp_port}/nobody", RetryPolicy(attempts=2, delay=5))
        await scheduler.advance(100)
        assert delivery.state == "failed"
        assert [a.status for a in delivery.attempts] == [None, None]
        assert all(a.error for a in delivery.attempts)
        assert delivery.attempts[1].at == 5
    finally:
        await dispatcher.close()


async def test_a_delayed_delivery_waits_for_the_clock(receiver):
    _, scheduler, dispatcher = make()
    try:
        delivery = send(dispatcher, receiver.url, delay=30)
        await scheduler.advance(29)
        assert receiver.received == []
        await scheduler.advance(1)
        assert delivery.state == "delivered" and delivery.attempts[0].at == 30
    finally:
        await dispatcher.close()


async def test_the_log_is_bounded(receiver):
    clock = ManualClock(0.0)
    scheduler = Scheduler(clock)
    dispatcher = Dispatcher(scheduler, log_size=3)
    try:
        for _ in range(5):
            send(dispatcher, receiver.url)
        await scheduler.advance(1)
        assert len(dispatcher.log) == 3 and [d.id for d in dispatcher.log] == [3, 4, 5]
        assert len(receiver.received) == 5  # the log forgets, delivery does not
    finally:
        await dispatcher.close()


async def test_many_deliveries_due_together_are_each_sent_once_before_advance_returns(receiver):
    from emulator.core.webhooks import PER_TARGET

    _, scheduler, dispatcher = make()
    try:
        deliveries = [
            dispatcher.deliver(
                vendor="v", tenant="t", event="fax_sent", url=receiver.url, body=json.dumps({"n": n}).encode()
            )
            for n in range(PER_TARGET * 3 + 1)
        ]
        await scheduler.advance(0)
        assert all(d.state == "delivered" and len(d.attempts) == 1 for d in deliveries)
        assert sorted(b["n"] for b in receiver.bodies()) == list(range(len(deliveries)))
    finally:
        await dispatcher.close()


async def test_a_delivery_cleared_while_waiting_for_a_sender_is_not_sent(receiver):
    from emulator.core.webhooks import PER_TARGET

    _, scheduler, dispatcher = make()
    try:
        busy = [send(dispatcher, receiver.url) for _ in range(PER_TARGET)]
        waiting = dispatcher.deliver(vendor="v", tenant="gone", event="fax_sent", url=receiver.url, body=b"{}")
        scheduler.run_due()  # every attempt is due: the target takes its first ones, the last waits
        dispatcher.clear("v", "gone")
        await scheduler.advance(0)
        assert waiting.state == "dropped" and waiting.attempts == []
        assert all(d.state == "delivered" for d in busy)
        assert len(receiver.received) == PER_TARGET
    finally:
        await dispatcher.close()


async def test_each_attempt_keeps_what_the_receiver_answered(receiver):
    _, scheduler, dispatcher = make()
    receiver.fail_next = 1
    try:
        delivery = send(dispatcher, receiver.url, RetryPolicy(attempts=2, delay=1))
        await scheduler.advance(10)
        assert [(a.status, a.response_body) for a in delivery.attempts] == [(500, "failing on purpose"), (200, "ok")]
        assert delivery.to_json()["attempts"][0]["response_body"] == "failing on purpose"
    finally:
        await dispatcher.close()
