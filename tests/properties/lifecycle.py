"""One Hypothesis state machine for every vendor's fax lifecycle, driven through its HTTP API.

A program sends faxes to magic and ordinary destinations (README "Magic destination
numbers"), moves the manual clock on by random amounts, cancels faxes (through the vendor
API where it has a cancel, the control API otherwise) and reads them back through the
vendor API. After every step the control API's history (``GET /_emulator/faxes``) must show:

* only transitions of the vendor machine's ``transitions()``, a terminal status only last,
  and a history that only grows (a terminal status is final);
* every fax the vendor accepted, still listed (none lost);
* for each fax exactly the webhooks the vendor sends for its state (the driver says which),
  each delivered.

When the program ends the clock runs until nothing is left to do: then every fax has
ended, in exactly one terminal status, and the vendor API agrees with the control API.
Only outbound faxes are made here; inbound ones are driven outside the machine
(``engine.record``), and so is a Kazoo resubmission (``resubmitting``).
"""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from emulator.testing import FaxEmulator
from emulator.testing.records import FaxRecord
from tests.properties.vendors import Driver
from tests.properties.vendors.base import MAGIC, ORDINARY

_programs = itertools.count(1)

#: short steps move a fax one state on; long ones cross retry delays (Kazoo waits 300 s)
SECONDS = st.one_of(st.integers(0, 20), st.sampled_from([30, 60, 120, 301, 900]))


class Lifecycle(RuleBasedStateMachine):
    """Subclassed per test with ``emulator``, ``driver`` (a Driver class) and ``hooks`` (a URL)."""

    emulator: FaxEmulator
    driver_type: type[Driver]
    hooks_url: str

    faxes = Bundle("faxes")

    def __init__(self) -> None:
        super().__init__()
        self.client = self.emulator.client
        # a tenant of its own for each program: nothing to reset, and nothing of another program to see
        self.driver = self.driver_type(self.emulator, f"lifecycle-{next(_programs)}")
        self.driver.subscribe(self.hooks_url)
        self.machine = self.driver.machine
        self.accepted: list[str] = []
        self.seen: dict[str, list[str]] = {}

    def records(self) -> list[FaxRecord]:
        return self.client.faxes(self.driver.name, tenant=self.driver.tenant, direction="outbound")

    # -- rules --------------------------------------------------------------------------------
    @rule(target=faxes, suffix=st.sampled_from(MAGIC + ORDINARY), retries=st.integers(0, 2))
    def send(self, suffix: str, retries: int) -> str:
        fax_id = self.driver.send(self.driver.destination(suffix), retries)
        assert fax_id not in self.accepted, f"id {fax_id} given twice"
        self.accepted.append(fax_id)
        return fax_id

    @rule(seconds=SECONDS)
    def advance(self, seconds: int) -> None:
        self.client.advance(seconds)

    @rule(fax_id=faxes)
    def cancel(self, fax_id: str) -> None:
        before = self.client.fax(fax_id)
        accepted = self.driver.cancel(before)
        assert accepted == (self.machine.cancelled is not None and not before.terminal), before.statuses
        after = self.client.fax(fax_id)
        assert after.statuses == ([*before.statuses, self.machine.cancelled] if accepted else before.statuses)

    @rule(fax_id=faxes)
    def read(self, fax_id: str) -> None:
        self.check_view(self.client.fax(fax_id))

    # -- what must always hold --------------------------------------------------------------
    def check_view(self, fax: FaxRecord) -> None:
        assert self.driver.shown(fax) == self.driver.expected_shown(fax), f"{fax.id}: {fax.statuses}"

    @invariant()
    def every_fax_follows_the_machine(self) -> None:
        records = self.records()
        missing = set(self.accepted) - {fax.id for fax in records}
        assert not missing, f"accepted faxes no longer listed: {missing}"
        for fax in records:
            self.check_history(fax)

    def check_history(self, fax: FaxRecord) -> None:
        statuses, allowed, terminal = fax.statuses, self.machine.transitions(), self.machine.terminal
        assert statuses, f"{fax.id} has no history"
        for step in zip([None, *statuses], statuses, strict=False):
            assert step in allowed, f"{fax.id}: {step} is not a transition of the machine: {statuses}"
        ends = [status for status in statuses if status in terminal]
        assert ends == ([statuses[-1]] if statuses[-1] in terminal else []), f"{fax.id}: {statuses}"
        assert fax.terminal == (statuses[-1] in terminal)
        before = self.seen.get(fax.id, [])
        assert statuses[: len(before)] == before, f"{fax.id}: history rewritten from {before} to {statuses}"
        self.seen[fax.id] = statuses

    @invariant()
    def each_ended_fax_sent_exactly_the_vendors_webhooks(self) -> None:
        deliveries = self.client.webhooks(self.driver.name, tenant=self.driver.tenant)
        owner = {alias: fax for fax in self.records() for alias in (fax.id, *fax.raw["aliases"])}
        strays = [d for d in deliveries if d.fax_id not in owner]
        assert not strays, f"webhooks for no fax of ours: {[(d.event, d.fax_id) for d in strays]}"
        for fax in {id(f): f for f in owner.values()}.values():
            got = Counter((d.event, d.url) for d in deliveries if owner[d.fax_id] is fax)
            assert got == self.driver.expected_hooks(fax), f"{fax.id} ({fax.status}): {got}"
        undelivered = [(d.event, d.state, [a.status for a in d.attempts]) for d in deliveries if d.state != "delivered"]
        assert not undelivered, undelivered

    def teardown(self) -> None:
        try:
            self.client.run_until_idle()
            for fax in self.records():
                assert fax.terminal, f"{fax.id} never ended: {fax.statuses}"
                self.check_history(fax)
                self.check_view(fax)
            self.each_ended_fax_sent_exactly_the_vendors_webhooks()
        finally:
            self.driver.close()
