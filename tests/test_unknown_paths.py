"""A path no route matches, through HTTP: under a vendor's prefix, that vendor's own 404 or
405 naming the nearest routes (in the body where it shows a message, always in the
``X-Emulator-Hint`` header); outside every prefix, the emulator's index, as HTML to a
browser and JSON to anything else. Never aiohttp's plain text."""

from __future__ import annotations

import pytest

ACCOUNT = "a" * 32
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}


async def test_callerip_names_the_nearest_route_in_its_error_message_and_the_header(client):
    response = await client.post("/api/fax/sen", data={"token": "t"})
    assert response.status == 404
    assert await response.json() == {"error": "Not Found; did you mean POST /api/fax/send?"}
    assert response.headers["X-Emulator-Hint"] == "did you mean POST /api/fax/send?"


async def test_a_wrong_method_names_the_route_at_that_path_first_and_keeps_allow(client):
    response = await client.get("/api/fax/send")
    assert response.status == 405 and response.headers["Allow"] == "POST"
    assert await response.json() == {"error": "Method Not Allowed; did you mean POST /api/fax/send?"}


async def test_faxplus_keeps_its_code_and_puts_the_hint_in_its_description(client):
    response = await client.post("/v3/accounts/self/outbx", headers={"Authorization": "Bearer t"})
    assert response.status == 404
    body = await response.json()
    assert set(body) == {"error", "description"} and body["error"] == "not_found"
    assert body["description"].startswith("Not Found; did you mean POST /v3/accounts/{user_id}/outbox")
    assert response.headers["X-Emulator-Hint"] == body["description"].removeprefix("Not Found; ")


async def test_imagicle_matches_in_any_case_and_names_routes_as_documented(client):
    response = await client.get("/fw/apps/stonefax/webapi/faxes/outbond/IAS-1", auth=None)
    assert response.status == 404
    hint = "did you mean GET /fw/Apps/StoneFax/WebAPI/Faxes/Outbound/{fax_id}?"
    assert await response.json() == {"reason": f"Not Found; {hint}"}
    assert response.headers["X-Emulator-Hint"] == hint


async def test_kazoo_keeps_its_envelope_exact_and_hints_in_the_header_only(client):
    """Kazoo clients parse ``message`` and ``data`` (a code and Crossbar's own words), so the
    hint stays out of the body."""
    response = await client.get(f"/v2/accounts/{ACCOUNT}/faxes/outgoin")
    assert response.status == 404
    body = await response.json()
    assert (body["status"], body["error"], body["message"], body["data"]) == (
        "error",
        "404",
        "not_found",
        {"message": "not found"},
    )
    assert response.headers["X-Request-ID"] == body["request_id"]
    assert response.headers["X-Emulator-Hint"].startswith("did you mean GET /v2/accounts/{account_id}/faxes/outgoing")
    response = await client.put(f"/v2/accounts/{ACCOUNT}/faxes/inbox")
    assert response.status == 405 and response.headers["Allow"] == "GET"
    assert (await response.json())["data"] == {"message": "method not allowed"}
    assert response.headers["X-Emulator-Hint"].startswith("did you mean GET /v2/accounts/{account_id}/faxes/inbox")


async def test_the_control_api_hints_in_its_message(client):
    response = await client.post("/_emulator/scenarios")
    assert response.status == 404
    error = (await response.json())["error"]
    assert error["code"] == "not_found"
    assert error["message"].startswith("Not Found; did you mean POST /_emulator/scenario")


async def test_a_path_too_long_to_compare_whole_is_still_answered_with_a_hint(client):
    response = await client.get("/api/fax/" + "x" * 7000 + "/" * 300)
    assert response.status == 404
    assert response.headers["X-Emulator-Hint"].startswith("did you mean ")


@pytest.mark.parametrize("accept", [{}, JSON, {"Accept": "*/*"}])
async def test_a_stray_path_gets_the_index_as_json_with_each_base_url(client, accept):
    response = await client.get("/v1/faxes", headers=accept)
    assert response.status == 404 and response.content_type == "application/json"
    body = await response.json()
    base = f"http://{response.url.host}:{response.url.port}"
    assert body["error"] == {
        "code": "not_found",
        "message": "GET /v1/faxes is no route of the emulator: each vendor's API is under its base URL",
    }
    assert {v["name"]: v["base_url"] for v in body["vendors"]} == {
        "callerip": f"{base}/api/fax",
        "faxplus": f"{base}/v3",
        "imagicle": f"{base}/fw/Apps/StoneFax/WebAPI",
        "kazoo": f"{base}/v2",
    }
    assert body["control_api"] == f"{base}/_emulator" and body["ui"] == f"{base}/"
    assert body["docs"]["kazoo"] == f"{base}/_emulator/openapi/kazoo.json"
    assert (await client.get(body["docs"]["kazoo"].removeprefix(base))).status == 200


async def test_a_browser_gets_the_index_as_a_page_with_the_host_escaped(client):
    response = await client.get("/nope", headers={**BROWSER, "Host": "<b>evil</b>"})
    assert response.status == 404 and response.content_type == "text/html"
    page = await response.text()
    assert "<b>evil</b>" not in page and "&lt;b&gt;evil&lt;/b&gt;/v2" in page
    assert "GET /nope is no route of the emulator" in page and "2600Hz Kazoo" in page


async def test_the_root_is_the_ui_for_a_browser_and_the_index_for_a_json_client(client):
    page = await client.get("/", headers=BROWSER)
    assert page.status == 200 and "<title>fax-emulator</title>" in await page.text()
    index = await client.get("/", headers=JSON)
    assert index.status == 200 and "error" not in await index.json()
    assert [v["title"] for v in (await index.json())["vendors"]] == [
        "CallerIP",
        "FAX.PLUS",
        "Imagicle StoneFax",
        "2600Hz Kazoo",
    ]
    wrong = await client.post("/", headers=JSON)
    assert wrong.status == 405 and wrong.headers["Allow"] == "GET"
    assert (await wrong.json())["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/"),
        ("POST", "/"),
        ("GET", "/v1/faxes"),
        ("GET", "/ui/nope.js"),
        ("DELETE", "/api/fax/send"),
        ("GET", "/v3/nope"),
        ("GET", "/v2/nope"),
        ("GET", "/fw/Apps/StoneFax/WebAPI/nope"),
        ("GET", "/_emulator/nope"),
    ],
)
async def test_no_answer_is_aiohttps_plain_text(client, method, path):
    for accept in ({}, BROWSER, JSON):
        response = await client.request(method, path, headers=accept)
        assert response.content_type in ("application/json", "text/html"), (method, path, accept)
