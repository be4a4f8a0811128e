"""The container image: it answers health (its own HEALTHCHECK too), runs a CallerIP fax to
Success, and stops on SIGTERM in under 2 seconds."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from emulator.core.documents import make_pdf
from emulator.testing import ControlClient
from tests.container.conftest import docker, free_port

START_TIMEOUT = 30.0


@pytest.fixture
def container(image: str) -> Iterator[tuple[str, str]]:
    """(container id, base URL) of the image serving on a free port, manual clock; removed after."""
    port = free_port()
    cid = docker(
        "run",
        "--detach",
        "--network",
        "host",
        "--health-interval",
        "1s",
        "--health-start-period",
        "0s",
        image,
        "--port",
        str(port),
        "--clock",
        "manual",
    ).stdout.strip()
    try:
        url = f"http://127.0.0.1:{port}"
        ControlClient(url).wait_until_ready(START_TIMEOUT)
        yield cid, url
    finally:
        docker("rm", "--force", cid)


def test_the_container_answers_health_and_its_healthcheck_passes(container):
    cid, url = container
    health = requests.get(f"{url}/_emulator/health", timeout=5).json()
    assert health["status"] == "ok" and health["clock"]["mode"] == "manual"
    deadline = time.monotonic() + 20  # docker runs the image's own check every second here
    while (state := docker("inspect", "--format", "{{.State.Health.Status}}", cid).stdout.strip()) != "healthy":
        assert state == "starting" and time.monotonic() < deadline, state
        time.sleep(0.2)
    user = docker("inspect", "--format", "{{.Config.User}}", cid).stdout.strip()
    assert user == "fax-emulator"


def test_a_callerip_fax_runs_to_success_through_the_container(container):
    _, url = container
    sent = requests.post(
        f"{url}/api/fax/send",
        data={"token": "line-1", "number": "2125550100"},
        files={"file": ("letter.pdf", make_pdf(2), "application/pdf")},
        timeout=10,
    )
    assert sent.status_code == 200, sent.text
    fax_id = sent.json()["uuid"]
    requests.post(f"{url}/_emulator/clock/advance", json={"seconds": 600}, timeout=10).raise_for_status()
    status = requests.get(f"{url}/api/fax/status", params={"token": "line-1", "uuid": fax_id}, timeout=10)
    assert status.json()["status"] == "Success"


def test_the_container_stops_on_sigterm_in_under_two_seconds(container):
    cid, _ = container
    started = time.monotonic()
    docker("stop", "--time", "10", cid)  # SIGTERM; SIGKILL only after 10 s
    took = time.monotonic() - started
    assert docker("inspect", "--format", "{{.State.ExitCode}}", cid).stdout.strip() == "0"
    assert took < 2.0, f"took {took:.2f} s"
