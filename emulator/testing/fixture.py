"""What the ``fax_emulator`` pytest fixture gives a test: a control client bound to one
emulator, plus credentials, webhook receivers and this test's contract violations.

Everything here is synchronous. In an async test whose own event loop serves something
the emulator calls (the app's webhook endpoint, say), use the awaitable twins under
``fax_emulator.aio``: they run the call in a worker thread, so that loop keeps serving
while the emulator waits for it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from emulator.core.views import clock_json
from emulator.testing.client import ControlClient
from emulator.testing.credentials import Credentials, make_credentials
from emulator.testing.records import ClockState, FaxRecord, RequestRecord, ViolationRecord, WebhookDelivery
from emulator.testing.server import FaxEmulator

if TYPE_CHECKING:
    from emulator.core.runtime import Runtime
    from emulator.testing.receiver import WebhookReceiver

OPT_OUT = "@pytest.mark.fax_emulator(allow_violations=True)"
#: a failed test that spent this many wall seconds with its emulator's manual clock still,
#: and a fax unfinished, gets a hint that the clock is manual
STILL_CLOCK_SECONDS = 1.0


class EmulatorFixture(ControlClient):
    """A control client for one test: ``base_url``, ``advance``, ``faxes``, ``webhooks``... (see
    ``ControlClient``), and the extras below. ``violations()`` counts from the test's start."""

    def __init__(
        self, emulator: FaxEmulator, namespace: str, *, allow_violations: bool | str = False, reset: bool = False
    ) -> None:
        """``reset``: forget everything the emulator holds first (a shared emulator's next test)."""
        super().__init__(emulator.url, emulator.timeout)
        self._vendors = emulator.client.served()  # asked once per emulator, not once per test
        self.emulator = emulator
        self.namespace = namespace
        #: True: no violation fails the test; "warnings": only errors do; False: every one does
        self.allow_violations = allow_violations
        # an emulator in this process (FaxEmulator, not a container) is asked on its own loop:
        # one call there, where three control requests cost a session-scoped test about 1 ms
        if isinstance(emulator, FaxEmulator):
            baseline, clock = emulator.call(_begin, emulator.runtime, reset)
        else:
            if reset:
                self.reset()
            baseline, clock = self.last_violation(), self.call("GET", "/clock")
        #: violations numbered above this one were recorded during this test
        self.baseline: int = baseline
        #: the emulated time when the test began (a manual clock that never moves stays there)
        self.started_at = ClockState.from_json(clock)
        self.aio = AsyncControl(self)
        self._receivers: list[WebhookReceiver] = []

    def credentials(self, vendor: str, name: str = "default") -> Credentials:
        """Credentials of this test for ``vendor`` (a distinct tenant per test and per ``name``)."""
        self.vendor(vendor)  # a clear error now for a vendor this emulator does not serve
        return make_credentials(vendor, name, self.namespace)

    @property
    def receiver(self) -> WebhookReceiver:
        """This test's webhook receiver: register ``receiver.url``, assert on ``receiver.received``."""
        if not self._receivers:
            self.new_receiver()
        return self._receivers[0]

    def new_receiver(self, path: str = "/hook") -> WebhookReceiver:
        """One more receiver on its own port (e.g. one that fails while another answers)."""
        receiver = self.emulator.receiver(path)
        self._receivers.append(receiver)
        return receiver

    def violations(self, vendor: str | None = None, since: int | None = None) -> list[ViolationRecord]:
        """Contract violations recorded during this test (or after violation ``since``)."""
        return super().violations(vendor, self.baseline if since is None else since)

    def contract_failure(self) -> str | None:
        """Why the test must fail because of contract violations, or None."""
        if self.allow_violations is True:
            return None
        if isinstance(self.emulator, FaxEmulator):
            found = [
                ViolationRecord.from_json(v)
                for v in self.emulator.call(_violations_since, self.emulator.runtime, self.baseline)
            ]
        else:
            found = self.violations()
        if self.allow_violations == "warnings":
            found = [v for v in found if v.severity != "warning"]
        if not found:
            return None
        lines = [f"fax-emulator: {len(found)} vendor contract violation(s) recorded during this test:"]
        lines += [f"  {number}. {v.describe()}" for number, v in enumerate(found, start=1)]
        lines.append(
            f"The code under test sent or expected something the real vendor would not accept. Fix it, "
            f"or mark the test {OPT_OUT} and assert on fax_emulator.violations()."
        )
        return "\n".join(lines)

    def manual_clock_hint(self, waited: float) -> str | None:
        """Why a failed test that ran ``waited`` wall seconds may have waited in vain: its
        clock is manual and never moved while a fax was unfinished; else None.

        A test that sleeps or polls for a status under the manual clock waits for ever; this is
        the cheap, sound sign of it: wall time passed, emulated time did not, a fax is stuck.
        """
        if waited < STILL_CLOCK_SECONDS or self.started_at.mode != "manual" or not self.emulator.running:
            return None
        if self.clock().now != self.started_at.now:
            return None
        stuck = [f for f in self.faxes() if not f.terminal]
        if not stuck:
            return None
        shown = ", ".join(f"{f.id} ({f.vendor}) is still {f.status!r}" for f in stuck[:3])
        more = f" and {len(stuck) - 3} more" if len(stuck) > 3 else ""
        return (
            f"fax-emulator: {shown}{more}: the emulator's clock is manual and did not move during this test "
            f"({waited:.1f} s). Time moves only when the test calls fax_emulator.advance(seconds) or "
            f"fax_emulator.run_until_idle(), never while it sleeps or polls."
        )

    def close(self) -> None:
        """Stop this test's receivers (a fresh emulator stops everything anyway) and close its connection."""
        if self.emulator.running:
            for receiver in self._receivers:
                self.emulator.close_receiver(receiver)
        self._receivers.clear()
        super().close()


def _begin(runtime: Runtime, reset: bool) -> tuple[int, dict[str, Any]]:
    """On the emulator's loop: reset it if asked; the newest violation's number and the clock."""
    if reset:
        runtime.reset()
    return runtime.journal.last_violation, clock_json(runtime)


def _violations_since(runtime: Runtime, seq: int) -> list[dict[str, Any]]:
    """On the emulator's loop: the violations recorded after number ``seq``, as the control API lists them."""
    return [dict(v) for v in runtime.journal.violations_since(seq)]


class AsyncControl:
    """Awaitable twins of the fixture's control calls, each run in a worker thread."""

    def __init__(self, sync: EmulatorFixture) -> None:
        self._sync = sync

    async def advance(self, seconds: float, webhook_wait: float | None = None) -> ClockState:
        return await asyncio.to_thread(self._sync.advance, seconds, webhook_wait)

    async def run_until_idle(self, webhook_wait: float | None = None) -> ClockState:
        return await asyncio.to_thread(self._sync.run_until_idle, webhook_wait)

    async def faxes(
        self,
        vendor: str | None = None,
        status: str | None = None,
        tenant: str | None = None,
        direction: str | None = None,
    ) -> list[FaxRecord]:
        return await asyncio.to_thread(self._sync.faxes, vendor, status, tenant, direction)

    async def fax(self, fax_id: str) -> FaxRecord:
        return await asyncio.to_thread(self._sync.fax, fax_id)

    async def requests(self, vendor: str | None = None, tenant: str | None = None) -> list[RequestRecord]:
        return await asyncio.to_thread(self._sync.requests, vendor, tenant)

    async def webhooks(
        self,
        vendor: str | None = None,
        tenant: str | None = None,
        event: str | None = None,
        fax_id: str | None = None,
        state: str | None = None,
    ) -> list[WebhookDelivery]:
        return await asyncio.to_thread(self._sync.webhooks, vendor, tenant, event, fax_id, state)

    async def redeliver(self, delivery_id: int) -> WebhookDelivery:
        return await asyncio.to_thread(self._sync.redeliver, delivery_id)

    async def violations(self, vendor: str | None = None) -> list[ViolationRecord]:
        return await asyncio.to_thread(self._sync.violations, vendor)

    async def inbound(self, vendor: str, to: str, sender: str, **options: Any) -> FaxRecord:
        return await asyncio.to_thread(lambda: self._sync.inbound(vendor, to, sender, **options))

    async def wait_for(self, fax_id: str, status: str | None = None, **options: Any) -> FaxRecord:
        return await asyncio.to_thread(lambda: self._sync.wait_for(fax_id, status, **options))

    async def wait_for_webhook(self, **options: Any) -> WebhookDelivery:
        return await asyncio.to_thread(lambda: self._sync.wait_for_webhook(**options))

    async def load_scenario(self, scenario: str | os.PathLike[str] | Mapping[str, Any]) -> Any:
        return await asyncio.to_thread(self._sync.load_scenario, scenario)

    async def reset(self, vendor: str | None = None, tenant: str | None = None) -> int:
        return await asyncio.to_thread(self._sync.reset, vendor, tenant)
