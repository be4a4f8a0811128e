"""Scenarios: YAML (or JSON) files that say what the emulated providers do.

``loader`` reads them (``source``), validates them (``schemas/scenario.schema.json``, then
``checks``) and builds the ``model``. ``manager`` keeps the ones in force (``active``) and
answers the engine (through ``policy``, the engine's OutcomePolicy), the webhook dispatcher
and the request gate (``gate``); ``faults`` answers a request the way a fault rule says.
The README's "Scenarios" section documents the format.
"""

from emulator.core.scenarios.loader import load_files, load_text
from emulator.core.scenarios.manager import Scenarios
from emulator.core.scenarios.model import Scenario
from emulator.core.scenarios.policy import ScenarioPolicy
from emulator.core.scenarios.source import Problem, ScenarioError

__all__ = ["Problem", "Scenario", "ScenarioError", "ScenarioPolicy", "Scenarios", "load_files", "load_text"]
