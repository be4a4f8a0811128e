"""Webhook throughput: deliveries per second from the dispatcher to a local receiver.

    python benchmarks/webhooks.py 5000

The receiver runs in another process (pinned to the other core when possible); the
dispatcher queues every delivery on the manual clock, and one advance sends them all.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


async def measure(count: int, url: str) -> dict[str, float]:
    from emulator.core.clock import ManualClock
    from emulator.core.scheduler import Scheduler
    from emulator.core.webhooks import Dispatcher

    scheduler = Scheduler(ManualClock(0))
    dispatcher = Dispatcher(scheduler, log_size=count)
    body = json.dumps({"hook": {"event": "fax_sent"}, "data": {"id": "x" * 24, "status": "success"}}).encode()
    try:
        started = time.perf_counter()
        for _ in range(count):
            dispatcher.deliver(vendor="bench", tenant="t", event="fax_sent", url=url, body=body)
        await scheduler.advance(0)
        elapsed = time.perf_counter() - started
    finally:
        await dispatcher.close()
    delivered = sum(1 for d in dispatcher.log if d.state == "delivered")
    assert delivered == count, f"only {delivered} of {count} delivered"
    return {"deliveries": count, "seconds": round(elapsed, 3), "per_second": round(count / elapsed, 1)}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    argv = [sys.executable, str(HERE / "bare_app.py"), "--port", "0"]
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        argv = ["taskset", "-c", "1", *argv]
    receiver = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        line = receiver.stdout.readline()
        base = re.search(r"(http://\S+)", line).group(1)
        print(json.dumps(asyncio.run(measure(count, f"{base}/hook"))))
    finally:
        receiver.terminate()
        receiver.wait(10)


if __name__ == "__main__":
    main()
