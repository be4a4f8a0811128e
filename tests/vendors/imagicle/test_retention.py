"""An expired document (retention dropped its bytes): the fax stays, its download is 404."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import advance, runtime_of
from tests.vendors.imagicle.conftest import PDF2
from tests.vendors.imagicle.stonefax import StoneFax, fax


@pytest.fixture
async def client(make_client: Any) -> Any:
    return await make_client(retain_document_bytes=0)


async def test_an_ended_fax_without_its_document_answers_404(stonefax, client):
    [fax_id] = await stonefax.ids(fax("100"), [("a.pdf", PDF2)])
    assert (await stonefax.document("Outbound", fax_id)).status == 200  # running: kept
    await advance(client, 3600)
    reply = await stonefax.document("Outbound", fax_id)
    assert reply.status == 404 and (await stonefax.outbound_fax(fax_id))["numberOfPages"] == 2


async def test_a_fax_retention_dropped_is_not_kept_alive_by_its_cached_view(make_client):
    client = await make_client(retain_faxes=1)
    stonefax = StoneFax(client)
    ids = [(await stonefax.ids(fax("100"), [("a.pdf", PDF2)]))[0] for _ in range(3)]
    runtime = runtime_of(client)
    faxes = [runtime.store.get(fax_id) for fax_id in ids]
    for fax_id in ids:  # each polled: its detail is made and cached (core/cache.py views)
        await stonefax.outbound_fax(fax_id)
    assert all(runtime.cache.holds(f) for f in faxes)
    await advance(client, 3600)  # all end; retention keeps the last to end
    for fax_id in ids:
        await stonefax.outbound(fax_id)
    kept = [f for f in faxes if runtime.store.get(f.id) is f]
    assert len(kept) == 1
    assert [runtime.cache.holds(f) for f in faxes] == [f in kept for f in faxes]
