"""Core stays vendor-neutral: nothing in emulator/core imports a vendor."""

from __future__ import annotations

import ast
import re
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


def test_every_route_names_a_coroutine_handler_that_its_module_defines():
    """Route tables name their handlers lazily (``core.vendor.Handlers``): a misspelt name
    would only fail at the route's first request, so each is loaded here."""
    import inspect

    from emulator.core.vendor import LazyHandler
    from emulator.vendors import VENDORS

    for vendor in VENDORS:
        for _, path, handler, name in vendor.routes:
            assert isinstance(handler, LazyHandler), (vendor.name, name)
            assert handler.module.startswith(f"emulator.vendors.{vendor.name}."), (vendor.name, name)
            assert inspect.iscoroutinefunction(handler.load()), (vendor.name, path, handler)


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


#: what docs/architecture.md's file-role table says a file of that role holds, by name
_ROLE_NAMES = {
    "auth.py": ("authenticate",),
    "state.py": ("FaxState", "of"),
    "errors.py": ("render",),
    "inbound.py": ("receive",),
}


def _file_roles() -> tuple[list[str], list[list[str]]]:
    """docs/architecture.md "Adding a vendor": the file-role table's vendor columns and its rows."""
    text = (Path(__file__).parent.parent / "docs" / "architecture.md").read_text()
    section = text.split("## Adding a vendor", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("|") and not line.startswith("|---")
    ]
    return rows[0][2:], rows[1:]


def test_every_vendor_folder_keeps_the_file_roles_docs_architecture_lists():
    """The same question has the same answer in every vendor folder (issue #15 item 8): each
    file the table ticks is there (a package where the table says so, each other file its cell
    names too) and holds what its role names; each file it marks "none" is not there; and
    every vendor has its column."""
    import importlib

    from emulator.vendors import VENDORS

    columns, rows = _file_roles()
    problems = []
    for vendor in VENDORS:
        column = [2 + i for i, title in enumerate(columns) if title in vendor.title]
        if len(column) != 1:
            problems.append(f"{vendor.title}: no column of its own in the file-role table")
            continue
        package = f"emulator.vendors.{vendor.name}"
        folder = Path(importlib.import_module(package).__file__ or "").parent
        for row in rows:
            name, cell = row[0].strip("`"), row[column[0]]
            path = folder / name.removesuffix(".py") / "__init__.py" if "package" in cell else folder / name
            if cell == "none":
                if path.exists():
                    problems.append(f"{vendor.name}/{name}: there, but the table says none")
                continue
            named = [folder / other for other in re.findall(r"`([\w/]+\.py)`", cell)]
            problems += [
                f"{missing.relative_to(folder)}: missing" for missing in [path, *named] if not missing.exists()
            ]
            if name in _ROLE_NAMES and path.exists():
                module = importlib.import_module(f"{package}.{name.removesuffix('.py')}")
                problems += [f"{vendor.name}/{name}: no {n}" for n in _ROLE_NAMES[name] if not hasattr(module, n)]
    assert problems == []
