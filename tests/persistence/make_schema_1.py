"""Frozen: how tests/persistence/data/schema-1.sqlite was made, with fax-emulator as of commit
423c58e (schema 2, whose fax rows it kept; a later emulator writes later rows, so this is not
run again: make a new fixture for a new schema). Schema 1 kept the whole request journal in
one ``meta`` row, ``journal_entries``; everything else as schema 2 does.

    python -m tests.persistence.make_schema_1 tests/persistence/data/schema-1.sqlite
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile

import orjson

from emulator.testing import FaxEmulator
from tests.properties.vendors import DRIVERS

START = 1_767_225_600.0


def make(path: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        made = os.path.join(folder, "made.sqlite")
        with FaxEmulator(seed=21, start_time=START, data=made) as emulator:
            for _, driver in sorted(DRIVERS.items()):
                sender = driver(emulator, "schema-1")
                sender.send(sender.destination("5550100"), 0)
                sender.send(sender.destination("5550002"), 2)
            emulator.client.advance(20)  # part way
        db = sqlite3.connect(made)
        entries = [orjson.loads(data) for (data,) in db.execute("SELECT data FROM journal ORDER BY seq")]
        db.execute("DROP TABLE journal")
        db.execute("INSERT INTO meta VALUES ('journal_entries', ?)", (orjson.dumps(entries).decode(),))
        db.execute("PRAGMA user_version = 1")
        db.commit()
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("VACUUM INTO ?", (path,))
        db.close()


if __name__ == "__main__":
    make(sys.argv[1])
