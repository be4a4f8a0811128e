"""Scenarios: YAML (or JSON) files that say what the emulated providers do.

Loading, apart from run time: ``load`` reads them (``source``), checks them against
``limits``, validates them (``schemas/scenario.schema.json``, worded by ``explain``, then
``checks``) and builds the ``model``. At run time, ``manager`` keeps the ones in force
(``active``: counters and draws) and answers the engine (through ``policy``, the engine's
OutcomePolicy), the webhook dispatcher and the request gate (``gate``), each through
``match`` (a rule's conditions against the facts known); ``faults`` answers a request the
way a fault rule says. The README's "Scenarios" section documents the format.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.core.scenarios.load import load_files, load_text
    from emulator.core.scenarios.manager import Scenarios
    from emulator.core.scenarios.model import Scenario
    from emulator.core.scenarios.policy import ScenarioPolicy
    from emulator.core.scenarios.problems import Problem, ScenarioError

__all__ = ["Problem", "Scenario", "ScenarioError", "ScenarioPolicy", "Scenarios", "load_files", "load_text"]

#: where each name lives; imported on first use, because reading scenarios needs YAML and
#: JSON Schema, which an emulator started without a scenario never loads (start-up time)
_HOMES = {
    "load_files": "load",
    "load_text": "load",
    "Scenarios": "manager",
    "Scenario": "model",
    "ScenarioPolicy": "policy",
    "Problem": "problems",
    "ScenarioError": "problems",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
