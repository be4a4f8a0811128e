"""Imagicle's DateTime text, written and read in this one place (imagicle.md §6, §10, D10).

The server prints .NET DateTime values in its own local wall-clock time, without a zone
designator, with seven fractional digits (100 ns ticks): ``2016-11-25T15:57:40.0000000``.
The zone is the ``timezone`` option (UTC unless configured; a fixed offset or an IANA name). The list ``date`` filter's
values are read in the same zone.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from emulator.core.errors import Invalid

_OFFSET = re.compile(r"^([+-])([01][0-9]|2[0-3]):([0-5][0-9])$")


@functools.cache
def zone(name: str) -> tzinfo:
    """The server's time zone: ``UTC``, a fixed offset (``+01:00``) or an IANA name (``Europe/Rome``).

    Invalid if the name is unknown (IANA names need the system's time zone database).
    """
    if name.upper() == "UTC":
        return UTC
    offset = _OFFSET.match(name)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3))))
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # IANA names only: not at start-up

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(f"unknown time zone {name!r}", field="timezone") from exc


def format_time(timestamp: float | None, zone_name: str) -> str | None:
    """``2016-11-25T15:57:40.1234567`` in the server's zone; None stays None."""
    if timestamp is None:
        return None
    # not remembered: the hot read's times are in its fax detail, made once per change of the
    # fax (``serialise.detail``)
    local = datetime.fromtimestamp(timestamp, zone(zone_name)).replace(tzinfo=None)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f".{local.microsecond:06d}0"


def parse_time(text: str, zone_name: str) -> float:
    """A filter value (``2018-01-01T00:00:00``, a date, fractional digits) as POSIX time.

    A value without an offset is the server's local time. Fractions are read to the
    microsecond (the 7th .NET digit is dropped). ValueError if it is not a date.
    """
    value = datetime.fromisoformat(text.strip())  # 3.11 reads 7 digits (to the microsecond)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(zone_name))
    return value.timestamp()
