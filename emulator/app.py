"""build_app(config) -> the aiohttp application: every vendor plus the control API."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterable
from typing import Any

from aiohttp import web

from emulator import keys, ui
from emulator.config import Config
from emulator.control import routes as control
from emulator.core import pipeline
from emulator.core.routing import CaselessRoutes, PrefixOwners, RouteMemory, Routing, VerbTunnels, add_route
from emulator.core.runtime import compose
from emulator.core.vendor import Vendor
from emulator.index import Index

CONTROL_PREFIX = "/_emulator"


async def _clock_context(app: web.Application) -> AsyncIterator[None]:
    """Owns the scheduler loop (real clock), side tasks, the webhook session and the workers."""
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
    await runtime.work.close()


async def _end_streams(app: web.Application) -> None:
    """Before the server waits for its handlers to finish: end every event stream."""
    app[keys.RUNTIME].events.close()


def build_app(config: Config | None = None, vendors: Iterable[Vendor] | None = None) -> web.Application:
    """The whole emulator as one aiohttp application: every vendor's routes at its prefix and
    the control API at ``/_emulator``, each route behind its pipeline (core/pipeline.py)."""
    if vendors is None:
        from emulator.vendors import VENDORS

        vendors = VENDORS
    config = config or Config()
    runtime = compose(config, vendors)
    if config.scenarios:
        from emulator.core.scenarios.load import load_files  # YAML and JSON Schema: only when needed

        runtime.scenarios.apply(load_files(config.scenarios, runtime.vendors))
    app = web.Application(client_max_size=config.max_upload_bytes + 1024 * 1024)
    app[keys.RUNTIME] = runtime
    if config.data is not None:  # before the clock starts: the state is read first
        from emulator.core.persist import Persistence

        kept = Persistence(runtime, config.data)
        runtime.durable = kept.durable
        app.cleanup_ctx.append(kept.context)
    app.cleanup_ctx.append(_clock_context)
    app.on_shutdown.append(_end_streams)
    if config.console is not None:
        from emulator import console

        app.cleanup_ctx.append(console.context(config.console))
    owners: list[tuple[re.Pattern[str], Any]] = []  # (a prefix and what is under it, the handler of its unrouted paths)
    folded: list[tuple[str, Any]] = []  # (path template, route) of the vendors whose paths match in any case
    for vendor in runtime.vendors.values():
        for method, path, handler, name in vendor.routes:
            route = add_route(
                app.router, method, vendor.prefix + path, pipeline.vendor_route(runtime, vendor, name, handler)
            )
            if vendor.case_insensitive_paths:
                folded.append((vendor.prefix + path, route))
        owners.append(
            (
                _under(vendor.prefix, vendor.case_insensitive_paths),
                pipeline.vendor_route(runtime, vendor, None, pipeline.unrouted),
            )
        )
    for method, path, handler, _ in control.ROUTES:
        add_route(app.router, method, CONTROL_PREFIX + path, pipeline.rendering(control.render, handler, runtime))
    owners.append((_under(CONTROL_PREFIX), pipeline.rendering(control.render, pipeline.unrouted)))
    index = Index(runtime.vendors.values(), CONTROL_PREFIX)
    for method, path, serve_ui in ui.routes(index.answer):
        add_route(app.router, method, path, serve_ui)
    tunnels = [(vendor.prefix, vendor.verb_of) for vendor in runtime.vendors.values() if vendor.verb_of is not None]
    Routing(
        memory=RouteMemory(),
        caseless=CaselessRoutes(folded) if folded else None,
        owners=PrefixOwners(owners, stray=pipeline.stray_route(runtime, index.answer)),
        tunnels=VerbTunnels(tunnels) if tunnels else None,
    ).install(app.router)
    return app


def _under(prefix: str, any_case: bool = False) -> re.Pattern[str]:
    """Matches ``prefix`` and the paths under it (in any case, if ``any_case``)."""
    return re.compile(re.escape(prefix) + "(?:/|$)", re.IGNORECASE if any_case else 0)
