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
   on the ``Exchange``) or refuses; a route whose credential is in its body has that body
   read first (``Vendor.read_first``: CallerIP's send form);
3. **handle**: the vendor's handler;
4. **render errors**: every ``EmulatorError``, routing 404/405 and unexpected exception
   raised by 2 or 3 becomes the vendor's own error body (``Vendor.render_error``);
5. **check**: the request (and, in strict mode, the answer) against the operation's
   contract (``ContractChecker.for_route`` decides, once per route, which answers);
6. **durable** (with ``--data`` only): a request that may change something (any method
   but GET, HEAD and OPTIONS) is answered once what it changed is on disk
   (``Runtime.durable``, core/persist.py);
7. **journal**: the request log's entry.

One handler runs the stages whether a scenario is in force or not: with none, the gate
is None and its checkpoints are skipped.

A path under a vendor's prefix that matches no route takes the same way with no
operation (``unrouted``), so its 404 or 405 is the vendor's, its message naming the
nearest routes (core/routing.py ``RouteHints``). The control API's routes
get only their error rendering (``rendering``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import hdrs, web

from emulator.core.answers import Renderer, answer_error
from emulator.core.contract_checks import Check
from emulator.core.errors import ScriptedFault, for_status
from emulator.core.exchange import EXCHANGE, Exchange
from emulator.core.routing import hint_of
from emulator.core.runtime import Runtime
from emulator.core.vendor import Authenticate, LazyHandler, ReadFirst, Vendor

if TYPE_CHECKING:  # the gate's code is imported with the first scenario (core/scenarios/manager.py)
    from emulator.core.scenarios.gate import RequestGate

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: methods that change nothing: their answers wait for no commit
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(slots=True, repr=False, eq=False)
class Plan:
    """One vendor route's stages, compiled when the app is built (see the module docstring)."""

    vendor: str
    operation: str | None  # the route's name; None for ``unrouted``
    read_first: ReadFirst | None  # 2, first: the body, for a credential in it (``Vendor.read_first``)
    authenticate: Authenticate | None  # 2; None: the vendor has no auth of its own
    handle: Handler  # 3
    render: Renderer  # 4
    check: Check  # 5


def plan(runtime: Runtime, vendor: Vendor, operation: str | None, handler: Handler) -> Plan:
    """The plan of one vendor route: ``operation`` is the route's name (None for ``unrouted``)."""
    contract = vendor.contracts.get(operation) if operation is not None else None
    return Plan(
        vendor.name,
        operation,
        vendor.read_first.get(operation) if operation is not None else None,
        vendor.authenticate,
        handler,
        vendor.render_error,
        runtime.checks.for_route(vendor.name, operation, contract),
    )


def vendor_route(runtime: Runtime, vendor: Vendor, operation: str | None, handler: Handler) -> Handler:
    """The handler that runs the plan of one vendor route (see the module docstring)."""
    return serve(runtime, plan(runtime, vendor, operation, handler))


def serve(runtime: Runtime, route: Plan) -> Handler:
    """The one coroutine that runs ``route``'s stages for each request, with or without a
    scenario in force: the gate's checkpoints and its fault are the only difference."""
    journal, scenarios, clock = runtime.journal, runtime.scenarios, runtime.clock
    name, operation, read_first, authenticate, handler, render, check = (
        route.vendor,
        route.operation,
        route.read_first,
        route.authenticate,
        route.handle,
        route.render,
        route.check,
    )
    perf_counter = time.perf_counter
    durable = runtime.durable

    # TODO(#15, #18 hot reads): the hot reads are under #15's instruction ceilings but, on a
    # quiet machine, not at 0.85 of the bare app's req/s but for CallerIP's (Kazoo 0.70,
    # FAX.PLUS 0.81, Imagicle 0.83, CallerIP 0.90 in `python benchmarks/read_cost.py`). That
    # script shows where the wall time goes: the journal's entry (``journal.record`` below)
    # costs a read three to five times its in-process share, and without it FAX.PLUS and
    # Imagicle read at 0.95-0.97; Kazoo without it and the contract check reads at 0.84-0.85, at
    # the clause's edge. The entry's storage, batching and timing were varied at the wall
    # without a gain beyond noise (README, "Where a hot read's time goes"): it would have to do
    # far fewer steps, not cheaper ones.
    async def handle(request: web.Request) -> web.StreamResponse:
        started = perf_counter()
        status = 500
        response: web.StreamResponse | None = None
        # (into aiohttp's item store itself: ``request[...] =`` is a Python call that checks the
        # key's type; tests/core/test_journal.py pins that ``request[EXCHANGE]`` reads it back)
        exchange = request._state[EXCHANGE] = Exchange(operation, clock.now())
        gate = None  # (the exchange's own is None until a scenario in force opens one)
        if scenarios.in_force:
            gate = exchange.gate = scenarios.open_gate(name, operation, request.headers)
        try:
            stopped = False
            try:
                try:
                    if gate is not None:  # 1: the rules on the request itself act now
                        gate.start()
                    if authenticate is not None:  # 2
                        if read_first is not None:
                            await read_first(runtime, request)
                        exchange.caller = authenticate(runtime, request, exchange)
                    answered = await handler(request)  # 3
                except Exception as exc:  # 4; answer_error re-raises what it must not answer
                    answered = answer_error(render, request, exc)
                check(request, answered)  # 5
            except ScriptedFault:  # a gate's fault stopped the request: it answers below
                if gate is None:
                    raise
                stopped = True
            if gate is not None and (stopped or gate.fault is not None):
                answered = await _faulted(request, gate, None if stopped else answered, render)
            if durable is not None and request.method not in SAFE:  # 6
                try:
                    await durable(request, name, exchange)
                except Exception as exc:
                    answered = answer_error(render, request, exc)
            response = answered
            status = answered.status
            return answered
        except web.HTTPException as exc:  # a 3xx answer (errors are rendered, never raised)
            status = exc.status
            raise
        finally:  # 7
            rule = fault = None
            if gate is not None:
                rule = gate.label
                fault = gate.fault.describe(gate.latency) if gate.fault is not None else None
            # (the method, target and headers from aiohttp's parsed message, as its ``method``,
            # ``raw_path`` and ``raw_headers`` properties give them: their calls cost a read ~700
            # instructions; tests/core/test_journal.py pins them)
            message = request._message
            journal.record(
                exchange.at,
                name,
                operation,
                exchange.tenant,
                message.method,
                message.path,
                status,
                perf_counter() - started,
                rule,
                fault,
                exchange.fax_ids,
                message.raw_headers,
                exchange.body,
                response,
            )

    if isinstance(handler, LazyHandler):  # a handler imported at its first call (Vendor's Handlers)
        named = handler

        async def first_call(request: web.Request) -> web.StreamResponse:
            nonlocal handler
            handler = named.load()  # from now on ``handle`` awaits the handler itself: no indirection
            return await handler(request)

        handler = first_call
    return handle


async def _faulted(
    request: web.Request, gate: RequestGate, response: web.StreamResponse | None, render: Renderer
) -> web.StreamResponse:
    """The answer a gate's fault makes: of ``response``, the handler's answer, or instead of
    it (None: the fault stopped the request before it was answered)."""
    from emulator.core.scenarios import faults

    fault = gate.fault
    if fault is None:  # ScriptedFault is raised only with a fault
        from emulator.core.scenarios.model import FaultAction

        fault = gate.fault = FaultAction(status=500)
    return await faults.answer(request, fault, gate.latency, response, render)


def rendering(render: Renderer, handler: Handler, runtime: Runtime | None = None) -> Handler:
    """``handler`` with every error it raises answered by ``render`` (see ``answer_error``);
    with a ``runtime`` that keeps a data file, a call that may change something is answered
    once its change is on disk."""
    durable = runtime.durable if runtime is not None else None

    async def rendered(request: web.Request) -> web.StreamResponse:
        try:
            answered = await handler(request)
            if durable is not None and request.method not in SAFE:
                await durable(request, None, None)
            return answered
        except Exception as exc:  # answer_error re-raises what it must not answer
            return answer_error(render, request, exc)

    return rendered


async def unrouted(request: web.Request) -> web.StreamResponse:
    """The handler of a path under a prefix (a vendor's, the control API's) that no route
    matches: the router's 404 or 405, for the owner's error rendering to answer, its message
    naming the owner's nearest routes (``routing.hint_of``) where the body shows a message."""
    error = request.match_info.http_exception or web.HTTPNotFound()  # (an unrouted request always has one)
    hint = hint_of(request)
    if hint is None:
        raise error
    allow = error.headers.get(hdrs.ALLOW)
    raise for_status(error.status, f"{error.reason}; {hint}", headers={hdrs.ALLOW: allow} if allow else None)


#: how a stray path is answered: ``answer(request, error)``, error being the router's 404 or 405
StrayAnswer = Callable[[web.Request, web.HTTPException], web.StreamResponse]


def stray_route(runtime: Runtime, answer: StrayAnswer) -> Handler:
    """A path outside every vendor and the control API: the router's 404 or 405, answered by
    ``answer`` and journaled with no vendor, so a client aiming at a wrong base URL shows up
    in the request log."""

    async def stray(request: web.Request) -> web.StreamResponse:
        error = request.match_info.http_exception or web.HTTPNotFound()  # (a stray path always has one)
        response = answer(request, error)
        runtime.journal.record(
            runtime.clock.now(),
            None,
            None,
            None,
            request.method,
            request.raw_path,
            response.status,
            0.0,
            request_headers=request.raw_headers,
        )
        return response

    return stray
