"""ISDN Q.931 cause values (ITU-T Q.850), as Imagicle reports them in ``Q931Code`` (imagicle.md §6).

``CAUSES`` names every value a fax call commonly ends with; ``OUTCOME_CAUSE`` is the
cause the emulator reports for each neutral outcome (docs/fidelity.md, Imagicle, D11).
"""

from emulator.core.outcomes import Outcome

NO_CAUSE = 0  # no call was placed (or none has ended yet)
NORMAL_CLEARING = 16

CAUSES: dict[int, str] = {
    1: "Unallocated (unassigned) number",
    2: "No route to specified transit network",
    3: "No route to destination",
    6: "Channel unacceptable",
    16: "Normal call clearing",
    17: "User busy",
    18: "No user responding",
    19: "No answer from user (user alerted)",
    20: "Subscriber absent",
    21: "Call rejected",
    22: "Number changed",
    27: "Destination out of order",
    28: "Invalid number format (address incomplete)",
    29: "Facility rejected",
    31: "Normal, unspecified",
    34: "No circuit/channel available",
    38: "Network out of order",
    41: "Temporary failure",
    42: "Switching equipment congestion",
    44: "Requested circuit/channel not available",
    47: "Resource unavailable, unspecified",
    50: "Requested facility not subscribed",
    57: "Bearer capability not authorized",
    58: "Bearer capability not presently available",
    63: "Service or option not available, unspecified",
    65: "Bearer capability not implemented",
    79: "Service or option not implemented, unspecified",
    88: "Incompatible destination",
    102: "Recovery on timer expiry",
    111: "Protocol error, unspecified",
    127: "Interworking, unspecified",
}

OUTCOME_CAUSE: dict[Outcome, int] = {
    Outcome.SUCCESS: NORMAL_CLEARING,
    Outcome.PARTIAL: NORMAL_CLEARING,  # the far end hung up mid-document: the call itself cleared normally
    Outcome.BUSY: 17,
    Outcome.NO_ANSWER: 19,
    Outcome.INVALID_NUMBER: 1,
    Outcome.REJECTED: 21,
    Outcome.NETWORK_ERROR: 38,
    Outcome.CONVERSION_FAILED: NO_CAUSE,  # never dialled
    Outcome.INSUFFICIENT_CREDIT: 50,
    Outcome.DESTINATION_NOT_SUPPORTED: 88,
    Outcome.INTERNAL_ERROR: 41,
}

#: failure reasons that are not simply the cause's text
OUTCOME_REASON: dict[Outcome, str] = {
    Outcome.PARTIAL: "Transmission interrupted after {sent} of {total} pages",
    Outcome.CONVERSION_FAILED: "The document could not be converted to fax format",
}


def describe(cause: int) -> str:
    """The cause's text (``Q.931 cause N`` for one not in the table)."""
    return CAUSES.get(cause, f"Q.931 cause {cause}")
