"""The account's faxes as Crossbar's ``/faxes`` folders show them (kazoo.md §7.5-§7.9).

``outgoing`` holds jobs not yet finished (their 32-hex job id); ``outbox`` and ``inbox``
hold finished and received faxes under their monthly-database id ``YYYYMM-<id>``. This
module finds a fax in its folder (a document in the other folder gets Crossbar's 500), and
acts on one: resubmit or forward it as a new job, delete it or its attachment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emulator.core.exchange import Gate
from emulator.core.services import Services
from emulator.core.store import Fax, Tenant
from emulator.vendors.kazoo import errors, jobs, serialise
from emulator.vendors.kazoo.state import of

#: the action each folder's PUT takes (kazoo.md §7.8)
ACTIONS = {"outbox": "resubmit", "inbox": "forward"}


def faxes(tenant: Tenant, faxbox_id: str | None) -> Iterator[Fax]:
    """Every fax of the account once, narrowed to the faxbox ``faxbox_id`` if not None."""
    for key, fax in tenant.faxes.items():
        if key == fax.id and (faxbox_id is None or of(fax).doc.get("faxbox_id") == faxbox_id):
            yield fax


def folder_of(fax: Fax) -> str | None:
    """``outbox`` or ``inbox`` for a fax in the monthly database (None: a job, or deleted)."""
    x = of(fax)
    if x.modb_id is None or x.deleted:
        return None
    return x.doc.get("folder") or "inbox"  # a document without a folder counts as inbox


def outgoing(tenant: Tenant, fax_id: str) -> Fax:
    """The unfinished job ``fax_id`` (Crossbar's bad identifier otherwise)."""
    fax = tenant.faxes.get(fax_id)
    if fax is None or fax.id != fax_id or fax.direction != "outbound" or serialise.modb_id(fax) is not None:
        raise errors.bad_identifier(fax_id)
    return fax


def in_folder(tenant: Tenant, fax_id: str, folder: str) -> Fax:
    """The fax ``fax_id`` (its monthly-database id) of ``folder``; Crossbar's 500 when it is in
    the other folder."""
    fax = tenant.faxes.get(fax_id)
    if fax is None or serialise.modb_id(fax) != fax_id or of(fax).deleted:
        raise errors.bad_identifier(fax_id)
    if folder_of(fax) != folder:
        raise errors.ad_hoc(f"document is not in folder {folder}")
    return fax


def attached(tenant: Tenant, fax_id: str, folder: str) -> Fax:
    """As ``in_folder``, for a fax whose attachment is still there (bad identifier otherwise)."""
    fax = in_folder(tenant, fax_id, folder)
    if not fax.documents:
        raise errors.bad_identifier(fax_id)
    return fax


def act(rt: Services, source: Fax, folder: str, envelope: dict[str, Any], gate: Gate | None) -> Fax:
    """``PUT /faxes/{folder}/{id}``: the envelope's ``action`` (resubmit an outbox fax, forward
    an inbox one) as a new job, its ``data`` merged over the source's fields."""
    action = envelope.get("action")
    if action is None:
        raise errors.ad_hoc("action required")
    if action != ACTIONS[folder]:
        raise errors.ad_hoc("invalid action")
    return jobs.copy_job(rt, source, envelope["data"], forward=folder == "inbox", gate=gate)


def delete(rt: Services, fax: Fax) -> None:
    """Mark the fax deleted (soft, as Crossbar's ``pvt_deleted``)."""
    x = of(fax)
    x.deleted = True
    x.edits += 1
    rt.store.changed(fax)


def delete_attachment(rt: Services, fax: Fax) -> None:
    """Drop the fax's document."""
    fax.documents = ()
    of(fax).edits += 1
    rt.store.changed(fax)
