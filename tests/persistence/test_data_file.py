"""serve --data: the state kept in SQLite and resumed on start; files it must not use are
refused with why and left as they are; an older schema is migrated."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.core import persist
from emulator.core.answers import json_bytes, json_loads
from emulator.core.codec import encode
from emulator.core.ids import Ids
from emulator.core.journal import entries_from_json
from emulator.core.persist import _MIGRATIONS, _TABLES, SCHEMA
from emulator.core.store import PackedFax
from emulator.testing import FaxEmulator
from emulator.testing.client import ControlError
from tests.properties.vendors import DRIVERS

START = 1_767_225_600.0
FIXTURE = Path(__file__).parent / "data" / "schema-1.sqlite"


def test_a_restarted_emulator_resumes_where_it_stood(tmp_path):
    path = str(tmp_path / "state.sqlite")
    with FaxEmulator(seed=3, start_time=START, data=path) as emulator:
        receiver = emulator.receiver()
        drivers = {name: driver(emulator, "resume") for name, driver in sorted(DRIVERS.items())}
        for driver in drivers.values():
            driver.subscribe(receiver.url)
            driver.send(driver.destination("5550100"), 0)
            driver.send(driver.destination("5550002"), 2)  # busy: retried
        emulator.client.advance(20)
        held = {f.id: f.statuses for f in emulator.client.faxes()}
        clock = emulator.client.clock().now
        made = [d.id for d in emulator.client.webhooks()]
        journal = emulator.client.requests()
    with FaxEmulator(seed=3, start_time=START, data=path) as emulator:
        receiver = emulator.receiver()
        assert emulator.client.requests() == journal and len(journal) >= 8
        assert emulator.client.clock().now == clock  # the manual clock resumes where it stood
        assert {f.id: f.statuses for f in emulator.client.faxes()} == held
        assert [d.id for d in emulator.client.webhooks()] == made
        emulator.client.advance(3600)
        assert all(f.terminal for f in emulator.client.faxes())
        again = {name: driver(emulator, "resume") for name, driver in sorted(DRIVERS.items())}
        new = [driver.send(driver.destination("5550100"), 0) for driver in again.values()]
        assert not set(new) & set(held)  # ids continue: none repeats


def test_an_older_schema_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    journal = sqlite3.connect(FIXTURE).execute("SELECT value FROM meta WHERE key = 'journal_entries'").fetchone()
    assert journal is not None
    with FaxEmulator(seed=21, start_time=START, data=str(path)) as emulator:
        faxes = emulator.client.faxes()
        assert len(faxes) == 8 and not all(f.terminal for f in faxes)
        assert len(emulator.client.requests()) > 8  # the journal came across
        emulator.client.advance(3600)
        assert all(f.terminal for f in emulator.client.faxes())
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA
    assert sum(len(entries_from_json(data)) for (data,) in db.execute("SELECT data FROM journal")) > 8


def _copies(path: Path, each: int) -> int:
    """Copy each fax of the schema-1 file at ``path`` under ``each`` new ids (the first eight
    hex digits of its id made a count); how many faxes it then holds."""
    db = sqlite3.connect(path)
    rows = db.execute("SELECT id, data FROM faxes ORDER BY position").fetchall()
    for copy in range(1, each + 1):
        for index, (fax_id, data) in enumerate(rows):
            found = re.search("[0-9a-f]{8}", fax_id)
            assert found is not None
            new_id = fax_id.replace(found.group(), f"{copy:08x}")
            position = copy * len(rows) + index
            db.execute("INSERT INTO faxes VALUES (?, ?, ?)", (new_id, position, data.replace(fax_id, new_id)))
    db.commit()
    held: int = db.execute("SELECT count(*) FROM faxes").fetchone()[0]
    db.close()
    return held


def test_a_migrated_file_is_compacted(tmp_path):
    """A migration rewrites tables in place; the pages the old rows held are given back (a
    file of 100,000 faxes grew from 142 MB to 306 MB before)."""
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    held = _copies(path, 50)
    with FaxEmulator(seed=21, start_time=START, data=str(path)) as emulator:
        assert emulator.client.health()["retention"]["faxes"] == held
    fresh = tmp_path / "fresh.sqlite"  # the same content, written anew
    db = sqlite3.connect(path)
    db.execute("VACUUM INTO ?", (str(fresh),))
    db.close()
    assert path.stat().st_size <= 1.2 * fresh.stat().st_size


def _serve(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--clock", "manual", "--data", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"this is not a database at all, only text" * 100, "is not a fax-emulator data file, or is damaged"),
        (None, "was written by a newer fax-emulator (schema 99"),
    ],
)
def test_a_file_it_cannot_use_is_refused_with_why_and_left_as_it_is(tmp_path, content, why):
    path = tmp_path / "state.sqlite"
    if content is None:
        shutil.copy(FIXTURE, path)
        db = sqlite3.connect(path)
        db.execute("PRAGMA user_version = 99")
        db.commit()
        db.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    served = _serve(path)
    assert served.returncode == 1
    assert why in served.stderr and "it was left as it is" in served.stderr
    assert "Traceback" not in served.stderr
    assert path.read_bytes() == before


def _damage_first_fax(path: Path, column: str, value: str) -> str:
    """Write ``value`` into ``column`` of the first fax's row of the current schema; its id."""
    db = sqlite3.connect(path)
    fax_id: str = db.execute("SELECT id FROM faxes ORDER BY position LIMIT 1").fetchone()[0]
    if column == "aliases":
        db.execute("UPDATE faxes SET aliases = ? WHERE id = ?", (value, fax_id))
    else:  # (a body row is under its fax's position)
        body = "position = (SELECT position FROM faxes WHERE id = ?)"
        db.execute(f"UPDATE fax_bodies SET {column} = ? WHERE {body}", (value, fax_id))
    db.commit()
    db.close()
    return fax_id


def test_a_damaged_row_is_refused_with_why(tmp_path):
    path = tmp_path / "state.sqlite"
    shutil.copy(FIXTURE, path)
    with FaxEmulator(seed=21, start_time=START, data=str(path)):
        pass  # migrated to the current schema
    _damage_first_fax(path, "aliases", "not JSON")
    served = _serve(path)
    assert served.returncode == 1 and "Traceback" not in served.stderr
    assert "cannot be loaded: a fax's row is damaged" in served.stderr and "it was left as it is" in served.stderr


def test_a_fax_whose_body_is_damaged_answers_503_when_read_and_the_others_are_served(tmp_path):
    """Start-up reads each fax's index row; the rest of a fax (its body row) is read when the
    fax is first used, so damage there shows then, for that fax alone."""
    path = tmp_path / "state.sqlite"
    shutil.copy(FIXTURE, path)
    with FaxEmulator(seed=21, start_time=START, data=str(path)) as emulator:
        others = [f.id for f in emulator.client.faxes()][1:]
    damaged = _damage_first_fax(path, "data", '{"$type": "os:system"}')
    with FaxEmulator(seed=21, start_time=START, data=str(path)) as emulator:
        assert [emulator.client.fax(fax_id).id for fax_id in others] == others
        with pytest.raises(ControlError) as refused:
            emulator.client.fax(damaged)
        assert refused.value.status == 503 and "its row in the data file is damaged" in refused.value.message


def test_a_damaged_row_an_older_schema_cannot_migrate_is_refused_and_the_file_left_as_it_is(tmp_path):
    path = tmp_path / "state.sqlite"
    shutil.copy(FIXTURE, path)
    db = sqlite3.connect(path)
    db.execute('UPDATE faxes SET data = \'{"fax": {"$type": "os:system"}}\' WHERE position = 0')
    db.commit()
    db.close()
    served = _serve(path)
    assert served.returncode == 1 and "Traceback" not in served.stderr
    assert "(schema 1) cannot be migrated" in served.stderr and "it was left as it is" in served.stderr
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert db.execute("SELECT value FROM meta WHERE key = 'journal_entries'").fetchone() is not None


def test_a_restarted_emulator_makes_each_fax_whole_only_when_it_is_used(tmp_path):
    """Start-up reads each fax packed (core.store.PackedFax): listings' counts and facets, and
    retention, see every fax; a fax is read whole when first used, and is then what it was."""
    path = str(tmp_path / "state.sqlite")
    with FaxEmulator(seed=5, start_time=START, data=path) as emulator:
        for _, driver in sorted(DRIVERS.items()):
            sender = driver(emulator, "packed")
            for suffix in ("5550100", "5550002", "5550003"):
                sender.send(sender.destination(suffix), 1)
        emulator.client.advance(25)  # part way: some ended, some still on their way
        before = emulator.client.export_state()["faxes"]
        facets = emulator.client.call("GET", "/faxes?limit=1&facets=1")
    with FaxEmulator(seed=5, start_time=START, data=path) as emulator:
        faxes = emulator.call(lambda: emulator.runtime.store.all_faxes())

        def unpacked() -> list[str]:
            return [f.id for f in faxes if not (isinstance(f, PackedFax) and f.packed)]

        assert len(faxes) == 12 and emulator.call(unpacked) == []
        newest = emulator.client.call("GET", "/faxes?limit=1&facets=1")
        assert newest == facets  # (its facets and total read no fax whole; the one it shows, whole)
        assert emulator.call(unpacked) == [facets["faxes"][0]["id"]]
        assert emulator.client.export_state()["faxes"] == before
        emulator.client.advance(3600)
        assert all(f.terminal for f in emulator.client.faxes())


def test_an_account_named_with_a_lone_surrogate_is_kept_and_resumed(tmp_path):
    """A Kazoo login's account name may hold a lone surrogate (a JSON escape): the data file's
    writer could not write it, its task died, and every later change hung (found by a byte
    probe). It is written as its escape, and read back as it was."""
    import urllib.request

    path = str(tmp_path / "state.sqlite")
    body = b'{"data":{"credentials":"' + b"c" * 32 + b'","account_name":"acme\\udcff"}}'
    with FaxEmulator(seed=3, start_time=START, data=path) as emulator:
        request = urllib.request.Request(
            emulator.url + "/v2/user_auth", data=body, method="PUT", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201
        names = [t["settings"].get("account_name") for t in emulator.client.export_state()["tenants"]]
    assert "acme\udcff" in names
    with FaxEmulator(seed=3, start_time=START, data=path) as emulator:
        names = [t["settings"].get("account_name") for t in emulator.client.export_state()["tenants"]]
        assert "acme\udcff" in names


def test_a_form_field_read_as_a_lone_surrogate_does_not_stop_the_data_file(tmp_path):
    """A CallerIP token field in utf-7 (``+2AA-``) decoded to a lone surrogate, the send's
    tenant: the data file could not write it, and that send and every later change were 503s
    (found by a byte probe). A form field's lone surrogate is read as U+FFFD, as a byte that
    does not decode is."""
    import urllib.request

    from emulator.core.documents import make_pdf

    body = (
        b'--bb\r\nContent-Disposition: form-data; name="token"\r\nContent-Type: text/plain; charset=utf-7\r\n\r\n'
        b'+2AA-\r\n--bb\r\nContent-Disposition: form-data; name="number"\r\n\r\n2125550100\r\n'
        b'--bb\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
        + make_pdf(1)
        + b"\r\n--bb--\r\n"
    )
    with FaxEmulator(seed=3, start_time=START, data=str(tmp_path / "state.sqlite")) as emulator:
        request = urllib.request.Request(
            emulator.url + "/api/fax/send",
            data=body,
            method="POST",
            headers={"Content-Type": "multipart/form-data; boundary=bb"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
        assert [t["id"] for t in emulator.client.export_state()["tenants"]] == ["\ufffd"]
        emulator.client.reset()  # a later change is kept too (it was a 503: ControlError)


def test_a_row_holding_a_lone_surrogate_is_written_as_its_escape_and_read_back():
    """The writer's half of the test above, in-process: orjson refuses a lone surrogate."""
    from emulator.core.answers import json_loads
    from emulator.core.persist import _json

    row = {"settings": {"account_name": "acme\udcff"}, "n": 1}
    assert _json(row) == '{"settings":{"account_name":"acme\\udcff"},"n":1}'
    assert json_loads(_json(row)) == row
    assert json_loads(_json({"plain": "text"})) == {"plain": "text"}


def test_schema_4s_id_streams_and_fax_bodies_are_migrated():
    """Schema 4 kept ``Ids.state`` whole in the ``ids`` row and a fax's body row under its id;
    after the migration the two rows that replace the first give that state back (the ids a
    resumed emulator makes continue it), and each body is under its fax's position."""
    ids = Ids(seed=9)
    for _ in range(300):  # into a second batch of request ids, and past a making of the words
        ids.uuid4()
        ids.request_id()
    db = sqlite3.connect(":memory:")
    for table in (_TABLES[0], _TABLES[2], persist._BODIES_4):
        db.execute(table)
    db.execute("INSERT INTO meta VALUES ('ids', ?)", (json_bytes(encode(ids.state())).decode(),))
    for position, fax_id in ((7, "fax-b"), (3, "fax-a")):
        db.execute(
            "INSERT INTO faxes (position, id, vendor, tenant, direction, status, created_at, aliases, "
            "document_bytes) VALUES (?, ?, 'v', 't', 'outbound', 'queued', 0, '[]', 1)",
            (position, fax_id),
        )
        db.execute("INSERT INTO fax_bodies VALUES (?, ?, ?)", (fax_id, f'{{"id": "{fax_id}"}}', fax_id.encode()))
    _MIGRATIONS[4](db)
    meta = {key: json_loads(value) for key, value in db.execute("SELECT key, value FROM meta")}
    assert set(meta) == {"id_streams", "id_positions"}
    assert Ids.from_durable(meta["id_streams"], meta["id_positions"]) == ids.state()
    assert db.execute("SELECT position, documents FROM fax_bodies ORDER BY position").fetchall() == [
        (3, b"fax-a"),
        (7, b"fax-b"),
    ]
    assert db.execute("SELECT data FROM " + persist._BODY_OF, ("fax-b",)).fetchone() == ('{"id": "fax-b"}',)
