"""The web UI: static files (plain JavaScript modules and CSS, no build step) served at
``/`` and ``/ui/...``; everything it shows it reads from the control API (docs/architecture.md)."""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from emulator.index import wants_json_only

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PREFIX = "/ui"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".html": "text/html"}


def _assets() -> dict[str, tuple[bytes, str]]:
    """Every file under ``static/``, by its path there, with its content type."""
    from importlib import resources  # at the first file asked for, as the files are read then

    found: dict[str, tuple[bytes, str]] = {}

    def walk(folder: Traversable, prefix: str) -> None:
        for item in folder.iterdir():
            name = prefix + item.name
            if item.is_dir():
                walk(item, name + "/")
            elif not item.name.startswith("."):
                suffix = "." + item.name.rpartition(".")[2]
                kind = _TYPES.get(suffix) or mimetypes.guess_type(item.name)[0] or "application/octet-stream"
                found[name] = (item.read_bytes(), kind)

    walk(resources.files(__name__) / "static", "")
    return found


#: ``index(request, error)``: the emulator's index (emulator/index.py), under ``error``'s status if given
Index = Callable[[web.Request, web.HTTPException | None], web.StreamResponse]


def routes(index: Index) -> list[tuple[str, str, Handler]]:
    """(method, path, handler) of the UI: the page at ``/`` and its files under ``/ui/``.

    The files (a few dozen KiB) are read once, on the first request for one (not at start-up),
    and answered from memory with ``Cache-Control: no-cache`` (a browser revalidates, so a
    new version shows). A file that is not there is answered by ``index`` (a 404), and so is
    ``/`` for a client that asks for JSON only (a 200).
    """
    assets: dict[str, tuple[bytes, str]] = {}

    def answer(request: web.Request, name: str) -> web.StreamResponse:
        if not assets:
            assets.update(_assets())
        if name not in assets:
            return index(request, web.HTTPNotFound())
        body, kind = assets[name]
        charset = "utf-8" if kind.startswith("text/") or kind.endswith("javascript") else None
        return web.Response(body=body, content_type=kind, charset=charset, headers={"Cache-Control": "no-cache"})

    async def page(request: web.Request) -> web.StreamResponse:
        if wants_json_only(request):
            return index(request, None)
        return answer(request, "index.html")

    async def asset(request: web.Request) -> web.StreamResponse:
        return answer(request, request.match_info["name"])

    return [("GET", "/", page), ("GET", PREFIX + "/{name:.+}", asset)]
