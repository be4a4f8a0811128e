"""What FAX.PLUS sends on its own (faxplus.md §7): its webhook callbacks.

When an outgoing fax ends, with any status, every ``fax_sent`` hook (``hooks.py``, the
registrations) gets a ``POST`` of ``{"hook": {...}, "data": {...}}``; an inbound fax fires
``fax_received`` the same way. ``data`` spells the numbers both ways (``from``/``to`` as DOC, ``from_number``/
``to_number`` as the SDK model). Delivery goes through the engine's dispatcher with
``POLICY``, changed by the ``webhook_retry`` option (the reference documents no retries;
docs/fidelity.md records the choice).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from emulator.core.webhooks import RetryPolicy
from emulator.vendors.faxplus.hooks import EVENTS, hooks
from emulator.vendors.faxplus.serialise import file_name, timestamp
from emulator.vendors.faxplus.state import of

if TYPE_CHECKING:
    from emulator.core.services import Services
    from emulator.core.store import Fax

__all__ = ["EVENTS", "POLICY", "notify", "payload"]  # EVENTS: what it sends (hooks.py registers them)
#: transport errors and 5xx are retried 1 min after the first attempt, then at doubling
#: intervals up to one an hour, for 24 h (the last attempt at 24 h): a receiver that is
#: down for hours still gets the webhook within an hour of coming back
POLICY = RetryPolicy(
    attempts=100, delay=60.0, factor=2.0, max_delay=3600.0, give_up=86400.0, retry_5xx=True, timeout=10.0
)
NAME = "faxplus"


def payload(fax: Fax, event: str, target: str, now: float) -> dict[str, Any]:
    """The callback body of §7 for a finished fax record."""
    x = of(fax)
    return {
        "hook": {"id": x.attempt_id, "event": event, "event_time": timestamp(now), "target": target},
        "data": {
            "id": x.record_id,
            "uid": x.uid,
            "pages": fax.pages,
            "from": fax.sender,
            "to": fax.to,
            "from_number": fax.sender,
            "to_number": fax.to,
            "start_time": timestamp(x.date),
            "file": x.file,
            "file_name": file_name(fax),
            "cost": x.cost,
            "status": fax.status,
        },
    }


def notify(runtime: Services, fax: Fax) -> None:
    """Queue the event of a finished fax to every hook of its account that wants it."""
    event = "fax_sent" if fax.direction == "outbound" else "fax_received"
    tenant = runtime.store.tenants[(fax.vendor, fax.tenant)]
    now = runtime.now()
    policy = POLICY.but(runtime.options[NAME]["webhook_retry"])
    for registration in list(hooks(tenant).values()):
        if registration["event"] != event:
            continue
        body = json.dumps(payload(fax, event, registration["target"], now)).encode()
        runtime.dispatcher.deliver(
            vendor=fax.vendor,
            tenant=fax.tenant,
            event=event,
            url=registration["target"],
            body=body,
            policy=policy,
            fax_id=of(fax).record_id,
            schema="webhook_callback",
        )
