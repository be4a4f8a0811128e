"""The hot read of each vendor: make one fax through the vendor's API, return how to read it.

Each function takes an aiohttp session and the emulator's base URL and returns
``(url, headers)`` of the read to hammer. A vendor missing here is skipped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp

from emulator.core.documents import make_pdf

Setup = Callable[[aiohttp.ClientSession, str], Awaitable[tuple[str, dict[str, str]]]]


async def callerip(session: aiohttp.ClientSession, base: str) -> tuple[str, dict[str, str]]:
    form = aiohttp.FormData()
    form.add_field("token", "bench")
    form.add_field("number", "2125550100")
    form.add_field("file", make_pdf(1), filename="bench.pdf", content_type="application/pdf")
    async with session.post(f"{base}/api/fax/send", data=form) as response:
        uuid = (await response.json())["uuid"]
    return f"{base}/api/fax/status?token=bench&uuid={uuid}", {}


HOT_READS: dict[str, tuple[str, Setup]] = {
    "callerip": ("CallerIP GET status", callerip),
}
