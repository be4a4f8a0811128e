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


def test_every_vendor_registers_routes_a_machine_an_error_renderer_and_its_auth():
    from emulator.vendors import VENDORS

    names = [v.name for v in VENDORS]
    assert len(names) == len(set(names))
    prefixes = [v.prefix for v in VENDORS]
    assert len(prefixes) == len(set(prefixes))
    for vendor in VENDORS:
        assert vendor.routes and vendor.machine.transmit and callable(vendor.render_error)
        # every vendor says who is calling in the pipeline's stage, before its handlers run
        assert vendor.authenticate is not None, vendor.name
        assert set(vendor.read_first) <= set(vendor.operations), vendor.name
        assert len(vendor.operations) == len(set(vendor.operations))


def test_vendors_see_the_runtime_only_as_its_services():
    """A vendor is handed ``core.services.Services``, the narrow view; none imports the Runtime."""
    import emulator.vendors

    def imported(node: ast.AST) -> list[str]:
        if isinstance(node, ast.ImportFrom):
            return [node.module or ""]
        return [alias.name for alias in node.names] if isinstance(node, ast.Import) else []

    offenders = [
        str(path)
        for path in Path(emulator.vendors.__file__).parent.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if "emulator.core.runtime" in imported(node)
    ]
    assert offenders == []


def test_no_ambient_request_state():
    """What a request learns travels on its ``Exchange`` (the caller, the scenario gate),
    never through a context variable that code far away reads implicitly."""
    offenders = [
        str(path)
        for path in Path(emulator.core.__file__).parent.parent.rglob("*.py")
        if "contextvars" in path.read_text()
    ]
    assert offenders == []


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """The emulator modules ``module`` imports at its top level, those under
    ``if TYPE_CHECKING:`` (or any other ``if``/``try``) included: a cycle a type checker
    sees is a cycle of design, whether or not Python runs it."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def nearest(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    found: set[str | None] = set()
    pending = list(ast.parse(path.read_text()).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            found.update(nearest(alias.name) for alias in node.names if alias.name.startswith("emulator"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            if base.startswith("emulator"):
                found.update(f"{base}.{a.name}" if f"{base}.{a.name}" in known else nearest(base) for a in node.names)
        elif isinstance(node, (ast.If, ast.Try)):
            pending += [
                *node.body,
                *node.orelse,
                *(n for h in getattr(node, "handlers", ()) for n in h.body),
                *getattr(node, "finalbody", ()),
            ]
    return {name for name in found if name is not None and name != module}


def test_no_import_cycles_even_under_type_checking():
    root = Path(emulator.core.__file__).parent.parent
    paths = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        paths[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {module: _imports(path, module, set(paths)) for module, path in paths.items()}
    cycles = []
    state: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph[module]):
            if state.get(imported) == 1:
                cycles.append([*trail[trail.index(imported) :], imported])
            elif imported not in state:
                visit(imported, [*trail, imported])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
