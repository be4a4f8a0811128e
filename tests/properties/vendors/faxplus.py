"""FAX.PLUS REST v3 over HTTP (faxplus.md §1, §3, §6, §7): a Bearer token, files then outbox.

The token is a corporate admin's (``corp_admin_...``), so the member and account calls have
someone to act on. A fax waits in the outbox (``DELETE`` cancels it) and, once ended,
becomes a fax record with a 24-hex id; a cancelled one becomes the internal ``cancelled``
that no FAX.PLUS response shows (the item just leaves the outbox). Every ended fax, and
only those, is posted as ``fax_sent`` to each ``fax_sent`` hook of the account (§7).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from emulator.core.documents import make_pdf
from emulator.testing import make_credentials
from emulator.testing.records import FaxRecord
from emulator.vendors.faxplus.lifecycle import CANCELLED, OUTBOX_STATUSES
from tests.properties.vendors.base import Driver, Hooks

SELF = "/accounts/self"


class FaxPlus(Driver):
    name = "faxplus"

    def login(self) -> None:
        self.token = "corp_admin_" + make_credentials(self.name, self.label).token  # a personal access token (§1)
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self.hooks: list[str] = []

    @property
    def tenant(self) -> str:
        return self.token

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def authorise(self, case: Any) -> None:
        case.headers["Authorization"] = f"Bearer {self.token}"

    def seed(self) -> dict[str, list[Any]]:
        client = self.emulator.client
        admin = self.ok("GET", SELF)["uid"]
        members = [account["uid"] for account in self.ok("GET", "/accounts")["members"] if account["uid"] != admin]
        numbers = [n["number"] for n in self.ok("GET", f"{SELF}/numbers")["numbers"]]
        sent = [self.send(self.destination(suffix), 0) for suffix in ("5550100", "5550001", "5550005")]
        client.advance(120)
        pending = self.send(self.destination("5550100"), 1)
        client.inbound(self.name, numbers[0], "+14155550100", tenant=self.token)
        client.advance(3)
        records = [
            f.vendor_view["fax"]["id"]
            for f in client.faxes(self.name, tenant=self.token)
            if f.vendor_view and "fax" in f.vendor_view
        ]
        hook = self.ok("POST", "/hooks", 201, json={"target": "http://127.0.0.1:9/hook", "event": "fax_sent"})["id"]
        country = self.ok("GET", "/shop/numbers/countries")["countries"][0]["iso"]
        area = self.ok("GET", f"/shop/numbers/countries/{country}/areas")["areas"][0]["calling_code"]
        items = [
            n["item"]["id"]
            for n in self.ok("GET", f"/shop/numbers/countries/{country}/areas/{area}/numbers")["numbers"]
        ][:2]
        return {
            "user_id": ["self", admin],
            "member_user_id": members,
            "number": numbers,
            "fax_id": [*records, pending],
            "outbox_fax_id": [pending, sent[0]],
            "hook_id": [hook],
            "country_code": [country],
            "calling_code": [area],
            "item_id": items,
            "files": [[self.upload()]],
            "from": numbers[:1],
            "to": [[self.destination("5550100")], [self.destination("5550003"), self.destination("5550100")]],
            "target": ["http://127.0.0.1:9/hook"],
            "event": ["fax_sent", "fax_received"],
        }

    def upload(self) -> str:
        return self.ok(
            "POST",
            f"{SELF}/files",
            params={"format": "pdf"},
            files={"fax_file": ("fax.pdf", make_pdf(1), "application/pdf")},
        )["path"]

    def destination(self, suffix: str) -> str:
        return "+1212" + suffix

    def own_number(self) -> str:
        return self.ok("GET", f"{SELF}/numbers")["numbers"][0]["number"]

    def subscribe(self, url: str) -> None:
        for target, event in (
            (url + "/sent-a", "fax_sent"),
            (url + "/sent-b", "fax_sent"),
            (url + "/received", "fax_received"),
        ):
            self.ok("POST", "/hooks", 201, json={"target": target, "event": event})
            if event == "fax_sent":
                self.hooks.append(target)

    def send(self, number: str, retries: int) -> str:
        path = self.upload()
        body = {
            "from": self.own_number(),
            "to": [number],
            "files": [path],
            "return_ids": True,
            "options": {"retry": {"count": retries, "delay": 1}},
        }
        return self.ok("POST", f"{SELF}/outbox", 201, json=body)["ids"][number]

    def cancel(self, fax: FaxRecord) -> bool:
        response = self.call("DELETE", f"{SELF}/outbox/{fax.id}")
        assert response.status_code in (204, 404), response.text  # 404: it has left the outbox (§6.1 step 8)
        return response.status_code == 204

    def shown(self, fax: FaxRecord) -> str | None:
        outbox = self.call("GET", f"{SELF}/outbox/{fax.id}")
        if outbox.status_code == 200:
            return outbox.json()["status"]
        assert outbox.status_code == 404, outbox.text
        record = (fax.vendor_view or {}).get("fax")
        if record is None:
            return None  # neither in the outbox nor a fax record: deleted
        return self.ok("GET", f"{SELF}/faxes/{record['id']}")["status"]

    def expected_shown(self, fax: FaxRecord) -> str | None:
        assert fax.status in (*OUTBOX_STATUSES, CANCELLED) or fax.terminal, fax.status
        return None if fax.status == CANCELLED else fax.status

    def expected_hooks(self, fax: FaxRecord) -> Hooks:
        if not fax.terminal or fax.status == CANCELLED:
            return Counter()
        return Counter({("fax_sent", target): 1 for target in self.hooks})
