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
   the owner's; outside every prefix, by a stray handler, or aiohttp's own.

What it relies on in aiohttp is pinned by tests/core/test_routing.py: the application
resolves each request through ``router.resolve`` looked up on the router instance, a
match's ``handler`` is what runs, and a 404/405 comes as a ``MatchInfoError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from aiohttp import web
from aiohttp.web_urldispatcher import AbstractRoute, MatchedSubAppResource, MatchInfoError

#: a handler that answers a path no route matches (it reads ``request.match_info.http_exception``)
Handler = Callable[[web.Request], Any]

#: what ``RouteMemory`` keeps of a match: its values, route and apps
Remembered = tuple[dict[str, str], Any, tuple[web.Application, ...]]

#: a ``{name}`` or ``{name:regex}`` part of a path template, as aiohttp reads them
_PARAMETER = re.compile(r"\{(?P<name>[_a-zA-Z][_a-zA-Z0-9]*)(?::(?P<regex>[^{}]*(?:\{[^{}]*\}[^{}]*)*))?\}")


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
        self._patterns = [(_caseless_pattern(template), route) for template, route in routes]

    def match(self, method: str, path: str) -> web.UrlMappingMatchInfo | None:
        """The first route, in the order given, whose path and method match; a 405 naming the
        methods of the routes whose path alone matches; else None."""
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


def _caseless_pattern(template: str) -> re.Pattern[str]:
    """``template`` as a regex (its parameters read as aiohttp reads them), its literal
    parts matched in any case."""
    pattern, end = "", 0
    for parameter in _PARAMETER.finditer(template):
        pattern += f"(?i:{re.escape(template[end : parameter.start()])})"
        pattern += f"(?P<{parameter['name']}>{parameter['regex'] or '[^{}/]+'})"
        end = parameter.end()
    return re.compile(pattern + f"(?i:{re.escape(template[end:])})")


class PrefixOwners:
    """Who answers a path no route matches: the first owner whose prefix pattern matches
    it, else ``stray`` (None: aiohttp's own 404/405)."""

    def __init__(self, owners: Sequence[tuple[re.Pattern[str], Handler]] = (), stray: Handler | None = None) -> None:
        self._owners = tuple(owners)
        self._stray = stray

    def handler_for(self, path: str) -> Handler | None:
        return next((handler for prefix, handler in self._owners if prefix.match(path)), self._stray)


class _UnroutedMatch(MatchInfoError):
    """The router's 404/405 (``http_exception`` as aiohttp made it), answered by a handler
    of our own, so the error body is the one of whoever owns the path."""

    def __init__(self, found: MatchInfoError, handler: Handler) -> None:
        super().__init__(found.http_exception)
        self._unrouted_handler = handler

    @property
    def handler(self) -> Handler:  # type: ignore[override]
        return self._unrouted_handler


class Routing:
    """aiohttp's router with the strategies of the module docstring, each optional."""

    def __init__(
        self,
        *,
        memory: RouteMemory | None = None,
        caseless: CaselessRoutes | None = None,
        owners: PrefixOwners | None = None,
    ) -> None:
        self.memory, self.caseless, self.owners = memory, caseless, owners

    def install(self, router: web.UrlDispatcher) -> None:
        """Make ``router`` resolve through these strategies. A router with domain sub-apps
        (``add_domain``), where the Host header matters too, is left as it is."""
        if any(isinstance(resource, MatchedSubAppResource) for resource in router.resources()):
            return
        memory, caseless, owners = self.memory, self.caseless, self.owners
        known = memory.known if memory is not None else {}
        resolve = router.resolve

        async def resolving(request: web.Request) -> web.UrlMappingMatchInfo:
            key = (request.method, request.rel_url.path_safe)
            found = known.get(key)  # ``memory.recall``, inlined: every request asks
            if found is not None:
                match_dict, route, apps = found
                match_info = web.UrlMappingMatchInfo(match_dict, route)
                if apps:  # the innermost sub-app first, as resolving adds them
                    for app in reversed(apps):
                        match_info.add_app(app)
                return match_info
            match_info = await resolve(request)
            if match_info.http_exception is not None and caseless is not None:
                fallen_back = caseless.match(*key)
                if fallen_back is not None:  # (not ``or``: a match info is a dict, empty without parameters)
                    match_info = fallen_back
            if match_info.http_exception is None:
                if memory is not None:
                    memory.keep(key, match_info)
            elif owners is not None and isinstance(match_info, MatchInfoError):
                handler = owners.handler_for(request.path)
                if handler is not None:
                    return _UnroutedMatch(match_info, handler)
            return match_info

        router.resolve = resolving  # type: ignore[method-assign]
