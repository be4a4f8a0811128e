"""FAX.PLUS webhook registrations (faxplus.md §3.4, §5.4): what ``/hooks`` keeps.

Hooks belong to the account (tenant) of the token, one event per registration; what is
sent to them when a fax ends is ``notify.py``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from emulator.core.errors import Invalid, NotFound

if TYPE_CHECKING:
    from emulator.core.services import Services
    from emulator.core.store import Tenant

EVENTS = ("fax_received", "fax_sent")  # WebhookEventType (§4)


def hooks(tenant: Tenant) -> dict[str, dict[str, str]]:
    return tenant.collection("hooks")


def check_event(event: str | None) -> str:
    if event not in EVENTS:
        raise Invalid(f"event must be one of {', '.join(EVENTS)}, not {event!r}", field="event")
    return event


def check_target(target: str) -> str:
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(f"target must be an http(s) URL, not {target!r}", field="target")
    return target


def create(runtime: Services, tenant: Tenant, target: str, event: str) -> str:
    """Register a hook (checked by the caller); returns its 24-hex id."""
    hook_id = runtime.ids.hex(24)
    hooks(tenant)[hook_id] = {"target": target, "event": event}
    return hook_id


def delete(tenant: Tenant, hook_id: str) -> None:
    if hooks(tenant).pop(hook_id, None) is None:
        raise NotFound(f"no webhook {hook_id}")
