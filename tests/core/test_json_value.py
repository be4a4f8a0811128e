"""A JSON body read at orjson's speed reads exactly as json.loads reads it (core/bodies.py json_value)."""

from __future__ import annotations

import json

import pytest

from emulator.core.bodies import json_value, long_digits

TEXTS = [
    b'{"data": {"to_number": "+12125550100", "retries": 3, "ratio": 0.5, "ok": true, "note": null}}',
    b'{"a": 1, "a": 2}',  # the last of a repeated key
    b'{"a": 18446744073709551616}',  # past 64 bits: orjson would read a float
    b'{"a": -9223372036854775809}',
    b'{"a": 12345678901234567890.5}',
    b'{"a": NaN, "b": Infinity, "c": -Infinity}',  # json reads them, orjson refuses them
    b'{"a": 1e400}',
    b'{"a": "\\ud800"}',  # a lone surrogate
    b"\xef\xbb\xbf{}",  # a byte order mark
    '{"a": "caf\u00e9"}'.encode("utf-16"),
    b'{"a": [1, 1.0, -0.0, 0.1, "\xc3\xa9"]}',
]


@pytest.mark.parametrize("raw", TEXTS)
def test_a_text_reads_as_json_reads_it(raw):
    assert repr(json_value(raw)) == repr(json.loads(raw))
    text = raw.decode("utf-8", "surrogatepass") if raw[:1] != b"\xff" else None
    if text is not None and not text.startswith("\ufeff"):
        assert repr(json_value(text)) == repr(json.loads(text))


@pytest.mark.parametrize("raw", [b"", b"{", b'{"a": 1,}', b"\xff", b"[1] x", b"[" * 100_000 + b"]" * 100_000])
def test_what_json_refuses_is_refused_with_json_s_error(raw):
    with pytest.raises((ValueError, RecursionError)) as expected:
        json.loads(raw)
    with pytest.raises((ValueError, RecursionError)) as got:
        json_value(raw)
    assert (type(got.value), str(got.value)) == (type(expected.value), str(expected.value))


@pytest.mark.parametrize(
    ("raw", "found"),
    [
        (b'{"a": 1234567890123456789}', True),  # 19 digits
        (b'{"a": 123456789012345678}', False),  # 18
        (b'{"a": "+1212555010012125550100"}', True),  # in a string too (json then reads it: the same value)
        (b'{"a": 12345678901234567, "b": 12}', False),  # many digits, never 19 in a row
        ('{"a": 9999999999999999999, "b": "\ud800"}', True),  # a text, a lone surrogate in it
        ("\u0661" * 19, False),  # other scripts' digits: json reads no number of them
    ],
)
def test_long_digits_finds_19_ascii_digits_in_a_row(raw, found):
    assert long_digits(raw) is found
