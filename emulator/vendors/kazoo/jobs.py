"""Outbound fax jobs: creation, resubmit/forward, and what happens when a job moves.

``PUT /faxes`` (and ``/faxes/outgoing``, and both under ``/faxboxes/{F}``) takes a JSON
envelope whose ``data.document.url`` the emulator fetches (loopback or allowed hosts only),
or a ``multipart/*`` body with the envelope as the JSON part and the document as the first
other part (kazoo.md §7.4). A document that cannot be fetched or read does not refuse the
job: as on Kazoo, the attempt fails with ``bad_file``. A finished job is moved to the
monthly database as ``YYYYMM-<jobid>`` with ``folder: outbox`` (§9.6), then notified.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from emulator.core.bodies import Part
from emulator.core.documents import PAGE_COUNTS, Document, DocumentError, intake_off_loop
from emulator.core.exchange import Gate
from emulator.core.fetch import FetchError, fetch
from emulator.core.memo import Remembered
from emulator.core.outcomes import Result
from emulator.core.pages import Terminal
from emulator.core.services import Services
from emulator.core.store import Fax
from emulator.vendors.kazoo import accounts, errors, lifecycle, notify, serialise, validation
from emulator.vendors.kazoo.auth import NAME
from emulator.vendors.kazoo.state import FaxState, of

DEFAULT_TIMEZONE = "America/Los_Angeles"  # Kazoo's system default timezone
#: faxbox field -> job field filled from it when the client did not send one (kazoo.md §7.2)
FAXBOX_DEFAULTS = (
    ("caller_name", "from_name"),
    ("caller_id", "from_number"),
    ("fax_header", "fax_identity_name"),
    ("fax_identity", "fax_identity_number"),
    ("fax_timezone", "fax_timezone"),
)
FAXBOX_RETRIES = 3  # a faxbox without ``retries`` gives its jobs 3
#: knm_converters' default E.164 rules: NANP, international prefixes, other long numbers
_E164 = (
    (re.compile(r"\+?1?([2-9][0-9]{2}[2-9][0-9]{6})"), "+1{0}"),
    (re.compile(r"(?:011|00)([0-9]*)"), "+{0}"),
    (re.compile(r"([2-9][0-9]{7,})"), "+{0}"),
)
_RECONCILABLE = re.compile(r"^(\+?1)?\d{10}$|^\+[2-9]\d{7,}$|^011\d*$|^00\d*$")


def normalize(number: str) -> str | None:
    """``number`` in E.164 if Kazoo can reconcile it, else None (``NORMALIZED`` remembers it)."""
    number = number.strip()
    for pattern, form in _E164:
        match = pattern.fullmatch(number)
        if match:
            number = form.format(match.group(1))
            break
    return number if _RECONCILABLE.fullmatch(number) else None


#: a number up to this long is remembered; a longer one is normalised each time (the schema
#: sets no length: a client's 1 MB numbers, each refused, were each kept in the memo)
REMEMBERED_NUMBER = 64
#: ``normalize``, remembered (``rt.cache.memos[NORMALIZED][number]``): a job's numbers are
#: normalised twice (its ``to_number`` when it is made, its ``from_number`` at each attempt),
#: each through two regular expressions
NORMALIZED = Remembered("kazoo.normalized", normalize, longest=REMEMBERED_NUMBER)


def _with_faxbox(data: Any, faxbox: dict[str, Any] | None) -> Any:
    if faxbox is None or not isinstance(data, dict):
        return data
    filled = dict(data)
    for source, target in FAXBOX_DEFAULTS:
        if target not in filled and faxbox.get(source) is not None:
            filled[target] = faxbox[source]
    filled.setdefault("retries", faxbox.get("retries", FAXBOX_RETRIES))
    filled.setdefault("faxbox_id", faxbox["_id"])
    return filled


def _checked(rt: Services, data: Any, uploaded: bool) -> dict[str, Any]:
    fields = validation.validate("faxes", data, remembered=rt.cache.memos[validation.VALIDATED])
    if not uploaded and "document" not in fields:
        raise errors.validation({"document.url": {"required": {"message": "add document url or upload a document"}}})
    to_number = rt.cache.memos[NORMALIZED][fields["to_number"]]  # (a string: the schema's)
    if to_number is None:
        raise errors.validation(
            {"document.to_number": {"required": {"message": "add a valid number to send the fax to"}}}
        )
    fields["to_number"] = to_number
    fields.pop("attempts", None)  # system-managed, forced to 0
    fields["fax_timezone"] = fields.get("timezone") or DEFAULT_TIMEZONE
    return fields


async def _document(rt: Services, fields: dict[str, Any], upload: Part | None) -> tuple[Document | None, str | None]:
    """The job's document, or the reason it cannot be used (the attempt then fails: bad_file)."""
    if upload is not None:
        data, name = upload.data, upload.filename or "original_file"
    else:
        spec = fields["document"]
        headers = {
            name: spec[key]
            for key, name in (("content_type", "Content-Type"), ("host", "Host"), ("referer", "Referer"))
            if spec.get(key)
        }
        # (a lone surrogate, from a JSON escape, is posted as "?": UTF-8 cannot carry it; docs/fidelity.md)
        body = spec.get("content", "").encode(errors="replace") if spec.get("method") == "post" else None
        try:
            fetched = await fetch(
                spec["url"],
                allow=rt.config.fetch_allow,
                method=spec.get("method", "get"),
                headers=headers,
                body=body,
                max_bytes=rt.config.max_upload_bytes,
            )
        except FetchError as exc:
            return None, str(exc)
        if fetched.status != 200:
            return None, f"failed to fetch {spec['url']}: HTTP {fetched.status}"
        data, name = fetched.data, spec["url"].rsplit("/", 1)[-1] or "original_file"
    try:
        return await intake_off_loop(rt.work, data, name, counts=rt.cache.memos[PAGE_COUNTS]), None
    except DocumentError as exc:
        return None, f"unable to convert the document: {exc.message}"


def _new_job(
    rt: Services, account_id: str, fields: dict[str, Any], documents: tuple[Document, ...], problem: str | None
) -> Fax:
    retries = fields.get("retries", lifecycle.DEFAULT_RETRIES)
    retries = retries if isinstance(retries, int) and not isinstance(retries, bool) else lifecycle.DEFAULT_RETRIES
    return Fax(
        id=rt.ids.hex(32),
        vendor=NAME,
        tenant=account_id,
        direction="outbound",
        to=str(fields.get("to_number", "")),
        sender=str(fields.get("from_number", "")),
        status="",
        created_at=rt.now(),
        pages=sum([d.pages for d in documents]) or 1,  # (a list: no generator)
        documents=documents,
        document_ok=problem is None,
        max_attempts=max(1, retries),
        retry_delay=lifecycle.RETRY_PERIOD,
        record=FaxState(doc=fields, problem=problem),
    )


async def submit(
    rt: Services, account_id: str, data: Any, upload: Part | None, faxbox: dict[str, Any] | None, gate: Gate | None
) -> Fax:
    """Check a new job (its ``data``, filled from the ``faxbox`` it is sent through), get its
    document (``upload``, or fetched from its ``document.url``) and submit it (kazoo.md §7.4)."""
    fields = _checked(rt, _with_faxbox(data, faxbox), upload is not None)
    document, problem = await _document(rt, fields, upload)
    return rt.submit(_new_job(rt, account_id, fields, (document,) if document else (), problem), gate)


def copy_job(rt: Services, source: Fax, overrides: Any, forward: bool, gate: Gate | None) -> Fax:
    """Resubmit an outbox fax or forward an inbox one as a new job (kazoo.md §7.8)."""
    fields = copy.deepcopy(serialise.doc(source))
    if isinstance(overrides, dict):
        fields.update(copy.deepcopy(overrides))  # Crossbar merges the overrides unvalidated
    for name in ("tx_result", "retry_after", "attempts", *(("rx_result",) if forward else ())):
        fields.pop(name, None)
    fax = _new_job(rt, source.tenant, fields, tuple(source.documents), of(source).problem)
    if not source.documents and not of(fax).problem:
        fax.document_ok = False
        of(fax).problem = "the fax has no attachment"
    rt.tenant(NAME, fax.tenant)
    rt.store.add(fax)
    rt.engine.record(fax, "resubmitting")
    return rt.start(fax, gate)


def on_transition(rt: Services, fax: Fax, old: str | None, new: str) -> None:
    """Write ``tx_result`` when an attempt ends; move and notify a finished job (§9.3, §9.6)."""
    machine = lifecycle.MACHINE
    if fax.direction != "outbound" or old != machine.transmit:
        return
    result = fax.result if fax.terminal else fax.attempt_results[-1]
    if result is None:
        return
    now = rt.now()
    x = of(fax)  # (changed within the engine's transition, which counts the change)
    x.tx_result = serialise.tx_result(fax, result, now, x.problem)
    x.retry_after = lifecycle.RETRY_PERIOD
    if fax.terminal:
        modb_id = f"{serialise.month_of(fax.created_at)}-{fax.id}"
        x.modb_id = modb_id
        x.doc["folder"] = "outbox"
        rt.store.alias(fax, modb_id)
        notify.outbound(rt, fax, result)


def owns_number(rt: Services, account_id: str, number: Any) -> bool:
    """Whether ``number`` is one of the account's own numbers (``fax_util:is_valid_caller_id``:
    ``knm_number:lookup_account`` finds the account the normalised number is assigned to).
    The emulator keeps no number database: an account owns every number Kazoo can reconcile,
    unless it is a declared account that lists its ``numbers``; then only those."""
    if not isinstance(number, str) or not number or (owned := rt.cache.memos[NORMALIZED][number]) is None:
        return False
    account = next((a for a in accounts.declared(rt) if a["account_id"] == account_id), None)
    if account is None or account["numbers"] is None:
        return True
    return owned in {normalize(n) for n in account["numbers"]}


def pre_dial(rt: Services, fax: Fax) -> Result | None:
    """The 4.3 worker's check before it dials (``fax_worker.erl`` ``maybe_ensure_valid_caller_id``):
    unless the job's ``ensure_valid_caller_id`` is there and not true (``kz_json:is_true``: only
    ``true`` or ``"true"``; absent, the system default ``true``), its ``from_number`` must be a
    number of the account, else the attempt fails with ``invalid fax cid number: <from_number>``."""
    if fax.direction != "outbound":
        return None
    doc = of(fax).doc
    if doc.get("ensure_valid_caller_id", True) not in (True, "true"):
        return None
    return None if owns_number(rt, fax.tenant, doc.get("from_number")) else lifecycle.INVALID_CID


def terminal(rt: Services, fax: Fax) -> Terminal:
    """What Kazoo's fax engine prints on the header line: the job's ``fax_identity_name`` (from
    the faxbox's ``fax_header``) and ``fax_identity_number`` (from its ``fax_identity``), else
    the caller id; a received fax carries the sending machine's number. Fine resolution."""
    doc = of(fax).doc
    if fax.direction == "inbound":
        return Terminal(fax.sender)
    name = str(doc.get("fax_identity_name") or "")
    number = str(doc.get("fax_identity_number") or doc.get("from_number") or fax.sender)
    return Terminal(f"{name}  {number}".strip())
