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
from emulator.core.errors import ScriptedFault
from emulator.core.runtime import Runtime
from emulator.core.scenarios import faults, gate, load_files
from emulator.core.scenarios.model import FaultAction
from emulator.core.vendor import Vendor

CONTROL_PREFIX = "/_emulator"


@web.middleware
async def journal_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Record every vendor request (not the control API's own) in the journal."""
    if request.path.startswith(CONTROL_PREFIX + "/"):
        return await handler(request)
    runtime = request.app[keys.RUNTIME]
    at = runtime.now()
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        vendor = _vendor_of(request)
        route = request.match_info.route
        runtime.journal.record(
            time=at, vendor=vendor.name if vendor is not None else None,
            operation=route.name if route is not None else None,
            tenant=request.get(keys.TENANT), method=request.method, path=request.path,
            query=request.query_string, status=status,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            rule=request.get(keys.RULE), fault=request.get(keys.FAULT), fax_ids=request.get(keys.FAX_IDS, []),
        )


def _vendor_of(request: web.Request) -> Vendor | None:
    return next((app[keys.VENDOR] for app in request.match_info.apps if keys.VENDOR in app), None)


@web.middleware
async def scenario_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Scenario fault rules for vendor requests (see core/scenarios/gate.py for when each is checked)."""
    vendor = _vendor_of(request)
    if vendor is None:
        return await handler(request)
    runtime = request.app[keys.RUNTIME]
    route = request.match_info.route
    request_gate = runtime.scenarios.open_gate(vendor.name, route.name if route is not None else None,
                                               request.headers)
    token = request_gate.enter()
    response: web.StreamResponse | None = None
    try:
        request_gate.start()
        response = await handler(request)
    except ScriptedFault:
        response = None
    finally:
        gate.CURRENT.reset(token)
    if request_gate.label is not None:
        request[keys.RULE] = request_gate.label
    fault = request_gate.fault
    if fault is None and response is not None:
        return response
    fault = fault or FaultAction(status=500)  # ScriptedFault is raised only with a fault
    request[keys.FAULT] = fault.describe(request_gate.latency)
    return await faults.answer(request, fault, request_gate.latency, response, vendor.render_error)


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
        runtime.scenarios.apply(load_files(config.scenarios, runtime.vendors))
    app = web.Application(middlewares=[journal_middleware, scenario_middleware],
                          client_max_size=config.max_upload_bytes + 1024 * 1024)
    app[keys.RUNTIME] = runtime
    app.cleanup_ctx.append(_clock_context)
    for vendor in runtime.vendors.values():
        sub = vendor.build(outer=(runtime.checks.middleware(vendor.name, vendor.contracts),))
        sub[keys.VENDOR] = vendor
        app.add_subapp(vendor.prefix, sub)
    app.add_subapp(CONTROL_PREFIX, build_control())
    return app
