"""``builtin:NAME`` scenarios, ``fax-emulator scenarios``, and ``run``: each file on its own
emulator unless ``--compose``; a conflict between composed files names the file causing it."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator import cli
from emulator.core.scenarios import ScenarioError, builtin, load_files
from emulator.vendors import VENDORS

ROOT = Path(__file__).parents[2]
VENDOR_MAP = {v.name: v for v in VENDORS}
SEND = 'steps:\n  - request: {path: /api/fax/send, form: {token: t, number: "2125550100"}, files: {file: {pdf: 1}}}\n'


def test_every_shipped_scenario_is_builtin_by_name():
    assert builtin.names() == sorted(p.stem for p in ROOT.joinpath("scenarios").glob("*.yaml"))
    scenario = load_files(["builtin:rate-limited"], VENDOR_MAP)
    assert scenario.name == "rate-limited" and scenario.sources == ("builtin:rate-limited",)


def test_an_unknown_builtin_name_lists_the_names():
    with pytest.raises(ScenarioError) as error:
        load_files(["builtin:rate-limitd"], VENDOR_MAP)
    assert "no ready-made scenario is named 'rate-limitd'; there are: busy-then-success," in str(error.value)


def test_the_scenarios_command_lists_each_with_its_summary(capsys):
    assert cli.main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines if line and not line.startswith("use ")]
    assert names == builtin.names()
    assert any(line.startswith("rate-limited") and "429" in line for line in lines)


def test_serve_and_validate_take_builtin_names(capsys):
    config = cli._config(cli._parser().parse_args(["serve", "--scenario", "builtin:coin-flip"]))
    assert config.scenarios == ("builtin:coin-flip",) and config.seed is not None
    assert cli.main(["validate", "builtin:coin-flip"]) == 0
    assert "builtin:coin-flip: valid" in capsys.readouterr().out


def test_run_runs_each_file_on_a_fresh_emulator(tmp_path, capsys):
    """The same account declared by two files is fine when each runs alone, a conflict composed."""
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    for path in (first, second):
        path.write_text(f"accounts:\n  callerip: [{{token: t}}]\n{SEND}")
    assert cli.main(["run", str(first), str(second)]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert out.count("scenario 'first'") == 1 and out.count("scenario 'second'") == 1
    assert out.rstrip().endswith("PASS: 2 of 2 scenarios passed")


def test_a_composition_conflict_names_the_file_that_causes_it(tmp_path, capsys):
    clinic = "accounts:\n  kazoo: [{name: Clinic, users: [{username: a, password: b}]}]\n"
    first, plain, second = tmp_path / "first.yaml", tmp_path / "plain.yaml", tmp_path / "second.yaml"
    first.write_text(clinic)
    plain.write_text(SEND)
    second.write_text(clinic)
    assert cli.main(["run", "--compose", str(first), str(second), str(plain)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{second}: accounts > kazoo: together with the accounts of {first}: ")
    assert "'Clinic' is declared twice" in out


def test_a_failing_file_is_named_in_the_summary(tmp_path, capsys):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(SEND)
    bad.write_text(SEND + "    expect: {status: 500}\n")
    assert cli.main(["run", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert out.rstrip().endswith(f"FAIL: 1 of 2 scenarios passed\n  failed: {bad}")


def test_an_unknown_vendor_is_reported_once_with_the_vendors_served(tmp_path, capsys):
    path = tmp_path / "acme.yaml"
    path.write_text("rules:\n  - match: {vendor: acme, operation: send_fax}\n    fault: {status: 503}\n")
    assert cli.main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert (
        err == f"{path}:2:21: rules #1 > match > vendor: unknown vendor 'acme'; this emulator serves "
        f"{', '.join(sorted(VENDOR_MAP))}\n"
    )
