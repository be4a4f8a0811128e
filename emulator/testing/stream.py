"""Reading ``GET /_emulator/events`` from synchronous code, and waiting on it.

``EventStream`` is a server-sent-events reader on ``http.client`` (stdlib only, like the
control client): it owns its socket, so every read can be bounded by the time a caller
still has. ``wait_for_fax`` and ``wait_for_webhook`` open a stream *before* they look at the
current state, so nothing that happens in between is missed, then read until the state
they want shows up (a ``dropped`` event makes them look again).
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from emulator.testing.records import ClockState, FaxRecord, WebhookDelivery


class ControlClient(Protocol):
    """What a stream and the waits use of ``client.ControlClient`` (which imports this module)."""

    url: str
    timeout: float

    @staticmethod
    def _error(status: int, payload: bytes, method: str, path: str) -> Exception: ...

    def clock(self) -> ClockState: ...

    def fax(self, fax_id: str) -> FaxRecord: ...

    def webhooks(
        self, vendor: str | None = None, tenant: str | None = None, event: str | None = None, fax_id: str | None = None
    ) -> list[WebhookDelivery]: ...


#: wall seconds a wait lasts unless told otherwise
DEFAULT_WAIT = 30.0
MANUAL_HINT = (
    "the emulator's clock is manual: time moves only when something calls advance(seconds) or "
    "run_until_idle(), never while a test sleeps or waits"
)


@dataclass(frozen=True)
class StreamEvent:
    """One message of the event stream: ``id``, ``type`` (``fax``, ``webhook``...) and its JSON ``data``."""

    id: int
    type: str
    data: dict[str, Any]


class EventStream:
    """An open ``GET /_emulator/events`` (a context manager); ``next(timeout)`` reads one event."""

    def __init__(self, client: ControlClient, query: Mapping[str, Any]) -> None:
        from emulator.testing.client import CONTROL

        parts = urllib.parse.urlsplit(client.url)
        params = {k: v for k, v in query.items() if v is not None}
        target = f"{CONTROL}/events" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        self._connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=client.timeout)
        self._connection.request("GET", target, headers={"Accept": "text/event-stream"})
        self._response = self._connection.getresponse()
        if self._response.status != 200:
            payload = self._response.read()
            self.close()
            raise client._error(self._response.status, payload, "GET", "/events")

    def next(self, timeout: float) -> StreamEvent | None:
        """The next event, or None if none came within ``timeout`` wall seconds (the stream
        is then closed: a read cut short leaves it unusable)."""
        deadline = time.monotonic() + timeout
        fields: dict[str, str] = {}
        while True:
            left = deadline - time.monotonic()
            sock = self._connection.sock
            if left <= 0 or sock is None:
                self.close()
                return None
            sock.settimeout(left)
            try:
                line = self._response.readline()
            except (OSError, http.client.HTTPException):  # a timeout is an OSError
                self.close()
                return None
            if not line:  # the server ended the stream
                self.close()
                return None
            text = line.decode("utf-8").rstrip("\r\n")
            if text:
                if not text.startswith(":"):
                    name, _, value = text.partition(":")
                    fields[name] = value[1:] if value.startswith(" ") else value
                continue
            if "event" in fields:
                return StreamEvent(int(fields.get("id", 0)), fields["event"], json.loads(fields.get("data", "{}")))
            fields = {}

    def events(self, timeout: float) -> Iterator[StreamEvent]:
        """Events as they come, until ``timeout`` wall seconds have passed in all."""
        deadline = time.monotonic() + timeout
        while (event := self.next(deadline - time.monotonic())) is not None:
            yield event

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _until(
    client: ControlClient,
    query: Mapping[str, Any],
    look: Callable[[], Any],
    news: Callable[[StreamEvent], bool],
    timeout: float,
    waiting_for: str,
) -> Any:
    """``look()`` once the stream is open, then again after each event ``news`` says may
    matter (and after a ``dropped``), until it gives something; TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    with EventStream(client, query) as stream:
        found = look()
        while found is None:
            event = stream.next(deadline - time.monotonic())
            if event is None:
                break
            if event.type == "dropped" or news(event):
                found = look()
    if found is not None:
        return found
    clock = client.clock()
    hint = f"; {MANUAL_HINT}" if clock.mode == "manual" else ""
    raise TimeoutError(f"waited {timeout:g} s for {waiting_for}{hint}")


def wait_for_fax(
    client: ControlClient,
    fax_id: str,
    *,
    status: str | None = None,
    outcome: str | None = None,
    terminal: bool | None = None,
    timeout: float = DEFAULT_WAIT,
) -> FaxRecord:
    """The fax (a ``FaxRecord``) once it has entered ``status`` (now or before), has the
    neutral ``outcome``, or has ended (``terminal``; the default when nothing else is asked)."""
    if status is None and outcome is None and terminal is None:
        terminal = True
    canonical = client.fax(fax_id).id  # any of its ids works; events name the fax by its id
    wanted = ", ".join(
        f"{k}={v!r}" for k, v in (("status", status), ("outcome", outcome), ("terminal", terminal)) if v is not None
    )
    last: list[FaxRecord] = []

    def look() -> FaxRecord | None:
        fax = client.fax(canonical)
        last[:] = [fax]
        reached = (
            (status is None or status in fax.statuses)
            and (outcome is None or fax.outcome == outcome)
            and (terminal is None or fax.terminal == terminal)
        )
        return fax if reached else None

    try:
        return cast(
            "FaxRecord",
            _until(
                client,
                {"fax_id": canonical, "type": "fax,reset"},
                look,
                lambda event: event.type == "reset" or event.data.get("id") == canonical,
                timeout,
                f"fax {fax_id} ({wanted})",
            ),
        )
    except TimeoutError as exc:
        now = f"; it is {last[0].status!r}" if last else ""
        raise TimeoutError(str(exc).replace(f"({wanted})", f"({wanted}){now}", 1)) from None


def wait_for_webhook(
    client: ControlClient,
    *,
    fax_id: str | None = None,
    event: str | None = None,
    vendor: str | None = None,
    tenant: str | None = None,
    outcome: str = "delivered",
    timeout: float = DEFAULT_WAIT,
) -> WebhookDelivery:
    """The first delivery (a ``WebhookDelivery``) of the webhook log that matches and is in
    state ``outcome`` (``delivered``, ``failed``: given up, ``dropped``, ``pending``)."""

    def look() -> WebhookDelivery | None:
        found = client.webhooks(vendor=vendor, tenant=tenant, event=event, fax_id=fax_id)
        return next((d for d in found if d.state == outcome), None)

    def news(message: StreamEvent) -> bool:
        return (
            message.type == "webhook"
            and message.data["outcome"] == outcome
            and (event is None or message.data["event"] == event)
        )

    wanted = ", ".join(
        f"{k}={v!r}"
        for k, v in (("fax_id", fax_id), ("event", event), ("vendor", vendor), ("tenant", tenant))
        if v is not None
    )
    return cast(
        "WebhookDelivery",
        _until(
            client,
            {"type": "webhook", "fax_id": fax_id, "vendor": vendor, "tenant": tenant},
            look,
            news,
            timeout,
            f"a {outcome} webhook" + (f" ({wanted})" if wanted else ""),
        ),
    )
