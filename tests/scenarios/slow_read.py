"""A scenario read that waits for a signal: a job for the worker pool in a module of its own,
light to import (a worker imports it by name to run it)."""

from __future__ import annotations

import os
import time
from typing import Any

from emulator.core.scenarios.load import load_text

STARTED = "# started: "
RELEASE = "# release: "


def read_when_released(text: str, *args: Any) -> Any:
    """``load_text``, once the file named on the text's ``# release:`` line exists (it first
    makes the file named on its ``# started:`` line, to say it is running); RuntimeError if
    that does not happen within 10 s."""
    lines = text.splitlines()
    started = next(line.removeprefix(STARTED) for line in lines if line.startswith(STARTED))
    release = next(line.removeprefix(RELEASE) for line in lines if line.startswith(RELEASE))
    with open(started, "w"):
        pass
    deadline = time.monotonic() + 10
    while not os.path.exists(release):
        if time.monotonic() > deadline:  # the caller never got to release it: it was waiting for this read
            raise RuntimeError("never released")
        time.sleep(0.005)
    return load_text(text, *args)
