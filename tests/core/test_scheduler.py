"""The timer heap: time order, actions scheduled by actions, cancellation, side work."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.core import scheduler as scheduler_module
from emulator.core.clock import ManualClock
from emulator.core.scheduler import Scheduler


def make() -> tuple[ManualClock, Scheduler]:
    clock = ManualClock(1000.0)
    return clock, Scheduler(clock)


async def test_actions_run_in_time_order_with_clock_at_their_due_time():
    clock, scheduler = make()
    seen: list[tuple[str, float]] = []
    scheduler.after(5, lambda: seen.append(("b", clock.now())))
    scheduler.after(2, lambda: seen.append(("a", clock.now())))
    scheduler.after(9, lambda: seen.append(("c", clock.now())))
    ran = await scheduler.advance(6)
    assert ran == 2
    assert seen == [("a", 1002.0), ("b", 1005.0)]
    assert clock.now() == 1006.0
    await scheduler.advance(3)
    assert seen[-1] == ("c", 1009.0)


async def test_ties_run_in_scheduling_order():
    _, scheduler = make()
    seen: list[int] = []
    for n in range(5):
        scheduler.after(1, seen.append, n)
    await scheduler.advance(1)
    assert seen == [0, 1, 2, 3, 4]


async def test_actions_scheduled_by_actions_run_within_the_same_advance():
    clock, scheduler = make()
    seen: list[float] = []

    def chain(left: int) -> None:
        seen.append(clock.now())
        if left:
            scheduler.after(1, chain, left - 1)

    scheduler.after(1, chain, 3)
    await scheduler.advance(10)
    assert seen == [1001.0, 1002.0, 1003.0, 1004.0]


async def test_an_action_scheduled_in_the_past_runs_at_once_without_moving_time_back():
    clock, scheduler = make()
    seen: list[float] = []
    scheduler.at(10.0, lambda: seen.append(clock.now()))
    await scheduler.advance(0)
    assert seen == [1000.0]


async def test_cancelled_timers_do_not_run():
    _, scheduler = make()
    seen: list[str] = []
    timer = scheduler.after(1, seen.append, "x")
    scheduler.after(2, seen.append, "y")
    timer.cancel()
    assert scheduler.pending == 1
    await scheduler.advance(5)
    assert seen == ["y"]


async def test_pending_counts_timers_still_to_run_however_they_went():
    _, scheduler = make()
    timers = [scheduler.after(n, lambda: None) for n in (1, 2, 3, 4)]
    timers[0].cancel()
    timers[0].cancel()  # twice is once
    assert scheduler.pending == 3
    await scheduler.advance(2.5)  # the cancelled one is dropped, the second runs
    assert scheduler.pending == 2
    timers[1].cancel()  # already ran: nothing changes
    timers[3].cancel()
    assert scheduler.pending == 1
    scheduler.after(0, timers[2].cancel)  # an action cancelling another
    await scheduler.advance(0)
    assert scheduler.pending == 0
    await scheduler.advance(10)
    assert scheduler.pending == 0


async def test_a_failing_action_is_recorded_and_does_not_stop_the_others():
    _, scheduler = make()
    seen: list[str] = []
    scheduler.after(1, lambda: 1 / 0)
    scheduler.after(2, seen.append, "still runs")
    await scheduler.advance(3)
    assert seen == ["still runs"]
    assert "ZeroDivisionError" in scheduler.errors[-1]


async def test_advance_waits_for_spawned_side_work_and_what_it_schedules():
    clock, scheduler = make()
    seen: list[tuple[str, float]] = []

    async def side_work() -> None:
        await asyncio.sleep(0)
        seen.append(("side", clock.now()))
        scheduler.after(3, lambda: seen.append(("follow-up", clock.now())))

    scheduler.after(1, lambda: scheduler.spawn(side_work()))
    await scheduler.advance(10)
    assert seen == [("side", 1001.0), ("follow-up", 1004.0)]


async def test_run_until_idle_stops_when_nothing_is_scheduled():
    clock, scheduler = make()
    seen: list[float] = []
    scheduler.after(100, lambda: seen.append(clock.now()))
    scheduler.after(7200, lambda: seen.append(clock.now()))
    passed = await scheduler.run_until_idle()
    assert seen == [1100.0, 8200.0]
    assert passed == 7200.0
    assert scheduler.next_due() is None


async def test_advance_refuses_negative_time_and_real_clocks():
    from emulator.core.clock import RealClock

    _, scheduler = make()
    with pytest.raises(ValueError):
        await scheduler.advance(-1)
    with pytest.raises(RuntimeError):
        await Scheduler(RealClock()).advance(1)


async def test_real_clock_runs_due_actions_on_its_own():
    from emulator.core.clock import RealClock

    scheduler = Scheduler(RealClock(speed=1000.0))  # 1000 emulated seconds per second
    done = asyncio.Event()
    scheduler.after(5, done.set)  # 5 ms of wall time
    runner = asyncio.create_task(scheduler.run_forever())
    try:
        await asyncio.wait_for(done.wait(), timeout=5)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    assert done.is_set()


schedules = st.lists(st.tuples(st.integers(0, 500), st.integers(0, 3)), min_size=1, max_size=40)
steps = st.lists(st.integers(0, 120), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(schedule=schedules, step_sizes=steps)
def test_advancing_in_random_steps_gives_the_same_order_as_one_big_advance(schedule, step_sizes):
    """Each action may schedule children; the observed (name, time) sequence is the same."""

    def run(advances: list[int]) -> list[tuple[str, float]]:
        clock, scheduler = make()
        seen: list[tuple[str, float]] = []

        def act(name: str, children: int, gap: int) -> None:
            seen.append((name, clock.now()))
            for child in range(children):
                scheduler.after(gap + child, act, f"{name}.{child}", 0, 0)

        for index, (delay, children) in enumerate(schedule):
            scheduler.after(delay, act, str(index), children, delay % 7)

        async def drive() -> None:
            for seconds in advances:
                await scheduler.advance(seconds)

        asyncio.run(drive())
        return seen

    total = sum(step_sizes)
    assert run(step_sizes) == run([total])


async def test_the_collector_waits_while_a_batch_of_due_actions_runs():
    import gc

    _, scheduler = make()
    seen: list[bool] = []

    def broken() -> None:
        seen.append(gc.isenabled())
        raise RuntimeError("an action that fails")

    scheduler.after(1, lambda: seen.append(gc.isenabled()))
    scheduler.after(1, broken)
    await scheduler.advance(1)
    assert seen == [False, False] and gc.isenabled()  # back on, though an action failed
    gc.disable()  # whoever turned it off keeps it off
    try:
        scheduler.after(1, lambda: seen.append(gc.isenabled()))
        await scheduler.advance(1)
        assert not gc.isenabled()
    finally:
        gc.enable()


class _Held:
    """Something an action acts on (a fax, for the engine's runs), to see whether it is let go."""


async def test_cancelled_timers_let_go_of_what_they_hold_before_their_instant_comes():
    _, scheduler = make()
    kept = [scheduler.after(60, lambda held: None, _Held()) for _ in range(scheduler_module.COMPACT_FLOOR * 3)]
    gone = [weakref.ref(timer.args[0]) for timer in kept]
    for timer in kept:  # on a manual clock their instant may never come (a load test, then a reset)
        timer.cancel()
    del kept
    gc.collect()
    assert sum(ref() is not None for ref in gone) <= scheduler_module.COMPACT_FLOOR
    assert scheduler.pending == 0
    seen: list[str] = []
    scheduler.after(60, seen.append, "still runs")
    await scheduler.advance(60)
    assert seen == ["still runs"] and scheduler.pending == 0


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.booleans()),  # an instant, and whether the timer is cancelled
        max_size=60,
    ),
    st.integers(1, 8),
)
@settings(max_examples=200, deadline=None)
def test_letting_go_of_cancelled_timers_keeps_the_others_in_order(timers, floor):
    clock = ManualClock(0.0)
    scheduler = Scheduler(clock)
    seen: list[int] = []
    # compact often: every few cancels (set by hand: hypothesis runs many examples in one test)
    saved, scheduler_module.COMPACT_FLOOR = scheduler_module.COMPACT_FLOOR, floor
    try:
        made = [scheduler.at(float(at), seen.append, index) for index, (at, _) in enumerate(timers)]
        for timer, (_, cancelled) in zip(made, timers, strict=True):
            if cancelled:
                timer.cancel()
        assert scheduler.pending == sum(not cancelled for _, cancelled in timers)
        assert scheduler.held_cancelled <= max(floor, scheduler.pending)
        asyncio.run(scheduler.advance(10))
    finally:
        scheduler_module.COMPACT_FLOOR = saved
    expected = sorted((at, index) for index, (at, cancelled) in enumerate(timers) if not cancelled)
    assert seen == [index for _, index in expected]
    assert scheduler.pending == 0 and scheduler.held_cancelled == 0
