"""An expired document (retention dropped its bytes): as a deleted attachment, 404 bad identifier."""

from __future__ import annotations

from typing import Any

import pytest

from tests.vendors.kazoo.conftest import assert_error


@pytest.fixture
async def client(make_client: Any) -> Any:
    return await make_client(retain_document_bytes=0)


async def test_an_inbound_fax_keeps_its_record_and_loses_its_attachment(client, kazoo):
    await kazoo.faxbox(caller_id="+14155550199")
    response = await client.post(
        "/_emulator/inbound", json={"vendor": "kazoo", "from": "+13125550100", "to": "+14155550199", "pages": 2}
    )
    fax_id = (await response.json())["id"]
    assert (await kazoo.get(f"/faxes/inbox/{fax_id}")).status == 200
    reply = await kazoo.get(f"/faxes/inbox/{fax_id}/attachment")
    assert_error(reply, 404, "bad_identifier")
