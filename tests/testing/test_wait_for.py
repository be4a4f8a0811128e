"""Waiting on the event stream from synchronous code: ``events()``, ``wait_for``, ``wait_for_webhook``.

The emulator runs the manual clock; where something must move it while the test waits,
a thread calls ``run_until_idle`` (as an app under test would). Either order of the two
gives the same result: a wait opens its stream before it looks at the state.
"""

from __future__ import annotations

import threading

import pytest

from tests.testing.conftest import send_fake

pytest_plugins = ["pytester"]


def _in_background(function) -> threading.Thread:
    thread = threading.Thread(target=function)
    thread.start()
    return thread


def test_events_reads_the_stream(control):
    with control.events(types="clock") as stream:
        control.advance(5)
        event = stream.next(timeout=10)
    assert event is not None and event.type == "clock" and event.data["advanced"] == 5
    assert event.id > 0


def test_wait_for_returns_the_fax_once_it_has_entered_the_status(control, emulator, http):
    fax_id = send_fake(http, emulator)
    mover = _in_background(control.run_until_idle)
    try:
        fax = control.wait_for(fax_id, "sending", timeout=30)
    finally:
        mover.join(30)
    assert "sending" in fax.statuses and fax.id == fax_id
    assert control.wait_for(fax_id, timeout=30).terminal  # already ended: returns at once
    assert control.wait_for(fax_id, outcome="success", timeout=30).status == "sent"


def test_wait_for_times_out_with_a_hint_when_the_manual_clock_never_moves(control, emulator, http):
    fax_id = send_fake(http, emulator)
    with pytest.raises(TimeoutError, match=r"fax .* \(status='sent'\); it is 'queued'; .*clock is manual.*advance"):
        control.wait_for(fax_id, "sent", timeout=0.3)


def test_wait_for_webhook_returns_the_delivery(control, emulator, http):
    hooks = emulator.receiver()
    fax_id = send_fake(http, emulator, hook=hooks.url)
    mover = _in_background(control.run_until_idle)
    try:
        delivery = control.wait_for_webhook(fax_id=fax_id, timeout=30)
    finally:
        mover.join(30)
    assert delivery.fax_id == fax_id and delivery.state == "delivered"
    assert [r.json() for r in hooks.received] == [{"id": fax_id, "status": "sent"}]


def test_a_bad_filter_is_a_control_error(control):
    from emulator.testing import ControlError

    with pytest.raises(ControlError) as caught:
        control.events(vendor="nope")
    assert caught.value.status == 400


def test_a_failed_test_that_waited_under_a_still_manual_clock_ends_with_a_hint(pytester):
    from tests.testing.plugin_project import make_project

    make_project(pytester)
    pytester.makepyfile("""
        import time

        def test_app(fax_emulator, send_callerip):
            fax_id = send_callerip()
            deadline = time.monotonic() + 1.2
            while time.monotonic() < deadline and fax_emulator.fax(fax_id).status != "Success":
                time.sleep(0.1)
            assert fax_emulator.fax(fax_id).status == "Success"

        def test_moved(fax_emulator, send_callerip):
            fax_id = send_callerip()
            fax_emulator.advance(1)
            time.sleep(1.2)
            assert fax_emulator.fax(fax_id).status == "Success"
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*fax-emulator: the clock is manual*",
            "fax-emulator: * (callerip) is still 'Loading': the emulator's clock is manual and did not move during "
            "this test (*s). Time moves only when the test calls fax_emulator.advance(seconds) or "
            "fax_emulator.run_until_idle(), never while it sleeps or polls.",
        ]
    )
    assert result.stdout.str().count("did not move during this test") == 1  # not for the test that advanced
