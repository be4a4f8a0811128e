"""``fax-emulator sample-document``: a real multi-page PDF, a letter to fax in the quick start.

Written by the one PDF writer the emulator has (``core.documents.make_pdf``); each page says
which it is, so a test can see that every page arrived, and in order.
"""

from __future__ import annotations

from emulator.core.documents import make_pdf

MAX_PAGES = 100
TITLE = "Sample fax"

_BODY = [
    "Dear customer,",
    "",
    "this letter was made by fax-emulator to be sent as a fax. Each page says which it",
    "is, so a test can see that every page arrived, and in order.",
    "",
    "Kind regards,",
    "The fax-emulator team",
]


def sample_pdf(pages: int = 2) -> bytes:
    """A letter of ``pages`` US-Letter pages (1 to ``MAX_PAGES``) with text on each page."""
    if not 1 <= pages <= MAX_PAGES:
        raise ValueError(f"a sample document has 1 to {MAX_PAGES} pages, not {pages}")
    return make_pdf(pages, [f"{TITLE} - page 1 of {pages}", "", *_BODY], title=TITLE)
