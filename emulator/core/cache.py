"""The emulator's caches, in one home: ``Cache``, owned by the Runtime, emptied by its reset.

Three kinds, each bounded:

- views (``Cache.view``): what a vendor shows of a fax is read far more often than the fax
  changes (a client polls its fax until it ends), so the view is made once per change of the
  fax and kept, keyed on the fax's ``version`` (``Fax.version``: every change of a fax goes
  through ``Store.changed``, which counts it), never on a hand-listed set of fields; a fax's
  views go when the store forgets the fax (``forget``, on ``Store.on_forget``), so a view
  never keeps a fax alive that retention let go;
- memos (``Cache.memos``): pure functions every request asks again (a Kazoo envelope's
  timestamp, a query's contract check), each declared once as a ``Remembered`` (core/memo.py);
- pages (``Cache.pages``): every fax's pages as printed, rendered in the worker pool
  (core/pages.py, bounded by bytes); a fax's go when the store forgets it, as its views do.

Everything here can be made again from the state: emptying a cache changes what the next
request costs, never what it answers. What else is remembered, and why it is not here, is
in docs/architecture.md ("Caches").
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

from emulator.core.memo import Memo, Remembered

if TYPE_CHECKING:
    from emulator.core.pages import Pages
    from emulator.core.store import Fax

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

#: views kept (one per fax and kind of view); the oldest made goes first beyond it. A view is
#: about a kilobyte, and a client's working set (the faxes it polls) far smaller
VIEWS = 16_384


class Cache:
    """Every cache of one emulator (see the module)."""

    def __init__(self, pages: Pages, views: int = VIEWS) -> None:
        if views < 1:
            raise ValueError("the view cache holds at least one view")
        self.max_views = views
        #: (view name, fax id) -> (the fax, its version, the options, the view), oldest made first
        self._views: dict[tuple[str, str], tuple[Fax, int, Hashable, Any]] = {}
        #: every view name made so far (a handful: one per kind of view), for ``forget``
        self._view_names: set[str] = set()
        #: each pure function's memo, by its declaration: ``memos[remembered]``
        self.memos = Memos()
        #: every fax's pages as printed, rendered on first ask in the worker pool, kept under a bound
        self.pages = pages

    def view(self, fax: Fax, name: str, make: Callable[[Fax, Any], T], options: Hashable = None) -> T:
        """``make(fax, options)``, kept and given back while ``fax`` is at the same version and
        the ``options`` it is shown with (a timezone, an envelope, a live status) are the same.

        ``name`` says which view (one fax can be shown several ways: ``"faxplus.outbox"``)."""
        key = (name, fax.id)
        found = self._views.get(key)
        if found is not None and found[0] is fax and found[1] == fax.version and found[2] == options:
            return found[3]  # type: ignore[no-any-return]
        value = make(fax, options)
        self._view_names.add(name)
        views = self._views
        if found is not None:
            del views[key]  # made again: it goes to the back of the line
        elif len(views) >= self.max_views:
            del views[next(iter(views))]
        views[key] = (fax, fax.version, options, value)
        return value

    def forget(self, fax: Fax) -> None:
        """Drop the views and the renderings of ``fax``: the store let it go
        (``Store.on_forget``). Without this, the views of faxes that retention dropped kept
        those faxes, their histories and records alive up to the view bound, 16,384 (in the
        soak, with 500 faxes retained: 8,000 more faxes after a minute, 21 MB by their deep
        size, still growing), and their renderings stayed up to the pages' 64 MiB."""
        views = self._views
        for name in self._view_names:
            found = views.get((name, fax.id))
            if found is not None and found[0] is fax:
                del views[(name, fax.id)]
        self.pages.forget(fax)

    def holds(self, fax: Fax) -> bool:
        """Whether a view of ``fax`` is kept."""
        return any(found[0] is fax for found in self._views.values())

    def clear(self) -> None:
        """Forget everything (``Runtime.reset``)."""
        self._views.clear()
        self._view_names.clear()
        for memo in self.memos.values():
            memo.clear()
        self.pages.clear()


class Memos(dict[Remembered[Any, Any], Memo[Any, Any]]):
    """Each pure function's memo, by its ``Remembered``: ``memos[remembered]`` is its ``Memo``,
    made on first ask. A dict look-up, in C: these are asked on every request's path (five
    times a Kazoo job), and a method's call cost each ~0.1 µs more."""

    __slots__ = ()

    def __missing__(self, remembered: Remembered[Any, Any]) -> Memo[Any, Any]:
        made = self[remembered] = Memo(remembered.function, remembered.size, remembered.longest)
        return made

    if TYPE_CHECKING:  # (typed per declaration; at run time dict's own look-up)

        def __getitem__(self, remembered: Remembered[K, V], /) -> Memo[K, V]: ...
