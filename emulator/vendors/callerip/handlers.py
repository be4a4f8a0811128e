"""CallerIP handlers: POST /api/fax/send and GET /api/fax/status (callerip.md §4); the caller
is authenticated before, by ``auth.authenticate``."""

from aiohttp import web

from emulator import keys
from emulator.core.answers import json_response, json_text_response
from emulator.core.errors import Invalid, NotFound
from emulator.core.exchange import EXCHANGE
from emulator.core.services import Services
from emulator.vendors.callerip import auth, serialise, submission

NAME = "callerip"


async def send_fax(request: web.Request) -> web.Response:
    runtime: Services = request.app[keys.RUNTIME]
    exchange = request[EXCHANGE]
    fax = await submission.send(runtime, auth.line(request), auth.send_form(request), exchange.gate)
    exchange.fax_ids = (fax.id,)
    return json_response(serialise.sent(fax))


async def fax_status(request: web.Request) -> web.Response:
    runtime: Services = request.app[keys.RUNTIME]
    tenant = auth.line(request)
    uuid = request.query.get("uuid", "").strip()
    if not uuid:
        raise Invalid("uuid is required", field="uuid")
    found = runtime.store.find_tenant(NAME, tenant)
    fax = found.faxes.get(uuid) if found else None
    if fax is None:
        raise NotFound(f"no fax with uuid {uuid}")
    return json_text_response(serialise.status_json(runtime, fax))
