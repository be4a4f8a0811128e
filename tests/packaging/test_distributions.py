"""The sdist and the wheel are ready to publish: they build, pass ``twine check --strict``, carry
what a user needs (the ready-made scenarios in the wheel, docs, examples and tests in the sdist),
and the wheel works on its own."""

from __future__ import annotations

import email.parser
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from emulator import __version__

ROOT = Path(__file__).parents[2]


def _wheel(dist: Path) -> Path:
    return next(dist.glob("fax_emulator-*.whl"))


def _sdist(dist: Path) -> Path:
    return next(dist.glob("fax_emulator-*.tar.gz"))


def test_twine_check_strict_passes(dist):
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, sorted(dist.iterdir()))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_the_wheel_declares_its_license_version_and_classifiers(dist):
    with zipfile.ZipFile(_wheel(dist)) as wheel:
        info = f"fax_emulator-{__version__}.dist-info"
        metadata = email.parser.Parser().parsestr(wheel.read(f"{info}/METADATA").decode())
        assert wheel.read(f"{info}/licenses/LICENSE").decode().startswith("MIT License")
        assert "emulator/py.typed" in wheel.namelist()
    assert metadata["Version"] == __version__ and metadata["License-Expression"] == "MIT"
    assert "Typing :: Typed" in metadata.get_all("Classifier")
    assert metadata["Metadata-Version"] >= "2.4"


def test_the_wheel_carries_every_ready_made_scenario_and_schema(dist):
    with zipfile.ZipFile(_wheel(dist)) as wheel:
        names = set(wheel.namelist())
    scenarios = {f"emulator/scenarios/{p.name}" for p in ROOT.joinpath("scenarios").glob("*.yaml")}
    schemas = {f"emulator/schemas/{p.relative_to(ROOT / 'schemas')}" for p in ROOT.joinpath("schemas").rglob("*.json")}
    assert scenarios and scenarios <= names
    assert schemas and schemas <= names


def test_the_sdist_carries_docs_scenarios_examples_and_tests(dist):
    with tarfile.open(_sdist(dist)) as sdist:
        top = f"fax_emulator-{__version__}"
        names = {name.removeprefix(f"{top}/") for name in sdist.getnames()}
    for wanted in (
        "LICENSE",
        "CHANGELOG.md",
        "CONTRIBUTING.md",
        "README.md",
        "docs/ci-recipe.md",
        "scenarios/rate-limited.yaml",
        "examples/send_a_fax/pyproject.toml",
        "tests/conftest.py",
        "benchmarks/run.py",
        "emulator/scenarios/rate-limited.yaml",
    ):
        assert wanted in names, wanted
    tests = {str(p.relative_to(ROOT)) for p in ROOT.joinpath("tests").rglob("*.py")}
    assert tests <= names
    assert not any("__pycache__" in name for name in names)


def test_the_installed_wheel_lists_and_runs_a_ready_made_scenario(fresh_install, tmp_path):
    """Installed in a new virtualenv, the wheel (not this checkout) serves ``builtin:NAME``."""
    where = subprocess.run(
        [str(fresh_install / "python"), "-c", "import emulator; print(emulator.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert where.stdout.startswith(str(fresh_install.parent)), where.stdout + where.stderr
    command = str(fresh_install / "fax-emulator")
    listed = subprocess.run([command, "scenarios"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert "rate-limited " in listed.stdout and "builtin:NAME" in listed.stdout, listed.stderr
    run = subprocess.run(
        [command, "run", "--strict", "builtin:rate-limited"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.rstrip().splitlines()[-1].startswith("PASS:")


def test_the_wheel_carries_every_file_of_the_web_ui(dist):
    with zipfile.ZipFile(_wheel(dist)) as wheel:
        names = set(wheel.namelist())
    static = ROOT / "emulator" / "ui" / "static"
    files = {f"emulator/ui/static/{p.relative_to(static)}" for p in static.rglob("*") if p.is_file()}
    assert "emulator/ui/static/js/views/fax.js" in files and files <= names, sorted(files - names)


def test_every_wheel_the_docs_name_is_the_one_the_checkout_builds(dist):
    """The install commands of README.md, docs/ and examples/ name the wheel by its file name."""
    texts = [ROOT / "README.md", *ROOT.joinpath("docs").glob("*.md"), *ROOT.joinpath("examples").rglob("*.md")]
    named = {name for path in texts for name in re.findall(r"fax_emulator-[\w.-]+?\.whl", path.read_text())}
    assert named == {_wheel(dist).name}, named


def test_the_wheel_does_not_bring_pytest_as_the_readme_says(dist):
    """ "pytest itself is yours to install ... a wheel does not bring it" (README, Use it in your tests)."""
    with zipfile.ZipFile(_wheel(dist)) as wheel:
        metadata = email.parser.Parser().parsestr(wheel.read(f"fax_emulator-{__version__}.dist-info/METADATA").decode())
    always = [r for r in metadata.get_all("Requires-Dist") if "extra ==" not in r]
    assert always and not any(re.match(r"(pytest|requests)\b", r) for r in always), always
