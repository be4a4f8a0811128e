"""Automatic retries and Q.931 causes (imagicle.md §6, §11, D11): InProgress -> Queued until attempts run out."""

from __future__ import annotations

from emulator.core.outcomes import Outcome, Result
from tests.conftest import advance, runtime_of
from tests.vendors.imagicle.conftest import PDF2, set_options
from tests.vendors.imagicle.stonefax import fax


async def _statuses(client, fax_id):
    history = (await (await client.get(f"/_emulator/faxes/{fax_id}")).json())["history"]
    return [h["status"] for h in history]


async def test_always_busy_is_retried_then_fails_with_cause_17(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550001"), [("a.pdf", PDF2)])
    await advance(client, 2 + 10)  # Queued, then a busy attempt: set-up only, no page sent
    record = await stonefax.outbound_fax(fax_id)
    assert record["status"] == "Queued"
    assert record["detailedStatus"] == "Attempt 1 of 3 failed (User busy); waiting to retry"
    assert record["Q931Code"] == 17 and record["failureReason"] is None and record["endTime"] is None
    await advance(client, 120)  # the retry delay
    record = await stonefax.outbound_fax(fax_id)
    assert record["status"] == "InProgress" and record["detailedStatus"] == "Attempt 2 of 3"
    assert record["startTime"] == "2026-01-01T00:00:02.0000000"  # when sending first started
    await advance(client, 10 + 120 + 10)
    record = await stonefax.outbound_fax(fax_id)
    assert record["status"] == "Failed" and record["Q931Code"] == 17 and record["failureReason"] == "User busy"
    assert record["endTime"] == "2026-01-01T00:04:32.0000000" and record["detailedStatus"] is None
    assert await _statuses(client, fax_id) == [
        "Queued",
        "InProgress",
        "Queued",
        "InProgress",
        "Queued",
        "InProgress",
        "Failed",
    ]


async def test_busy_once_then_completed_with_normal_clearing(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550011"), [("a.pdf", PDF2)])
    await advance(client, 2 + 10 + 120 + 40)
    record = await stonefax.outbound_fax(fax_id)
    assert record["status"] == "Completed" and record["Q931Code"] is None and record["failureReason"] is None
    assert await _statuses(client, fax_id) == ["Queued", "InProgress", "Queued", "InProgress", "Completed"]


async def test_no_answer_twice_then_completed(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550012"), [("a.pdf", PDF2)])
    await advance(client, 2 + 10 + 120 + 10 + 120 + 40)
    assert (await stonefax.outbound_fax(fax_id))["status"] == "Completed"
    assert (await _statuses(client, fax_id)).count("InProgress") == 3


async def test_no_answer_fails_with_cause_19(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550002"), [("a.pdf", PDF2)])
    await advance(client, 3600)
    record = await stonefax.outbound_fax(fax_id)
    assert (record["status"], record["Q931Code"]) == ("Failed", 19)
    assert record["failureReason"] == "No answer from user (user alerted)"


async def test_unallocated_number_is_not_retried_cause_1(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550003"), [("a.pdf", PDF2)])
    await advance(client, 12)
    record = await stonefax.outbound_fax(fax_id)
    assert (record["status"], record["Q931Code"]) == ("Failed", 1)
    assert record["failureReason"] == "Unallocated (unassigned) number"
    assert await _statuses(client, fax_id) == ["Queued", "InProgress", "Failed"]


async def test_partial_transmission_is_retried_and_reports_the_pages(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550004"), [("a.pdf", PDF2)])
    await advance(client, 3600)
    record = await stonefax.outbound_fax(fax_id)
    assert (record["status"], record["Q931Code"]) == ("Failed", 16)
    assert record["failureReason"] == "Transmission interrupted after 1 of 2 pages"


async def test_conversion_failure_fails_from_queued_without_a_call(stonefax, client):
    [fax_id] = await stonefax.ids(fax("2125550005"), [("a.pdf", PDF2)])
    await advance(client, 2)
    record = await stonefax.outbound_fax(fax_id)
    assert (record["status"], record["Q931Code"], record["startTime"]) == ("Failed", None, None)
    assert record["failureReason"] == "The document could not be converted to fax format"
    assert await _statuses(client, fax_id) == ["Queued", "Failed"]


async def test_attempts_and_retry_delay_are_options(stonefax, client):
    await set_options(client, attempts=2, retry_delay=30)
    [fax_id] = await stonefax.ids(fax("2125550001"), [("a.pdf", PDF2)])
    await advance(client, 2 + 10 + 30 + 10)
    record = await stonefax.outbound_fax(fax_id)
    assert record["status"] == "Failed" and record["endTime"] == "2026-01-01T00:00:52.0000000"


class _Cause34:
    """A scenario-like policy: every attempt fails with a native Q.931 cause 34."""

    def attempt(self, run, attempt):
        return Result(Outcome.NETWORK_ERROR, native="34", rule="test")

    def dwell(self, run, state, default):
        return default


async def test_a_native_q931_cause_from_a_scenario_is_reported(stonefax, client):
    runtime_of(client).engine.policy = _Cause34()
    [fax_id] = await stonefax.ids(fax("2125550100"), [("a.pdf", PDF2)])
    await advance(client, 3600)
    record = await stonefax.outbound_fax(fax_id)
    assert (record["status"], record["Q931Code"]) == ("Failed", 34)
    assert record["failureReason"] == "No circuit/channel available"
