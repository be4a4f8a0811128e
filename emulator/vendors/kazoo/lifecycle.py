"""Kazoo's outbound fax job machine (kazoo.md §9) and what each outcome looks like.

``pending -> locked -> processing -> completed | failed`` (the 4.3 worker marks a claimed
job ``processing``). A failed attempt goes back to ``pending`` while ``attempts <
retries`` (``retries`` is the total number of attempts, 0 acting as 1) and waits the
300 s ``fax.default_retry_period``. Kazoo retries every failure except a crashed worker,
which forces the retries to 0 (§9.4).

``RESULTS`` says how the worker would have recorded each neutral outcome: a fax-engine
result (a call happened), a rejected originate (no call), a document that could not be
fetched or converted (``bad_file``), or a crashed worker. ``REFUSALS`` are the worker's own
refusals to dial (``jobs.pre_dial``): a caller id the account does not own (``invalid_cid``).
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.core.lifecycle import Machine
from emulator.core.outcomes import Outcome, Result

RETRY_PERIOD = 300  # fax.default_retry_period
DEFAULT_RETRIES = 1  # the faxes schema's default for ``retries``


@dataclass(frozen=True, slots=True, repr=False)
class Failure:
    """How one outcome is written into ``tx_result`` and the notification's ``fax_info``."""

    kind: str  # "fax_result" (the call happened) | "originate" | "bad_file" | "crash" | "invalid_cid"
    hangup_code: int  # SIP code: Hangup-Code of the call, or the originate Response-Code (invalid_cid: 400)
    hangup_cause: str
    text: str  # result_text
    fax_code: str = ""  # the fax engine's own Fax-Result-Code (fax_result only)


RESULTS: dict[Outcome, Failure] = {
    Outcome.SUCCESS: Failure("fax_result", 200, "NORMAL_CLEARING", "OK", "0"),
    Outcome.PARTIAL: Failure("fax_result", 200, "NORMAL_CLEARING", "The call dropped prematurely", "49"),
    Outcome.REJECTED: Failure("fax_result", 200, "NORMAL_CLEARING", "Timed out waiting for initial communication", "2"),
    Outcome.BUSY: Failure("originate", 486, "USER_BUSY", "USER_BUSY"),
    Outcome.NO_ANSWER: Failure("originate", 480, "NO_ANSWER", "NO_ANSWER"),
    Outcome.INVALID_NUMBER: Failure("originate", 404, "UNALLOCATED_NUMBER", "UNALLOCATED_NUMBER"),
    Outcome.NETWORK_ERROR: Failure("originate", 502, "NETWORK_OUT_OF_ORDER", "NETWORK_OUT_OF_ORDER"),
    Outcome.INSUFFICIENT_CREDIT: Failure("originate", 403, "OUTGOING_CALL_BARRED", "OUTGOING_CALL_BARRED"),
    Outcome.DESTINATION_NOT_SUPPORTED: Failure("originate", 404, "NO_ROUTE_DESTINATION", "NO_ROUTE_DESTINATION"),
    Outcome.CONVERSION_FAILED: Failure("bad_file", 0, "", "unable to convert the document to a fax"),
    Outcome.INTERNAL_ERROR: Failure("crash", 500, "", "process terminated. please contact your support for details"),
}

#: fax_worker.erl ensure_valid_caller_id: the job's ``from_number`` is not a number of the
#: account, so the worker fails the attempt before it dials (no call: ``pages_sent`` 0,
#: ``fax_hangup_code`` 0). Neutrally an invalid number (the sender's); retried like any failure.
INVALID_CID = Result(
    Outcome.INVALID_NUMBER,
    pages_sent=0,
    rule="Kazoo ensure_valid_caller_id: the caller id is not a number of the account",
)
#: release_failed_job('invalid_cid', ...): result_code 400, "invalid fax cid number: <from_number>"
REFUSALS: dict[Result, Failure] = {INVALID_CID: Failure("invalid_cid", 400, "", "invalid fax cid number")}


def failure_of(result: Result) -> Failure:
    """How the worker writes ``result``: its own refusal if it refused to dial, else the outcome's."""
    return REFUSALS.get(result) or RESULTS[result.outcome]


#: the 4.3 worker's speed and station ids, as the switch reports them
TRANSFER_RATE = "14400"
REMOTE_STATION_ID = "+1 555 000 0000"

MACHINE = Machine(
    prepare=("pending", "locked"),
    transmit="processing",
    success="completed",
    failure="failed",
    # the 4.3 scheduler claims pending jobs every 5 s; originate and negotiation take ~15 s
    dwell={"pending": 5.0, "locked": 1.0, "processing": 15.0},
    per_page=30.0,  # 14400 bps, about half a minute a page
    requeue="pending",
    retry=frozenset(o for o in Outcome if o not in (Outcome.SUCCESS, Outcome.INTERNAL_ERROR)),
)
