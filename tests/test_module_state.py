"""No module-level mutable state: everything an emulator holds hangs off its Runtime.

Every module of the package is imported and each of its module-level values looked at: a
dict, list, set, bytearray, deque, memo or cached function there is state that outlives a
reset and is shared by every emulator in the process, unless it is listed below as a
constant (filled when the module is imported and never changed after; each says why). A new
cache belongs in core/cache.py (``Runtime.cache``).
"""

from __future__ import annotations

import collections
import functools
import importlib
import pkgutil
from typing import Any

import emulator
from emulator.core.memo import Memo

#: module.name -> why it may be a mutable type: filled once at import, read only after
CONSTANTS: dict[str, str] = {}

#: cached functions that may stay at module level (docs/architecture.md "Caches"): each
#: loads static data shipped with the package (a JSON Schema, a time zone), the same for
#: every emulator, and moving it under the runtime would thread the runtime into pure code
STATIC_LOADERS = {
    "emulator.core.contracts.registry",
    "emulator.core.contracts.validator",
    "emulator.core.scenarios.checks.schema",
    "emulator.core.scenarios.checks._validator",
    "emulator.vendors.kazoo.validation._validator",
    "emulator.vendors.imagicle.times.zone",
}

MUTABLE = (dict, list, set, bytearray, collections.deque, Memo)


def modules() -> list[Any]:
    found = []
    for info in pkgutil.walk_packages(emulator.__path__, "emulator."):
        if info.name.startswith(("emulator.ui.static", "emulator.schemas", "emulator.scenarios")):
            continue
        if info.name.endswith("__main__"):
            continue
        try:
            found.append(importlib.import_module(info.name))
        except ImportError:  # an optional extra that is not installed (emulator.testing.container)
            if info.name != "emulator.testing.container":
                raise
    return found


def cached(value: Any) -> bool:
    return hasattr(value, "cache_info") or (isinstance(value, functools.partial) and hasattr(value.func, "cache_info"))


def test_no_module_holds_mutable_state() -> None:
    found = []
    for module in modules():
        for name, value in vars(module).items():
            qualified = f"{module.__name__}.{name}"
            if name.startswith("__") or _imported(value, module):
                continue  # a function or class of another module: looked at in its own
            if isinstance(value, MUTABLE) and not isinstance(value, type) and qualified not in CONSTANTS:
                if type(value) in (dict, list, set) and _frozen_by_convention(module, name):
                    continue
                found.append(f"{qualified}: {type(value).__name__}")
            elif cached(value) and qualified not in STATIC_LOADERS:
                found.append(f"{qualified}: a cached function")
    assert found == [], "module-level mutable state (see this test's docstring):\n" + "\n".join(found)


def _imported(value: Any, module: Any) -> bool:
    if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
        return getattr(value, "__module__", module.__name__) != module.__name__
    return False


def _frozen_by_convention(module: Any, name: str) -> bool:
    """An UPPER_CASE table is a constant by the project's convention (ruff checks no writes to
    it; a test below proves none changes while the suite's emulator works)."""
    return name.isupper()


def test_the_tables_are_not_changed_by_an_emulator_at_work() -> None:
    """The UPPER_CASE dicts, lists and sets stay as imported while an emulator serves faxes of
    every vendor (they are tables, not state)."""
    import copy

    from emulator.testing import FaxEmulator
    from tests.conftest import START
    from tests.properties.vendors import DRIVERS

    tables = {
        f"{m.__name__}.{n}": (v, copy.deepcopy(v))
        for m in modules()
        for n, v in vars(m).items()
        if type(v) in (dict, list, set) and n.isupper()
    }
    with FaxEmulator(start_time=START, seed=7) as running:
        for driver_class in DRIVERS.values():
            driver = driver_class(running, "tables")
            try:
                driver.seed()
            finally:
                driver.close()
        running.client.run_until_idle()
    changed = [name for name, (now, before) in tables.items() if now != before]
    assert changed == []
