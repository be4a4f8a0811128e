"""Imagicle's record of a fax (``Fax.record``): what StoneFax shows that the core fax does not
(imagicle.md §6-§9), and whom it tells when the fax ends (its e-mails, ``notify.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.core.store import Fax


@dataclass(slots=True, repr=False, eq=False)
class FaxState:
    """One StoneFax fax, as the emulator keeps it (``Vendor.record``; read it with ``of(fax)``)."""

    server: str  # the StoneFax server that handled it (``serverName``)
    size: int  # bytes of its documents
    subject: str | None = None
    # -- an outgoing fax: the submission it came from -------------------------------------------
    index: int = 0  # its recipient's place in the submission (the list order at one instant)
    recipient_name: str = ""
    submitter: str = ""  # the submitting user's name
    cover: str | None = None  # the cover page's name, if one was used
    notify: bool = False  # whether a transmission report is e-mailed when it ends
    notify_to: str | None = None  # where to
    # -- an incoming fax -----------------------------------------------------------------------
    sender_name: str = ""
    email: str | None = None  # the receiving user's address: the fax is forwarded there (fax-to-e-mail)


def of(fax: Fax) -> FaxState:
    """The Imagicle record of an Imagicle fax."""
    return fax.record  # type: ignore[no-any-return]
