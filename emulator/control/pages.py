"""The control API's view of a fax as printed: its pages as PNG, the whole fax as TIFF or PDF.

``GET /_emulator/faxes/{id}/pages/{n}.png`` (``?size=thumb`` for a thumbnail),
``GET /_emulator/faxes/{id}/document.tiff`` and ``document.pdf``: rendered on first ask
(core/pages.py), in the worker pool. A document that cannot become fax pages answers
422 ``conversion_failed``; a page past the last, 404; a fax whose documents retention
dropped, 404 ``document_expired``.
"""

from __future__ import annotations

from aiohttp import web

from emulator import keys
from emulator.control.handlers import _fax
from emulator.core.documents import CONTENT_TYPES, DocumentError
from emulator.core.errors import Invalid, NotFound
from emulator.core.runtime import Runtime
from emulator.core.store import Fax


def _printable(fax: Fax) -> Fax:
    """The fax, unless retention dropped its documents (404 ``document_expired``)."""
    if fax.documents_expired:
        raise NotFound(f"the documents of fax {fax.id} are no longer kept", code="document_expired")
    return fax


def _unconvertible(exc: DocumentError) -> DocumentError:
    return DocumentError(exc.message, code=exc.code, status=422)


async def page_png(request: web.Request) -> web.Response:
    runtime: Runtime = request.app[keys.RUNTIME]
    size = request.query.get("size", "full")
    if size not in ("full", "thumb"):
        raise Invalid(f"size must be full or thumb, not {size!r}", field="size")
    digits = request.match_info["number"]
    fax, number = _printable(_fax(runtime, request)), int(digits) if len(digits) <= 6 else 0  # 0: no such page
    try:
        body = await runtime.cache.pages.png(runtime, fax, number, thumb=size == "thumb")
    except IndexError:
        raise NotFound(f"fax {fax.id} has no page {number}", code="page_not_found") from None
    except DocumentError as exc:
        raise _unconvertible(exc) from exc
    return web.Response(body=body, content_type="image/png")


async def document(request: web.Request) -> web.Response:
    runtime: Runtime = request.app[keys.RUNTIME]
    fax, kind = _printable(_fax(runtime, request)), request.match_info["kind"]
    try:
        body = await runtime.cache.pages.document(runtime, fax, kind)
    except DocumentError as exc:
        raise _unconvertible(exc) from exc
    return web.Response(
        body=body,
        content_type=CONTENT_TYPES[kind],
        headers={"Content-Disposition": f'inline; filename="{fax.id}.{kind}"'},
    )
