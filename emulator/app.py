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
from emulator.core.runtime import Runtime
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
        vendor = next((app[keys.VENDOR].name for app in request.match_info.apps if keys.VENDOR in app), None)
        route = request.match_info.route
        runtime.journal.record(
            time=at, vendor=vendor, operation=route.name if route is not None else None,
            tenant=request.get(keys.TENANT), method=request.method, path=request.path,
            query=request.query_string, status=status,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            rule=request.get(keys.RULE), fax_ids=request.get(keys.FAX_IDS, []),
        )


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
    app = web.Application(middlewares=[journal_middleware], client_max_size=config.max_upload_bytes + 1024 * 1024)
    app[keys.RUNTIME] = runtime
    app.cleanup_ctx.append(_clock_context)
    for vendor in runtime.vendors.values():
        sub = vendor.build(outer=(runtime.checks.middleware(vendor.name, vendor.contracts),))
        sub[keys.VENDOR] = vendor
        app.add_subapp(vendor.prefix, sub)
    app.add_subapp(CONTROL_PREFIX, build_control())
    return app
