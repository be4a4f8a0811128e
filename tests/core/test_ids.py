"""Seeded ids: the same seed gives the same ids, in the shapes vendors use."""

from __future__ import annotations

import random
import re
import uuid

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.core.ids import REQUEST_BATCH, Ids, check_state


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


_DRAWS = st.lists(
    st.one_of(
        st.tuples(st.just("hex"), st.integers(1, 64)),
        st.tuples(st.just("uuid4"), st.just(0)),
        st.tuples(st.just("request_id"), st.integers(1, 300)),  # (several at once: batches run out)
        st.tuples(st.just("uniform"), st.just(0)),
        st.tuples(st.just("digits"), st.integers(1, 12)),
        st.tuples(st.just("restore"), st.integers(0, 300)),  # another emulator's state, so many ids in
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(draws=_DRAWS, seed=st.integers(0, 3))
def test_the_durable_parts_give_back_the_whole_state_after_any_draws(draws, seed):
    """What the data file keeps (``durable``, through JSON) is ``state()`` again: the ids a
    restarted emulator makes continue the streams, whatever was drawn and restored before."""
    ids = Ids(seed=seed)
    for kind, size in draws:
        if kind == "hex":
            ids.hex(size)
        elif kind == "uuid4":
            ids.uuid4()
        elif kind == "request_id":
            for _ in range(size):
                ids.request_id()
        elif kind == "uniform":
            ids.uniform(0, 1)
        elif kind == "digits":
            ids.digits(size)
        else:
            other = Ids(seed=seed + 10)
            for _ in range(size):
                other.request_id()
            ids.restore(other.state())
        streams, positions = (orjson.loads(orjson.dumps(part)) for part in ids.durable())
        assert Ids.from_durable(streams, positions) == ids.state()
    again = Ids()
    again.restore(check_state(Ids.from_durable(*(orjson.loads(orjson.dumps(part)) for part in ids.durable()))))
    assert [again.request_id() for _ in range(REQUEST_BATCH + 1)] + [again.uuid4()] == [
        ids.request_id() for _ in range(REQUEST_BATCH + 1)
    ] + [ids.uuid4()]


def test_the_durable_streams_change_once_in_hundreds_of_ids():
    """Between two makings of the Mersenne Twister's 624 words only where it stands moves, and
    the request ids made ahead are kept as the draw they came from: what a commit rewrites
    for each send is the few bytes of ``positions``."""
    ids = Ids(seed=5)
    ids.request_id()
    kept, _ = ids.durable()
    changes = 0
    for _ in range(1000):  # a send's ids: a UUID and a request id
        ids.uuid4()
        ids.request_id()
        streams, positions = ids.durable()
        changes += streams != kept
        kept = streams
        assert len(orjson.dumps(positions)) < 40
    assert 5 <= changes <= 12  # 4,000 words: 6 makings; 1,000 request ids: 4 batches


def test_durable_parts_a_file_could_not_have_written_are_refused():
    ids = Ids(seed=1)
    streams, positions = ids.durable()
    with pytest.raises(ValueError, match="handed out"):
        Ids.from_durable(streams, {**positions, "handed": 1})
    ids.request_id()
    streams, positions = ids.durable()
    assert streams["batch"] == REQUEST_BATCH  # (the draw's size: a later version's may differ)
    for size in (0, -3, 10**12):  # (a draw of 10**12 ids would hold the loop and the memory)
        with pytest.raises(ValueError, match="a batch of"):
            Ids.from_durable({**streams, "batch": size}, positions)
