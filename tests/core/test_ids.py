"""Seeded ids: the same seed gives the same ids, in the shapes vendors use."""

from __future__ import annotations

import random
import re

import pytest

from emulator.core.ids import Ids


@pytest.mark.parametrize("length", [1, 2, 7, 24, 32, 64])
def test_hex_ids_are_the_seeded_bits_zero_padded(length):
    ids, bits = Ids(seed=7), random.Random(7)
    for _ in range(50):  # small values too: the padding keeps every id ``length`` digits long
        value = ids.hex(length)
        assert re.fullmatch(f"[0-9a-f]{{{length}}}", value)
        assert value == f"{bits.getrandbits(4 * length):0{length}x}"


def test_the_same_seed_gives_the_same_ids():
    first, second = Ids(seed="run-1"), Ids(seed="run-1")
    assert [first.hex(32) for _ in range(5)] + [first.uuid4()] == [second.hex(32) for _ in range(5)] + [second.uuid4()]
    assert Ids(seed="run-2").hex(32) != Ids(seed="run-1").hex(32)
