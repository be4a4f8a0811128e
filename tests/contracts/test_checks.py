"""Run-time contract checks: request violations, refusals, and strict self-checks."""

from __future__ import annotations

import json

import pytest

from emulator.core import contracts
from emulator.core.clock import ManualClock
from emulator.core.contract_checks import ContractChecker
from emulator.core.journal import Journal
from emulator.vendors.callerip import serialise
from tests.vendors.callerip.test_flow import send_form


async def violations(client, **params):
    return (await (await client.get("/_emulator/violations", params=params)).json())["violations"]


async def test_a_request_served_despite_an_undocumented_field_is_a_warning(client):
    response = await client.post("/api/fax/send", data=send_form(priority="high"))
    assert response.status == 200
    [found] = await violations(client)
    assert (found["severity"], found["kind"], found["rule"], found["operation"]) == (
        "warning",
        "request",
        "additionalProperties",
        "send_fax",
    )
    assert "priority" in found["message"] and found["tenant"] == "line-1"


async def test_a_refused_request_is_an_error_that_says_why(client):
    response = await client.post("/api/fax/send", data=send_form(number="12"))
    assert response.status == 400
    [found] = await violations(client)
    assert found["severity"] == "error" and found["location"] == "body.number" and found["rule"] == "pattern"


async def test_a_refusal_the_schema_cannot_see_is_still_recorded_with_the_vendor_message(client):
    response = await client.post("/api/fax/send", data=send_form(pdf=b"not a pdf"))
    assert response.status == 400
    [found] = await violations(client)
    assert found["rule"] == "refused" and "not a PDF" in found["message"]


async def test_good_requests_and_plain_not_found_record_nothing(client):
    await client.post("/api/fax/send", data=send_form())
    await client.get("/api/fax/status", params={"token": "line-1", "uuid": "nope"})
    assert await violations(client) == []


async def test_violations_filter_and_clear(client):
    await client.post("/api/fax/send", data=send_form(priority="high"))
    await client.post("/api/fax/send", data=send_form(number="12"))
    assert len(await violations(client, severity="error")) == 1
    assert len(await violations(client, severity="warning")) == 1
    cleared = await (await client.delete("/_emulator/violations")).json()
    assert cleared == {"cleared": 2} and await violations(client) == []


@pytest.mark.breaks_own_contract
async def test_strict_mode_catches_a_response_that_breaks_the_contract(make_client, monkeypatch):
    client = await make_client(strict=True)
    uuid = (await (await client.post("/api/fax/send", data=send_form())).json())["uuid"]
    monkeypatch.setattr(serialise, "status_json", lambda runtime, fax: b'{"status":"Done","extra":1}')
    response = await client.get("/api/fax/status", params={"token": "line-1", "uuid": uuid})
    assert response.status == 200  # the response still leaves: strict mode reports, it does not hide
    found = await violations(client, kind="response")
    assert {v["rule"] for v in found} == {"enum", "additionalProperties"}
    assert all(v["severity"] == "error" for v in found)


async def test_without_strict_mode_responses_are_not_checked(make_client, monkeypatch):
    client = await make_client(strict=False)
    uuid = (await (await client.post("/api/fax/send", data=send_form())).json())["uuid"]
    monkeypatch.setattr(serialise, "status_json", lambda runtime, fax: b'{"status":"Done"}')
    await client.get("/api/fax/status", params={"token": "line-1", "uuid": uuid})
    assert await violations(client, kind="response") == []


@pytest.mark.parametrize("strict", [True, False])
def test_webhook_bodies_are_checked_only_in_strict_mode(strict):
    journal = Journal(10)
    checker = ContractChecker(journal, ManualClock(0), strict)
    checker.check_webhook("callerip", "t", "test_event", "status_response", json.dumps({"status": "x"}).encode())
    assert len(journal.violations) == (1 if strict else 0)


def test_violation_paths_name_where_the_problem_is():
    [violation] = contracts.check("callerip", "send_response", {"uuid": "ABC", "status": "Loading"})
    assert violation.path == "$.uuid" and violation.rule == "pattern"


def test_whether_a_query_schema_takes_an_empty_query_is_read_from_the_schema():
    checker = ContractChecker(Journal(), ManualClock(0), strict=False)
    assert checker.takes_empty_query("kazoo", "query") is True  # every Crossbar parameter is optional
    assert checker.takes_empty_query("callerip", "status_query") is False  # uuid and token are required


async def test_a_served_poll_with_an_unknown_query_parameter_is_still_a_warning(client):
    """Served answers to queryless requests skip the query check; ones with a query do not."""
    from tests.vendors.kazoo.conftest import Kazoo

    kazoo = Kazoo(client)
    await kazoo.login()
    assert (await kazoo.get("/faxboxes")).status == 200
    assert await violations(client) == []
    assert (await kazoo.get("/faxboxes", params={"colour": "blue"})).status == 200
    [found] = await violations(client)
    assert (found["severity"], found["location"], found["operation"]) == ("warning", "query", "list_faxboxes")


async def test_a_poll_repeating_a_clean_query_records_nothing_and_each_unknown_parameter_is_warned(client):
    """A route remembers the last query it found nothing to say of; no other query slips through."""
    uuid = (await (await client.post("/api/fax/send", data=send_form())).json())["uuid"]
    clean = {"token": "line-1", "uuid": uuid}
    for params in (clean, clean, {**clean, "colour": "blue"}, {**clean, "colour": "blue"}, clean, {**clean, "x": "1"}):
        assert (await client.get("/api/fax/status", params=params)).status == 200
    found = await violations(client)
    assert [(v["severity"], v["location"], v["operation"]) for v in found] == [("warning", "query", "fax_status")] * 3
    assert ["colour" in v["message"] for v in found] == [True, True, False]


def test_each_route_checks_the_answers_its_contract_gives_something_to_check():
    """``for_route`` is the one place that decides which answers are checked."""
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from emulator.core.contracts import Contract

    checker = ContractChecker(Journal(), ManualClock(0), strict=False)
    checked: list[tuple[str | None, int]] = []
    checker.check_request = lambda request, response, vendor, operation, contract: checked.append(  # type: ignore[method-assign]
        (operation, response.status)
    )

    def answer(check, target: str, status: int) -> None:
        check(make_mocked_request("GET", target), web.Response(status=status))

    bare = checker.for_route("kazoo", "bare", None)
    answer(bare, "/x?a=1", 200)
    answer(bare, "/x", 400)  # a refusal is always recorded
    polled = checker.for_route("kazoo", "polled", Contract("s", "src", query="query"))
    answer(polled, "/x", 200)  # its query schema takes an empty query: nothing to check
    answer(polled, "/x?paginate=maybe", 200)
    answer(polled, "/x", 405)
    required = checker.for_route("callerip", "required", Contract("s", "src", query="status_query"))
    answer(required, "/x", 200)  # its query schema needs parameters: an empty query breaks it
    body = checker.for_route("kazoo", "body", Contract("s", "src", request="user_auth"))
    answer(body, "/x", 200)
    assert checked == [("bare", 400), ("polled", 200), ("polled", 405), ("required", 200), ("body", 200)]
