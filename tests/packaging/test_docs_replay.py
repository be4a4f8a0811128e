"""The README's quick start and examples, and docs/ci-recipe.md's snippets, run as written
against a fresh install of the wheel, so the docs cannot drift from what the code does.

The only change made to a snippet is the port: 8329 becomes a free one, so the test never
meets another emulator on this machine. Shell snippets run in bash with ``set -euo pipefail``
in a folder of their own; the server is started with the quick start's own command.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from emulator.testing import ControlClient
from tests.container.conftest import free_port
from tests.docs import ROOT, blocks, section

README = ROOT.joinpath("README.md").read_text()
RECIPE = ROOT.joinpath("docs", "ci-recipe.md").read_text()
PORT = "8329"


def _env(bin_dir: Path) -> dict[str, str]:
    """The fresh install first on PATH, as after activating its virtualenv."""
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(bin_dir.parent)}


class Served:
    """``fax-emulator serve`` started from a snippet's command line, on a free port."""

    def __init__(self, command: str, bin_dir: Path, cwd: Path) -> None:
        self.port = str(free_port())
        words = shlex.split(command.split("#")[0])
        self.process = subprocess.Popen(
            [*words, "--port", self.port],
            cwd=cwd,
            env=_env(bin_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.client = ControlClient(f"http://127.0.0.1:{self.port}", timeout=30)
        self.client.wait_until_ready(30)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=10)
        return out


def _bash(script: str, port: str, bin_dir: Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run shell snippets (joined) with the port swapped; their output, or the test fails with it."""
    body = "set -euo pipefail\n" + script.replace(PORT, port)
    result = subprocess.run(
        ["bash", "-c", body], cwd=cwd, env={**_env(bin_dir), **(env or {})}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{body}\n--- out:\n{result.stdout}\n--- err:\n{result.stderr}"
    return result.stdout


def _python(code: str, port: str, bin_dir: Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(bin_dir / "python"), "-c", code.replace(PORT, port)],
        cwd=cwd,
        env={**_env(bin_dir), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{code}\n--- out:\n{result.stdout}\n--- err:\n{result.stderr}"
    return result.stdout


def _quick_start() -> tuple[str, str]:
    """(the first terminal's serve command, the second terminal's commands)."""
    serve, second, tests = blocks(section(README, "## Quick start"), "sh")
    assert serve.startswith("fax-emulator serve") and tests.strip() == "python3 -m pytest"
    return serve.strip(), second


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("user")


@pytest.fixture(scope="module")
def quick_start_server(fresh_install: Path, folder: Path) -> Iterator[Served]:
    server = Served(_quick_start()[0], fresh_install, folder)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def manual_server(fresh_install: Path, folder: Path) -> Iterator[Served]:
    server = Served("fax-emulator serve --clock manual", fresh_install, folder)
    yield server
    server.stop()


def test_the_quick_start_sends_a_fax(quick_start_server, fresh_install, folder):
    assert quick_start_server.client.clock().speed == 60
    out = _bash(_quick_start()[1], quick_start_server.port, fresh_install, folder)
    assert out.startswith("letter.pdf: a 2-page PDF") and '"uuid"' in out
    [fax] = quick_start_server.client.faxes(vendor="callerip")
    assert fax.pages == 2


@pytest.mark.parametrize("vendor", ["CallerIP in two requests", "Imagicle StoneFax", "Kazoo in four requests"])
def test_each_vendor_example_runs(vendor, quick_start_server, fresh_install, folder):
    """In the second terminal of the quick start: letter.pdf is there, the emulator at speed 60."""
    if not folder.joinpath("letter.pdf").exists():
        _bash(_quick_start()[1], quick_start_server.port, fresh_install, folder)
    [script] = blocks(section(README, f"### {vendor}"), "sh")
    out = _bash(script, quick_start_server.port, fresh_install, folder)
    assert '"status"' in out, out
    assert "error" not in out.lower(), out


def test_a_wrong_path_answers_as_the_readme_shows(quick_start_server, fresh_install, folder):
    """The snippet under "Vendors and base URLs" prints what its comment lines say."""
    [script] = blocks(section(README, "## Vendors and base URLs").split("\n### ")[0], "sh")
    out = _bash(script, quick_start_server.port, fresh_install, folder)
    shown = [line.removeprefix("# ") for line in script.splitlines() if line.startswith("# ")]
    assert [line.rstrip("\r") for line in out.splitlines()] == shown, out


def test_the_faxplus_sdk_example_sends_a_fax(quick_start_server, fresh_install, folder):
    if not folder.joinpath("letter.pdf").exists():
        _bash(_quick_start()[1], quick_start_server.port, fresh_install, folder)
    [code] = blocks(section(README, "### FAX.PLUS with the official SDK"), "python")
    _python(code, quick_start_server.port, fresh_install, folder)
    assert quick_start_server.client.faxes(vendor="faxplus")


def test_the_control_api_examples_run_after_the_callerip_one(manual_server, fresh_install, folder):
    [callerip] = blocks(section(README, "### CallerIP in two requests"), "sh")
    examples = [b for b in blocks(section(README, "## Control API"), "sh") if "clock/advance" in b]
    if not folder.joinpath("letter.pdf").exists():
        _bash(_quick_start()[1], manual_server.port, fresh_install, folder)
    out = _bash(callerip + "".join(examples), manual_server.port, fresh_install, folder)
    assert '"history"' in out and '"requests"' in out, out
    [pages] = blocks(section(README, "## A fax as printed"), "sh")  # the examples end in a reset: a new fax
    _bash(callerip + pages, manual_server.port, fresh_install, folder)
    for name, magic in (("page1.png", b"\x89PNG"), ("thumb.png", b"\x89PNG"), ("fax.tiff", b"II*\x00")):
        assert folder.joinpath(name).read_bytes().startswith(magic), name


def test_the_pytest_snippets_pass_as_a_test_module(fresh_install, tmp_path):
    """The README's tests, in a user's project: a module of them, run by the installed plugin."""
    code = [b for b in blocks(section(README, "## Use it in your tests"), "python") if "def test_" in b]
    assert len(code) >= 2
    module = tmp_path / "test_from_readme.py"
    module.write_text("\n\n".join(code))
    result = subprocess.run(
        [str(fresh_install / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
        cwd=tmp_path,
        env=_env(fresh_install),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{sum(b.count('def test_') for b in code)} passed" in result.stdout


def test_what_the_pytest_snippets_import_is_installed_as_the_readme_says():
    """Each module the snippets import is the emulator's, the standard library's, or named by
    the section's ``pip install`` line (the fresh install borrows this environment's
    packages, so the run above cannot see a missing one)."""
    tests = section(README, "## Use it in your tests")
    [install] = [b for b in blocks(tests, "sh") if "pip install" in b]
    named = set(install.split("pip install", 1)[1].split())
    imported = {m for b in blocks(tests, "python") for m in re.findall(r"^(?:from|import) (\w+)", b, re.MULTILINE)}
    assert "pytest" in named and imported - set(sys.stdlib_module_names) - {"emulator"} <= named, (imported, named)


def test_the_ci_recipe_start_step_serves_and_waits_until_healthy(fresh_install, tmp_path):
    """The workflow's "Start fax-emulator" step, run as the runner runs it (bash, in the job's
    folder); the emulator it leaves running is stopped afterwards by the pid the step made."""
    workflow = next(yaml.safe_load(b) for b in blocks(RECIPE, "yaml") if "steps" in str(b))
    [step] = [s for s in workflow["jobs"]["test"]["steps"] if s.get("name") == "Start fax-emulator"]
    pid = tmp_path / "fax-emulator.pid"  # written on the step's exit, whether it passed or not
    try:
        out = _bash(f"trap 'echo \"$!\" > {pid}' EXIT\n" + step["run"], str(free_port()), fresh_install, tmp_path)
        assert '"status":"ok"' in out.replace(" ", ""), out
    finally:
        if pid.exists() and pid.read_text().strip():
            os.kill(int(pid.read_text()), signal.SIGTERM)
    assert "fax-emulator listening on http://127.0.0.1:" in tmp_path.joinpath("fax-emulator.log").read_text()


def test_the_without_pytest_snippet_runs(fresh_install, tmp_path):
    [code] = [b for b in blocks(section(README, "## Use it in your tests"), "python") if "with FaxEmulator()" in b]
    out = _python(code, PORT, fresh_install, tmp_path)
    assert "status='Failed'" in out and "outcome='busy'" in out, out


def test_the_ci_recipe_python_runs_against_a_manual_clock(manual_server, fresh_install, tmp_path):
    """The snippet's ``send_a_fax()`` is the user's code under test: here, one CallerIP send."""
    [code] = [b for b in blocks(RECIPE, "python") if "ControlClient" in b]
    url = f"http://127.0.0.1:{manual_server.port}"
    users_code = f"""
import requests
from emulator.testing import make_pdf

def send_a_fax():
    requests.post("{url}/api/fax/send", data={{"token": "t", "number": "2125550100"}},
                  files={{"file": ("a.pdf", make_pdf(1), "application/pdf")}}, timeout=10).raise_for_status()
"""
    _python(users_code + code, PORT, fresh_install, tmp_path, {"FAX_EMULATOR_URL": url})
    assert [f.status for f in manual_server.client.faxes()] == ["Success"]


def test_the_ci_recipe_yaml_is_valid():
    """GitHub Actions and compose files cannot run here; each is at least valid YAML with its keys."""
    documents = [yaml.safe_load(b) for b in blocks(RECIPE, "yaml")]
    assert any("jobs" in d for d in documents) and any("services" in d for d in documents)
    service = next(d for d in documents if "jobs" in d and "services" in d["jobs"]["test"])
    assert service["jobs"]["test"]["services"]["fax-emulator"]["ports"] == ["8329:8329"]


def test_serve_with_a_ready_made_scenario_by_name(fresh_install, tmp_path):
    """The Scenarios section's ``serve --scenario builtin:NAME`` line, from any folder."""
    [script] = blocks(section(README, "## Scenarios"), "sh")
    [line] = [line for line in script.splitlines() if line.startswith("fax-emulator serve --scenario builtin:")]
    server = Served(line, fresh_install, tmp_path)
    try:
        assert server.client.call("GET", "/scenario")["scenario"]["name"] == line.split("builtin:")[1].split()[0]
    finally:
        server.stop()


def test_the_scenario_commands_on_the_ready_made_files_pass(fresh_install):
    """From a checkout (it holds scenarios/): the commands that name no file of the reader's own."""
    [script] = blocks(section(README, "## Scenarios"), "sh")
    commands = [
        line.split("#")[0].strip()
        for line in script.splitlines()
        if line.startswith("fax-emulator ")
        and " serve " not in f" {line} "
        and not any(own in line for own in ("outage.yaml", "toronto.yaml", "mine.yaml"))
    ]
    assert len(commands) >= 4 and any("run --strict scenarios/*.yaml" in c for c in commands)
    for command in commands:
        _bash(command, PORT, fresh_install, ROOT)
