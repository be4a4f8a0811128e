"""The renderings' LRU: bounded by bytes, and what is kept of one fax goes together, even a
rendering that was still being made when the fax went."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from emulator.core.documents import Document
from emulator.core.pages import Cache, Pages
from emulator.core.store import Fax, Store
from emulator.core.work import Limits


def test_the_least_recently_used_goes_past_the_bound_and_a_fax_forgotten_takes_what_is_left() -> None:
    cache = Cache(limit=10)
    cache.put("tiff", b"t", 4, ("a", 0.0))
    cache.put("pdf", b"p", 4, ("a", 0.0))
    cache.put("other", b"o", 4, ("b", 0.0))
    assert cache.get("tiff") is None and cache.stats() == {"kept": 2, "bytes": 8, "max_bytes": 10}
    cache.forget(("a", 0.0))
    assert cache.get("pdf") is None and cache.get("other") == b"o" and cache.stats()["bytes"] == 4
    cache.forget(("a", 0.0))  # twice is once
    cache.put("other", b"o2", 5, ("b", 0.0))  # made again: counted once
    assert cache.stats() == {"kept": 1, "bytes": 5, "max_bytes": 10}
    cache.put("huge", b"h", 11, ("c", 0.0))  # bigger than the whole cache: not kept
    cache.forget(("c", 0.0))
    assert cache.stats()["kept"] == 1


class _Gate:
    """A worker pool whose job ends when the test says (``go``); ``started`` once it began."""

    def __init__(self) -> None:
        self.limits = Limits()
        self.started = asyncio.Event()
        self.go = asyncio.Event()

    async def run(self, fn: Any, *args: Any, timeout: float | None = None) -> Any:
        self.started.set()
        await self.go.wait()
        return b"II*\x00tiff", 1


@pytest.mark.parametrize("forgotten", [False, True])
async def test_a_rendering_finished_after_its_fax_was_forgotten_is_served_not_kept(forgotten: bool) -> None:
    store = Store()
    store.tenant("v", "t", 0.0)
    fax = store.add(
        Fax("f1", "v", "t", "outbound", "1", "2", "s", 0.0, documents=[Document("pdf", b"%PDF", 1, "a.pdf")])
    )
    gate = _Gate()
    pages = Pages(gate, held=store.holds)  # type: ignore[arg-type]
    store.on_forget.append(pages.forget)
    making = asyncio.create_task(pages.tiff(SimpleNamespace(vendors={}), fax))
    await gate.started.wait()
    if forgotten:
        store.remove(fax)
    gate.go.set()
    assert await making == b"II*\x00tiff"
    assert pages.cache.stats()["kept"] == (0 if forgotten else 1)
