"""List paging: page_size, start_key/next_start_key, paginate=false, sort order (kazoo.md §5)."""

from __future__ import annotations

from emulator.vendors.kazoo.envelope import GREGORIAN_OFFSET
from tests.conftest import START, advance
from tests.vendors.kazoo.conftest import assert_error


async def test_pages_follow_next_start_key_until_the_last(kazoo):
    ids = [(await kazoo.faxbox(name=f"box {n}"))["id"] for n in range(5)]
    first = await kazoo.get("/faxboxes", params={"page_size": 2})
    assert first.body["page_size"] == 2 and first.body["revision"] == "automatic"
    assert [b["id"] for b in first.data] == sorted(ids, reverse=True)[:2]
    seen = [b["id"] for b in first.data]
    body = first.body
    while "next_start_key" in body:
        page = await kazoo.get("/faxboxes", params={"page_size": 2, "start_key": body["next_start_key"]})
        assert page.body["start_key"] == body["next_start_key"]
        seen += [b["id"] for b in page.data]
        body = page.body
    assert seen == sorted(ids, reverse=True) and body["page_size"] == 1


async def test_ascending_and_paginate_false(kazoo):
    ids = [(await kazoo.faxbox(name=f"box {n}"))["id"] for n in range(3)]
    up = await kazoo.get("/faxboxes", params={"ascending": "true"})
    assert [b["id"] for b in up.data] == sorted(ids)
    everything = await kazoo.get("/faxboxes", params={"paginate": "false", "page_size": 1})
    assert len(everything.data) == 3 and "next_start_key" not in everything.body


async def test_default_page_size_is_50(kazoo):
    for n in range(51):
        await kazoo.put("/faxboxes", {"name": f"b{n}"})
    page = await kazoo.get("/faxboxes")
    assert page.body["page_size"] == 50 and "next_start_key" in page.body


async def test_bad_page_sizes_and_start_keys(kazoo):
    zero = await kazoo.get("/faxboxes", params={"page_size": "0"})
    assert_error(zero, 400, "validation error")
    assert zero.data["page_size"]["minimum"]["message"] == "page size must be at least 1"
    word = await kazoo.get("/faxboxes", params={"page_size": "lots"})
    assert word.data["page_size"]["type"]["message"] == "invalid page size"
    for key in ("!!!", "bm90IGEgbGlzdA", "WzEsMl0"):  # garbage, "not a list", [1,2] against string ids
        await kazoo.faxbox()
        reply = await kazoo.get("/faxboxes", params={"start_key": key})
        assert_error(reply, 400, "validation error")
        assert reply.data["start_key"]["invalid"]["message"] == "invalid start key"


async def test_crossbar_filters_narrow_every_listing(kazoo, client):
    """filters.md: filter_{KEY}, filter_not_{KEY}, has_key, key_missing, has_value, missing_value,
    created_from/to, modified_from/to, ANDed, on the whole document; dotted paths reach nested keys."""
    front = await kazoo.faxbox(name="Front", caller_id="+14155550100", media={"fax_option": True})
    await advance(client, 60)
    back = await kazoo.faxbox(name="Back", custom_field="")

    async def names(**query: str) -> list[str]:
        reply = await kazoo.get("/faxboxes", params=query)
        assert reply.status == 200, reply.body
        return sorted(box["name"] for box in reply.data)

    assert await names(filter_caller_id="+14155550100") == ["Front"]
    assert await names(filter_not_caller_id="+14155550100") == ["Back"]
    assert await names(**{"filter_media.fax_option": "true"}) == ["Front"]  # booleans as Crossbar's binary
    assert await names(has_key="custom_field") == ["Back"]
    assert await names(key_missing="caller_id") == ["Back"]
    assert await names(has_value="custom_field") == []  # present but empty
    assert await names(missing_value="custom_field") == ["Back", "Front"]
    assert await names(filter_name="Back", has_key="custom_field") == ["Back"]
    assert await names(filter_name="Back", key_missing="custom_field") == []  # ANDed
    assert await names(filter_name="Nobody") == []
    reply = await kazoo.get("/faxboxes", params={"created_from": "soon"})
    assert_error(reply, 400, "validation error")
    assert (front["name"], back["name"]) == ("Front", "Back")


async def test_created_and_modified_windows_filter_on_gregorian_seconds(kazoo, client):
    first = await kazoo.faxbox(name="First")
    await advance(client, 100)
    await kazoo.faxbox(name="Second")
    start = int(START) + GREGORIAN_OFFSET  # the emulator clock's start, in Gregorian seconds
    reply = await kazoo.get("/faxboxes", params={"created_from": str(start + 50)})
    assert [box["name"] for box in reply.data] == ["Second"]
    reply = await kazoo.get("/faxboxes", params={"created_to": str(start + 50)})
    assert [box["name"] for box in reply.data] == ["First"]
    await advance(client, 100)
    await kazoo.patch(f"/faxboxes/{first['id']}", {"name": "First", "retries": 2})
    reply = await kazoo.get("/faxboxes", params={"modified_from": str(start + 150)})
    assert [box["name"] for box in reply.data] == ["First"]


async def test_outgoing_jobs_filter_on_their_document(kazoo):
    await kazoo.send(to_number="+12125550100")
    await kazoo.send(to_number="+12125550111")
    reply = await kazoo.get("/faxes/outgoing", params={"filter_to_number": "+12125550111"})
    assert [job["to"] for job in reply.data] == ["+12125550111"]
    reply = await kazoo.get("/faxes/outgoing", params={"filter_pvt_job_status": "pending"})
    assert len(reply.data) == 2
