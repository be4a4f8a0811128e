"""Warming up: what serving loads at first use, loaded in a thread once the server listens.

Start-up stays short because the heavy libraries are imported where they are first needed
(pypdf with the first PDF, Pillow and pdfium with the first page asked for, YAML and JSON
Schema with the first scenario, RE2 with its first pattern, each vendor's schemas with its
first contract check, its handler modules with its first routed request:
``core.vendor.Handlers``). Imported on the event loop, each held it 0.1-0.5 s at its first
use, and every other request (the health check among them) waited: the soak's slowest
health reads (benchmarks/soak.py). ``warm`` imports them in a thread shortly after start-up
(``cli.WARM_AFTER``: a readiness check is answered before it begins), so the loop keeps
serving meanwhile (the thread yields the interpreter every few milliseconds), and a request
that needs one of them later finds it loaded.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from emulator.core.vendor import LazyHandler, Vendor

#: what serving imports at first use, and who needs it
MODULES = (
    "pypdf",  # reading and writing PDFs on the loop (core.documents: small uploads, letters)
    "python_multipart.multipart",  # a multipart body's reader (core.bodies: the first upload)
    "emulator.core.pdfcount",  # a PDF's pages through its xref (core.documents: the first PDF)
    "emulator.core.snapshot",  # GET and PUT /_emulator/state (control.state)
    "emulator.control.docs",  # GET /_emulator/openapi.json (control.handlers)
    "emulator.core.raster",  # Pillow and pdfium: named on the loop when a page is asked for (core.pages)
    "emulator.core.scenarios.load",  # YAML, JSON Schema: a scenario posted to the control API
    "emulator.core.scenarios.gate",  # its rules at run time (core.scenarios.manager: the first scenario)
    "emulator.core.scenarios.faults",  # a fault rule's answer (core.pipeline)
    "re2",  # a scenario's regular expressions (core.scenarios.match)
    "multiprocessing.popen_forkserver",  # the worker pool's first worker (core.work)
)


def warm(vendors: Iterable[Vendor]) -> None:
    """Import ``MODULES`` and each of ``vendors``' handler modules, and read its schemas (the
    contracts' registry)."""
    from emulator.core import contracts
    from emulator.core.scenarios import checks

    for name in MODULES:
        importlib.import_module(name)
    checks.schema()
    for vendor in vendors:
        for _, _, handler, _ in vendor.routes:
            if isinstance(handler, LazyHandler):
                handler.load()
        contracts.registry(vendor.name)
