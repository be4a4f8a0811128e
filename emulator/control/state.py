"""GET and PUT /_emulator/state: the whole state as a snapshot (core/snapshot.py), and back."""

from __future__ import annotations

import asyncio

from aiohttp import web

from emulator import keys
from emulator.core.answers import json_bytes, json_loads
from emulator.core.bodies import read_bytes
from emulator.core.errors import Invalid

#: the largest snapshot PUT /_emulator/state reads (documents are in it, as base64)
MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024


async def export(request: web.Request) -> web.Response:
    """The state as a snapshot: what ``fax-emulator state export`` saves."""
    from emulator.core import snapshot  # the snapshot's code with the first snapshot, not at start-up

    data = snapshot.export(request.app[keys.RUNTIME])
    # json_bytes: a text stored with a lone surrogate (a JSON escape a vendor took, as Kazoo
    # takes a login's account name) is written as its escape; orjson refused it, a 500
    return web.Response(body=json_bytes(data), content_type="application/json")


async def replace(request: web.Request) -> web.Response:
    """Replace the state with a snapshot; 400 with why (and the state untouched) if it is not one."""
    from emulator.core import snapshot

    raw = await read_bytes(request, MAX_SNAPSHOT_BYTES)
    try:
        data = await asyncio.to_thread(json_loads, raw)  # a snapshot may be large: parsed off the loop
    except ValueError as exc:  # (orjson's and json's errors are ValueErrors)
        raise Invalid(f"the snapshot is not JSON: {exc}") from None
    held = await snapshot.restore(request.app[keys.RUNTIME], data)
    return web.json_response({"restored": True, **held})
