"""Request bodies as Crossbar 4.3 reads them, through ``requests`` as integrators use it.

A multipart part without Content-Type is read as JSON (api_util get_req_data 'undefined'),
which is what ``requests`` sends for ``files={"json": (None, body)}``; a body whose type
Crossbar does not take gets 415 (api_resource known_content_type), checked after
authentication and before validation; no Content-Type at all counts as JSON.
"""

from __future__ import annotations

import json

from tests.vendors.kazoo.conftest import send_as_requests_does


def _error(response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["status"], body["error"], body["message"]) == ("error", str(status), message)


def test_an_untyped_json_part_is_the_envelope(crossbar):
    data = {"from_number": "+14155550100", "to_number": "+12125550100", "retries": 2}
    response = send_as_requests_does(crossbar, data, pages=3)
    assert response.status_code == 201, response.text
    job = response.json()["data"]
    assert (job["to_number"], job["retries"]) == ("+12125550100", 2)
    crossbar.emulator.client.advance(1)
    assert crossbar.emulator.client.fax(job["id"]).raw["pages"] == 3


def test_json_sent_as_text_plain_is_415_and_stores_nothing(crossbar):
    before = crossbar.data("GET", "/faxboxes")
    body = json.dumps({"data": {"name": "Front desk"}})
    response = crossbar.call("PUT", "/faxboxes", data=body, headers={"Content-Type": "text/plain"})
    _error(response, 415, "unsupported media type")
    assert crossbar.data("GET", "/faxboxes") == before
    job = json.dumps({"data": {"from_number": "+14155550100", "to_number": "+12125550100"}})
    _error(
        crossbar.call("PUT", "/faxes", data=job, headers={"Content-Type": "text/plain"}), 415, "unsupported media type"
    )


def test_json_without_a_content_type_or_url_encoded_is_read_as_json(crossbar):
    body = json.dumps({"data": {"name": "No type"}})
    assert crossbar.call("PUT", "/faxboxes", data=body).status_code == 201  # requests sends no Content-Type
    response = crossbar.call(
        "PUT", "/faxboxes", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )  # what curl -d sends
    assert response.status_code == 201, response.text
