"""A CallerIP fax through every status on the manual clock, over plain HTTP."""

from __future__ import annotations

import aiohttp

from emulator.core.documents import make_pdf
from tests.conftest import advance


def send_form(token: str = "line-1", number: str = "2125550100", pdf: bytes | None = None, **extra: str):
    form = aiohttp.FormData()
    form.add_field("token", token)
    form.add_field("number", number)
    for key, value in extra.items():
        form.add_field(key, value)
    form.add_field("file", make_pdf(2) if pdf is None else pdf, filename="fax.pdf", content_type="application/pdf")
    return form


async def status_of(client, uuid: str, token: str = "line-1") -> str:
    response = await client.get("/api/fax/status", params={"token": token, "uuid": uuid})
    assert response.status == 200
    return (await response.json())["status"]


async def test_send_then_every_status_in_order(client):
    response = await client.post("/api/fax/send", data=send_form())
    assert response.status == 200
    body = await response.json()
    assert set(body) == {"uuid", "status"}
    assert body["status"] == "Loading"
    uuid = body["uuid"]
    # Loading 1 s, Converting 3 s, Pending 2 s, Sending 5 s + 10 s per page (2 pages)
    assert await status_of(client, uuid) == "Loading"
    await advance(client, 1)
    assert await status_of(client, uuid) == "Converting"
    await advance(client, 3)
    assert await status_of(client, uuid) == "Pending"
    await advance(client, 2)
    assert await status_of(client, uuid) == "Sending"
    await advance(client, 24.9)
    assert await status_of(client, uuid) == "Sending"
    await advance(client, 0.1)
    assert await status_of(client, uuid) == "Success"
    await advance(client, 3600)
    assert await status_of(client, uuid) == "Success"  # terminal is final

    detail = await (await client.get(f"/_emulator/faxes/{uuid}")).json()
    assert [h["status"] for h in detail["history"]] == ["Loading", "Converting", "Pending", "Sending", "Success"]
    assert [h["at"] for h in detail["history"]] == [
        "2026-01-01T00:00:00.000Z",
        "2026-01-01T00:00:01.000Z",
        "2026-01-01T00:00:04.000Z",
        "2026-01-01T00:00:06.000Z",
        "2026-01-01T00:00:31.000Z",
    ]
    assert detail["pages"] == 2 and detail["pages_sent"] == 2 and detail["outcome"] == "success"


async def test_uuid_is_a_lowercase_v4_uuid(client):
    body = await (await client.post("/api/fax/send", data=send_form())).json()
    uuid = body["uuid"]
    assert uuid == uuid.lower() and len(uuid) == 36 and uuid[14] == "4"


async def test_cover_page_adds_a_page_and_keeps_fields(client):
    form = send_form(sendCover="y", coverFrom="Alice", coverTo="Bob", coverSubject="Hi", coverMessage="See attached")
    uuid = (await (await client.post("/api/fax/send", data=form)).json())["uuid"]
    detail = await (await client.get(f"/_emulator/faxes/{uuid}")).json()
    assert detail["pages"] == 3


async def test_busy_number_ends_failed(client):
    uuid = (await (await client.post("/api/fax/send", data=send_form(number="2125550001"))).json())["uuid"]
    await advance(client, 600)
    assert await status_of(client, uuid) == "Failed"
    detail = await (await client.get(f"/_emulator/faxes/{uuid}")).json()
    assert detail["outcome"] == "busy" and detail["pages_sent"] == 0
    assert [h["status"] for h in detail["history"]][-2:] == ["Sending", "Failed"]


async def test_conversion_failure_fails_from_converting(client):
    uuid = (await (await client.post("/api/fax/send", data=send_form(number="2125550005"))).json())["uuid"]
    await advance(client, 600)
    detail = await (await client.get(f"/_emulator/faxes/{uuid}")).json()
    assert [h["status"] for h in detail["history"]] == ["Loading", "Converting", "Failed"]
    assert detail["outcome"] == "conversion_failed"


async def test_many_faxes_finish_independently(client):
    uuids = []
    for number in ("2125550100", "2125550001", "2125550004"):
        uuids.append((await (await client.post("/api/fax/send", data=send_form(number=number))).json())["uuid"])
    await advance(client, 3600)
    assert [await status_of(client, u) for u in uuids] == ["Success", "Failed", "Failed"]
    listing = await (await client.get("/_emulator/faxes", params={"vendor": "callerip", "status": "Failed"})).json()
    assert {f["id"] for f in listing["faxes"]} == set(uuids[1:])
