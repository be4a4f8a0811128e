"""`fax-emulator serve` with one part of a request's work taken away, for
``benchmarks/read_cost.py`` to measure what that part costs:

    python benchmarks/served_without.py VARIANT [--body B] [--header 'Name: value' ...] -- serve ARGS...

VARIANT is one of ``VARIANTS``: ``served`` (nothing taken away), ``no-journal``
(``Journal.record`` does nothing), ``no-journal-check`` (nor does any route's contract check),
``floor`` (a route of the emulator's own app, ``/floor/...``, answers ``--body`` and the
``--header``s as the bare app does). It imports only what ``serve`` does and the bare app's
handler, so the process is the one users start but for the part taken away.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bare_app import fixed_answer, parsed_headers

#: each variant and its name in ``read_cost.py``'s report, in the order it measures them
VARIANTS = {
    "served": "served",
    "no-journal": "no journal",
    "no-journal-check": "no journal, no check",
    "floor": "floor",
}
#: where the floor answers the bare app's fixed answer (under no vendor's prefix)
FLOOR = "/floor"


def _unchecked(request: Any, response: Any) -> None:
    """A route's contract check that checks nothing."""


def _unrecorded(self: Any, *fields: Any, **named: Any) -> None:
    """A journal entry that is not made."""


def take_away(variant: str, body: bytes, headers: dict[str, str]) -> None:
    """Take ``variant``'s part away from the emulator, before its app is built."""
    if variant in ("no-journal", "no-journal-check"):
        from emulator.core.journal import Journal

        Journal.record = _unrecorded  # type: ignore[method-assign]
    if variant == "no-journal-check":
        from emulator.core.contract_checks import ContractChecker

        ContractChecker.for_route = lambda self, vendor, operation, contract: _unchecked  # type: ignore[method-assign]
    if variant == "floor":
        from aiohttp import web

        import emulator.app

        build = emulator.app.build_app

        def with_floor(config: Any) -> web.Application:
            app = build(config)
            app.router.add_route("*", FLOOR + "/{tail:.*}", fixed_answer(body, headers))
            return app

        emulator.app.build_app = with_floor  # (`serve` imports it when it starts)


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    split = given.index("--") if "--" in given else len(given)  # this script's arguments, then serve's
    parser = argparse.ArgumentParser(usage=__doc__.split("\n\n")[1].strip())
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument("--body", default="")
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args(given[:split])
    take_away(args.variant, args.body.encode(), parsed_headers(args.header))
    from emulator import cli

    return cli.main(given[split + 1 :])


if __name__ == "__main__":
    raise SystemExit(main())
