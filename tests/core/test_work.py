"""The worker pool: jobs run in other processes, bounded in time, memory and queue."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from emulator.core.errors import Invalid
from emulator.core.work import Limits, Work, WorkFailed, WorkRefused, WorkTimeout
from tests.conftest import runtime_of
from tests.core.jobs import allocate, imported, nap, pid_and_square, refuse, spin, unpicklable_error


@pytest.fixture
async def work() -> AsyncIterator[Work]:
    pool = Work(Limits(workers=2, queue=2, timeout=5.0, memory=256 * 1024 * 1024))
    yield pool
    await pool.close()


async def test_runs_a_job_in_another_process(work: Work) -> None:
    pid, square = await work.run(pid_and_square, 12)
    assert square == 144
    assert pid != os.getpid()
    again, _ = await work.run(pid_and_square, 1)
    assert again == pid  # the worker is kept for the next job
    assert work.stats()["done"] == 2


async def test_a_new_worker_has_the_scenario_reader_and_the_vendors_imported(work: Work) -> None:
    # a posted scenario's job unpickles the reader and every vendor: imported in the worker, they
    # counted against the job's time limit (over 4 s on a loaded machine refused a valid scenario)
    wanted = ["emulator.core.scenarios.load", "emulator.vendors.kazoo", "emulator.vendors.faxplus"]
    assert await work.run(imported, wanted) == wanted


async def test_a_job_past_its_time_is_killed_and_reported(work: Work) -> None:
    pid, _ = await work.run(pid_and_square, 1)
    started = time.monotonic()
    with pytest.raises(WorkTimeout):
        await work.run(spin, 30.0, timeout=0.3)
    assert time.monotonic() - started < 5.0
    with pytest.raises(ProcessLookupError):  # the worker that ran it is gone
        for _ in range(50):
            os.kill(pid, 0)
            await asyncio.sleep(0.05)
    new_pid, square = await work.run(pid_and_square, 3)  # and a new one takes its place
    assert (square, new_pid != pid) == (9, True)
    assert work.stats()["timeouts"] == 1


async def test_a_job_past_its_memory_fails_cleanly(work: Work) -> None:
    with pytest.raises(WorkFailed, match="memory"):
        await work.run(allocate, 512)
    assert await work.run(allocate, 16) == 16 * 1024 * 1024  # the pool still works


async def test_the_jobs_own_errors_come_back_as_themselves(work: Work) -> None:
    with pytest.raises(Invalid) as raised:
        await work.run(refuse, "no")
    assert (raised.value.message, raised.value.code, raised.value.field, raised.value.status) == (
        "no",
        "bad_thing",
        "x",
        400,
    )
    with pytest.raises(WorkFailed, match="made inside the job"):
        await work.run(unpicklable_error)


async def test_the_loop_keeps_answering_while_workers_are_busy(work: Work) -> None:
    await work.run(pid_and_square, 0)  # the workers exist: their start-up is not measured
    jobs = [asyncio.create_task(work.run(nap, 0.5)) for _ in range(2)]
    gaps = []
    last = time.monotonic()
    while not all(job.done() for job in jobs):
        await asyncio.sleep(0.01)
        now = time.monotonic()
        gaps.append(now - last)
        last = now
    assert await asyncio.gather(*jobs) == ["done", "done"]
    assert len(gaps) > 10 and max(gaps) < 0.25  # the loop never waited for the jobs


async def test_a_full_queue_refuses_at_once(work: Work) -> None:
    running = [asyncio.create_task(work.run(nap, 0.3)) for _ in range(4)]  # 2 run, 2 wait
    for _ in range(100):  # until the four have been handed to the pool (loop turns, not a wall-clock wait)
        if work.stats()["waiting"] + work.stats()["busy"] == 4:
            break
        await asyncio.sleep(0)
    assert work.stats()["waiting"] == 2
    with pytest.raises(WorkRefused) as refused:
        await work.run(pid_and_square, 1)
    assert refused.value.status == 503
    assert await asyncio.gather(*running) == ["done"] * 4


async def test_close_ends_the_workers_and_refuses_more() -> None:
    pool = Work(Limits(workers=1))
    pid, _ = await pool.run(pid_and_square, 1)
    await pool.close()
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(pid, 0)
            await asyncio.sleep(0.05)
    with pytest.raises(WorkRefused):
        await pool.run(pid_and_square, 1)


async def test_the_runtime_owns_the_pool_and_health_shows_it(make_client: Any) -> None:
    client = await make_client()
    runtime = runtime_of(client)
    assert not runtime.work.started  # nothing starts a worker before a job needs one
    pid, _ = await runtime.work.run(pid_and_square, 2)
    health = await (await client.get("/_emulator/health")).json()
    assert health["work"]["workers"] == 1 and health["work"]["done"] == 1
    assert health["work"]["limits"]["timeout_s"] == 10.0
    await client.close()  # the app's cleanup stops its workers
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(pid, 0)
            await asyncio.sleep(0.05)
