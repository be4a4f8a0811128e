"""The control API's scenario calls: ``/_emulator/scenario`` (README "Scenarios").

``?vendor=V&tenant=T`` addresses one tenant's scenario, so parallel tests that use
different credentials never see each other's rules.
"""

from __future__ import annotations

from aiohttp import web

from emulator import keys
from emulator.core.bodies import read_bytes
from emulator.core.errors import Conflict, Invalid
from emulator.core.runtime import Runtime
from emulator.core.scenarios.limits import LIMITS
from emulator.core.scenarios.problems import ScenarioError
from emulator.core.work import WorkFailed, WorkTimeout

SOURCE = "POST /_emulator/scenario"


def _runtime(request: web.Request) -> Runtime:
    return request.app[keys.RUNTIME]


def _place(request: web.Request, runtime: Runtime) -> tuple[str | None, str | None]:
    vendor, tenant = request.query.get("vendor"), request.query.get("tenant")
    if (vendor is None) != (tenant is None):
        raise Invalid("a tenant scenario needs both vendor and tenant", field="tenant" if vendor else "vendor")
    if vendor is not None and vendor not in runtime.vendors:
        raise Invalid(f"unknown vendor {vendor!r}; expected one of {', '.join(runtime.vendors)}", field="vendor")
    if tenant is not None and not tenant:
        raise Invalid("tenant must not be empty", field="tenant")
    return vendor, tenant


def _invalid(exc: ScenarioError) -> Invalid:
    first = exc.problems[0] if exc.problems else None
    message = "the scenario is not valid" + (f": {first}" if first else "")
    return Invalid(message, code="invalid_scenario", detail={"problems": [p.to_json() for p in exc.problems]})


async def show(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    vendor, tenant = _place(request, runtime)
    return web.json_response(runtime.scenarios.to_json(vendor, tenant))


async def replace(request: web.Request) -> web.Response:
    """Put the YAML or JSON body in force, replacing the scenario in the same place."""
    # the reader needs YAML and JSON Schema: imported on the first scenario, not at start-up
    from emulator.core.scenarios.load import load_text

    runtime = _runtime(request)
    vendor, tenant = _place(request, runtime)
    raw = await read_bytes(request, LIMITS.bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("the scenario must be UTF-8 text (YAML or JSON)", code="invalid_scenario") from None
    try:
        # reading a scenario is bounded (limits.py) but may take a second of CPU: in the
        # worker pool (core/work.py, with its time and memory limits), so every other
        # request (a status poll, the health check) is answered meanwhile
        scenario = await runtime.work.run(load_text, text, SOURCE, dict(runtime.vendors))
    except ScenarioError as exc:
        raise _invalid(exc) from exc
    except (WorkTimeout, WorkFailed) as exc:  # past the pool's limits: the scenario's doing (a busy pool is 503)
        raise Invalid(
            f"the scenario could not be read within the worker's limits: {exc.message}", code="invalid_scenario"
        ) from None
    clock = scenario.clock
    mode = clock.get("mode", "real" if "speed" in clock else None)
    if mode is not None and mode != runtime.clock.mode:
        raise Conflict(
            f"this emulator runs the {runtime.clock.mode} clock; the clock is chosen when it starts "
            "(fax-emulator serve --clock / --scenario)",
            field="clock",
        )
    if "speed" in clock and clock["speed"] != runtime.clock.speed:
        raise Conflict(
            f"this emulator runs at speed {runtime.clock.speed:g}; the speed is chosen when it starts", field="clock"
        )
    notes = []
    if "start" in clock:
        notes.append("clock.start applies when serving; ignored here")
    if scenario.steps:
        notes.append("steps are run by 'fax-emulator run'; ignored here")
    try:
        runtime.scenarios.apply(scenario, vendor, tenant)
    except ScenarioError as exc:
        raise _invalid(exc) from exc
    return web.json_response({**runtime.scenarios.to_json(vendor, tenant), "notes": notes})


async def remove(request: web.Request) -> web.Response:
    """Back to the default: without a query every scenario goes (global and per tenant)."""
    runtime = _runtime(request)
    vendor, tenant = _place(request, runtime)
    if vendor is None:
        runtime.scenarios.remove_all()
    else:
        runtime.scenarios.remove(vendor, tenant)
    return web.json_response(runtime.scenarios.to_json(vendor, tenant))
