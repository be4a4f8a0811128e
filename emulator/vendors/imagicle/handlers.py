"""Imagicle StoneFax Web API handlers (imagicle.md §4-§9): parse, one core call, serialise (the
caller is authenticated before, by ``auth.authenticate``)."""

from __future__ import annotations

from aiohttp import web

from emulator import keys
from emulator.core import contracts
from emulator.core.answers import json_response, json_text_response
from emulator.core.bodies import PARSED_BODY, PART_HEADS, read_form
from emulator.core.errors import NotFound
from emulator.core.exchange import EXCHANGE
from emulator.core.services import Services
from emulator.core.store import Fax
from emulator.vendors.imagicle import auth, download, listing, options, serialise, submission

NAME = "imagicle"


def _runtime(request: web.Request) -> Services:
    return request.app[keys.RUNTIME]


def _fax(runtime: Services, user: auth.User, fax_id: str, direction: str) -> Fax:
    """A fax the caller may see: its own, or any for level 10; else 404, never 403 (D15)."""
    fax = runtime.store.get(fax_id)
    if fax is None or fax.vendor != NAME or fax.direction != direction or not (user.admin or fax.tenant == user.name):
        raise NotFound(f"there is no {direction} fax having the id {fax_id}")
    return fax


async def submit_fax(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    user = auth.user(request)
    # the vendor documents multipart only; a url-encoded jsondata is refused (fidelity.md)
    form = await read_form(
        request, runtime.config.max_upload_bytes, urlencoded=False, heads=runtime.cache.memos[PART_HEADS]
    )
    jsondata = submission.jsondata(form)
    request[PARSED_BODY] = submission.checked_instance(request[PARSED_BODY], jsondata)
    exchange = request[EXCHANGE]
    faxes = submission.submit(runtime, await submission.parse(runtime, user, form, jsondata), exchange.gate)
    exchange.fax_ids = tuple([fax.id for fax in faxes])  # (a list: no generator)
    return json_response(serialise.submitted(faxes), status=options.of(runtime)["submit_status"])


async def _detail(request: web.Request, direction: str) -> web.Response:
    runtime = _runtime(request)
    fax = _fax(runtime, auth.user(request), request.match_info["fax_id"], direction)
    return json_text_response(serialise.detail(runtime, fax))


async def _mine(request: web.Request, direction: str) -> web.Response:
    runtime = _runtime(request)
    user = auth.user(request)
    named = contracts.spelled_as_declared(NAME, "list-query", request.query)
    query = listing.parse(named, options.of(runtime)["timezone"])
    tenant = runtime.store.find_tenant(NAME, user.name)
    faxes = [f for f in tenant.faxes.values() if f.direction == direction] if tenant else []
    return json_response(serialise.listing(runtime, direction, listing.select(faxes, query)))


async def _document(request: web.Request, direction: str) -> web.Response:
    runtime = _runtime(request)
    fax = _fax(runtime, auth.user(request), request.match_info["fax_id"], direction)
    return web.Response(
        body=await download.document(runtime, fax),
        content_type=download.CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{download.filename(fax)}"'},
    )


async def outbound_detail(request: web.Request) -> web.Response:
    return await _detail(request, "outbound")


async def outbound_document(request: web.Request) -> web.Response:
    return await _document(request, "outbound")


async def outbound_mine(request: web.Request) -> web.Response:
    return await _mine(request, "outbound")


async def inbound_mine(request: web.Request) -> web.Response:
    return await _mine(request, "inbound")


async def inbound_detail(request: web.Request) -> web.Response:
    return await _detail(request, "inbound")


async def inbound_document(request: web.Request) -> web.Response:
    return await _document(request, "inbound")
