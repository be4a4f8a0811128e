"""The pytest plugin (entry point ``pytest11``: installing fax-emulator is enough).

Fixture ``fax_emulator``: an emulator in a background thread on a free port, manual
clock, strict contracts; fresh for each test, or one shared by the whole session
(``fax_emulator_scope = session`` in the ini file, or a marker), reset before each test.
A test fails if the code under test broke a vendor contract while it ran, unless it is
marked ``@pytest.mark.fax_emulator(allow_violations=True)``.

Marker: ``@pytest.mark.fax_emulator(allow_violations=False, scope=None, **settings)``;
``settings`` are ``Config`` fields for a fresh emulator (``seed=1``, ``start_time=...``,
``strict=False``...). Nothing heavy is imported until a test asks for the fixture.
"""

from __future__ import annotations

import gc
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emulator.testing.fixture import EmulatorFixture
    from emulator.testing.server import FaxEmulator

MARKER = "fax_emulator"
SCOPE_INI = "fax_emulator_scope"
SCOPES = ("function", "session")
_HANDLE = pytest.StashKey["EmulatorFixture"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        SCOPE_INI,
        "fax_emulator fixture: 'function' (default) starts a fresh emulator for each test; "
        "'session' shares one emulator, reset before each test",
        default="function",
    )
    group = parser.getgroup("fax-emulator")
    group.addoption(
        "--fax-coverage",
        action="store_true",
        help="report what the tests that used the fax_emulator fixture never exercised of the "
        "vendors' behaviour (operations, statuses, outcomes, webhooks...)",
    )
    group.addoption(
        "--fax-coverage-fail-under",
        action="append",
        default=[],
        metavar="[VENDOR:]PERCENT",
        help="fail the run if fax coverage is below PERCENT (overall, or VENDOR:PERCENT); "
        "repeatable; implies --fax-coverage",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(allow_violations=False, scope=None, **settings): configure the fax_emulator fixture: "
        "allow_violations=True lets the test pass when vendor contracts were broken ('warnings': when only "
        "warnings were recorded); scope='function' or "
        "'session' overrides the ini option; settings (seed, start_time, strict...) go to a fresh emulator.",
    )


def _options(request: pytest.FixtureRequest) -> tuple[bool | str, str, dict[str, Any]]:
    """(allow_violations, scope, settings) from the closest marker and the ini file."""
    marker = request.node.get_closest_marker(MARKER)
    settings = dict(marker.kwargs) if marker is not None else {}
    if marker is not None and marker.args:
        pytest.fail(f"@pytest.mark.{MARKER} takes keyword arguments only, not {marker.args!r}", pytrace=False)
    allow = settings.pop("allow_violations", False)
    if allow not in (True, False, "warnings"):
        pytest.fail(f"allow_violations must be True, False or 'warnings', not {allow!r}", pytrace=False)
    scope = settings.pop("scope", None) or request.config.getini(SCOPE_INI)
    if scope not in SCOPES:
        pytest.fail(f"fax_emulator scope must be one of {', '.join(SCOPES)}, not {scope!r}", pytrace=False)
    if scope == "session" and settings:
        pytest.fail(
            f"@pytest.mark.{MARKER}({', '.join(settings)}=...) needs a fresh emulator, but this test "
            "uses the shared session one; add scope='function' to the marker",
            pytrace=False,
        )
    return allow, scope, settings


@pytest.fixture(scope="session")
def fax_emulator_heap() -> Iterator[None]:
    """What the test process holds when it first asks for an emulator (its imports, the
    emulator's, pytest's) lives as long as the session: it is frozen out of the cyclic
    collector's full passes (``gc.freeze``), which walked it again and again between tests
    (most of a session-scoped test's fixture time, and of each fresh emulator's start).
    Emulators started later are not frozen: each one is collected after its test."""
    import emulator.testing.server  # noqa: F401  (everything an emulator imports, once)

    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture(scope="session")
def fax_emulator_session(fax_emulator_heap: None) -> Iterator[FaxEmulator]:
    """The emulator shared by every test that runs with scope 'session' (started on first use)."""
    from emulator.testing.server import FaxEmulator

    emulator = FaxEmulator().start()
    gc.freeze()  # it lives as long as the session too
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def fax_emulator(request: pytest.FixtureRequest, fax_emulator_heap: None) -> Generator[EmulatorFixture, None, None]:
    """A running fax emulator for this test; see ``EmulatorFixture`` for what it offers."""
    from emulator.testing.fixture import EmulatorFixture
    from emulator.testing.server import FaxEmulator

    allow, scope, settings = _options(request)
    if scope == "session":
        emulator = request.getfixturevalue("fax_emulator_session")
    else:
        try:
            emulator = FaxEmulator(**settings)
        except (TypeError, ValueError) as exc:
            pytest.fail(f"@pytest.mark.{MARKER}: bad emulator settings {settings!r}: {exc}", pytrace=False)
        emulator.start()
    try:
        handle = EmulatorFixture(emulator, request.node.nodeid, allow_violations=allow, reset=scope == "session")
        request.node.stash[_HANDLE] = handle
        yield handle
        handle.close()
        if _coverage_wanted(request.config):  # before the emulator stops or the next test resets it
            request.config.stash.setdefault(_COVERAGE, []).append(emulator.client.coverage())
    finally:
        if scope == "function":
            emulator.stop()


_COVERAGE = pytest.StashKey[list[dict[str, Any]]]()


def _coverage_wanted(config: pytest.Config) -> bool:
    return bool(config.getoption("--fax-coverage") or config.getoption("--fax-coverage-fail-under"))


def _merged_coverage(config: pytest.Config) -> dict[str, Any] | None:
    from emulator.core.coverage import merge

    reports: list[dict[str, Any]] = config.stash.get(_COVERAGE, [])
    return merge(reports)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Below a --fax-coverage-fail-under threshold, the run fails (as coverage.py's does)."""
    thresholds = session.config.getoption("--fax-coverage-fail-under")
    found = _merged_coverage(session.config) if thresholds else None
    if found is None:
        return
    from emulator.core.coverage import below

    short = below(found, thresholds)
    if short:
        session.config.stash[_SHORT] = short
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


_SHORT = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not _coverage_wanted(config):
        return
    found = _merged_coverage(config)
    terminalreporter.section("fax-emulator coverage")
    if found is None:
        terminalreporter.write_line("no test used the fax_emulator fixture")
        return
    from emulator.core.coverage import render

    terminalreporter.write(render(found, "table", missing_only=True))
    for line in config.stash.get(_SHORT, []):
        terminalreporter.write_line(f"FAIL: fax coverage {line}", red=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    """A test that failed after waiting while its manual clock stood still ends with a hint."""
    report = yield
    handle = item.stash.get(_HANDLE, None)
    if handle is not None and call.when == "call" and isinstance(report, pytest.TestReport) and report.failed:
        try:
            hint = handle.manual_clock_hint(call.duration)
        except Exception:  # a hint must never hide the failure itself
            hint = None
        if hint:
            report.sections.append(("fax-emulator: the clock is manual", hint))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """After a test that passed, fail it if vendor contracts were broken while it ran."""
    result = yield
    handle = item.stash.get(_HANDLE, None)
    if handle is not None:
        message = handle.contract_failure()
        if message:
            pytest.fail(message, pytrace=False)
    return result
