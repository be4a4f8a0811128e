"""GET Faxes/Outbound/Mine (imagicle.md §7, D13, D14): paging, pageSize 0 = all, the date filter."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.vendors.imagicle.conftest import PDF2, set_options
from tests.vendors.imagicle.stonefax import fax


@pytest.fixture
async def five(stonefax, client):
    """Five faxes: one at 00:00, 00:10, 00:20, 00:30 and two (one job) at 00:40; newest first."""
    ids = []
    for minute in range(4):
        ids += await stonefax.ids(fax(f"21255501{minute:02d}", subject=f"m{minute}"), [("a.pdf", PDF2)])
        await advance(client, 600)
    ids += await stonefax.ids(fax("2125550140", "2125550141"), [("a.pdf", PDF2)])
    return [ids[4], ids[5], ids[3], ids[2], ids[1], ids[0]]


async def _ids(stonefax, **query):
    reply = await stonefax.outbound_list(**query)
    assert reply.status == 200, reply
    return [item["faxId"] for item in reply.body["faxList"]]


async def test_everything_newest_first_by_default(stonefax, five):
    assert await _ids(stonefax) == five
    assert await _ids(stonefax, pageSize=0, page=7) == five  # pageSize 0 ignores page


async def test_pages_are_one_based(stonefax, five):
    assert await _ids(stonefax, page=1, pageSize=4) == five[:4]
    assert await _ids(stonefax, page=2, pageSize=4) == five[4:]
    assert await _ids(stonefax, page=3, pageSize=4) == []
    assert await _ids(stonefax, pageSize=2) == five[:2]  # page defaults to 1


async def test_item_fields(stonefax, five):
    item = (await stonefax.outbound_list(pageSize=1, page=6)).body["faxList"][0]
    assert item == {
        "__type": "LessInfoOutboundFax:StoneFax.Faxes",
        "date": "2026-01-01T00:00:00.0000000",
        "faxId": five[5],
        "recipient": {"faxNumber": "2125550100", "name": "Ann Lee 0"},
        "status": "Completed",
        "subject": "m0",
        "username": "alice",
    }


async def test_between_is_inclusive_then_exclusive(stonefax, five):
    assert await _ids(stonefax, date="between:2026-01-01T00:10:00;2026-01-01T00:30:00") == [five[3], five[4]]
    assert await _ids(stonefax, date="between:2026-01-01T00:10:00.0000000;2026-01-01T00:30:00.0000010") == [
        five[2],
        five[3],
        five[4],
    ]


async def test_after_and_before(stonefax, five):
    assert await _ids(stonefax, date="after:2026-01-01T00:30:00") == five[:3]
    assert await _ids(stonefax, date="before:2026-01-01T00:10:00") == five[5:]
    assert await _ids(stonefax, date="after:2026-01-01") == five
    assert await _ids(stonefax, date="before:2025-12-31T23:59:59") == []


async def test_filter_and_paging_combine(stonefax, five):
    assert await _ids(stonefax, date="after:2026-01-01T00:10:00", page=2, pageSize=2) == five[2:4]


async def test_filter_values_are_server_local_time(stonefax, client, five):
    await set_options(client, timezone="+01:00")
    assert await _ids(stonefax, date="before:2026-01-01T01:10:00") == five[5:]
    item = (await stonefax.outbound_list(pageSize=1)).body["faxList"][0]
    assert item["date"] == "2026-01-01T01:40:00.0000000"


async def test_only_the_callers_faxes(stonefax, five):
    bob = stonefax.as_user("bob")
    assert await _ids(bob) == []
    [own] = await bob.ids(fax("100"), [("a.pdf", PDF2)])
    assert await _ids(bob) == [own]
    assert own not in await _ids(stonefax)


@pytest.mark.parametrize(
    "query",
    [
        {"page": "0"},
        {"page": "-1"},
        {"page": "x"},
        {"page": "1.5"},
        {"pageSize": "-1"},
        {"pageSize": ""},
        {"pageSize": "99999999999"},
        {"page": "--5"},
        {"page": "\u0663"},
        {"date": "2026-01-01"},
        {"date": "on:2026-01-01"},
        {"date": "after:"},
        {"date": "after:yesterday"},
        {"date": "between:2026-01-01"},
        {"date": "between:2026-01-01;x"},
        {"date": "before:2026-13-01T00:00:00"},
    ],
)
async def test_invalid_filters_are_400(stonefax, query):
    reply = await stonefax.outbound_list(**query)
    assert reply.status == 400 and reply.body["reason"].startswith("filters not valid")


@pytest.mark.breaks_own_contract  # the switched key is the undocumented spelling, so strict mode reports it
async def test_list_keys_are_switches(stonefax, client, five):
    await set_options(client, outbound_list_key="faxlist", inbound_list_key="faxList")
    assert set((await stonefax.outbound_list()).body) == {"faxlist"}
    assert (await stonefax.inbound_list()).body == {"faxList": []}


async def test_query_names_match_in_any_case_as_wcf_matches_them(stonefax, five, client):
    assert await _ids(stonefax, pagesize=4, PAGE=2) == five[4:]
    assert (await (await client.get("/_emulator/violations")).json())["violations"] == []
    reply = await stonefax.outbound_list(PAGESIZE="x")
    assert reply.status == 400 and "pageSize" in reply.body["reason"]
