"""The data file (``serve --data``): a file of many faxes made ahead, and how fast it loads.

    python benchmarks/data_file.py make PATH 100000     # a file of N CallerIP faxes, half ended
    python benchmarks/data_file.py load PATH            # seconds (and CPU seconds) to read it into a runtime

Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import time


async def make(path: str, count: int) -> dict[str, float]:
    from emulator.config import Config
    from emulator.core.documents import Document
    from emulator.core.persist import write_file
    from emulator.core.runtime import compose
    from emulator.core.store import Fax
    from emulator.vendors import VENDORS

    runtime = compose(Config(clock="manual", start_time=0, seed=1, retain_faxes=count), VENDORS)
    runtime.tenant("callerip", "bench")
    started = time.perf_counter()
    for number in range(count):
        runtime.submit(
            Fax(
                id=runtime.ids.uuid4(),
                vendor="callerip",
                tenant="bench",
                direction="outbound",
                to=f"212{number % 10_000_000:07d}",
                sender="bench",
                status="",
                created_at=runtime.now(),
                pages=1,
                documents=[Document("pdf", number.to_bytes(8, "big") * 64, 1, "fax.pdf")],
            ),
            None,
        )
        if number == count // 2:
            await runtime.scheduler.run_until_idle()  # the first half ends, the rest is on its way
    made = time.perf_counter() - started
    write_file(runtime, path)
    return {
        "faxes": count,
        "make_s": round(made, 1),
        "write_s": round(time.perf_counter() - started - made, 1),
        "file_mb": round(os.path.getsize(path) / 1e6, 1),
    }


async def load(path: str) -> dict[str, float]:
    from emulator.config import Config
    from emulator.core.persist import Persistence
    from emulator.core.runtime import compose
    from emulator.vendors import VENDORS

    runtime = compose(Config(clock="manual", data=path, retain_faxes=1_000_000), VENDORS)
    gc.disable()  # as serve starts
    started, cpu = time.perf_counter(), time.process_time()
    kept = Persistence(runtime, path)
    await kept.open()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    await kept.close()
    gc.enable()
    return {"faxes": len(runtime.store.all_faxes()), "load_s": round(seconds, 2), "load_cpu_s": round(cpu, 2)}


if __name__ == "__main__":
    if sys.argv[1] == "make":
        print(json.dumps(asyncio.run(make(sys.argv[2], int(sys.argv[3])))))
    else:
        print(json.dumps(asyncio.run(load(sys.argv[2]))))
