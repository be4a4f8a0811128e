"""How the app finds the route of a request: aiohttp's router, plus three named strategies.

``Routing`` answers each request in this order:

1. ``RouteMemory``: a route table does not change once the app runs, so where a (method,
   path) led is the same every time, and is remembered. aiohttp finds a route by walking
   the path's parts down to an index of resources, then trying the resources under that
   prefix one regex at a time, in the order they were added: every Kazoo route sits under
   ``/v2/accounts/{account_id}``, so a read late in its table paid ten failed matches.
2. aiohttp's own router (``UrlDispatcher.resolve``).
3. ``CaselessRoutes``: some servers (IIS) match paths with the case of their literal parts
   ignored; a path the router found no route for is matched against such routes, and
   answered, and remembered, as if it had been sent in the documented case.
4. ``PrefixOwners``: a path no route matches (the router's 404 or 405) is answered by the
   handler of whoever owns its prefix (a vendor, the control API), so the error body is
   the owner's; outside every prefix, by a stray handler, or aiohttp's own. Under a
   prefix, ``RouteHints`` names the owner's routes nearest the request ("did you mean
   POST /api/fax/send?"): in the ``X-Emulator-Hint`` header of the owner's answer, and to
   its handler (``hint_of``), which may put it in its body.

Before all of them, ``VerbTunnels``: a server may let a POST ask to be handled as another
method (Crossbar's ``?verb=PUT``); under the prefix of an owner that says so, such a POST
is routed, and remembered, as the method it names. Its handler sees the request as sent
(``request.method`` stays POST); the method it was routed as is its route's.

What it relies on in aiohttp is pinned by tests/core/test_routing.py: the application
resolves each request through ``router.resolve`` looked up on the router instance, a
match's ``handler`` is what runs, and a 404/405 comes as a ``MatchInfoError``; and that a
``LazyPatternResource`` (``add_route``: a path with parameters, its regex compiled at its
first match) keeps the canonical path and pattern of aiohttp's ``DynamicResource``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from aiohttp import HttpVersion11, hdrs, web
from aiohttp.web_urldispatcher import (
    AbstractRoute,
    DynamicResource,
    MatchedSubAppResource,
    MatchInfoError,
    Resource,
    _default_expect_handler,
)

from emulator.core.bodies import as_sent

#: a handler that answers a path no route matches (it reads ``request.match_info.http_exception``)
Handler = Callable[[web.Request], Any]

#: finds the method a POST asks to be routed as (None: POST itself), e.g. ``?verb=PATCH``
VerbOf = Callable[[web.Request], Awaitable[str | None]]

#: what ``RouteMemory`` keeps of a match: its values, route and apps
Remembered = tuple[dict[str, str], Any, tuple[web.Application, ...]]

#: a ``{name}`` or ``{name:regex}`` part of a path template, as aiohttp reads them
_PARAMETER = re.compile(r"\{(?P<name>[_a-zA-Z][_a-zA-Z0-9]*)(?::(?P<regex>[^{}]*(?:\{[^{}]*\}[^{}]*)*))?\}")


async def expect_continue(request: web.Request) -> None:
    """aiohttp's answer to an ``Expect`` header (``100 Continue`` to ``100-continue``, a 417
    to any other expectation), with the 417's text naming the expectation as its bytes came:
    aiohttp's own wrote the header's text, and bytes that are not UTF-8 (which aiohttp reads
    as lone surrogates) made that a 500 (found by a byte probe)."""
    expect = request.headers.get(hdrs.EXPECT, "")
    if request.version == HttpVersion11 and expect.lower() != "100-continue":
        sent = as_sent(expect).decode("utf-8", "backslashreplace")
        raise web.HTTPExpectationFailed(text=f"Unknown Expect: {sent}")
    await _default_expect_handler(request)


def add_route(router: web.UrlDispatcher, method: str, path: str, handler: Handler) -> AbstractRoute:
    """``router.add_route(method, path, handler)``, a path with parameters made a
    ``LazyPatternResource``: the same resource aiohttp would add (a path's routes share
    the last resource added for it, as aiohttp's do), its regex compiled at its first match.
    Its ``Expect`` header is answered by ``expect_continue``."""
    if "{" not in path:
        return router.add_route(method, path, handler, expect_handler=expect_continue)
    last = router._resources[-1] if router._resources else None  # aiohttp's own reuse rule
    if isinstance(last, Resource) and last.name is None and last.raw_match(path):
        return last.add_route(method, handler, expect_handler=expect_continue)
    resource = LazyPatternResource(path)
    router.register_resource(resource)
    return resource.add_route(method, handler, expect_handler=expect_continue)


class LazyPatternResource(DynamicResource):
    """aiohttp's ``DynamicResource`` for a path with parameters, its regex compiled at its
    first match instead of when the app is built: the 51 of the vendors' routes were a
    tenth of the emulator's own start-up, and ``RouteMemory`` answers most requests
    without them. Its canonical path (the router's index key) is aiohttp's, and its
    pattern is aiohttp's own, made by ``DynamicResource`` when first needed."""

    def __init__(self, path: str) -> None:
        Resource.__init__(self)  # not DynamicResource's: it compiles the regex
        self._orig_path = path
        self._formatter = _PARAMETER.sub(lambda parameter: "{" + parameter["name"] + "}", path)
        self._compiled: re.Pattern[str] | None = None

    @property
    def _pattern(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = DynamicResource(self._orig_path)._pattern
        return self._compiled

    @_pattern.setter
    def _pattern(self, pattern: re.Pattern[str]) -> None:  # add_prefix (a sub-app's routes)
        self._compiled = pattern


class RouteMemory:
    """Where each (method, path) led: its match values, route and apps. Bounded: emptied
    when it holds ``size`` paths. Paths that match no route (404, 405) are not kept."""

    def __init__(self, size: int = 4096) -> None:
        if size < 1:
            raise ValueError("a route memory holds at least one path")
        self.size = size
        #: (method, path) -> (match values, route, apps); ``Routing`` reads it inline (the hot path)
        self.known: dict[tuple[str, str], Remembered] = {}

    def keep(self, key: tuple[str, str], match_info: web.UrlMappingMatchInfo) -> None:
        known = self.known
        if len(known) >= self.size:
            known.clear()
        known[key] = (dict(match_info), match_info.route, match_info.apps)


class CaselessRoutes:
    """(path template, route) pairs matched with the case of the templates' literal parts
    ignored; parameters keep their values as sent."""

    def __init__(self, routes: Iterable[tuple[str, AbstractRoute]]) -> None:
        self._routes = list(routes)
        #: compiled at the first path that no route matched as spelt (start-up compiles none)
        self._patterns: list[tuple[re.Pattern[str], AbstractRoute]] | None = None

    def match(self, method: str, path: str) -> web.UrlMappingMatchInfo | None:
        """The first route, in the order given, whose path and method match; a 405 naming the
        methods of the routes whose path alone matches; else None."""
        if self._patterns is None:
            self._patterns = [(_template_pattern(template, any_case=True), route) for template, route in self._routes]
        allowed: set[str] = set()
        for pattern, route in self._patterns:
            found = pattern.fullmatch(path)
            if found is None:
                continue
            if route.method in (method, "*"):
                values = {
                    key: value.replace("%2F", "/").replace("%25", "%")  # as aiohttp unquotes them
                    for key, value in found.groupdict().items()
                }
                return web.UrlMappingMatchInfo(values, route)
            allowed.add(route.method)
        return MatchInfoError(web.HTTPMethodNotAllowed(method, allowed)) if allowed else None


def _template_pattern(template: str, any_case: bool) -> re.Pattern[str]:
    """``template`` as a regex (its parameters read as aiohttp reads them), its literal
    parts matched in any case if ``any_case``."""
    literal = "(?i:{})" if any_case else "{}"
    pattern, end = "", 0
    for parameter in _PARAMETER.finditer(template):
        pattern += literal.format(re.escape(template[end : parameter.start()]))
        pattern += f"(?P<{parameter['name']}>{parameter['regex'] or '[^{}/]+'})"
        end = parameter.end()
    return re.compile(pattern + literal.format(re.escape(template[end:])))


#: the header of an owner's answer to a path no route matches that names the nearest routes
HINT_HEADER = "X-Emulator-Hint"


class RouteHints:
    """The routes nearest a (method, path) that no route matches, for a "did you mean" hint.

    A route's distance from the request is the sum, over the parts of the path (between
    slashes, in place), of 0 where the route's part is the request's, ``PARAMETER`` where
    a parameter of the route's part (``{fax_id}``, ``{number:[0-9]+}.png``) takes it,
    1 - ``difflib``'s similarity of the two where a literal differs, and 1 for a part only
    one of them has; plus ``METHOD`` if the method differs (a 405's routes come first). The nearest route is named, and
    up to two more within ``SPREAD`` of it, the nearest first (among equals, in the order
    the routes were added). Routes of a server that ignores the case of paths are compared
    in one case. A route is named as its template reads, a parameter by its name alone
    (``{folder}``).
    """

    #: the most routes named; how much farther than the nearest another may be to be named;
    #: what a different method costs, and a part a parameter takes; how many parts of a path, and how many characters of
    #: a part, are compared (difflib takes time in the product of two parts' lengths)
    COUNT, SPREAD, METHOD, PARAMETER, PARTS, PART = 3, 0.35, 0.2, 0.1, 32, 64

    def __init__(self, routes: Iterable[tuple[str, str]], *, any_case: bool = False) -> None:
        self._any_case = any_case
        self._routes = [
            (method, _named(template), [_template_pattern(part, any_case) for part in template.split("/")])
            for method, template in dict.fromkeys(routes)
            if method not in ("HEAD", "*")
        ]

    def nearest(self, method: str, path: str) -> list[str]:
        """``"METHOD /template"`` of the nearest routes, the nearest first (none if there are no routes)."""
        asked = [part[: self.PART] for part in path.split("/")[: self.PARTS]]
        if self._any_case:
            asked = [part.casefold() for part in asked]
        scored = sorted(
            (
                (self.METHOD if route_method != method else 0.0) + self._distance(asked, named, patterns),
                f"{route_method} {named}",
            )
            for route_method, named, patterns in self._routes
        )
        if not scored:
            return []
        best = scored[0][0]
        return [name for distance, name in scored[: self.COUNT] if distance <= best + self.SPREAD]

    def _distance(self, asked: list[str], named: str, patterns: list[re.Pattern[str]]) -> float:
        literals = named.casefold().split("/") if self._any_case else named.split("/")
        distance = float(abs(len(asked) - len(patterns)))
        for part, pattern, literal in zip(asked, patterns, literals, strict=False):
            if part == literal:
                continue
            if pattern.fullmatch(part):  # a parameter took it: near, yet farther than the same literal
                distance += self.PARAMETER
            else:
                import difflib  # a hint's alone (a 404): not imported at start-up

                distance += 1 - difflib.SequenceMatcher(None, part, literal).ratio()
        return distance

    def hint(self, method: str, path: str) -> str | None:
        """``"did you mean POST /api/fax/send?"`` (or two or three routes), None if there are no routes."""
        names = self.nearest(method, path)
        if not names:
            return None
        return "did you mean " + (names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}") + "?"


def _named(template: str) -> str:
    """``template`` with each parameter by its name alone: ``{folder:outbox|inbox}`` -> ``{folder}``."""
    return _PARAMETER.sub(lambda parameter: "{" + parameter["name"] + "}", template)


class PrefixOwners:
    """Who answers a path no route matches: the first owner whose prefix pattern matches
    it, else ``stray`` (None: aiohttp's own 404/405). An owner's routes (those of the
    router under its prefix, read on first need) give its ``RouteHints``."""

    def __init__(self, owners: Sequence[tuple[re.Pattern[str], Handler]] = (), stray: Handler | None = None) -> None:
        self._owners = tuple((prefix, _hinting(handler)) for prefix, handler in owners)
        self._stray = stray
        self._hints: dict[re.Pattern[str], RouteHints] = {}

    def answer(self, found: MatchInfoError, request: web.Request, router: web.UrlDispatcher) -> MatchInfoError:
        """The router's 404/405 for ``request``, answered by the owner of its path (with the
        nearest of the owner's routes), or by ``stray``; ``found`` itself if there is neither."""
        path = request.path
        for prefix, handler in self._owners:
            if prefix.match(path):
                hints = self._hints.get(prefix)
                if hints is None:
                    hints = self._hints[prefix] = RouteHints(
                        (
                            (route.method, route.resource.canonical)
                            for route in router.routes()
                            if route.resource is not None and prefix.match(route.resource.canonical)
                        ),
                        any_case=bool(prefix.flags & re.IGNORECASE),
                    )
                return _UnroutedMatch(found, handler, hints.hint(request.method, path))
        return _UnroutedMatch(found, self._stray, None) if self._stray is not None else found


def hint_of(request: web.Request) -> str | None:
    """The "did you mean" hint of a request no route matched, under an owner's prefix (else None)."""
    return getattr(request.match_info, "hint", None)


def _hinting(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """``handler`` with the request's hint, if any, in the ``X-Emulator-Hint`` header of its
    answer: every owner's, whatever its body has room for."""

    async def hinted(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        hint = hint_of(request)
        if hint is not None:
            response.headers[HINT_HEADER] = hint
        return response

    return hinted


class VerbTunnels:
    """Prefixes under which a POST may name the method it is to be routed as: each with
    its owner's ``VerbOf``, which finds that method in the request (in the owner's way)."""

    def __init__(self, owners: Sequence[tuple[str, VerbOf]]) -> None:
        self._owners = tuple((prefix.rstrip("/"), verb_of) for prefix, verb_of in owners)

    async def method_of(self, request: web.Request) -> str:
        """The method ``request`` (a POST) is routed as: the one it names under a tunnelling
        prefix, in upper case, else POST."""
        path = request.path
        for prefix, verb_of in self._owners:
            if path == prefix or path.startswith(prefix + "/"):
                named = await verb_of(request)
                return "POST" if named is None else named.upper()
        return "POST"


class _UnroutedMatch(MatchInfoError):
    """The router's 404/405 (``http_exception`` as aiohttp made it), answered by a handler
    of our own, so the error body is the one of whoever owns the path; ``hint`` names the
    owner's nearest routes."""

    def __init__(self, found: MatchInfoError, handler: Handler, hint: str | None) -> None:
        super().__init__(found.http_exception)
        self._unrouted_handler = handler
        self.hint = hint

    @property
    def handler(self) -> Handler:
        return self._unrouted_handler

    @property
    def expect_handler(self) -> Callable[[web.Request], Awaitable[None]]:
        return expect_continue


class Routing:
    """aiohttp's router with the strategies of the module docstring, each optional."""

    def __init__(
        self,
        *,
        memory: RouteMemory | None = None,
        caseless: CaselessRoutes | None = None,
        owners: PrefixOwners | None = None,
        tunnels: VerbTunnels | None = None,
    ) -> None:
        self.memory, self.caseless, self.owners, self.tunnels = memory, caseless, owners, tunnels

    def install(self, router: web.UrlDispatcher) -> None:
        """Make ``router`` resolve through these strategies. A router with domain sub-apps
        (``add_domain``), where the Host header matters too, is left as it is."""
        if any(isinstance(resource, MatchedSubAppResource) for resource in router.resources()):
            return
        memory, caseless, owners, tunnels = self.memory, self.caseless, self.owners, self.tunnels
        known = memory.known if memory is not None else {}
        resolve = router.resolve

        async def resolving(request: web.Request) -> web.UrlMappingMatchInfo:
            method = request.method
            if method == "POST" and tunnels is not None:
                method = await tunnels.method_of(request)
            key = (method, request.rel_url.path_safe)
            found = known.get(key)  # ``memory.recall``, inlined: every request asks
            if found is not None:
                match_dict, route, apps = found
                match_info = web.UrlMappingMatchInfo(match_dict, route)
                if apps:  # the innermost sub-app first, as resolving adds them
                    for app in reversed(apps):
                        match_info.add_app(app)
                return match_info
            match_info = await resolve(request if method == request.method else request.clone(method=method))
            if match_info.http_exception is not None and caseless is not None:
                fallen_back = caseless.match(*key)
                if fallen_back is not None:  # (not ``or``: a match info is a dict, empty without parameters)
                    match_info = fallen_back
            if match_info.http_exception is None:
                if memory is not None:
                    memory.keep(key, match_info)
            elif owners is not None and isinstance(match_info, MatchInfoError):
                return owners.answer(match_info, request, router)
            return match_info

        router.resolve = resolving  # type: ignore[method-assign]
