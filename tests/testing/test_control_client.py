"""The typed control-API client, against a FaxEmulator thread (CallerIP and a fake vendor)."""

from __future__ import annotations

import pytest

from emulator.core.documents import make_pdf
from emulator.testing import ControlError, UnknownVendor
from tests.conftest import START
from tests.testing.conftest import send_fake


def send_callerip(http, emulator, number="2125550100", token="line-1") -> str:
    fields = {"token": token, "number": number, "file": ("fax.pdf", make_pdf(1), "application/pdf")}
    response = http.request("POST", emulator.base_url("callerip") + "/send", fields=fields)
    assert response.status == 200, response.data
    return response.json()["uuid"]


def test_base_urls_come_from_the_vendor_specs(emulator, control):
    assert control.base_url("callerip") == emulator.url + "/api/fax"
    assert control.base_url("fake") == emulator.url + "/fake"
    with pytest.raises(UnknownVendor, match=r"'nonesuch'; it serves: .*callerip.*fake"):
        control.base_url("nonesuch")


def test_advance_moves_the_manual_clock_and_faxes_follow(emulator, control, http):
    uuid = send_callerip(http, emulator)
    assert control.clock().now == START
    state = control.advance(6)
    assert state.now == START + 6 and state.mode == "manual"
    assert control.fax(uuid).status == "Sending"
    control.run_until_idle()
    fax = control.fax(uuid)
    assert fax.statuses == ["Loading", "Converting", "Pending", "Sending", "Success"]
    assert (fax.vendor, fax.tenant, fax.to, fax.outcome, fax.terminal) == (
        "callerip",
        "line-1",
        "2125550100",
        "success",
        True,
    )
    assert fax.vendor_view == {"status": "Success"}
    assert fax.history[-1].at == "2026-01-01T00:00:21.000Z"


def test_faxes_filter_by_vendor_status_and_tenant(emulator, control, http):
    ok = send_callerip(http, emulator, token="line-a")
    busy = send_callerip(http, emulator, number="2125550001", token="line-b")
    fake = send_fake(http, emulator)
    control.run_until_idle()
    assert [f.id for f in control.faxes()] == [ok, busy, fake]
    assert [f.id for f in control.faxes(vendor="callerip")] == [ok, busy]
    assert [f.id for f in control.faxes(status="Failed")] == [busy]
    assert [f.id for f in control.faxes(vendor="callerip", tenant="line-a")] == [ok]
    assert control.faxes(direction="inbound") == []


def test_requests_are_journaled_with_operation_and_tenant(emulator, control, http):
    uuid = send_callerip(http, emulator)
    http.request("GET", emulator.base_url("callerip") + "/status", fields={"token": "line-1", "uuid": uuid})
    first, second = control.requests(vendor="callerip")
    assert (first.operation, first.method, first.status, first.fax_ids) == ("send_fax", "POST", 200, [uuid])
    assert (second.operation, second.tenant, second.path) == ("fax_status", "line-1", "/api/fax/status")
    assert control.requests(vendor="fake") == []


def test_webhooks_lists_every_delivery_with_its_attempts(emulator, control, http):
    receiver = emulator.receiver()
    fax_id = send_fake(http, emulator, hook=receiver.url)
    assert control.webhooks() == []
    control.run_until_idle()
    (delivery,) = control.webhooks(vendor="fake", fax_id=fax_id)
    assert delivery.state == "delivered" and delivery.event == "done" and delivery.url == receiver.url
    assert delivery.json() == {"id": fax_id, "status": "sent"}
    assert [a.status for a in delivery.attempts] == [200]
    assert control.webhooks(event="other") == []


def test_redeliver_sends_a_delivery_again_and_advance_says_what_is_out(emulator, control, http):
    receiver = emulator.receiver()
    fax_id = send_fake(http, emulator, hook=receiver.url)
    state = control.run_until_idle(webhook_wait=5)
    assert state.webhooks_in_flight == []
    (delivery,) = control.webhooks(fax_id=fax_id)
    again = control.redeliver(delivery.id)
    assert (again.redelivery_of, again.state, again.url, again.body) == (
        delivery.id,
        "pending",
        receiver.url,
        delivery.body,
    )
    assert control.advance(0).webhooks_in_flight == []
    assert [(d.id, d.state) for d in control.webhooks(fax_id=fax_id)] == [
        (delivery.id, "delivered"),
        (again.id, "delivered"),
    ]
    assert len(receiver.received) == 2
    assert control.webhooks(state="delivered") == control.webhooks(fax_id=fax_id)
    assert control.webhooks(state="failed") == []
    assert control.clock().webhooks_in_flight is None
    with pytest.raises(ControlError) as caught:
        control.redeliver(10**9)
    assert caught.value.status == 404


def test_inbound_makes_a_fax_arrive(emulator, control):
    fax = control.inbound("fake", "+15550199", "+15550111", tenant="inbox-1", pages=3)
    assert (fax.direction, fax.status, fax.to, fax.sender, fax.pages) == (
        "inbound",
        "received",
        "+15550199",
        "+15550111",
        3,
    )
    assert control.faxes(direction="inbound", tenant="inbox-1") == [fax]
    document = control.inbound("fake", "+15550199", "+15550111", document=make_pdf(2), filename="x.pdf")
    assert document.pages == 2 and document.raw["documents"][0]["filename"] == "x.pdf"


def test_cancel_ends_a_fax_that_is_under_way(emulator, control, http):
    fax_id = send_fake(http, emulator)
    cancelled = control.cancel(fax_id)
    assert (cancelled.status, cancelled.terminal, cancelled.statuses) == ("cancelled", True, ["queued", "cancelled"])


def test_errors_carry_the_control_api_status_and_code(emulator, control, http):
    with pytest.raises(ControlError) as caught:
        control.fax("no-such-fax")
    assert (caught.value.status, caught.value.code) == (404, "not_found")
    assert "no-such-fax" in str(caught.value)
    with pytest.raises(ControlError) as caught:
        control.advance(-1)
    assert caught.value.status == 400 and "seconds" in caught.value.message
    with pytest.raises(ControlError) as caught:
        control.inbound("callerip", "2125550100", "2125550111")
    assert caught.value.status == 409
    with pytest.raises(ControlError, match="no cancelled state") as caught:
        control.cancel(send_callerip(http, emulator))
    assert caught.value.status == 409


def test_reset_forgets_faxes_and_journal(emulator, control, http):
    send_callerip(http, emulator, token="keep")
    send_callerip(http, emulator, token="drop")
    assert control.reset("callerip", "drop") == 1
    assert [f.tenant for f in control.faxes()] == ["keep"]
    assert control.reset() == 1
    assert control.faxes() == [] and control.requests() == []


def test_violations_since_a_baseline(emulator, control):
    journal = emulator.runtime.journal
    assert control.violations() == [] and control.last_violation() == 0
    emulator.call(lambda: journal.violation(vendor="callerip", operation="send_fax", message="first"))
    baseline = control.last_violation()
    emulator.call(lambda: journal.violation(vendor="fake", message="second"))
    assert [v.describe() for v in control.violations()] == ["[callerip] send_fax: first", "[fake]: second"]
    assert [v.seq for v in control.violations(since=baseline)] == [2]
    assert [v.raw["message"] for v in control.violations(vendor="callerip")] == ["first"]


def test_calls_share_one_kept_connection_and_survive_the_server_closing_it(emulator, control):
    def connections() -> int:
        return len(emulator._runner.server.connections)  # the server's open connections

    control.health()
    control.clock()
    control.faxes()
    assert emulator.call(connections) == 1

    def close_them() -> None:
        for handler in emulator._runner.server.connections:
            handler.force_close()  # as the server does with a connection idle past its keep-alive

    emulator.call(close_them)
    assert control.health()["status"] == "ok"  # sent again on a new connection
    assert emulator.call(connections) == 1
