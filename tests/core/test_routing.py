"""Routing (core/routing.py): a route table remembers where each (method, path) led, and answers exactly as before;
caseless routes also match their literal parts in any case; a POST under a tunnelling prefix is routed as the method
it names."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp import web

from emulator.core.bodies import peek, read_bytes, read_parts
from emulator.core.routing import CaselessRoutes, RouteMemory, Routing, VerbTunnels


def _app(size: int) -> web.Application:
    async def show(request: web.Request) -> web.Response:
        return web.json_response({"route": request.match_info.route.name, **request.match_info})

    app = web.Application()
    app.router.add_route("PUT", "/items", show, name="create")
    app.router.add_route("GET", "/items/special", show, name="special")
    app.router.add_route("GET", "/items/{item_id}", show, name="get")
    app.router.add_route("DELETE", "/items/{item_id}", show, name="delete")
    app.router.add_route("GET", "/items/{item_id}/{part:doc|cover}", show, name="part")
    Routing(memory=RouteMemory(size)).install(app.router)
    return app


async def test_repeated_and_interleaved_paths_reach_their_own_routes(aiohttp_client):
    client = await aiohttp_client(_app(size=3))
    expected = {
        ("GET", "/items/a"): {"route": "get", "item_id": "a"},
        ("GET", "/items/b%20c"): {"route": "get", "item_id": "b c"},
        ("DELETE", "/items/a"): {"route": "delete", "item_id": "a"},
        ("GET", "/items/special"): {"route": "special"},
        ("GET", "/items/a/cover"): {"route": "part", "item_id": "a", "part": "cover"},
        ("PUT", "/items"): {"route": "create"},
    }
    for _ in range(3):  # more paths than the memory holds: it is cleared and refilled
        for (method, path), body in expected.items():
            response = await client.request(method, path)
            assert response.status == 200
            assert await response.json() == body


async def test_a_handler_cannot_change_what_the_next_request_is_matched_to(aiohttp_client):
    async def meddle(request: web.Request) -> web.Response:
        request.match_info["item_id"] = "changed"  # match info is per request
        return web.Response(text="ok")

    async def show(request: web.Request) -> web.Response:
        return web.Response(text=request.match_info["item_id"])

    app = web.Application()
    app.router.add_route("POST", "/items/{item_id}", meddle, name="meddle")
    app.router.add_route("GET", "/items/{item_id}", show, name="get")
    Routing(memory=RouteMemory()).install(app.router)
    client = await aiohttp_client(app)
    assert (await client.post("/items/x")).status == 200
    assert (await client.post("/items/x")).status == 200  # the second one was remembered
    assert await (await client.get("/items/x")).text() == "x"


async def test_unmatched_paths_keep_their_404_and_405(aiohttp_client):
    client = await aiohttp_client(_app(size=8))
    for _ in range(2):
        assert (await client.get("/nothing")).status == 404
        response = await client.post("/items/a")
        assert response.status == 405
        assert set(response.headers["Allow"].split(",")) == {"GET", "DELETE"}
        assert (await client.get("/items/a/other")).status == 404


async def test_a_remembered_path_into_a_sub_app_runs_its_middlewares_with_its_app(aiohttp_client):
    name = web.AppKey("name", str)

    @web.middleware
    async def tag(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # the router's 404, answered by this sub-app
            response = web.Response(status=exc.status)
        response.headers["X-Seen-By"] = request.app[name]
        return response

    async def show(request: web.Request) -> web.Response:
        apps = [app[name] for app in request.match_info.apps]
        return web.json_response({"app": request.app[name], "apps": apps, **request.match_info})

    sub = web.Application(middlewares=[tag])
    sub[name] = "sub"
    sub.router.add_route("GET", "/items/{item_id}", show, name="get")
    root = web.Application()
    root[name] = "root"
    root.add_subapp("/api", sub)
    Routing(memory=RouteMemory()).install(root.router)
    client = await aiohttp_client(root)
    for item in ("a", "b", "a"):
        response = await client.get(f"/api/items/{item}")
        assert response.headers["X-Seen-By"] == "sub"
        assert await response.json() == {"app": "sub", "apps": ["root", "sub"], "item_id": item}
    missing = await client.get("/api/nothing")
    assert missing.status == 404 and missing.headers["X-Seen-By"] == "sub"  # the sub-app's 404


def _caseless_app(calls: list[tuple[str, str]]) -> web.Application:
    """/Items routes matched in any case, /Other ones only as written; ``calls`` logs the fallback."""

    async def show(request: web.Request) -> web.Response:
        return web.json_response({"route": request.match_info.route.name, **request.match_info})

    app = web.Application()
    folded = [
        (path, app.router.add_route(method, path, show, name=name))
        for method, path, name in (
            ("PUT", "/Items", "create"),
            ("GET", "/Items/Special", "special"),
            ("GET", "/Items/{item_id}", "get"),
            ("DELETE", "/Items/{item_id}", "delete"),
            ("GET", "/Items/{item_id}/{part:doc|cover}", "part"),
        )
    ]
    app.router.add_route("GET", "/Other/{item_id}", show, name="other")
    caseless = CaselessRoutes(folded)
    match = caseless.match

    def logged(method: str, path: str) -> Any:
        calls.append((method, path))
        return match(method, path)

    caseless.match = logged  # type: ignore[method-assign]
    Routing(memory=RouteMemory(), caseless=caseless).install(app.router)
    return app


async def test_caseless_routes_match_their_literal_parts_in_any_case(aiohttp_client):
    calls: list[tuple[str, str]] = []
    client = await aiohttp_client(_caseless_app(calls))
    expected = {
        ("PUT", "/items"): {"route": "create"},
        ("GET", "/ITEMS/special"): {"route": "special"},
        ("GET", "/iTeMs/AbC"): {"route": "get", "item_id": "AbC"},
        ("GET", "/items/b%20C"): {"route": "get", "item_id": "b C"},
        ("DELETE", "/ITEMS/AbC"): {"route": "delete", "item_id": "AbC"},
        ("GET", "/items/AbC/cover"): {"route": "part", "item_id": "AbC", "part": "cover"},
        ("GET", "/Items/AbC"): {"route": "get", "item_id": "AbC"},  # as written: the router's own match
    }
    for _ in range(2):
        for (method, path), body in expected.items():
            response = await client.request(method, path)
            assert response.status == 200, (method, path)
            assert await response.json() == body
    assert len(calls) == len(expected) - 1  # once per folded path: then remembered


async def test_caseless_keeps_404_405_and_the_case_of_parameter_patterns(aiohttp_client):
    client = await aiohttp_client(_caseless_app([]))
    assert (await client.get("/items/AbC/DOC")).status == 404  # {part:doc|cover} is a value: its case counts
    assert (await client.get("/items/AbC/other")).status == 404
    assert (await client.get("/other/x")).status == 404  # not a caseless route
    assert (await client.get("/Other/x")).status == 200
    for _ in range(2):
        response = await client.post("/ITEMS/AbC")
        assert response.status == 405
        assert set(response.headers["Allow"].split(",")) == {"GET", "DELETE"}
        response = await client.get("/items")
        assert response.status == 405 and response.headers["Allow"] == "PUT"


# -- what core/routing.py relies on in aiohttp: if one of these fails, an aiohttp upgrade
# -- changed it, and Routing must be looked at again ----------------------------------


async def test_aiohttp_resolves_each_request_through_the_routers_resolve_looked_up_on_the_instance(aiohttp_client):
    seen: list[str] = []
    app = web.Application()

    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/x", ok)
    resolve = app.router.resolve

    async def spying(request: web.Request) -> Any:
        seen.append(request.path)
        return await resolve(request)

    app.router.resolve = spying  # type: ignore[method-assign]
    client = await aiohttp_client(app)
    assert (await client.get("/x")).status == 200
    assert (await client.get("/y")).status == 404
    assert seen == ["/x", "/y"]


async def test_aiohttp_answers_no_route_with_a_match_info_error_and_runs_its_handler(aiohttp_client):
    from aiohttp.web_urldispatcher import MatchInfoError

    from emulator.core.routing import PrefixOwners

    app = web.Application()

    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/items/{item_id}", ok)
    errors: list[tuple[int, str]] = []
    resolve = app.router.resolve

    async def recording(request: web.Request) -> Any:
        found = await resolve(request)
        if found.http_exception is not None:
            assert isinstance(found, MatchInfoError)
            errors.append((found.http_exception.status, found.http_exception.headers.get("Allow", "")))
        return found

    app.router.resolve = recording  # type: ignore[method-assign]

    async def owner(request: web.Request) -> web.Response:  # the handler a MatchInfoError's ``handler`` names
        return web.Response(status=299, text=str(request.match_info.http_exception.status))  # type: ignore[attr-defined]

    Routing(owners=PrefixOwners(stray=owner)).install(app.router)
    client = await aiohttp_client(app)
    response = await client.post("/items/a")
    assert (response.status, await response.text()) == (299, "405")
    response = await client.get("/nothing")
    assert (response.status, await response.text()) == (299, "404")
    assert errors == [(405, "GET,HEAD"), (404, "")]


async def test_a_post_under_a_tunnelling_prefix_is_routed_as_the_method_it_names(aiohttp_client):
    async def named(request: web.Request) -> str | None:
        body = await peek(request)
        return request.query.get("verb") or (body.decode() if body else None)

    async def show(request: web.Request) -> web.Response:
        body = await read_bytes(request)  # a body peeked to route it reads the same
        route = request.match_info.route
        return web.json_response({"route": route.name, "sent": request.method, "body": body.decode()})

    app = web.Application()
    app.router.add_route("PATCH", "/api/items/{item_id}", show, name="patch")
    app.router.add_route("POST", "/api/items/{item_id}", show, name="post")
    app.router.add_route("POST", "/other/items/{item_id}", show, name="other")
    Routing(memory=RouteMemory(), tunnels=VerbTunnels([("/api", named)])).install(app.router)
    client = await aiohttp_client(app)
    for _ in range(2):  # the second time from the memory, under the method it named
        response = await client.post("/api/items/a?verb=patch", data=b"x")
        assert await response.json() == {"route": "patch", "sent": "POST", "body": "x"}
        response = await client.post("/api/items/a", data=b"PATCH")
        assert await response.json() == {"route": "patch", "sent": "POST", "body": "PATCH"}
        assert (await (await client.post("/api/items/a", data=b"")).json())["route"] == "post"
        assert (await (await client.post("/other/items/a?verb=PATCH")).json())["route"] == "other"
        response = await client.post("/api/items/a?verb=DELETE")
        assert response.status == 405 and set(response.headers["Allow"].split(",")) == {"PATCH", "POST"}
    assert (await client.patch("/api/items/a", data=b"y")).status == 200  # a real PATCH finds the same route


async def test_a_body_is_peeked_only_when_it_can_be_read_before_routing(aiohttp_client):
    seen: list[bytes | None] = []

    async def named(request: web.Request) -> str | None:
        seen.append(await peek(request, limit=8))
        return None

    async def show(request: web.Request) -> web.Response:
        if request.content_type.startswith("multipart/"):
            return web.Response(text=str(len(await read_parts(request, 1024))))
        return web.Response(text=(await read_bytes(request)).decode())

    app = web.Application()
    app.router.add_route("POST", "/api/items", show)
    Routing(tunnels=VerbTunnels([("/api", named)])).install(app.router)
    client = await aiohttp_client(app)
    assert await (await client.post("/api/items", data=b"12345678")).text() == "12345678"
    assert await (await client.post("/api/items", data=b"123456789")).text() == "123456789"  # over: not peeked
    form = aiohttp.FormData()
    form.add_field("file", b"abc", filename="a.txt")
    assert await (await client.post("/api/items", data=form)).text() == "1"  # multipart: streamed, not peeked
    waits = await client.post("/api/items", data=b"1", headers={"Expect": "100-continue"})
    assert await waits.text() == "1"  # the client waits for 100 Continue, which comes after routing
    assert seen == [b"12345678", None, None, None]


def test_the_apps_parameterised_routes_compile_their_patterns_at_first_match_as_aiohttp_would():
    from aiohttp.web_urldispatcher import DynamicResource

    from emulator.app import build_app
    from emulator.config import Config
    from emulator.core.routing import LazyPatternResource

    router = build_app(Config(clock="manual")).router
    lazy = [resource for resource in router.resources() if isinstance(resource, DynamicResource)]
    assert lazy and all(isinstance(resource, LazyPatternResource) for resource in lazy)
    assert all(resource._compiled is None for resource in lazy)  # none compiled by building the app
    paths = [resource.canonical for resource in lazy]
    assert len(paths) == len(set(paths))  # a path's routes share one resource, as aiohttp's do
    for resource in lazy:
        own = DynamicResource(resource._orig_path)
        assert (resource.canonical, resource.get_info()) == (own.canonical, own.get_info())
        assert router._get_resource_index_key(resource) == router._get_resource_index_key(own)
        assert sorted(resource._allowed_methods) == sorted({route.method for route in resource})


async def test_a_lazy_resource_routes_like_aiohttps_own(aiohttp_client):
    from emulator.core.routing import add_route

    async def show(request: web.Request) -> web.Response:
        return web.json_response({"method": request.method, **request.match_info})

    app = web.Application()
    add_route(app.router, "GET", "/items/{item_id}", show)
    add_route(app.router, "DELETE", "/items/{item_id}", show)
    add_route(app.router, "GET", "/items/{item_id}/{part:doc|cover}", show)
    client = await aiohttp_client(app)
    assert await (await client.get("/items/b%20c")).json() == {"method": "GET", "item_id": "b c"}
    assert await (await client.delete("/items/a")).json() == {"method": "DELETE", "item_id": "a"}
    assert await (await client.get("/items/a/cover")).json() == {"method": "GET", "item_id": "a", "part": "cover"}
    assert (await client.get("/items/a/back")).status == 404
    assert (await client.put("/items/a")).status == 405


async def _raw(client: Any, head: bytes) -> bytes:
    import asyncio

    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(head + b"Host: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    answer = await reader.read()
    writer.close()
    return answer


@pytest.mark.parametrize(
    "path", [b"/api/fax/status", b"/v3/accounts/self", b"/v3/no-such-route", b"/_emulator/health", b"/nowhere"]
)
async def test_an_expect_header_whose_bytes_are_not_utf8_is_a_417_not_a_500(client, path):
    """aiohttp reads a header's bytes that are not UTF-8 as lone surrogates, and its own
    answer to an unknown ``Expect`` wrote them in its text: a 500 (found by a byte probe).
    On a route, on an owner's unrouted path and outside every prefix, it is the 417 of any
    other unknown expectation, naming it as its bytes came."""
    answer = await _raw(client, b"GET " + path + b" HTTP/1.1\r\nExpect: 1\xff\xfe\r\n")
    assert answer.startswith(b"HTTP/1.1 417 "), answer[:300]
    assert answer.endswith(b"Unknown Expect: 1\\xff\\xfe")
    assert (await _raw(client, b"GET " + path + b" HTTP/1.1\r\nExpect: nothing\r\n")).startswith(b"HTTP/1.1 417 ")
