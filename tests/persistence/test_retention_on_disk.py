"""Retention on disk: an emulator restarted on its data file with smaller limits drops the
oldest ended faxes (or their documents) from the file too, not only from memory, so a later
start with larger limits does not bring them back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from emulator.testing import FaxEmulator
from tests.properties.vendors import DRIVERS

START = 1_767_225_600.0


def _fill(path: str) -> list[str]:
    """Eight faxes sent and ended (two on each vendor); their ids."""
    with FaxEmulator(seed=8, start_time=START, data=path) as emulator:
        for _, driver in sorted(DRIVERS.items()):
            sender = driver(emulator, "retained")
            for _ in range(2):
                sender.send(sender.destination("5550100"), 1)
                emulator.client.advance(600)
        faxes = emulator.client.faxes()
        assert len(faxes) == 8 and all(f.terminal for f in faxes)
        return [f.id for f in faxes]


def _rows(path: str) -> dict[str, tuple[int, int]]:
    """The file's faxes: id -> (the size its index row gives, the bytes its body row holds)."""
    db = sqlite3.connect(path)
    try:
        query = "SELECT id, document_bytes, length(documents) FROM faxes JOIN fax_bodies USING (position)"
        return {fax_id: (size, held) for fax_id, size, held in db.execute(query)}
    finally:
        db.close()


def test_faxes_dropped_at_start_up_leave_the_file(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite")
    sent = _fill(path)
    assert set(_rows(path)) == set(sent)
    with FaxEmulator(seed=8, start_time=START, data=path, retain_faxes=3) as emulator:
        kept = {f.id for f in emulator.client.faxes()}
        assert len(kept) == 3 and emulator.client.health()["retention"]["faxes_dropped"] == 5
    assert set(_rows(path)) == kept
    with FaxEmulator(seed=8, start_time=START, data=path) as emulator:  # larger limits again
        assert {f.id for f in emulator.client.faxes()} == kept


def test_documents_dropped_at_start_up_leave_the_file(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite")
    sent = _fill(path)
    assert all(size > 0 and held == size for size, held in _rows(path).values())
    with FaxEmulator(seed=8, start_time=START, data=path, retain_document_bytes=0) as emulator:
        assert emulator.client.health()["retention"]["documents_dropped"] == 8
    assert _rows(path) == {fax_id: (0, 0) for fax_id in sent}
    with FaxEmulator(seed=8, start_time=START, data=path) as emulator:  # larger limits again
        faxes = emulator.client.faxes()
        assert {f.id for f in faxes} == set(sent)
        assert all(emulator.client.call("GET", f"/faxes/{f.id}")["documents_expired"] for f in faxes)
        assert emulator.client.health()["retention"]["document_bytes"] == 0
