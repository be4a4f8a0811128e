"""A credential that has stored nothing leaves nothing lasting (issue #17, item 6).

Before, every new FAX.PLUS token made a permanent account (users, numbers: ~4.6 KB) even on
a read-only GET, and every Kazoo login one more; a client minting tokens grew the emulator
without bound. Now a tenant that owns nothing is forgotten (core/store.py ``forget_idle``),
and one that owns anything is kept while it does.
"""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import pytest

import emulator
from emulator.core import store as store_module
from emulator.vendors.kazoo.auth import RESELLER_ID, SWEEP_EVERY, TOKEN_TTL, TOKENS
from tests.conftest import advance, runtime_of
from tests.vendors.faxplus.raw import call, upload
from tests.vendors.kazoo.conftest import Kazoo


def held(client, vendor: str) -> set[str]:
    return {tenant_id for (name, tenant_id) in runtime_of(client).store.tenants if name == vendor}


async def read_as(client, token: str) -> dict:
    status, body = await call(client, "GET", "/accounts/self", token=token)
    assert status == 200, body
    return body


def emulator_bytes(snapshot: tracemalloc.Snapshot) -> int:
    """What the emulator's own code holds (not the test client, which keeps every response)."""
    own = snapshot.filter_traces([tracemalloc.Filter(True, EMULATOR)])
    return sum(stat.size for stat in own.statistics("filename"))


EMULATOR = str(Path(emulator.__file__).parent / "*")


async def test_new_tokens_on_read_only_requests_do_not_grow_memory(make_client, monkeypatch):
    monkeypatch.setattr(store_module, "IDLE_TENANTS", 32)
    client = await make_client(journal_size=20)  # the journal's own (bounded) memory kept out of the sum
    for n in range(100):  # warm up: the first looks, caches, the journal full
        await read_as(client, f"warm-{n}")
    tracemalloc.start()
    try:
        gc.collect()
        before = emulator_bytes(tracemalloc.take_snapshot())
        for n in range(600):
            await read_as(client, f"reader-{n}")
        gc.collect()
        grown = emulator_bytes(tracemalloc.take_snapshot()) - before
    finally:
        tracemalloc.stop()
    # each account kept would be ~4 KB (600 of them ~2.8 MB); what stays is the idle bound's
    assert grown < 1_000_000, grown
    assert len(held(client, "faxplus")) <= 3 * 32


@pytest.fixture
def few_idle(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(store_module, "IDLE_TENANTS", 8)
    return 8


async def flood(client, count: int) -> None:
    for n in range(count):
        await read_as(client, f"passer-by-{n}")


async def test_a_faxplus_account_that_owns_something_is_kept_and_one_forgotten_comes_back_the_same(
    make_client, few_idle
):
    client = await make_client()
    path = await upload(client, token="uploader")
    status, _ = await call(client, "PUT", "/accounts/self", token="editor", json={"name": "Renamed"})
    assert status == 204
    status, hook = await call(
        client, "POST", "/hooks", token="hooker", json={"target": "http://127.0.0.1:9/h", "event": "fax_received"}
    )
    assert status == 201, hook
    reader = await read_as(client, "reader")
    await flood(client, 10 * few_idle)
    assert {"uploader", "editor", "hooker"} <= held(client, "faxplus")
    assert "reader" not in held(client, "faxplus")
    assert (await read_as(client, "editor"))["name"] == "Renamed"
    again = await read_as(client, "reader")  # made again from its id: the same account
    assert {k: again[k] for k in ("uid", "email", "phone")} == {k: reader[k] for k in ("uid", "email", "phone")}
    uploader = runtime_of(client).store.find_tenant("faxplus", "uploader")
    assert uploader is not None and path in uploader.collection("files")  # still theirs


async def test_a_kazoo_login_holds_only_its_token_and_an_account_that_owns_a_faxbox_is_kept(make_client, few_idle):
    """A login keeps its token (valid an hour) in the master account's token book, and makes
    no account of its own: the account is made when the token is used, and forgotten like any
    that owns nothing (made again the same on next use). Before, each login held its account
    for the token's hour: 20,000 logins of new users added about 28 MB."""
    client = await make_client()
    live, boxed = Kazoo(client), Kazoo(client)
    await live.login(account="live")
    await boxed.login(account="boxed")
    assert (await boxed.put("/faxboxes", {"name": "Front desk"})).status == 201
    for n in range(10 * few_idle):
        passer_by = Kazoo(client)
        await passer_by.login(account=f"passer-by-{n}")
        assert (await passer_by.get("/faxboxes")).status == 200  # its account made, then idle
    kept = held(client, "kazoo")
    assert boxed.account_id in kept and live.account_id not in kept and len(kept) <= 3 * few_idle + 2
    assert [box["name"] for box in (await live.get("/faxboxes")).data] == []  # the token still works
    tampered = Kazoo(client)
    tampered.token, tampered.account_id = (
        live.token[:-2] + ("AA" if not live.token.endswith("AA") else "BB"),
        live.account_id,
    )
    assert (await tampered.get("/faxboxes")).status == 401
    await advance(client, TOKEN_TTL + 1)  # every token has expired
    assert (await live.get("/faxboxes")).status == 401
    for n in range(10 * few_idle):
        await Kazoo(client).login(account=f"later-{n}")
    assert boxed.account_id in held(client, "kazoo")
    await boxed.login(account="boxed")
    assert [box["name"] for box in (await boxed.get("/faxboxes")).data] == ["Front desk"]


async def test_the_token_book_is_swept_of_expired_tokens(make_client):
    client = await make_client()
    for _ in range(SWEEP_EVERY):
        await Kazoo(client).login()  # the same user, a test suite logging in for each test
    book = runtime_of(client).store.find_tenant("kazoo", RESELLER_ID).collection(TOKENS)
    assert len(book) == SWEEP_EVERY
    await advance(client, TOKEN_TTL + 1)
    await Kazoo(client).login()
    assert len(book) == 1


async def test_the_counts_of_forgotten_tenants_are_kept_under_their_vendor(make_client, few_idle):
    """Coverage counted each tenant's requests under its id: one more key for every credential
    ever read with (about 4 MB for 20,000). A forgotten tenant's counts are folded into its
    vendor's counts of no tenant, so the vendor's totals stay whole and the keys stay bounded."""
    client = await make_client()
    for n in range(10 * few_idle):
        await read_as(client, f"counted-{n}")
    tally = runtime_of(client).events.tally
    tenants = {tenant for (vendor, _, tenant, *_) in tally.requests if vendor == "faxplus"}
    assert None in tenants and len(tenants) <= 3 * few_idle + 1
    reads = {key[2]: n for key, n in tally.items().items() if key[:2] == ("operations", "faxplus")}
    assert sum(reads.values()) == 10 * few_idle
