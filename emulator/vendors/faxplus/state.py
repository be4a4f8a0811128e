"""FAX.PLUS's record of a fax (``Fax.record``): what its API shows that the core fax does not.

An outgoing fax starts with what its send gave (§5.2: the outbox item); every fax that ends,
except a deleted one, becomes a fax record (§5.3, ``records.finish``): it gets its record id,
cost and file then. An incoming fax is a record from the start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.core.store import Fax


@dataclass(slots=True, repr=False, eq=False)
class FaxState:
    """One FAX.PLUS fax, as the vendor keeps it (``Vendor.record``; read it with ``of(fax)``)."""

    uid: str  # the user who sent or received it
    # -- the send, as the outbox item shows it (§5.2); an incoming fax leaves them empty ---------
    src: str = ""  # ``from`` as the send gave it
    files: list[str] = field(default_factory=list)  # the stored files' paths
    file_changes: list[dict[str, Any]] = field(default_factory=list)  # what conversion made of them
    comment_text: str = ""  # the one field ``update_outbox_fax`` changes
    comment_tags: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # in force: enhancement, retry count and delay
    given_options: dict[str, Any] = field(default_factory=dict)  # as the send gave them
    send_time: float = 0.0  # when it is to be sent (the submit time if not scheduled)
    scheduled: float | None = None  # the send time the send asked for, if any
    cover_page: dict[str, Any] | None = None
    ip: str = ""  # the sender's address
    # -- the fax record (§5.3), once it has ended (``records.finish``) -------------------------
    record_id: str | None = None  # its 24-hex fax id: set once the fax is a record
    attempt_id: str | None = None  # the last attempt's id (the webhook's ``hook.id``, §6.2)
    date: float = 0.0  # when its (last) transmission or reception began (set once a record)
    duration: float = 0.0  # seconds it took
    cost: int = 0
    is_read: bool = False
    is_spam: bool = False
    record_comment: str = ""
    file: str = ""  # the record's file name (``<32 hex>.tiff``)
    last_update: float | None = None

    @property
    def is_record(self) -> bool:
        """Whether the fax has become a fax record (it ended and was not deleted)."""
        return self.record_id is not None

    @property
    def comment(self) -> dict[str, Any]:
        """The outbox item's ``comment``."""
        return {"tags": self.comment_tags, "text": self.comment_text}


def of(fax: Fax) -> FaxState:
    """The FAX.PLUS record of a FAX.PLUS fax."""
    return fax.record  # type: ignore[no-any-return]
