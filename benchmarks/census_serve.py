"""``fax-emulator serve`` with a memory census on demand, for finding what grows (``soak.py --census``).

    python benchmarks/census_serve.py REPORT -- serve --port 0 ...

Starts the emulator as ``python -m emulator`` would and, each time the process gets SIGUSR1
(the soak sends it at points of its run), takes a census on the event loop (which waits
meanwhile, a second or so): the process's RSS; pymalloc's arenas and glibc's heap (memory
Python holds, and memory freed but not given back); and the deep size of each part of the
runtime (``Runtime``'s fields, and the fields of each, an object counted in the first part that
reaches it). When the process ends (SIGTERM), it writes REPORT: each census, then how each part
changed from one census to the next, largest first.

(tracemalloc was tried first: tracing every allocation slowed the server about 40 times, so
that within a minute no bound was reached; a census costs nothing between two.)

Only a benchmark uses this: nothing in the emulator knows of it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import itertools
import os
import signal
import sys
import time
import types
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

MIB = 2**20
#: what a census does not walk into: code and classes, shared by everything and not state
SKIP = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.CodeType, types.MethodType)
TOP = 30


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            *("arena", "ordblks", "smblks", "hblks", "hblkhd"),
            *("usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"),
        )
    ]


def allocators() -> dict[str, float]:
    """MiB: pymalloc's arenas (allocated, and in use by blocks) and glibc's heap (in use, free).

    glibc's "in use" is not only C libraries' memory: pymalloc hands every Python object over
    512 bytes to malloc (a webhook's body, an upload's bytes, a dict's table), so a bound still
    filling with such objects rises there too (issue #17: what looked like C memory kept was
    the delivery log, FAX.PLUS's uploads and the renderings filling; heaptrack showed no C
    library's allocations growing)."""
    read, write = os.pipe()
    saved = os.dup(2)
    try:
        os.dup2(write, 2)
        sys._debugmallocstats()  # type: ignore[attr-defined]
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(write)
    with os.fdopen(read) as pipe:
        lines = pipe.read().splitlines()
    found: dict[str, float] = {}
    for line in lines:
        name, _, value = line.partition("=")
        if "bytes/arena" in name or name.strip() == "# bytes in allocated blocks":
            found["arenas" if "bytes/arena" in name else "blocks"] = int(value.strip().replace(",", ""))
    out = {"pymalloc arenas": found.get("arenas", 0) / MIB, "pymalloc blocks in use": found.get("blocks", 0) / MIB}
    with contextlib.suppress(AttributeError):
        mallinfo2 = ctypes.CDLL(None).mallinfo2
        mallinfo2.restype = MallInfo2
        info = mallinfo2()
        out |= {
            "malloc in use": info.uordblks / MIB,
            "malloc free, kept": info.fordblks / MIB,
            "malloc mmapped": info.hblkhd / MIB,
        }
    return out


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def deep_size(root: Any, seen: set[int]) -> tuple[int, int]:
    """Bytes and objects reachable from ``root`` not yet in ``seen`` (which it extends)."""
    size = count = 0
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, SKIP):
            continue
        seen.add(id(obj))
        size += sys.getsizeof(obj)
        count += 1
        stack.extend(gc.get_referents(obj))
    return size, count


#: the runtime's fields that own what others point at, walked first: a fax counts in the store,
#: not in the timer or the cached view that reaches it too
OWNERS = ("store", "journal", "dispatcher", "engine", "mailbox", "scheduler")


def parts(runtime: Any) -> list[tuple[str, Any]]:
    """The runtime's fields, and each field's own fields (the journal's requests, ...), deepest
    first, the ``OWNERS`` before the rest."""
    found = []
    fields = vars(runtime)
    for name in sorted(fields, key=lambda name: OWNERS.index(name) if name in OWNERS else len(OWNERS)):
        value = fields[name]
        inner = getattr(value, "__dict__", None) or {
            slot: getattr(value, slot) for slot in getattr(type(value), "__slots__", ()) if hasattr(value, slot)
        }
        found += [(f"{name}.{sub}", part) for sub, part in inner.items()]
        found.append((name, value))
    return found


def counts(runtime: Any) -> dict[str, float]:
    """How many of each thing the bounds are about (private fields read: a benchmark's look)."""
    due = runtime.scheduler._due
    return {
        "count: faxes in the store": len(runtime.store.all_faxes()),
        "count: faxes in flight": len(runtime.engine.runs),
        "count: tenants": len(runtime.store.tenants),
        "count: uploads kept": sum(len(t.collections.get("files", ())) for t in runtime.store.tenants.values()),
        "count: timers held": sum(map(len, due.values())),
        "count: timers live": runtime.scheduler._live,
        "count: instants due": len(due),
        "count: webhooks pending": len(runtime.dispatcher.pending),
        "count: views cached": len(runtime.cache._views),
        "count: journal entries": len(runtime.journal.requests),
        "count: deliveries logged": len(runtime.dispatcher.log),
        "count: renderings kept": runtime.cache.pages.cache.stats()["kept"],
        "renderings kept (MiB)": runtime.cache.pages.cache.stats()["bytes"] / MIB,
    }


def census(runtime: Any) -> dict[str, float]:
    gc.collect()
    seen: set[int] = {id(runtime), id(runtime.config)}
    sizes = {"rss": rss_mb(), **allocators(), **counts(runtime)}
    for name, part in parts(runtime):
        size, count = deep_size(part, seen)
        sizes[name] = size / MIB
        sizes[f"{name} (objects)"] = count
    types_now = Counter(type(obj).__name__ for obj in gc.get_objects())
    sizes |= {f"gc objects: {name}": n for name, n in types_now.most_common(40)}
    return sizes


def main() -> None:
    report, dash, *argv = sys.argv[1:]
    assert dash == "--", "usage: census_serve.py REPORT -- serve ..."
    import emulator.app
    from emulator import keys

    apps: list[Any] = []
    build = emulator.app.build_app

    def build_app(*args: Any, **kwargs: Any) -> Any:
        apps.append(build(*args, **kwargs))
        return apps[-1]

    emulator.app.build_app = build_app  # type: ignore[assignment]
    begun = time.monotonic()
    taken: list[tuple[float, dict[str, float]]] = []

    def take(*_: Any) -> None:
        taken.append((time.monotonic() - begun, census(apps[0][keys.RUNTIME])))

    def write() -> None:
        out = io.StringIO()
        for at, sizes in taken:
            print(f"== census at {at:.0f} s", file=out)
            for name, value in sizes.items():
                if not name.endswith("(objects)") and (value >= 0.05 or name.startswith(("gc", "count"))):
                    print(f"  {name}: {value:.1f}", file=out)
        for (at0, old), (at1, new) in itertools.pairwise(taken):
            print(f"\n== change from {at0:.0f} s to {at1:.0f} s (MiB, or objects)", file=out)
            changes = sorted(((new[k] - old.get(k, 0), k) for k in new), key=lambda c: -abs(c[0]))
            for change, name in changes[:TOP]:
                print(f"  {change:+.2f} {name}", file=out)
        Path(report).write_text(out.getvalue())

    signal.signal(signal.SIGUSR1, take)
    from emulator.cli import main as cli

    with contextlib.suppress(SystemExit):
        cli(argv)
    write()


if __name__ == "__main__":
    main()
