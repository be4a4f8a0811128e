"""``FaxEmulatorContainer``: the built image through Testcontainers, driven with the same client
the ``fax_emulator`` fixture gives (base URLs, credentials, clock, faxes, receivers, violations)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from emulator.core.documents import make_pdf
from emulator.testing.fixture import EmulatorFixture
from tests.docs import ROOT, blocks, section


@pytest.fixture
def fax_emulator(image: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorFixture]:
    from testcontainers.core.config import testcontainers_config

    from emulator.testing.container import FaxEmulatorContainer

    # Ryuk, Testcontainers' reaper, is an image from a registry; the container is removed on exit
    monkeypatch.setattr(testcontainers_config, "ryuk_disabled", True)
    with FaxEmulatorContainer(image, network_mode="host", seed=1) as container:
        handle = container.fixture("container-test")
        yield handle
        handle.close()


def test_a_callerip_fax_through_the_fixture_api(fax_emulator):
    token = fax_emulator.credentials("callerip").token
    sent = requests.post(
        f"{fax_emulator.base_url('callerip')}/send",
        data={"token": token, "number": "2125550001"},
        files={"file": ("letter.pdf", make_pdf(1), "application/pdf")},
        timeout=10,
    )
    fax_id = sent.json()["uuid"]
    fax_emulator.run_until_idle()
    fax = fax_emulator.fax(fax_id)
    assert (fax.status, fax.outcome) == ("Failed", "busy")  # ...5550001: the magic busy number
    assert [r.operation for r in fax_emulator.requests(vendor="callerip")] == ["send_fax"]
    assert fax_emulator.contract_failure() is None


def test_a_webhook_reaches_a_receiver_in_the_test_process(fax_emulator):
    faxplus, auth = fax_emulator.base_url("faxplus"), fax_emulator.credentials("faxplus").bearer_header
    hooks = requests.post(
        f"{faxplus}/hooks",
        timeout=10,
        headers=auth,
        json={"target": fax_emulator.receiver.url, "event": "fax_received"},
    )
    assert hooks.status_code == 201, hooks.text
    number = requests.get(f"{faxplus}/accounts/self/numbers", headers=auth, timeout=10).json()["numbers"][0]["number"]
    fax_emulator.inbound("faxplus", to=number, sender="+13105550100")
    fax_emulator.run_until_idle()
    [body] = fax_emulator.receiver.bodies()
    assert body["hook"]["event"] == "fax_received"


def test_a_broken_contract_is_reported(fax_emulator):
    requests.post(f"{fax_emulator.base_url('callerip')}/send", data={"token": "t", "number": "555"}, timeout=10)
    failure = fax_emulator.contract_failure()
    assert failure is not None and "body.number" in failure


def test_the_ci_recipe_snippet_runs_on_the_host_network(image, tmp_path):
    """docs/ci-recipe.md's Testcontainers snippet as written, but for the two things this
    machine's docker lacks and the recipe names: a bridge network (``network_mode="host"``)
    and a registry for Ryuk (``TESTCONTAINERS_RYUK_DISABLED=true``)."""
    recipe = ROOT.joinpath("docs", "ci-recipe.md").read_text()
    [code] = blocks(section(recipe, "### Testcontainers (Python)"), "python")
    written = 'FaxEmulatorContainer("fax-emulator")'
    assert written in code
    code = code.replace(written, f'FaxEmulatorContainer("{image}", network_mode="host")')
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "TESTCONTAINERS_RYUK_DISABLED": "true"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[]"  # no fax yet: the snippet leaves the sending to your app
