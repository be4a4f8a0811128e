"""A small StoneFax Web API client written from the vendor's documents (imagicle.md §5-§9).

It talks HTTP only: Basic credentials on every request, ``POST Faxes/Outbound`` as
multipart with a ``jsondata`` part and ``attachment0``, ``attachment1``… file parts (the
part names the public client uses), and the detail and list reads.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

BASE = "/fw/Apps/StoneFax/WebAPI"
BOUNDARY = b"------------------------d74496d66958873e"


def multipart_part(
    name: str, data: bytes, *, filename: str | None = None, content_type: str | None = "application/octet-stream"
) -> bytes:
    """One part of a multipart/form-data body (a file part when ``filename`` is given)."""
    disposition = f'Content-Disposition: form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    headers = [disposition] + ([f"Content-Type: {content_type}"] if content_type else [])
    return "\r\n".join(headers).encode() + b"\r\n\r\n" + data


class Reply:
    """An HTTP answer: status, headers and the parsed JSON body (None if not JSON)."""

    def __init__(self, status: int, headers: Any, body: Any, raw: bytes) -> None:
        self.status, self.headers, self.body, self.raw = status, headers, body, raw

    def __repr__(self) -> str:
        return f"<Reply {self.status} {self.body!r}>"


class StoneFax:
    """One Imagicle user's view of the Web API."""

    def __init__(self, client: TestClient, user: str = "alice", password: str = "secret", base: str = BASE) -> None:
        self.client, self.user, self.password, self.base = client, user, password, base

    def as_user(self, user: str, password: str = "secret") -> StoneFax:
        return StoneFax(self.client, user, password, self.base)

    def at(self, base: str) -> StoneFax:
        """The same user through another base path (another casing, say)."""
        return StoneFax(self.client, self.user, self.password, base)

    async def call(self, method: str, path: str, **kwargs: Any) -> Reply:
        """Any request under the base path, with this user's credentials."""
        headers = {**kwargs.pop("headers", {})}
        if self.user is not None:
            headers["Authorization"] = aiohttp.encode_basic_auth(self.user, self.password)
        async with self.client.request(method, self.base + path, headers=headers, **kwargs) as response:
            raw = await response.read()
            body = json.loads(raw) if response.content_type == "application/json" else None
            return Reply(response.status, response.headers, body, raw)

    async def submit(
        self, jsondata: Any, attachments: list[tuple[str, bytes]] = (), jsondata_type: str | None = "application/json"
    ) -> Reply:
        """POST Faxes/Outbound as libcurl writes it; ``jsondata`` is serialised ASCII-only unless it is text.

        ``jsondata_type=None`` sends the jsondata part with no Content-Type, as the public client does.
        """
        text = jsondata if isinstance(jsondata, str) else json.dumps(jsondata, ensure_ascii=True)
        parts = [multipart_part("jsondata", text.encode(), content_type=jsondata_type)]
        parts += [multipart_part(f"attachment{i}", data, filename=name) for i, (name, data) in enumerate(attachments)]
        return await self.post_multipart("/Faxes/Outbound", parts)

    async def post_multipart(self, path: str, parts: list[bytes]) -> Reply:
        body = b"".join(b"--" + BOUNDARY + b"\r\n" + part + b"\r\n" for part in parts) + b"--" + BOUNDARY + b"--\r\n"
        content_type = f"multipart/form-data; boundary={BOUNDARY.decode()}"
        return await self.call("POST", path, data=body, headers={"Content-Type": content_type})

    async def ids(self, jsondata: Any, attachments: list[tuple[str, bytes]] = ()) -> list[str]:
        """Submit and return the new ids (asserting success)."""
        reply = await self.submit(jsondata, attachments)
        assert reply.status == 200, reply
        return reply.body["ids"]

    async def outbound(self, fax_id: str) -> Reply:
        return await self.call("GET", f"/Faxes/Outbound/{fax_id}")

    async def outbound_fax(self, fax_id: str) -> dict[str, Any]:
        """The outbound record (flat, as the documented outbound example)."""
        reply = await self.outbound(fax_id)
        assert reply.status == 200, reply
        return reply.body

    async def outbound_list(self, **query: Any) -> Reply:
        return await self.call("GET", "/Faxes/Outbound/Mine", params={k: str(v) for k, v in query.items()})

    async def inbound(self, fax_id: str) -> Reply:
        return await self.call("GET", f"/Faxes/Inbound/{fax_id}")

    async def inbound_list(self, **query: Any) -> Reply:
        return await self.call("GET", "/Faxes/Inbound/Mine", params={k: str(v) for k, v in query.items()})

    async def document(self, direction: str, fax_id: str) -> Reply:
        return await self.call("GET", f"/Faxes/{direction}/{fax_id}/Document")


def fax(*numbers: str, **fields: Any) -> dict[str, Any]:
    """A jsondata as the public client writes it: subject and body always, one recipient per number."""
    data: dict[str, Any] = {
        "subject": "Invoice",
        "body": "",
        "recipients": [{"firstName": "Ann", "lastName": f"Lee {i}", "faxNumber": n} for i, n in enumerate(numbers)],
    }
    data.update(fields)
    return data
