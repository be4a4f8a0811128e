"""The fax document download, a guess (imagicle.md §4 rows 3 and 7, D12), and what the
StoneFax server prints on the pages it sends.

The vendor's two download articles exist but could not be read, so the path
(``Faxes/{Outbound|Inbound}/{id}/Document``, after the sibling Recorder API's
``/{id}/Media`` sub-resource) and the body are the emulator's choice: the fax as printed
(core/pages.py) as one PDF (``application/pdf``, ``Content-Disposition: attachment``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.core.errors import NotFound
from emulator.core.pages import Terminal
from emulator.core.store import Fax
from emulator.vendors.imagicle import options

if TYPE_CHECKING:
    from emulator.core.services import Services

CONTENT_TYPE = "application/pdf"


async def document(runtime: Services, fax: Fax) -> bytes:
    """The fax as printed, as PDF bytes; 404 once retention dropped its documents (fidelity.md)."""
    if fax.documents_expired:
        raise NotFound(f"the document of fax {fax.id} is no longer available")
    return await runtime.cache.pages.pdf(runtime, fax)


def terminal(runtime: Services, fax: Fax) -> Terminal:
    """StoneFax's header line names the server and the sender's number; a received fax
    carries the sending machine's number. Fine resolution."""
    if fax.direction == "inbound":
        return Terminal(fax.sender)
    return Terminal(f"{options.of(runtime)['server_name']}  {fax.sender}")


def filename(fax: Fax) -> str:
    return f"{fax.id}.pdf"
