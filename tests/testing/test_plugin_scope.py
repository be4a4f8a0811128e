"""One emulator per test (default) or per session (ini option or marker), and per-test settings."""

from __future__ import annotations

import threading

from tests.testing.plugin_project import make_project

pytest_plugins = ["pytester"]


def test_session_scope_shares_one_server_reset_before_each_test(pytester):
    make_project(pytester, ini="fax_emulator_scope = session")
    pytester.makepyfile("""
        import urllib3
        import pytest

        seen = {}

        def test_first(fax_emulator, send_callerip):
            send_callerip()
            fax_emulator.advance(60)
            seen.update(url=fax_emulator.url, now=fax_emulator.clock().now, receiver=fax_emulator.receiver.url)

        def test_second(fax_emulator):
            assert fax_emulator.url == seen["url"]
            assert fax_emulator.faxes() == [] and fax_emulator.requests() == []  # reset
            assert fax_emulator.clock().now == seen["now"]  # a clock never goes back
            assert fax_emulator.receiver.url != seen["receiver"]
            with pytest.raises(urllib3.exceptions.MaxRetryError), urllib3.PoolManager() as http:
                http.request("POST", seen["receiver"], retries=0)  # the first test's receiver is gone
    """)
    pytester.runpytest().assert_outcomes(passed=2)
    assert "fax-emulator" not in [t.name for t in threading.enumerate()]  # stopped at session end


def test_marker_picks_the_scope_per_test(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        import pytest

        urls = []

        @pytest.mark.fax_emulator(scope="session")
        def test_shared_a(fax_emulator):
            urls.append(fax_emulator.url)

        @pytest.mark.fax_emulator(scope="session")
        def test_shared_b(fax_emulator):
            urls.append(fax_emulator.url)

        def test_fresh(fax_emulator):
            assert urls[0] == urls[1] and fax_emulator.url != urls[0]
    """)
    pytester.runpytest().assert_outcomes(passed=3)


def test_marker_settings_configure_a_fresh_emulator(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        import pytest

        uuids = []

        @pytest.mark.fax_emulator(seed=7, start_time=1767225600)
        @pytest.mark.parametrize("run", [1, 2])
        def test_seeded(fax_emulator, send_callerip, run):
            assert fax_emulator.clock().iso == "2026-01-01T00:00:00.000Z"
            uuids.append(send_callerip())

        @pytest.mark.fax_emulator(strict=False)
        def test_not_strict(fax_emulator):
            assert fax_emulator.emulator.config.strict is False
            assert uuids[0] == uuids[1]
    """)
    pytester.runpytest().assert_outcomes(passed=3)


def test_the_fixture_keeps_its_state_in_a_data_file_when_asked(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        import pytest

        sent = []

        @pytest.mark.fax_emulator(data="kept.sqlite", seed=7)
        @pytest.mark.parametrize("run", [1, 2])
        def test_kept(fax_emulator, send_callerip, run):
            ids = [fax.id for fax in fax_emulator.faxes()]
            assert ids == sent  # the second emulator started from the first one's file
            sent.append(send_callerip())
    """)
    pytester.runpytest().assert_outcomes(passed=2)


def test_misconfiguration_gets_a_clear_message(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fax_emulator(scope="session", seed=1)
        def test_settings_on_shared(fax_emulator):
            pass

        @pytest.mark.fax_emulator(scope="module")
        def test_bad_scope(fax_emulator):
            pass

        @pytest.mark.fax_emulator(colour="blue")
        def test_unknown_setting(fax_emulator):
            pass

        @pytest.mark.fax_emulator(True)
        def test_positional(fax_emulator):
            pass
    """)
    result = pytester.runpytest()
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines(
        [
            "*fax_emulator(seed=...) needs a fresh emulator, but this test uses the shared session one*",
            "*fax_emulator scope must be one of function, session, not 'module'*",
            "*bad emulator settings {'colour': 'blue'}*colour*",
            "*takes keyword arguments only*",
        ]
    )
