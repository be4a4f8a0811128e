"""In-memory state, organised by tenant: faxes, documents and vendor resources.

A tenant is one vendor account, keyed by ``(vendor, tenant_id)``; the vendor's auth
decides the id from the caller's credential. Nothing here is shared between tenants,
so one tenant can never see another's data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, TypeVar

from emulator.core.documents import Document
from emulator.core.history import Flat, History, flat
from emulator.core.outcomes import Result
from emulator.core.retention import Retention

T = TypeVar("T")
#: a status change the engine made: (the status left, None for a fax's first; the status entered)
Transition = tuple[str | None, str]

#: tenants that own nothing are looked for once the store holds this many more tenants than
#: it kept at the last look (and never fewer); one that owned nothing at two looks in a row
#: is forgotten, so at most about three times this many such tenants are held at once
IDLE_TENANTS = 256


@dataclass(slots=True, repr=False, eq=False)
class Fax:
    """One fax to or from one number, in any vendor.

    Core fields drive the status machine; ``record`` is the vendor's own typed record of it
    (``Vendor.record``: a dataclass in ``vendors/<name>/state.py``, read through that module's
    ``of(fax)``): subject, cover page, options, its own ids. What the engine needs only while
    it drives the fax (its timer, the attempt decided ahead) is the engine's (``core.run.Run``),
    and what is made from a fax to show it is the cache's (``core.cache``).

    Every change of a fax goes through ``Store.changed``, which counts it in ``version``.
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
    documents: Sequence[Document] = ()  # a tuple: smaller than a list, and a fax keeps it for life
    document_ok: bool = True  # False: the document cannot be converted (fails at conversion)
    #: time, status, time, status...: each status it entered, and when (flat, to be small: a
    #: fax keeps it for life; read it as ``history``)
    entered: Flat = ()
    attempts: int = 0
    max_attempts: int = 1
    retry_delay: float = 0.0
    not_before: float | None = None
    result: Result | None = None  # the final result, once terminal
    attempt_results: tuple[Result, ...] = ()  # one a finished attempt
    started_at: float | None = None  # first transmission attempt began
    ended_at: float | None = None
    #: the vendor's record of the fax (``Vendor.record``): plain data fields only, so that it
    #: converts to and from plain data (``to_data``, ``fax_from_data``); None if it has none
    record: Any = None
    #: its documents' bytes were dropped by retention (core/retention.py): downloads answer
    #: as the vendor answers for an expired file
    documents_expired: bool = False
    aliases: tuple[str, ...] = ()  # other ids the vendor gave it
    #: how many changes it has seen (``Store.changed``): what is made from it is kept while
    #: this stays the same (core/cache.py), and persistence writes it again when it moves
    version: int = 0

    @property
    def terminal(self) -> bool:
        return self.ended_at is not None

    @property
    def history(self) -> History:
        """Each status it entered, and when: ``(time, status)`` pairs, oldest first."""
        return History(self.entered)

    @property
    def statuses_entered(self) -> int:
        """How many statuses it has entered (``len(history)``, without making the view)."""
        return len(self.entered) >> 1

    @property
    def last_entered_at(self) -> float | None:
        """When it entered its present status (``history[-1][0]``); None before its first."""
        entered = self.entered
        return entered[-2] if entered else None  # type: ignore[return-value]  # time, status, ...: a time

    @property
    def pages_sent(self) -> int:
        return self.result.pages(self.pages) if self.result else 0

    @property
    def document_bytes(self) -> int:
        """The bytes its documents hold (what retention's document budget counts)."""
        documents = self.documents
        return sum(document.size for document in documents) if documents else 0  # (most have none)

    def to_data(self) -> dict[str, Any]:
        """The fax as plain data (str, int, float, bool, None, list, dict), and ``fax_from_data``
        makes it again. One exception: each document's bytes stay ``bytes`` under the key
        ``"data"`` of its entry in ``"documents"`` (``Document.to_data``); whoever writes the
        result as JSON encodes them (the state snapshot as base64)."""
        result = self.result
        return {
            "id": self.id,
            "vendor": self.vendor,
            "tenant": self.tenant,
            "direction": self.direction,
            "to": self.to,
            "sender": self.sender,
            "status": self.status,
            "created_at": self.created_at,
            "pages": self.pages,
            "documents": [document.to_data() for document in self.documents],
            "document_ok": self.document_ok,
            "history": [[at, status] for at, status in self.history],
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "retry_delay": self.retry_delay,
            "not_before": self.not_before,
            "result": result.to_data() if result is not None else None,
            "attempt_results": [r.to_data() for r in self.attempt_results],
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "record": record_to_data(self.record) if self.record is not None else None,
            "documents_expired": self.documents_expired,
            "aliases": list(self.aliases),
            "version": self.version,
        }


#: the fields a ``PackedFax`` holds from the start: what the store's indexes, retention, the
#: control API's filters and facets, and the engine's timers read of every fax
PACKED_FIELDS = ("id", "vendor", "tenant", "direction", "status", "created_at", "ended_at", "aliases")
_FIELDS = tuple(f.name for f in fields(Fax))


class PackedFax(Fax):
    """A fax read from the data file (core/persist.py) that holds only ``PACKED_FIELDS`` until
    any other field is first read: then ``unpack(id)`` makes the whole fax (reading the rest of
    its row) and its fields fill those not set yet, once. Start-up on a file of many faxes
    makes only these; a fax nobody reads again is never made whole.

    Python calls ``__getattr__`` only for an attribute not found, and a slot not yet set is
    not found: a fax made whole reads as fast as any other. A field set before (retention
    expiring its documents, the engine its status) keeps the value set."""

    __slots__ = ("_document_bytes", "_unpack")
    _unpack: Callable[[str], Fax] | None
    _document_bytes: int

    @classmethod
    def of(
        cls,
        unpack: Callable[[str], Fax],
        document_bytes: int,
        index: tuple[str, str, str, str, str, float, float | None, tuple[str, ...]],
    ) -> PackedFax:
        """A packed fax of ``index`` (``PACKED_FIELDS`` in order); ``unpack(id)`` makes it whole."""
        fax = cls.__new__(cls)
        fax.id, fax.vendor, fax.tenant, fax.direction, fax.status, fax.created_at, fax.ended_at, fax.aliases = index
        fax._unpack = unpack
        fax._document_bytes = document_bytes
        return fax

    def __getattr__(self, name: str) -> Any:
        unpack = object.__getattribute__(self, "_unpack")
        if unpack is None or name not in _FIELDS:
            raise AttributeError(name)
        whole = unpack(self.id)
        for field_name in _FIELDS:
            try:
                object.__getattribute__(self, field_name)
            except AttributeError:
                object.__setattr__(self, field_name, getattr(whole, field_name))
        self._unpack = None  # (after the fields: a second reader meanwhile fills none again)
        return object.__getattribute__(self, name)

    @property
    def packed(self) -> bool:
        """Whether its fields past ``PACKED_FIELDS`` are still to be read."""
        return self._unpack is not None

    @property
    def document_bytes(self) -> int:
        # (nothing sets its documents while it is packed but retention, and it reads the fax
        # whole at once: Store.changed)
        if self._unpack is not None:
            return self._document_bytes
        return sum(document.size for document in self.documents)


class Recorded(Protocol):
    """What ``fax_from_data`` reads of a vendor (``core.vendor.Vendor`` is one)."""

    @property
    def record(self) -> type | None:
        """The class of its faxes' records (None: its faxes have none)."""


def fax_from_data(data: Mapping[str, Any], vendors: Mapping[str, Recorded]) -> Fax:
    """The fax ``Fax.to_data`` gave ``data`` for, made again (its record as its vendor's
    ``record`` class). KeyError if ``data`` names a vendor not in ``vendors``."""
    record_class = vendors[data["vendor"]].record
    record = data["record"]
    result = data["result"]
    return Fax(
        id=data["id"],
        vendor=data["vendor"],
        tenant=data["tenant"],
        direction=data["direction"],
        to=data["to"],
        sender=data["sender"],
        status=data["status"],
        created_at=data["created_at"],
        pages=data["pages"],
        documents=tuple(Document.from_data(d) for d in data["documents"]),
        document_ok=data["document_ok"],
        entered=flat((at, status) for at, status in data["history"]),
        attempts=data["attempts"],
        max_attempts=data["max_attempts"],
        retry_delay=data["retry_delay"],
        not_before=data["not_before"],
        result=Result.from_data(result) if result is not None else None,
        attempt_results=tuple(Result.from_data(r) for r in data["attempt_results"]),
        started_at=data["started_at"],
        ended_at=data["ended_at"],
        record=record_from_data(record_class, record) if record is not None and record_class is not None else None,
        documents_expired=data["documents_expired"],
        aliases=tuple(data["aliases"]),
        version=data["version"],
    )


def record_to_data(record: Any) -> dict[str, Any]:
    """A vendor's record (a dataclass of plain data fields) as plain data: a deep copy, with
    tuples as lists."""
    return {f.name: _plain(getattr(record, f.name)) for f in fields(record)}


def record_from_data(record_class: type[T], data: Mapping[str, Any]) -> T:
    """The record ``record_to_data`` gave ``data`` for."""
    return record_class(**{name: _plain(value) for name, value in data.items()})


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


@dataclass(repr=False, eq=False)
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
        self.retention.expired = self.changed
        #: told of every change of a fax, after it was counted (``changed``): a new fax, a
        #: status (with its ``Transition``), an edit, an alias, its documents expired
        self.on_change: list[Callable[[Fax, Transition | None], None]] = []
        #: told of every fax forgotten (deleted, reset, dropped by retention)
        self.on_forget: list[Callable[[Fax], None]] = []
        #: vendor -> whether one of its tenants owns anything its vendor would not make again
        #: the same from its id (``owns(tenant)``); a vendor not here: a tenant owns what it holds
        self.owns: dict[str, Callable[[Tenant], bool]] = {}
        #: called after tenants were forgotten, with their (vendor, tenant id) keys (to drop or
        #: fold what was remembered about them)
        self.forgot: list[Callable[[set[tuple[str, str]]], None]] = []
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
                listener(gone)
        return len(gone)

    def _owns(self, tenant: Tenant) -> bool:
        owns = self.owns.get(tenant.vendor)
        if owns is not None:
            return owns(tenant)
        return bool(tenant.faxes or tenant.settings or any(tenant.collections.values()))

    def find_tenant(self, vendor: str, tenant_id: str) -> Tenant | None:
        return self.tenants.get((vendor, tenant_id))

    def changed(self, fax: Fax, transition: Transition | None = None) -> None:
        """``fax`` changed: the one place every change of a fax is told. It counts the change
        (``fax.version``: views of the fax made before are made again, core/cache.py) and tells
        ``on_change`` (persistence collects the faxes to write; the event stream publishes a
        ``fax`` event). ``transition``: the status it left and entered, when the change is the
        engine's move (None: any other change). Whoever changes a fax outside the engine calls
        it once its change is whole."""
        fax.version += 1
        for listener in self.on_change:
            listener(fax, transition)

    def add(self, fax: Fax) -> Fax:
        """Index a new fax in the global index and its tenant."""
        tenant = self.tenants[(fax.vendor, fax.tenant)]
        tenant.faxes[fax.id] = fax
        self.faxes[fax.id] = fax
        self.changed(fax)
        self.retention.added(fax)
        return fax

    def ended(self, fax: Fax) -> None:
        """``fax`` reached a terminal status: retention may now drop it (or others)."""
        if self.faxes.get(fax.id) is fax:
            self.retention.ended(fax)

    def alias(self, fax: Fax, alias: str) -> None:
        """Make ``alias`` a second id of ``fax`` (for a vendor that re-ids finished faxes)."""
        fax.aliases += (alias,)
        if self.faxes.get(fax.id) is fax:  # else retention already let it go
            self.faxes[alias] = fax
            self.tenants[(fax.vendor, fax.tenant)].faxes[alias] = fax
        self.changed(fax)

    def get(self, fax_id: str) -> Fax | None:
        return self.faxes.get(fax_id)

    def holds(self, fax_id: str, created_at: float) -> bool:
        """Whether the fax made at ``created_at`` as ``fax_id`` is still here (after a reset
        the same id may name another fax)."""
        found = self.faxes.get(fax_id)
        return found is not None and found.created_at == created_at

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
        for listener in self.on_forget:
            listener(fax)

    def all_faxes(self) -> list[Fax]:
        """Every fax once (aliases skipped), oldest first."""
        return [fax for key, fax in self.faxes.items() if key == fax.id]

    def load(self, tenants: list[Tenant], faxes: list[Fax]) -> None:
        """Hold ``tenants`` and ``faxes`` (oldest first) in an empty store, as a snapshot or the
        data file had them, within the limits of retention."""
        held, index = self.tenants, self.faxes
        for tenant in tenants:
            held[(tenant.vendor, tenant.id)] = tenant
        for fax in faxes:  # (a file of 100,000 faxes comes through here at start-up: kept lean)
            owned = held[(fax.vendor, fax.tenant)].faxes
            owned[fax.id] = index[fax.id] = fax
            for key in fax.aliases:
                owned[key] = index[key] = fax
        self.retention.loaded(faxes)

    def reset(self, vendor: str | None = None, tenant_id: str | None = None) -> list[Fax]:
        """Drop everything, or one tenant; returns the faxes dropped (to stop their timers)."""
        if vendor is None:
            everything = self.all_faxes()
            self.tenants.clear()
            self._idle.clear()
            self.faxes.clear()
            self.retention.cleared()
            self._forgot(everything)
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
        self._forgot(dropped)
        return dropped

    def _forgot(self, faxes: list[Fax]) -> None:
        for listener in self.on_forget:
            for fax in faxes:
                listener(fax)
