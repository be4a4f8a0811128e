"""Kazoo's record of a fax (``Fax.record``): its CouchDB document and what the fax worker
wrote on it (kazoo.md §7.5-§7.6, §9.4-§9.5).

The machine's own state (status, attempts, times) is the core fax's; ``serialise.py`` puts
the two together in the shape each endpoint shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.core.store import Fax


@dataclass(slots=True, repr=False, eq=False)
class FaxState:
    """One Kazoo fax document, as the emulator keeps it (``Vendor.record``; read it with ``of(fax)``)."""

    #: the document's stored public fields, as the job (or the faxbox of a received fax) gave them
    doc: dict[str, Any] = field(default_factory=dict)
    #: why its document cannot be sent (the worker's ``bad_file`` text), if it cannot
    problem: str | None = None
    tx_result: dict[str, Any] | None = None  # the last attempt's result, as the worker writes it
    retry_after: int | None = None  # seconds between attempts, written with the first result
    #: its ``YYYYMM-<id>`` id once it is in a monthly database (outbox, inbox): a finished or received fax
    modb_id: str | None = None
    deleted: bool = False  # deleted from its folder (``DELETE /faxes/{folder}/{id}``)
    edits: int = 0  # changes to the document besides status changes (each one a new revision)
    #: the switch's call id; TODO(unfinished): no call is placed, so it is never known
    call_id: str | None = None


def of(fax: Fax) -> FaxState:
    """The Kazoo record of a Kazoo fax."""
    return fax.record  # type: ignore[no-any-return]
