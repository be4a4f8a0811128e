"""Routing that remembers: the same request path always leads to the same route.

aiohttp finds a route by walking the path's parts down to an index of resources, then
trying the resources under that prefix one regex at a time, in the order they were added
(through a sub-app, twice). Every vendor route sits under one prefix (Kazoo's forty under
``/v2/accounts/{account_id}``), so a read late in a route table paid ten failed matches
per request. A route table does not change once the app runs, so where a (method,
path) leads is the same every time: ``remember_routes`` keeps it.

Some servers (IIS) match paths with the case of their literal parts ignored: ``caseless``
matches a path the router found no route for against such routes, and the router then
answers it, and remembers it, as if it had been sent in the documented case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractMatchInfo
from aiohttp.web_urldispatcher import AbstractRoute, MatchedSubAppResource, MatchInfoError

#: for a path no route matches: the handler that answers its 404/405 (None: aiohttp's own)
Unrouted = Callable[[str], Any]
#: for a (method, path) the router found no route for: the match it has after all (a route,
#: or a 404/405 of its own), or None
Fallback = Callable[[str, str], AbstractMatchInfo | None]

#: a ``{name}`` or ``{name:regex}`` part of a path template, as aiohttp reads them
_PARAMETER = re.compile(r"\{(?P<name>[_a-zA-Z][_a-zA-Z0-9]*)(?::(?P<regex>[^{}]*(?:\{[^{}]*\}[^{}]*)*))?\}")


class _UnroutedMatch(MatchInfoError):
    """The router's 404/405 (``http_exception`` as aiohttp made it), answered by a handler
    of our own, so the error body is the one of whoever owns the path."""

    def __init__(self, found: MatchInfoError, handler: Any) -> None:
        super().__init__(found.http_exception)
        self._unrouted_handler = handler

    @property
    def handler(self) -> Any:
        return self._unrouted_handler


def caseless(routes: Iterable[tuple[str, AbstractRoute]]) -> Fallback:
    """A fallback (see ``remember_routes``) that matches (path template, route) pairs with
    the case of the template's literal parts ignored; parameters keep their values as sent.

    The first route, in the order given, whose path and method match wins; a path that
    matches only with other methods gets a 405 naming them; any other, None.
    """
    patterns = [(_caseless_pattern(template), route) for template, route in routes]

    def match(method: str, path: str) -> AbstractMatchInfo | None:
        allowed: set[str] = set()
        for pattern, route in patterns:
            found = pattern.fullmatch(path)
            if found is None:
                continue
            if route.method in (method, "*"):
                values = {key: value.replace("%2F", "/").replace("%25", "%")  # as aiohttp unquotes them
                          for key, value in found.groupdict().items()}
                return web.UrlMappingMatchInfo(values, route)
            allowed.add(route.method)
        return MatchInfoError(web.HTTPMethodNotAllowed(method, allowed)) if allowed else None

    return match


def _caseless_pattern(template: str) -> re.Pattern[str]:
    """``template`` as a regex (its parameters read as aiohttp reads them), its literal
    parts matched in any case."""
    pattern, end = "", 0
    for parameter in _PARAMETER.finditer(template):
        pattern += f"(?i:{re.escape(template[end:parameter.start()])})"
        pattern += f"(?P<{parameter['name']}>{parameter['regex'] or '[^{}/]+'})"
        end = parameter.end()
    return re.compile(pattern + f"(?i:{re.escape(template[end:])})")


def remember_routes(router: web.UrlDispatcher, size: int = 4096, unrouted: Unrouted | None = None,
                    fallback: Fallback | None = None) -> None:
    """Make ``router`` remember where each (method, path) it matched led, sub-apps included.

    A (method, path) the router finds no route for is given to ``fallback`` (``caseless``,
    say), whose route is remembered as the router's would be. Paths that match no route
    (404, 405) are not remembered; ``unrouted(path)`` may name the handler that answers
    them. Bounded: the memory is cleared when it holds ``size`` paths. Routers with domain
    sub-apps (``add_domain``), where the Host header matters too, are left as they are.
    """
    if any(isinstance(resource, MatchedSubAppResource) for resource in router.resources()):
        return
    resolve = router.resolve
    known: dict[tuple[str, str], tuple[dict[str, str], Any, tuple[web.Application, ...]]] = {}

    async def remembered(request: web.Request) -> Any:
        key = (request.method, request.rel_url.path_safe)
        found = known.get(key)
        if found is not None:
            match_dict, route, apps = found
            match_info = web.UrlMappingMatchInfo(match_dict, route)  # a copy of the match dict
            for app in reversed(apps):  # the innermost sub-app first, as resolving adds them
                match_info.add_app(app)
            return match_info
        match_info = await resolve(request)
        if match_info.http_exception is not None and fallback is not None:
            fallen_back = fallback(request.method, key[1])
            if fallen_back is not None:  # (not ``or``: a match info is a dict, empty without parameters)
                match_info = fallen_back
        if match_info.http_exception is None:
            if len(known) >= size:
                known.clear()
            known[key] = (dict(match_info), match_info.route, match_info.apps)
        elif unrouted is not None:
            handler = unrouted(request.path)
            if handler is not None:
                return _UnroutedMatch(match_info, handler)
        return match_info

    router.resolve = remembered  # type: ignore[method-assign]
