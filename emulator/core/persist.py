"""The data file: the emulator's state kept in SQLite (``fax-emulator serve --data PATH``).

Memory stays where the state is read from; the file is where it survives. The file holds
a snapshot (core/snapshot.py) split into rows: one per tenant, delivery and journal entry,
two per fax (``faxes``: what start-up reads of it; ``fax_bodies``: the rest, and its
documents' bytes), and a few ``meta`` rows for the rest (clock, id streams, accounts,
options, scenarios, e-mails, violations). Start-up reads it back through ``snapshot.stage``
and ``apply``, as ``PUT /_emulator/state`` does, each fax packed (``store.PackedFax``): its
body row is read when the fax is first used (100,000 faxes: about 1 s of CPU, against 16 s
when each was read whole).

Durability: every answer that acknowledges a change is sent only once the change is
committed. The request pipeline (and the control API) awaits ``commit`` for each request
that may change something; concurrent requests share one commit (group commit). What the
clock changes (a fax moving on, a webhook attempt) is marked as it happens and committed
in the next batch, at most ``FLUSH_EVERY`` seconds later. SQLite runs in one writer thread
of its own (``sqlite3`` releases the GIL while it writes and syncs), never on the event
loop. WAL mode, ``synchronous=FULL``: a commit has reached the disk when it returns. Once a
commit fails, nothing more is written and every change is refused (the vendor's 503): the
file stays as its last commit left it.

What changed is marked by the parts that change it (every change of a fax passes
``Store.changed``; the dispatcher tells of its deliveries) and by the pipeline for a request
that may change its tenant's resources; a reset or a loaded snapshot rewrites the whole file.

The file has a schema version (``PRAGMA user_version``): an older one is migrated in one
transaction; a newer one, or a file that is not ours or is damaged, is refused with why,
and left as it is.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any

import orjson

from emulator.core import snapshot
from emulator.core.answers import json_bytes, json_loads
from emulator.core.codec import decode, encode
from emulator.core.errors import Unavailable
from emulator.core.ids import Ids, check_state
from emulator.core.journal import entries_from_json, entries_json, held
from emulator.core.store import Recorded, fax_from_data

if TYPE_CHECKING:
    from aiohttp import web

    from emulator.core.exchange import Exchange
    from emulator.core.runtime import Runtime
    from emulator.core.store import Fax, Tenant, Transition
    from emulator.core.webhooks import Delivery

log = logging.getLogger(__name__)

#: the schema this emulator writes; every older one is migrated (``_MIGRATIONS``)
SCHEMA = 5
#: seconds between batches of what the clock changed (a request's changes go at once)
FLUSH_EVERY = 0.05
#: seconds between writes of the journal's new entries when nothing else changed (a read
#: acknowledges no change, so the entries it adds may wait)
JOURNAL_EVERY = 1.0
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

_TABLES = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE tenants (vendor TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (vendor, id))",
    # what start-up reads of each fax (store.PACKED_FIELDS, aliases as JSON), its documents' size
    # and its timer (when it is due, and the rest as JSON: the same text for the many faxes that
    # wait the same way); the rest is in fax_bodies, read when the fax is first used
    "CREATE TABLE faxes (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, vendor TEXT NOT NULL, "
    "tenant TEXT NOT NULL, direction TEXT NOT NULL, status TEXT NOT NULL, created_at REAL NOT NULL, "
    "ended_at REAL, aliases TEXT NOT NULL, document_bytes INTEGER NOT NULL, due REAL, timer TEXT)",
    # a fax's JSON (Fax.to_data), and its documents' bytes one after another (each entry's
    # "data" its length), under the fax's position in ``faxes``: a new fax's row is appended
    # (keyed by its id, each commit also wrote a page of an index at a random place per fax)
    "CREATE TABLE fax_bodies (position INTEGER PRIMARY KEY, data TEXT NOT NULL, documents BLOB NOT NULL)",
    "CREATE TABLE deliveries (id INTEGER PRIMARY KEY, pending INTEGER NOT NULL, data TEXT NOT NULL)",
    # the request journal's entries, as each commit found them new: ``seq`` the first one's,
    # ``last`` the last one's, ``data`` them all (journal.entries_json)
    "CREATE TABLE journal (seq INTEGER PRIMARY KEY, last INTEGER NOT NULL, data TEXT NOT NULL)",
)


#: the tables start-up reads whole, checked by SQLite first (``fax_bodies`` is read a row at a
#: time, when a fax is first used: a damaged page there fails that fax's reads alone)
_READ_WHOLE = ("meta", "tenants", "faxes", "deliveries", "journal")


def _migrate_1(db: sqlite3.Connection) -> None:
    """Schema 1 kept the whole journal in one meta row (rewritten by every commit); 2 keeps a row
    per entry, so a commit adds only the new ones."""
    db.execute("CREATE TABLE journal (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)")
    found = db.execute("SELECT value FROM meta WHERE key = 'journal_entries'").fetchone()
    if found is not None:
        for entry in json_loads(found[0]):
            db.execute("INSERT INTO journal VALUES (?, ?)", (entry["$tuple"][0], orjson.dumps(entry).decode()))
        db.execute("DELETE FROM meta WHERE key = 'journal_entries'")


def _migrate_2(db: sqlite3.Connection) -> None:
    """Schema 2 kept a fax's documents in its JSON (base64, tagged by core/codec.py) and the
    running attempt's result tagged; 3 keeps the bytes in a column of their own (no base64,
    no walk through the codec when the file is read) and the result as ``Result.to_data``."""
    db.execute("ALTER TABLE faxes ADD COLUMN documents BLOB NOT NULL DEFAULT x''")
    for fax_id, data in db.execute("SELECT id, data FROM faxes").fetchall():
        entry = json_loads(data)
        entry["fax"] = decode(entry["fax"], "fax")
        timer = entry.get("timer")
        if timer is not None and timer.get("call") == "leave":
            pending = decode(timer.get("pending"), "timer.pending")
            timer["pending"] = pending.to_data() if pending is not None else None
        documents = entry["fax"]["documents"]
        blob = b"".join(document["data"] for document in documents)
        for document in documents:
            document["data"] = len(document["data"])
        db.execute("UPDATE faxes SET data = ?, documents = ? WHERE id = ?", (_json(entry), blob, fax_id))


def _migrate_3(db: sqlite3.Connection) -> None:
    """Schema 3 kept each fax whole in one row (read whole at start-up: 16 s for 100,000 faxes);
    4 keeps what start-up reads of it in ``faxes`` and the rest in ``fax_bodies``. 3 kept a
    journal entry tagged by the codec, one a row; 4 the entries each commit found new in one
    row, as ``journal.entries_json`` (tagging them, and a row each, cost a hot read with
    ``--data`` over a tenth of its time)."""
    db.execute("ALTER TABLE faxes RENAME TO faxes_3")
    db.execute(_TABLES[2])
    db.execute(_BODIES_4)
    for fax_id, position, data, blob in db.execute("SELECT id, position, data, documents FROM faxes_3").fetchall():
        entry = json_loads(data)
        index, body = _fax_rows(fax_id, position, entry["fax"], entry.get("timer"), blob)
        db.execute(_INSERT_FAX, index)
        db.execute("INSERT INTO fax_bodies VALUES (?, ?, ?)", body)
    db.execute("DROP TABLE faxes_3")
    entries = [held(decode(json_loads(data))) for (data,) in db.execute("SELECT data FROM journal ORDER BY seq")]
    db.execute("DROP TABLE journal")
    db.execute(_TABLES[-1])
    if entries:  # (codec-tagged, one a row; now plain, in one row)
        db.execute("INSERT INTO journal VALUES (?, ?, ?)", (entries[0][0], entries[-1][0], entries_json(entries)))


#: schema 4's ``fax_bodies``, keyed by the fax's id
_BODIES_4 = "CREATE TABLE fax_bodies (id TEXT PRIMARY KEY, data TEXT NOT NULL, documents BLOB NOT NULL)"


def _migrate_4(db: sqlite3.Connection) -> None:
    """Schema 4 kept the id streams' whole state in one meta row (``Ids.state``, tagged by
    core/codec.py), made anew by each commit that drew an id; 5 keeps them as ``Ids.durable``
    gives them: the streams, written when they change, and where each stands. 4 kept a fax's
    body row under its id; 5 under its position, appended as faxes come."""
    db.execute("ALTER TABLE fax_bodies RENAME TO fax_bodies_4")
    db.execute(_TABLES[3])
    db.execute(
        "INSERT INTO fax_bodies SELECT faxes.position, body.data, body.documents "
        "FROM fax_bodies_4 AS body JOIN faxes USING (id)"
    )
    db.execute("DROP TABLE fax_bodies_4")
    found = db.execute("SELECT value FROM meta WHERE key = 'ids'").fetchone()
    if found is not None:
        ids = Ids()
        ids.restore(check_state(decode(json_loads(found[0]), "ids")))
        streams, positions = ids.durable()
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)", [("id_streams", _json(streams)), ("id_positions", _json(positions))]
        )
        db.execute("DELETE FROM meta WHERE key = 'ids'")


#: schema N -> what makes it N + 1
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _migrate_1,
    2: _migrate_2,
    3: _migrate_3,
    4: _migrate_4,
}


class DataFileError(Exception):
    """A data file this emulator will not use; the message says why and what to do."""


class DataFile:
    """The SQLite file, used only from its own writer thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="fax-emulator-data")
        self._db: sqlite3.Connection | None = None

    def run(self, work: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        """``work(connection, *args)`` in the writer thread."""
        return self._thread.submit(self._call, work, *args)

    def _call(self, work: Callable[..., Any], *args: Any) -> Any:
        if self._db is None:
            self._db = _open(self.path)
        return work(self._db, *args)

    def close(self) -> None:
        def closing(db: sqlite3.Connection) -> None:
            db.close()
            self._db = None

        if self._db is not None:
            self.run(closing).result()
        self._thread.shutdown(wait=True)


def _open(path: str) -> sqlite3.Connection:
    """The file at ``path``, made or migrated to ``SCHEMA``; DataFileError if it cannot be used."""
    what = f"the data file {path}"
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise DataFileError(
            f"{what} is not a fax-emulator data file, or is damaged ({exc}); it was left as it is"
        ) from None
    if version > SCHEMA:
        db.close()
        raise DataFileError(
            f"{what} was written by a newer fax-emulator (schema {version}; this one reads up to {SCHEMA}); "
            "it was left as it is: upgrade fax-emulator, or start with another --data file"
        )
    if version == 0 and tables:
        db.close()
        raise DataFileError(
            f"{what} is an SQLite file of something else ({', '.join(sorted(tables))}); it was left as it is"
        )
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("BEGIN IMMEDIATE")
        if version == 0:
            for table in _TABLES:
                db.execute(table)
        else:
            for step in range(version, SCHEMA):
                _MIGRATIONS[step](db)
        db.execute(f"PRAGMA user_version = {SCHEMA}")
        db.execute("COMMIT")
        if 0 < version < SCHEMA:
            _compact(db, path)
        for table in _READ_WHOLE:  # (a fax's body is checked as it is read: most of the file's bytes)
            found = db.execute(f"PRAGMA quick_check({table})").fetchall()
            if found != [("ok",)]:
                raise sqlite3.DatabaseError("; ".join(str(problem) for (problem,) in found[:3]))
    except sqlite3.DatabaseError as exc:
        db.close()
        raise DataFileError(f"{what} is damaged ({exc}); it was left as it is") from None
    except (ValueError, KeyError, TypeError) as exc:  # a row a migration cannot read (CodecError too)
        db.execute("ROLLBACK")
        db.close()
        raise DataFileError(
            f"{what} (schema {version}) cannot be migrated to schema {SCHEMA}: a row is damaged ({exc!r}); "
            "it was left as it is"
        ) from None
    return db


def _compact(db: sqlite3.Connection, path: str) -> None:
    """Give back the space a migration freed: it rewrites tables in place, and SQLite keeps
    the pages the old rows held (a file of 100,000 faxes went from 142 MB to 306 MB). VACUUM
    rewrites the file through the WAL; the checkpoint then moves it back and empties the WAL.
    It needs room for a copy of the file: without it the file stays as it is, and works."""
    try:
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as exc:  # (the disk full: nothing is lost, the pages stay free)
        log.warning("the data file %s was migrated but not compacted (%s): it keeps its free pages", path, exc)


def _read(db: sqlite3.Connection, unpack: Callable[[str], Fax]) -> dict[str, Any] | None:
    """The snapshot the file holds, its faxes packed (``PackedFax``: made whole by ``unpack``)
    beside it as ``(fax, timer)``; None if it holds none yet."""
    from emulator.core.store import PackedFax

    meta = {key: json_loads(value) for key, value in db.execute("SELECT key, value FROM meta")}
    if "clock" not in meta:
        return None
    faxes: list[tuple[PackedFax, float | None, Any]] = []
    timers: dict[str, Any] = {}  # timer text -> its data, read once for the faxes that share it
    rows = db.execute(
        "SELECT id, vendor, tenant, direction, status, created_at, ended_at, aliases, document_bytes, due, timer "
        "FROM faxes ORDER BY position"
    )
    packed, loads = PackedFax.of, json_loads
    try:
        for fax_id, vendor, tenant, direction, status, created, ended, aliases, size, due, timer in rows:
            index = (
                fax_id,
                vendor,
                tenant,
                direction,
                status,
                created,
                ended,
                () if aliases == "[]" else tuple(loads(aliases)),
            )
            if timer is not None:
                read = timers.get(timer)
                if read is None:
                    read = timers[timer] = loads(timer)
                timer = read
            faxes.append((packed(unpack, size, index), due, timer))
    except ValueError as exc:
        raise DataFileError(f"the data file cannot be loaded: a fax's row is damaged ({exc!r})") from None
    tenants = [json_loads(data) for (data,) in db.execute("SELECT data FROM tenants")]
    deliveries = [json_loads(data) for (data,) in db.execute("SELECT data FROM deliveries ORDER BY id")]
    first = meta["journal"].get("first", 0)  # the oldest entry the ring still held
    try:
        journal = [
            entry
            for (data,) in db.execute("SELECT data FROM journal ORDER BY seq")
            for entry in entries_from_json(data)
            if entry[0] >= first
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataFileError(f"the data file cannot be loaded: a journal entry is damaged ({exc!r})") from None
    return {
        "format": snapshot.FORMAT,
        "version": snapshot.VERSION,
        "clock": meta["clock"],
        "ids": encode(Ids.from_durable(meta["id_streams"], meta["id_positions"])),
        "accounts": meta["accounts"],
        "options": meta["options"],
        "tenants": tenants,
        "faxes": faxes,
        "deliveries": {
            **meta["deliveries"],
            "deliveries": [row["delivery"] for row in deliveries],
            "logged_from": 0,
            "schedule": {
                str(row["delivery"]["fields"]["id"]): row["schedule"] for row in deliveries if row["schedule"]
            },
        },
        "scenarios": meta["scenarios"],
        "journal": {**meta["journal"], "violations": meta.get("violations", []), "requests": journal},
        "emails": meta["emails"],
    }


_INSERT_FAX = (
    "INSERT INTO faxes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
    "vendor = excluded.vendor, tenant = excluded.tenant, direction = excluded.direction, status = excluded.status, "
    "created_at = excluded.created_at, ended_at = excluded.ended_at, aliases = excluded.aliases, "
    "document_bytes = excluded.document_bytes, due = excluded.due, timer = excluded.timer"
)
#: a fax's body row, by its id (its row in ``faxes`` is written first, in the same transaction:
#: without it, nothing; a position of NULL would have had SQLite number a row of its own)
_INSERT_BODY = "INSERT OR REPLACE INTO fax_bodies SELECT position, ?2, ?3 FROM faxes WHERE id = ?1"
_BODY_OF = "fax_bodies WHERE position = (SELECT position FROM faxes WHERE id = ?)"
#: the journal's rows whose entries the ring no longer holds. A row's last entry comes after its
#: first (``seq``), so the key bounds what is read to the old rows: ``last < ?`` alone read the
#: whole table at each commit, a quarter of the writer's time under a load of sends
_DROP_OLD_JOURNAL = "DELETE FROM journal WHERE seq < ?1 AND last < ?1"


def _fax_rows(
    fax_id: str, position: int | None, data: dict[str, Any], timer: dict[str, Any] | None, blob: bytes | None = None
) -> tuple[tuple[Any, ...], tuple[str, str, bytes]]:
    """A fax (``Fax.to_data``, its documents' bytes as bytes, or their lengths with ``blob``
    their bytes) and its timer as its two rows: ``faxes`` and ``fax_bodies``. ``position``
    None: a new fax's row goes last (SQLite numbers it), a fax that has one keeps its place."""
    documents = data["documents"]
    if blob is None:
        blob = b"".join(document["data"] for document in documents)
        for document in documents:
            document["data"] = len(document["data"])
    index = (
        position,
        fax_id,
        data["vendor"],
        data["tenant"],
        data["direction"],
        data["status"],
        data["created_at"],
        data["ended_at"],
        _json(data["aliases"]),
        len(blob),
        timer["due"] if timer is not None else None,
        _json({key: value for key, value in timer.items() if key != "due"}) if timer is not None else None,
    )
    return index, (fax_id, _json(data), blob)


def _fax_data(data: str, blob: bytes) -> dict[str, Any]:
    """The fax ``_fax_rows`` made its body row of (``Fax.to_data``)."""
    fax: dict[str, Any] = json_loads(data)
    at = 0
    for document in fax["documents"]:
        size = document["data"]
        document["data"] = blob[at : at + size]
        at += size
    return fax


class _Bodies:
    """The rest of each fax the file holds (``fax_bodies``), read when a packed fax is first
    used (``PackedFax``): on a connection of its own, from whichever thread uses the fax (SQLite
    lets a reader read beside the writer, WAL)."""

    def __init__(self, path: str, vendors: Mapping[str, Recorded]) -> None:
        self.path = path
        self.vendors = vendors
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._closed = False

    def fax(self, fax_id: str) -> Fax:
        """The fax ``fax_id`` whole, as the file holds it; Unavailable (the vendor's 503, and
        why in the log) if its row is missing or damaged."""
        try:
            with self._lock:
                if self._closed:
                    raise Unavailable(f"the emulator cannot read fax {fax_id}: its data file is closed")
                if self._db is None:
                    self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                    self._db.execute("PRAGMA query_only = ON")
                query = "SELECT data, documents FROM " + _BODY_OF
                data, blob = self._db.execute(query, (fax_id,)).fetchall()[0]
            return fax_from_data(_fax_data(data, blob), self.vendors)
        except (IndexError, ValueError, KeyError, TypeError, sqlite3.DatabaseError) as exc:
            log.error("the data file %s: the row of fax %s is missing or damaged (%r)", self.path, fax_id, exc)
            raise Unavailable(f"the emulator cannot read fax {fax_id}: its row in the data file is damaged") from None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._db is not None:
                self._db.close()
                self._db = None


def _write(db: sqlite3.Connection, batch: dict[str, Any]) -> None:
    """One transaction: what ``Persistence._batch`` collected."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if batch["rewrite"]:
            for table in ("tenants", "faxes", "fax_bodies", "deliveries", "journal"):
                db.execute(f"DELETE FROM {table}")
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", batch["meta"])
        db.executemany("INSERT OR REPLACE INTO tenants VALUES (?, ?, ?)", batch["tenants"])
        db.executemany("DELETE FROM tenants WHERE vendor = ? AND id = ?", batch["tenants_gone"])
        db.executemany(_INSERT_FAX, batch["faxes"])
        db.executemany(_INSERT_BODY, batch["fax_bodies"])
        db.executemany("DELETE FROM " + _BODY_OF, batch["faxes_gone"])  # (found by the fax's row: first)
        db.executemany("DELETE FROM faxes WHERE id = ?", batch["faxes_gone"])
        db.executemany("INSERT OR REPLACE INTO deliveries VALUES (?, ?, ?)", batch["deliveries"])
        if batch["deliveries_before"] is not None:  # settled ones the log no longer shows
            db.execute("DELETE FROM deliveries WHERE pending = 0 AND id < ?", (batch["deliveries_before"],))
        db.executemany("INSERT OR REPLACE INTO journal VALUES (?, ?, ?)", batch["journal"])
        db.execute(_DROP_OLD_JOURNAL, (batch["journal_from"],))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


class Persistence:
    """What changed since the last commit, and the commits (see the module)."""

    def __init__(self, runtime: Runtime, path: str) -> None:
        self.runtime = runtime
        self.file = DataFile(os.fspath(path))
        self.bodies = _Bodies(self.file.path, runtime.vendors)
        self._faxes: dict[str, Fax] = {}  # changed faxes (by id), to write
        self._faxes_gone: set[str] = set()
        self._tenants: dict[tuple[str, str], Tenant] = {}
        self._deliveries: dict[int, Delivery] = {}
        self._rewrite = False
        self._journal_next = 1  # the first journal entry not written yet
        self._emails_at = -1
        self._id_streams_at: dict[str, Any] | None = None  # the id streams as last written (Ids.durable)
        self._violations_at: tuple[int, int] = (-1, -1)
        self._meta_written: dict[str, str] = {}  # each meta row's text as last written
        # who waits for the next commit: each is woken once, when the commit that holds its
        # change is written (a Condition woke every waiter at each commit, to check its turn)
        self._waiting: list[asyncio.Future[None]] = []
        self._kick: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self.failed: BaseException | None = None  # a commit that failed: nothing is acknowledged after it
        self.commits = 0
        self._hook(runtime)

    # -- what changed ------------------------------------------------------------------------
    def _hook(self, runtime: Runtime) -> None:
        store = runtime.store
        store.on_change.append(self.fax_changed)
        store.on_forget.append(self.fax_gone)
        runtime.dispatcher.changed = self.delivery_changed
        runtime.resets.append(self.rewrite)

    def fax_changed(self, fax: Fax, transition: Transition | None = None) -> None:
        self._faxes[fax.id] = fax
        self._faxes_gone.discard(fax.id)
        tenant = self.runtime.store.find_tenant(fax.vendor, fax.tenant)
        if tenant is not None and (fax.vendor, fax.tenant) not in self._tenants:
            self._tenants[(fax.vendor, fax.tenant)] = tenant

    def fax_gone(self, fax: Fax) -> None:
        self._faxes.pop(fax.id, None)
        self._faxes_gone.add(fax.id)

    def delivery_changed(self, delivery: Delivery) -> None:
        self._deliveries[delivery.id] = delivery

    def rewrite(self) -> None:
        """Everything changed (a reset, a snapshot loaded): the next commit writes it all."""
        self._rewrite = True

    async def durable(self, request: web.Request, vendor: str | None, exchange: Exchange | None) -> None:
        """``Runtime.durable``: returns once what ``request`` changed is on disk; Unavailable
        (the vendor's 503) if it cannot be written, so nothing unwritten is acknowledged."""
        self.touched(vendor, exchange)
        try:
            await self.commit()
        except Exception as exc:
            log.error("the data file %s could not be written: %r", self.file.path, exc)
            raise Unavailable("the emulator could not keep the change (its data file cannot be written)") from None

    def touched(self, vendor: str | None, exchange: Exchange | None) -> None:
        """A request that may have changed something: its tenant's resources (a fax's changes
        reach ``fax_changed`` through ``Store.changed``)."""
        if exchange is not None and exchange.tenant is not None and vendor is not None:
            tenant = self.runtime.store.find_tenant(vendor, exchange.tenant)
            if tenant is not None:
                self._tenants[(tenant.vendor, tenant.id)] = tenant

    # -- committing ------------------------------------------------------------------------------
    async def commit(self) -> None:
        """Return once everything changed so far is on disk (shared with concurrent callers)."""
        if self.failed is not None:
            raise self.failed
        if self._kick is None or self._task is None:
            raise RuntimeError("the data file is not open")
        written = asyncio.get_running_loop().create_future()
        self._waiting.append(written)  # (the next batch taken holds what changed so far)
        self._kick.set()
        await written
        if self.failed is not None:
            raise self.failed

    async def context(self, app: web.Application) -> AsyncIterator[None]:
        """The app's cleanup context: the file read before the app serves, closed after."""
        await self.open()
        yield
        await self.close()

    async def open(self) -> None:
        """Read the file (made or migrated first) into the runtime, then start committing.

        Each fax is read packed (``PackedFax``: what the store's indexes, listings, counts,
        retention and its timer need), and made whole from its body row the first time
        anything else of it is read: start-up reads about a tenth of each fax's bytes, and
        makes no fax whole.

        A file of 100,000 faxes (half in flight, 163.5 MB): health answers 0.98 s after start
        (median of 5, a quiet 2-core machine; 0.29 s with no file), 0.64 s of CPU to read the
        file (issue #21's target: < 3 s). The worst seen, with load average 7 to 9 from other
        work: 3.9 s against 1.15 s. What the CPU goes to, about: SQLite's fetch of the rows
        and the packed faxes made of them 40 %; a timer for each fax in flight (``_resume``:
        its run and the scheduler's heap) 20 %; the store's indexes and retention's order
        15 %; the snapshot's checks of ids 15 %. The next cut, if one is needed: a fax's
        timer read when it fires, as its body is.
        """
        loop = asyncio.get_running_loop()
        try:
            found = await asyncio.wrap_future(self.file.run(_read, self.bodies.fax))
        except (ValueError, KeyError, TypeError, DataFileError) as exc:  # a row that is not JSON (or not ours)
            why = str(exc) if isinstance(exc, DataFileError) else f"the data file cannot be loaded ({exc!r})"
            raise DataFileError(
                f"{why.replace('data file', f'data file {self.file.path}', 1)}; it was left as it is"
            ) from None
        if found is not None:
            try:
                staged = await snapshot.stage(self.runtime, found, packed=True)
            except Exception as exc:  # Invalid: a file this emulator cannot resume from
                message = getattr(exc, "message", str(exc))
                raise DataFileError(
                    f"the data file {self.file.path} cannot be loaded: {message}; it was left as it is"
                ) from None
            self._rewrite = False
            self._faxes.clear()
            self._faxes_gone.clear()
            self._tenants.clear()
            self._deliveries.clear()
            snapshot.apply(self.runtime, staged)
            # The file holds what was read: no rewrite (apply's reset asked for one). What the
            # load changed is marked as serving marks it, and the commit below writes it:
            # retention under limits smaller than the file's dropped faxes or documents.
            self._rewrite = False
            journal = self.runtime.journal.requests
            self._journal_next = journal[-1][0] + 1 if journal else 1
        self._kick = asyncio.Event()
        self._task = loop.create_task(self._run())
        await self.commit()

    async def close(self) -> None:
        """Commit what is left, then close the file."""
        if self._task is not None:
            if not self._task.done():  # (a writer that ended would never answer)
                with contextlib.suppress(Exception):  # (a commit that failed was logged)
                    await self.commit()
            self._task.cancel()
            self._task = None
        await asyncio.to_thread(self.file.close)
        self.bodies.close()

    async def _run(self) -> None:
        """Commit until a commit fails or the file closes. After a failure nothing more is
        written: the file stays as its last commit left it, whole (each later batch would hold
        only what changed since the one that failed, and what the file is known to hold, the
        rows it need not write again, would be wrong). Whoever still waits is then answered."""
        assert self._kick is not None
        loop = asyncio.get_running_loop()
        last = loop.time()
        waiting: list[asyncio.Future[None]] = []
        try:
            while self.failed is None:
                try:
                    await asyncio.wait_for(self._kick.wait(), FLUSH_EVERY)
                except TimeoutError:
                    if not self._dirty(loop.time() - last >= JOURNAL_EVERY):
                        continue
                self._kick.clear()
                last = loop.time()
                waiting, self._waiting = self._waiting, []
                try:  # (a batch that cannot be made fails as a write does)
                    await asyncio.wrap_future(self.file.run(_write, self._batch()))
                except Exception as exc:
                    self.failed = exc
                self.commits += 1
                _wake(waiting)
        finally:
            if self.failed is None:  # (cancelled: the file closes)
                self.failed = RuntimeError("the data file is closed")
            _wake(waiting + self._waiting)
            self._waiting = []

    def _dirty(self, journal_too: bool) -> bool:
        """Whether the clock changed something since the last commit (the journal's new
        entries count only every ``JOURNAL_EVERY`` seconds: they acknowledge nothing)."""
        requests = self.runtime.journal.requests
        return bool(
            self._rewrite
            or self._faxes
            or self._faxes_gone
            or self._tenants
            or self._deliveries
            or (journal_too and requests and requests[-1][0] >= self._journal_next)
        )

    def _batch(self) -> dict[str, Any]:
        """What to write, as rows, made now on the loop (the state does not move under it)."""
        runtime = self.runtime
        store = runtime.store
        rewrite = self._rewrite
        if rewrite:
            self._rewrite = False
            self._journal_next = 1
            faxes: list[Fax] = store.all_faxes()
            tenants = list(store.tenants.values())
            deliveries = runtime.dispatcher.entries()
            gone: list[str] = []
        else:
            faxes = [fax for fax in self._faxes.values() if store.get(fax.id) is fax]
            tenants = [t for t in self._tenants.values() if store.find_tenant(t.vendor, t.id) is t]
            deliveries = list(self._deliveries.values())
            gone = [fax_id for fax_id in self._faxes_gone if store.get(fax_id) is None]
        self._faxes.clear()
        self._faxes_gone.clear()
        self._tenants.clear()
        self._deliveries.clear()
        fax_rows, body_rows = [], []
        for fax in faxes:  # (a new fax's row goes after every other: the store's order, oldest first)
            entry = snapshot.fax_entry(runtime, fax)
            index, body = _fax_rows(fax.id, None, entry["fax"], entry["timer"])
            fax_rows.append(index)
            body_rows.append(body)
        dispatcher = runtime.dispatcher
        delivery_rows = [
            (
                d.id,
                int(d.state == "pending"),
                _json(
                    {"delivery": encode(d), "schedule": encode(dispatcher.plan(d)) if d.state == "pending" else None}
                ),
            )
            for d in deliveries
        ]
        journal = runtime.journal
        # the newest entries, from the end: most of the ring is written already (slicing the ring
        # from its start walked up to 10,000 entries a commit)
        new = []
        for entry in reversed(journal.requests):
            if entry[0] < self._journal_next:
                break
            new.append(entry)
        new.reverse()
        if new:
            self._journal_next = new[-1][0] + 1
        meta = self._meta()
        return {
            "rewrite": rewrite,
            "meta": meta,
            "tenants": [(t.vendor, t.id, _json(snapshot.tenant_data(t))) for t in tenants],
            "tenants_gone": [],
            "faxes": fax_rows,
            "fax_bodies": body_rows,
            "faxes_gone": [(fax_id,) for fax_id in gone],
            "deliveries": delivery_rows,
            "deliveries_before": dispatcher.log[0].id if dispatcher.log else None,
            "journal": [(new[0][0], new[-1][0], entries_json(new))] if new else [],
            "journal_from": journal.requests[0][0] if journal.requests else self._journal_next,
        }

    def _meta(self) -> list[tuple[str, str]]:
        runtime = self.runtime
        journal, mailbox, dispatcher = runtime.journal, runtime.mailbox, runtime.dispatcher
        rows = [
            ("clock", runtime.clock.state()),
            ("accounts", encode(dict(runtime.accounts))),
            ("options", encode(snapshot.options(runtime))),
            ("scenarios", encode(runtime.scenarios.state())),
            ("deliveries", {"next_id": dispatcher.next_id, "refused": dispatcher.refused}),
        ]
        # (the numbering only: the whole ring's state, made at every commit for it and thrown
        # away, settled each of up to 10,000 entries: CallerIP sends with a data file ran at
        # 0.09 of their rate in memory, now 0.34, wrk, 2026-12-04)
        numbering = journal.numbering()
        requests = journal.requests
        numbering["first"] = requests[0][0] if requests else numbering["next_seq"]
        rows.append(("journal", numbering))
        seen = (journal.last_violation, len(journal.violations))
        if seen != self._violations_at:
            self._violations_at = seen
            rows.append(("violations", encode(list(journal.violations))))
        # the id streams (22 KB of JSON) change once in hundreds of ids, where each stands in them
        # with each: made at every commit that drew an id (every send), they were half of a
        # commit's time on the loop (Ids.durable)
        streams, positions = runtime.ids.durable()
        if streams != self._id_streams_at:
            self._id_streams_at = streams
            rows.append(("id_streams", streams))
        rows.append(("id_positions", positions))
        emails_at = mailbox.next_id
        if emails_at != self._emails_at:
            self._emails_at = emails_at
            rows.append(("emails", encode(mailbox.state())))
        written = self._meta_written
        changed = []
        for key, value in rows:
            text = _json(value)
            if written.get(key) != text:  # (most rows stand still between two sends: not written again)
                written[key] = text
                changed.append((key, text))
        return changed


def _wake(waiting: list[asyncio.Future[None]]) -> None:
    for written in waiting:
        if not written.done():  # (a waiter whose client went away is cancelled)
            written.set_result(None)


def _json(value: Any) -> str:
    # (a text holding a lone surrogate, a JSON escape a vendor took, as Kazoo takes a login's
    # account name, is written as its escape by ``json_bytes``: orjson refused it, and the
    # writer's task died with the error, every later change waiting forever for its commit)
    return json_bytes(value).decode()


def write_file(runtime: Runtime, path: str) -> None:
    """Write the whole state of ``runtime`` to a new data file at ``path``, at once (a file
    made ahead of time, as the benchmarks make one; ``runtime`` keeps it from then on)."""
    kept = Persistence(runtime, path)
    kept.rewrite()
    try:
        kept.file.run(_write, kept._batch()).result()
    finally:
        kept.file.close()
