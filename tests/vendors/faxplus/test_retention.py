"""An expired file (retention dropped the fax's document): the record stays, the file is 404."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import advance
from tests.vendors.faxplus.raw import bearer, call, my_number, refused, upload


@pytest.fixture
async def client(make_client: Any) -> Any:
    return await make_client(retain_document_bytes=0)


async def test_an_ended_fax_keeps_its_record_and_report_and_loses_its_file(client):
    body = {"from": await my_number(client), "to": ["+12125550100"], "files": [await upload(client)]}
    assert (await call(client, "POST", "/accounts/self/outbox", json=body))[0] == 201
    await advance(client, 3600)
    record = (await call(client, "GET", "/accounts/self/faxes"))[1]["data"]["records"][0]
    assert (await call(client, "GET", f"/accounts/self/faxes/{record['id']}"))[0] == 200
    report = await client.get(f"/v3/accounts/self/report/{record['id']}", headers=bearer())
    assert report.status == 200  # made from the record, not the file
    description = await refused(client, "GET", f"/accounts/self/files/{record['id']}", 404, "not_found")
    assert description == "the file has expired"
    await refused(client, "GET", f"/accounts/self/thumbnail/{record['id']}", 404, "not_found")
