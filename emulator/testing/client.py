"""A small, synchronous, typed client for the emulator's control API (``/_emulator/...``).

Stdlib only (``urllib``), so it works in any test suite, against an in-process emulator
(``FaxEmulator``) or one started with ``fax-emulator serve``. Proxies from the environment
are ignored: the emulator is always reached directly.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import threading
import time
import urllib.parse
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emulator.testing.records import (
    ClockState,
    FaxRecord,
    RequestRecord,
    VendorInfo,
    ViolationRecord,
    WebhookDelivery,
)
from emulator.testing.stream import DEFAULT_WAIT, EventStream, wait_for_fax, wait_for_webhook

CONTROL = "/_emulator"
DEFAULT_TIMEOUT = 60.0  # seconds; advancing the clock waits for webhooks in flight (each up to --advance-wait)


class ControlError(Exception):
    """The control API answered with an error: ``status``, ``code`` and ``message`` say which."""

    def __init__(self, status: int, code: str, message: str, method: str = "", path: str = "") -> None:
        self.status, self.code, self.message = status, code, message
        super().__init__(f"{method} {path} answered {status} {code}: {message}".strip())


class ScenarioUnavailable(ControlError):
    """The emulator has no run-time scenario API (``POST /_emulator/scenario`` answered 404/405)."""


class UnknownVendor(LookupError):
    """A vendor name the emulator does not serve."""


def _close_all(connections: list[http.client.HTTPConnection]) -> None:
    for connection in connections:
        connection.close()  # a thread that calls again reconnects on its own (http.client's auto_open)


class ControlClient:
    """Calls ``/_emulator/...`` on the emulator at ``url`` (``http://host:port``, no path)."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        #: each thread's connection, kept alive between calls (a test's every control call on a
        #: new connection cost it a connect and an accept, about half of a session-scoped reset)
        self._connections = threading.local()
        #: every connection opened, whichever thread holds it: ``close`` (or the client's end) closes them
        self._opened: list[http.client.HTTPConnection] = []
        weakref.finalize(self, _close_all, self._opened)
        self._vendors: dict[str, VendorInfo] | None = None

    # -- transport --------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: Mapping[str, Any] | None = None,
        data: bytes | None = None,
        content_type: str = "application/json",
    ) -> Any:
        """One control request; the decoded JSON answer, or ControlError."""
        params = {k: v for k, v in (query or {}).items() if v is not None}
        target = f"{urllib.parse.urlsplit(self.url).path}{CONTROL}{path}" + (
            f"?{urllib.parse.urlencode(params)}" if params else ""
        )
        if body is not None:
            data = json.dumps(body).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = content_type
        status, payload = self._send(method, target, data, headers)
        if status >= 400:
            raise self._error(status, payload, method, path)
        return json.loads(payload) if payload else None

    def _send(self, method: str, target: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        """One request on this thread's kept-alive connection; sent once more if a connection
        kept from an earlier call turns out closed before any answer (the server ends idle
        connections). A closed connection opens again by itself on its next request."""
        connection: http.client.HTTPConnection | None = getattr(self._connections, "open", None)
        if connection is None:
            split = urllib.parse.urlsplit(self.url)
            kind = http.client.HTTPSConnection if split.scheme == "https" else http.client.HTTPConnection
            connection = self._connections.open = kind(split.hostname or "127.0.0.1", split.port, timeout=self.timeout)
            self._opened.append(connection)
        may_retry = True
        while True:
            kept = connection.sock is not None
            try:
                connection.request(method, target, body=data, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                if kept and may_retry:
                    may_retry = False
                    continue
                raise
            except BaseException:
                connection.close()
                raise
            if response.will_close:
                connection.close()
            return response.status, payload

    def close(self) -> None:
        """Close the kept-alive connections (a later call opens another)."""
        _close_all(self._opened)

    @staticmethod
    def _error(status: int, payload: bytes, method: str, path: str) -> ControlError:
        try:
            error = json.loads(payload)["error"]
            code, message = str(error["code"]), str(error["message"])
        except (ValueError, KeyError, TypeError):
            code, message = "http_error", payload.decode("utf-8", "replace")[:500]
        return ControlError(status, code, message, method, CONTROL + path)

    # -- the emulator -------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self.call("GET", "/health")

    def wait_until_ready(self, timeout: float = 30.0) -> dict[str, Any]:
        """Ask for health until it answers: an emulator starting in another process or a container
        (TimeoutError after ``timeout`` seconds). The health answer."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.health()
            except (OSError, ControlError) as exc:  # not listening yet, or not answering yet
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"the emulator at {self.url} was not ready in {timeout} s: {exc}") from None
            time.sleep(0.1)

    def vendors(self) -> list[VendorInfo]:
        """Every vendor this emulator serves (cached: the list never changes while it runs)."""
        return list(self.served().values())

    def served(self) -> dict[str, VendorInfo]:
        """The vendors this emulator serves, by name (asked once, then kept)."""
        if self._vendors is None:
            found = self.call("GET", "/vendors")["vendors"]
            self._vendors = {v["name"]: VendorInfo.from_json(v) for v in found}
        return self._vendors

    def vendor(self, name: str) -> VendorInfo:
        """One vendor by its short name (``"faxplus"``, ``"callerip"``...)."""
        served = {v.name: v for v in self.vendors()}
        if name not in served:
            raise UnknownVendor(
                f"this emulator does not serve a vendor named {name!r}; it serves: {', '.join(served) or 'none'}"
            )
        return served[name]

    def base_url(self, vendor: str) -> str:
        """The vendor's base URL on this emulator, e.g. ``http://127.0.0.1:PORT/v3`` for ``"faxplus"``."""
        return self.vendor(vendor).base_url

    def reset(self, vendor: str | None = None, tenant: str | None = None) -> int:
        """Forget everything (or one vendor, or one vendor's tenant); returns how many faxes went."""
        body = {k: v for k, v in (("vendor", vendor), ("tenant", tenant)) if v is not None}
        return int(self.call("POST", "/reset", body)["faxes_dropped"])

    def export_state(self) -> dict[str, Any]:
        """Everything the emulator holds, as a snapshot (``GET /_emulator/state``)."""
        return dict(self.call("GET", "/state"))

    def import_state(self, snapshot: Mapping[str, Any] | bytes) -> dict[str, Any]:
        """Replace the whole state with a snapshot (``PUT /_emulator/state``); what it now holds."""
        data = snapshot if isinstance(snapshot, bytes) else json.dumps(dict(snapshot)).encode()
        return dict(self.call("PUT", "/state", data=data))

    # -- the clock ---------------------------------------------------------------------
    def clock(self) -> ClockState:
        return ClockState.from_json(self.call("GET", "/clock"))

    def advance(self, seconds: float, webhook_wait: float | None = None) -> ClockState:
        """Manual clock: move time on; every transition and webhook due by then has happened on return,
        but for webhook attempts that outlasted the wait (``webhook_wait`` seconds, default the
        server's ``--advance-wait``): ``webhooks_in_flight`` lists those."""
        body: dict[str, Any] = {"seconds": seconds}
        if webhook_wait is not None:
            body["webhook_wait"] = webhook_wait
        return ClockState.from_json(self.call("POST", "/clock/advance", body))

    def run_until_idle(self, webhook_wait: float | None = None) -> ClockState:
        """Manual clock: advance until nothing is scheduled (every fax ended, every webhook settled)."""
        body = {} if webhook_wait is None else {"webhook_wait": webhook_wait}
        return ClockState.from_json(self.call("POST", "/clock/run-until-idle", body))

    # -- what happened -------------------------------------------------------------------
    def faxes(
        self,
        vendor: str | None = None,
        status: str | None = None,
        tenant: str | None = None,
        direction: str | None = None,
    ) -> list[FaxRecord]:
        """Faxes, oldest first, filtered by vendor, vendor status string, tenant and direction."""
        query = {"vendor": vendor, "status": status, "tenant": tenant, "direction": direction}
        return [FaxRecord.from_json(f) for f in self.call("GET", "/faxes", query=query)["faxes"]]

    def fax(self, fax_id: str) -> FaxRecord:
        """One fax by any of its ids (ControlError 404 if none)."""
        return FaxRecord.from_json(self.call("GET", f"/faxes/{urllib.parse.quote(fax_id, safe='')}"))

    def cancel(self, fax_id: str) -> FaxRecord:
        return FaxRecord.from_json(self.call("POST", f"/faxes/{urllib.parse.quote(fax_id, safe='')}/cancel"))

    def requests(self, vendor: str | None = None, tenant: str | None = None) -> list[RequestRecord]:
        """The request journal (vendor requests only), oldest first."""
        found = self.call("GET", "/requests", query={"vendor": vendor, "tenant": tenant})["requests"]
        return [RequestRecord.from_json(r) for r in found]

    def webhooks(
        self,
        vendor: str | None = None,
        tenant: str | None = None,
        event: str | None = None,
        fax_id: str | None = None,
        state: str | None = None,
    ) -> list[WebhookDelivery]:
        """The webhook delivery log, oldest first, with every attempt (and every delivery still pending);
        ``state``: only those ``pending``, ``delivered``, ``failed``, ``dropped`` or ``refused``."""
        query = {"vendor": vendor, "tenant": tenant, "event": event, "fax_id": fax_id, "state": state}
        return [WebhookDelivery.from_json(d) for d in self.call("GET", "/webhooks", query=query)["deliveries"]]

    def redeliver(self, delivery_id: int) -> WebhookDelivery:
        """Send a logged webhook again now, as a new delivery (``redelivery_of``); ControlError 404 if
        the log no longer has it."""
        return WebhookDelivery.from_json(self.call("POST", f"/webhooks/{int(delivery_id)}/redeliver"))

    def violations(self, vendor: str | None = None, since: int = 0) -> list[ViolationRecord]:
        """Contract violations recorded after violation number ``since``, oldest first."""
        found = self.call("GET", "/violations", query={"vendor": vendor, "since": since})["violations"]
        return [ViolationRecord.from_json(v) for v in found]

    def coverage(self, vendor: str | None = None, tenant: str | None = None) -> dict[str, Any]:
        """What happened since start or reset against everything the vendors can do
        (``GET /_emulator/coverage``; ``emulator.core.coverage.render`` prints it)."""
        return dict(self.call("GET", "/coverage", query={"vendor": vendor, "tenant": tenant}))

    def last_violation(self) -> int:
        """The number of the newest violation ever recorded (0: none); a baseline for ``since``."""
        return int(self.call("GET", "/violations", query={"limit": 1})["last_seq"])

    # -- driving it -------------------------------------------------------------------------
    def inbound(
        self,
        vendor: str,
        to: str,
        sender: str,
        *,
        tenant: str | None = None,
        pages: int = 1,
        document: bytes | None = None,
        filename: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> FaxRecord:
        """Make a fax arrive at ``to`` from ``sender`` (a synthesised PDF of ``pages`` unless ``document``)."""
        body: dict[str, Any] = {"vendor": vendor, "to": to, "from": sender, "pages": pages}
        if tenant is not None:
            body["tenant"] = tenant
        if document is not None:
            body["document_base64"] = base64.b64encode(document).decode()
            body["filename"] = filename or "inbound"
        if options:
            body["options"] = dict(options)
        return FaxRecord.from_json(self.call("POST", "/inbound", body))

    # -- waiting on the event stream -------------------------------------------------------------
    def events(
        self,
        *,
        vendor: str | None = None,
        tenant: str | None = None,
        fax_id: str | None = None,
        types: str | None = None,
    ) -> EventStream:
        """Open the event stream (``GET /_emulator/events``); read it with ``next(timeout)`` or
        ``events(timeout)``, and close it (it is a context manager). ``types``: e.g. ``"fax,webhook"``."""
        return EventStream(self, {"vendor": vendor, "tenant": tenant, "fax_id": fax_id, "type": types})

    def wait_for(
        self,
        fax_id: str,
        status: str | None = None,
        *,
        outcome: str | None = None,
        terminal: bool | None = None,
        timeout: float = DEFAULT_WAIT,
    ) -> FaxRecord:
        """Wait, on the event stream, until the fax has entered ``status`` (now or before), has
        the neutral ``outcome``, or has ended (``terminal``; the default if nothing is asked);
        TimeoutError after ``timeout`` wall seconds. Under the manual clock something else must
        advance it (another thread, the app under test)."""
        return wait_for_fax(self, fax_id, status=status, outcome=outcome, terminal=terminal, timeout=timeout)

    def wait_for_webhook(
        self,
        *,
        fax_id: str | None = None,
        event: str | None = None,
        vendor: str | None = None,
        tenant: str | None = None,
        outcome: str = "delivered",
        timeout: float = DEFAULT_WAIT,
    ) -> WebhookDelivery:
        """Wait, on the event stream, for a webhook delivery that matches to be ``outcome``
        (``delivered``, ``failed``: given up, ``dropped``); TimeoutError after ``timeout`` s."""
        return wait_for_webhook(
            self, fax_id=fax_id, event=event, vendor=vendor, tenant=tenant, outcome=outcome, timeout=timeout
        )

    def load_scenario(self, scenario: str | os.PathLike[str] | Mapping[str, Any]) -> Any:
        """Replace the active scenario with a YAML/JSON file or a dict (``POST /_emulator/scenario``)."""
        if isinstance(scenario, Mapping):
            data, ctype = json.dumps(dict(scenario)).encode(), "application/json"
        else:
            path = Path(scenario)
            data = path.read_bytes()
            ctype = "application/json" if path.suffix.lower() == ".json" else "application/yaml"
        return self._scenario_call("POST", data, ctype)

    def clear_scenario(self) -> Any:
        """Return to the default behaviour (``DELETE /_emulator/scenario``)."""
        return self._scenario_call("DELETE", None, "application/json")

    def _scenario_call(self, method: str, data: bytes | None, ctype: str) -> Any:
        try:
            return self.call(method, "/scenario", data=data, content_type=ctype)
        except ControlError as exc:
            # only the router's own 404/405 ("Not Found", then a hint: no such route) means the API is missing
            if not (exc.status == 405 or (exc.status == 404 and exc.message.startswith("Not Found"))):
                raise
            raise ScenarioUnavailable(
                exc.status,
                exc.code,
                f"this emulator cannot load scenarios at run time ({method} {CONTROL}/scenario answered "
                f"{exc.status}); start it with `fax-emulator serve --scenario FILE` or upgrade fax-emulator",
                method,
                CONTROL + "/scenario",
            ) from None
