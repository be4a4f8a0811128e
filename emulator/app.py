"""build_app(config) -> the aiohttp application: every vendor plus the control API."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from aiohttp import web

from emulator import keys
from emulator.config import Config
from emulator.control.routes import build_control
from emulator.core.contracts import Contract
from emulator.core.errors import ScriptedFault
from emulator.core.routing import remember_routes
from emulator.core.runtime import Runtime
from emulator.core.scenarios import faults, gate
from emulator.core.vendor import Vendor

CONTROL_PREFIX = "/_emulator"
CONTROL_PATHS = CONTROL_PREFIX + "/"  # requests under it are the control API's, not journaled


#: what the pipeline knows about one vendor route: its vendor, operation name and contract
_Operation = tuple[Vendor, str | None, Contract | None]


def _pipeline(runtime: Runtime, vendors: dict[web.Application, Vendor],
              operations: dict[Any, _Operation]) -> Any:
    """The root middleware every request outside the control API goes through.

    In order: the scenario gate (fault rules; skipped when no scenario is in force), the
    handler behind the vendor's error renderer, the contract checks of the request (and
    of the response, in strict mode), and the journal entry. ``vendors`` maps each vendor
    sub-app to its vendor, ``operations`` each vendor route to its operation (filled in by
    ``build_app``); a path no route matches is still the vendor's if it is under its prefix.
    """
    journal, checks, scenarios, clock = runtime.journal, runtime.checks, runtime.scenarios, runtime.clock

    @web.middleware
    async def vendor_requests(request: web.Request, handler: Any) -> web.StreamResponse:
        match_info = request.match_info
        operation = operations.get(match_info.route)
        if operation is None and request.path.startswith(CONTROL_PATHS):
            return await handler(request)
        if operation is None:  # the router's 404/405, or a path outside every vendor
            vendor = next((vendors[app] for app in match_info.apps if app in vendors), None)
            operation = (vendor, None, None) if vendor is not None else None
        at = clock.now()
        started = time.perf_counter()
        status = 500
        outcome: tuple[str | None, str | None] = (None, None)
        request[keys.FAX_IDS] = []  # a handler that makes faxes replaces it
        try:
            if operation is None:
                response = await handler(request)
            elif scenarios.in_force:
                response, outcome = await _gated(request, handler, operation)
            else:
                response = await handler(request)
                checks.check_request(request, response, operation[0].name, operation[1], operation[2])
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            journal.record(
                at, operation[0].name if operation is not None else None,
                operation[1] if operation is not None else None, request.get(keys.TENANT), request.method,
                request.rel_url, status, time.perf_counter() - started, outcome[0], outcome[1],
                request[keys.FAX_IDS],
            )

    async def _gated(request: web.Request, handler: Any,
                     operation: _Operation) -> tuple[web.StreamResponse, tuple[str | None, str | None]]:
        """Scenario fault rules (see core/scenarios/gate.py for when each is checked); returns
        the answer and, for the journal, the rule that acted and what its fault did."""
        vendor, name, contract = operation
        request_gate = scenarios.open_gate(vendor.name, name, request.headers)
        token = request_gate.enter()
        response: web.StreamResponse | None = None
        try:
            request_gate.start()
            response = await handler(request)
            checks.check_request(request, response, vendor.name, name, contract)
        except ScriptedFault:
            response = None
        finally:
            gate.CURRENT.reset(token)
        rule = request_gate.label
        if rule is not None:
            request[keys.RULE] = rule
        fault = request_gate.fault
        if fault is None and response is not None:
            return response, (rule, None)
        if fault is None:  # ScriptedFault is raised only with a fault
            from emulator.core.scenarios.model import FaultAction

            fault = FaultAction(status=500)
        described = request[keys.FAULT] = fault.describe(request_gate.latency)
        return await faults.answer(request, fault, request_gate.latency, response, vendor.render_error), (
            rule, described)

    return vendor_requests


async def _clock_context(app: web.Application) -> AsyncIterator[None]:
    """Owns the scheduler loop (real clock), side tasks and the webhook session."""
    runtime = app[keys.RUNTIME]
    loop_task = None
    if runtime.clock.mode == "real":
        loop_task = asyncio.create_task(runtime.scheduler.run_forever(), name="fax-emulator clock")
    yield
    if loop_task is not None:
        loop_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop_task
    await runtime.scheduler.close()
    await runtime.dispatcher.close()


def build_app(config: Config | None = None, vendors: Iterable[Vendor] | None = None) -> web.Application:
    """The whole emulator as one aiohttp application."""
    if vendors is None:
        from emulator.vendors import VENDORS

        vendors = VENDORS
    config = config or Config()
    runtime = Runtime(config, vendors)
    if config.scenarios:
        from emulator.core.scenarios.loader import load_files  # YAML and JSON Schema: only when needed

        runtime.scenarios.apply(load_files(config.scenarios, runtime.vendors))
    vendors: dict[web.Application, Vendor] = {}
    operations: dict[Any, _Operation] = {}
    app = web.Application(middlewares=[_pipeline(runtime, vendors, operations)],
                          client_max_size=config.max_upload_bytes + 1024 * 1024)
    app[keys.RUNTIME] = runtime
    app.cleanup_ctx.append(_clock_context)
    for vendor in runtime.vendors.values():
        sub = vendor.build()
        sub[keys.VENDOR] = vendor
        sub[keys.RUNTIME] = runtime  # request.config_dict finds it at the first try
        vendors[sub] = vendor
        for route in sub.router.routes():
            operations[route] = (vendor, route.name, vendor.contracts.get(route.name or ""))
        app.add_subapp(vendor.prefix, sub)
    app.add_subapp(CONTROL_PREFIX, build_control())
    remember_routes(app.router)
    return app
