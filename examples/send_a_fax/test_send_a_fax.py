"""Tests of the application with the fax_emulator fixture: no fake client, no mocks, no sleeps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from faxapp import CallerIP, FaxError, FaxPlus, FaxState, fax_document

from emulator.testing import make_pdf

LETTER = make_pdf(2, ["Dear customer,", "your invoice is attached."])


@pytest.fixture
def provider(fax_emulator) -> Iterator[CallerIP]:
    """The app's provider, pointed at the emulator: only the base URL and the token change."""
    client = CallerIP(fax_emulator.base_url("callerip"), fax_emulator.credentials("callerip").token)
    yield client
    client.close()


def test_a_letter_is_faxed(fax_emulator, provider):
    fax_id = fax_document(provider, "+1 212 555 0100", LETTER)
    assert provider.state(fax_id) is FaxState.PENDING
    fax_emulator.run_until_idle()  # the whole transmission, in no time
    assert provider.state(fax_id) is FaxState.SENT
    (fax,) = fax_emulator.faxes(vendor="callerip")
    assert (fax.id, fax.to, fax.pages_sent) == (fax_id, "2125550100", 2)


def test_a_busy_line_ends_failed(fax_emulator, provider):
    fax_id = fax_document(provider, "+1 212 555 0001", LETTER)  # ...5550001: always busy
    fax_emulator.run_until_idle()
    assert provider.state(fax_id) is FaxState.FAILED
    assert fax_emulator.fax(fax_id).outcome == "busy"


@pytest.mark.fax_emulator(allow_violations=True)
def test_the_provider_refuses_a_bad_number(fax_emulator, provider):
    with pytest.raises(FaxError) as refused:
        fax_document(provider, "555 0100", LETTER)
    assert refused.value.status == 400 and "10 digits" in refused.value.reason
    assert fax_emulator.faxes() == []  # nothing was stored
    # the emulator recorded why the real provider would refuse it, too
    [violation] = fax_emulator.violations()
    assert violation.location == "body.number" and violation.severity == "error"


def test_the_app_never_polls_too_early(fax_emulator, provider):
    """Time stands still until the test moves it, so every intermediate status can be seen."""
    fax_id = fax_document(provider, "+1 212 555 0100", LETTER)
    seen = []
    while provider.state(fax_id) is FaxState.PENDING:
        seen.append(fax_emulator.fax(fax_id).status)
        fax_emulator.advance(1)
    assert seen[0] == "Loading" and "Sending" in seen


@pytest.fixture
def faxplus(fax_emulator) -> Iterator[FaxPlus]:
    """The app on the official FAX.PLUS SDK: only the host and the token change."""
    client = FaxPlus(fax_emulator.base_url("faxplus"), fax_emulator.credentials("faxplus").token)
    client.subscribe(fax_emulator.receiver.url)
    yield client
    client.close()


def deliver_webhooks(fax_emulator, app: FaxPlus) -> None:
    """Hand what the emulator posted to the receiver to the app's webhook handler."""
    for delivery in fax_emulator.receiver.received:
        app.on_fax_sent(delivery.json())


def test_faxplus_sends_and_the_webhook_says_so(fax_emulator, faxplus):
    fax_document(faxplus, "+1 212 555 0100", LETTER)
    fax_emulator.run_until_idle()
    [delivery] = fax_emulator.receiver.received
    body = delivery.json()
    assert body["hook"]["event"] == "fax_sent"
    assert (body["data"]["to"], body["data"]["status"], body["data"]["pages"]) == ("+12125550100", "success", 2)
    deliver_webhooks(fax_emulator, faxplus)
    assert faxplus.state("+12125550100") is FaxState.SENT


def test_faxplus_busy_line_reaches_the_app_as_a_failure(fax_emulator, faxplus):
    fax_document(faxplus, "+1 212 555 0001", LETTER)  # ...5550001: always busy
    fax_emulator.run_until_idle()
    deliver_webhooks(fax_emulator, faxplus)
    assert faxplus.state("+12125550001") is FaxState.FAILED
    assert fax_emulator.receiver.received[-1].json()["data"]["status"] == "failed_user_busy"
