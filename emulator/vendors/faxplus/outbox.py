"""Sending a fax and the outbox (faxplus.md §3.2, §5.2, §6, §9).

``parse`` checks a ``PayloadOutbox`` completely (its JSON Schema, the documented limits,
the files, the sender numbers, the send time) before ``submit`` creates anything: one
core fax per distinct destination, each with a 32-hex outbox id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.core.documents import intake, make_pdf
from emulator.core.errors import Forbidden, Invalid, NotFound, PayloadTooLarge
from emulator.core.exchange import Gate
from emulator.core.store import Fax
from emulator.vendors.faxplus import accounts
from emulator.vendors.faxplus.accounts import User
from emulator.vendors.faxplus.context import check_schema
from emulator.vendors.faxplus.files import StoredFile, used
from emulator.vendors.faxplus.lifecycle import OUTBOX_STATUSES
from emulator.vendors.faxplus.serialise import parse_time
from emulator.vendors.faxplus.state import FaxState, of

if TYPE_CHECKING:
    from emulator.core.documents import Document
    from emulator.core.services import Services
    from emulator.core.store import Tenant

MAX_FILES = 10  # §8 too_many_files
MAX_DESTINATIONS = 4000  # §8 too_many_destinations
MAX_FAX_BYTES = 150 * 1024 * 1024  # §9: the files of one fax, in all
RETRY_DELAY_UNIT = 60.0  # seconds per unit of retry.delay (minutes; docs/fidelity.md)
NO_NUMBER = ("no_number", "NO_NUMBER")
_SENDER = re.compile(r"\+[0-9]{8,}")
_DESTINATION = re.compile(r"\+?[0-9]{3,20}")
_PUNCTUATION = re.compile(r"[\s().-]+")


@dataclass(slots=True)  # not frozen: a frozen dataclass sets each field through object.__setattr__ (~1 µs a send)
class Order:
    """A checked send request."""

    user: User
    src: str  # ``from`` as given
    senders: tuple[str, ...]  # the numbers faxes go out from, used in turn
    destinations: tuple[str, ...]
    files: tuple[StoredFile, ...]
    cover: Document | None
    cover_page: dict[str, Any] | None
    comment: dict[str, Any]
    options: dict[str, Any]  # in force: the sender's settings completed by what was given
    given_options: dict[str, Any]  # as the request gave them (the outbox item shows these)
    send_time: float | None
    return_ids: bool


def _senders(tenant: Tenant, user: User, src: str) -> tuple[str, ...]:
    if src in NO_NUMBER:
        return ("",)
    found = []
    for part in src.split(","):
        part = part.strip()
        number = part.split("*", 1)[0]
        if not _SENDER.fullmatch(number):
            raise Invalid(f"from: {part!r} is not a +E.164 fax number", field="from")
        if not accounts.may_send_from(tenant, user, number):
            raise Forbidden(f"from: {number} is not one of this user's fax numbers", code="number_not_owned")
        found.append(number)
    return tuple(dict.fromkeys(found))


def _destinations(to: list[str]) -> tuple[str, ...]:
    for index, number in enumerate(to):
        if not _DESTINATION.fullmatch(_PUNCTUATION.sub("", number)):
            raise Invalid(f"to[{index}]: {number!r} is not a fax number", field=f"to[{index}]")
    return tuple(dict.fromkeys(to))  # one fax per distinct destination


def _files(tenant: Tenant, paths: list[str]) -> tuple[StoredFile, ...]:
    stored: dict[str, StoredFile] = tenant.collection("files")
    found = []
    for index, path in enumerate(paths):
        if path not in stored:
            raise Invalid(
                f"files[{index}]: no uploaded file {path!r}; upload it first",
                field=f"files[{index}]",
                code="invalid_file",
            )
        found.append(stored[path])
    if sum([f.size for f in found]) > MAX_FAX_BYTES:  # (lists, here and below: no generator)
        raise PayloadTooLarge(f"the files of one fax total more than {MAX_FAX_BYTES // (1024 * 1024)} MB")
    return tuple(found)


def parse(runtime: Services, tenant: Tenant, user: User, raw: Any) -> Order:
    """Check a send request fully; nothing is stored here."""
    if isinstance(raw, dict):
        if isinstance(raw.get("to"), list) and len(raw["to"]) > MAX_DESTINATIONS:
            raise Invalid(f"more than {MAX_DESTINATIONS} destinations in to", code="too_many_destinations")
        if isinstance(raw.get("files"), list) and len(raw["files"]) > MAX_FILES:
            raise Invalid(f"more than {MAX_FILES} files in one fax", code="too_many_files")
    body = check_schema(runtime, "payload_outbox", raw)
    files = _files(tenant, body["files"])
    senders = _senders(tenant, user, body["from"])
    destinations = _destinations(body["to"])
    send_time = parse_time(body["send_time"], "send_time") if "send_time" in body else None
    comment = body.get("comment", {})
    if isinstance(comment, str):  # older clients send the text alone
        comment = {"text": comment}
    options = body.get("options", {})
    retry = {**user.settings["send_fax"]["retry"], **options.get("retry", {})}
    cover_page = body.get("cover_page")
    cover = None
    if cover_page is not None:
        lines = [
            "FAX",
            f"To: {cover_page['name_to']}",
            f"From: {cover_page['name_from']}",
            f"Subject: {cover_page['subject']}",
            *cover_page.get("flags", []),
            cover_page.get("message", ""),
        ]
        cover = intake(make_pdf(1, lines, title="cover page"), "cover.pdf")
    return Order(
        user=user,
        src=body["from"],
        senders=senders,
        destinations=destinations,
        files=files,
        cover=cover,
        cover_page=cover_page,
        comment={"tags": comment.get("tags", []), "text": comment.get("text", "")},
        options={
            "enhancement": options.get("enhancement", user.settings.get("should_enhance", False)),
            "retry": {"count": retry.get("count", 0), "delay": retry.get("delay", 0)},
        },
        given_options=options,
        send_time=send_time,
        return_ids=body.get("return_ids", False),
    )


def submit(runtime: Services, tenant: Tenant, order: Order, ip: str, gate: Gate | None) -> list[Fax]:
    """Start one core fax per destination; returns them in ``to`` order."""
    now = runtime.now()
    documents = ([order.cover] if order.cover else []) + [f.document for f in order.files]
    changes = [{"file_name": f.filename, "mime_type": f.mime_type, "size": float(f.size)} for f in order.files]
    retry = order.options["retry"]
    used(tenant, order.files)
    made = []
    for index, destination in enumerate(order.destinations):
        fax = Fax(
            id=runtime.ids.hex(32),
            vendor=accounts.VENDOR,
            tenant=tenant.id,
            direction="outbound",
            to=destination,
            sender=order.senders[index % len(order.senders)],
            status="",
            created_at=now,
            pages=sum([d.pages for d in documents]),
            documents=tuple(documents),
            document_ok=all([f.convertible for f in order.files]),
            max_attempts=retry["count"] + 1,
            retry_delay=retry["delay"] * RETRY_DELAY_UNIT,
            not_before=order.send_time if order.send_time is not None and order.send_time > now else None,
            record=FaxState(
                uid=order.user.uid,
                src=order.src,
                files=[f.path for f in order.files],
                file_changes=changes,
                comment_text=order.comment["text"],
                comment_tags=list(order.comment["tags"]),
                options=order.options,
                given_options=order.given_options,
                send_time=order.send_time if order.send_time is not None else now,
                scheduled=order.send_time,
                cover_page=order.cover_page,
                ip=ip,
            ),
        )
        made.append(runtime.submit(fax, gate))
    return made


def find(tenant: Tenant, user: User, outbox_id: str) -> Fax:
    """A pending outbox item of ``user`` (404 once it has left the outbox)."""
    fax = tenant.faxes.get(outbox_id)
    if (
        fax is None
        or fax.id != outbox_id
        or fax.direction != "outbound"
        or of(fax).uid != user.uid
        or fax.status not in OUTBOX_STATUSES
    ):
        raise NotFound(f"no outbox fax {outbox_id}")
    return fax


def update(runtime: Services, fax: Fax, body: dict[str, Any]) -> None:
    """Apply a checked ``PayloadOutboxModification``: the comment's text (§5.2)."""
    if "comment" in body:
        of(fax).comment_text = body["comment"]
        runtime.store.changed(fax)


def pending(tenant: Tenant, user: User) -> list[Fax]:
    """The user's outbox, oldest first."""
    return [
        f
        for k, f in tenant.faxes.items()
        if k == f.id and f.direction == "outbound" and of(f).uid == user.uid and f.status in OUTBOX_STATUSES
    ]
