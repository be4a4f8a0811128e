"""The /_emulator/ control API."""

from __future__ import annotations

import gc
import json

import pytest

from emulator.core import scheduler
from emulator.core.store import Fax
from tests.conftest import START, advance, runtime_of
from tests.vendors.callerip.test_flow import send_form
from tests.vendors.faxplus.raw import upload
from tests.vendors.faxplus.test_files import send


async def test_health_names_every_vendor_and_the_clock(client):
    body = await (await client.get("/_emulator/health")).json()
    assert body["status"] == "ok"
    assert body["clock"]["mode"] == "manual" and body["clock"]["now"] == START
    assert body["vendors"]["callerip"].endswith("/api/fax")


async def test_vendors_lists_operations_and_states(client):
    body = await (await client.get("/_emulator/vendors")).json()
    callerip = next(v for v in body["vendors"] if v["name"] == "callerip")
    assert callerip["operations"] == ["send_fax", "fax_status"]
    assert callerip["states"][:4] == ["Loading", "Converting", "Pending", "Sending"]
    assert set(callerip["terminal"]) == {"Success", "Failed"}


async def test_clock_advance_moves_time_and_reports_it(client):
    body = await advance(client, 90)
    assert body["now"] == START + 90 and body["iso"] == "2026-01-01T00:01:30.000Z"
    assert (await (await client.get("/_emulator/clock")).json())["now"] == START + 90


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": "5"}, {"seconds": True}, [], {"seconds": 1e12}])
async def test_clock_advance_refuses_bad_bodies(client, body):
    response = await client.post("/_emulator/clock/advance", json=body)
    assert response.status == 400
    assert (await response.json())["error"]["field"] == "seconds"


async def test_clock_advance_refuses_non_json(client):
    response = await client.post("/_emulator/clock/advance", data=b"{nope")
    assert response.status == 400 and "JSON" in (await response.json())["error"]["message"]


async def test_a_real_clock_cannot_be_advanced(make_client):
    client = await make_client(clock="real", start_time=None)
    response = await client.post("/_emulator/clock/advance", json={"seconds": 1})
    assert response.status == 409


async def test_run_until_idle_finishes_every_fax(client):
    uuid = (await (await client.post("/api/fax/send", data=send_form())).json())["uuid"]
    body = await (await client.post("/_emulator/clock/run-until-idle")).json()
    assert body["pending_actions"] == 0
    fax = await (await client.get(f"/_emulator/faxes/{uuid}")).json()
    assert fax["status"] == "Success" and fax["terminal"]


async def test_fax_listing_filters(client):
    ok = (await (await client.post("/api/fax/send", data=send_form(number="2125550100"))).json())["uuid"]
    busy = (await (await client.post("/api/fax/send", data=send_form(number="2125550001"))).json())["uuid"]
    await advance(client, 600)
    by_status = await (await client.get("/_emulator/faxes", params={"status": "Failed"})).json()
    assert [f["id"] for f in by_status["faxes"]] == [busy]
    everything = await (await client.get("/_emulator/faxes", params={"vendor": "callerip"})).json()
    assert [f["id"] for f in everything["faxes"]] == [ok, busy] and everything["total"] == 2
    limited = await (await client.get("/_emulator/faxes", params={"limit": "1"})).json()
    assert [f["id"] for f in limited["faxes"]] == [busy]
    other = (await (await client.post("/api/fax/send", data=send_form(token="other"))).json())["uuid"]
    one_tenant = await (await client.get("/_emulator/faxes", params={"vendor": "callerip", "tenant": "other"})).json()
    assert [f["id"] for f in one_tenant["faxes"]] == [other] and one_tenant["total"] == 1
    nobody = await (await client.get("/_emulator/faxes", params={"vendor": "callerip", "tenant": "nobody"})).json()
    assert nobody == {"faxes": [], "total": 0}


@pytest.mark.parametrize("params", [{"vendor": "nope"}, {"limit": "0"}, {"limit": "x"}, {"limit": "999999"}])
async def test_fax_listing_refuses_bad_filters(client, params):
    assert (await client.get("/_emulator/faxes", params=params)).status == 400


async def test_unknown_fax_is_404(client):
    response = await client.get("/_emulator/faxes/nope")
    assert response.status == 404 and (await response.json())["error"]["code"] == "not_found"


async def test_cancel_is_refused_for_a_vendor_without_a_cancelled_state(client):
    uuid = (await (await client.post("/api/fax/send", data=send_form())).json())["uuid"]
    response = await client.post(f"/_emulator/faxes/{uuid}/cancel")
    assert response.status == 409 and "cancelled" in (await response.json())["error"]["message"]


async def test_inbound_is_refused_for_a_vendor_without_inbound_faxes(client):
    response = await client.post("/_emulator/inbound", json={"vendor": "callerip", "to": "1", "from": "2"})
    assert response.status == 409


@pytest.mark.parametrize(
    "body",
    [
        {"to": "1", "from": "2"},
        {"vendor": "nope", "to": "1", "from": "2"},
        {"vendor": "callerip", "to": "1", "from": "2", "pages": 0},
        {"vendor": "callerip", "to": "1", "from": "2", "document_base64": "***"},
    ],
)
async def test_inbound_refuses_bad_bodies(client, body):
    assert (await client.post("/_emulator/inbound", json=body)).status == 400


async def test_request_journal_records_vendor_operation_tenant_status(client):
    uuid = (await (await client.post("/api/fax/send", data=send_form(token="alice"))).json())["uuid"]
    await advance(client, 5)
    await client.get("/api/fax/status", params={"token": "alice", "uuid": uuid})
    await client.get("/api/fax/nope")
    body = await (await client.get("/_emulator/requests", params={"vendor": "callerip"})).json()
    rows = [(r["operation"], r["tenant"], r["method"], r["path"], r["status"], r["time"]) for r in body["requests"]]
    assert rows == [
        ("send_fax", "alice", "POST", "/api/fax/send", 200, START),
        ("fax_status", "alice", "GET", "/api/fax/status", 200, START + 5),
        (None, None, "GET", "/api/fax/nope", 404, START + 5),
    ]
    assert body["requests"][0]["fax_ids"] == [uuid]
    control_calls = [r for r in body["requests"] if r["path"].startswith("/_emulator")]
    assert control_calls == []


async def test_request_journal_is_a_bounded_ring(make_client):
    client = await make_client(journal_size=3)
    for n in range(5):
        await client.get("/api/fax/status", params={"token": "t", "uuid": str(n)})
    body = await (await client.get("/_emulator/requests")).json()
    assert [r["query"] for r in body["requests"]] == ["token=t&uuid=2", "token=t&uuid=3", "token=t&uuid=4"]
    assert body["dropped"] == 2 and body["capacity"] == 3


async def test_reset_everything(client):
    await client.post("/api/fax/send", data=send_form())
    body = await (await client.post("/_emulator/reset")).json()
    assert body["faxes_dropped"] == 1
    assert (await (await client.get("/_emulator/faxes")).json())["faxes"] == []
    assert (await (await client.get("/_emulator/requests")).json())["requests"] == []


async def test_reset_of_a_tenant_needs_a_vendor(client):
    assert (await client.post("/_emulator/reset", json={"tenant": "x"})).status == 400


async def test_a_reset_naming_no_vendor_or_tenant_is_refused_with_the_field_and_nothing_goes(client):
    """A vendor given as a list or an object was looked up as a key: a 500 (found by a probe)."""
    await client.post("/api/fax/send", data=send_form())
    for body, field in (
        ({"vendor": ["callerip"]}, "vendor"),
        ({"vendor": {"a": 1}}, "vendor"),
        ({"vendor": "callerip", "tenant": {"a": 1}}, "tenant"),
        ({"vendor": "callerip", "tenant": [1]}, "tenant"),
        ({"vendor": "callerip", "tenant": True}, "tenant"),
    ):
        response = await client.post("/_emulator/reset", json=body)
        assert response.status == 400, body
        assert (await response.json())["error"]["field"] == field
    assert len((await (await client.get("/_emulator/faxes")).json())["faxes"]) == 1


async def test_unknown_control_path_is_json_404(client):
    response = await client.get("/_emulator/nothing")
    assert response.status == 404 and "error" in await response.json()


async def test_a_wrong_control_method_is_a_json_405(client):
    response = await client.put("/_emulator/clock")
    assert response.status == 405 and response.headers["Allow"] == "GET"
    assert (await response.json())["error"]["code"]


async def test_a_path_outside_every_vendor_is_the_index_as_a_404_and_journaled(client):
    response = await client.get("/v9/nowhere", params={"x": "1"})
    assert response.status == 404 and "vendors" in await response.json()  # (tests/test_unknown_paths.py)
    [entry] = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert (entry["vendor"], entry["operation"], entry["method"], entry["status"]) == (None, None, "GET", 404)
    assert entry["path"].startswith("/v9/nowhere")


@pytest.mark.parametrize("path", ["/api/fax", "/api/fax/", "/api/fax/nothing"])
async def test_a_path_under_a_vendor_prefix_gets_that_vendors_404(client, path):
    response = await client.get(path)
    assert response.status == 404
    body = await response.json()  # CallerIP's own JSON error, not aiohttp's text
    [entry] = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert (entry["vendor"], entry["operation"], entry["status"]) == ("callerip", None, 404)
    assert body


async def test_a_prefix_is_a_whole_path_segment(client):
    response = await client.get("/api/faxes")  # not under /api/fax: the emulator's index, not CallerIP's error
    assert response.status == 404 and "vendors" in await response.json()


@pytest.mark.parametrize("field", ["from", "to", "tenant"])
async def test_inbound_refuses_a_lone_surrogate_with_a_400(client, field):
    """A JSON escape of a lone surrogate in a number or a tenant made FAX.PLUS's letter or
    account ids unwritable: a 500 (found by a byte probe). It is the control API's 400."""
    body = {"vendor": "faxplus", "to": "+12125550100", "from": "+14155550100", "tenant": "bench"}
    text = json.dumps({**body, field: "+1212\udcff"})  # (json writes the escape: \udcff)
    response = await client.post("/_emulator/inbound", data=text, headers={"Content-Type": "application/json"})
    assert response.status == 400, await response.text()
    error = (await response.json())["error"]
    assert error["code"] == "invalid_request" and error["field"] == field
    assert (await client.get("/_emulator/state")).status == 200


async def test_a_reset_lets_go_of_the_faxes_it_drops_though_their_instants_never_came(client, monkeypatch):
    """On the manual clock a reset freed nothing it dropped: each fax's cancelled timer, whose
    instant never came, held the fax, and a remembered FAX.PLUS caller held its old tenant with
    every fax in it (serve's RSS grew by ~35 MB with each round of 33,000 sends and a reset)."""
    monkeypatch.setattr(scheduler, "COMPACT_FLOOR", 2)  # cancelled timers held at most: few, for the test
    for _ in range(6):
        assert (await client.post("/api/fax/send", data=send_form())).status == 200
    for _ in range(3):
        await send(client, [await upload(client, b"%PDF-1.4\n1 0 obj<</Type/Page>>endobj\ntrailer<<>>\n%%EOF")])
    dropped = {fax.id for fax in runtime_of(client).store.all_faxes()}
    assert len(dropped) == 9
    body = await (await client.post("/_emulator/reset")).json()
    assert body["faxes_dropped"] == 9
    gc.collect()
    alive = [obj for obj in gc.get_objects() if type(obj) is Fax and obj.id in dropped]
    assert len(alive) <= scheduler.COMPACT_FLOOR
