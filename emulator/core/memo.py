"""Pure functions remembered where every request asks again (a Kazoo answer's timestamp, a
query's check): each memo is the runtime cache's (``Cache.memos``, core/cache.py), by the
function's ``Remembered`` declaration.

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
    their tuple: ``memo[a, b]`` calls ``function((a, b))``. A memo of keys a client writes (a
    number, a part's header block) is bounded by their length too: a key longer than
    ``longest`` is computed each time and never kept (checked on a miss only: a hit stays one
    C look-up).
    """

    __slots__ = ("function", "longest", "size")

    def __init__(self, function: Callable[[K], V], size: int = DEFAULT_SIZE, longest: int | None = None) -> None:
        super().__init__()
        if size < 1:
            raise ValueError("a memo holds at least one key")
        self.function = function
        self.size = size
        self.longest = longest

    def __missing__(self, key: K) -> V:
        value = self.function(key)
        longest = self.longest
        if longest is not None and len(key) > longest:  # type: ignore[arg-type]  # (keys with a longest are sized)
            return value
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value


class Remembered(Generic[K, V]):
    """A pure ``function`` that each emulator remembers in its cache, declared once where it
    is defined: ``cache.memos[this]`` is its ``Memo`` (of ``size`` keys, each at most
    ``longest`` long when that is given), made on first ask.
    ``name`` says what it is (docs/architecture.md "Caches" lists them by name). Hashed by
    identity: its look-up is one C call. Declare each once, at module level: a cache keeps a
    memo for every ``Remembered`` it is asked for, for as long as it lives."""

    __slots__ = ("function", "longest", "name", "size")

    def __init__(
        self, name: str, function: Callable[[K], V], size: int = DEFAULT_SIZE, longest: int | None = None
    ) -> None:
        self.name = name
        self.function = function
        self.size = size
        self.longest = longest
