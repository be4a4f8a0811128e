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


# TODO(unfinished): FAX.PLUS example once the vendor lands: a ``FaxPlus`` provider on the official
# SDK (faxplus-api: FilesApi.upload_file, OutboxApi.send_fax, FaxesApi.get_fax) and a method that
# registers a ``fax_sent`` webhook (WebhooksApi.create_webhook) so the test can assert on the delivery.


def fax_document(provider: Provider, number: str, pdf: bytes) -> str:
    """The app's use case: send ``pdf`` to ``number``; the provider's fax id."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]  # the app keeps numbers as +1 NXX NXX XXXX; CallerIP wants 10 digits
    return provider.send(digits, pdf)
