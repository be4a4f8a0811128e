"""Using the emulator from other projects' tests.

``FaxEmulator`` runs one in a background thread (``with FaxEmulator() as emu: ...``);
``ControlClient`` is the typed client of its control API; ``WebhookReceiver`` records
webhooks; the pytest plugin (``emulator.testing.plugin``) wraps them in the
``fax_emulator`` fixture; ``make_pdf``/``make_tiff`` make valid documents to send.
Names are imported on first use, so loading the pytest plugin costs nothing until a
test asks for the fixture.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "FaxEmulator": "emulator.testing.server",
    "ControlClient": "emulator.testing.client",
    "ControlError": "emulator.testing.client",
    "ScenarioUnavailable": "emulator.testing.client",
    "UnknownVendor": "emulator.testing.client",
    "WebhookReceiver": "emulator.testing.receiver",
    "Received": "emulator.testing.receiver",
    "Credentials": "emulator.testing.credentials",
    "make_credentials": "emulator.testing.credentials",
    "EmulatorFixture": "emulator.testing.fixture",
    # valid documents to send in tests
    "make_pdf": "emulator.core.documents",
    "make_tiff": "emulator.core.documents",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'emulator.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
