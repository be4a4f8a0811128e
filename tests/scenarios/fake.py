"""A tiny vendor for scenario tests: header auth before each handler, retries, webhooks, inbound.

It exists to prove that scenario machinery works for vendors other than CallerIP through
the same hooks the real vendors use, without depending on any of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from emulator import keys
from emulator.core.bodies import read_json
from emulator.core.errors import EmulatorError, Invalid, NotFound, Unauthorized
from emulator.core.exchange import EXCHANGE
from emulator.core.lifecycle import Machine
from emulator.core.store import Fax
from emulator.core.vendor import Inbound, Vendor
from emulator.core.webhooks import RetryPolicy

NAME = "fake"


@dataclass(slots=True)
class FakeRecord:
    """The fake vendor's record of a fax (``Fax.record``)."""

    callback: str | None = None  # where its status changes are posted


MACHINE = Machine(
    prepare=("queued", "converting"),
    transmit="sending",
    success="sent",
    failure="failed",
    convert="converting",
    requeue="queued",
    dwell={"queued": 1.0, "converting": 1.0, "sending": 2.0},
    per_page=1.0,
    native=frozenset({"failed_special"}),
)


def auth(runtime: Any, request: web.Request, exchange: Any) -> None:
    token = request.headers.get("X-Token", "")
    if not token:
        raise Unauthorized("no token")
    declared = runtime.accounts.get(NAME)
    if declared and token not in {a["token"] for a in declared}:
        raise Unauthorized("unknown token")
    exchange.identify(token)


async def send(request: web.Request) -> web.Response:
    runtime = request.app[keys.RUNTIME]
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("to"), str):
        raise Invalid("to is required")
    fax = Fax(
        id=runtime.ids.hex(8),
        vendor=NAME,
        tenant=request[EXCHANGE].tenant,
        direction="outbound",
        to=body["to"],
        sender="fake",
        status="",
        created_at=runtime.now(),
        pages=int(body.get("pages", 1)),
        max_attempts=int(body.get("attempts", 1)),
        retry_delay=10.0,
        record=FakeRecord(body.get("callback")),
    )
    runtime.submit(fax, request[EXCHANGE].gate)
    request[EXCHANGE].fax_ids = [fax.id]
    return web.json_response({"id": fax.id, "status": fax.status}, status=201)


async def get_fax(request: web.Request) -> web.Response:
    runtime = request.app[keys.RUNTIME]
    tenant = runtime.store.find_tenant(NAME, request[EXCHANGE].tenant)
    fax = tenant.faxes.get(request.match_info["fax_id"]) if tenant else None
    if fax is None:
        raise NotFound("no such fax")
    return web.json_response({"id": fax.id, "status": fax.status})


def render(error: EmulatorError, request: web.Request | None = None) -> web.Response:
    return web.json_response({"fault": {"code": error.code, "text": error.message}}, status=error.status)


def on_transition(runtime: Any, fax: Fax, old: str | None, new: str) -> None:
    url = fax.record.callback if fax.record is not None else None
    if url:
        runtime.dispatcher.deliver(
            vendor=NAME,
            tenant=fax.tenant,
            event=f"fax.{new}",
            url=url,
            fax_id=fax.id,
            body=json.dumps({"id": fax.id, "status": new}).encode(),
            policy=RetryPolicy(attempts=1),
        )


def receive(runtime: Any, inbound: Inbound) -> Fax:
    fax = Fax(
        id=runtime.ids.hex(8),
        vendor=NAME,
        tenant=inbound.tenant or "inbox",
        direction="inbound",
        to=inbound.to,
        sender=inbound.sender,
        status="",
        created_at=runtime.now(),
        pages=inbound.pages,
        documents=[inbound.document] if inbound.document else [],
    )
    runtime.tenant(NAME, fax.tenant)
    runtime.store.add(fax)
    fax.ended_at = runtime.now()
    runtime.engine.record(fax, "received")
    return fax


def view(runtime: Any, fax: Fax) -> dict[str, Any]:
    return {"id": fax.id, "status": fax.status}


FAKE = Vendor(
    name=NAME,
    title="Fake",
    prefix="/fake",
    render_error=render,
    machine=MACHINE,
    record=FakeRecord,
    authenticate=auth,
    routes=(("POST", "/faxes", send, "send"), ("GET", "/faxes/{fax_id}", get_fax, "get_fax")),
    on_transition=on_transition,
    receive=receive,
    view=view,
)
