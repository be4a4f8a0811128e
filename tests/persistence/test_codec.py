"""core/codec.py: what the emulator holds, as plain data and back, the same; kinds JSON cannot
say are tagged (an enum is tagged although it is a str or an int)."""

from __future__ import annotations

import orjson

from emulator.core.codec import decode, encode
from emulator.core.journal import entries_from_json, entries_json, held
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
    asked = b"Host: 127.0.0.1\r\nX-Odd: " + "\xe9".encode() + b"\xff"
    answered = "Content-Type: application/json\r\nX-Text: caf\xe9"
    entry = (
        *(7, 1767225600.25, "callerip", "send", "tok", "POST", "/api/fax/send?x=%C3%A9", 200, 0.01, None, None),
        ("fax-1", "fax-2"),
        asked,
        binary,
        4096,  # the body was cut: 256 of its 4,096 bytes kept
        answered,
        b'{"ok": true}',
        12,
        len(asked),
        len(answered) + 100,  # the answer's headers were cut
    )
    bare = (*entry[:11], (), None, None, 0, None, None, 0, 0, 0)
    rows = [entry, bare]
    assert entries_from_json(entries_json([held(row) for row in rows])) == rows


def test_an_older_journal_entrys_header_pairs_come_back_as_their_lines():
    older = (  # 18 fields: before header sizes were kept, when blocks were (name, value) pairs
        *(7, 1767225600.25, "callerip", "send", "tok", "GET", "/x", 200, 0.01, None, None, ()),
        ((b"Host", b"h"), (b"X-Nul", b"a\0b")),  # (no parser lets a NUL through: kept all the same)
        None,
        0,
        (("Content-Type", "application/json"),),
        None,
        0,
    )
    [back] = entries_from_json(entries_json([held(older)]))
    assert back[12] == b"Host: h\r\nX-Nul: a\0b" and back[15] == "Content-Type: application/json"
    assert back[18:] == (len(back[12]), len(back[15])) and back[:12] == older[:12]
    # as an older data file wrote such pairs: names and values NUL-separated, or pair by pair
    for raw in ("Host\0h", [["Host", "h"]]):
        row = [*older[:12], {"raw": raw}, None, 0, [["Content-Type", "application/json"]], None, 0]
        [back] = entries_from_json(orjson.dumps([row]))
        assert held(back)[12:15] == (b"Host: h", None, "Content-Type: application/json")
