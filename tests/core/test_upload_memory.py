"""A big upload's memory is let go when its request ends, not at the collector's next full pass.

Reading a multipart body in chunks (core/bodies.py) and reading a document in a worker
(core/work.py) each made a reference cycle that held every byte of the upload: the parser
that calls its reader back, and a worker's exception whose traceback held the frame that
held it. With the collector's full passes rare, a 40 MiB upload stayed in memory for seconds
to minutes (the soak's growing RSS, issue #17).
"""

from __future__ import annotations

import gc
import io
from typing import Any

import aiohttp

from emulator.core.bodies import _PartsReader
from emulator.core.documents import INLINE_MAX, DocumentError
from tests.vendors.faxplus.raw import call


def _alive(kind: type) -> int:
    return sum(isinstance(o, kind) for o in gc.get_objects())


async def test_a_streamed_upload_no_worker_could_read_leaves_nothing_for_the_collector(make_client: Any) -> None:
    client = await make_client()
    form = aiohttp.FormData()
    # big enough to be streamed, joined in a thread and read in a worker; not a document
    junk = io.BytesIO(b"\x00junk" * (INLINE_MAX * 5))
    form.add_field("fax_file", junk, filename="a.pdf", content_type="application/pdf")
    gc.collect()
    gc.disable()  # what is still alive after the request is held by references, not awaiting a pass
    try:
        before = _alive(_PartsReader), _alive(DocumentError)  # (earlier tests' may still be held)
        status, body = await call(client, "POST", "/accounts/self/files", data=form)
        assert status == 200, body  # FAX.PLUS accepts it; the fax would fail converting
        assert (_alive(_PartsReader), _alive(DocumentError)) == before
    finally:
        gc.enable()
