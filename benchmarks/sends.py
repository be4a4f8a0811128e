"""Each vendor's send, as a user's load test sends: the requests, their bodies, the documents.

``SENDS[vendor]`` is ``(label, setup)``; ``setup(session, base, document)`` prepares what a
send needs (a login, an uploaded file) and returns the requests of one send, in order, each
``(method, url, headers, body)``. ``DOCUMENTS`` are the documents each send carries.
"""

# Instructions per send, each server process as wrk drives it: benchmarks/instructions.py --sends

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
from collections.abc import Awaitable, Callable

import aiohttp

from emulator.core.documents import make_pdf, make_tiff

Request = tuple[str, str, dict[str, str], bytes]
Setup = Callable[[aiohttp.ClientSession, str, "Document"], Awaitable[list[Request]]]
#: (name, filename, content type, bytes)
Document = tuple[str, str, str, bytes]

DOCUMENTS: list[Document] = [
    ("1-page PDF", "bench.pdf", "application/pdf", make_pdf(1)),
    ("10-page PDF", "bench.pdf", "application/pdf", make_pdf(10)),
    ("3-page TIFF", "bench.tiff", "image/tiff", make_tiff(3)),
]
_BOUNDARY = "benchboundary7MA4YWxkTrZu0gW"


def multipart(parts: list[tuple[str, str | None, str | None, bytes]], subtype: str = "form-data") -> tuple[bytes, str]:
    """A multipart body of ``(name, filename, content type, bytes)`` parts, as clients write it."""
    out = bytearray()
    for name, filename, ctype, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{_BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    out += f"--{_BOUNDARY}--\r\n".encode()
    return bytes(out), f"multipart/{subtype}; boundary={_BOUNDARY}"


async def callerip(session: aiohttp.ClientSession, base: str, document: Document) -> list[Request]:
    _, filename, ctype, data = document
    body, content_type = multipart(
        [("token", None, None, b"bench"), ("number", None, None, b"2125550100"), ("file", filename, ctype, data)]
    )
    return [("POST", f"{base}/api/fax/send", {"Content-Type": content_type}, body)]


async def faxplus(session: aiohttp.ClientSession, base: str, document: Document) -> list[Request]:
    """The upload of the document, then the outbox request sending the file it made."""
    _, filename, ctype, data = document
    auth = {"Authorization": "Bearer alohi_pat_bench"}
    api = f"{base}/v3/accounts/self"
    body, content_type = multipart([("fax_file", filename, ctype, data)])
    upload = (
        "POST",
        f"{api}/files?format={'tiff' if 'tiff' in ctype else 'pdf'}",
        {**auth, "Content-Type": content_type},
        body,
    )
    async with session.post(upload[1], data=body, headers=upload[2]) as response:
        path = (await response.json())["path"]
    async with session.get(f"{api}/numbers", headers=auth) as response:
        number = (await response.json())["numbers"][0]["number"]
    outbox = json.dumps({"from": number, "to": ["+12125550100"], "files": [path]}).encode()
    return [upload, ("POST", f"{api}/outbox", {**auth, "Content-Type": "application/json"}, outbox)]


async def imagicle(session: aiohttp.ClientSession, base: str, document: Document) -> list[Request]:
    _, filename, ctype, data = document
    auth = {"Authorization": "Basic " + base64.b64encode(b"bench:secret").decode()}
    envelope = json.dumps({"subject": "bench", "recipients": [{"faxNumber": "2125550100"}]}).encode()
    body, content_type = multipart(
        [("jsondata", None, "application/json", envelope), ("attachment0", filename, ctype, data)]
    )
    return [("POST", f"{base}/fw/Apps/StoneFax/WebAPI/Faxes/Outbound", {**auth, "Content-Type": content_type}, body)]


async def kazoo(session: aiohttp.ClientSession, base: str, document: Document) -> list[Request]:
    """A job whose body is multipart/mixed: the JSON envelope, then the document (kazoo.md §7.4)."""
    _, filename, ctype, data = document
    credentials = hashlib.md5(b"bench:secret").hexdigest()
    async with session.put(
        f"{base}/v2/user_auth", json={"data": {"credentials": credentials, "account_name": "bench"}}
    ) as response:
        login = await response.json()
    envelope = json.dumps({"data": {"from_number": "+14155550100", "to_number": "+12125550100"}}).encode()
    body, content_type = multipart(
        [("json", None, "application/json", envelope), ("file", filename, ctype, data)], subtype="mixed"
    )
    api = f"{base}/v2/accounts/{login['data']['account_id']}/faxes/outgoing"
    return [("PUT", api, {"X-Auth-Token": login["auth_token"], "Content-Type": content_type}, body)]


SENDS: dict[str, tuple[str, Setup]] = {
    "callerip": ("CallerIP send", callerip),
    "faxplus": ("FAX.PLUS upload + outbox", faxplus),
    "imagicle": ("Imagicle multipart submit", imagicle),
    "kazoo": ("Kazoo multipart job", kazoo),
}
#: what a vendor's send does not take (CallerIP's send takes PDFs only: callerip.md)
NOT_TAKEN = {("callerip", "3-page TIFF")}


async def prepared(setup: Setup, base: str, document: Document) -> list[Request]:
    """The requests of one send of ``document`` to the emulator at ``base`` (``setup`` run once)."""
    async with aiohttp.ClientSession() as session:
        return list(await setup(session, base, document))


def send_once(requests: list[Request], timeout: float = 30) -> tuple[bytes, dict[str, str]]:
    """One send through the emulator (it must succeed); the last answer's body and headers."""
    answer: tuple[bytes, dict[str, str]] = (b"", {})
    for method, url, headers, body in requests:
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read(), dict(response.headers.items())
    return answer
