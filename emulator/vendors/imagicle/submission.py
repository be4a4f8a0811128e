"""Submit Fax: the multipart body checked into a job, then one fax per recipient (imagicle.md §5, D2-D9).

The body is ``multipart/form-data`` with a ``jsondata`` part (found by name, whatever its
content type, with or without a filename) and attachment parts (every other part with a
filename, whatever its name). Everything is checked before anything is stored; a bad
request gets 400 (403 for ``sendAsUsername`` beyond the caller's level) and leaves no trace.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.core import contracts
from emulator.core.bodies import Form, json_value, too_deep
from emulator.core.documents import PAGE_COUNTS, Document, DocumentError, intake, intake_off_loop
from emulator.core.errors import Forbidden, Invalid
from emulator.core.exchange import Gate
from emulator.core.store import Fax
from emulator.vendors.imagicle import auth, options
from emulator.vendors.imagicle.state import FaxState

if TYPE_CHECKING:
    from emulator.core.services import Services

NAME = "imagicle"
JSONDATA = "jsondata"


# The classes a submission makes are not frozen: a frozen dataclass sets each field through
# object.__setattr__ (a 9-field one made in 0.88 µs, against 0.17 µs), several a send.
@dataclass(slots=True)
class Recipient:
    name: str  # first and last name joined by one space (the read side's "complete name")
    fax_number: str


@dataclass(slots=True)
class Job:
    """A checked submission: everything needed to create its faxes."""

    owner: str
    submitter: str
    subject: str | None
    recipients: tuple[Recipient, ...]
    documents: tuple[Document, ...]
    cover: str | None
    notify: bool
    notify_to: str | None

    @property
    def pages(self) -> int:
        return sum([d.pages for d in self.documents]) + (self.cover is not None)  # (a list: no generator)

    @property
    def size(self) -> int:
        return sum([d.size for d in self.documents])


@dataclass(slots=True)
class JsonData:
    """The jsondata part, read once for the contract checks and the job: its text (None: the
    body has none), and its value, or why the text is not JSON."""

    text: str | None
    value: Any = None
    problem: str | None = None  # the 400's message when the text is not JSON


def jsondata(form: Form) -> JsonData:
    """The jsondata part of ``form``: a field, or a file part of that name."""
    text = form.get(JSONDATA)
    if text is None:
        upload = form.file(JSONDATA)
        if upload is None:
            return JsonData(None)
        text = upload.data.decode("utf-8", "replace")
    try:
        return JsonData(text, json_value(text))
    except json.JSONDecodeError as exc:
        return JsonData(text, problem=f"jsondata is not valid JSON (line {exc.lineno}, column {exc.colno})")
    except (ValueError, RecursionError):
        return JsonData(text, problem="jsondata is not valid JSON")


def _jsondata(runtime: Services, part: JsonData) -> dict[str, Any]:
    text, data = part.text, part.value
    if text is None:
        raise Invalid("the multipart body has no jsondata part", field=JSONDATA)
    if part.problem is not None:
        raise Invalid(part.problem, field=JSONDATA)
    if too_deep(text, data):
        raise Invalid("jsondata is not valid JSON", field=JSONDATA)
    violations = contracts.remembered(runtime.cache, NAME, "jsondata", data, text)
    if violations:  # the contract checks record every one of them; the vendor names the first
        raise Invalid(f"jsondata is not valid: {violations[0].message.removeprefix('$.')}", field=JSONDATA)
    return data


def checked_instance(instance: Any, part: JsonData) -> Any:
    """``read_form``'s instance of the form as the contract checks see it: a jsondata field's
    text replaced by its value (``part``'s, read once), when it is JSON; else a string, which
    the schema reports. A jsondata file part stays as ``read_form`` shows a file."""
    if part.problem is None and part.text is not None and instance.get(JSONDATA) == part.text:
        instance[JSONDATA] = part.value
    return instance


def _name(entry: dict[str, Any]) -> str:
    if entry.get("firstName") or entry.get("lastName"):
        return " ".join(part.strip() for part in (entry.get("firstName"), entry.get("lastName")) if part).strip()
    return (entry.get("name") or "").strip()


def _recipients(data: dict[str, Any], directories: dict[str, list[dict[str, Any]]]) -> tuple[Recipient, ...]:
    listed = [Recipient(_name(r), r["faxNumber"].strip()) for r in data.get("recipients") or ()]
    directory = data.get("speedyDirectoryName")
    if directory:
        if directory not in directories:
            raise Invalid(
                f"speedyDirectoryName: there is no Speedy directory {directory!r}", field="speedyDirectoryName"
            )
        listed += [Recipient(_name(c), c["faxNumber"].strip()) for c in directories[directory] if c.get("faxNumber")]
    if not listed:
        raise Invalid("recipients: at least one recipient is required", field="recipients")
    return tuple(listed)


async def _documents(runtime: Services, form: Form, body: str | None, accept: tuple[str, ...]) -> tuple[Document, ...]:
    documents = []
    if body and body.strip():  # "if null/empty the multipart must carry at least one valid attachment"
        try:
            documents.append(intake(body.encode("utf-8", "replace"), "body.txt", accept=("text",)))
        except DocumentError as exc:
            raise Invalid(f"body cannot be faxed: {exc.message}", field="body") from None
    for upload in form.files:
        if upload.name == JSONDATA:
            continue
        try:
            documents.append(
                await intake_off_loop(
                    runtime.work, upload.data, upload.filename, accept=accept, counts=runtime.cache.memos[PAGE_COUNTS]
                )
            )
        except DocumentError as exc:
            raise Invalid(f"unsupported attachment {upload.filename!r}: {exc.message}", field=upload.name) from None
    if not documents:
        raise Invalid("the fax has no body text and no attachment", field="body")
    return tuple(documents)


async def parse(runtime: Services, user: auth.User, form: Form, part: JsonData) -> Job:
    """The checked job of ``form`` and its jsondata ``part``, or the vendor's 400/403 for the
    first thing wrong."""
    if not user.send:
        raise Forbidden(f"sending faxes is disabled for user {user.name}")
    data = _jsondata(runtime, part)
    owner = auth.sender(runtime, user, data.get("sendAsUsername"))
    opts = options.of(runtime)
    recipients = _recipients(data, opts["directories"])
    notify = bool(data.get("notifyByEmail"))
    notify_to = (data.get("notificationEmailAddress") or "").strip() or None
    if notify and notify_to is not None and (notify_to.count("@") != 1 or " " in notify_to):
        raise Invalid(
            f"notificationEmailAddress: {notify_to!r} is not an e-mail address", field="notificationEmailAddress"
        )
    if notify and notify_to is None:
        account = auth.declared(runtime, owner)
        notify_to = account["email"] if account else None  # the sender's own address, if it has one
    cover_name = (data.get("coverPageName") or "").strip().casefold()
    cover = next((c for c in opts["cover_pages"] if c.casefold() == cover_name), None)  # unknown: no cover
    documents = await _documents(runtime, form, data.get("body"), tuple(opts["accept"]))
    return Job(
        owner, user.name, data.get("subject"), recipients, documents, cover, notify, notify_to if notify else None
    )


def submit(runtime: Services, job: Job, gate: Gate | None) -> list[Fax]:
    """One fax per recipient, ids ``<server>_<job guid>_<index>`` in recipient order (D9)."""
    opts = options.of(runtime)
    server, token, now = opts["server_name"], runtime.ids.uuid4(), runtime.now()
    owner = auth.declared(runtime, job.owner)
    sender = (owner or {}).get("faxNumber") or job.owner
    pages, size, documents = job.pages, job.size, tuple(job.documents)  # the same for every recipient
    faxes = []
    for index, recipient in enumerate(job.recipients):
        fax = Fax(
            id=f"{server}_{token}_{index}",
            vendor=NAME,
            tenant=job.owner,
            direction="outbound",
            to=recipient.fax_number,
            sender=sender,
            status="",
            created_at=now,
            pages=pages,
            documents=documents,
            max_attempts=opts["attempts"],
            retry_delay=float(opts["retry_delay"]),
            record=FaxState(
                server=server,
                size=size,
                subject=job.subject,
                index=index,
                recipient_name=recipient.name,
                submitter=job.submitter,
                cover=job.cover,
                notify=job.notify,
                notify_to=job.notify_to,
            ),
        )
        faxes.append(runtime.submit(fax, gate))
    return faxes
