"""Kazoo fax documents as Crossbar shows them (kazoo.md §7.5-§7.6, §8, §9.5, §11).

A fax's stored public fields live in its record's ``doc`` (``state.FaxState``); the machine's own state
(status, attempts, times, the monthly-database id once moved) is added here, in the
shape each endpoint uses: the job as saved (PUT), a listing row, the outgoing job with
its live status, the outbox/inbox document.
"""

from __future__ import annotations

import time
from typing import Any

from emulator.core.answers import json_bytes, json_loads
from emulator.core.cache import Cache
from emulator.core.outcomes import Result
from emulator.core.store import Fax
from emulator.vendors.kazoo import lifecycle
from emulator.vendors.kazoo.envelope import Written, gregorian, revision, written
from emulator.vendors.kazoo.state import of

MACHINE = lifecycle.MACHINE


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """A document's public fields (no ``_`` or ``pvt_`` keys), as ``kz_doc:public_fields``."""
    return {k: v for k, v in doc.items() if not k.startswith(("_", "pvt_"))}


def account_db(account_id: str, month: str | None = None) -> str:
    """The encoded account (or monthly) database name, e.g. ``account%2F76%2F00%2F…-201905``."""
    name = f"account%2F{account_id[:2]}%2F{account_id[2:4]}%2F{account_id[4:]}"
    return f"{name}-{month}" if month else name


def month_of(timestamp: float) -> str:
    return time.strftime("%Y%m", time.gmtime(timestamp))


def modified(fax: Fax) -> float:
    at = fax.last_entered_at
    return fax.created_at if at is None else at


def rev(fax: Fax) -> str:
    return revision(_revision_counter(fax), fax.id)


def _revision_counter(fax: Fax) -> int:
    """The document's revision number: every change to a fax document (a status change, an
    edit) makes a new one, as every write to a CouchDB document does."""
    return fax.statuses_entered + of(fax).edits


def doc(fax: Fax) -> dict[str, Any]:
    """Every public field of the fax document now."""
    x = of(fax)
    body = dict(x.doc)
    if fax.direction == "outbound":
        body["attempts"] = fax.attempts
    if x.tx_result is not None:
        body["tx_result"] = x.tx_result
    if x.retry_after is not None:
        body["retry_after"] = x.retry_after
    return body


def stored(fax: Fax) -> dict[str, Any]:
    """The fax document as stored (public fields and the private ones filters read)."""
    body = {**doc(fax), "pvt_created": gregorian(fax.created_at), "pvt_modified": gregorian(modified(fax))}
    if fax.direction == "outbound":
        body["pvt_job_status"] = fax.status
    return body


def modb_id(fax: Fax) -> str | None:
    """The ``YYYYMM-<id>`` id of a fax stored in a monthly database (outbox, inbox)."""
    return of(fax).modb_id


def saved_job(fax: Fax, revision_: str) -> dict[str, Any]:
    """The job as ``PUT /faxes`` saved it at ``revision_`` (``rev``, which its answer's ETag
    shows too), private fields included (kazoo.md §7.4 step 6)."""
    # ``doc``'s own copy, added to (a key it has already keeps its place, as in ``{**doc(fax), ...}``)
    body = doc(fax)
    body["id"] = body["_id"] = fax.id
    body["_rev"] = revision_
    body["pvt_type"] = "fax"
    body["pvt_job_status"] = fax.status
    body["pvt_created"] = gregorian(fax.created_at)
    body["pvt_modified"] = gregorian(modified(fax))
    body["pvt_account_id"] = fax.tenant
    body["pvt_account_db"] = "faxes"
    return body


def outgoing_row(fax: Fax) -> dict[str, Any]:
    """A ``GET /faxes/outgoing`` row: the ``faxes/list_by_account`` view value."""
    row = {
        "id": fax.id,
        "faxbox_id": of(fax).doc.get("faxbox_id"),
        "status": fax.status,
        "to": fax.to,
        "from": fax.sender,
        "attempts": fax.attempts,
        "created": gregorian(fax.created_at),
    }
    return {k: v for k, v in row.items() if v is not None}


def live_status(fax: Fax, now: float) -> str:
    """4.3's status of an outgoing job: while ``processing``, the worker's progress text."""
    if fax.status != MACHINE.transmit:
        return fax.status
    elapsed = now - modified(fax)
    setup = MACHINE.dwell[MACHINE.transmit]
    if elapsed < setup / 3:
        return "preparing"
    if elapsed < setup:
        return "negotiating"
    sent = int((elapsed - setup) // MACHINE.per_page)
    if sent == 0:
        return f"Fax negotiated at {lifecycle.TRANSFER_RATE}"
    return f"Sent Page {min(sent, fax.pages)} of {fax.pages}"


def outgoing_job(cache: Cache, fax: Fax, now: float) -> Written:
    """``GET /faxes/outgoing/{id}``: public fields, id, created and the live status, as JSON
    at the revision the document is at, with what its answer's envelope writes of them
    (``envelope.written``).

    A polled job is read far more often than it changes: it is serialised once per version
    of the fax (any change makes a new revision) and status shown (while ``processing``, the
    worker's progress text moves with time), and kept in the runtime's ``cache``.
    """
    found: Written = cache.view(fax, "kazoo.outgoing_job", _job_json, live_status(fax, now))
    return found


def _job_json(fax: Fax, status: str) -> Written:
    body = doc(fax)
    body["id"] = fax.id
    body["created"] = gregorian(fax.created_at)
    body["status"] = status
    return written(json_bytes(body), rev(fax))


def folder_row(fax: Fax) -> dict[str, Any]:
    """An outbox/inbox row: the full public document merged with the view value."""
    row = {
        **doc(fax),
        "id": modb_id(fax),
        "to": of(fax).doc.get("to_number"),
        "from": of(fax).doc.get("from_number"),
        "created": gregorian(fax.created_at),
    }
    if fax.direction == "outbound":  # received faxes have no pvt_job_status
        row["status"] = fax.status
    return row


def folder_doc(fax: Fax) -> dict[str, Any]:
    """``GET /faxes/{outbox,inbox}/{id}``: public fields, id and 4.3's ``_read_only``."""
    read_only: dict[str, Any] = {"created": gregorian(fax.created_at)}
    if fax.direction == "outbound":
        read_only["status"] = fax.status
    return {**doc(fax), "id": modb_id(fax), "_read_only": read_only}


def tx_result(fax: Fax, result: Result, now: float, problem: str | None = None) -> dict[str, Any]:
    """``tx_result`` as the 4.3 worker writes it for one attempt (kazoo.md §9.4-§9.5).

    The real keys come first; the schema's documented keys (``pages_sent``, ``fax_speed``…)
    are mirrored so clients written against either form work.
    """
    failure = lifecycle.failure_of(result)
    ok = result.outcome.ok
    pages = result.pages(fax.pages) if failure.kind == "fax_result" else 0
    text = problem if failure.kind == "bad_file" and problem else failure.text
    if failure.kind == "invalid_cid":  # io_lib:format("invalid fax cid number: ~s", [Number])
        text = f"{failure.text}: {of(fax).doc.get('from_number', '')}"
    body: dict[str, Any] = {"success": ok, "time_elapsed": int(now - fax.created_at)}
    if failure.kind == "fax_result":
        body.update(
            {
                "result_code": failure.hangup_code,
                "result_cause": failure.hangup_cause,
                "result_text": text,
                "ecm_used": False,
                "t38_used": False,
                "transferred_pages": str(pages),
                "total_pages": str(fax.pages),
                "bad_rows": "0",
                "transfer_rate": lifecycle.TRANSFER_RATE,
                "remote_station_id": lifecycle.REMOTE_STATION_ID,
            }
        )
        if of(fax).doc.get("fax_identity_number"):
            body["local_station_id"] = of(fax).doc["fax_identity_number"]
        if ok:
            body["pvt_delivered_date"] = gregorian(now)
    else:
        body.update({"result_code": failure.hangup_code, "result_text": text})
    body.update(
        {
            "pages_sent": pages,
            "fax_speed": int(lifecycle.TRANSFER_RATE) if failure.kind == "fax_result" else 0,
            "fax_bad_rows": 0,
            "fax_error_correction": False,
            "fax_receiver_id": lifecycle.REMOTE_STATION_ID if failure.kind == "fax_result" else "",
            "error_message": "" if ok else text,
        }
    )
    return body


def fax_info(fax: Fax, result: Result) -> dict[str, Any]:
    """A notification's ``fax_info``: hangup code and cause plus the switch's ``Fax-*`` fields."""
    failure = lifecycle.failure_of(result)
    called = failure.kind in ("fax_result", "originate")
    info: dict[str, Any] = {
        "fax_hangup_code": failure.hangup_code if called else 0,
        "fax_hangup_cause": failure.hangup_cause,
    }
    if failure.kind == "fax_result":
        fields = of(fax).doc
        info.update(
            {
                "fax_success": result.outcome.ok,
                "fax_result_code": failure.fax_code,
                "fax_result_text": failure.text,
                "fax_transferred_pages": str(result.pages(fax.pages)),
                "fax_total_pages": str(fax.pages),
                "fax_transfer_rate": lifecycle.TRANSFER_RATE,
                "fax_bad_rows": "0",
                "fax_ecm_used": False,
                "fax_t38_used": False,
                "fax_remote_station_id": lifecycle.REMOTE_STATION_ID,
                "fax_local_station_id": fields.get("fax_identity_number", ""),
                "fax_identity_name": fields.get("fax_identity_name", ""),
                "fax_identity_number": fields.get("fax_identity_number", ""),
                "fax_timezone": fields.get("fax_timezone", ""),
            }
        )
    return {k: v for k, v in info.items() if v not in ("", None)}


def view(runtime: Any, fax: Fax) -> dict[str, Any]:
    """The vendor view for the control API: the document where Crossbar shows it now."""
    if modb_id(fax) is not None:
        return folder_doc(fax)
    # json_loads: a text of the job holding a lone surrogate (a JSON escape) is written as its escape
    return json_loads(outgoing_job(runtime.cache, fax, runtime.now()).data)
