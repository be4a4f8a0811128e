"""E-mails Imagicle would send, captured in the emulator's mailbox (imagicle.md §13, D17).

The vendor has no webhooks: it e-mails a transmission report when a fax it sent ends
(``notifyByEmail``, to ``notificationEmailAddress`` or the sender's own address) and
forwards a received fax to its user's Fax-to-Email address. Neither is sent; both are
listed by ``GET /_emulator/emails``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.core.store import Fax
from emulator.vendors.imagicle import lifecycle
from emulator.vendors.imagicle.state import of

if TYPE_CHECKING:
    from emulator.core.services import Services

NAME = "imagicle"
TRANSMISSION_REPORT = "transmission_report"
FAX_TO_EMAIL = "fax_to_email"


def _report_body(fax: Fax) -> str:
    name = of(fax).recipient_name
    lines = [
        f"Fax id: {fax.id}",
        f"Recipient: {name} <{fax.to}>" if name else f"Recipient: {fax.to}",
        f"Subject: {of(fax).subject or ''}",
        f"Status: {fax.status}",
        f"Pages: {fax.pages_sent} of {fax.pages}",
        f"Attempts: {fax.attempts}",
    ]
    reason = lifecycle.failure_reason(fax)
    if reason is not None:
        cause = lifecycle.q931_code(fax)
        lines.append(f"Failure reason: {reason}" + ("" if cause is None else f" (Q.931 cause {cause})"))
    return "\n".join(lines)


def on_transition(runtime: Services, fax: Fax, old: str | None, new: str) -> None:
    """When a fax ends: its transmission report, or its forward to the user's e-mail."""
    if not fax.terminal:
        return
    x = of(fax)
    if fax.direction == "outbound" and x.notify:
        runtime.mailbox.capture(
            time=runtime.now(),
            vendor=NAME,
            tenant=fax.tenant,
            kind=TRANSMISSION_REPORT,
            to=x.notify_to,
            subject=f"Fax to {fax.to}: {new}",
            body=_report_body(fax),
            fax_id=fax.id,
        )
    elif fax.direction == "inbound" and new == lifecycle.COMPLETED and x.email:
        runtime.mailbox.capture(
            time=runtime.now(),
            vendor=NAME,
            tenant=fax.tenant,
            kind=FAX_TO_EMAIL,
            to=x.email,
            subject=f"Fax from {fax.sender}",
            body=f"Fax id: {fax.id}\nPages: {fax.pages}",
            fax_id=fax.id,
        )
