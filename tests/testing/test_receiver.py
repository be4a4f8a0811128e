"""The local webhook receiver: what it records, and failing on purpose to drive retries."""

from __future__ import annotations

import pytest

from tests.testing.conftest import send_fake


def test_records_each_delivery_with_body_and_headers(emulator, control, http):
    receiver = emulator.receiver()
    fax_id = send_fake(http, emulator, hook=receiver.url)
    assert receiver.received == []
    control.run_until_idle()
    (got,) = receiver.received
    assert (got.method, got.path, got.answered, got.content_type) == ("POST", "/hook", 200, "application/json")
    assert got.json() == {"id": fax_id, "status": "sent"}
    assert receiver.bodies() == [{"id": fax_id, "status": "sent"}]
    receiver.clear()
    assert receiver.received == []


def test_fail_next_makes_the_vendor_retry(emulator, control, http):
    receiver = emulator.receiver()
    receiver.fail_next, receiver.fail_status = 2, 503
    send_fake(http, emulator, hook=receiver.url)
    control.run_until_idle()
    assert [r.answered for r in receiver.received] == [503, 503, 200]
    assert len(receiver.bodies()) == 1  # failed answers are not counted as delivered
    (delivery,) = control.webhooks()
    assert delivery.state == "delivered" and [a.status for a in delivery.attempts] == [503, 503, 200]


def test_failing_mode_fails_every_attempt(emulator, control, http):
    receiver = emulator.receiver()
    receiver.failing = True
    send_fake(http, emulator, hook=receiver.url)
    control.run_until_idle()
    assert [r.answered for r in receiver.received] == [500, 500, 500]  # the fake vendor tries 3 times
    assert control.webhooks()[0].state == "failed"


def test_form_bodies_and_other_paths(emulator):
    receiver = emulator.receiver(path="/callbacks/fax")
    assert receiver.url.endswith("/callbacks/fax")
    deliver = emulator.runtime.dispatcher.deliver
    emulator.call(
        lambda: deliver(
            vendor="fake",
            tenant="t",
            event="e",
            url=receiver.url_for("/other?x=1"),
            body=b"status=sent&id=7",
            content_type="application/x-www-form-urlencoded",
        )
    )
    emulator.client.advance(0)
    (got,) = receiver.received
    assert (got.path, got.query, got.form) == ("/other", {"x": "1"}, {"status": "sent", "id": "7"})
    assert receiver.bodies() == []  # not JSON


def test_wait_for_returns_what_arrived_or_times_out(emulator, control, http):
    receiver = emulator.receiver()
    with pytest.raises(TimeoutError, match="0 of 1 webhook"):
        receiver.wait_for(1, timeout=0)
    send_fake(http, emulator, hook=receiver.url)
    control.run_until_idle()
    assert len(receiver.wait_for(1, timeout=0)) == 1


def test_receivers_stop_with_the_emulator(emulator):
    receiver = emulator.receiver()
    emulator.stop()
    assert receiver._runner is None
