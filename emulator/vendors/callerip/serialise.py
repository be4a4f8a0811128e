"""CallerIP JSON bodies (callerip.md §4): ``{uuid, status}`` on send, ``{status}`` on status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.core.answers import json_bytes
from emulator.core.memo import Remembered
from emulator.core.pages import Terminal
from emulator.core.store import Fax

if TYPE_CHECKING:
    from emulator.core.services import Services


def sent(fax: Fax) -> dict[str, Any]:
    return {"uuid": fax.id, "status": fax.history[0][1]}


def status(fax: Fax) -> dict[str, Any]:
    return {"status": fax.status}


def status_json(runtime: Services, fax: Fax) -> bytes:
    """``status`` as JSON text, made once per status (the poll's answer: ``json_text_response``)."""
    return runtime.cache.memos[STATUS_JSON][fax.status]


def _status_json(status: str) -> bytes:
    return json_bytes({"status": status})


#: a status's JSON answer, remembered (``runtime.cache.memos[STATUS_JSON]``)
STATUS_JSON = Remembered("callerip.status", _status_json)


def view(runtime: Any, fax: Fax) -> dict[str, Any]:
    return status(fax)


def terminal(runtime: Services, fax: Fax) -> Terminal:
    """CallerIP prints its fax line on the header: the line's name when accounts declare one
    (``{token, line}``), else only "CallerIP" (an undeclared line is named by its token,
    which a page must not show). Fine resolution."""
    declared = {a["line"] for a in runtime.accounts.get("callerip", []) if a["line"] != a["token"]}
    return Terminal(f"CallerIP  {fax.tenant}" if fax.tenant in declared else "CallerIP")
