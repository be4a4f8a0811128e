"""A fax's pages as printed: rendered lazily in the worker pool, kept under a memory bound.

``Pages`` (``runtime.cache.pages``) is what vendors and the control API ask for "this fax as
TIFF / PDF / page n as PNG". The first ask renders the fax (core/raster.py, in a worker
process: never on the event loop, never on the path of a send) into a multi-page G4 TIFF;
that and every encoding made from it are kept in one LRU bounded by bytes
(``DEFAULT_CACHE_BYTES``), keyed by everything the rendering reads, so a fax whose pages
would print differently (its call ended after k pages, an option changed) is rendered
again. Concurrent asks for the same thing share one rendering. What is kept of a fax goes
when the store forgets the fax (``Pages.forget``): nothing could ask for it again, and
under the byte bound alone the renderings of faxes long dropped by retention filled the
cache (issue #17: in the soak, 10 renderings a second, about 1 MB a minute for an hour).

What goes on the header line is the vendor's to say: ``Vendor.terminal(runtime, fax)``
gives the identity its transmitting terminal prints and the resolution (fine or standard).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.core.documents import Document, DocumentError
from emulator.core.outcomes import Outcome
from emulator.core.work import Work, WorkError, WorkRefused

if TYPE_CHECKING:
    from emulator.core.store import Fax

#: bytes of renderings and encodings kept (least recently used go first)
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
FORMATS = ("tiff", "pdf")
#: a rendering may take the worker pool's time limit plus this much per page printed
SECONDS_PER_PAGE = 2.0


@dataclass(slots=True, repr=False, eq=False)
class Spec:
    """What a rendering reads: the documents, pages delivered, resolution and header."""

    documents: tuple[Document, ...]
    pages: int  # pages delivered (fewer than the documents hold when the call dropped)
    fine: bool = True
    identity: str = ""  # the sender identity the transmitting terminal prints
    at: float = 0.0  # when it was sent (POSIX time, printed in UTC)
    header: bool = True

    @property
    def key(self) -> tuple[Any, ...]:
        return (tuple(map(id, self.documents)), self.pages, self.fine, self.identity, self.at, self.header)


def conversion_failed(why: str) -> DocumentError:
    """The neutral error of a document that cannot become fax pages (each vendor words it)."""
    return DocumentError(f"the document cannot be converted to fax pages: {why}", code="conversion_failed")


@dataclass(slots=True, repr=False, eq=False)
class Terminal:
    """What the transmitting fax terminal prints: its identity on the header line, and whether
    it sends fine (196 lines per inch) or standard (98) resolution."""

    identity: str
    fine: bool = True


def delivered(fax: Fax) -> int:
    """Pages the recipient's machine printed: all of them, or k when the call dropped after k."""
    if fax.result is not None and fax.result.outcome is Outcome.PARTIAL:
        return max(1, fax.pages_sent)
    return max(1, fax.pages)


#: whose a rendering is: a fax's id and when it was made (an id can name another fax after a reset)
Owner = tuple[str, float]


def owner(fax: Fax) -> Owner:
    """The fax a rendering and its encodings belong to."""
    return (fax.id, fax.created_at)


class Cache:
    """An LRU of renderings (bytes, or a TIFF with its page count), bounded by their bytes;
    each kept under the fax it is of, so that a fax's go together (``forget``)."""

    def __init__(self, limit: int = DEFAULT_CACHE_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[Any, tuple[Any, int, Owner]] = OrderedDict()
        self._owned: dict[Owner, set[Any]] = {}

    def get(self, key: Any) -> Any:
        found = self._items.get(key)
        if found is None:
            return None
        self._items.move_to_end(key)
        return found[0]

    def put(self, key: Any, value: Any, size: int, whose: Owner) -> None:
        if size > self.limit:
            return  # bigger than the whole cache: served, not kept
        self._drop(key)
        self._items[key] = (value, size, whose)
        self._owned.setdefault(whose, set()).add(key)
        self.size += size
        while self.size > self.limit:
            self._drop(next(iter(self._items)))

    def forget(self, whose: Owner) -> None:
        """Drop everything kept of one fax."""
        for key in self._owned.pop(whose, ()):
            _, size, _ = self._items.pop(key)
            self.size -= size

    def stats(self) -> dict[str, int]:
        """Renderings kept, their bytes and the bound (for ``GET /_emulator/health``)."""
        return {"kept": len(self._items), "bytes": self.size, "max_bytes": self.limit}

    def clear(self) -> None:
        self._items.clear()
        self._owned.clear()
        self.size = 0

    def _drop(self, key: Any) -> None:
        found = self._items.pop(key, None)
        if found is None:
            return
        _, size, whose = found
        self.size -= size
        keys = self._owned[whose]
        keys.discard(key)
        if not keys:
            del self._owned[whose]


class Pages:
    """Every fax's pages, rendered on first ask in the worker pool and kept in a bounded cache.

    ``held(fax_id, created_at)``: whether the store still holds a fax; a rendering finished
    after its fax was forgotten is served, not kept (``forget`` came before it)."""

    def __init__(
        self, work: Work, cache_bytes: int = DEFAULT_CACHE_BYTES, held: Callable[[str, float], bool] | None = None
    ) -> None:
        self.work = work
        self.cache = Cache(cache_bytes)
        self.held = held
        self._making: dict[Any, asyncio.Future[Any]] = {}

    def spec(self, runtime: Any, fax: Fax) -> Spec:
        """What a rendering of ``fax`` reads: its documents, pages delivered, resolution, header."""
        vendor = runtime.vendors.get(fax.vendor)
        terminal = (
            vendor.terminal(runtime, fax)
            if vendor is not None and vendor.terminal is not None
            else Terminal(fax.sender)
        )
        at = fax.started_at if fax.started_at is not None else fax.created_at
        return Spec(tuple(fax.documents), delivered(fax), terminal.fine, terminal.identity, at)

    async def rendering(self, runtime: Any, fax: Fax) -> tuple[Any, bytes, int]:
        """(its cache key, the fax as printed as a multi-page G4 TIFF at 204 x 196 or 98 dpi,
        its page count).

        A document that cannot be made into pages (encrypted, a page far too long, a
        decompression bomb, past the worker's time or memory) raises ``DocumentError``
        with code ``conversion_failed``; a full worker queue, ``WorkRefused``.
        """
        spec = self.spec(runtime, fax)
        key = (*owner(fax), spec.key)
        timeout = self.work.limits.timeout + SECONDS_PER_PAGE * spec.pages
        tiff, count = await self._kept(owner(fax), key, "render_counted", spec, timeout=timeout)
        return key, tiff, count

    async def tiff(self, runtime: Any, fax: Fax) -> bytes:
        """The fax as printed: a multi-page TIFF, CCITT Group 4."""
        return (await self.rendering(runtime, fax))[1]

    async def pdf(self, runtime: Any, fax: Fax) -> bytes:
        """The printed pages' bitmaps as a PDF, each page at its true size."""
        key, tiff, _ = await self.rendering(runtime, fax)
        return await self._kept(owner(fax), (key, "pdf"), "pdf", tiff)  # type: ignore[no-any-return]

    async def document(self, runtime: Any, fax: Fax, kind: str) -> bytes:
        """The printed fax as ``kind`` (``tiff`` or ``pdf``)."""
        return await (self.tiff(runtime, fax) if kind == "tiff" else self.pdf(runtime, fax))

    async def count(self, runtime: Any, fax: Fax) -> int:
        """Pages printed."""
        return (await self.rendering(runtime, fax))[2]

    async def png(self, runtime: Any, fax: Fax, number: int, thumb: bool = False) -> bytes:
        """Page ``number`` (from 1) as PNG, full size or a grey thumbnail (IndexError past the last)."""
        key, tiff, count = await self.rendering(runtime, fax)
        if not 1 <= number <= count:
            raise IndexError(number)
        return await self._kept(owner(fax), (key, "png", number, thumb), "png", tiff, number, thumb)  # type: ignore[no-any-return]

    async def report(self, runtime: Any, fax: Fax, title: str, rows: list[tuple[str, str]]) -> bytes:
        """A confirmation report (one PDF page): ``title``, the ``rows`` (name, value), and a
        reduced image of page 1 unless the fax's document cannot be printed."""
        try:
            key, tiff, _ = await self.rendering(runtime, fax)
        except DocumentError:
            key, tiff = (*owner(fax), "unprintable"), None
        report = (key, "report", title, tuple(rows))
        return await self._kept(owner(fax), report, "report", title, rows, tiff)  # type: ignore[no-any-return]

    def forget(self, fax: Fax) -> None:
        """Drop every rendering of ``fax`` and its encodings: the store let it go."""
        self.cache.forget(owner(fax))

    def clear(self) -> None:
        """Forget every rendering (a reset: the same ids may name other faxes next)."""
        self.cache.clear()

    async def _kept(self, whose: Owner, key: Any, job: str, *args: Any, timeout: float | None = None) -> Any:
        """``raster.<job>(*args)`` in a worker, kept under the fax ``whose`` it is; one run
        for concurrent asks."""
        found = self.cache.get(key)
        if found is not None:
            return found
        making = self._making.get(key)
        if making is not None:
            return await asyncio.shield(making)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._making[key] = future
        try:
            value = await self._run(job, *args, timeout=timeout)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # marked retrieved: nobody else may be waiting
            raise
        finally:
            self._making.pop(key, None)
        future.set_result(value)
        if self.held is None or self.held(*whose):
            self.cache.put(key, value, len(value[0]) if isinstance(value, tuple) else len(value), whose)
        return value

    async def _run(self, job: str, *args: Any, timeout: float | None = None) -> Any:
        from emulator.core import raster  # Pillow and pdfium: loaded when a page is first asked for

        try:
            return await self.work.run(getattr(raster, job), *args, timeout=timeout)
        except (WorkRefused, DocumentError):
            raise
        except WorkError as exc:
            raise conversion_failed(exc.message) from exc
