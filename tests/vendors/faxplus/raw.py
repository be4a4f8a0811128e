"""Plain-HTTP helpers for FAX.PLUS tests that use the in-process ``client`` fixture."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from emulator.core.contracts import check
from emulator.core.documents import make_pdf

TOKEN = "http-token"


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def call(client: TestClient, method: str, path: str, token: str | None = TOKEN, **kwargs: Any) -> tuple[int, Any]:
    """(status, parsed JSON body or None) of a /v3 call."""
    headers = {**(bearer(token) if token is not None else {}), **kwargs.pop("headers", {})}
    response = await client.request(method, "/v3" + path, headers=headers, **kwargs)
    body = await response.read()
    return response.status, (await response.json(content_type=None)) if body else None


async def refused(client: TestClient, method: str, path: str, status: int, error: str, **kwargs: Any) -> str:
    """Assert a refusal with the vendor's error body; returns its description."""
    got, body = await call(client, method, path, **kwargs)
    assert (got, body and body.get("error")) == (status, error), body
    assert check("faxplus", "error", body) == []
    return body["description"]


async def upload(client: TestClient, data: bytes | None = None, token: str = TOKEN, name: str = "a.pdf") -> str:
    form = aiohttp.FormData()
    form.add_field("fax_file", make_pdf(1) if data is None else data, filename=name, content_type="application/pdf")
    status, body = await call(client, "POST", "/accounts/self/files", token=token, data=form)
    assert status == 200, body
    return body["path"]


async def my_number(client: TestClient, token: str = TOKEN) -> str:
    status, body = await call(client, "GET", "/accounts/self/numbers", token=token)
    assert status == 200
    return body["numbers"][0]["number"]
