"""Every limit on a scenario, in one place.

A scenario may come from anyone who can reach the control API, so reading one must stay
bounded in time and memory: each limit below is checked before the work it bounds, and a
scenario past one is refused with a problem that says which (README "Limits" lists them;
tests/scenarios/test_limits.py checks that it does).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, repr=False, eq=False)
class ScenarioLimits:
    """How big a scenario may be (files, ``POST /_emulator/scenario`` and the CLI alike)."""

    #: bytes of one scenario's text
    bytes: int = 256 * 1024
    #: values (scalars, lists, mappings) in one document, every alias counted at its full
    #: expansion: what bounds "billion laughs" and everything read after the parse
    values: int = 100_000
    #: how deeply lists and mappings nest
    depth: int = 64
    #: rules in one scenario (all files composed)
    rules: int = 1_000
    #: pattern atoms (exact, glob or regex) in all rules' ``match`` conditions
    patterns: int = 10_000
    #: characters of one regex or glob
    pattern_length: int = 1_000
    #: bytes RE2 may use for one compiled regex or glob (its program and its DFA cache)
    regex_memory: int = 256 * 1024
    #: regexes and globs (compiled patterns) in all rules
    regexes: int = 1_000
    #: characters of a value (a destination, a token, a header) that regexes and globs look
    #: at: a longer value matches exact patterns only. RE2 is linear in the value, but a
    #: request must not make a thousand patterns read a megabyte each
    matched_length: int = 8 * 1024
    #: accounts declared for one vendor (vendors check them against each other)
    accounts: int = 1_000
    #: faxes all ``inbound`` entries make together (entries x ``count``)
    inbound_faxes: int = 10_000
    #: problems reported for one scenario (schema validation stops there)
    problems: int = 100


LIMITS = ScenarioLimits()
