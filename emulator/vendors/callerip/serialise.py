"""CallerIP JSON bodies (callerip.md §4): ``{uuid, status}`` on send, ``{status}`` on status."""

from typing import Any

from emulator.core.store import Fax


def sent(fax: Fax) -> dict[str, Any]:
    return {"uuid": fax.id, "status": fax.history[0][1]}


def status(fax: Fax) -> dict[str, Any]:
    return {"status": fax.status}


def view(runtime: Any, fax: Fax) -> dict[str, Any]:
    return status(fax)
