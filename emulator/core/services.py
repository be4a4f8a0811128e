"""What a vendor may use of the running emulator: the ``Services`` it is handed.

Every vendor hook (``Vendor.authenticate``, ``on_transition``, ``pre_dial``, ``receive``, ``view``) and
every handler (through ``request.app[keys.RUNTIME]``) gets the Runtime, but sees it only
as this narrow view: the store, ids, the clock and its scheduler, the engine, submitting
faxes, webhooks, e-mails, workers, caches and pages, who is calling, and its own accounts and options. The rest of
the Runtime (the journal, the contract checks, the scenarios, the vendor table) is the
emulator's own business. A vendor module imports this, never ``core.runtime``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from emulator.core.cache import Cache
    from emulator.core.callers import Callers
    from emulator.core.clock import Clock
    from emulator.core.exchange import Gate
    from emulator.core.ids import Ids
    from emulator.core.lifecycle import Engine
    from emulator.core.mailbox import Mailbox
    from emulator.core.scheduler import Scheduler
    from emulator.core.store import Fax, Store, Tenant
    from emulator.core.webhooks import Dispatcher
    from emulator.core.work import Work


class Services(Protocol):
    """The running emulator as a vendor sees it (the Runtime is one)."""

    @property
    def config(self) -> Any:
        """The emulator's settings (``emulator.config.Config``: limits, strict mode...)."""

    @property
    def store(self) -> Store: ...

    @property
    def ids(self) -> Ids: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def scheduler(self) -> Scheduler: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def dispatcher(self) -> Dispatcher: ...

    @property
    def mailbox(self) -> Mailbox: ...

    @property
    def work(self) -> Work:
        """Worker processes for CPU-heavy work (parsing, rendering)."""

    @property
    def cache(self) -> Cache:
        """Every cache (core/cache.py): views of faxes kept until the fax changes, memos, and
        every fax's pages as printed (``cache.pages``)."""

    @property
    def callers(self) -> Callers:
        """Who each credential is, remembered for the vendors' auth."""

    @property
    def accounts(self) -> dict[str, list[dict[str, Any]]]:
        """Vendor name -> its declared accounts (none: any credential is its own tenant)."""

    @property
    def options(self) -> dict[str, dict[str, Any]]:
        """Vendor name -> its option switches and declared data, complete with defaults."""

    def now(self) -> float:
        """The emulated time now."""

    def tenant(self, vendor: str, tenant_id: str) -> Tenant:
        """The tenant, created on first use."""

    def submit(self, fax: Fax, gate: Gate | None) -> Fax:
        """Store a new outbound fax and start it (``gate``: the request's, ``exchange.gate``)."""

    def start(self, fax: Fax, gate: Gate | None) -> Fax:
        """Start a stored fax on its vendor's machine."""

    def cancel(self, fax: Fax) -> None:
        """Cancel a fax that has not ended (Conflict if it cannot be)."""
