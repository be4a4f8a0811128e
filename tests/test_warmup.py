"""Warming up (core/warmup.py): once it has run, serving imports nothing on the event loop.

Each library imported at first use on the loop held it 0.1-0.5 s (the soak's slowest health
reads). In a fresh process (this one has imported everything already), an emulator is
warmed up as ``serve`` warms it, then the soak's clients of all four vendors and its hostile
client (uploads, a download as printed, a scenario with a regex, a YAML alias bomb, JSON too
deep) run against it for a few seconds; every import the emulator's own code makes on the
loop's thread meanwhile is recorded. There must be none: a new lazy import on the request
path belongs in ``warmup.MODULES``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import asyncio, json, os, sys, threading
from pathlib import Path

sys.path.insert(0, str(Path("benchmarks").resolve()))
import sends  # the clients' own (soak.py imports it at its first upload)
import soak
from aiohttp import web

from emulator.app import build_app
from emulator.config import Config
from emulator.core.warmup import warm
from emulator.keys import RUNTIME

PACKAGE = str(Path("emulator").resolve()) + os.sep
CLIENTS = str(Path("benchmarks").resolve()) + os.sep
late = []


def record(event, args):  # an import on the loop's thread that the emulator (not a client) asked for
    if event != "import" or args[0] in sys.modules or threading.current_thread() is not threading.main_thread():
        return
    files = []
    frame = sys._getframe(1)
    while frame is not None:
        files.append((frame.f_code.co_filename, frame.f_lineno))
        frame = frame.f_back
    ours = [f"{Path(name).name}:{line}" for name, line in files if name.startswith(PACKAGE)]
    if ours and not any(name.startswith(CLIENTS) for name, _ in files):
        late.append(f"{args[0]} (from {ours[0]})")


async def main():
    app = build_app(Config(port=0, clock="manual", console=None))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    await asyncio.to_thread(warm, list(app[RUNTIME].vendors.values()))
    sys.addaudithook(record)
    result = await soak.drive(base, os.getpid(), 6, 4, soak.hostile_payloads(2))
    await runner.cleanup()
    print(json.dumps({"late": late, "requests": result["requests"], "statuses": result["statuses"]}))


asyncio.run(main())
"""


def test_after_warming_up_serving_imports_nothing_on_the_loop():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["requests"] > 20, found  # the clients were served (each vendor, the hostile one)
    assert found["late"] == [], found["late"]
