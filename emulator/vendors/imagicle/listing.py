"""The ``Mine`` lists' query: ``page``, ``pageSize`` and the ``date`` filter (imagicle.md §7, §8, D13, D14).

``page`` is 1-based (default 1); ``pageSize`` 0 (the default) returns everything and
ignores ``page``. ``date`` uses the "RHS colon syntax": ``between:<from>;<to>`` (from
inclusive, to exclusive), ``after:<t>`` (t inclusive) or ``before:<t>`` (t exclusive), with
values in the server's local time. Anything else is 400 "filters not valid". Lists are
newest first; faxes of one submission keep their recipient order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from emulator.core.errors import Invalid
from emulator.core.store import Fax
from emulator.vendors.imagicle import times
from emulator.vendors.imagicle.state import of

_OPERATORS = ("between", "after", "before")
_WHOLE = re.compile(r"[+-]?[0-9]{1,10}")


@dataclass(frozen=True, slots=True)
class Query:
    page: int = 1
    page_size: int = 0
    since: float | None = None  # inclusive
    until: float | None = None  # exclusive


def _integer(query: Mapping[str, str], name: str, default: int, lowest: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not _WHOLE.fullmatch(raw.strip()):
        raise Invalid(f"filters not valid: {name} must be a whole number, not {raw!r}", field=name)
    value = int(raw.strip())  # as checked: int() strips less than str.strip (not "\x1f")
    if value < lowest or value > 2**31 - 1:
        raise Invalid(f"filters not valid: {name} must be at least {lowest}", field=name)
    return value


def _time(text: str, zone_name: str) -> float:
    try:
        return times.parse_time(text, zone_name)
    except (ValueError, OverflowError, OSError):
        raise Invalid(f"filters not valid: {text!r} is not a date and time", field="date") from None


def _date(raw: str | None, zone_name: str) -> tuple[float | None, float | None]:
    if raw is None or not raw.strip():
        return None, None
    operator, colon, value = raw.strip().partition(":")
    operator = operator.strip().lower()
    if not colon or operator not in _OPERATORS:
        raise Invalid(
            f"filters not valid: date must be between:<from>;<to>, after:<time> or before:<time>, not {raw!r}",
            field="date",
        )
    if operator == "between":
        low, semicolon, high = value.partition(";")
        if not semicolon:
            raise Invalid("filters not valid: between needs two values separated by ';'", field="date")
        return _time(low, zone_name), _time(high, zone_name)
    if operator == "after":
        return _time(value, zone_name), None
    return None, _time(value, zone_name)


def parse(query: Mapping[str, str], zone_name: str) -> Query:
    """The list query, or 400 "filters not valid"."""
    page = _integer(query, "page", 1, 1)
    page_size = _integer(query, "pageSize", 0, 0)
    since, until = _date(query.get("date"), zone_name)
    return Query(page, page_size, since, until)


def select(faxes: Iterable[Fax], query: Query) -> list[Fax]:
    """The page of ``faxes`` (given oldest first) the query asks for, newest first."""
    found = [
        (position, f)
        for position, f in enumerate(faxes)
        if (query.since is None or f.created_at >= query.since) and (query.until is None or f.created_at < query.until)
    ]
    # newest first; at one instant the later submission first, its recipients in order
    found.sort(key=lambda pair: (-pair[1].created_at, of(pair[1]).index - pair[0], of(pair[1]).index))
    ordered = [f for _, f in found]
    if query.page_size == 0:
        return ordered
    start = (query.page - 1) * query.page_size
    return ordered[start : start + query.page_size]
