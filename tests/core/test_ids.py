"""Seeded ids: the same seed gives the same ids, in the shapes vendors use."""

from __future__ import annotations

import random
import re
import uuid

import pytest

from emulator.core.ids import Ids


@pytest.mark.parametrize("length", [1, 2, 7, 24, 32, 64])
def test_hex_ids_are_the_seeded_bits_zero_padded(length):
    ids, bits = Ids(seed=7), random.Random(7)
    for _ in range(50):  # small values too: the padding keeps every id ``length`` digits long
        value = ids.hex(length)
        assert re.fullmatch(f"[0-9a-f]{{{length}}}", value)
        assert value == f"{bits.getrandbits(4 * length):0{length}x}"


def test_uuid4_ids_are_what_the_uuid_module_makes_of_the_seeded_bits():
    ids, bits = Ids(seed=3), random.Random(3)
    for _ in range(2000):  # every variant and version bit pattern the draws give
        assert ids.uuid4() == str(uuid.UUID(int=bits.getrandbits(128), version=4))


def test_the_same_seed_gives_the_same_ids():
    first, second = Ids(seed="run-1"), Ids(seed="run-1")
    assert [first.hex(32) for _ in range(5)] + [first.uuid4()] == [second.hex(32) for _ in range(5)] + [second.uuid4()]
    assert Ids(seed="run-2").hex(32) != Ids(seed="run-1").hex(32)


def test_request_ids_are_seeded_hex_in_order_across_batches():
    from emulator.core.ids import REQUEST_BATCH

    ids, again = Ids(seed=3), Ids(seed=3)
    made = [ids.request_id() for _ in range(2 * REQUEST_BATCH + 5)]
    assert made == [again.request_id() for _ in range(len(made))]
    assert all(re.fullmatch("[0-9a-f]{32}", value) for value in made)
    assert len(set(made)) == len(made)
    bits = random.Random("requests:3").getrandbits(128 * REQUEST_BATCH)
    assert made[:REQUEST_BATCH] == [
        f"{bits:0{32 * REQUEST_BATCH}x}"[32 * n : 32 * n + 32] for n in range(REQUEST_BATCH)
    ]
    assert Ids(seed=4).request_id() != made[0]


def test_request_ids_never_move_the_other_ids():
    polled, quiet = Ids(seed="s"), Ids(seed="s")
    for _ in range(10):
        polled.request_id()
    assert [polled.hex(32), polled.uuid4()] == [quiet.hex(32), quiet.uuid4()]
