"""Retention: many faxes through one emulator at flat memory.

    python benchmarks/retention.py 1000000 10000
    python benchmarks/retention.py 100000 10000 --data PATH    # the same kept in a data file

Sends N CallerIP faxes (each with a document of its own, 2 KiB) in waves of 10,000 on the
manual clock, each wave driven to its end, with ``--retain-faxes`` K and a 16 MiB document
budget. Runs in its own process so peak RSS is this measurement's alone. Prints one JSON
line: peak RSS after the first 10% of the faxes and at the end (flat memory: the two are
close), the slope of RSS over the second half's waves (MB per 100,000 faxes; flat: about 0),
and what the store holds at the end; with ``--data``, the state is kept in that
SQLite file as ``serve --data`` keeps it (each wave committed), and the file's size at the end
is printed too (retention keeps it flat as well).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import sys
import time

WAVE = 10_000
DOCUMENT_BYTES = 2048


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _current_rss_mb() -> float | None:
    """Resident memory now (not the peak), where the system says (Linux); else None."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return None


def _slope(points: list[tuple[int, float]]) -> float | None:
    """MB per 100,000 faxes of the least-squares line through the second half of ``points``."""
    half = points[len(points) // 2 :]
    if len(half) < 2:
        return None
    mean_x = sum(x for x, _ in half) / len(half)
    mean_y = sum(y for _, y in half) / len(half)
    spread = sum((x - mean_x) ** 2 for x, _ in half)
    return round(sum((x - mean_x) * (y - mean_y) for x, y in half) / spread * 100_000, 2) if spread else None


async def measure(count: int, retain: int, data: str | None = None) -> dict[str, float]:
    from emulator.config import Config
    from emulator.core.documents import Document
    from emulator.core.runtime import compose
    from emulator.core.store import Fax
    from emulator.vendors import VENDORS

    runtime = compose(
        Config(clock="manual", start_time=0, seed=1, retain_faxes=retain, retain_document_bytes=16 * 1024 * 1024),
        VENDORS,
    )
    runtime.tenant("callerip", "bench")
    kept = None
    if data is not None:
        from emulator.core.persist import Persistence

        kept = Persistence(runtime, data)
        await kept.open()
    started = time.perf_counter()
    rss_at_tenth = 0.0
    sent = 0
    resident: list[tuple[int, float]] = []  # (faxes sent, RSS now) after each wave
    while sent < count:
        for _ in range(min(WAVE, count - sent)):
            document = Document("pdf", sent.to_bytes(8, "big") * (DOCUMENT_BYTES // 8), 1, "fax.pdf")
            runtime.submit(
                Fax(
                    id=runtime.ids.uuid4(),
                    vendor="callerip",
                    tenant="bench",
                    direction="outbound",
                    to=f"212{sent % 10_000_000:07d}",
                    sender="bench",
                    status="",
                    created_at=runtime.now(),
                    pages=1,
                    documents=[document],
                ),
                None,
            )  # no request: no scenario gate
            sent += 1
        await runtime.scheduler.run_until_idle()
        if kept is not None:
            await kept.commit()
        if not rss_at_tenth and sent >= count // 10:
            gc.collect()
            rss_at_tenth = _rss_mb()
        now = _current_rss_mb()
        if now is not None:
            resident.append((sent, now))
    seconds = time.perf_counter() - started
    file_mb = None
    if kept is not None and data is not None:
        await kept.close()
        file_mb = round(sum(os.path.getsize(data + end) for end in ("", "-wal") if os.path.exists(data + end)) / 1e6, 1)
    held = runtime.store.retention.counts()
    assert held["faxes"] == len(runtime.store.all_faxes()) <= retain, held
    return {
        "faxes": count,
        "retain_faxes": retain,
        "seconds": round(seconds, 1),
        "us_per_fax": round(seconds / count * 1e6, 1),
        "peak_rss_mb_at_10pct": rss_at_tenth,
        "peak_rss_mb": _rss_mb(),
        "rss_mb_per_100k_second_half": _slope(resident),
        "held": held["faxes"],
        "faxes_dropped": held["faxes_dropped"],
        "document_bytes": held["document_bytes"],
        "documents_dropped": held["documents_dropped"],
        **({"file_mb": file_mb} if file_mb is not None else {}),
    }


if __name__ == "__main__":
    data = sys.argv[sys.argv.index("--data") + 1] if "--data" in sys.argv else None
    print(json.dumps(asyncio.run(measure(int(sys.argv[1]), int(sys.argv[2]), data))))
