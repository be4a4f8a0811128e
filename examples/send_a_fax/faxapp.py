"""The application under test: it faxes a document through a provider and tracks it.

This stands for your own code. It knows nothing about the emulator: it takes a base URL
and a credential, exactly as it would in production, and talks to the provider with an
ordinary synchronous HTTP client.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol

import urllib3


class FaxState(enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class FaxError(Exception):
    """The provider refused the fax; ``status`` and ``reason`` say why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status, self.reason = status, reason


class Provider(Protocol):
    """What the app needs from a fax provider."""

    def send(self, number: str, pdf: bytes) -> str: ...
    def state(self, fax_id: str) -> FaxState: ...


@dataclass
class CallerIP:
    """CallerIP's fax API: ``POST {base}/send`` (multipart) and ``GET {base}/status``."""

    base_url: str  # production: https://internal.callerip.ca:8000/api/fax
    token: str
    http: urllib3.PoolManager = field(default_factory=urllib3.PoolManager)

    STATES = {"Success": FaxState.SENT, "Failed": FaxState.FAILED}

    def send(self, number: str, pdf: bytes) -> str:
        fields = {"token": self.token, "number": number, "file": ("document.pdf", pdf, "application/pdf")}
        response = self.http.request("POST", f"{self.base_url}/send", fields=fields)
        body = response.json()
        if response.status != 200:
            raise FaxError(response.status, body.get("error", ""))
        return body["uuid"]

    def state(self, fax_id: str) -> FaxState:
        response = self.http.request("GET", f"{self.base_url}/status", fields={"token": self.token, "uuid": fax_id})
        if response.status != 200:
            raise FaxError(response.status, response.json().get("error", ""))
        return self.STATES.get(response.json()["status"], FaxState.PENDING)

    def close(self) -> None:
        self.http.clear()


class FaxPlus:
    """FAX.PLUS through its official SDK (``faxplus-api``), exactly as in production.

    The fax is tracked by the id FAX.PLUS puts in its ``fax_sent`` webhook: the app registers
    ``webhook_url`` once and, on each delivery, records the outcome (``on_fax_sent``).
    """

    def __init__(self, host: str, token: str) -> None:
        from faxplus import ApiClient, Configuration

        configuration = Configuration()
        configuration.host = host  # production: https://restapi.fax.plus/v3
        configuration.access_token = token
        self.client = ApiClient(configuration=configuration)
        self.outcomes: dict[str, str] = {}  # fax_sent: the number faxed -> FAX.PLUS status

    def subscribe(self, webhook_url: str) -> None:
        from faxplus import WebhooksApi
        from faxplus.models import Webhook

        WebhooksApi(self.client).create_webhook(body=Webhook(target=webhook_url, event="fax_sent"))

    def send(self, number: str, pdf: bytes) -> str:
        import tempfile

        from faxplus import FilesApi, NumbersApi, OutboxApi
        from faxplus.models import PayloadOutbox
        from faxplus.rest import ApiException

        with tempfile.NamedTemporaryFile(suffix=".pdf") as document:
            document.write(pdf)
            document.flush()
            try:
                path = FilesApi(self.client).upload_file("self", fax_file=document.name, format="pdf").path
                sender = NumbersApi(self.client).list_numbers("self").numbers[0].number
                sent = OutboxApi(self.client).send_fax(
                    "self", body=PayloadOutbox(from_number=sender, to=[number], files=[path], return_ids=True)
                )
            except ApiException as refused:
                raise FaxError(refused.status, refused.body.decode() if refused.body else "") from None
        return sent.ids[number]

    def on_fax_sent(self, payload: dict) -> None:
        """The app's webhook handler: FAX.PLUS posts ``{"hook": …, "data": {…}}``."""
        data = payload["data"]
        self.outcomes[data["to"]] = data["status"]

    def state(self, number: str) -> FaxState:
        status = self.outcomes.get(number)
        if status is None:
            return FaxState.PENDING
        return FaxState.SENT if status == "success" else FaxState.FAILED

    def close(self) -> None:
        self.client.rest_client.pool_manager.clear()


def fax_document(provider: Provider, number: str, pdf: bytes) -> str:
    """The app's use case: send ``pdf`` to ``number``; the provider's fax id."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if isinstance(provider, FaxPlus):
        return provider.send(f"+{digits}", pdf)  # FAX.PLUS takes E.164
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]  # the app keeps numbers as +1 NXX NXX XXXX; CallerIP wants 10 digits
    return provider.send(digits, pdf)
