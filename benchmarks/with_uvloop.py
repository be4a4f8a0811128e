"""Run a script or module on uvloop's event loop (for the --uvloop comparison).

python benchmarks/with_uvloop.py -m emulator serve ...
python benchmarks/with_uvloop.py benchmarks/bare_app.py --port 0
"""

from __future__ import annotations

import runpy
import sys

import uvloop

if __name__ == "__main__":
    uvloop.install()  # asyncio.run() below now makes uvloop loops
    if sys.argv[1] == "-m":
        sys.argv = [sys.argv[2], *sys.argv[3:]]
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
    else:
        sys.argv = sys.argv[1:]
        runpy.run_path(sys.argv[0], run_name="__main__")
