"""A tiny vendor for testing emulator.testing without leaning on any real vendor.

``POST /fake/send`` with ``X-Token`` and ``{"to": ..., "hook": URL}`` makes a fax that ends
after 10 s (outcome by the magic numbers) and then POSTs ``{"id", "status"}`` to ``hook``;
inbound faxes arrive ``received`` at once and POST the same to the tenant's last hook.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aiohttp import web

from emulator import keys
from emulator.core.bodies import read_json
from emulator.core.errors import Unauthorized
from emulator.core.exchange import EXCHANGE
from emulator.core.lifecycle import Machine
from emulator.core.runtime import Runtime
from emulator.core.store import Fax
from emulator.core.vendor import Inbound, Vendor
from emulator.core.webhooks import RetryPolicy

NAME = "fake"
POLICY = RetryPolicy(attempts=3, delay=10.0)


@dataclass(slots=True)
class FakeRecord:
    """The fake vendor's record of a sent fax (``Fax.record``)."""

    hook: str | None = None  # where its end is posted


def _render(error, request=None):  # type: ignore[no-untyped-def]
    return web.json_response({"oops": error.message}, status=error.status)


async def send(request: web.Request) -> web.Response:
    runtime = request.app[keys.RUNTIME]
    token = request.headers.get("X-Token")
    if not token:
        raise Unauthorized()
    request[EXCHANGE].identify(token)
    body = await read_json(request)
    runtime.tenant(NAME, token).settings["hook"] = body.get("hook")
    fax = Fax(
        id=runtime.ids.hex(8),
        vendor=NAME,
        tenant=token,
        direction="outbound",
        to=body["to"],
        sender=token,
        status="",
        created_at=runtime.now(),
        record=FakeRecord(body.get("hook")),
    )
    runtime.submit(fax, request[EXCHANGE].gate)
    request[EXCHANGE].fax_ids = [fax.id]
    return web.json_response({"id": fax.id}, status=201)


def _notify(runtime: Runtime, fax: Fax, url: str | None) -> None:
    if url:
        runtime.dispatcher.deliver(
            vendor=NAME,
            tenant=fax.tenant,
            event="done",
            url=url,
            policy=POLICY,
            body=json.dumps({"id": fax.id, "status": fax.status}).encode(),
            fax_id=fax.id,
        )


def on_transition(runtime: Runtime, fax: Fax, old: str | None, new: str) -> None:
    if fax.terminal:
        _notify(runtime, fax, fax.record.hook if fax.record is not None else None)


def receive(runtime: Runtime, inbound: Inbound) -> Fax:
    tenant = runtime.tenant(NAME, inbound.tenant or "inbox")
    fax = Fax(
        id=runtime.ids.hex(8),
        vendor=NAME,
        tenant=tenant.id,
        direction="inbound",
        to=inbound.to,
        sender=inbound.sender,
        status="",
        created_at=runtime.now(),
        pages=inbound.pages,
        documents=[inbound.document] if inbound.document else [],
    )
    fax.ended_at = runtime.now()
    runtime.store.add(fax)
    runtime.engine.record(fax, "received")
    _notify(runtime, fax, tenant.settings.get("hook"))
    return fax


VENDOR = Vendor(
    name=NAME,
    title="Fake",
    prefix="/fake",
    routes=(("POST", "/send", send, "send"),),
    render_error=_render,
    machine=Machine(
        prepare=("queued",),
        transmit="sending",
        success="sent",
        failure="failed",
        dwell={"queued": 5.0, "sending": 5.0},
        per_page=0.0,
        cancelled="cancelled",
    ),
    record=FakeRecord,
    on_transition=on_transition,
    receive=receive,
)
