"""The ``fax-emulator`` command (also ``python -m emulator``)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from emulator import __version__

# the emulator's modules (aiohttp with them) are imported by the functions below, once main()
# has turned the collector off for start-up: collecting while they load only costs time
if TYPE_CHECKING:
    from emulator.config import Config
    from emulator.core.vendor import Vendor
    from emulator.heap import FreezeAfterFullPass


def _start_time(text: str) -> float:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None


def _hosts(text: str) -> list[str]:
    hosts = [h.strip().lower() for h in text.split(",") if h.strip()]
    if not hosts:
        raise argparse.ArgumentTypeError("name at least one host")
    return hosts


def _parser() -> argparse.ArgumentParser:
    from emulator.config import DEFAULT_HOST, DEFAULT_PORT
    from emulator.core.documents import DEFAULT_MAX_UPLOAD
    from emulator.core.journal import DEFAULT_SIZE
    from emulator.core.retention import DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_FAXES
    from emulator.core.scheduler import DEFAULT_WAIT
    from emulator.core.webhooks import DEFAULT_MAX_PENDING

    parser = argparse.ArgumentParser(prog="fax-emulator", description="Local emulator of fax providers' APIs.")
    parser.add_argument("--version", action="version", version=f"fax-emulator {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every vendor's API and the control API")
    serve.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default %(default)s)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port; 0 picks a free one (default %(default)s)")
    serve.add_argument(
        "--clock",
        choices=("real", "manual"),
        default=None,
        help="real: time passes (see --speed); manual: only POST /_emulator/clock/advance moves it "
        "(default: the scenario's clock.mode, else real)",
    )
    serve.add_argument(
        "--speed",
        type=float,
        default=None,
        help="real clock only: emulated seconds per second, e.g. 60 (default: the scenario's clock.speed, else 1)",
    )
    serve.add_argument(
        "--start-time",
        type=_start_time,
        default=None,
        help="manual clock only: ISO 8601 time the clock starts at (default: now)",
    )
    serve.add_argument(
        "--seed", type=int, default=None, help="make ids and random choices reproducible (default: the scenario's seed)"
    )
    serve.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="FILE",
        help="YAML scenario to load, or builtin:NAME (repeatable; files compose in order)",
    )
    serve.add_argument(
        "--journal-size", type=int, default=DEFAULT_SIZE, help="requests kept in the request log (default %(default)s)"
    )
    serve.add_argument(
        "--max-upload-mb",
        type=float,
        default=DEFAULT_MAX_UPLOAD / 1024 / 1024,
        help="largest accepted document, in MiB (default %(default)s)",
    )
    serve.add_argument(
        "--data",
        metavar="PATH",
        help="keep the state in this SQLite file and resume from it on start (default: in memory only)",
    )
    serve.add_argument(
        "--retain-faxes",
        type=int,
        default=DEFAULT_MAX_FAXES,
        metavar="N",
        help="faxes kept; beyond, the oldest ended ones are forgotten (default %(default)s)",
    )
    serve.add_argument(
        "--retain-documents-mb",
        type=float,
        default=DEFAULT_MAX_DOCUMENT_BYTES / 1024 / 1024,
        metavar="M",
        help="MiB of ended faxes' documents kept; beyond, the oldest ended faxes' "
        "documents expire (default %(default)s)",
    )
    serve.add_argument(
        "--allow-fetch",
        action="append",
        default=[],
        metavar="HOST",
        help="host (besides loopback) that document URLs may be fetched from (repeatable)",
    )
    serve.add_argument(
        "--webhook-hosts",
        action="append",
        default=[],
        type=_hosts,
        metavar="HOST[,HOST...]",
        help="the only hosts webhooks may be sent to (repeatable; default: any host); a delivery to "
        "another is refused and logged with why",
    )
    serve.add_argument(
        "--webhook-log-size",
        type=int,
        default=DEFAULT_SIZE,
        help="deliveries kept in the webhook delivery log (default %(default)s)",
    )
    serve.add_argument(
        "--webhook-max-pending",
        type=int,
        default=DEFAULT_MAX_PENDING,
        help="webhook deliveries not yet settled, at most; beyond, new ones are refused (default %(default)s)",
    )
    serve.add_argument(
        "--advance-wait",
        type=float,
        default=DEFAULT_WAIT,
        metavar="SECONDS",
        help="wall seconds clock/advance waits for one webhook attempt in flight (default %(default)s)",
    )
    serve.add_argument("--strict", action="store_true", help="validate the emulator's own responses and webhooks")
    serve.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    serve.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="what serve prints for each request, violation and failed webhook: a line of text, "
        "or one JSON object per line (default %(default)s)",
    )
    serve.add_argument(
        "--quiet",
        action="store_true",
        help="print nothing per request, violation or failed webhook (only the start-up lines)",
    )
    serve.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="event loop; uvloop is an optional extra: pip install 'fax-emulator[uvloop]' (default %(default)s)",
    )
    validate = commands.add_parser("validate", help="check scenario files; exit 1 with every problem found")
    validate.add_argument("files", nargs="+", metavar="FILE", help="scenario files (YAML or JSON), or builtin:NAME")
    commands.add_parser("scenarios", help="list the ready-made scenarios (use one with builtin:NAME)")
    sample = commands.add_parser("sample-document", help="write a multi-page PDF letter to send as a fax")
    sample.add_argument("file", metavar="FILE", help="where to write it, e.g. letter.pdf")
    sample.add_argument("--pages", type=int, default=2, help="how many pages, 1 to 100 (default %(default)s)")
    run = commands.add_parser("run", help="run each scenario's steps on a fresh emulator with the manual clock")
    run.add_argument("files", nargs="+", metavar="FILE", help="scenario files, or builtin:NAME")
    run.add_argument(
        "--compose",
        action="store_true",
        help="compose the files in order into one scenario, run on one emulator (default: each file on its own)",
    )
    run.add_argument(
        "--strict",
        action="store_true",
        help="also fail if the emulator's own responses or webhooks break the vendors' contracts",
    )
    cover = commands.add_parser("coverage", help="print what a running emulator's users never exercised")
    cover.add_argument("url", nargs="?", default="http://127.0.0.1:8329", help="the emulator (default %(default)s)")
    cover.add_argument(
        "--format",
        default="table",
        choices=("table", "markdown", "json"),
        help="table (default), markdown (e.g. a CI job summary) or json",
    )
    cover.add_argument("--vendor", help="only this vendor")
    cover.add_argument("--tenant", help="only this tenant's")
    cover.add_argument(
        "--fail-under", type=float, metavar="PERCENT", help="exit 1 if the overall percentage is below PERCENT"
    )
    state = commands.add_parser("state", help="save a running emulator's whole state to a file, or load one into it")
    actions = state.add_subparsers(dest="action", required=True)
    for action, words in (
        ("export", "write the emulator's state (GET /_emulator/state) to FILE, or stdout with -"),
        ("import", "replace the emulator's state with FILE's (PUT /_emulator/state), or stdin's with -"),
    ):
        sub = actions.add_parser(action, help=words)
        sub.add_argument(
            "file", help="the snapshot file (JSON); - for standard " + ("output" if action == "export" else "input")
        )
        sub.add_argument("--url", default="http://127.0.0.1:8329", help="the running emulator (default %(default)s)")
    for sub in (validate, run):
        sub.add_argument("--log-level", default="warning", choices=("debug", "info", "warning", "error"))
    return parser


def _config(args: argparse.Namespace) -> Config:
    """Flags first, then the scenario's clock and seed, then the defaults."""
    from emulator.config import Config

    clock: dict[str, Any] = {}
    seed = None
    if args.scenario:
        from emulator.core.scenarios import load_files
        from emulator.vendors import VENDORS

        scenario = load_files(args.scenario, {v.name: v for v in VENDORS})
        clock, seed = scenario.clock, scenario.seed
    mode = args.clock or clock.get("mode") or "real"
    speed = args.speed if args.speed is not None else clock.get("speed", 1.0) if mode == "real" else 1.0
    start = args.start_time if args.start_time is not None else clock.get("start") if mode == "manual" else None
    if speed != 1.0 and mode == "manual":
        raise ValueError("--speed applies to the real clock only")
    if args.start_time is not None and mode != "manual":
        raise ValueError("--start-time applies to the manual clock only")
    return Config(
        host=args.host,
        port=args.port,
        clock=mode,
        speed=speed,
        start_time=start,
        seed=args.seed if args.seed is not None else seed,
        scenarios=tuple(args.scenario),
        journal_size=args.journal_size,
        max_upload_bytes=int(args.max_upload_mb * 1024 * 1024),
        data=args.data,
        retain_faxes=args.retain_faxes,
        retain_document_bytes=int(args.retain_documents_mb * 1024 * 1024),
        fetch_allow=tuple(args.allow_fetch),
        webhook_hosts=tuple(host for hosts in args.webhook_hosts for host in hosts),
        webhook_log_size=args.webhook_log_size,
        webhook_max_pending=args.webhook_max_pending,
        advance_wait=args.advance_wait,
        strict=args.strict,
        log_level=args.log_level,
        console=None if args.quiet else args.log_format,
    )


# Start-up (issue #18): `fax-emulator serve` executes 1.15 x the bare app's instructions from
# process start to listening (`python benchmarks/instructions.py --startup`; 1.34 and 1.25 in
# earlier rounds). What serving needs later is loaded at first use or by the warm-up thread
# (core/warmup.py), route regexes compile at first match (core.routing.LazyPatternResource), and
# the dataclasses made at import generate only what is used (each generated method is compiled
# with exec: no __repr__, __eq__ only where compared, frozen only where public, shared or
# compared). Of the ~168 million instructions left, making those 45 dataclasses (__init__
# mostly) is about 45 %, the command line's parser (argparse: every command's 50 options) ~13
# million. Note: a shell with PYTHONDONTWRITEBYTECODE=1 compiles every module at each start
# (run.py's SERVER_ENV drops it).
# Wall time on the quiet machine (run.py --only startup): x1.05 to x1.14 (target <= 1.2). If it
# grows again: the parser of the chosen command only, the vendors' ~20 module-level regexes
# compiled at first use, fewer dataclasses.
async def _serve(config: Config) -> None:
    from aiohttp import web

    from emulator.app import build_app
    from emulator.config import listens_everywhere, reachable_url
    from emulator.heap import FreezeAfterFullPass

    app = build_app(config)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    # start-up is over: what it made lives as long as the server, so the collector need never
    # walk it again (CPython's gc.freeze pattern); collecting resumes for what serving makes, and
    # each full pass then walks only what came since the last (emulator/heap.py)
    collector = FreezeAfterFullPass()
    collector.install()
    gc.enable()
    port = runner.addresses[0][1]
    base = reachable_url(config.host, port)
    print(f"fax-emulator listening on {base}", flush=True)
    from emulator import keys

    for vendor in app[keys.RUNTIME].vendors.values():
        print(f"  {vendor.title}: {base}{vendor.prefix}", flush=True)
    if listens_everywhere(config.host):  # no client can open a wildcard address: name loopback, say what else works
        print(
            f"  (it listens on every interface, --host {config.host!r}: from another machine or container,"
            " use this machine's name or address in place of the loopback address above)",
            flush=True,
        )
    warming = asyncio.create_task(_warm(list(app[keys.RUNTIME].vendors.values()), collector))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        warming.cancel()
        await runner.cleanup()
        collector.remove()


#: glibc's ``mallopt`` parameter, and the size from which a block is a mapping of its own
M_MMAP_THRESHOLD, MMAP_THRESHOLD = -3, 128 * 1024


def give_back_big_blocks() -> bool:
    """Fix glibc's mmap threshold at its default, 128 KiB, so that every block that size or
    larger is a mapping of its own, returned to the system when it is freed; True if set.

    glibc raises the threshold (up to 32 MiB) each time such a block is freed, and blocks under
    it then come from the heap, which keeps what is freed wherever something small still sits
    above it: after the soak's 40 MiB uploads (their chunks, their copies to a worker), the
    server kept 45-86 MB of freed heap for good; with the threshold fixed, 2 MB
    (benchmarks/soak.py, README "Soak"). Setting it stops the raising. Not on other C
    libraries (no ``mallopt``), nor when ``MALLOC_MMAP_THRESHOLD_`` is set: then its value holds."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


#: the most one socket read asks for, under MMAP_THRESHOLD (asyncio's selector transports ask
#: 256 KiB); aiohttp pauses reading a body at 128 KiB buffered, so a big upload reads as before
SOCKET_READ = 64 * 1024


def read_under_the_threshold() -> bool:
    """Make asyncio's socket transports read at most ``SOCKET_READ`` bytes at once; True if set.

    Each read is a bytes of the size asked for, shrunk to what came: at 256 KiB, over the mmap
    threshold ``give_back_big_blocks`` fixes, it was a mapping of its own, made, shrunk and
    unmapped on every request (``strace -c`` of Kazoo sends: one mmap, one mremap and one munmap
    a request, ~2.5 page faults a send; now none: README "Sends"). A class attribute, so process-wide
    as the threshold is; uvloop's transports keep their own buffer (untouched)."""
    from asyncio import selector_events

    transport = getattr(selector_events, "_SelectorSocketTransport", None)  # private: may go
    if transport is None or not isinstance(getattr(transport, "max_size", None), int):
        return False
    transport.max_size = min(transport.max_size, SOCKET_READ)
    return True


#: seconds after listening before warming up starts: a client's first requests (a readiness
#: check) are answered without a thread importing beside them
WARM_AFTER = 0.5


async def _warm(vendors: list[Vendor], collector: FreezeAfterFullPass) -> None:
    """Load, in a thread, what serving would load at first use on the loop (core/warmup.py);
    first, give big blocks back to the system once freed (``give_back_big_blocks``) and read
    sockets in blocks under that size (``read_under_the_threshold``)."""
    from emulator.core.warmup import warm

    try:
        await asyncio.sleep(WARM_AFTER)
        await asyncio.to_thread(give_back_big_blocks)
        read_under_the_threshold()
        await asyncio.to_thread(warm, vendors)
    except Exception:  # the emulator serves without it: each part is then loaded at first use
        logging.getLogger(__name__).exception("warming up failed")
        return
    collector.hold()  # what it loaded lives as long as the server, as start-up's objects do


def _loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop ``serve --loop`` asks for (None: asyncio's own); ValueError if not installed."""
    if name != "uvloop":
        return None
    try:
        import uvloop
    except ImportError:
        raise ValueError("--loop uvloop needs uvloop: pip install 'fax-emulator[uvloop]'") from None
    return uvloop.new_event_loop


def _validate(files: Sequence[str]) -> int:
    from emulator.core.scenarios import ScenarioError, load_files
    from emulator.vendors import VENDORS

    vendors = {v.name: v for v in VENDORS}
    failed = False
    for path in files:  # each on its own, so every file's problems are shown
        try:
            scenario = load_files([path], vendors)
        except ScenarioError as exc:
            failed = True
            print(exc, file=sys.stderr)
            continue
        what = f"{len(scenario.rules)} rules, {len(scenario.inbound)} inbound, {len(scenario.steps)} steps"
        print(f"{path}: valid ({what})")
    return 1 if failed else 0


def _list_scenarios() -> int:
    """Each ready-made scenario's name and the first sentence of its description."""
    from emulator.core.scenarios import builtin
    from emulator.core.scenarios.source import parse

    names = builtin.names()
    width = max(map(len, names), default=0)
    for name in names:
        document, _ = parse((builtin.FOLDER / f"{name}.yaml").read_text(encoding="utf-8"), name)
        summary = " ".join(str(document.data.get("description", "")).split()).split(". ")[0].rstrip(".")
        print(f"{name:<{width}}  {summary if len(summary) <= 90 else summary[:89] + '…'}")
    print(f"\nuse one with --scenario {builtin.PREFIX}NAME (serve) or {builtin.PREFIX}NAME (run, validate)")
    return 0


def _sample_document(path: str, pages: int) -> int:
    from emulator.sample_document import sample_pdf

    try:
        data = sample_pdf(pages)
        with open(path, "wb") as out:
            out.write(data)
    except (ValueError, OSError) as exc:
        print(f"fax-emulator: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ValueError) else 1
    print(f"{path}: a {pages}-page PDF ({len(data)} bytes)")
    return 0


def _coverage(args: argparse.Namespace) -> int:
    from emulator.core.coverage import render
    from emulator.testing.client import ControlClient, ControlError

    try:
        found = ControlClient(args.url.rstrip("/")).coverage(vendor=args.vendor, tenant=args.tenant)
    except (ControlError, OSError) as exc:
        print(f"fax-emulator: cannot read the coverage of {args.url}: {exc}", file=sys.stderr)
        return 2
    print(render(found, args.format), end="")
    if args.fail_under is not None and found["percent"] < args.fail_under:
        print(f"fax-emulator: coverage {found['percent']}% is below {args.fail_under:g}%", file=sys.stderr)
        return 1
    return 0


def _state(args: argparse.Namespace) -> int:
    """``state export`` / ``state import``: a snapshot between a running emulator and a file."""
    import json

    from emulator.testing.client import ControlClient, ControlError

    client = ControlClient(args.url.rstrip("/"), timeout=600)
    try:
        if args.action == "export":
            data = json.dumps(client.export_state()).encode()
            if args.file == "-":
                sys.stdout.buffer.write(data + b"\n")
            else:
                with open(args.file, "wb") as out:
                    out.write(data)
                print(f"{args.file}: the state of {args.url} ({len(data)} bytes)", file=sys.stderr)
            return 0
        if args.file == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as handle:
                raw = handle.read()
        held = client.import_state(raw)
        print(
            f"{args.url}: the state of {args.file} ({held['faxes']} faxes, {held['tenants']} tenants)", file=sys.stderr
        )
        return 0
    except ControlError as exc:
        print(f"fax-emulator: {args.url} refused it: {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"fax-emulator: {exc}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    # start-up (its imports included) allocates much and frees little: collecting meanwhile only
    # costs time (aiohttp's imports alone ~2 % more instructions). serve turns the collector back
    # on once it listens (_serve), the other commands as soon as their arguments are read
    gc.disable()
    try:
        return _command(argv)
    finally:
        gc.enable()  # whatever happened (main may be called in a test's process)


def _command(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command != "serve":
        gc.enable()
    from emulator.output import LogHandler

    logging.basicConfig(
        level=getattr(args, "log_level", "info").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        # serve's log never holds up its event loop (a stderr pipe nobody reads: emulator/output.py)
        handlers=[LogHandler(sys.stderr)] if args.command == "serve" else None,
    )
    if args.command == "validate":
        return _validate(args.files)
    if args.command == "scenarios":
        return _list_scenarios()
    if args.command == "sample-document":
        return _sample_document(args.file, args.pages)
    if args.command == "coverage":
        return _coverage(args)
    if args.command == "state":
        return _state(args)
    if args.command == "run":
        from emulator.runner import run_files

        return run_files(args.files, strict=args.strict, compose=args.compose)
    if args.command == "serve":
        from emulator.core.scenarios import ScenarioError

        try:
            config = _config(args)
            loop_factory = _loop_factory(args.loop)
        except ScenarioError as exc:
            print(exc, file=sys.stderr)
            return 1
        except ValueError as exc:
            print(f"fax-emulator: {exc}", file=sys.stderr)
            return 2
        # the data file's code (sqlite3 with it) only when there is one: start-up without it
        data_failure: tuple[type[Exception], ...] = ()
        if config.data is not None:
            from emulator.core.persist import DataFileError

            data_failure = (DataFileError,)
        try:
            with asyncio.Runner(loop_factory=loop_factory) as runner:
                runner.run(_serve(config))
        except ScenarioError as exc:  # e.g. accounts a vendor's own check refuses
            print(exc, file=sys.stderr)
            return 1
        except data_failure as exc:
            print(f"fax-emulator: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            print(f"fax-emulator: cannot listen on {config.host}:{config.port}: {exc}", file=sys.stderr)
            return 1
        return 0
    return 2
