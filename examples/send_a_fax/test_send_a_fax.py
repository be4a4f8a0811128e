"""Tests of the application with the fax_emulator fixture: no fake client, no mocks, no sleeps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from faxapp import CallerIP, FaxError, FaxState, fax_document

from emulator.testing import make_pdf

LETTER = make_pdf(2, ["Dear customer,", "your invoice is attached."])


@pytest.fixture
def provider(fax_emulator) -> Iterator[CallerIP]:
    """The app's provider, pointed at the emulator: only the base URL and the token change."""
    # TODO(unfinished): FAX.PLUS example once the vendor lands: parametrize this fixture over
    # ("callerip", "faxplus") and build the FaxPlus provider from fax_emulator.base_url("faxplus").
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
