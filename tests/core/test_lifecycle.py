"""The status-machine engine, on a small test machine shaped like the vendors' ones."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from emulator.core.clock import ManualClock
from emulator.core.lifecycle import Engine, Machine
from emulator.core.outcomes import Outcome, Result
from emulator.core.run import Run
from emulator.core.scheduler import Scheduler
from emulator.core.store import Fax, Store

MACHINE = Machine(
    prepare=("queued", "converting", "waiting"),
    transmit="sending",
    success="done",
    failure="failed",
    convert="converting",
    requeue="waiting",
    cancelled="cancelled",
    dwell={"queued": 1, "converting": 2, "waiting": 3, "sending": 4},
    per_page=10,
    statuses={Outcome.BUSY: "failed_busy"},
    native=frozenset({"failed_special"}),
)


@dataclass
class ScriptedPolicy:
    """Attempt n gets results[n-1] (the last repeats)."""

    results: list[Result] = field(default_factory=lambda: [Result(Outcome.SUCCESS)])
    by_destination: dict[str, Result] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    asked: list[int] = field(default_factory=list)

    def attempt(self, run: Run, attempt: int) -> Result:
        self.asked.append(attempt)
        if run.fax.to in self.by_destination:
            return self.by_destination[run.fax.to]
        return self.results[min(attempt, len(self.results)) - 1]

    def dwell(self, run: Run, state: str, default: float) -> float:
        return self.delays.get(state, default)


class Harness:
    def __init__(self, policy: ScriptedPolicy | None = None) -> None:
        self.clock = ManualClock(0.0)
        self.scheduler = Scheduler(self.clock)
        self.policy = policy or ScriptedPolicy()
        self.engine = Engine(self.scheduler, self.policy)
        self.events: list[tuple[str | None, str, float]] = []
        self.engine.register("test", MACHINE, lambda fax, old, new: self.events.append((old, new, self.clock.now())))
        self.store = Store()
        self.store.tenant("test", "t", 0.0)

    def fax(self, **fields) -> Fax:
        fields = {"to": "1", **fields}
        fax = Fax(
            id=f"f{len(self.store.faxes)}",
            vendor="test",
            tenant="t",
            direction="outbound",
            sender="2",
            status="",
            created_at=self.clock.now(),
            **fields,
        )
        self.store.add(fax)
        self.engine.start(fax)
        return fax

    def statuses(self, fax: Fax) -> list[str]:
        return [status for _, status in fax.history]


async def test_success_walks_every_state_with_dwell_and_page_times():
    h = Harness()
    fax = h.fax(pages=3)
    await h.scheduler.advance(1000)
    assert h.statuses(fax) == ["queued", "converting", "waiting", "sending", "done"]
    assert [at for at, _ in fax.history] == [0, 1, 3, 6, 40]  # sending: 4 s set-up + 3 pages x 10 s
    assert (fax.statuses_entered, fax.last_entered_at) == (len(fax.history), fax.history[-1][0]) == (5, 40)
    assert fax.terminal and fax.ended_at == 40 and fax.pages_sent == 3 and fax.attempts == 1
    assert h.events[0] == (None, "queued", 0) and h.events[-1] == ("sending", "done", 40)


def test_a_fax_not_started_has_entered_no_status():
    fax = Fax(id="f", vendor="v", tenant="t", direction="outbound", to="1", sender="2", status="", created_at=0)
    assert (fax.statuses_entered, fax.last_entered_at) == (0, None)


async def test_outcome_maps_to_the_vendor_status_and_native_statuses_pass_through():
    h = Harness(
        ScriptedPolicy(
            by_destination={
                "busy": Result(Outcome.BUSY),
                "special": Result(Outcome.NO_ANSWER, native="failed_special"),
                "plain": Result(Outcome.NO_ANSWER),
            }
        )
    )
    busy, special, plain = h.fax(to="busy"), h.fax(to="special"), h.fax(to="plain")
    await h.scheduler.advance(100)
    assert (busy.status, special.status, plain.status) == ("failed_busy", "failed_special", "failed")


async def test_retries_requeue_with_the_fax_retry_delay_until_success():
    h = Harness(ScriptedPolicy([Result(Outcome.BUSY), Result(Outcome.NO_ANSWER), Result(Outcome.SUCCESS)]))
    fax = h.fax(max_attempts=3, retry_delay=60)
    await h.scheduler.advance(10_000)
    assert h.statuses(fax) == [
        "queued",
        "converting",
        "waiting",
        "sending",
        "waiting",
        "sending",
        "waiting",
        "sending",
        "done",
    ]
    times = [at for at, _ in fax.history]
    assert times[4] == 10 and times[5] == 70  # the requeue dwell is the retry delay
    assert fax.attempts == 3 and [r.outcome for r in fax.attempt_results] == [
        Outcome.BUSY,
        Outcome.NO_ANSWER,
        Outcome.SUCCESS,
    ]


async def test_retries_stop_at_max_attempts_and_end_with_the_last_outcome():
    h = Harness(ScriptedPolicy([Result(Outcome.BUSY)]))
    fax = h.fax(max_attempts=2, retry_delay=5)
    await h.scheduler.advance(10_000)
    assert fax.attempts == 2 and fax.status == "failed_busy"


async def test_non_retryable_outcomes_end_at_once():
    h = Harness(ScriptedPolicy([Result(Outcome.INVALID_NUMBER)]))
    fax = h.fax(max_attempts=5, retry_delay=5)
    await h.scheduler.advance(10_000)
    assert fax.attempts == 1 and fax.status == "failed"


async def test_conversion_failure_ends_after_the_convert_state_without_an_attempt():
    h = Harness(ScriptedPolicy([Result(Outcome.CONVERSION_FAILED)]))
    fax = h.fax(max_attempts=3)
    await h.scheduler.advance(100)
    assert h.statuses(fax) == ["queued", "converting", "failed"]
    assert fax.attempts == 0 and fax.result.outcome is Outcome.CONVERSION_FAILED


async def test_an_unreadable_document_fails_conversion_whatever_the_policy_says():
    h = Harness()
    fax = h.fax(document_ok=False)
    await h.scheduler.advance(100)
    assert h.statuses(fax)[-1] == "failed" and fax.result.outcome is Outcome.CONVERSION_FAILED


async def test_attempt_one_is_decided_once():
    h = Harness()
    h.fax()
    await h.scheduler.advance(100)
    assert h.policy.asked == [1]


async def test_a_future_send_time_holds_the_fax_in_the_hold_state():
    h = Harness()
    fax = h.fax(not_before=3600)
    await h.scheduler.advance(3599)
    assert fax.status == "waiting"
    await h.scheduler.advance(1)
    assert fax.status == "sending"


async def test_policy_dwell_overrides_the_machine_default():
    h = Harness(ScriptedPolicy(delays={"converting": 100}))
    fax = h.fax()
    await h.scheduler.advance(50)
    assert fax.status == "converting"


async def test_cancel_ends_a_running_fax_and_stops_its_timer():
    h = Harness()
    fax = h.fax()
    await h.scheduler.advance(2)
    assert h.engine.cancel(fax) is True
    await h.scheduler.advance(1000)
    assert h.statuses(fax) == ["queued", "converting", "cancelled"]
    assert h.engine.cancel(fax) is False  # already ended


@pytest.mark.parametrize(
    "results",
    [
        [Result(Outcome.SUCCESS)],
        [Result(Outcome.BUSY), Result(Outcome.SUCCESS)],
        [Result(Outcome.CONVERSION_FAILED)],
        [Result(Outcome.PARTIAL, pages_sent=1)],
        [Result(Outcome.NO_ANSWER, native="failed_special")],
    ],
)
async def test_every_transition_the_engine_makes_is_declared_by_the_machine(results):
    h = Harness(ScriptedPolicy(results))
    h.fax(max_attempts=3, retry_delay=1)
    await h.scheduler.advance(10_000)
    declared = MACHINE.transitions()
    assert all((old, new) in declared for old, new, _ in h.events)


def test_machine_rejects_a_requeue_state_outside_prepare():
    with pytest.raises(ValueError):
        Machine(prepare=("a",), transmit="b", success="c", failure="d", dwell={}, requeue="zzz")


def test_magic_numbers_are_found_by_a_destinations_last_digits_however_long_it_is():
    """The default policy's look-up, remembered (``remembered``, the runtime's memo) for
    destinations up to ``REMEMBERED_DESTINATION`` characters, and each time for a longer one
    (never kept), gives what ``magic_number`` gives, as it does with no memo at all."""
    from emulator.core.cache import Memos
    from emulator.core.outcomes import SUCCESS
    from emulator.core.policies import MAGIC_NUMBERS_OF, REMEMBERED_DESTINATION, MagicNumberPolicy

    remembered = Memos()[MAGIC_NUMBERS_OF]  # as the runtime's cache makes it
    long_busy_then_ok = "+" + "1" * REMEMBERED_DESTINATION + "5550011"
    for policy in (MagicNumberPolicy(remembered), MagicNumberPolicy()):

        def attempt(to: str, n: int, policy: MagicNumberPolicy = policy) -> Result:
            return policy.attempt(Run(Fax("f", "v", "t", "outbound", to, "", "", 0.0), lambda run: None), n)

        for to in ("+15550011", "+1 (555) 0011", long_busy_then_ok):
            outcomes = [attempt(to, n).outcome for n in (1, 2, 3)]
            assert outcomes == [Outcome.BUSY, Outcome.SUCCESS, Outcome.SUCCESS], to
        assert attempt("+15550003", 1).outcome is Outcome.INVALID_NUMBER
        assert attempt("+12025550123", 1) is SUCCESS
    assert set(remembered) == {"+15550011", "+1 (555) 0011", "+15550003", "+12025550123"}
