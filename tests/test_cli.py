"""`fax-emulator serve` as a real subprocess, and its argument checks."""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import urllib.request

import pytest

from emulator import cli
from emulator.cli import main
from emulator.config import reachable_url
from emulator.core.documents import make_pdf
from tests.conftest import advance
from tests.vendors.faxplus.raw import call, upload
from tests.vendors.faxplus.test_files import send


def test_serve_on_port_zero_prints_the_real_port_answers_health_and_stops_on_sigterm():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--clock", "manual"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = process.stdout.readline().strip()  # blocks until the server is ready
        assert first.startswith("fax-emulator listening on http://127.0.0.1:"), first
        base = first.rsplit(" ", 1)[1]
        port = int(base.rsplit(":", 1)[1])
        assert port != 0
        vendor_line = process.stdout.readline().strip()
        assert vendor_line == f"CallerIP: {base}/api/fax"
        with urllib.request.urlopen(f"{base}/_emulator/health", timeout=10) as response:
            body = json.load(response)
        assert body["status"] == "ok" and body["clock"]["mode"] == "manual"
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_serve_on_every_interface_prints_a_loopback_url_that_answers_and_says_so():
    """``--host 0.0.0.0`` (the container's): no client can open http://0.0.0.0, so the lines
    name 127.0.0.1, and one more line says the server is reachable from elsewhere too."""
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--host", "0.0.0.0", "--port", "0", "--clock", "manual"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = [process.stdout.readline().strip() for _ in range(6)]  # ready, four vendors, the note
        base = lines[0].rsplit(" ", 1)[1]
        assert base.startswith("http://127.0.0.1:"), lines
        assert all("0.0.0.0:" not in line for line in lines), lines
        assert lines[5].startswith("(it listens on every interface, --host '0.0.0.0'"), lines
        with urllib.request.urlopen(f"{base}/_emulator/health", timeout=10) as response:
            assert json.load(response)["status"] == "ok"
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err


def test_a_reachable_url_names_loopback_for_a_wildcard_host_and_brackets_ipv6():
    assert reachable_url("0.0.0.0", 8329) == "http://127.0.0.1:8329"
    assert reachable_url("", 8329) == "http://127.0.0.1:8329"
    assert reachable_url("::", 8329) == "http://[::1]:8329"
    assert reachable_url("fe80::1", 1) == "http://[fe80::1]:1"
    assert reachable_url("127.0.0.1", 1) == "http://127.0.0.1:1"
    assert reachable_url("localhost", 1) == "http://localhost:1"


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--clock", "manual", "--speed", "60"],
        ["serve", "--start-time", "2026-01-01T00:00:00Z"],
        ["serve", "--port", "70000"],
    ],
)
def test_contradictory_flags_exit_2_with_a_message(argv, capsys):
    assert main(argv) == 2
    assert "fax-emulator:" in capsys.readouterr().err


def test_a_bad_start_time_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--clock", "manual", "--start-time", "yesterday"])
    assert exited.value.code == 2


def test_loop_uvloop_without_uvloop_installed_says_how_to_get_it(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as if it were not installed
    assert main(["serve", "--clock", "manual", "--port", "0", "--loop", "uvloop"]) == 2
    assert "pip install 'fax-emulator[uvloop]'" in capsys.readouterr().err


def test_loop_uvloop_makes_uvloop_loops_when_installed():
    uvloop = pytest.importorskip("uvloop")
    from emulator.cli import _loop_factory

    assert _loop_factory("asyncio") is None
    assert _loop_factory("uvloop") is uvloop.new_event_loop


def test_serve_without_a_scenario_never_loads_yaml_json_schema_re2_or_a_handler_module():
    # start-up time: each is imported only when a scenario is read or a body is checked; the
    # worker processes' code when a worker starts, sqlite3 with a data file, difflib for a hint,
    # python-multipart with the first multipart body, a vendor's handler modules with its first
    # routed request (core.vendor.Handlers), the scenarios' rules with the first scenario, the
    # PDF xref reader with the first PDF, snapshots and the control API's OpenAPI at first use
    probe = (
        "import sys\n"
        "from emulator import cli\n"
        "async def serve(config):\n"
        "    from emulator.app import build_app\n"
        "    build_app(config)\n"
        "    deferred = ('yaml', 'jsonschema', 're2', 'multiprocessing', 'sqlite3', 'difflib', 'python_multipart',\n"
        "        'emulator.vendors.callerip.handlers', 'emulator.vendors.faxplus.handlers',\n"
        "        'emulator.vendors.faxplus.account_handlers', 'emulator.vendors.imagicle.handlers',\n"
        "        'emulator.vendors.kazoo.handlers.faxes', 'emulator.vendors.kazoo.handlers.auth',\n"
        "        'emulator.core.scenarios.match', 'emulator.core.scenarios.gate', 'emulator.core.pdfcount',\n"
        "        'emulator.core.snapshot', 'emulator.control.docs', 'emulator.control.spec')\n"
        "    print(sorted(m for m in deferred if m in sys.modules))\n"
        "cli._serve = serve\n"
        "cli.main(['serve', '--port', '0', '--clock', 'manual'])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_dataclasses_made_before_serve_listens_generate_only_what_is_used():
    # start-up time: a dataclass compiles each method it generates with exec as its class is
    # made (most of the emulator's own start-up once); those made before serve listens generate
    # no __repr__, an __eq__ only if compared, and are frozen only if public or compared
    probe = (
        "import dataclasses, sys\n"
        "from emulator import cli\n"
        "async def serve(config):\n"
        "    from emulator.app import build_app\n"
        "    build_app(config)\n"
        "    made = {f'{c.__module__}.{c.__qualname__}': c.__dataclass_params__\n"
        "        for m in list(sys.modules.values()) if m and m.__name__.startswith('emulator')\n"
        "        for c in vars(m).values() if isinstance(c, type) and dataclasses.is_dataclass(c)\n"
        "        and c.__module__ == m.__name__}\n"
        "    print(len(made))\n"
        "    print(sorted(name for name, p in made.items() if p.repr))\n"
        "    print(sorted(name for name, p in made.items() if p.eq))\n"
        "    print(sorted(name for name, p in made.items() if p.frozen))\n"
        "cli._serve = serve\n"
        "cli.main(['serve', '--port', '0', '--clock', 'manual'])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    count, with_repr, with_eq, frozen = out.stdout.splitlines()
    compared = [
        "emulator.core.contracts.Contract",
        "emulator.core.outcomes.MagicNumber",
        "emulator.core.outcomes.Result",
        "emulator.vendors.kazoo.lifecycle.Failure",
    ]
    assert int(count) >= 40  # the probe sees them
    assert with_repr == "[]"
    assert with_eq == repr(sorted(compared))
    assert frozen == repr(sorted([*compared, "emulator.config.Config", "emulator.core.webhooks.RetryPolicy"]))


def test_webhook_flags_reach_the_config():
    from emulator.cli import _config, _parser

    args = _parser().parse_args(
        [
            "serve",
            "--webhook-hosts",
            "Receiver.internal, 10.0.0.7",
            "--webhook-hosts",
            "localhost",
            "--webhook-max-pending",
            "50",
            "--webhook-log-size",
            "20",
            "--advance-wait",
            "0.5",
        ]
    )
    config = _config(args)
    assert config.webhook_hosts == ("receiver.internal", "10.0.0.7", "localhost")
    assert (config.webhook_max_pending, config.webhook_log_size, config.advance_wait) == (50, 20, 0.5)
    assert _config(_parser().parse_args(["serve"])).webhook_hosts == ()  # any host


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--webhook-max-pending", "0"],
        ["serve", "--advance-wait", "-1"],
    ],
)
def test_bad_webhook_limits_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "fax-emulator:" in capsys.readouterr().err


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
def test_serve_fixes_glibcs_mmap_threshold_unless_the_environment_sets_it(monkeypatch):
    assert cli.give_back_big_blocks() is True  # mallopt took it
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert cli.give_back_big_blocks() is False  # the user's setting holds


def test_serve_reads_sockets_in_blocks_under_the_mmap_threshold(monkeypatch):
    from asyncio import selector_events

    monkeypatch.setattr(selector_events._SelectorSocketTransport, "max_size", 256 * 1024)  # restored after
    assert cli.read_under_the_threshold() is True
    assert selector_events._SelectorSocketTransport.max_size == cli.SOCKET_READ < cli.MMAP_THRESHOLD


async def test_a_big_upload_read_in_such_blocks_arrives_whole(make_client, monkeypatch):
    from asyncio import selector_events

    monkeypatch.setattr(selector_events._SelectorSocketTransport, "max_size", cli.SOCKET_READ)
    client = await make_client()
    document = make_pdf(1500)
    assert len(document) > 6 * cli.SOCKET_READ
    await send(client, [await upload(client, document)])
    await advance(client, 7 * 86400)  # a fax of 1,500 pages takes a while
    status, body = await call(client, "GET", "/accounts/self/faxes")
    assert status == 200 and body["data"]["records"][0]["pages"] == 1500
