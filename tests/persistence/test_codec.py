"""core/codec.py: what the emulator holds, as plain data and back, the same; kinds JSON cannot
say are tagged (an enum is tagged although it is a str or an int)."""

from __future__ import annotations

import orjson

from emulator.core.codec import decode, encode
from emulator.core.journal import entries_from_json, entries_json
from emulator.core.outcomes import Outcome, Result
from emulator.vendors.faxplus.auth import Caller


def test_every_kind_comes_back_the_same():
    value = {
        "plain": ["text", 1, 2.5, True, None],
        "tuple": (1, ("nested", b"\x00\xffbytes"), [b""]),
        "headers": ((b"Host", b"127.0.0.1"), ("Content-Type", "application/json")),
        "sets": ({"a", "b"}, frozenset({1, 2})),
        "keys": {1: "int key", "$tag": "a key like a tag"},
        "enum": Outcome.BUSY,
        "record": Result(Outcome.PARTIAL, 2, "native", "rule"),
    }
    back = decode(orjson.loads(orjson.dumps(encode(value))))
    assert back == value
    assert type(back["enum"]) is Outcome and type(back["tuple"][1][1]) is bytes


def test_an_enum_is_tagged_not_kept_as_its_str():
    assert encode(Outcome.SUCCESS) == {"$enum": "emulator.core.outcomes:Outcome", "value": "success"}
    assert encode([Outcome.SUCCESS])[0]["$enum"]


def test_a_named_tuple_is_kept_as_a_tuple():
    assert encode(Caller("t", "u", "s")) == {"$tuple": ["t", "u", "s"]}


def test_a_journal_entry_comes_back_from_the_data_files_json_the_same():
    binary = bytes(range(256))
    entry = (
        *(7, 1767225600.25, "callerip", "send", "tok", "POST", "/api/fax/send?x=%C3%A9", 200, 0.01, None, None),
        ("fax-1", "fax-2"),
        ((b"Host", b"127.0.0.1"), (b"X-Odd", "é".encode() + b"\xff")),
        binary,
        4096,
        (("Content-Type", "application/json"), ("X-Text", "café")),
        b'{"ok": true}',
        12,
    )
    bare = (*entry[:11], (), None, None, 0, (), None, 0)
    nul = (*entry[:12], ((b"X-Nul", b"a\0b"),), *entry[13:])  # (no parser lets one through: kept all the same)
    assert entries_from_json(entries_json([entry, bare, nul])) == [entry, bare, nul]
