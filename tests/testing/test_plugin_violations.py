"""A test fails when the code under test broke a vendor contract, unless it opts out."""

from __future__ import annotations

from tests.testing.plugin_project import make_project

pytest_plugins = ["pytester"]


def test_violations_fail_the_test_with_every_one_listed(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        def test_app(fax_emulator, break_contract):
            break_contract(vendor="callerip", operation="send_fax", message="$.number: '12' is too short")
            break_contract(vendor="callerip", operation="fax_status", message="$.uuid: required")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*fax-emulator: 2 vendor contract violation(s) recorded during this test:",
            "*1. [[]callerip] send_fax: $.number: '12' is too short",
            "*2. [[]callerip] fax_status: $.uuid: required",
            "*@pytest.mark.fax_emulator(allow_violations=True)*",
        ]
    )
    result.stdout.no_fnmatch_line("*Traceback*")


def test_opting_out_lets_the_test_assert_on_them(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fax_emulator(allow_violations=True)
        def test_app(fax_emulator, break_contract):
            break_contract(vendor="callerip", operation="send_fax", message="bad number")
            (violation,) = fax_emulator.violations()
            assert violation.vendor == "callerip" and violation.raw["message"] == "bad number"
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_only_violations_of_this_test_count_on_a_shared_emulator(pytester):
    make_project(pytester, ini="fax_emulator_scope = session")
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fax_emulator(allow_violations=True)
        def test_breaks_one(fax_emulator, break_contract):
            break_contract(vendor="callerip", message="first test's mistake")

        def test_clean(fax_emulator):
            assert fax_emulator.violations() == []

        def test_breaks_another(fax_emulator, break_contract):
            break_contract(vendor="callerip", message="third test's mistake")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*1 vendor contract violation(s)*", "*third test's mistake*"])
    result.stdout.no_fnmatch_line("*first test's mistake*")


def test_a_test_that_fails_by_itself_keeps_its_own_error(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        def test_app(fax_emulator, break_contract):
            break_contract(vendor="callerip", message="also broken")
            assert 1 == 2, "the app's own bug"
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the app's own bug*"])


def test_tests_without_the_fixture_are_untouched(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        def test_plain():
            assert True
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_allowing_warnings_still_fails_on_errors(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fax_emulator(allow_violations="warnings")
        def test_only_warnings(fax_emulator, break_contract):
            break_contract(vendor="callerip", operation="send_fax", severity="warning", message="unknown field")

        @pytest.mark.fax_emulator(allow_violations="warnings")
        def test_an_error(fax_emulator, break_contract):
            break_contract(vendor="callerip", operation="send_fax", severity="error", message="bad number")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*1 vendor contract violation(s)*", "*bad number*"])
    result.stdout.no_fnmatch_line("*unknown field*")


def test_a_wrong_allow_violations_value_is_a_clear_error(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fax_emulator(allow_violations="some")
        def test_app(fax_emulator):
            pass
    """)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*allow_violations must be True, False or 'warnings'*"])
