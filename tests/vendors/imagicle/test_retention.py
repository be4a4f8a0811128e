"""An expired document (retention dropped its bytes): the fax stays, its download is 404."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import advance
from tests.vendors.imagicle.conftest import PDF2
from tests.vendors.imagicle.stonefax import fax


@pytest.fixture
async def client(make_client: Any) -> Any:
    return await make_client(retain_document_bytes=0)


async def test_an_ended_fax_without_its_document_answers_404(stonefax, client):
    [fax_id] = await stonefax.ids(fax("100"), [("a.pdf", PDF2)])
    assert (await stonefax.document("Outbound", fax_id)).status == 200  # running: kept
    await advance(client, 3600)
    reply = await stonefax.document("Outbound", fax_id)
    assert reply.status == 404 and (await stonefax.outbound_fax(fax_id))["numberOfPages"] == 2
