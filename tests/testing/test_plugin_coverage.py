"""pytest --fax-coverage and --fax-coverage-fail-under, as a user's project runs them."""

from __future__ import annotations

import json

from emulator import cli
from emulator.testing import FaxEmulator
from tests.testing.plugin_project import make_project

pytest_plugins = ["pytester"]

SUITE = """
    def test_one_fax(fax_emulator, send_callerip):
        send_callerip()
        fax_emulator.run_until_idle()

    def test_a_busy_line(fax_emulator, send_callerip):
        send_callerip(number="2125550001")
        fax_emulator.run_until_idle()
"""


def test_the_report_lists_what_the_suite_never_exercised(pytester):
    make_project(pytester)
    pytester.makepyfile(SUITE)
    result = pytester.runpytest("--fax-coverage")
    result.assert_outcomes(passed=2)
    out = result.stdout.str()
    assert "fax-emulator coverage" in out
    callerip = out.split("CallerIP:")[1].split("FAX.PLUS:")[0]
    assert "not covered: fax_status" in callerip  # nobody polled the status
    assert "not covered: send_fax" not in callerip
    assert "not covered: success" not in callerip and "not covered: busy" not in callerip  # both tests' outcomes
    assert "not covered: no_answer" in callerip


def test_a_threshold_fails_and_passes_where_it_should(pytester):
    make_project(pytester)
    pytester.makepyfile(SUITE)
    failed = pytester.runpytest("--fax-coverage-fail-under=callerip:90")
    assert failed.ret == 1
    failed.assert_outcomes(passed=2)
    assert "FAIL: fax coverage callerip:" in failed.stdout.str()
    passed = pytester.runpytest("--fax-coverage-fail-under=callerip:40", "--fax-coverage-fail-under=1")
    assert passed.ret == 0, passed.stdout.str()
    with_session = pytester.runpytest("-o", "fax_emulator_scope=session", "--fax-coverage-fail-under=callerip:40")
    assert with_session.ret == 0, with_session.stdout.str()


def test_the_cli_prints_a_running_emulators_coverage(capsys):
    with FaxEmulator() as emulator:
        emulator.client.inbound("faxplus", "+12125550100", "+14155550123", tenant="token-a")
        assert cli.main(["coverage", emulator.url, "--format", "markdown"]) == 0
        markdown = capsys.readouterr().out
        assert markdown.startswith("## Fax provider coverage") and "### FAX.PLUS" in markdown
        assert cli.main(["coverage", emulator.url, "--format", "json", "--vendor", "faxplus"]) == 0
        found = json.loads(capsys.readouterr().out)
        assert [v["vendor"] for v in found["vendors"]] == ["faxplus"]
        (faxplus,) = found["vendors"]
        assert [i for i in faxplus["kinds"]["inbound"]["items"] if i["count"]] == [{"item": "received", "count": 1}]
        assert cli.main(["coverage", emulator.url, "--fail-under", "99"]) == 1
    assert cli.main(["coverage", "http://127.0.0.1:9"]) == 2
