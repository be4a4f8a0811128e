"""List paging: page_size, start_key/next_start_key, paginate=false, sort order (kazoo.md §5)."""

from __future__ import annotations

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
