"""The per-request record: what the emulator learns about one vendor request while answering it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

if TYPE_CHECKING:
    from emulator.core.store import Fax


class Gate(Protocol):
    """The scenario gate of one request (``core/scenarios/gate.py``): fault rules that act as
    the facts they match on become known. Each checkpoint may raise ``ScriptedFault``."""

    def identified(self, tenant: str) -> None:
        """The vendor knows the caller's tenant."""

    def submitting(self, fax: Fax) -> None:
        """A fax is about to be stored (its tenant and destination are known)."""

    def decided(self, rule: str | None) -> None:
        """The scenario rule that decided a fax this request made, for the journal."""


@dataclass(slots=True, repr=False, eq=False)
class Exchange:
    """What the emulator learns about one vendor request while answering it: made by the
    request pipeline, filled in by the vendor's auth and handlers, read for the journal
    and the violations log (one object, so a request pays for one request key)."""

    operation: str | None  # the route's name; None for a path under a prefix that no route matches
    #: when the request arrived, on the emulator clock: what it checks or shows as of its
    #: arrival (a token's expiry, a live status, the journal's time) uses this one reading
    at: float
    #: the scenario gate, when a scenario is in force (None otherwise): ``identify`` and
    #: ``Runtime.submit`` hand it the facts it waits for
    gate: Gate | None = None
    tenant: str | None = None  # the caller's tenant id, once the vendor's auth has said (``identify``)
    #: who is calling, as the vendor's ``authenticate`` returned it: each vendor's own typed
    #: value (its ``auth.Caller``), read back through its own accessor
    caller: object = None
    #: the faxes the request made (a handler that makes faxes sets it): a tuple, as the journal
    #: keeps it in the request's entry, and a tuple of strings (and the entry holding only such)
    #: is one the cyclic collector stops walking; a list kept both tracked, 10,000 entries
    fax_ids: tuple[str, ...] = ()
    body: bytes | None = None  # the request body as read, for the journal (which bounds what it keeps)

    def identify(self, tenant: str) -> None:
        """Vendor auth: the caller is ``tenant``. Call it before changing anything.

        It records the tenant for the journal and the violations log, and lets scenario
        fault rules on the tenant act now (which may raise ``ScriptedFault``: let it through).
        """
        self.tenant = tenant
        gate = self.gate
        if gate is not None:
            gate.identified(tenant)


#: per vendor request: its ``Exchange``
EXCHANGE = web.RequestKey("exchange", Exchange)
