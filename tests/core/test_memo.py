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


def test_a_size_below_one_is_refused():
    with pytest.raises(ValueError):
        Memo(str, size=0)
