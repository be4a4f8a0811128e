"""Retention: how many faxes, and how many bytes of their documents, an emulator keeps.

A long-running emulator would otherwise grow without bound (every fax is kept with its
document bytes). Only ended faxes are ever dropped, oldest ended first: a fax still moving
through its machine is kept whatever the limits. Two budgets:

- ``max_faxes``: beyond it, the oldest ended faxes are forgotten under every id they have
  (their vendor answers as for an unknown fax);
- ``max_document_bytes``: beyond it, the oldest ended faxes keep their record and history
  but lose their documents' bytes (``Fax.documents_expired``; each vendor answers a download
  as for an expired file, docs/fidelity.md). A document shared by several faxes counts once
  for each: the budget errs on the side of dropping early.

The ``Store`` calls ``added``, ``ended`` and ``forgotten``; ``Retention`` decides what goes
and tells the store through ``drop``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from emulator.core.documents import Document


class Fax(Protocol):
    """What retention reads and changes of a fax (``core.store.Fax``; the store holds a
    ``Retention``, so this module names only what it uses)."""

    id: str
    documents: Sequence[Document]
    documents_expired: bool

    @property
    def terminal(self) -> bool: ...

    @property
    def document_bytes(self) -> int: ...


#: faxes kept by default: ~100,000 faxes with small documents took ~370 MB, so half of
#: that keeps a long-running emulator under about 300 MB whatever it is sent
DEFAULT_MAX_FAXES = 50_000
#: bytes of ended faxes' documents kept by default (MiB on the command line)
DEFAULT_MAX_DOCUMENT_BYTES = 100 * 1024 * 1024


class Retention:
    """Ended faxes in the order they ended, and the bytes their documents hold."""

    def __init__(
        self, max_faxes: int = DEFAULT_MAX_FAXES, max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    ) -> None:
        if max_faxes < 1 or max_document_bytes < 0:
            raise ValueError("retention limits: at least one fax, and no negative byte budget")
        self.max_faxes = max_faxes
        self.max_document_bytes = max_document_bytes
        self.held = 0  # faxes held (each once, whatever its aliases)
        self.document_bytes = 0  # bytes of ended faxes' documents held
        self.faxes_dropped = 0
        self.documents_dropped = 0
        # dicts as ordered sets: fax id -> fax, oldest ended first
        self._ended: dict[str, Fax] = {}
        self._documents: dict[str, tuple[Fax, int]] = {}  # ended faxes still holding documents
        #: how the store forgets a fax (set by the store)
        self.drop: Callable[[Any], None] = lambda fax: None  # the store's remove (it takes its own Fax)
        #: told of a fax whose documents expired (set by the store: its ``changed``)
        self.expired: Callable[[Any], None] = lambda fax: None

    def added(self, fax: Fax) -> None:
        self.held += 1
        if fax.terminal:  # made ended (an inbound fax that arrived whole)
            self.ended(fax)
        else:
            self._trim()

    def ended(self, fax: Fax) -> None:
        if fax.id in self._ended:
            return
        self._ended[fax.id] = fax
        size = fax.document_bytes
        if size:
            self._documents[fax.id] = (fax, size)
            self.document_bytes += size
        self._trim()

    def loaded(self, faxes: list[Any]) -> None:
        """The store was filled with ``faxes`` at once (a snapshot): those ended count in the
        order they ended, and the limits apply."""
        self.held += len(faxes)
        ended, documents = self._ended, self._documents
        for fax in sorted((f for f in faxes if f.ended_at is not None), key=attrgetter("ended_at")):
            if fax.id not in ended:  # as ``ended`` does, but trimmed once at the end (the same faxes go)
                ended[fax.id] = fax
                size = fax.document_bytes
                if size:
                    documents[fax.id] = (fax, size)
                    self.document_bytes += size
        self._trim()

    def forgotten(self, fax: Fax) -> None:
        """``fax`` left the store (deleted, reset or dropped here)."""
        self.held -= 1
        self._ended.pop(fax.id, None)
        found = self._documents.pop(fax.id, None)
        if found is not None:
            self.document_bytes -= found[1]

    def cleared(self) -> None:
        """The store was emptied."""
        self.held = self.document_bytes = 0
        self._ended.clear()
        self._documents.clear()

    def _trim(self) -> None:
        while self.held > self.max_faxes and self._ended:
            oldest = self._ended[next(iter(self._ended))]
            self.drop(oldest)  # calls forgotten()
            self._ended.pop(oldest.id, None)  # (in case the store no longer had it)
            self.faxes_dropped += 1
        while self.document_bytes > self.max_document_bytes and self._documents:
            fax, size = self._documents.pop(next(iter(self._documents)))
            self.document_bytes -= size
            fax.documents = ()
            fax.documents_expired = True
            self.documents_dropped += 1
            self.expired(fax)

    def counts(self) -> dict[str, int]:
        """The limits in force and what they hold (for ``GET /_emulator/health``)."""
        return {
            "max_faxes": self.max_faxes,
            "faxes": self.held,
            "faxes_dropped": self.faxes_dropped,
            "max_document_bytes": self.max_document_bytes,
            "document_bytes": self.document_bytes,
            "documents_dropped": self.documents_dropped,
        }
