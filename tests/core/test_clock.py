"""Clocks: manual time moves only when told; real time can be accelerated."""

from __future__ import annotations

import pytest

from emulator.core.clock import ManualClock, RealClock, iso8601, make_clock


def test_manual_clock_moves_only_forward():
    clock = ManualClock(100.0)
    clock.set(150.0)
    assert clock.now() == 150.0
    with pytest.raises(ValueError):
        clock.set(149.0)


def test_manual_clock_defaults_to_whole_seconds_of_now():
    assert ManualClock().now() == int(ManualClock().now())


def test_accelerated_clock_converts_emulated_to_wall_delays():
    clock = RealClock(speed=60)
    assert clock.wall_delay(60) == 1.0
    assert clock.wall_delay(-5) == 0.0
    assert ManualClock().wall_delay(1) == float("inf")


def test_real_clock_starts_at_wall_time_and_does_not_run_backwards():
    import time

    clock = RealClock(speed=1000)
    first = clock.now()
    assert abs(first - time.time()) < 5
    assert clock.now() >= first


@pytest.mark.parametrize(("mode", "speed"), [("real", 0), ("real", -1), ("weird", 1)])
def test_bad_clock_settings_are_refused(mode, speed):
    with pytest.raises(ValueError):
        make_clock(mode, speed)


def test_iso8601_is_utc_with_milliseconds():
    assert iso8601(1_767_225_600.25) == "2026-01-01T00:00:00.250Z"
