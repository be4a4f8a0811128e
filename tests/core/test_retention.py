"""Retention: the oldest ended faxes go first, then the oldest ended faxes' documents."""

from __future__ import annotations

import pytest

from emulator.core.documents import Document
from emulator.core.retention import Retention
from emulator.core.store import Fax, Store
from tests.conftest import advance
from tests.vendors.callerip.test_flow import send_form


def _store(max_faxes: int, max_document_bytes: int = 1_000) -> Store:
    store = Store(Retention(max_faxes, max_document_bytes))
    store.tenant("v", "t", 0.0)
    return store


def _fax(store: Store, fax_id: str, size: int = 10) -> Fax:
    document = Document("pdf", b"x" * size, 1, "a.pdf")
    return store.add(Fax(fax_id, "v", "t", "outbound", "1", "2", "s", 0.0, documents=[document]))


def _end(store: Store, fax: Fax) -> None:
    fax.ended_at = 1.0
    store.ended(fax)


def test_running_faxes_are_kept_beyond_the_limit_and_the_oldest_ended_go_first() -> None:
    store = _store(max_faxes=2)
    faxes = [_fax(store, str(n)) for n in range(4)]
    assert len(store.all_faxes()) == 4  # none has ended: none may go
    _end(store, faxes[2])
    _end(store, faxes[0])
    assert [f.id for f in store.all_faxes()] == ["1", "3"]  # both ended ones went, in the order they ended
    _end(store, faxes[3])
    _end(store, faxes[1])
    assert [f.id for f in store.all_faxes()] == ["1", "3"]  # at the limit: nothing more goes
    assert store.retention.counts()["faxes"] == 2 and store.retention.faxes_dropped == 2


def test_a_dropped_fax_goes_under_every_id_it_has() -> None:
    store = _store(max_faxes=1)
    first = _fax(store, "a")
    store.alias(first, "a-2")
    _end(store, first)
    _fax(store, "b")
    assert store.get("a") is None and store.get("a-2") is None
    assert list(store.tenants[("v", "t")].faxes) == ["b"]


def test_documents_beyond_the_byte_budget_expire_oldest_ended_first() -> None:
    store = _store(max_faxes=10, max_document_bytes=25)
    faxes = [_fax(store, str(n)) for n in range(3)]
    for fax in faxes:
        _end(store, fax)
    assert [f.documents_expired for f in faxes] == [True, False, False]
    assert not faxes[0].documents and store.get("0") is faxes[0]  # the record stays
    assert store.retention.document_bytes == 20 and store.retention.documents_dropped == 1


def test_deleted_and_reset_faxes_are_no_longer_counted() -> None:
    store = _store(max_faxes=2, max_document_bytes=100)
    faxes = [_fax(store, str(n)) for n in range(2)]
    _end(store, faxes[0])
    store.remove(faxes[0])
    store.remove(faxes[0])  # twice is once
    assert store.retention.counts()["faxes"] == 1 and store.retention.document_bytes == 0
    store.reset("v", "t")
    assert store.retention.counts()["faxes"] == 0
    store.tenant("v", "t", 0.0)
    _end(store, _fax(store, "x"))
    assert store.retention.document_bytes == 10
    store.reset()
    assert (store.retention.counts()["faxes"], store.retention.document_bytes) == (0, 0)


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError):
        Retention(0)
    with pytest.raises(ValueError):
        Retention(1, -1)


async def test_health_shows_the_limits_and_a_dropped_callerip_fax_is_unknown(make_client) -> None:
    client = await make_client(retain_faxes=2, retain_document_bytes=0)
    uuids = []
    for _ in range(3):
        response = await client.post("/api/fax/send", data=send_form())
        uuids.append((await response.json())["uuid"])
    await advance(client, 3600)
    health = await (await client.get("/_emulator/health")).json()
    assert health["retention"] == {
        "max_faxes": 2,
        "faxes": 2,
        "faxes_dropped": 1,
        "max_document_bytes": 0,
        "document_bytes": 0,
        "documents_dropped": 2,
    }
    statuses = [(await client.get("/api/fax/status", params={"token": "line-1", "uuid": u})).status for u in uuids]
    assert statuses == [404, 200, 200]  # callerip.md D14: an evicted uuid is unknown
    view = await (await client.get(f"/_emulator/faxes/{uuids[2]}")).json()
    assert view["documents"] == [] and view["documents_expired"] is True
