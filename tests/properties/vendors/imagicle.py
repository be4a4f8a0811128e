"""Imagicle StoneFax over HTTP (imagicle.md §3, §5-§9): HTTP Basic on every call.

No webhooks (§13). The vendor has no cancel call; the emulator cancels through
``POST /_emulator/faxes/{id}/cancel`` (D16), which the base driver uses.
"""

from __future__ import annotations

import json
from typing import Any

from emulator.core.documents import make_pdf
from emulator.testing import make_credentials
from emulator.testing.records import FaxRecord
from tests.properties.vendors.base import Driver


class Imagicle(Driver):
    name = "imagicle"

    def login(self) -> None:
        credentials = make_credentials(self.name, self.label)
        self.user = credentials.username  # any user/password pair is its own user without declared accounts
        self.http.auth = credentials.basic_auth
        self.authorization = credentials.basic_header

    @property
    def tenant(self) -> str:
        return self.user

    def authorise(self, case: Any) -> None:
        case.headers.update(self.authorization)

    def seed(self) -> dict[str, list[Any]]:
        outbound = [self.send(self.destination(suffix), 0) for suffix in ("5550100", "5550001", "5550005")]
        self.emulator.client.advance(60)
        outbound.append(self.send(self.destination("5550100"), 0))
        inbound = self.emulator.client.inbound(self.name, "2125550199", "+14155550100", tenant=self.user)
        self.emulator.client.advance(5)
        jsondata = {"subject": "Property", "body": "Hello", "recipients": [{"faxNumber": self.destination("5550100")}]}
        return {"fax_id": [*outbound, inbound.id], "jsondata": [jsondata]}

    def destination(self, suffix: str) -> str:
        return "0212" + suffix  # a dial string with the outside-line prefix

    def send(self, number: str, retries: int) -> str:
        jsondata = {
            "subject": "Property",
            "body": "",
            "recipients": [{"firstName": "Ann", "lastName": "Lee", "faxNumber": number}],
        }
        files = {
            "jsondata": (None, json.dumps(jsondata), "application/json"),
            "attachment0": ("fax.pdf", make_pdf(1), "application/pdf"),
        }
        response = self.call("POST", "/Faxes/Outbound", files=files)
        assert response.status_code == 200, response.text
        [fax_id] = response.json()["ids"]
        return fax_id

    def shown(self, fax: FaxRecord) -> str | None:
        response = self.call("GET", f"/Faxes/Outbound/{fax.id}")
        assert response.status_code == 200, response.text
        body = response.json()
        return body.get("fax", body)["status"]  # flat by default; wrapped with the detail_envelope option (D5)
