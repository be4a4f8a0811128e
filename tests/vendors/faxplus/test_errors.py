"""The error matrix: status codes and the {"error", "description"} body (faxplus.md §8, §9, §11)."""

from __future__ import annotations

import aiohttp
import pytest

from emulator.core.documents import make_pdf
from emulator.vendors.faxplus import outbox
from tests.conftest import runtime_of
from tests.vendors.faxplus.raw import call, my_number, refused, upload

UNKNOWN = "0123456789abcdef01234567"


async def test_authentication_errors(client):
    for headers in (
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwdw=="},
        {"Authorization": "Bearer ~fax:all:read"},
    ):
        await refused(client, "GET", "/accounts/self", 401, "invalid_token", token=None, headers=headers)
    response = await client.get("/v3/accounts/self")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # the OAuth client-id header is accepted, never required
    status, _ = await call(client, "GET", "/accounts/self", headers={"x-fax-clientid": "APIK-LOCAL"})
    assert status == 200


async def test_limits_of_one_send(client, monkeypatch):
    sender = await my_number(client)
    body = {"from": sender, "to": ["+12125550100"], "files": ["/transient-x"] * 11}
    await refused(client, "POST", "/accounts/self/outbox", 400, "too_many_files", json=body)
    body = {"from": sender, "to": [f"+1212555{n:04d}" for n in range(4001)], "files": ["/transient-x"]}
    await refused(client, "POST", "/accounts/self/outbox", 400, "too_many_destinations", json=body)
    pdf = make_pdf(3)
    files = [await upload(client, pdf), await upload(client, pdf)]
    monkeypatch.setattr(outbox, "MAX_FAX_BYTES", 2 * len(pdf) - 1)
    body = {"from": sender, "to": ["+12125550100"], "files": files}
    await refused(client, "POST", "/accounts/self/outbox", 413, "payload_too_large", json=body)
    monkeypatch.setattr(outbox, "MAX_FAX_BYTES", 2 * len(pdf))
    assert (await call(client, "POST", "/accounts/self/outbox", json=body))[0] == 201


async def test_an_upload_over_the_limit_is_413(make_client):
    client = await make_client(max_upload_bytes=1000)
    form = aiohttp.FormData()
    form.add_field("fax_file", make_pdf(3), filename="big.pdf", content_type="application/pdf")
    await refused(client, "POST", "/accounts/self/files", 413, "payload_too_large", data=form)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": ["+12125550100"], "files": ["F"]}, "from"),
        ({"from": "+1", "to": ["+12125550100"], "files": ["F"]}, "from"),
        ({"from": "SENDER", "to": [], "files": ["F"]}, "to"),
        ({"from": "SENDER", "to": ["call me"], "files": ["F"]}, "to[0]"),
        ({"from": "SENDER", "to": ["+12125550100"], "files": []}, "files"),
        ({"from": "SENDER", "to": ["+12125550100"], "files": ["F"], "send_time": "tomorrow"}, "send_time"),
        ({"from": "SENDER", "to": ["+12125550100"], "files": ["F"], "options": {"retry": {"count": 4}}}, "retry"),
        ({"from": "SENDER", "to": ["+12125550100"], "files": ["F"], "options": {"retry": {"delay": 31}}}, "retry"),
        (
            {
                "from": "SENDER",
                "to": ["+12125550100"],
                "files": ["F"],
                "cover_page": {"name_to": "a", "name_from": "b", "subject": "c", "flags": ["secret"]},
            },
            "flags",
        ),
        ({"from": "SENDER", "to": ["+12125550100"], "files": ["F"], "cover_page": {"name_to": "a"}}, "cover_page"),
        ({"from": "SENDER", "to": "+12125550100", "files": ["F"]}, "to"),
    ],
)
async def test_bad_send_bodies_are_400_and_store_nothing(client, body, field):
    sender, path = await my_number(client), await upload(client)
    body = {k: (sender if v == "SENDER" else [path] if v == ["F"] else v) for k, v in body.items()}
    description = await refused(client, "POST", "/accounts/self/outbox", 400, "invalid_request", json=body)
    assert field in description
    assert (await call(client, "GET", "/accounts/self/outbox"))[1] == {"records": []}
    assert runtime_of(client).store.all_faxes() == []


async def test_send_refusals_about_numbers_files_and_json(client):
    sender, path = await my_number(client), await upload(client)
    body = {"from": "+15550001111", "to": ["+12125550100"], "files": [path]}
    await refused(client, "POST", "/accounts/self/outbox", 403, "number_not_owned", json=body)
    other = await my_number(client, token="someone-else")
    body["from"] = f"{sender},{other}"
    await refused(client, "POST", "/accounts/self/outbox", 403, "number_not_owned", json=body)
    body = {"from": sender, "to": ["+12125550100"], "files": ["/transient-unknown"]}
    await refused(client, "POST", "/accounts/self/outbox", 400, "invalid_file", json=body)
    await refused(
        client,
        "POST",
        "/accounts/self/outbox",
        400,
        "invalid_request",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    await refused(client, "POST", "/accounts/self/outbox", 400, "invalid_request", json=["a list"])


async def test_unknown_ids_are_404(client):
    for method, path in [
        ("GET", f"/accounts/self/outbox/{UNKNOWN}0000abcd"),
        ("PUT", f"/accounts/self/outbox/{UNKNOWN}"),
        ("DELETE", f"/accounts/self/outbox/{UNKNOWN}"),
        ("GET", f"/accounts/self/faxes/{UNKNOWN}"),
        ("DELETE", f"/accounts/self/faxes/{UNKNOWN}"),
        ("GET", f"/accounts/self/files/{UNKNOWN}"),
        ("GET", f"/accounts/self/report/{UNKNOWN}"),
        ("GET", f"/accounts/self/thumbnail/{UNKNOWN}"),
        ("DELETE", f"/hooks/{UNKNOWN}"),
        ("GET", "/accounts/self/numbers/%2B19995550100"),
        ("GET", "/shop/numbers/countries/ZZ/areas"),
        ("GET", "/v2/nothing-here"),
    ]:
        kwargs = {"json": {"comment": "x"}} if method == "PUT" else {}
        await refused(client, method, path, 404, "not_found", **kwargs)


async def test_wrong_user_and_wrong_scope_are_403(client):
    other = (await call(client, "GET", "/accounts/self", token="someone-else"))[1]["uid"]
    await refused(client, "GET", f"/accounts/{other}/faxes", 403, "forbidden")
    await refused(client, "GET", "/accounts", 403, "forbidden")
    await refused(client, "GET", "/accounts/self/member-details/" + other, 403, "forbidden")
    member = "corp_member1_acme"
    admin = (await call(client, "GET", "/accounts/self", token="corp_admin_acme"))[1]["uid"]
    await refused(client, "GET", f"/accounts/{admin}/outbox", 403, "forbidden", token=member)
    await refused(client, "GET", f"/accounts/{other}", 404, "not_found", token="corp_admin_acme")
    reader = "scoped~fax:fax:read"
    assert (await call(client, "GET", "/accounts/self/faxes", token=reader))[0] == 200
    await refused(client, "POST", "/accounts/self/outbox", 403, "insufficient_scope", token=reader, json={})
    await refused(client, "GET", "/hooks?event=fax_sent", 403, "insufficient_scope", token=reader)
    assert (await call(client, "GET", "/hooks?event=fax_sent", token="scoped~fax:all:read"))[0] == 200


async def test_query_and_small_body_errors(client):
    for query in (
        "category=outbox",
        "limit=0",
        "limit=51",
        "offset=-1",
        "sort_by=size",
        "order=up",
        "after=2026-01-01T00:00:00",
        "before=yesterday",
    ):
        await refused(client, "GET", f"/accounts/self/faxes?{query}", 400, "invalid_request")
    await refused(client, "GET", "/hooks", 400, "invalid_request")
    await refused(client, "GET", "/hooks?event=fax_page_received", 400, "invalid_request")
    await refused(client, "POST", "/hooks", 400, "invalid_request", json={"target": "http://x/y", "event": "x"})
    await refused(client, "POST", "/hooks", 400, "invalid_request", json={"target": "ftp://x/y", "event": "fax_sent"})
    await refused(client, "PUT", "/accounts/self", 400, "invalid_request", json={"email": "not-an-email"})
    await refused(client, "PUT", f"/accounts/self/faxes/{UNKNOWN}", 400, "invalid_request", json={"note": "x"})
    await refused(client, "GET", "/shop/numbers/countries/US/areas/212/numbers?channel=gold", 400, "invalid_request")
    await refused(client, "POST", "/shop/numbers/purchase", 400, "invalid_request", json={"item_id": "nope"})


async def test_upload_errors(client):
    await refused(client, "POST", "/accounts/self/files", 400, "invalid_request", data=aiohttp.FormData({"a": "b"}))
    await refused(client, "POST", "/accounts/self/files?format=doc", 400, "invalid_request")
    form = aiohttp.FormData()
    form.add_field("fax_file", b"", filename="empty.pdf", content_type="application/pdf")
    await refused(client, "POST", "/accounts/self/files", 400, "invalid_file", data=form)
    await refused(
        client,
        "POST",
        "/accounts/self/files",
        400,
        "unsupported_media_type",
        data=b"raw",
        headers={"Content-Type": "application/pdf"},
    )


async def test_router_errors_use_the_vendor_body(client):
    await refused(client, "GET", "/no/such/path", 404, "not_found")
    await refused(client, "PATCH", "/hooks", 405, "method_not_allowed")


async def test_an_upload_part_without_a_filename_is_the_file(client):
    """The JS SDK sends a Buffer as a fax_file part without a filename (octet-stream)."""
    with aiohttp.MultipartWriter("form-data") as writer:
        part = writer.append(make_pdf(2), {"Content-Type": "application/octet-stream"})
        part.set_content_disposition("form-data", name="fax_file")
        status, body = await call(client, "POST", "/accounts/self/files", data=writer)
    assert status == 200, body
    assert body["path"].startswith("/transient-")


async def test_a_multipart_body_sent_to_outbox_is_refused_in_the_vendor_s_words(client):
    form = aiohttp.FormData()
    form.add_field("fax_file", make_pdf(1), filename="a.pdf", content_type="application/pdf")
    form.add_field("to", "+12125550100")
    description = await refused(client, "POST", "/accounts/self/outbox", 400, "invalid_request", data=form)
    assert "expected a JSON body" in description and "multipart/form-data" in description
    for text in (b"\xff\xfe{", b"{not json"):
        description = await refused(
            client,
            "POST",
            "/accounts/self/outbox",
            400,
            "invalid_request",
            data=text,
            headers={"Content-Type": "application/json"},
        )
        assert "codec" not in description and "Expecting" not in description and "not" in description


async def test_a_null_is_not_given_and_a_send_without_one_is_checked_as_sent(client):
    path, number = await upload(client), await my_number(client)
    # null means "not given" (context.drop_nulls): a null comment, cover page and send time are none
    status, body = await call(
        client,
        "POST",
        "/accounts/self/outbox",
        json={"from": number, "to": ["+12125550100"], "files": [path], "comment": None, "send_time": None},
    )
    assert status == 201, body
    # the word in a string is no null: the body is checked as it is, whichever way it is read
    status, body = await call(
        client,
        "POST",
        "/accounts/self/outbox",
        json={"from": number, "to": ["+12125550100"], "files": [path], "comment": {"text": "null", "tags": []}},
    )
    assert status == 201, body
    # a null where a value is required is a missing value: the vendor's 400
    why = await refused(
        client,
        "POST",
        "/accounts/self/outbox",
        400,
        "invalid_request",
        json={"from": number, "to": None, "files": [path]},
    )
    assert "'to' is a required property" in why


async def test_a_comment_with_a_lone_surrogate_is_shown_by_the_control_api(client):
    """A comment holding a lone surrogate's JSON escape is kept as sent; the control API read
    the pending outbox item back with orjson alone, which refuses that escape (a 500 for the
    whole fax list, found by a byte probe)."""
    path, number = await upload(client), await my_number(client)
    comment = {"text": "note \udcff", "tags": []}  # (json.dumps writes "\\udcff")
    send = {"from": number, "to": ["+12125550100"], "files": [path], "comment": comment}
    status, body = await call(client, "POST", "/accounts/self/outbox", json=send)
    assert status == 201, body
    listing = await client.get("/_emulator/faxes")
    assert listing.status == 200, await listing.text()
    [fax] = (await listing.json())["faxes"]
    assert fax["vendor_view"]["outbox"]["comment"] == comment


async def test_a_bearer_token_whose_bytes_are_not_utf8_is_a_401(client):
    """aiohttp reads a header's bytes that are not UTF-8 as lone surrogates: such a token named
    an account whose ids could not be made (a 500), and which no snapshot could hold (found by a
    byte probe). It is refused as an unknown token is, and no account is made."""
    import asyncio
    import json

    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(b"GET /v3/accounts/self HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer acme\xff\r\n")
    writer.write(b"Connection: close\r\n\r\n")
    answer = await reader.read()
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 401 "), answer[:300]
    assert b'WWW-Authenticate: Bearer realm="fax.plus"' in head
    assert json.loads(body) == {"error": "invalid_token", "description": "the bearer token is not valid"}
    assert runtime_of(client).store.find_tenant("faxplus", "acme\udcff") is None
    assert (await client.get("/_emulator/state")).status == 200
