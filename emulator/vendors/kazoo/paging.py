"""Crossbar list paging and time windows (kazoo.md §5).

Lists are paginated by default (50 a page), newest or highest key first unless
``ascending=true`` (or ``descending=false``); ``start_key`` / ``next_start_key`` are opaque
URL-safe strings; ``paginate=false`` returns everything. Listings read from the monthly
account databases (outbox, inbox) are bounded by ``created_from`` / ``created_to``
(Gregorian seconds), by default the last 31 days and one hour.
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

Row = tuple[list[Any], Any]  # (sort key, item)


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
        raise errors.validation({"page_size": {"minimum": {"message": "page size must be at least 1",
                                                           "target": 1, "value": size}}})
    return size


def listing(request: web.Request, rows: Iterable[Row]) -> web.Response:
    """A list response: the page ``request`` asks for, with Crossbar's paging fields."""
    # TODO(unfinished): Crossbar's query-string filters (filter_{KEY}, filter_not_{KEY}, has_key, key_missing,
    # has_value, missing_value, created_from/to outside the monthly listings, modified_from/to; Crossbar
    # filters.md) are in the contract (schemas/kazoo/list-query.json) but not applied: every row is listed
    query = request.query
    descending = not (query.get("ascending") == "true" or query.get("descending") == "false")
    ordered = sorted(rows, key=lambda row: row[0], reverse=descending)
    if query.get("paginate") == "false":
        return respond(request, [item for _, item in ordered], revision="automatic", page_size=len(ordered))
    size = _page_size(query.get("page_size"))
    start = query.get("start_key")
    if start is not None:
        key = _decode(start)
        try:
            ordered = [row for row in ordered if (row[0] <= key if descending else row[0] >= key)]
        except TypeError:
            raise errors.validation({"start_key": {"invalid": {"message": "invalid start key",
                                                               "value": start}}}) from None
    page, rest = ordered[:size], ordered[size:]
    first = start if start is not None else (_encode(page[0][0]) if page else None)
    return respond(request, [item for _, item in page], revision="automatic", page_size=len(page),
                   start_key=first, next_start_key=_encode(rest[0][0]) if rest else None)


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
                raise errors.validation({name: {"type": {"message": "Value did not match type(s): integer",
                                                         "target": "integer", "value": raw}}}) from None
    created_to = values.get("created_to", gregorian(runtime(request).now()))
    created_from = values.get("created_from", created_to - MAXIMUM_RANGE)
    if created_to < created_from:
        message = f"created_to {created_to} is prior to created_from {created_from}"
    elif created_to - created_from > MAXIMUM_RANGE:
        message = f"created_to {created_to} is more than {MAXIMUM_RANGE} seconds from created_from {created_from}"
    else:
        return created_from, created_to
    raise errors.validation({"created_from": {"date_range": {"message": message, "cause": created_from}}})
