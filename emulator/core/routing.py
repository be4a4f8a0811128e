"""Routing that remembers: the same request path always leads to the same route.

aiohttp finds a route by walking the path's parts down to an index of resources, then
trying the resources under that prefix one regex at a time, in the order they were added
(through a sub-app, twice). Every vendor route sits under one prefix (Kazoo's forty under
``/v2/accounts/{account_id}``), so a read late in a route table paid ten failed matches
per request. A route table does not change once the app runs, so where a (method,
path) leads is the same every time: ``remember_routes`` keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.web_urldispatcher import MatchedSubAppResource, MatchInfoError

#: for a path no route matches: the handler that answers its 404/405 (None: aiohttp's own)
Unrouted = Callable[[str], Any]


class _UnroutedMatch(MatchInfoError):
    """The router's 404/405 (``http_exception`` as aiohttp made it), answered by a handler
    of our own, so the error body is the one of whoever owns the path."""

    def __init__(self, found: MatchInfoError, handler: Any) -> None:
        super().__init__(found.http_exception)
        self._unrouted_handler = handler

    @property
    def handler(self) -> Any:
        return self._unrouted_handler


def remember_routes(router: web.UrlDispatcher, size: int = 4096, unrouted: Unrouted | None = None) -> None:
    """Make ``router`` remember where each (method, path) it matched led, sub-apps included.

    Paths that match no route (404, 405) are not remembered; ``unrouted(path)`` may name
    the handler that answers them. Bounded: the memory is cleared when it holds ``size``
    paths. Routers with domain sub-apps (``add_domain``), where the Host header matters too,
    are left as they are.
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
