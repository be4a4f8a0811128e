"""Every bad CallerIP input gets a clear error in the same body shape and is stored nowhere."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from emulator.core.documents import make_pdf, make_tiff
from tests.conftest import runtime_of
from tests.vendors.callerip.test_flow import send_form


def form(fields: dict[str, str], file: tuple[str, bytes] | None = ("fax.pdf", make_pdf(1))) -> aiohttp.FormData:
    data = aiohttp.FormData()
    for key, value in fields.items():
        data.add_field(key, value)
    if file is not None:
        data.add_field("file", file[1], filename=file[0], content_type="application/pdf")
    return data


GOOD = {"token": "line-1", "number": "2125550100"}


@pytest.mark.parametrize(
    ("fields", "file", "status", "words"),
    [
        ({"number": "2125550100"}, ("f.pdf", make_pdf(1)), 401, "token"),
        ({"token": "   ", "number": "2125550100"}, ("f.pdf", make_pdf(1)), 401, "token"),
        ({"token": "line-1"}, ("f.pdf", make_pdf(1)), 400, "number"),
        ({**GOOD, "number": "212555010"}, ("f.pdf", make_pdf(1)), 400, "10 digits"),
        ({**GOOD, "number": "12125550100"}, ("f.pdf", make_pdf(1)), 400, "10 digits"),
        ({**GOOD, "number": "212-555-0100"}, ("f.pdf", make_pdf(1)), 400, "10 digits"),
        (
            {**GOOD, "number": "".join(chr(0xFF10 + int(d)) for d in "2125550100")},
            ("f.pdf", make_pdf(1)),
            400,
            "10 digits",
        ),  # full-width digits
        ({**GOOD, "sendCover": "maybe"}, ("f.pdf", make_pdf(1)), 400, "sendCover"),
        (GOOD, None, 400, "file"),
        (GOOD, ("f.pdf", b""), 400, "empty"),
        (GOOD, ("f.pdf", make_tiff(1)), 400, "not a PDF"),
        (GOOD, ("f.pdf", b"hello, not a pdf"), 400, "not a PDF"),
        (GOOD, ("f.pdf", b"%PDF-1.7\ngarbage"), 400, "cannot be read"),
    ],
)
async def test_bad_send_requests(client, fields, file, status, words):
    response = await client.post("/api/fax/send", data=form(fields, file))
    assert response.status == status
    body = await response.json()
    assert set(body) == {"error"} and words in body["error"]
    assert runtime_of(client).store.all_faxes() == []


async def test_send_must_be_multipart(client):
    response = await client.post("/api/fax/send", json={"token": "x", "number": "2125550100"})
    assert response.status == 400 and "multipart" in (await response.json())["error"]


async def test_malformed_multipart_is_a_400(client):
    response = await client.post(
        "/api/fax/send",
        data=b'--b\r\nContent-Disposition: form-data; name="token"\r\n\r\nx',
        headers={"Content-Type": "multipart/form-data; boundary=zz"},
    )
    assert response.status == 400
    assert "error" in await response.json()


@pytest.mark.parametrize(
    "content_type", [b"multipart/form-data; boundary=b\xff", b"multipart/form-data; charset=\xfe; boundary=b"]
)
async def test_a_content_type_whose_bytes_are_not_utf8_is_a_400(client, content_type):
    """aiohttp decodes header bytes that are not UTF-8 as lone surrogates; reading the boundary
    from them was a 500 on every vendor's send (core/bodies.py ``as_sent``)."""
    body = (
        b'--b\r\nContent-Disposition: form-data; name="token"\r\n\r\nline-1\r\n'
        b'--b\r\nContent-Disposition: form-data; name="number"\r\n\r\n2125550100\r\n--b--\r\n'
    )
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(
        b"POST /api/fax/send HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
        + content_type
        + b"\r\nContent-Length: %d\r\n\r\n" % len(body)
        + body
    )
    head, _, payload = (await reader.read()).partition(b"\r\n\r\n")
    writer.close()
    assert head.startswith(b"HTTP/1.1 400 "), head
    assert set(json.loads(payload)) == {"error"}
    assert runtime_of(client).store.all_faxes() == []


@pytest.mark.parametrize("charset", ["idna", "undefined"])
async def test_a_field_in_a_charset_no_text_reads_is_a_400(client, charset):
    """A ``_charset_`` field (RFC 7578 §4.6) naming Python's ``idna`` codec (which refuses the
    ``replace`` handler) or ``undefined`` (which refuses every byte) was a 500 (found by a byte probe)."""
    fields = {"_charset_": charset, **GOOD}  # (aiohttp's FormData keeps a _charset_ field to itself)
    body = b"".join(
        b'--b\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (key.encode(), value.encode())
        for key, value in fields.items()
    )
    body += b'--b\r\nContent-Disposition: form-data; name="file"; filename="fax.pdf"\r\n\r\n' + make_pdf(1)
    body += b"\r\n--b--\r\n"
    response = await client.post(
        "/api/fax/send", data=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status == 400
    body = await response.json()
    assert set(body) == {"error"} and "malformed multipart" in body["error"]
    assert runtime_of(client).store.all_faxes() == []


async def test_oversize_upload_is_413_and_stored_nowhere(make_client):
    client = await make_client(max_upload_bytes=10_000)
    big = make_pdf(1) + b"%" + b"0" * 20_000
    response = await client.post("/api/fax/send", data=form(GOOD, ("big.pdf", big)))
    assert response.status == 413
    assert "limit" in (await response.json())["error"]
    assert runtime_of(client).store.all_faxes() == []


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"uuid": "x"}, 401),
        ({"token": "line-1"}, 400),
        ({"token": "line-1", "uuid": "00000000-0000-4000-8000-000000000000"}, 404),
    ],
)
async def test_bad_status_requests(client, params, status):
    response = await client.get("/api/fax/status", params=params)
    assert response.status == status
    assert set(await response.json()) == {"error"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/fax/send"),
        ("PUT", "/api/fax/send"),
        ("POST", "/api/fax/status"),
        ("DELETE", "/api/fax/status"),
    ],
)
async def test_wrong_method_is_405_in_the_vendor_body(client, method, path):
    response = await client.request(method, path)
    assert response.status == 405
    assert set(await response.json()) == {"error"}
    assert response.headers["Allow"]


async def test_unknown_path_under_the_prefix_is_404_in_the_vendor_body(client):
    response = await client.get("/api/fax/list")
    assert response.status == 404 and set(await response.json()) == {"error"}


async def test_a_refused_request_does_not_disturb_stored_faxes(client):
    ok = await (await client.post("/api/fax/send", data=send_form())).json()
    await client.post("/api/fax/send", data=form({**GOOD, "number": "x"}))
    assert [f.id for f in runtime_of(client).store.all_faxes()] == [ok["uuid"]]
