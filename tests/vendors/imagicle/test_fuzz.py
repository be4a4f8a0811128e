"""No input gets a 500 (issue 5): Hypothesis over jsondata, attachments and the list query."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from emulator.app import build_app
from emulator.config import Config
from emulator.core import contracts
from emulator.core.documents import make_pdf, make_tiff
from tests.conftest import START
from tests.vendors.imagicle.stonefax import StoneFax

LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
ANY_JSON = st.recursive(
    LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
NUMBER = st.text(alphabet="0123456789 +-().*#x", max_size=14)
NAME = st.text(max_size=12) | ANY_JSON
RECIPIENT = st.fixed_dictionaries(
    {}, optional={"firstName": NAME, "lastName": NAME, "name": NAME, "faxNumber": NUMBER | ANY_JSON}
)
VALID_RECIPIENT = st.fixed_dictionaries(
    {"faxNumber": st.from_regex(r"\A\+?[0-9][0-9 ]{0,12}\Z")},
    optional={"firstName": st.none() | st.text(max_size=10), "lastName": st.none() | st.text(max_size=10)},
)
VALID = st.fixed_dictionaries(
    {"recipients": st.lists(VALID_RECIPIENT, min_size=1, max_size=3)},
    optional={
        "subject": st.none() | st.text(max_size=40),
        "body": st.none() | st.text(alphabet="abc \n", max_size=30),
        "notifyByEmail": st.booleans(),
        "coverPageName": st.text(max_size=10),
        "sendAsUsername": st.just("alice"),
    },
)
WILD = st.fixed_dictionaries(
    {},
    optional={
        "subject": st.text(max_size=300) | ANY_JSON,
        "recipients": st.lists(RECIPIENT, max_size=3) | ANY_JSON,
        "sendAsUsername": st.sampled_from(["alice", "Alice", "bob", ""]) | ANY_JSON,
        "notifyByEmail": st.booleans() | ANY_JSON,
        "notificationEmailAddress": st.sampled_from(["a@b.c", "x", ""]) | ANY_JSON,
        "speedyDirectoryName": st.sampled_from(["", "Nope"]) | ANY_JSON,
        "coverPageName": NAME,
        "body": st.text(max_size=40) | ANY_JSON,
    },
)
JSONDATA = VALID | WILD | ANY_JSON
GOOD_FILES = [("a.pdf", make_pdf(1)), ("b.tif", make_tiff(2)), ("c.txt", b"hello")]
BAD_FILES = [("d.png", b"\x89PNG\r\n\x1a\n"), ("e.bin", b"\x00\xff"), ("f.pdf", b""), ("g.pdf", b"%PDF-broken")]
ATTACHMENTS = st.lists(st.sampled_from(GOOD_FILES), max_size=2) | st.lists(
    st.sampled_from(GOOD_FILES + BAD_FILES), max_size=2
)
QUERY = st.dictionaries(
    st.sampled_from(["page", "pageSize", "date"]),
    st.text(max_size=30)
    | st.sampled_from(
        ["after:2026-01-01", "between:2026-01-01;2027-01-01", "before:9999-12-31T23:59:59-01:00", "0", "1"]
    ),
)

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture
def emulator():
    """A StoneFax client and the event loop it runs on, driven from sync Hypothesis tests (which shrink)."""

    async def start() -> TestClient:
        client = TestClient(TestServer(build_app(Config(clock="manual", start_time=START, seed=7))))
        await client.start_server()
        return client

    loop = asyncio.new_event_loop()
    client = loop.run_until_complete(start())
    try:
        yield loop, StoneFax(client)
    finally:
        loop.run_until_complete(client.close())
        loop.close()


def test_no_jsondata_or_attachment_gives_a_500(emulator):
    loop, stonefax = emulator

    @FUZZ
    @given(jsondata=JSONDATA | st.text(max_size=40), attachments=ATTACHMENTS)
    def one(jsondata: Any, attachments: list[tuple[str, bytes]]) -> None:
        reply = loop.run_until_complete(stonefax.submit(jsondata, attachments))
        assert reply.status in (200, 400, 403), reply
        if reply.status == 200:
            assert contracts.check("imagicle", "submit-response", reply.body) == []
            assert len(reply.body["ids"]) == len(jsondata["recipients"])
        else:
            assert contracts.check("imagicle", "error", reply.body) == [], reply

    one()


def test_no_list_query_gives_a_500(emulator):
    loop, stonefax = emulator
    loop.run_until_complete(stonefax.ids({"recipients": [{"faxNumber": "100"}], "body": "x"}))

    @FUZZ
    @given(query=QUERY, inbound=st.booleans())
    @example(query={"page": "0\x1f"}, inbound=False)  # str.strip strips \x1f, int() does not: was a 500
    def one(query: dict[str, str], inbound: bool) -> None:
        call = stonefax.inbound_list if inbound else stonefax.outbound_list
        reply = loop.run_until_complete(call(**query))
        assert reply.status in (200, 400), reply
        if reply.status == 200:
            assert contracts.check("imagicle", "inbound-list" if inbound else "outbound-list", reply.body) == []
        else:
            assert reply.body["reason"].startswith("filters not valid")

    one()
