"""A body's JSON text, the key its contract checks are remembered by (contracts.as_text)."""

from __future__ import annotations

import json
import math

import pytest

from emulator.core import contracts


@pytest.mark.parametrize(
    "value",
    [
        {"data": {"to_number": "+12125550100", "retries": 3, "ratio": 0.5, "ok": True, "tags": ["é", -0.0, 1e300]}},
        {"a": None},  # null: json writes it (orjson writes NaN as null too)
        {"a": 2**70},  # past 64 bits: orjson refuses it
        {"a": "\ud800"},  # a lone surrogate: orjson refuses it
        [1, 1.0, True, "1"],  # alike in Python's ==, not in JSON: each keeps its own text
    ],
)
def test_a_text_reads_back_as_the_value_it_was_written_from(value):
    text = contracts.as_text(value)
    assert json.loads(text) == value
    assert json.dumps(json.loads(text)) == json.dumps(value)  # 1 stays 1, 1.0 stays 1.0, True stays true


def test_nan_and_the_infinities_keep_their_own_text_not_null():
    texts = {contracts.as_text({"a": v}) for v in (math.nan, math.inf, -math.inf, None)}
    assert len(texts) == 4
    assert math.isnan(json.loads(contracts.as_text({"a": math.nan}))["a"])
