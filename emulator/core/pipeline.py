"""The one handler each route runs: the emulator's request pipeline, composed per route.

There are no aiohttp middlewares and no sub-apps: when the app is built, each vendor
route's handler is wrapped once, with its vendor, operation and contract already known,
so a request runs one coroutine around the vendor's own work. (A sub-app with two
middlewares under a root middleware cost aiohttp about 27,000 CPU instructions per
request on top of a route with none: more than a whole CallerIP status read does.)

A vendor request goes, in order, through:

1. the scenario gate: fault rules (skipped when no scenario is in force); rules on the
   tenant act on identification, rules on the destination on submission;
2. the vendor's ``authenticate`` (who is calling; may refuse), then its handler; every
   ``EmulatorError``, routing 404/405 and unexpected exception becomes the vendor's own
   error body (``Vendor.render_error``);
3. the contract checks of the request (and of the response, in strict mode);
4. the journal entry.

A path under a vendor's prefix that matches no route takes the same way with no
operation (``unrouted``), so its 404 or 405 is the vendor's. The control API's routes
get only their error rendering (``rendering``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from emulator.core.answers import Renderer, answer_error
from emulator.core.contracts import REFUSED, Contract
from emulator.core.errors import ScriptedFault
from emulator.core.exchange import EXCHANGE, Exchange
from emulator.core.runtime import Runtime
from emulator.core.scenarios import faults, gate
from emulator.core.vendor import Vendor

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: for the journal: the scenario rule that acted on a request and what its fault did
Acted = tuple[str | None, str | None]
_NO_RULE: Acted = (None, None)


def rendering(render: Renderer, handler: Handler) -> Handler:
    """``handler`` with every error it raises answered by ``render`` (see ``answer_error``)."""

    async def rendered(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except Exception as exc:  # answer_error re-raises what it must not answer
            return answer_error(render, request, exc)

    return rendered


def _admitting(runtime: Runtime, authenticate: Callable[[Runtime, web.Request, Exchange], None] | None,
               handler: Handler) -> Handler:
    """``handler`` after the vendor's ``authenticate`` (for the scenario gate's way; the
    hot way in ``vendor_route`` calls both itself, one coroutine fewer)."""
    if authenticate is None:
        return handler

    async def admitted(request: web.Request) -> web.StreamResponse:
        authenticate(runtime, request, request[EXCHANGE])
        return await handler(request)

    return admitted


async def unrouted(request: web.Request) -> web.StreamResponse:
    """The handler of a path under a prefix (a vendor's, the control API's) that no route
    matches: the router's 404 or 405, for the owner's error rendering to answer."""
    raise request.match_info.http_exception  # type: ignore[attr-defined, misc]


def vendor_route(runtime: Runtime, vendor: Vendor, operation: str | None, handler: Handler) -> Handler:
    """The whole pipeline (see the module docstring) around one vendor route's handler;
    ``operation`` is the route's name (None for ``unrouted``)."""
    journal, checks, scenarios, clock = runtime.journal, runtime.checks, runtime.scenarios, runtime.clock
    name, render = vendor.name, vendor.render_error
    contract = vendor.contracts.get(operation) if operation is not None else None
    check_every_answer = checks.checks_every_answer(contract)
    # an operation whose only schema is its query's: a served answer to a request with no
    # query has nothing to check if that schema takes an empty one (most polled reads)
    query_only = check_every_answer and not checks.strict and contract is not None and contract.request is None
    query_schema = contract.query if contract is not None else None
    # whether that schema takes an empty query: learnt on the first request that asks (it
    # compiles the schema, which the app's start-up should not pay for), then kept here
    takes_empty_query: bool | None = None

    def learn_takes_empty_query() -> bool:
        nonlocal takes_empty_query
        takes_empty_query = checks.takes_empty_query(name, query_schema)  # type: ignore[arg-type]
        return takes_empty_query

    authenticate = vendor.authenticate
    # the scenario gate's way (it must see errors answered)
    rendered = rendering(render, _admitting(runtime, authenticate, handler))
    perf_counter = time.perf_counter

    async def handle(request: web.Request) -> web.StreamResponse:
        started = perf_counter()
        status = 500
        acted = _NO_RULE
        response: web.StreamResponse | None = None
        exchange = request[EXCHANGE] = Exchange(operation, clock.now())
        try:
            if scenarios.in_force:
                response, acted = await _gated(request, rendered, vendor, operation, contract, runtime)
                status = response.status
            else:
                try:  # ``rendering`` and ``_admitting`` inlined: two coroutines fewer on the hot path
                    if authenticate is not None:
                        authenticate(runtime, request, exchange)
                    response = await handler(request)
                except Exception as exc:  # answer_error re-raises what it must not answer
                    response = answer_error(render, request, exc)
                status = response.status
                if status in REFUSED or (check_every_answer and not (
                        query_only and not request.rel_url.raw_query_string
                        and (takes_empty_query if takes_empty_query is not None else learn_takes_empty_query()))):
                    checks.check_request(request, response, name, operation, contract)
            return response
        except web.HTTPException as exc:  # a 3xx answer (errors are rendered, never raised)
            status = exc.status
            raise
        finally:
            journal.record(exchange.at, name, operation, exchange.tenant, request.method, request.raw_path, status,
                           perf_counter() - started, acted[0], acted[1], exchange.fax_ids, request.raw_headers,
                           exchange.body, response)

    return handle


async def _gated(request: web.Request, handler: Handler, vendor: Vendor, operation: str | None,
                 contract: Contract | None, runtime: Runtime) -> tuple[web.StreamResponse, Acted]:
    """Scenario fault rules (see core/scenarios/gate.py for when each is checked); returns
    the answer and, for the journal, the rule that acted and what its fault did."""
    request_gate = runtime.scenarios.open_gate(vendor.name, operation, request.headers)
    token = request_gate.enter()
    response: web.StreamResponse | None = None
    try:
        request_gate.start()
        response = await handler(request)
        runtime.checks.check_request(request, response, vendor.name, operation, contract)
    except ScriptedFault:
        response = None
    finally:
        gate.CURRENT.reset(token)
    rule = request_gate.label
    fault = request_gate.fault
    if fault is None and response is not None:
        return response, (rule, None)
    if fault is None:  # ScriptedFault is raised only with a fault
        from emulator.core.scenarios.model import FaultAction

        fault = FaultAction(status=500)
    described = fault.describe(request_gate.latency)
    answer = await faults.answer(request, fault, request_gate.latency, response, vendor.render_error)
    return answer, (rule, described)


def stray_route(runtime: Runtime) -> Handler:
    """A path outside every vendor and the control API: aiohttp's own 404 or 405, journaled
    with no vendor, so a client aiming at a wrong base URL shows up in the request log."""

    async def stray(request: web.Request) -> web.StreamResponse:
        error = request.match_info.http_exception  # type: ignore[attr-defined]
        runtime.journal.record(runtime.clock.now(), None, None, None, request.method, request.raw_path, error.status,
                               0.0, request_headers=request.raw_headers)
        raise error

    return stray
