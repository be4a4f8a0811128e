"""CallerIP's record of a fax (``Fax.record``): what its send gave beyond the core fax."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.core.store import Fax


@dataclass(slots=True, repr=False, eq=False)
class FaxState:
    """One CallerIP fax, as the emulator keeps it (``Vendor.record``; read it with ``of(fax)``)."""

    #: the cover page's fields as the send gave them (``sendCover=Y``); None: no cover page.
    #: Kept as sent; its API shows no cover page back (callerip.md)
    cover: dict[str, Any] | None = None


def of(fax: Fax) -> FaxState:
    """The CallerIP record of a CallerIP fax."""
    return fax.record  # type: ignore[no-any-return]
