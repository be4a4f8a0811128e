"""Scale: N faxes in flight on the manual clock, driven to a terminal state.

    python benchmarks/scale.py 100000

Runs in its own process so peak RSS is this measurement's alone. Prints one JSON line.
Time spent in Python's cyclic garbage collector is reported apart (``gc_s`` of wall time,
``gc_cpu_s`` of this process's CPU time, the figure a loaded machine moves least): its full
passes re-walk every live object, so it is the part of the cost that grows with N.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
import time
from typing import Any


class GcTimer:
    """Wall and CPU time spent in garbage collections while it is installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.collections = 0
        self._began = self._cpu_began = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began, self._cpu_began = time.perf_counter(), time.process_time()
        else:
            self.seconds += time.perf_counter() - self._began
            self.cpu_seconds += time.process_time() - self._cpu_began
            self.collections += 1


async def measure(count: int) -> dict[str, float]:
    from emulator.config import Config
    from emulator.core.runtime import compose
    from emulator.core.store import Fax
    from emulator.vendors import VENDORS

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # every fax kept: this measures N in flight and ended, not retention (benchmarks/retention.py)
    runtime = compose(Config(clock="manual", start_time=0, seed=1, retain_faxes=max(1, count)), VENDORS)
    runtime.tenant("callerip", "bench")
    gc.collect()
    gc.freeze()  # as `serve` does once it is up: the heap of start-up is not walked again
    collector = GcTimer()
    gc.callbacks.append(collector)
    started, cpu_started = time.perf_counter(), time.process_time()
    for n in range(count):
        runtime.submit(
            Fax(
                id=runtime.ids.uuid4(),
                vendor="callerip",
                tenant="bench",
                direction="outbound",
                to=f"212{n % 10_000_000:07d}",
                sender="bench",
                status="",
                created_at=runtime.now(),
                pages=2,
            ),
            None,
        )  # no request: no scenario gate
    submitted = time.perf_counter()
    await runtime.scheduler.run_until_idle()
    finished, cpu_finished = time.perf_counter(), time.process_time()
    gc.callbacks.remove(collector)
    ended = sum(1 for fax in runtime.store.all_faxes() if fax.terminal)
    assert ended == count, f"only {ended} of {count} faxes ended"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "faxes": count,
        "submit_s": round(submitted - started, 3),
        "drive_s": round(finished - submitted, 3),
        "total_s": round(finished - started, 3),
        "us_per_fax": round((finished - started) / count * 1e6, 2),
        # CPU seconds of this process: on a shared machine, the figure others' load moves least
        "cpu_s": round(cpu_finished - cpu_started, 3),
        "gc_s": round(collector.seconds, 3),
        "gc_cpu_s": round(collector.cpu_seconds, 3),
        "us_per_fax_without_gc": round((finished - started - collector.seconds) / count * 1e6, 2),
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_growth_mb": round((peak - base_rss) / 1024, 1),
        "kb_per_fax": round((peak - base_rss) / count, 2),
        "transitions": sum(len(f.history) for f in runtime.store.all_faxes()),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure(int(sys.argv[1])))))
