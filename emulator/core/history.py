"""``History``: the statuses a fax went through, each with the emulated time it entered it.

Every fax holds its history for life, so the fax keeps it compact (``Fax.entered``): one flat
tuple of time, status, time, status... rather than a list of ``(time, status)`` tuples (a
five-status fax's history in 128 bytes, not 400: a million faxes in ``benchmarks/scale.py``
hold 270 MB less, and the cyclic collector has one object to walk where it had seven).
Statuses are the machine's own strings, shared by every fax; on the manual clock so are the
times. ``History`` reads such a tuple as a sequence of ``(time, status)`` pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import overload

#: time, status, time, status...: what a fax keeps (``Fax.entered``)
Flat = tuple[float | str, ...]


def flat(pairs: Iterable[tuple[float, str]]) -> Flat:
    """``pairs`` as a fax keeps them."""
    return tuple(value for pair in pairs for value in pair)


class History(Sequence[tuple[float, str]]):
    """The ``(time, status)`` pairs of a flat tuple, oldest first (a view: it holds the tuple)."""

    __slots__ = ("_flat",)

    def __init__(self, entered: Flat = ()) -> None:
        self._flat = entered

    def __len__(self) -> int:
        return len(self._flat) >> 1

    @overload
    def __getitem__(self, index: int) -> tuple[float, str]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[float, str]]: ...
    def __getitem__(self, index: int | slice) -> tuple[float, str] | list[tuple[float, str]]:
        if isinstance(index, slice):
            return list(self)[index]
        count = len(self._flat) >> 1
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError("history index out of range")
        entered = self._flat
        return entered[2 * index], entered[2 * index + 1]  # type: ignore[return-value]

    def __iter__(self) -> Iterator[tuple[float, str]]:
        entered = self._flat
        return zip(islice(entered, 0, None, 2), islice(entered, 1, None, 2), strict=True)  # type: ignore[arg-type]

    def __reversed__(self) -> Iterator[tuple[float, str]]:
        backwards = self._flat[::-1]
        return zip(islice(backwards, 1, None, 2), islice(backwards, 0, None, 2), strict=True)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, History):
            return self._flat == other._flat
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # a sequence that compares by value

    def __repr__(self) -> str:
        return f"History({list(self)!r})"
