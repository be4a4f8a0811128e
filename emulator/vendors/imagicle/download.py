"""The fax document download, a guess (imagicle.md §4 rows 3 and 7, D12).

The vendor's two download articles exist but could not be read, so the path
(``Faxes/{Outbound|Inbound}/{id}/Document``, after the sibling Recorder API's
``/{id}/Media`` sub-resource) and the body are the emulator's choice: the fax as one
PDF (``application/pdf``, ``Content-Disposition: attachment``). A fax made of exactly one
PDF is returned as it was uploaded; any other fax is rendered as a PDF with the fax's
``numberOfPages`` pages.
"""

from __future__ import annotations

from emulator.core.documents import make_pdf
from emulator.core.errors import NotFound
from emulator.core.store import Fax

CONTENT_TYPE = "application/pdf"


def document(fax: Fax) -> bytes:
    """The fax's document as PDF bytes; 404 once retention dropped it (fidelity.md)."""
    if fax.documents_expired:
        raise NotFound(f"the document of fax {fax.id} is no longer available")
    if len(fax.documents) == 1 and fax.documents[0].kind == "pdf" and not fax.extra.get("cover"):
        return fax.documents[0].data
    lines = [f"Fax {fax.id}", f"To: {fax.to}", f"From: {fax.sender}", f"Pages: {fax.pages}"]
    return make_pdf(max(1, fax.pages), lines, title=fax.id)


def filename(fax: Fax) -> str:
    return f"{fax.id}.pdf"
