"""The per-request record: what the emulator learns about one vendor request while answering it."""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(slots=True)
class Exchange:
    """What the emulator learns about one vendor request while answering it: made by the
    request pipeline, filled in by the vendor's auth and handlers, read for the journal
    and the violations log (one object, so a request pays for one request key)."""

    operation: str | None  # the route's name; None for a path under a prefix that no route matches
    #: when the request arrived, on the emulator clock: what it checks or shows as of its
    #: arrival (a token's expiry, a live status, the journal's time) uses this one reading
    at: float
    tenant: str | None = None  # the caller, once the vendor's auth has said (``identify``)
    fax_ids: Sequence[str] = ()  # the faxes the request made (a handler that makes faxes sets it)
    context: Any = None  # what the vendor's ``authenticate`` learned, for its handlers and errors
    body: bytes | None = None  # the request body as read, for the journal (which bounds what it keeps)

    def identify(self, tenant: str) -> None:
        """Vendor auth: the caller is ``tenant``. Call it before changing anything.

        It records the tenant for the journal and the violations log, and lets scenario
        fault rules on the tenant act now (which may raise ``ScriptedFault``: let it through).
        """
        self.tenant = tenant
        gate = GATE.get()
        if gate is not None:
            gate.identified(tenant)


#: per vendor request: its ``Exchange``
EXCHANGE = web.RequestKey("exchange", Exchange)


#: the scenario gate of the vendor request being handled, if any (``scenarios.gate.CURRENT``);
#: it lives here so that ``Exchange.identify`` reaches it without importing the scenarios package
GATE: contextvars.ContextVar[Any] = contextvars.ContextVar("fax_emulator_gate", default=None)
