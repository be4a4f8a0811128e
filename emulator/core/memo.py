"""Pure functions remembered where every request asks again (a Kazoo answer's timestamp, a
query's check): each memo is the runtime cache's (``Cache.memo``, core/cache.py).

A polled fax shows the same times in every answer. ``functools.lru_cache`` remembers them,
but a call through it, with the key tuple it builds for two arguments or a float, costs a
hot read about 2,000 CPU instructions per value; a hit in a dict subclass (``memo[key]``)
is one C lookup, about a tenth of that. Only pure functions belong here: a remembered
value can never go stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

DEFAULT_SIZE = 4096


class Memo(dict[K, V], Generic[K, V]):
    """``memo[key]`` is ``function(key)``, computed on first use and remembered.

    Bounded: it is emptied when it holds ``size`` keys (cheaper than tracking use, and a
    client's working set is far smaller). For a function of several arguments, the key is
    their tuple: ``memo[a, b]`` calls ``function((a, b))``.
    """

    __slots__ = ("function", "size")

    def __init__(self, function: Callable[[K], V], size: int = DEFAULT_SIZE) -> None:
        super().__init__()
        if size < 1:
            raise ValueError("a memo holds at least one key")
        self.function = function
        self.size = size

    def __missing__(self, key: K) -> V:
        value = self.function(key)
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value
