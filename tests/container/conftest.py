"""The container image built by ``scripts/build-image.sh`` (``.ci/run`` builds it).

Skipped only where docker is absent (no client, or no daemon answering); where docker is
present the image must have been built, else the tests fail and say how to build it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess

import pytest

IMAGE = os.environ.get("FAX_EMULATOR_IMAGE", "fax-emulator")


def docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``docker ARGS``; CalledProcessError (with docker's own words) if it fails."""
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=True)


def free_port() -> int:
    """A port free on this host now (the containers share the host's network)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def image() -> str:
    """The image's name, once docker answers and the image exists."""
    if shutil.which("docker") is None:
        pytest.skip("docker is absent (no docker command); .ci/run installs it and builds the image")
    try:
        docker("info", "--format", "{{.ServerVersion}}", timeout=20)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        pytest.skip("docker is absent (its daemon does not answer); .ci/run starts it and builds the image")
    try:
        docker("image", "inspect", IMAGE)
    except subprocess.CalledProcessError:
        pytest.fail(
            f"docker is here but the image {IMAGE} is not: build it with scripts/build-image.sh "
            f"(or docker build -t {IMAGE} .)",
            pytrace=False,
        )
    return IMAGE
