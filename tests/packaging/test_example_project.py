"""examples/send_a_fax is a project of its own: copied out, it installs (next to an installed
fax-emulator wheel) and its tests pass; every third-party module it imports is declared."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib

from tests.docs import ROOT

EXAMPLE = ROOT / "examples" / "send_a_fax"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_distribution_is_declared():
    project = tomllib.loads(EXAMPLE.joinpath("pyproject.toml").read_text())["project"]
    declared = {
        _normal(re.split(r"[<>=!~; \[]", r)[0])
        for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]
    }
    own = {path.stem for path in EXAMPLE.glob("*.py")}
    imported = set()
    for path in EXAMPLE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - own - set(sys.stdlib_module_names) - {"__future__"}
    homes = importlib.metadata.packages_distributions()
    needed = {_normal(homes[module][0]) for module in third_party}
    assert needed <= declared, f"imported but not declared: {sorted(needed - declared)}"


def test_copied_out_it_installs_and_its_tests_pass(fresh_install, tmp_path):
    """Installed into the fresh virtualenv that holds the wheel (dependencies borrowed from this
    environment: no download), from a copy outside this repository."""
    project = tmp_path / "send_a_fax"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    python = str(fresh_install / "python")
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-e",
            f"{project}[test]",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    tests = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    collected = len(re.findall(r"^def test_", project.joinpath("test_send_a_fax.py").read_text(), re.MULTILINE))
    assert re.search(rf"\b{collected} passed\b", tests.stdout), tests.stdout
