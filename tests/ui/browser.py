"""One way to start the browser the UI tests and the screenshots use: Debian's Chromium
(``apt-get install chromium``; .ci/run installs it), driven by Playwright, never a
browser Playwright downloads."""

from __future__ import annotations

import os
from typing import Any

CHROMIUM = os.environ.get("FAX_EMULATOR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing() -> str | None:
    """Why the browser cannot start here, or None when it can."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[ui]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def launch(playwright: Any) -> Any:
    """Chromium, headless, with nothing of its own reaching the network."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
