"""load_scenario: what it sends, and a clear error where the emulator has no scenario API.

These run against a stand-in control app rendered exactly like the real one (the real
``POST /_emulator/scenario`` belongs to the scenarios feature). The client is synchronous,
so it runs in a worker thread while this test's loop serves the stand-in.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from emulator.control.routes import render
from emulator.core.errors import NotFound
from emulator.core.pipeline import rendering, unrouted
from emulator.core.routing import PrefixOwners, Routing
from emulator.testing import ControlClient, ControlError, ScenarioUnavailable


async def serve_control(aiohttp_server, *routes) -> ControlClient:
    control = web.Application()
    for method, handler in routes:
        control.router.add_route(method, "/_emulator/scenario", rendering(render, handler))
    Routing(owners=PrefixOwners(stray=rendering(render, unrouted))).install(control.router)
    server = await aiohttp_server(control)
    return ControlClient(str(server.make_url("")))


async def test_no_scenario_api_gives_a_clear_error(aiohttp_server):
    client = await serve_control(aiohttp_server)
    with pytest.raises(ScenarioUnavailable, match=r"cannot load scenarios at run time .*answered 404.*--scenario"):
        await asyncio.to_thread(client.load_scenario, {"name": "busy"})
    with pytest.raises(ScenarioUnavailable):
        await asyncio.to_thread(client.clear_scenario)


async def test_dicts_go_as_json_and_files_as_yaml(aiohttp_server, tmp_path):
    seen = []

    async def load(request: web.Request) -> web.Response:
        seen.append((request.content_type, await request.text()))
        return web.json_response({"loaded": True})

    client = await serve_control(aiohttp_server, ("POST", load))
    path = tmp_path / "busy.yaml"
    path.write_text("name: busy\nrules: []\n")
    assert await asyncio.to_thread(client.load_scenario, {"name": "busy"}) == {"loaded": True}
    assert await asyncio.to_thread(client.load_scenario, path) == {"loaded": True}
    assert await asyncio.to_thread(client.load_scenario, str(path)) == {"loaded": True}
    assert seen == [
        ("application/json", '{"name": "busy"}'),
        ("application/yaml", "name: busy\nrules: []\n"),
        ("application/yaml", "name: busy\nrules: []\n"),
    ]


async def test_other_errors_of_the_scenario_api_pass_through(aiohttp_server):
    async def refuse(request: web.Request) -> web.Response:
        raise NotFound("no scenario for tenant 't1'")

    client = await serve_control(aiohttp_server, ("POST", refuse), ("DELETE", refuse))
    with pytest.raises(ControlError) as caught:
        await asyncio.to_thread(client.clear_scenario)
    assert not isinstance(caught.value, ScenarioUnavailable)
    assert caught.value.message == "no scenario for tenant 't1'"
