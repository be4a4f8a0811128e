"""The renderings' LRU: bounded by bytes, and what is kept of one fax goes together."""

from __future__ import annotations

from emulator.core.pages import Cache


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
