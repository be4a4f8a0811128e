"""FAX.PLUS outbox machine and fax statuses (faxplus.md §4, §6.1).

Each destination of a send is one core fax that runs through the four ``OutboxStatus``
values ``submitted -> converting -> scheduled_for_sending -> sending``. When it ends it
leaves the outbox and becomes a fax record whose status is one of the 23 ``FaxStatus``
values, chosen from the neutral outcome (``STATUSES``) or named directly by a scenario
(every one of the 23 is in ``native``).

``scheduled_for_sending`` is also where a fax waits for a future ``send_time`` and, after
a failed attempt, for the next retry (``options.retry``). A deleted outbox item ends in
the internal status ``cancelled``, which no FAX.PLUS response ever shows.
"""

from emulator.core.lifecycle import Machine
from emulator.core.outcomes import Outcome

OUTBOX_STATUSES = ("submitted", "converting", "scheduled_for_sending", "sending")

#: every FaxStatus of SDK 3.0.5, in the SDK's order (§4); any other value makes the SDK raise
FAX_STATUSES = (
    "success",
    "partially_sent",
    "partially_received",
    "insufficient_credit",
    "failed",
    "failed_internal_process_error",
    "failed_user_busy",
    "failed_no_answer",
    "failed_unallocated_number",
    "failed_office_converter_issue",
    "failed_separate_file_pages_issue",
    "failed_render_header_issue",
    "failed_invalid_number_format",
    "failed_mimetype_not_supported",
    "failed_destination_not_supported",
    "failed_image_preparation",
    "failed_to_send",
    "failed_normal_temporary_failure",
    "failed_unknown_converter_issue",
    "failed_normal_clearing",
    "failed_convert_to_tiff_issue",
    "failed_fs_49",
    "failed_fs_2",
)

#: neutral outcome -> FaxStatus (docs/fidelity.md, FAX.PLUS section, explains each choice)
STATUSES = {
    Outcome.PARTIAL: "partially_sent",
    Outcome.BUSY: "failed_user_busy",
    Outcome.NO_ANSWER: "failed_no_answer",
    Outcome.INVALID_NUMBER: "failed_unallocated_number",
    Outcome.REJECTED: "failed_fs_2",  # answered, but no fax handshake (T.30 "T0 expired")
    Outcome.NETWORK_ERROR: "failed_normal_temporary_failure",
    Outcome.CONVERSION_FAILED: "failed_convert_to_tiff_issue",
    Outcome.INSUFFICIENT_CREDIT: "insufficient_credit",
    Outcome.DESTINATION_NOT_SUPPORTED: "failed_destination_not_supported",
    Outcome.INTERNAL_ERROR: "failed_internal_process_error",
}

CANCELLED = "cancelled"  # internal only: a deleted outbox item, hidden from every endpoint

#: human text for ``Fax.description`` (paraphrasing the status table of DOC /concepts/fax)
DESCRIPTIONS = {
    "success": "OK",
    "partially_sent": "The first pages were sent, then the call dropped",
    "partially_received": "The first pages were received, then the call dropped",
    "insufficient_credit": "Not enough credit to send the pages",
    "failed_user_busy": "The destination was busy",
    "failed_no_answer": "No answer at the destination",
    "failed_unallocated_number": "Invalid number",
    "failed_invalid_number_format": "Invalid number format",
    "failed_destination_not_supported": "Destination not supported",
    "failed_to_send": "The platform was busy; try again",
    "failed_normal_temporary_failure": "Temporary network failure",
    "failed_normal_clearing": "The destination was busy",
}

MACHINE = Machine(
    prepare=("submitted", "converting", "scheduled_for_sending"),
    transmit="sending",
    success="success",
    failure="failed",
    convert="converting",
    requeue="scheduled_for_sending",
    hold="scheduled_for_sending",
    cancelled=CANCELLED,
    # DOC §9: a page takes 30-60 s to transmit; the call set-up takes 15 s
    dwell={"submitted": 1.0, "converting": 5.0, "scheduled_for_sending": 2.0, "sending": 15.0},
    per_page=45.0,
    statuses=STATUSES,
    native=frozenset(FAX_STATUSES),
)


def describe(status: str) -> str:
    """``Fax.description`` for a status."""
    return DESCRIPTIONS.get(status, "Failed" if status.startswith("failed") else status)
