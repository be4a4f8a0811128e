"""Crossbar list paging and time windows (kazoo.md §5).

Lists are paginated by default (50 a page), newest or highest key first unless
``ascending=true`` (or ``descending=false``); ``start_key`` / ``next_start_key`` are opaque
URL-safe strings; ``paginate=false`` returns everything. Listings read from the monthly
account databases (outbox, inbox) are bounded by ``created_from`` / ``created_to``
(Gregorian seconds), by default the last 31 days and one hour.

Every listing also takes Crossbar's query-string filters (crossbar/doc/filters.md), read
against each row's whole document, ANDed: ``filter_{KEY}`` / ``filter_not_{KEY}`` (the
value at the dotted path ``KEY``, as Crossbar's binary form, is / is not ``{VALUE}``),
``has_key`` / ``key_missing``, ``has_value`` / ``missing_value`` (present and non-empty, or
not), ``created_from`` / ``created_to`` and ``modified_from`` / ``modified_to`` (Gregorian
seconds, inclusive, on ``pvt_created`` / ``pvt_modified``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from emulator.vendors.kazoo import errors
from emulator.vendors.kazoo.envelope import gregorian, respond, runtime

DEFAULT_PAGE_SIZE = 50  # crossbar.pagination_page_size
MAXIMUM_RANGE = 31 * 86400 + 3600  # crossbar.maximum_range

Row = tuple[list[Any], Any, dict[str, Any]]  # (sort key, item, the whole document the filters read)
_MISSING = object()
_TIME_FILTERS = {
    "created_from": ("pvt_created", 1),
    "created_to": ("pvt_created", -1),
    "modified_from": ("pvt_modified", 1),
    "modified_to": ("pvt_modified", -1),
}


def _encode(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(text: str) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error):
        key = None
    if not isinstance(key, list):
        raise errors.validation({"start_key": {"invalid": {"message": "invalid start key", "value": text}}})
    return key


def _page_size(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise errors.validation({"page_size": {"type": {"message": "invalid page size", "value": raw}}}) from None
    if size < 1:
        raise errors.validation(
            {"page_size": {"minimum": {"message": "page size must be at least 1", "target": 1, "value": size}}}
        )
    return size


def _at(doc: Any, path: str) -> Any:
    """The value at a dotted key path (``foo.bar``), or ``_MISSING``."""
    for part in path.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return _MISSING
        doc = doc[part]
    return doc


def _binary(value: Any) -> str | None:
    """A value as Crossbar compares it with a filter (kz_json:get_binary_value); None for
    what has no binary form (objects, lists, null)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def _empty(value: Any) -> bool:
    return value is _MISSING or value in (None, "", [], {})


def _gregorian(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise errors.validation(
            {name: {"type": {"message": "Value did not match type(s): integer", "target": "integer", "value": raw}}}
        ) from None


def _filters(query: Any) -> list[tuple[str, str, str]]:
    """The query's filters as (kind, key, value), checked once per request."""
    found = []
    for name, value in query.items():
        if name.startswith("filter_not_"):
            found.append(("not", name.removeprefix("filter_not_"), value))
        elif name.startswith("filter_"):
            found.append(("is", name.removeprefix("filter_"), value))
        elif name in ("has_key", "key_missing", "has_value", "missing_value"):
            found.append((name, value, ""))
        elif name in _TIME_FILTERS:
            field, sign = _TIME_FILTERS[name]
            found.append(("from" if sign > 0 else "to", field, str(_gregorian(name, value))))
    return found


def _kept(doc: dict[str, Any], filters: list[tuple[str, str, str]]) -> bool:
    for kind, key, value in filters:
        found = _at(doc, key)
        if kind in ("is", "not"):
            if (_binary(found) == value) != (kind == "is"):
                return False
        elif kind in ("from", "to"):
            if not isinstance(found, int) or (found < int(value) if kind == "from" else found > int(value)):
                return False
        elif (
            (kind == "has_key" and found is _MISSING)
            or (kind == "key_missing" and found is not _MISSING)
            or (kind == "has_value" and _empty(found))
            or (kind == "missing_value" and not _empty(found))
        ):
            return False
    return True


def listing(request: web.Request, rows: Iterable[Row]) -> web.Response:
    """A list response: the rows Crossbar's filters keep, the page ``request`` asks for, with
    Crossbar's paging fields."""
    query = request.query
    filters = _filters(query)
    if filters:
        rows = [row for row in rows if _kept(row[2], filters)]
    descending = not (query.get("ascending") == "true" or query.get("descending") == "false")
    ordered = sorted(rows, key=lambda row: row[0], reverse=descending)
    if query.get("paginate") == "false":
        return respond(request, [row[1] for row in ordered], revision="automatic", page_size=len(ordered))
    size = _page_size(query.get("page_size"))
    start = query.get("start_key")
    if start is not None:
        key = _decode(start)
        try:
            ordered = [row for row in ordered if (row[0] <= key if descending else row[0] >= key)]
        except TypeError:
            raise errors.validation(
                {"start_key": {"invalid": {"message": "invalid start key", "value": start}}}
            ) from None
    page, rest = ordered[:size], ordered[size:]
    first = start if start is not None else (_encode(page[0][0]) if page else None)
    return respond(
        request,
        [row[1] for row in page],
        revision="automatic",
        page_size=len(page),
        start_key=first,
        next_start_key=_encode(rest[0][0]) if rest else None,
    )


def window(request: web.Request) -> tuple[int, int]:
    """The ``created_from`` .. ``created_to`` window (Gregorian seconds) of a monthly listing."""
    query = request.query
    values: dict[str, int] = {}
    for name in ("created_from", "created_to"):
        raw = query.get(name)
        if raw is not None:
            try:
                values[name] = int(raw)
            except ValueError:
                raise errors.validation(
                    {
                        name: {
                            "type": {
                                "message": "Value did not match type(s): integer",
                                "target": "integer",
                                "value": raw,
                            }
                        }
                    }
                ) from None
    created_to = values.get("created_to", gregorian(runtime(request).now()))
    created_from = values.get("created_from", created_to - MAXIMUM_RANGE)
    if created_to < created_from:
        message = f"created_to {created_to} is prior to created_from {created_from}"
    elif created_to - created_from > MAXIMUM_RANGE:
        message = f"created_to {created_to} is more than {MAXIMUM_RANGE} seconds from created_from {created_from}"
    else:
        return created_from, created_to
    raise errors.validation({"created_from": {"date_range": {"message": message, "cause": created_from}}})
