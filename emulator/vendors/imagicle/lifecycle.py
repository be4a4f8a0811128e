"""Imagicle's status machine and how a fax's outcome reads (imagicle.md §6, §11; D10, D11).

Outbound: ``Queued -> InProgress -> Completed | Failed``; a failed attempt that may succeed
later goes back to ``Queued`` until the fax has had its ``attempts`` (the product "tries to
send the fax again if it did not succeed"). A document that cannot be converted fails at
the end of the first ``Queued``. ``Canceled`` (single l) is reached only through the
control API, as the vendor has no cancel endpoint. Inbound faxes are ``InProgress`` while
received, then ``Completed`` or ``Failed`` (see ``inbound.py``).

``Q931Code`` and ``failureReason`` come from the neutral outcome (``q931.py``), unless a
scenario's ``Result.native`` names a Q.931 cause number ("34").
"""

from __future__ import annotations

import re

from emulator.core.lifecycle import Machine
from emulator.core.outcomes import Result
from emulator.core.store import Fax
from emulator.vendors.imagicle import q931

QUEUED, IN_PROGRESS, COMPLETED, FAILED, CANCELED = "Queued", "InProgress", "Completed", "Failed", "Canceled"
STATUSES = (QUEUED, IN_PROGRESS, COMPLETED, FAILED, CANCELED)

MACHINE = Machine(
    prepare=(QUEUED,),
    transmit=IN_PROGRESS,
    success=COMPLETED,
    failure=FAILED,
    convert=QUEUED,
    requeue=QUEUED,
    cancelled=CANCELED,
    dwell={QUEUED: 2.0, IN_PROGRESS: 10.0},  # call set-up; then per_page for each page sent
    per_page=15.0,
)

_CAUSE_NUMBER = re.compile(r"[0-9]{1,3}")


def cause_of(result: Result) -> int:
    """The Q.931 cause an attempt ended with: a scenario's native number, else the outcome's."""
    native = result.native
    if native is not None and _CAUSE_NUMBER.fullmatch(native) and int(native) <= 127:
        return int(native)
    return q931.OUTCOME_CAUSE.get(result.outcome, 31)


def _last(fax: Fax) -> Result | None:
    """The result of the last attempt that ended (or the final result, e.g. a conversion failure)."""
    return fax.result or (fax.attempt_results[-1] if fax.attempt_results else None)


def q931_code(fax: Fax) -> int | None:
    """``Q931Code``: the cause a failed call gave; null otherwise.

    The vendor's own example (KB 413) is a ``Completed`` fax with ``"Q931Code": null``: null
    while no call has ended, once the fax is ``Completed``, and when no call was placed (a
    document that could not be converted). While a fax waits for a retry, or once it is
    ``Failed`` or ``Canceled`` after a failed call, it is that call's cause.
    """
    last = _last(fax)
    if last is None or fax.status == COMPLETED:
        return None
    cause = cause_of(last)
    return None if cause == q931.NO_CAUSE else cause


def _reason(fax: Fax, result: Result) -> str:
    template = q931.OUTCOME_REASON.get(result.outcome)
    if template is not None and (result.native is None or not _CAUSE_NUMBER.fullmatch(result.native)):
        return template.format(sent=result.pages(fax.pages), total=fax.pages)
    return q931.describe(cause_of(result))


def failure_reason(fax: Fax) -> str | None:
    """``failureReason``: why a ``Failed`` fax failed; null for every other status."""
    if fax.status != FAILED or fax.result is None:
        return None
    return _reason(fax, fax.result)


def detailed_status(fax: Fax) -> str | None:
    """``detailedStatus``: null (as in both vendor examples) except around a retry."""
    if fax.attempts == 0 or fax.direction != "outbound":
        return None
    if fax.status == QUEUED:
        last = fax.attempt_results[-1]
        return f"Attempt {fax.attempts} of {fax.max_attempts} failed ({_reason(fax, last)}); waiting to retry"
    if fax.status == IN_PROGRESS:
        return f"Attempt {fax.attempts + 1} of {fax.max_attempts}"
    return None
