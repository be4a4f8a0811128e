"""FAX.PLUS shop (faxplus.md §3.7, §5.7): balance and a small, fixed catalogue of numbers.

The catalogue is data: a few countries and areas, and for each area a stable list of
free numbers (the same on every run). Buying one charges its price and first month's
fee to the account's balance and makes it the account's own number.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from emulator.core.errors import Conflict, EmulatorError, Invalid, NotFound
from emulator.vendors.faxplus import accounts

if TYPE_CHECKING:
    from emulator.core.services import Services
    from emulator.core.store import Tenant

#: iso -> (name, available, calling code, monthly fee, ((area code, city, state), ...))
CATALOGUE: dict[str, tuple[str, bool, str, float, tuple[tuple[str, str, str], ...]]] = {
    "US": (
        "United States",
        True,
        "1",
        5.99,
        (("212", "New York", "NY"), ("415", "San Francisco", "CA"), ("312", "Chicago", "IL")),
    ),
    "CA": ("Canada", True, "1", 5.99, (("416", "Toronto", "ON"), ("604", "Vancouver", "BC"))),
    "GB": ("United Kingdom", True, "44", 7.99, (("20", "London", "England"), ("161", "Manchester", "England"))),
    "CH": ("Switzerland", False, "41", 9.99, ()),
}
SUBSCRIBER_DIGITS = 7  # digits after the area code
OFFERED = 5  # numbers one listing offers
PRICE = 0.0  # set-up price; the first month's fee is charged too
MONTHS = 1
CHANNELS = ("random", "custom")
_DIGITS = re.compile(f"[0-9]{{1,{SUBSCRIBER_DIGITS}}}")
_ITEM = re.compile(r"item_([A-Z]{2})_([0-9]+)_([0-9]+)")


class InsufficientCredit(EmulatorError):
    status = 402
    code = "insufficient_credit"
    message = "not enough credit"


def _country(code: str) -> tuple[str, bool, str, float, tuple[tuple[str, str, str], ...]]:
    found = CATALOGUE.get(code.upper())
    if found is None:
        raise NotFound(f"no numbers are sold in country {code!r}")
    return found


def _area(country: str, area_code: str) -> tuple[str, str, str]:
    found = next((a for a in _country(country)[4] if a[0] == area_code), None)
    if found is None:
        raise NotFound(f"no area {area_code!r} in country {country!r}")
    return found


def countries() -> dict[str, Any]:
    return {"countries": [{"iso": iso, "name": c[0], "is_available": c[1]} for iso, c in CATALOGUE.items()]}


def areas(country: str) -> dict[str, Any]:
    return {"areas": [{"calling_code": a[0], "city": a[1], "state": a[2]} for a in _country(country)[4]]}


def _candidates(iso: str, area_code: str, contains: str | None) -> list[str]:
    found = []
    for index in range(OFFERED * 3):
        seed = int(hashlib.sha256(f"faxplus-shop|{iso}|{area_code}|{index}".encode()).hexdigest(), 16)
        tail = f"{seed % 10**SUBSCRIBER_DIGITS:0{SUBSCRIBER_DIGITS}d}"
        if contains:
            at = index % (SUBSCRIBER_DIGITS - len(contains) + 1)
            tail = tail[:at] + contains + tail[at + len(contains) :]
        found.append(tail)
    return list(dict.fromkeys(found))


def available(
    runtime: Services, country: str, area_code: str, channel: str | None, contains: str | None
) -> dict[str, Any]:
    """Free numbers of one area; ``custom`` with ``contains`` puts those digits in each."""
    iso = country.upper()
    name, _, calling, fee, _ = _country(iso)
    area = _area(iso, area_code)
    if channel is not None and channel not in CHANNELS:
        raise Invalid(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}", field="channel")
    if contains and not _DIGITS.fullmatch(contains):
        raise Invalid(f"contains must be 1 to {SUBSCRIBER_DIGITS} digits", field="contains")
    wanted = contains if channel == "custom" and contains else None
    offered = []
    for tail in _candidates(iso, area_code, wanted):
        number = f"+{calling}{area_code}{tail}"
        if accounts.owner_of_number(runtime, number) is None:
            offered.append(
                {
                    "type": "local",
                    "currency": accounts.CURRENCY,
                    "availability": "available",
                    "item": {
                        "id": f"item_{iso}_{area_code}_{tail}",
                        "country": name,
                        "number": number,
                        "country_code": calling,
                        "geographic_area": {"area_code": area_code, "geographic_area": area[2], "city": area[1]},
                    },
                    "price": PRICE,
                    "monthly_fee": fee,
                    "number_of_months": MONTHS,
                }
            )
    return {"numbers": offered[:OFFERED]}


def purchase(runtime: Services, tenant: Tenant, item_id: str) -> str:
    """Buy a catalogue number for the account (checked fully, then charged once)."""
    match = _ITEM.fullmatch(item_id)
    if match is None or len(match.group(3)) != SUBSCRIBER_DIGITS:
        raise Invalid(f"item_id {item_id!r} is not an item of the shop", field="item_id")
    iso, area_code, tail = match.groups()
    try:
        _, _, calling, fee, _ = _country(iso)
        _area(iso, area_code)
    except NotFound as exc:
        raise Invalid(f"item_id {item_id!r} is not an item of the shop", field="item_id") from exc
    number = f"+{calling}{area_code}{tail}"
    if accounts.owner_of_number(runtime, number) is not None:
        raise Conflict(f"{number} is no longer available", code="number_unavailable")
    charge = PRICE + fee * MONTHS
    if tenant.settings["balance"] < charge:
        raise InsufficientCredit(f"the balance ({tenant.settings['balance']:.2f}) is below the price {charge:.2f}")
    accounts.add_number(tenant, number, tenant.settings["main_uid"], runtime.now())
    tenant.settings["balance"] = round(tenant.settings["balance"] - charge, 2)
    return number


def balance(tenant: Tenant) -> dict[str, Any]:
    return {"amount": float(tenant.settings["balance"]), "currency": accounts.CURRENCY}
