"""Crossbar's verb tunnelling (``api_util:get_http_verb``, ``api_resource`` ``determine_http_verb``,
``allow_missing_post``): a POST that names ``verb`` is handled as that method. The verb is
found as ``cb_context:req_value`` finds a key: in the envelope's ``data``, then the query
string, then the envelope; its case does not matter. For clients whose HTTP stack has no
PATCH (or no PUT, DELETE)."""

from __future__ import annotations

from tests.conftest import runtime_of
from tests.vendors.callerip.test_flow import send_form
from tests.vendors.kazoo.conftest import assert_error, send_as_requests_does


async def _box(kazoo) -> dict:
    return await kazoo.faxbox(name="Front desk", caller_id="+14155550100", retries=2)


async def test_a_post_with_verb_patch_in_the_query_patches(client, kazoo):
    box = await _box(kazoo)
    reply = await kazoo.call("POST", kazoo.url(f"/faxboxes/{box['id']}?verb=PATCH"), {"data": {"name": "Desk"}})
    assert reply.status == 200, reply.body
    assert reply.data["name"] == "Desk" and reply.data["caller_id"] == "+14155550100"  # merged, not replaced
    replaced = await kazoo.post(f"/faxboxes/{box['id']}", {"name": "Desk"})  # a POST without verb replaces
    assert replaced.status == 200 and "caller_id" not in replaced.data
    *_, tunnelled, posted = runtime_of(client).journal.query(vendor="kazoo")
    assert (tunnelled.method, tunnelled.operation, tunnelled.status) == ("POST", "patch_faxbox", 200)
    assert (posted.method, posted.operation) == ("POST", "replace_faxbox")


async def test_the_envelope_names_the_verb_in_any_case(client, kazoo):
    box = await _box(kazoo)
    path = kazoo.url(f"/faxboxes/{box['id']}")
    reply = await kazoo.call("POST", path, {"verb": "patch", "data": {"name": "Desk"}})
    assert reply.status == 200 and reply.data["caller_id"] == "+14155550100"
    deleted = await kazoo.call("POST", path, {"verb": "DELETE", "data": {}})
    assert deleted.status == 200 and deleted.data["_read_only"] == {"deleted": True}
    assert_error(await kazoo.get(f"/faxboxes/{box['id']}"), 404, "bad_identifier")


async def test_data_verb_comes_before_the_query_and_the_query_before_the_envelope(kazoo):
    box = await _box(kazoo)
    path = kazoo.url(f"/faxboxes/{box['id']}")
    reply = await kazoo.call("POST", path + "?verb=DELETE", {"verb": "DELETE", "data": {"name": "D", "verb": "PATCH"}})
    assert reply.status == 200 and reply.data["caller_id"] == "+14155550100" and reply.data["verb"] == "PATCH"
    reply = await kazoo.call("POST", path + "?verb=PATCH", {"verb": "DELETE", "data": {"name": "E"}})
    assert reply.status == 200 and reply.data["name"] == "E" and "_read_only" not in reply.data


async def test_a_post_tunnelling_put_creates_with_201(kazoo):
    reply = await kazoo.call("POST", kazoo.url("/faxboxes?verb=PUT"), {"data": {"name": "Tunnelled"}})
    assert reply.status == 201, reply.body
    assert (await kazoo.get(f"/faxboxes/{reply.data['id']}")).data["name"] == "Tunnelled"


async def test_a_verb_the_path_does_not_take_is_405(kazoo):
    box = await _box(kazoo)
    for verb in ("PUT", "TRACE", ""):
        reply = await kazoo.call("POST", kazoo.url(f"/faxboxes/{box['id']}"), {"verb": verb, "data": {"name": "x"}})
        assert_error(reply, 405, "invalid_method")
    assert (await kazoo.get(f"/faxboxes/{box['id']}")).data["name"] == "Front desk"


async def test_only_a_post_tunnels(kazoo):
    box = await _box(kazoo)
    reply = await kazoo.call("PATCH", kazoo.url(f"/faxboxes/{box['id']}?verb=DELETE"), {"data": {"name": "Still"}})
    assert reply.status == 200 and reply.data["name"] == "Still"
    assert (await kazoo.get(f"/faxboxes/{box['id']}?verb=DELETE")).status == 200


def test_through_requests_a_job_is_sent_by_post_with_verb_put(crossbar):
    data = {"from_number": "+14155550100", "to_number": "+12125550100"}
    response = send_as_requests_does(crossbar, data, pages=2, method="POST", path="/faxes?verb=PUT")
    assert response.status_code == 201, response.text
    job = response.json()["data"]
    assert job["pvt_job_status"] == "pending" and job["to_number"] == "+12125550100"
    hook = {"verb": "PUT", "data": {"name": "results", "hook": "notifications", "uri": "http://127.0.0.1:9/hook"}}
    response = crossbar.call("POST", "/webhooks", json=hook)
    assert response.status_code == 201, response.text


async def test_other_vendors_do_not_tunnel(client):
    response = await client.post("/api/fax/send?verb=GET", data=send_form(token="desk"))
    assert response.status == 200 and "uuid" in await response.json()
