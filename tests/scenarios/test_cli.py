"""``fax-emulator validate`` and ``fax-emulator run``: exit statuses and reports."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from emulator import cli
from emulator.runner import run_files
from emulator.vendors import VENDORS
from tests.scenarios.conftest import ALL

SHIPPED = sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.yaml"))
DATA = Path(__file__).parent / "data"


def test_at_least_ten_documented_scenarios_ship_and_three_for_each_vendor():
    assert len(SHIPPED) >= 10
    for vendor in VENDORS:
        mine = [p for p in SHIPPED if f"vendor: {vendor.name}" in p.read_text() or p.stem.startswith(vendor.name)]
        assert len(mine) >= 3, f"{vendor.title} has {len(mine)} ready-made scenarios"
    for path in SHIPPED:
        document = yaml.safe_load(path.read_text())
        assert document.get("description") and document.get("steps"), f"{path.name} is not documented and proven"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_runs_and_passes(path, capsys):
    """Strictly: the emulator's own responses and webhooks keep the vendors' contracts too."""
    assert cli.main(["run", "--strict", str(path)]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "FAIL" not in out and out.rstrip().splitlines()[-1].startswith("PASS:")
    assert "kept the vendors' contracts" in out


@pytest.mark.parametrize("path", sorted(DATA.glob("*.yaml")), ids=lambda p: p.stem)
def test_fake_vendor_scenarios_run_and_pass(path, capsys):
    """Inbound faxes and webhook chaos, on the fake vendor (CallerIP has neither)."""
    assert run_files([str(path)], ALL) == 0, capsys.readouterr().out


def test_validate_good_files_exits_0(capsys):
    assert cli.main(["validate", *map(str, SHIPPED[:2])]) == 0
    out = capsys.readouterr().out
    assert out.count(": valid (") == 2


def test_validate_bad_file_exits_1_with_located_problems(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nrules:\n  - match: {to: '1'}\n    outcome: sucess\n")
    good = SHIPPED[0]
    assert cli.main(["validate", str(bad), str(good)]) == 1
    captured = capsys.readouterr()
    assert f"{bad}:4:14: rules #1 > outcome: must be an outcome" in captured.err
    assert f"{good}: valid" in captured.out


def test_validate_missing_file_exits_1(tmp_path, capsys):
    assert cli.main(["validate", str(tmp_path / "nope.yaml")]) == 1
    assert "cannot read the file" in capsys.readouterr().err


def test_run_reports_a_failed_expectation_and_exits_1(tmp_path, capsys):
    path = tmp_path / "wrong.yaml"
    path.write_text("""
name: wrong
rules: [{match: {to: "2125550100"}, outcome: busy}]
steps:
  - request: {path: /api/fax/send, form: {token: t, number: "2125550100"}, files: {file: {pdf: 1}}}
    save: {fax: uuid}
  - advance: 60
  - name: hoping for success
    expect_fax: {id: "${fax}", status: Success}
  - expect_fax: {id: "${nothing}"}
""")
    assert cli.main(["run", str(path)]) == 1
    out = capsys.readouterr().out
    assert "  FAIL   3. hoping for success\n          - status: expected 'Success', got 'Failed'" in out
    assert "unknown variable ${nothing} (saved so far: base, fax, receiver)" in out
    assert out.rstrip().endswith("FAIL: 2 of 4 steps passed")


def test_run_without_steps_exits_1(tmp_path, capsys):
    path = tmp_path / "empty.yaml"
    path.write_text("name: no steps\n")
    assert cli.main(["run", str(path)]) == 1
    assert "no steps" in capsys.readouterr().out


def test_run_composes_files_in_order(tmp_path, capsys):
    rules, steps = tmp_path / "rules.yaml", tmp_path / "steps.yaml"
    rules.write_text("rules: [{name: busy, match: {to: '2125550100'}, outcome: busy}]\n")
    steps.write_text("""
rules: [{name: never reached, match: {to: '2125550100'}, outcome: success}]
steps:
  - request: {path: /api/fax/send, form: {token: t, number: "2125550100"}, files: {file: {pdf: 1}}}
    expect: {rule: busy}
""")
    assert cli.main(["run", "--compose", str(rules), str(steps)]) == 0, capsys.readouterr().out


def test_run_with_an_invalid_file_exits_1(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("steps: [{advance: -1}]\n")
    assert cli.main(["run", str(path)]) == 1
    assert "must be at least 0" in capsys.readouterr().out


def test_serve_takes_clock_and_seed_from_the_scenario_unless_flags_say(tmp_path):
    path = tmp_path / "clock.yaml"
    path.write_text("seed: 9\nclock: {mode: manual, start: '2030-01-01T00:00:00Z'}\n")
    args = cli._parser().parse_args(["serve", "--scenario", str(path)])
    config = cli._config(args)
    assert (config.clock, config.seed, config.start_time) == ("manual", 9, 1_893_456_000.0)
    args = cli._parser().parse_args(["serve", "--scenario", str(path), "--clock", "real", "--seed", "1"])
    config = cli._config(args)
    assert (config.clock, config.seed, config.start_time) == ("real", 1, None)


def test_serve_refuses_an_invalid_scenario(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("rules: 5\n")
    assert cli.main(["serve", "--scenario", str(path), "--port", "0"]) == 1
    assert "rules: must be a list" in capsys.readouterr().err


def test_the_readme_example_runs(tmp_path, capsys):
    readme = Path(__file__).parents[2].joinpath("README.md").read_text()
    section = readme[readme.index("## Scenarios") :]
    example = section[section.index("```yaml\n") + 8 : section.index("```\n")]
    path = tmp_path / "example.yaml"
    path.write_text(example)
    assert cli.main(["run", str(path)]) == 0, capsys.readouterr().out


def test_serve_flags_that_contradict_the_clock_exit_2(tmp_path, capsys):
    assert cli.main(["serve", "--start-time", "2026-01-01T00:00:00Z"]) == 2  # the default clock is real
    path = tmp_path / "real.yaml"
    path.write_text("clock: {mode: real, speed: 60}\n")
    assert cli.main(["serve", "--scenario", str(path), "--start-time", "2026-01-01T00:00:00Z"]) == 2
    assert "--start-time applies to the manual clock only" in capsys.readouterr().err


def test_run_strict_fails_when_the_emulator_breaks_a_vendor_contract(tmp_path, capsys, monkeypatch):
    from emulator.vendors.callerip import serialise

    monkeypatch.setattr(serialise, "status_json", lambda runtime, fax: b'{"status":7}')  # CallerIP's status is a string
    path = tmp_path / "poll.yaml"
    path.write_text("""
name: poll
steps:
  - request: {path: /api/fax/send, form: {token: t, number: "2125550100"}, files: {file: {pdf: 1}}}
    save: {fax: uuid}
  - request: {path: /api/fax/status, query: {token: t, uuid: "${fax}"}}
    expect: {status: 200}
""")
    assert cli.main(["run", str(path)]) == 0, capsys.readouterr().out
    capsys.readouterr()
    assert cli.main(["run", "--strict", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL   3. the emulator kept the vendors' contracts (--strict)" in out
    assert "callerip fax_status response" in out
