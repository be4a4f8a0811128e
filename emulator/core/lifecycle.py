"""Declarative status machines and the engine that drives faxes through them.

A vendor declares its machine as data: the states a fax passes through before a
transmission attempt (``prepare``), the state an attempt runs in (``transmit``), where a
fax waits between attempts (``requeue``), and how neutral outcomes map to its terminal
statuses. The engine moves every fax on the scheduler (one timer per fax at a time),
records each transition with its clock time, and tells the vendor about each one.

The shape covers all four vendors::

    CallerIP  Loading -> Converting -> Pending -> Sending -> Success | Failed
    FAX.PLUS  submitted -> converting -> scheduled_for_sending -> sending -> <fax status>
    Imagicle  Queued -> InProgress -> (Queued -> InProgress)* -> Completed | Failed
    Kazoo     pending -> locked -> processing -> (pending ...)* -> completed | failed
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from emulator.core.events import Events
from emulator.core.outcomes import SUCCESS, Outcome, Result
from emulator.core.policies import OutcomePolicy
from emulator.core.run import Run
from emulator.core.scheduler import Action, Scheduler
from emulator.core.store import Fax, Transition

Listener = Callable[[Fax, str | None, str], None]
#: a vendor's own check as an attempt enters transmission, before the call: a Result refuses
#: the attempt (it ends so, no call is placed), None lets the call go ahead
PreDial = Callable[[Fax], Result | None]

UNREADABLE = Result(Outcome.CONVERSION_FAILED, rule="the document could not be read")
#: the attempts of a fax sent at its first attempt with no rule: most faxes, one shared tuple
FIRST_TRY = (SUCCESS,)


@dataclass(repr=False, eq=False)
class Machine:
    """One vendor's outbound status machine, as data."""

    prepare: tuple[str, ...]  # states before the first attempt, in order; prepare[0] is initial
    transmit: str  # the state an attempt runs in
    success: str  # terminal status for Outcome.SUCCESS
    failure: str  # terminal status for any outcome not in ``statuses``
    dwell: Mapping[str, float]  # default seconds in each state (transmit: call set-up)
    per_page: float = 30.0  # transmit seconds per page sent
    convert: str | None = None  # at the end of this state (first pass) a bad document fails
    requeue: str | None = None  # where a fax waits between attempts; None = no retries
    hold: str | None = None  # where a fax waits for a future send time (default: last prepare)
    cancelled: str | None = None  # status of a cancelled fax, if the vendor has one
    statuses: Mapping[Outcome, str] = field(default_factory=dict)  # outcome -> terminal status
    native: frozenset[str] = frozenset()  # vendor statuses a scenario may name directly
    #: failed outcomes this vendor retries; None = the neutral default (``Outcome.retryable``)
    retry: frozenset[Outcome] | None = None
    #: each state of ``prepare`` -> the state after it (the next of ``prepare``, or ``transmit``
    #: after the last): made from ``prepare``, so the engine's step is one look-up
    following: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.requeue is not None and self.requeue not in self.prepare:
            raise ValueError(f"requeue state {self.requeue!r} must be one of prepare")
        if self.convert is not None and self.convert not in (*self.prepare, self.transmit):
            raise ValueError(f"convert state {self.convert!r} is not a state of the machine")
        object.__setattr__(self, "following", dict(zip(self.prepare, (*self.prepare[1:], self.transmit), strict=True)))

    @property
    def initial(self) -> str:
        return self.prepare[0]

    @property
    def hold_state(self) -> str:
        return self.hold or self.prepare[-1]

    @property
    def terminal(self) -> frozenset[str]:
        """Every status a fax can end in."""
        ends = {self.success, self.failure, *self.statuses.values(), *self.native}
        if self.cancelled:
            ends.add(self.cancelled)
        return frozenset(ends)

    @property
    def states(self) -> tuple[str, ...]:
        """Every status, in lifecycle order."""
        return (*self.prepare, self.transmit, *sorted(self.terminal))

    def final_status(self, result: Result) -> str:
        if result.native is not None and result.native in self.native:
            return result.native
        if result.outcome is Outcome.SUCCESS:
            return self.success
        return self.statuses.get(result.outcome, self.failure)

    def transitions(self) -> frozenset[tuple[str | None, str]]:
        """Every (from, to) pair the engine can produce; ``None`` is submission."""
        pairs: set[tuple[str | None, str]] = {(None, self.initial)}
        path = (*self.prepare, self.transmit)
        pairs.update(self.following.items())
        ends = self.terminal - {self.cancelled}
        if self.convert is not None:
            pairs.update((self.convert, end) for end in ends)
        pairs.update((self.transmit, end) for end in ends)
        if self.requeue is not None:
            pairs.add((self.transmit, self.requeue))
            after = self.prepare.index(self.requeue)
            pairs.update(zip(self.prepare[after:], (*self.prepare[after + 1 :], self.transmit), strict=False))
        if self.cancelled:
            pairs.update((state, self.cancelled) for state in path)
        return frozenset(pairs)


class Engine:
    """Drives faxes through their vendor's machine on the scheduler."""

    def __init__(self, scheduler: Scheduler, policy: OutcomePolicy, events: Events | None = None) -> None:
        self.scheduler = scheduler
        self.events = events if events is not None else Events()
        self.clock = scheduler.clock
        self.policy = policy  # decides each attempt's result and each state's dwell time
        self.machines: dict[str, Machine] = {}
        self.listeners: dict[str, Listener] = {}
        self.pre_dials: dict[str, PreDial] = {}
        self._leave_state = self._leave  # bound once: every timer of every fax shares it
        #: fax id -> the engine's run of it, for each fax it drives (or waits on a timer for)
        self.runs: dict[str, Run] = {}
        #: told of each fax that has ended, after its vendor was (the store's retention)
        self.ended: Callable[[Fax], None] = lambda fax: None
        #: told of each change the engine makes to a fax, after its vendor's listener (the
        #: store's ``changed``: every change of a fax goes through it)
        self.changed: Callable[[Fax, Transition | None], None] = lambda fax, transition: None

    def register(
        self, vendor: str, machine: Machine, listener: Listener | None = None, pre_dial: PreDial | None = None
    ) -> None:
        self.machines[vendor] = machine
        if listener is not None:
            self.listeners[vendor] = listener
        if pre_dial is not None:
            self.pre_dials[vendor] = pre_dial

    # -- public operations --------------------------------------------------------
    def start(self, fax: Fax) -> Run:
        """Put a new outbound fax into its machine's initial state; returns its run (what the
        policy decided of its first attempt, even if the fax has ended already)."""
        run = self._run(fax)
        self._enter(run, self.machines[fax.vendor].initial)
        return run

    def schedule(self, fax: Fax, due: float, action: Action, *args: object) -> None:
        """Run ``action(*args)`` at ``due`` as the fax's one timer, which ``stop`` (and so
        ``finish`` and a reset) cancels: for a fax a vendor drives outside the machine (an
        inbound fax being received)."""
        self._run(fax).own = self.scheduler.at(due, action, *args)

    def run_of(self, fax: Fax) -> Run | None:
        """The engine's run of ``fax``, while it drives it."""
        return self.runs.get(fax.id)

    def _run(self, fax: Fax) -> Run:
        found = self.runs.get(fax.id)
        if found is None:
            found = self.runs[fax.id] = Run(fax, self._leave_state)
        return found

    def cancel(self, fax: Fax) -> bool:
        """Cancel a fax that has not ended; False if it has or the vendor cannot cancel."""
        machine = self.machines[fax.vendor]
        if fax.terminal or machine.cancelled is None:
            return False
        self.stop(fax)
        self._end(fax, machine.cancelled, None)
        return True

    def stop(self, fax: Fax) -> None:
        """Stop driving a fax without changing its status (e.g. it was deleted)."""
        run = self.runs.pop(fax.id, None)
        if run is not None:
            run.cancel()
            if run.own is not None:
                run.own.cancel()
                run.own = None

    def resume(self, fax: Fax, due: float) -> Run:
        """Drive a fax loaded from a snapshot again: it leaves its status at ``due``, as the
        timer it had would have made it; returns its run (to put back what was decided)."""
        run = self._run(fax)
        self.scheduler.arm(run, due)
        return run

    def leaves(self, fax: Fax) -> bool:
        """Whether the fax's timer is the machine's (it leaves its status then), not a vendor's own."""
        run = self.runs.get(fax.id)
        return run is not None and run.owner is not None and not run.cancelled

    def record(self, fax: Fax, status: str) -> None:
        """Set a status outside the machine (e.g. an inbound fax), with history and listener."""
        self._transition(fax, status)

    def finish(self, fax: Fax, status: str, result: Result | None = None) -> None:
        """End a fax driven outside the machine (e.g. an inbound fax) in a terminal ``status``."""
        self.stop(fax)
        self._end(fax, status, result)

    # -- the machine ----------------------------------------------------------------
    def _transition(self, fax: Fax, status: str, now: float | None = None) -> None:
        """``fax`` enters ``status`` at ``now`` (the clock's present time if None)."""
        previous = fax.status if fax.entered else None
        fax.status = status
        fax.entered += (self.clock.now() if now is None else now, status)
        self._count(fax, previous, status)
        listener = self.listeners.get(fax.vendor)
        if listener is not None:
            listener(fax, previous, status)
        self.changed(fax, (previous, status))  # after the vendor's listener: its event shows what that changed

    def _count(self, fax: Fax, previous: str | None, status: str) -> None:
        """Coverage: statuses entered, transitions taken, outcomes reached, faxes received."""
        tally, vendor, tenant = self.events.tally, fax.vendor, fax.tenant
        if fax.direction == "inbound":
            if previous is None:
                tally.add("inbound", vendor, tenant, "received")
            return
        tally.moved(vendor, tenant, previous, status)
        if fax.ended_at is not None and fax.result is not None:
            tally.add("outcomes", vendor, tenant, str(fax.result.outcome))  # (its value: a StrEnum's str)
            if fax.result.rule is not None and fax.result.rule != UNREADABLE.rule:
                tally.add("rules", vendor, tenant, fax.result.rule)

    def _enter(self, run: Run, state: str) -> None:
        fax = run.fax
        machine = self.machines[fax.vendor]
        now = self.clock.now()
        policy = self.policy
        if state == machine.transmit:
            # attempt 1 may have been decided already, when the document was converted
            result = run.pending or self._pre_dial(fax) or policy.attempt(run, fax.attempts + 1)
            if not fax.document_ok:
                result = UNREADABLE
            run.pending = result
            if fax.started_at is None:
                fax.started_at = now
            setup = policy.dwell(run, state, machine.dwell.get(state, 0.0))
            duration = setup + machine.per_page * result.pages(fax.pages)
        elif state == machine.requeue and fax.attempts > 0:
            duration = fax.retry_delay
        else:
            duration = policy.dwell(run, state, machine.dwell.get(state, 0.0))
        if fax.not_before is not None and state == machine.hold_state:
            duration = max(duration, fax.not_before - now)
        self._transition(fax, state, now)
        if fax.ended_at is None:  # a listener may have ended it
            self.scheduler.arm(run, now + duration)

    def _pre_dial(self, fax: Fax) -> Result | None:
        """The vendor's refusal of this attempt before it dials, if it refuses it. A refused
        attempt places no call, so it does not ask the outcome policy (a scenario's counters)."""
        pre_dial = self.pre_dials.get(fax.vendor)
        return pre_dial(fax) if pre_dial is not None and fax.document_ok else None

    def _leave(self, run: Run) -> None:
        fax = run.fax
        machine = self.machines[fax.vendor]
        state = fax.status
        if state == machine.transmit:
            self._attempt_done(run, machine)
            return
        if state == machine.convert and fax.attempts == 0:
            verdict = self.policy.attempt(run, 1)
            if not fax.document_ok:
                verdict = UNREADABLE
            if verdict.outcome is Outcome.CONVERSION_FAILED:
                self._finish(fax, machine, verdict)
                return
            run.pending = verdict
        self._enter(run, machine.following[state])

    def _attempt_done(self, run: Run, machine: Machine) -> None:
        fax = run.fax
        result = run.pending or Result(Outcome.SUCCESS)
        run.pending = None
        fax.attempts += 1
        if result is SUCCESS and not fax.attempt_results:
            fax.attempt_results = FIRST_TRY
        else:
            fax.attempt_results += (result,)
        retry = (
            not result.outcome.ok
            and (result.outcome.retryable if machine.retry is None else result.outcome in machine.retry)
            and result.native is None
            and machine.requeue is not None
            and fax.attempts < fax.max_attempts
        )
        if retry and machine.requeue is not None:  # (checked in ``retry`` too: for the type checker)
            self._enter(run, machine.requeue)
        else:
            self._finish(fax, machine, result)

    def _finish(self, fax: Fax, machine: Machine, result: Result) -> None:
        self._end(fax, machine.final_status(result), result)

    def _end(self, fax: Fax, status: str, result: Result | None) -> None:
        self.runs.pop(fax.id, None)  # it has ended: nothing left to drive
        fax.result = result
        fax.ended_at = now = self.clock.now()
        self._transition(fax, status, now)
        self.ended(fax)
