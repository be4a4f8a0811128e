"""A small Kazoo Crossbar client written from Kazoo's docs, over the in-process emulator.

It does what a real integration does: ``PUT /v2/user_auth`` with the md5 of
``username:password`` and an account name, then every call with ``X-Auth-Token`` against
``/v2/accounts/{account_id}/...``, bodies wrapped in ``{"data": ...}``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from emulator.core.documents import make_pdf
from emulator.testing import FaxEmulator
from tests.conftest import START
from tests.properties.vendors.kazoo import Kazoo as Crossbar


def assert_error(reply: Reply, status: int, message: str) -> None:
    """``reply`` is Kazoo's error envelope with this HTTP status and message."""
    assert reply.status == status, reply.body
    body = reply.body
    assert body["status"] == "error" and body["error"] == str(status) and body["message"] == message
    assert {"data", "request_id", "node", "timestamp", "version"} <= set(body)


@dataclass
class Reply:
    status: int
    body: Any
    headers: Any

    @property
    def data(self) -> Any:
        return self.body["data"]


@dataclass
class Kazoo:
    client: TestClient
    token: str | None = None
    account_id: str | None = None

    async def login(self, account: str = "acme", user: str = "alice", password: str = "secret") -> Reply:
        credentials = hashlib.md5(f"{user}:{password}".encode()).hexdigest()
        reply = await self.call(
            "PUT", "/v2/user_auth", {"data": {"credentials": credentials, "account_name": account}}, auth=False
        )
        assert reply.status == 201, reply.body
        self.token, self.account_id = reply.body["auth_token"], reply.data["account_id"]
        return reply

    def url(self, path: str) -> str:
        return f"/v2/accounts/{self.account_id}{path}"

    async def call(self, method: str, path: str, body: Any = None, *, auth: bool = True, **kwargs: Any) -> Reply:
        headers = dict(kwargs.pop("headers", {}))
        if auth and self.token:
            headers["X-Auth-Token"] = self.token
        if body is not None:
            kwargs["json"] = body
        response = await self.client.request(method, path, headers=headers, **kwargs)
        if response.content_type == "application/json":
            payload: Any = await response.json()
        else:
            payload = await response.read()
        return Reply(response.status, payload, response.headers)

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.call("GET", self.url(path), **kwargs)

    async def put(self, path: str, data: Any, **kwargs: Any) -> Reply:
        return await self.call("PUT", self.url(path), {"data": data}, **kwargs)

    async def post(self, path: str, data: Any) -> Reply:
        return await self.call("POST", self.url(path), {"data": data})

    async def patch(self, path: str, data: Any) -> Reply:
        return await self.call("PATCH", self.url(path), {"data": data})

    async def delete(self, path: str) -> Reply:
        return await self.call("DELETE", self.url(path))

    async def faxbox(self, **fields: Any) -> dict[str, Any]:
        reply = await self.put("/faxboxes", {"name": "Front desk", **fields})
        assert reply.status == 201, reply.body
        return reply.data

    async def send(self, path: str = "/faxes", pages: int = 1, **fields: Any) -> Reply:
        """Send a fax by multipart/mixed: the JSON envelope, then the PDF."""
        import json

        from aiohttp import MultipartWriter

        data = {"from_number": "+14155550100", "to_number": "+12125550100", **fields}
        data = {k: v for k, v in data.items() if v is not None}  # None: leave the field out
        with MultipartWriter("mixed") as writer:
            writer.append(json.dumps({"data": data}), {"Content-Type": "application/json"})
            writer.append(make_pdf(pages), {"Content-Type": "application/pdf"})
            response = await self.client.put(self.url(path), data=writer, headers={"X-Auth-Token": self.token or ""})
        return Reply(response.status, await response.json(), response.headers)


@pytest.fixture
async def kazoo(client: TestClient) -> Kazoo:
    api = Kazoo(client)
    await api.login()
    return api


@pytest.fixture(scope="module")
def crossbar() -> Iterator[Crossbar]:
    """An emulator served on a real port for the module, and an account on it driven with
    ``requests``, as integrators call Crossbar."""
    with FaxEmulator(start_time=START, seed=4242) as emulator:
        driver = Crossbar(emulator, "crossbar")
        yield driver
        driver.close()


def send_as_requests_does(
    crossbar: Crossbar, data: dict[str, Any], *, pages: int = 1, method: str = "PUT", path: str = "/faxes"
) -> Any:
    """A job sent with ``requests`` as integrators write it: ``files={"json": (None, envelope),
    "file": (...)}``, so the envelope's part carries no Content-Type."""
    envelope = json.dumps({"data": data})
    files = {"json": (None, envelope), "file": ("invoice.pdf", make_pdf(pages), "application/pdf")}
    return crossbar.call(method, path, files=files)
