"""In-memory state, organised by tenant: faxes, documents and vendor resources.

A tenant is one vendor account, keyed by ``(vendor, tenant_id)``; the vendor's auth
decides the id from the caller's credential. Nothing here is shared between tenants,
so one tenant can never see another's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from emulator.core.retention import Retention

if TYPE_CHECKING:
    from emulator.core.documents import Document
    from emulator.core.outcomes import Result

T = TypeVar("T")

#: tenants that own nothing are looked for once the store holds this many more tenants than
#: it kept at the last look (and never fewer); one that owned nothing at two looks in a row
#: is forgotten, so at most about three times this many such tenants are held at once
IDLE_TENANTS = 256


class Timer(Protocol):
    """A pending timer (``core.scheduler.Timer``), named by what the store needs of it: the
    scheduler publishes events that show faxes, so the store does not import it."""

    def cancel(self) -> None: ...


@dataclass(slots=True, eq=False)
class Fax:
    """One fax to or from one number, in any vendor.

    Core fields drive the status machine; ``extra`` holds what only the vendor's
    serialiser needs (subject, cover page, options, its own ids).
    """

    id: str
    vendor: str
    tenant: str
    direction: str  # "outbound" or "inbound"
    to: str
    sender: str
    status: str
    created_at: float
    pages: int = 1
    documents: list[Document] = field(default_factory=list)
    document_ok: bool = True  # False: the document cannot be converted (fails at conversion)
    history: list[tuple[float, str]] = field(default_factory=list)
    attempts: int = 0
    max_attempts: int = 1
    retry_delay: float = 0.0
    not_before: float | None = None
    result: Result | None = None  # the final result, once terminal
    attempt_results: list[Result] = field(default_factory=list)
    started_at: float | None = None  # first transmission attempt began
    ended_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: its documents' bytes were dropped by retention (core/retention.py): downloads answer
    #: as the vendor answers for an expired file
    documents_expired: bool = False
    aliases: list[str] = field(default_factory=list)  # other ids the vendor gave it
    timer: Timer | None = None
    pending: Result | None = None  # the running attempt's result, decided when it starts
    decision: Any = None  # the scenario's decision for the current attempt (core/scenarios/policy.py)

    @property
    def terminal(self) -> bool:
        return self.ended_at is not None

    @property
    def pages_sent(self) -> int:
        return self.result.pages(self.pages) if self.result else 0


def kept(fax: Fax, name: str, key: Any, make: Callable[[Fax, Any], T]) -> T:
    """``make(fax, key)``, kept with the fax (as ``fax.extra[name]``) and given back while
    ``key`` is the same.

    For what a vendor shows of a fax, which clients poll far more often than it changes
    (each vendor's hot read serialises its fax once per change this way). ``key`` must
    change whenever anything ``make`` reads does: the fax's transitions (``len(fax.history)``
    counts them), an edit, the options it is shown with, the live status it shows.
    """
    found = fax.extra.get(name)
    if found is not None and found[0] == key:
        return found[1]
    value = make(fax, key)
    fax.extra[name] = (key, value)
    return value


@dataclass(eq=False)
class Tenant:
    """One vendor account: its faxes (insertion ordered) and named resource collections."""

    vendor: str
    id: str
    created_at: float
    faxes: dict[str, Fax] = field(default_factory=dict)
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def collection(self, name: str) -> dict[str, Any]:
        """A named dict of resources (files, hooks, faxboxes...), created on first use."""
        found = self.collections.get(name)
        if found is None:
            found = self.collections[name] = {}
        return found


class Store:
    """Every tenant and a global index of faxes (by id and by alias), within the limits of
    its ``retention`` (oldest ended faxes, and their documents, go first)."""

    def __init__(self, retention: Retention | None = None) -> None:
        self.tenants: dict[tuple[str, str], Tenant] = {}
        self.faxes: dict[str, Fax] = {}
        self.retention = retention if retention is not None else Retention()
        self.retention.drop = self.remove
        #: vendor -> whether one of its tenants owns anything its vendor would not make again
        #: the same from its id (``owns(tenant)``); a vendor not here: a tenant owns what it holds
        self.owns: dict[str, Callable[[Tenant], bool]] = {}
        #: called after tenants were forgotten (to drop what was remembered about them)
        self.forgot: list[Callable[[], None]] = []
        self._idle: set[tuple[str, str]] = set()  # the tenants that owned nothing at the last look
        self._next_look = IDLE_TENANTS

    def tenant(self, vendor: str, tenant_id: str, now: float) -> Tenant:
        """The tenant, created on first use."""
        key = (vendor, tenant_id)
        found = self.tenants.get(key)
        if found is None:
            if len(self.tenants) >= self._next_look:
                self.forget_idle()
            found = self.tenants[key] = Tenant(vendor, tenant_id, now)
        return found

    def forget_idle(self) -> int:
        """Forget the tenants that owned nothing at this look and the last one (a credential
        that was only ever read with leaves nothing lasting); returns how many went.

        Two looks, not one, so a tenant a request is still working with (made since the last
        look) is never forgotten under it."""
        idle = {key for key, tenant in self.tenants.items() if not self._owns(tenant)}
        gone = idle & self._idle
        for key in gone:
            del self.tenants[key]
        self._idle = idle - gone
        self._next_look = len(self.tenants) + IDLE_TENANTS
        if gone:
            for listener in self.forgot:
                listener()
        return len(gone)

    def _owns(self, tenant: Tenant) -> bool:
        owns = self.owns.get(tenant.vendor)
        if owns is not None:
            return owns(tenant)
        return bool(tenant.faxes or tenant.settings or any(tenant.collections.values()))

    def find_tenant(self, vendor: str, tenant_id: str) -> Tenant | None:
        return self.tenants.get((vendor, tenant_id))

    def add(self, fax: Fax) -> Fax:
        """Index a new fax in the global index and its tenant."""
        tenant = self.tenants[(fax.vendor, fax.tenant)]
        tenant.faxes[fax.id] = fax
        self.faxes[fax.id] = fax
        self.retention.added(fax)
        return fax

    def ended(self, fax: Fax) -> None:
        """``fax`` reached a terminal status: retention may now drop it (or others)."""
        if self.faxes.get(fax.id) is fax:
            self.retention.ended(fax)

    def alias(self, fax: Fax, alias: str) -> None:
        """Make ``alias`` a second id of ``fax`` (for a vendor that re-ids finished faxes)."""
        fax.aliases.append(alias)
        if self.faxes.get(fax.id) is not fax:  # retention already let it go
            return
        self.faxes[alias] = fax
        self.tenants[(fax.vendor, fax.tenant)].faxes[alias] = fax

    def get(self, fax_id: str) -> Fax | None:
        return self.faxes.get(fax_id)

    def remove(self, fax: Fax) -> None:
        """Forget ``fax`` under every id it has."""
        if self.faxes.get(fax.id) is not fax:
            return
        self.retention.forgotten(fax)
        tenant = self.tenants.get((fax.vendor, fax.tenant))
        for key in (fax.id, *fax.aliases):
            self.faxes.pop(key, None)
            if tenant is not None:
                tenant.faxes.pop(key, None)

    def all_faxes(self) -> list[Fax]:
        """Every fax once (aliases skipped), oldest first."""
        return [fax for key, fax in self.faxes.items() if key == fax.id]

    def load(self, tenants: list[Tenant], faxes: list[Fax]) -> None:
        """Hold ``tenants`` and ``faxes`` (oldest first) in an empty store, as a snapshot or the
        data file had them, within the limits of retention."""
        for tenant in tenants:
            self.tenants[(tenant.vendor, tenant.id)] = tenant
        for fax in faxes:
            tenant = self.tenants[(fax.vendor, fax.tenant)]
            for key in (fax.id, *fax.aliases):
                tenant.faxes[key] = fax
                self.faxes[key] = fax
        self.retention.loaded(faxes)

    def reset(self, vendor: str | None = None, tenant_id: str | None = None) -> list[Fax]:
        """Drop everything, or one tenant; returns the faxes dropped (to stop their timers)."""
        if vendor is None:
            everything = self.all_faxes()
            self.tenants.clear()
            self._idle.clear()
            self.faxes.clear()
            self.retention.cleared()
            return everything
        keys = [k for k in self.tenants if k[0] == vendor and (tenant_id is None or k[1] == tenant_id)]
        dropped: list[Fax] = []
        for key in keys:
            tenant = self.tenants.pop(key)
            dropped.extend(f for k, f in tenant.faxes.items() if k == f.id)
        for fax in dropped:
            self.retention.forgotten(fax)
            for fax_id in (fax.id, *fax.aliases):
                self.faxes.pop(fax_id, None)
        return dropped
