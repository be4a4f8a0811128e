"""Kazoo's contracts (schemas/kazoo/): the vendor's own webhook samples validate, and a
strict-mode run of every operation records no violation of the emulator's own output;
bad requests are recorded where they break the contract (kazoo.md §1-§11)."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from emulator.core import contracts
from emulator.vendors.kazoo import serialise
from emulator.vendors.kazoo.envelope import written
from tests.conftest import advance
from tests.vendors.kazoo.conftest import Kazoo

#: the fax events of Kazoo's applications/crossbar/priv/webhooks_notifications-samples.json (master),
#: copied unmodified from shared/vendor-schemas/kazoo/samples/ (kazoo.md §10.3, §14)
SAMPLES = Path(__file__).with_name("fax_notification_samples.json")
FAX_EVENTS = ("outbound_fax", "outbound_fax_error", "inbound_fax", "inbound_fax_error")


def test_every_fax_sample_validates_against_its_payload_schema():
    samples = json.loads(SAMPLES.read_text())
    assert sorted(s["event_name"] for s in samples) == sorted(FAX_EVENTS)
    for sample in samples:
        assert contracts.check("kazoo", f"notification-{sample['event_name']}", sample) == [], sample


def test_a_payload_that_strays_from_the_samples_breaks_the_schema():
    sample = next(s for s in json.loads(SAMPLES.read_text()) if s["event_name"] == "outbound_fax")
    broken = {
        **sample,
        "fax_timestamp": str(sample["fax_timestamp"]),
        "event_name": "outbound_fax_error",
        "fax_info": {**sample["fax_info"], "fax_success": "true"},
    }
    del broken["fax_jobid"]
    found = {(v.path, v.rule) for v in contracts.check("kazoo", "notification-outbound_fax", broken)}
    assert found == {
        ("$", "required"),
        ("$.event_name", "const"),
        ("$.fax_timestamp", "type"),
        ("$.fax_info.fax_success", "type"),
    }


async def violations(client, **params) -> list[dict]:
    response = await client.get("/_emulator/violations", params={"vendor": "kazoo", **params})
    return (await response.json())["violations"]


@pytest.fixture
async def strict(make_client) -> Kazoo:
    api = Kazoo(await make_client(strict=True))
    await api.login()
    return api


async def test_a_strict_run_of_every_operation_finds_nothing_wrong(strict, receiver):
    kazoo, client = strict, strict.client
    api_key = "k" * 64
    assert (await kazoo.call("PUT", "/v2/api_auth", {"data": {"api_key": api_key}}, auth=False)).status == 201

    json_hook = (
        await kazoo.put(
            "/webhooks",
            {
                "name": "json",
                "hook": "notifications",
                "uri": receiver.url,
                "format": "json",
                "custom_data": {"type": "all", "tag": "t1"},
            },
        )
    ).data
    await kazoo.put("/webhooks", {"name": "form", "hook": "notifications", "uri": receiver.url + "/form"})
    spare = (await kazoo.put("/webhooks", {"name": "spare", "hook": "object", "uri": "http://127.0.0.1:9/x"})).data
    assert (await kazoo.get("/webhooks")).status == 200
    assert (await kazoo.get(f"/webhooks/{json_hook['id']}")).status == 200
    assert (await kazoo.patch(f"/webhooks/{spare['id']}", {"enabled": False})).status == 200
    assert (
        await kazoo.post(f"/webhooks/{spare['id']}", {"name": "s", "hook": "object", "uri": "http://127.0.0.1:9/y"})
    ).status == 200
    assert (await kazoo.delete(f"/webhooks/{spare['id']}")).status == 200

    box = await kazoo.faxbox(
        caller_id="+14155550199",
        retries=2,
        notifications={
            "outbound": {"callback": {"url": receiver.url + "/out"}, "email": {"send_to": ["ops@example.com"]}},
            "inbound": {"callback": {"url": receiver.url + "/in"}},
        },
    )
    other = await kazoo.faxbox(name="Other")
    assert (await kazoo.get("/faxboxes")).status == 200
    assert (await kazoo.get(f"/faxboxes/{box['id']}")).status == 200
    assert (await kazoo.patch(f"/faxboxes/{other['id']}", {"name": "Other", "fax_header": "Acme"})).status == 200
    assert (await kazoo.post(f"/faxboxes/{other['id']}", {"name": "Other 2"})).status == 200
    assert (await kazoo.delete(f"/faxboxes/{other['id']}")).status == 200

    scoped = f"/faxboxes/{box['id']}"
    ok = (await kazoo.send(f"{scoped}/faxes", pages=2, from_number=None, to_name="Bob")).data["id"]
    busy = (await kazoo.send("/faxes/outgoing", to_number="+12125550001", retries=2)).data["id"]
    for seconds in (0, 5, 1, 3, 10, 30):
        await advance(client, seconds)
        assert (await kazoo.get("/faxes/outgoing")).status == 200
        assert (await kazoo.get(f"{scoped}/faxes/outgoing")).status == 200
        for job in (ok, busy):
            assert (await kazoo.get(f"/faxes/outgoing/{job}")).status in (200, 404)
    await advance(client, 700)  # the busy job fails its two attempts

    await client.post(
        "/_emulator/inbound", json={"vendor": "kazoo", "from": "+13125550100", "to": "+14155550199", "pages": 2}
    )
    for path in (
        "/faxes/outbox",
        "/faxes/inbox",
        "/faxes/incoming",
        "/faxes/smtplog",
        f"{scoped}/faxes/outbox",
        f"{scoped}/faxes/inbox",
    ):
        assert (await kazoo.get(path)).status == 200
    first = await kazoo.get("/faxes/outbox", params={"page_size": "1"})
    second = await kazoo.get("/faxes/outbox", params={"page_size": "1", "start_key": first.body["next_start_key"]})
    assert second.data and (await kazoo.get("/faxboxes", params={"paginate": "false"})).data
    [inbox_id] = [row["id"] for row in (await kazoo.get("/faxes/inbox")).data]
    for fax_id, folder in ((f"202601-{ok}", "outbox"), (f"202601-{busy}", "outbox"), (inbox_id, "inbox")):
        assert (await kazoo.get(f"/faxes/{folder}/{fax_id}")).status == 200
        assert (await kazoo.get(f"/faxes/{folder}/{fax_id}/attachment")).status == 200
    resubmitted = await kazoo.call(
        "PUT", kazoo.url(f"/faxes/outbox/202601-{busy}"), {"action": "resubmit", "data": {"to_number": "+12125550100"}}
    )
    forwarded = await kazoo.call(
        "PUT",
        kazoo.url(f"{scoped}/faxes/inbox/{inbox_id}"),
        {"action": "forward", "data": {"to_number": "+12125550100"}},
    )
    assert (resubmitted.status, forwarded.status) == (201, 201)
    for job in (resubmitted.data["id"], forwarded.data["id"]):
        assert (await kazoo.get(f"/faxes/outgoing/{job}")).status == 200
    assert (await kazoo.delete(f"/faxes/inbox/{inbox_id}/attachment")).status == 200
    assert (await kazoo.delete(f"/faxes/inbox/{inbox_id}")).status == 200
    await advance(client, 120)

    for path in ("/faxes/outgoing/" + "0" * 32, "/faxes/outbox/202601-" + "0" * 32, "/nope"):  # errors too
        assert (await kazoo.get(path)).status == 404
    assert (await kazoo.put("/faxboxes", {"name": ""})).status == 400

    events = [(entry["path"], (entry["json"] or entry["form"])["event_name"]) for entry in receiver.received]
    assert {
        ("/hook", "outbound_fax"),
        ("/hook", "outbound_fax_error"),
        ("/hook", "inbound_fax"),
        ("/hook/out", "outbound_fax"),
        ("/hook/in", "inbound_fax"),
        ("/hook/form", "outbound_fax"),
    } <= set(events)
    assert await violations(client, kind="response") == []
    assert await violations(client, kind="webhook") == []
    [refused] = await violations(client)  # nothing else, not even a warning: only the bad faxbox above
    assert (refused["operation"], refused["location"]) == ("create_faxbox", "body.data.name")


@pytest.mark.parametrize("number", ["+12125550004", "+12125550005", "+12125550006", "+12125550010"])
async def test_every_outcome_validates_in_strict_mode(strict, receiver, number):
    """Partial, conversion failure, rejected, crashed worker: tx_result, fax_info and the payloads."""
    await strict.put("/webhooks", {"name": "all", "hook": "notifications", "uri": receiver.url, "format": "json"})
    job_id = (await strict.send(to_number=number, pages=2)).data["id"]
    await advance(strict.client, 200)
    assert (await strict.get(f"/faxes/outbox/202601-{job_id}")).status == 200
    assert (await strict.get("/faxes/outbox")).status == 200
    assert [body["event_name"] for body in receiver.bodies()] == ["outbound_fax_error"]
    assert await violations(strict.client) == []


async def test_a_document_url_job_validates_in_strict_mode(strict, receiver):
    url = receiver.url.replace("/hook", "/nothing-here.pdf")  # fetched, not a PDF: the attempt fails, bad_file
    reply = await strict.put(
        "/faxes",
        {
            "from_number": "+14155550100",
            "to_number": "2125550100",
            "document": {"url": url},
            "notifications": {"email": {"send_to": "a@b.c"}},
        },
    )
    assert reply.status == 201 and reply.data["document"]["method"] == "get"
    await advance(strict.client, 30)
    assert (await strict.get(f"/faxes/outbox/202601-{reply.data['id']}")).data["tx_result"]["result_code"] == 0
    assert await violations(strict.client) == []


async def test_error_envelopes_validate_in_strict_mode(strict):
    kazoo = strict
    other = Kazoo(kazoo.client)
    await other.login(account="other")
    box = await kazoo.faxbox()
    job_id = (await kazoo.send()).data["id"]
    await advance(kazoo.client, 60)
    replies = [
        await kazoo.call("GET", kazoo.url("/faxboxes"), auth=False),  # 401
        await other.call("GET", kazoo.url("/faxboxes")),  # 403
        await kazoo.call("GET", "/v2/accounts/nope/faxboxes"),  # 404, bad account id
        await kazoo.call("POST", kazoo.url("/faxboxes")),  # 405
        await kazoo.call("PUT", kazoo.url("/faxboxes"), {"name": "no envelope"}),  # 400 invalid request envelope
        await kazoo.call("PUT", kazoo.url("/faxboxes"), data=b"{not json"),  # 400 All JSON must be valid
        await kazoo.get("/faxboxes", params={"page_size": "0"}),  # 400 paging
        await kazoo.get("/faxes/outbox", params={"created_from": "1", "created_to": "99999999999"}),  # date_range
        await kazoo.put(f"/faxboxes/{box['id']}/faxes", {"to_number": "12"}),  # 400 number
        await kazoo.call("PUT", kazoo.url(f"/faxes/outbox/202601-{job_id}"), {"data": {}}),  # 500 action required
        await kazoo.get(f"/faxes/inbox/202601-{job_id}"),  # 500 document is not in folder inbox
    ]
    assert [r.status for r in replies] == [401, 403, 404, 405, 400, 400, 400, 400, 400, 500, 500]
    assert await violations(kazoo.client, kind="response") == []


@pytest.mark.breaks_own_contract
async def test_strict_mode_catches_a_kazoo_response_that_breaks_its_schema(strict, monkeypatch):
    job_id = (await strict.send()).data["id"]
    broken = {"id": job_id, "pvt_job_status": "pending"}
    monkeypatch.setattr(serialise, "outgoing_job", lambda cache, fax, now: written(orjson.dumps(broken), "1-x"))
    assert (await strict.get(f"/faxes/outgoing/{job_id}")).status == 200
    found = await violations(strict.client, kind="response")
    assert {(v["operation"], v["rule"]) for v in found} >= {("get_outgoing", "required"), ("get_outgoing", "not")}


async def test_a_refused_faxbox_is_an_error_at_the_field_that_broke_the_contract(kazoo):
    reply = await kazoo.put("/faxboxes", {"name": "", "retries": 9})
    assert reply.status == 400
    found = await violations(kazoo.client)
    assert [(v["severity"], v["kind"], v["location"], v["rule"]) for v in found] == [
        ("error", "request", "body.data.name", "minLength"),
        ("error", "request", "body.data.retries", "maximum"),
    ]
    assert all(v["operation"] == "create_faxbox" for v in found)


async def test_an_unknown_envelope_key_is_served_with_a_warning(kazoo):
    reply = await kazoo.call("PUT", kazoo.url("/faxboxes"), {"data": {"name": "Desk"}, "priority": "high"})
    assert reply.status == 201
    [found] = await violations(kazoo.client)
    assert (found["severity"], found["kind"], found["location"], found["rule"]) == (
        "warning",
        "request",
        "body",
        "unevaluatedProperties",
    )
    assert "priority" in found["message"]


async def test_documented_query_parameters_pass_and_a_misspelt_one_is_a_warning(kazoo):
    documented = {
        "page_size": "2",
        "ascending": "true",
        "filter_name": "Desk",
        "has_key": "caller_id",
        "created_from": "63900000000",
        "pretty_print": "true",
    }
    assert (await kazoo.get("/faxboxes", params=documented)).status == 200
    assert await violations(kazoo.client) == []
    assert (await kazoo.get("/faxboxes", params={"pagesize": "2"})).status == 200
    [found] = await violations(kazoo.client)
    assert (found["severity"], found["location"], found["operation"]) == ("warning", "query", "list_faxboxes")
    assert "pagesize" in found["message"]


async def test_the_json_part_of_a_multipart_job_is_what_gets_checked(kazoo):
    reply = await kazoo.send(retries=9)  # multipart/mixed: the envelope, then the PDF
    assert reply.status == 400
    [found] = await violations(kazoo.client)
    assert (found["severity"], found["operation"], found["location"], found["rule"]) == (
        "error",
        "create_fax",
        "body.data.retries",
        "maximum",
    )
