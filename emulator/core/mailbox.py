"""E-mails the emulated vendors would send, captured and never sent.

Some vendors notify by e-mail only (a transmission report, fax-to-email); the emulator
keeps each such message in a bounded log that the control API shows
(``GET /_emulator/emails``), so a test can assert that it would have been sent.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from emulator.core.codec import peek

DEFAULT_SIZE = 10_000


@dataclass(slots=True, repr=False, eq=False)
class Email:
    """One captured e-mail. ``to`` is None when the vendor would use an address it does not know."""

    id: int
    time: float
    vendor: str
    tenant: str
    kind: str  # the vendor's reason for it, e.g. "transmission_report"
    to: str | None
    subject: str
    body: str
    fax_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Mailbox:
    """The bounded log of captured e-mails, oldest first."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("mailbox size must be at least 1")
        self.emails: deque[Email] = deque(maxlen=size)
        self._ids = itertools.count(1)

    def capture(
        self,
        *,
        time: float,
        vendor: str,
        tenant: str,
        kind: str,
        to: str | None,
        subject: str,
        body: str = "",
        fax_id: str | None = None,
    ) -> Email:
        """Record an e-mail the vendor would send now."""
        email = Email(next(self._ids), time, vendor, tenant, kind, to, subject, body, fax_id)
        self.emails.append(email)
        return email

    def query(
        self,
        *,
        vendor: str | None = None,
        tenant: str | None = None,
        fax_id: str | None = None,
        kind: str | None = None,
    ) -> list[Email]:
        return [
            e
            for e in self.emails
            if (vendor is None or e.vendor == vendor)
            and (tenant is None or e.tenant == tenant)
            and (fax_id is None or e.fax_id == fax_id)
            and (kind is None or e.kind == kind)
        ]

    def state(self) -> dict[str, Any]:
        """The e-mails and where their numbering stands (snapshots)."""
        return {"emails": list(self.emails), "next_id": self.next_id}

    @property
    def next_id(self) -> int:
        """The id the next e-mail gets."""
        return peek(self._ids)

    def restore(self, state: dict[str, Any]) -> None:
        self.emails.clear()
        self.emails.extend(state["emails"])
        self._ids = itertools.count(state["next_id"])

    def clear(self, vendor: str | None = None, tenant: str | None = None) -> None:
        """Forget every e-mail, or one vendor's (one tenant's)."""
        keep = (
            []
            if vendor is None
            else [e for e in self.emails if not (e.vendor == vendor and (tenant is None or e.tenant == tenant))]
        )
        self.emails.clear()
        self.emails.extend(keep)
