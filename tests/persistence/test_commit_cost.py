"""serve --data: what a commit costs does not grow with what the journal holds."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from emulator.core import journal as journal_module
from emulator.core import persist
from tests.conftest import runtime_of
from tests.vendors.callerip.test_flow import send_form


async def test_a_commit_settles_only_the_journal_entries_it_writes(make_client, tmp_path, monkeypatch):
    """Each commit made the journal's whole state and threw its entries away (it wanted their
    numbering): 10,000 entries settled one by one, a commit, once the ring was full."""
    client = await make_client(data=str(tmp_path / "state.sqlite"), journal_size=2000)
    for _ in range(3):
        assert (await client.post("/api/fax/send", data=send_form())).status == 200
    journal = runtime_of(client).journal
    entry = journal.requests[-1]
    for _ in range(2000):  # the ring full of entries already written, as after a long load
        journal.record(*entry[1:12])
    assert (await client.post("/api/fax/send", data=send_form())).status == 200  # (commits the filler)

    settled = journal_module.settled
    calls = []
    monkeypatch.setattr(journal_module, "settled", lambda fields: calls.append(1) or settled(fields))
    assert (await client.post("/api/fax/send", data=send_form())).status == 200
    assert 1 <= len(calls) <= 5  # the send's own entry (and any the commit found new), not 2,000


async def test_a_send_rewrites_where_the_id_streams_stand_not_the_streams(make_client, tmp_path, monkeypatch):
    """The id streams are 22 KB of JSON, and every send draws ids: each commit wrote them whole.
    They change once in hundreds of ids; what a send's commit writes of the meta rows is where
    they stand, and the rows that changed."""
    client = await make_client(data=str(tmp_path / "state.sqlite"), seed=4)
    assert (await client.post("/api/fax/send", data=send_form())).status == 200
    written: list[list[tuple[str, str]]] = []
    write = persist._write
    monkeypatch.setattr(persist, "_write", lambda db, batch: written.append(batch["meta"]) or write(db, batch))
    for _ in range(20):
        assert (await client.post("/api/fax/send", data=send_form())).status == 200
    assert len(written) >= 20
    with_streams = [meta for meta in written if any(key == "id_streams" for key, _ in meta)]
    assert len(with_streams) <= 2  # a CallerIP send draws 10 words of the 624 a making gives
    assert all(sum(len(text) for _, text in meta) < 1000 for meta in written if meta not in with_streams)
    assert all(any(key == "id_positions" for key, _ in meta) for meta in written)


def test_dropping_the_journals_old_rows_reads_only_them(tmp_path):
    """Bounded by the key: SQLite searches the old rows, it does not scan the table."""
    db = persist._open(str(tmp_path / "state.sqlite"))
    plan = " ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + persist._DROP_OLD_JOURNAL, (5,)))
    assert "SEARCH journal USING INTEGER PRIMARY KEY" in plan and "SCAN" not in plan


def test_a_fax_body_row_is_appended_under_its_position(tmp_path):
    """Keyed by the fax's id, each new fax's body also wrote a page of that index at a random
    place: the body table has no index of its own, its rows are found by the fax's position."""
    db = persist._open(str(tmp_path / "state.sqlite"))
    assert db.execute("PRAGMA index_list(fax_bodies)").fetchall() == []
    plan = " ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN SELECT data FROM " + persist._BODY_OF, ("x",)))
    assert "SEARCH fax_bodies USING INTEGER PRIMARY KEY" in plan and "SCAN" not in plan


@pytest.mark.parametrize("broken", ["_write", "_batch"])
async def test_a_commit_that_fails_answers_503_and_none_waits_for_ever(make_client, tmp_path, monkeypatch, broken):
    """A write the disk refuses, or a batch that cannot be made: the send waiting for it is the
    vendor's 503, and so is every later change (nothing unwritten is acknowledged). A batch that
    could not be made ended the writer's task, and the sends waiting on it waited for ever."""
    client = await make_client(data=str(tmp_path / "state.sqlite"))
    assert (await client.post("/api/fax/send", data=send_form())).status == 200

    def refused(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    if broken == "_write":
        monkeypatch.setattr(persist, "_write", refused)
    else:
        monkeypatch.setattr(persist.Persistence, "_batch", refused)
    for _ in range(2):
        response = await asyncio.wait_for(client.post("/api/fax/send", data=send_form()), 10)
        assert response.status == 503
        assert "data file" in (await response.text())


async def test_after_a_commit_fails_the_file_stays_as_its_last_commit_left_it(make_client, tmp_path, monkeypatch):
    """A commit that fails ends the writing: each later batch would hold only what changed since
    it, and the id streams it carried would be missing from the file, while where they stand
    was written again: an emulator restarted on that file made again ids its faxes had (each
    send a 500). Restarted on it, the emulator resumes from the last commit that was written."""
    path = str(tmp_path / "state.sqlite")
    client = await make_client(data=path, seed=7)
    for _ in range(3):
        assert (await client.post("/api/fax/send", data=send_form())).status == 200
    write, failed = persist._write, []

    def failing_once(db: sqlite3.Connection, batch: dict[str, object]) -> None:
        if not failed and any(key == "id_streams" for key, _ in batch["meta"]):  # type: ignore[attr-defined]
            failed.append(batch)
            raise sqlite3.OperationalError("database is locked")
        write(db, batch)

    monkeypatch.setattr(persist, "_write", failing_once)
    statuses = [(await client.post("/api/fax/send", data=send_form())).status for _ in range(200) if not failed]
    assert failed and statuses[-1] == 503 and set(statuses[:-1]) <= {200}
    writer = runtime_of(client).durable.__self__._task  # type: ignore[attr-defined]
    assert writer is not None and writer.done()  # nothing more is written
    for _ in range(3):  # the sends after it are refused, and their faxes not written
        assert (await client.post("/api/fax/send", data=send_form())).status == 503
    advanced = await client.post("/_emulator/clock/advance", json={"seconds": 30})
    assert advanced.status == 503  # (a control call that changes something is refused too; nothing written)
    kept = statuses.count(200) + 3
    await client.close()

    again = await make_client(data=path, seed=7)
    held = {fax.id for fax in runtime_of(again).store.all_faxes()}
    assert len(held) == kept
    for _ in range(30):
        response = await again.post("/api/fax/send", data=send_form())
        assert response.status == 200
    made = {fax.id for fax in runtime_of(again).store.all_faxes()} - held
    assert len(made) == 30  # none of them one the file held
