"""Imagicle options: switches for what the vendor's documents leave open (imagicle.md §14).

Set per emulator with ``PATCH /_emulator/vendors/imagicle/options`` (shape:
``schemas/imagicle/options.json``); each choice and its source is in docs/fidelity.md.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from emulator.core import contracts
from emulator.core.errors import Invalid
from emulator.vendors.imagicle import times

if TYPE_CHECKING:
    from emulator.core.services import Services

NAME = "imagicle"

DEFAULTS: dict[str, Any] = {
    "detail_envelope": "documented",  # D5: outbound flat (its example), inbound wrapped (its example)
    "outbound_list_key": "faxList",  # D6: the outbound example's spelling
    "inbound_list_key": "FaxList",  # D6: the inbound table's spelling
    "submit_status": 200,  # D1: the client accepts 200, 201 and 202
    "accept": ["pdf", "tiff", "text"],  # D8
    "server_name": "IAS-N1",  # §10: the node in the vendor's outbound example
    "timezone": "UTC",  # D10: the server's local zone
    "attempts": 3,  # attempts in all, the first included
    "retry_delay": 120.0,  # seconds in Queued between attempts
    "directories": {},  # Speedy directory name -> contacts
    "cover_pages": [],  # cover page names (without .COV) that exist
    "catch_all_user": None,  # §3: receives faxes to numbers no receiving user owns
}


def check(options: dict[str, Any]) -> dict[str, Any]:
    """The complete options: defaults for what ``options`` leaves out; Invalid naming a bad one."""
    merged = copy.deepcopy({**DEFAULTS, **options})
    violations = contracts.check(NAME, "options", merged)
    if violations:
        first = violations[0]
        raise Invalid(f"bad option {first.message}", field=first.path.removeprefix("$.").split(".")[0])
    times.zone(merged["timezone"])
    return merged


def of(runtime: Services) -> dict[str, Any]:
    """This emulator's current Imagicle options."""
    return runtime.options[NAME]
