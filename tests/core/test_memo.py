"""core/memo.py: a pure function's values, remembered within a bound."""

from __future__ import annotations

import pytest

from emulator.core.memo import Memo


def test_a_value_is_computed_once_and_then_remembered():
    calls: list[float] = []

    def double(x: float) -> float:
        calls.append(x)
        return 2 * x

    memo = Memo(double)
    assert (memo[1.5], memo[1.5], memo[2.0]) == (3.0, 3.0, 4.0)
    assert calls == [1.5, 2.0]


def test_several_arguments_are_one_tuple_key():
    memo = Memo(lambda key: f"{key[0]}@{key[1]}")
    assert memo["a", 1] == "a@1" and ("a", 1) in memo


def test_it_never_holds_more_than_its_size():
    memo = Memo(str, size=3)
    for n in range(10):
        assert memo[n] == str(n)
        assert len(memo) <= 3
    assert memo[9] == "9" and 9 in memo


def test_a_key_longer_than_its_longest_is_computed_each_time_and_never_kept():
    calls: list[str] = []

    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    memo = Memo(upper, longest=3)
    assert [memo["abc"], memo["abc"], memo["abcd"], memo["abcd"]] == ["ABC", "ABC", "ABCD", "ABCD"]
    assert calls == ["abc", "abcd", "abcd"] and list(memo) == ["abc"]
    unbounded = Memo(upper)
    assert unbounded["abcd"] == "ABCD" and "abcd" in unbounded  # no longest: every key kept


def test_a_size_below_one_is_refused():
    with pytest.raises(ValueError):
        Memo(str, size=0)


def test_each_emulators_cache_makes_a_declared_memo_once_and_a_reset_empties_it():
    """``cache.memos[remembered]``: one memo per declaration and emulator, of its function and
    size, made on first ask and kept (emptied, not replaced, by a reset)."""
    from emulator.app import build_app
    from emulator.config import Config
    from emulator.core.memo import Remembered
    from emulator.keys import RUNTIME

    twice = Remembered("test.twice", lambda x: 2 * x, size=2)
    first, second = (build_app(Config(clock="manual", port=0))[RUNTIME] for _ in range(2))
    memo = first.cache.memos[twice]
    assert first.cache.memos[twice] is memo and second.cache.memos[twice] is not memo
    assert (memo[1], memo[2], memo[3]) == (2, 4, 6) and len(memo) <= 2
    first.reset()
    assert first.cache.memos[twice] is memo and len(memo) == 0
