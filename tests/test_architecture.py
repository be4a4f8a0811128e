"""Core stays vendor-neutral: nothing in emulator/core imports a vendor."""

from __future__ import annotations

import ast
from pathlib import Path

import emulator.core


def test_core_never_imports_a_vendor():
    offenders = []
    for path in Path(emulator.core.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            offenders += [f"{path.name}: {n}" for n in names if "vendors" in n]
    assert offenders == []


def test_every_vendor_registers_routes_a_machine_and_an_error_renderer():
    from emulator.vendors import VENDORS

    names = [v.name for v in VENDORS]
    assert len(names) == len(set(names))
    prefixes = [v.prefix for v in VENDORS]
    assert len(prefixes) == len(set(prefixes))
    for vendor in VENDORS:
        assert vendor.routes and vendor.machine.transmit and callable(vendor.render_error)
        assert len(vendor.operations) == len(set(vendor.operations))


def test_no_ambient_request_state():
    """What a request learns travels on its ``Exchange`` (the caller, the scenario gate),
    never through a context variable that code far away reads implicitly."""
    offenders = [str(path) for path in Path(emulator.core.__file__).parent.parent.rglob("*.py")
                 if "contextvars" in path.read_text()]
    assert offenders == []
