"""The emulator's index: what a client that is lost is told.

A path outside every vendor's prefix, the control API's and the UI's (``GET /v1/faxes``,
``POST /``: a client aimed at a wrong base URL) is answered with the router's 404 or 405
and this index, which names each vendor's base URL, the control API, the web UI and the
API documents: as an HTML page to a browser (an ``Accept`` that names ``text/html``), as
JSON to any other client (curl, an HTTP library). ``GET /`` is the web UI for a browser
and this index, answered 200, for a client that asks for JSON only.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from aiohttp import hdrs, web

from emulator import __version__
from emulator.core.answers import json_response
from emulator.core.errors import for_status
from emulator.core.vendor import Vendor

#: where the emulator's own documents are, for a reader who has only the server
DOCUMENTS = "README.md and docs/ of fax-emulator's source (in its source distribution too)"


class Index:
    """The index of one emulator: its vendors' prefixes and the control API's (the web UI is at ``/``)."""

    def __init__(self, vendors: Iterable[Vendor], control: str) -> None:
        self._vendors = [(vendor.name, vendor.title, vendor.prefix) for vendor in vendors]
        self._control = control

    def describe(self, base: str) -> dict[str, Any]:
        """The index as JSON, its URLs under ``base`` (``http://host:port``, as the client named it)."""
        control = base + self._control
        return {
            "name": "fax-emulator",
            "version": __version__,
            "vendors": [
                {"name": name, "title": title, "base_url": base + prefix} for name, title, prefix in self._vendors
            ],
            "control_api": control,
            "ui": base + "/",
            "docs": {
                "control_api": f"{control}/openapi.json",
                **{name: f"{control}/openapi/{name}.json" for name, _, _ in self._vendors},
                "guide": DOCUMENTS,
            },
        }

    def answer(self, request: web.Request, error: web.HTTPException | None = None) -> web.Response:
        """The index for ``request``: HTML if it asks for it, else JSON; with ``error`` (the
        router's 404 or 405) under that status, with a line that says what was not found."""
        base = f"{request.scheme}://{request.host}"
        index = self.describe(base)
        headers: dict[str, str] = {}
        allow = error.headers.get(hdrs.ALLOW) if error is not None else None
        if allow:
            headers[hdrs.ALLOW] = allow
        status = error.status if error is not None else 200
        what = (
            f"{request.method} {request.path} is no route of the emulator: each vendor's API is under its base URL"
            if error is not None
            else None
        )
        if wants_html(request):
            return web.Response(
                text=_page(index, what), status=status, content_type="text/html", charset="utf-8", headers=headers
            )
        if what is None:
            return json_response(index, headers=headers or None)
        neutral = for_status(status, what)
        return json_response(
            {"error": {"code": neutral.code, "message": what}, **index}, status=status, headers=headers
        )


def wants_html(request: web.Request) -> bool:
    """Whether the client asks for HTML (a browser's ``Accept`` names ``text/html``)."""
    return "text/html" in request.headers.get(hdrs.ACCEPT, "")


def wants_json_only(request: web.Request) -> bool:
    """Whether the client asks for JSON and not for HTML (``Accept: application/json``)."""
    return "application/json" in request.headers.get(hdrs.ACCEPT, "") and not wants_html(request)


def _page(index: dict[str, Any], what: str | None) -> str:
    """The index as a short HTML page (every value escaped: the host comes from the request)."""

    def link(url: str) -> str:
        return f'<a href="{html.escape(url)}">{html.escape(url)}</a>'

    vendors = "".join(f"<li>{html.escape(v['title'])}: {link(v['base_url'])}</li>" for v in index["vendors"])
    docs = "".join(
        f"<li>{html.escape(name)}: {link(url)}</li>" for name, url in index["docs"].items() if name != "guide"
    )
    lost = f"<p><strong>{html.escape(what)}.</strong></p>" if what is not None else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>fax-emulator {html.escape(index['version'])}</title></head><body>"
        f"<h1>fax-emulator</h1>{lost}"
        f"<h2>Vendors</h2><ul>{vendors}</ul>"
        f"<h2>Emulator</h2><ul><li>web UI: {link(index['ui'])}</li>"
        f"<li>control API: {link(index['control_api'])}</li></ul>"
        f"<h2>API documents (OpenAPI)</h2><ul>{docs}</ul>"
        f"<p>The guide: {html.escape(index['docs']['guide'])}.</p>"
        "</body></html>"
    )
