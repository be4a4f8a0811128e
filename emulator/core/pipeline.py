"""The one handler each route runs: the emulator's request pipeline, one plan per route.

There are no aiohttp middlewares and no sub-apps: when the app is built, each vendor
route gets a ``Plan``, its stages compiled with its vendor, operation and contract
already known, and one handler that runs them. (A sub-app with two middlewares under a
root middleware cost aiohttp about 27,000 CPU instructions per request on top of a route
with none: more than a whole CallerIP status read does.)

A vendor request goes through these stages, in order:

1. **gate**: the scenario gate, opened only when a scenario is in force; its fault rules
   act as the facts they match on become known (core/scenarios/gate.py);
2. **authenticate**: the vendor's ``authenticate`` says who is calling (the caller is kept
   on the ``Exchange``) or refuses;
3. **handle**: the vendor's handler;
4. **render errors**: every ``EmulatorError``, routing 404/405 and unexpected exception
   raised by 2 or 3 becomes the vendor's own error body (``Vendor.render_error``);
5. **check**: the request (and, in strict mode, the answer) against the operation's
   contract (``ContractChecker.for_route`` decides, once per route, which answers);
6. **journal**: the request log's entry.

Stages 2-4 are one coroutine (``answer``), which the handler runs directly when no
scenario is in force and inside the gate when one is.

A path under a vendor's prefix that matches no route takes the same way with no
operation (``unrouted``), so its 404 or 405 is the vendor's. The control API's routes
get only their error rendering (``rendering``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from emulator.core.answers import Renderer, answer_error
from emulator.core.contract_checks import Check
from emulator.core.errors import ScriptedFault
from emulator.core.exchange import EXCHANGE, Exchange
from emulator.core.runtime import Runtime
from emulator.core.scenarios import faults
from emulator.core.scenarios.gate import RequestGate
from emulator.core.vendor import Authenticate, Vendor

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Plan:
    """One vendor route's stages, compiled when the app is built (see the module docstring)."""

    vendor: str
    operation: str | None  # the route's name; None for ``unrouted``
    authenticate: Authenticate | None  # 2; None: the vendor has no auth of its own
    handle: Handler  # 3
    render: Renderer  # 4
    check: Check  # 5


def plan(runtime: Runtime, vendor: Vendor, operation: str | None, handler: Handler) -> Plan:
    """The plan of one vendor route: ``operation`` is the route's name (None for ``unrouted``)."""
    contract = vendor.contracts.get(operation) if operation is not None else None
    return Plan(vendor.name, operation, vendor.authenticate, handler, vendor.render_error,
                runtime.checks.for_route(vendor.name, operation, contract))


def vendor_route(runtime: Runtime, vendor: Vendor, operation: str | None, handler: Handler) -> Handler:
    """The handler that runs the plan of one vendor route (see the module docstring)."""
    return serve(runtime, plan(runtime, vendor, operation, handler))


def serve(runtime: Runtime, route: Plan) -> Handler:
    """The one coroutine that runs ``route``'s stages for each request."""
    journal, scenarios, clock = runtime.journal, runtime.scenarios, runtime.clock
    name, operation, authenticate, handler, render, check = (
        route.vendor, route.operation, route.authenticate, route.handle, route.render, route.check)
    perf_counter = time.perf_counter

    async def answer(request: web.Request, exchange: Exchange) -> web.StreamResponse:
        """Stages 2-4: authenticate, handle, render errors."""
        try:
            if authenticate is not None:
                exchange.caller = authenticate(runtime, request, exchange)
            return await handler(request)
        except Exception as exc:  # answer_error re-raises what it must not answer
            return answer_error(render, request, exc)

    async def handle(request: web.Request) -> web.StreamResponse:
        started = perf_counter()
        status = 500
        rule = fault = None
        response: web.StreamResponse | None = None
        exchange = request[EXCHANGE] = Exchange(operation, clock.now())
        try:
            if scenarios.in_force:  # 1: the gate
                gate = exchange.gate = scenarios.open_gate(name, operation, request.headers)
                response = await _through_gate(request, exchange, gate, answer, check, render)
                rule, fault = gate.label, (gate.fault.describe(gate.latency) if gate.fault is not None else None)
            else:
                response = await answer(request, exchange)  # 2-4
                check(request, response)  # 5
            status = response.status
            return response
        except web.HTTPException as exc:  # a 3xx answer (errors are rendered, never raised)
            status = exc.status
            raise
        finally:  # 6
            journal.record(exchange.at, name, operation, exchange.tenant, request.method, request.raw_path, status,
                           perf_counter() - started, rule, fault, exchange.fax_ids, request.raw_headers,
                           exchange.body, response)

    return handle


async def _through_gate(request: web.Request, exchange: Exchange, gate: RequestGate,
                        answer: Callable[[web.Request, Exchange], Awaitable[web.StreamResponse]],
                        check: Check, render: Renderer) -> web.StreamResponse:
    """Stages 2-5 inside the scenario gate: the rules on the request act before them, a
    fault that stops the request skips the rest, and a fault shapes the answer."""
    response: web.StreamResponse | None = None
    try:
        gate.start()
        response = await answer(request, exchange)
        check(request, response)
    except ScriptedFault:
        response = None
    fault = gate.fault
    if fault is None:
        if response is not None:
            return response
        from emulator.core.scenarios.model import FaultAction  # ScriptedFault is raised only with a fault

        fault = gate.fault = FaultAction(status=500)
    return await faults.answer(request, fault, gate.latency, response, render)


def rendering(render: Renderer, handler: Handler) -> Handler:
    """``handler`` with every error it raises answered by ``render`` (see ``answer_error``)."""

    async def rendered(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except Exception as exc:  # answer_error re-raises what it must not answer
            return answer_error(render, request, exc)

    return rendered


async def unrouted(request: web.Request) -> web.StreamResponse:
    """The handler of a path under a prefix (a vendor's, the control API's) that no route
    matches: the router's 404 or 405, for the owner's error rendering to answer."""
    raise request.match_info.http_exception  # type: ignore[attr-defined, misc]


def stray_route(runtime: Runtime) -> Handler:
    """A path outside every vendor and the control API: aiohttp's own 404 or 405, journaled
    with no vendor, so a client aiming at a wrong base URL shows up in the request log."""

    async def stray(request: web.Request) -> web.StreamResponse:
        error = request.match_info.http_exception  # type: ignore[attr-defined]
        runtime.journal.record(runtime.clock.now(), None, None, None, request.method, request.raw_path, error.status,
                               0.0, request_headers=request.raw_headers)
        raise error

    return stray
