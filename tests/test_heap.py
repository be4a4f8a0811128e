"""The serving process's collector (emulator/heap.py): each full pass freezes what it leaves,
and what it froze is still freed: by reference counting at once, a cycle once the frozen part
has grown ``growth`` times over."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from emulator.heap import FreezeAfterFullPass
from tests.conftest import runtime_of
from tests.vendors.callerip.test_flow import send_form


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def installed(growth: float) -> Iterator[FreezeAfterFullPass]:
    collector = FreezeAfterFullPass(growth)
    gc.collect()
    collector.install()
    try:
        yield collector
    finally:
        collector.remove()


@pytest.fixture
def freezing() -> Iterator[FreezeAfterFullPass]:
    yield from installed(4)


def test_a_full_pass_freezes_what_it_leaves(freezing: FreezeAfterFullPass) -> None:
    before = gc.get_freeze_count()
    kept = [[n] for n in range(1_000)]
    gc.collect()
    assert gc.get_freeze_count() >= before + len(kept)
    assert not gc.get_objects(generation=2)  # nothing left for the next full pass to walk again


def test_a_cycle_frozen_alive_waits_until_the_frozen_part_grows_then_goes() -> None:
    for collector in installed(1.01):
        cycle = Node()
        alive = weakref.ref(cycle)
        gc.collect()  # frozen with the rest
        del cycle
        gc.collect()
        assert alive() is not None  # frozen: a full pass does not walk it
        grown = [[n] for n in range(collector.walked // 50)]  # past 1.01 times what was walked
        gc.collect()  # freezes nothing: the frozen part grew past the bound, so all is unfrozen
        assert collector.whole and gc.get_freeze_count() == 0
        gc.collect()  # the whole heap's pass
        assert alive() is None
        assert not collector.whole and gc.get_freeze_count() >= len(grown)


async def test_reset_frees_the_faxes_a_full_pass_froze(client, freezing: FreezeAfterFullPass) -> None:
    for _ in range(20):
        response = await client.post("/api/fax/send", data=send_form())
        assert response.status == 200, await response.text()
    gc.collect()  # the faxes and their runs are frozen now
    assert len(runtime_of(client).store.all_faxes()) == 20
    frozen = gc.get_freeze_count()
    reset = await client.post("/_emulator/reset", json={"vendor": "callerip"})
    assert reset.status in (200, 204), await reset.text()
    assert runtime_of(client).store.all_faxes() == []
    assert gc.get_freeze_count() <= frozen - 2 * 20  # each fax and its run freed as it was let go
