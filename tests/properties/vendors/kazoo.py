"""Kazoo Crossbar over HTTP (kazoo.md §2-§10): an api key for a token, then ``/v2/accounts/{A}``.

A job waits in ``/faxes/outgoing`` (while ``processing`` its status is the worker's live
progress text) and, once final, moves to ``/faxes/outbox/YYYYMM-<id>`` (§9.6). Kazoo has no
cancel. Each finished job is published once to every ``notifications`` webhook of the
account whose ``custom_data.type`` matches the event (§10.3).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import requests

from emulator.core.documents import make_pdf
from emulator.testing import make_credentials
from emulator.testing.records import FaxRecord
from tests.properties.vendors.base import Driver, Hooks

#: 4.3's live status of a ``processing`` job (kazoo.md §7.6)
PROGRESS = re.compile(r"preparing|negotiating|Fax negotiated at [0-9]+|Sent Page [0-9]+ of [0-9]+")
#: Crossbar's ad-hoc errors: HTTP 500 with the free text as the message (kazoo.md §4, §7.8)
AD_HOC = frozenset(
    {"action required", "invalid action", "document is not in folder inbox", "document is not in folder outbox"}
)


class Kazoo(Driver):
    name = "kazoo"

    def login(self) -> None:
        api_key = make_credentials(self.name, self.label).api_key  # 64 characters (§2)
        response = self.http.put(self.base + "/api_auth", json={"data": {"api_key": api_key}}, timeout=30)
        assert response.status_code == 201, response.text
        self.token = response.json()["auth_token"]
        self.account_id = response.json()["data"]["account_id"]
        self.http.headers["X-Auth-Token"] = self.token
        self.hooks: dict[str, str | None] = getattr(self, "hooks", {})  # target -> custom_data.type

    @property
    def tenant(self) -> str:
        return self.account_id

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call under the account; a token that expired on the emulator clock is renewed, as clients do."""
        response = super().call(method, f"/accounts/{self.account_id}{path}", **kwargs)
        if response.status_code == 401:
            self.login()
            response = super().call(method, f"/accounts/{self.account_id}{path}", **kwargs)
        return response

    def data(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()["data"]

    def authorise(self, case: Any) -> None:
        case.headers["X-Auth-Token"] = self.token
        # a POST naming a verb is answered as the operation it names (Crossbar's verb tunnelling,
        # tests/vendors/kazoo/test_verb_tunnelling.py), not by the schema of the one called
        for where in (case.query, case.body, case.body.get("data") if isinstance(case.body, dict) else None):
            if isinstance(where, dict):
                where.pop("verb", None)

    def fillable(self, case: Any) -> list[Any]:
        envelope = case.body.get("data") if isinstance(case.body, dict) else None  # {"data": {...}} (§3)
        return [*super().fillable(case), envelope]

    def is_documented_500(self, status: int, body: bytes) -> bool:
        try:
            error = json.loads(body)
        except ValueError:
            return False
        return (
            status == 500 and isinstance(error, dict) and error.get("error") == "500" and error.get("message") in AD_HOC
        )

    def seed(self) -> dict[str, list[Any]]:
        client = self.emulator.client
        box = self.data("PUT", "/faxboxes", 201, json={"data": {"name": "Front desk", "caller_id": "+14155550100"}})[
            "id"
        ]
        hook = self.data(
            "PUT",
            "/webhooks",
            201,
            json={"data": {"name": "results", "hook": "notifications", "uri": "http://127.0.0.1:9/hook"}},
        )["id"]
        jobs = [self.send(self.destination(suffix), 1) for suffix in ("5550100", "5550001")]
        client.advance(120)
        jobs.append(self.send(self.destination("5550100"), 1))
        client.inbound(self.name, "+14155550100", "+12125550123", tenant=self.account_id)
        client.advance(5)
        moved = [alias for f in client.faxes(self.name, tenant=self.account_id) for alias in f.raw["aliases"]]
        return {
            "account_id": [self.account_id],
            "faxbox_id": [box],
            "webhook_id": [hook],
            "fax_id": [*jobs, *moved],
            "folder": ["outbox", "inbox"],
            "to_number": [self.destination("5550100")],
            "uri": ["http://127.0.0.1:9/hook"],
            "hook": ["notifications"],
            "api_key": ["k" * 64],
        }

    def destination(self, suffix: str) -> str:
        return "+1212" + suffix

    def subscribe(self, url: str) -> None:
        for target, kind in ((url + "/all", None), (url + "/errors", "outbound_fax_error")):
            hook = {"name": target, "hook": "notifications", "uri": target, "format": "json"}
            if kind is not None:
                hook["custom_data"] = {"type": kind}
            self.data("PUT", "/webhooks", 201, json={"data": hook})
            self.hooks[target] = kind

    def send(self, number: str, retries: int) -> str:
        """``PUT /faxes`` as multipart/mixed: the JSON envelope, then the PDF (§7.4)."""
        boundary = "property-boundary-7d1e"
        envelope = json.dumps(
            {"data": {"from_number": "+14155550100", "to_number": number, "retries": retries + 1}}
        )  # retries = attempts in all (§9.3)
        body = (
            (
                f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{envelope}\r\n"
                f"--{boundary}\r\nContent-Type: application/pdf\r\n\r\n"
            ).encode()
            + make_pdf(1)
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.data(
            "PUT", "/faxes", 201, data=body, headers={"Content-Type": f"multipart/mixed; boundary={boundary}"}
        )["id"]

    def shown(self, fax: FaxRecord) -> str | None:
        outgoing = self.call("GET", f"/faxes/outgoing/{fax.id}")
        moved = [alias for alias in fax.raw["aliases"] if alias.endswith("-" + fax.id)]  # YYYYMM-<id> (§9.6)
        if not moved:
            if outgoing.status_code == 404:
                return None
            assert outgoing.status_code == 200, outgoing.text
            status = outgoing.json()["data"]["status"]
            return self.machine.transmit if PROGRESS.fullmatch(status) else status
        assert outgoing.status_code == 404, f"finished job {fax.id} is still in outgoing: {outgoing.text}"
        return self.data("GET", f"/faxes/outbox/{moved[0]}")["_read_only"]["status"]

    def expected_hooks(self, fax: FaxRecord) -> Hooks:
        if not fax.terminal:
            return Counter()
        event = "outbound_fax" if fax.status == self.machine.success else "outbound_fax_error"
        return Counter({(event, target): 1 for target, kind in self.hooks.items() if kind in (None, event)})
