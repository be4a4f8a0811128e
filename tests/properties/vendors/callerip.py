"""CallerIP over HTTP (callerip.md §3-§5): a fax token in the form or the query, two calls.

No webhooks, no cancel, no list: a client polls ``GET status`` by uuid.
"""

from __future__ import annotations

from typing import Any

from emulator.core.documents import make_pdf
from emulator.testing import make_credentials
from emulator.testing.records import FaxRecord
from tests.properties.vendors.base import Driver


class CallerIP(Driver):
    name = "callerip"

    def login(self) -> None:
        self.token = make_credentials(self.name, self.label).token  # any non-empty token is a fax line (§3, D3)

    @property
    def tenant(self) -> str:
        return self.token

    def authorise(self, case: Any) -> None:
        if isinstance(case.body, dict):  # send: a form field
            case.body["token"] = self.token
        if isinstance(case.query, dict):  # status: a query parameter (and the OpenAPI apiKey scheme)
            case.query["token"] = self.token

    def seed(self) -> dict[str, list[Any]]:
        ids = [self.send(self.destination(suffix), 0) for suffix in ("5550100", "5550001")]
        self.emulator.client.advance(3)
        ids.append(self.send(self.destination("5550005"), 0))
        return {
            "uuid": ids,
            "number": [self.destination("5550100"), self.destination("5550002")],
            "file": [make_pdf(1), make_pdf(3)],
            "sendCover": ["N", "y"],
        }

    def destination(self, suffix: str) -> str:
        return "212" + suffix  # exactly ten digits (§4.1, D5)

    def send(self, number: str, retries: int) -> str:
        files = {"file": ("fax.pdf", make_pdf(1), "application/pdf")}
        response = self.call(
            "POST", "/send", data={"token": self.token, "number": number, "sendCover": "N"}, files=files
        )
        assert response.status_code == 200, response.text
        return response.json()["uuid"]

    def shown(self, fax: FaxRecord) -> str | None:
        response = self.call("GET", "/status", params={"token": self.token, "uuid": fax.id})
        assert response.status_code == 200, response.text
        return response.json()["status"]
