"""How hard the property tests try: small and repeatable in CI, larger on request.

``FAX_EMULATOR_PROPERTY_EXAMPLES=N`` raises every budget: Schemathesis then makes N cases
per operation and generation mode, and the status-machine tests run N // 5 programs of
up to 50 steps each. Without it the runs are derandomised (the same cases every time, so
CI never flakes); with it Hypothesis explores afresh on each run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

ENV = "FAX_EMULATOR_PROPERTY_EXAMPLES"

#: the CI budget: examples per operation and mode (Schemathesis), programs and steps (stateful)
OPERATION_EXAMPLES = 12
PROGRAMS = 10
STEPS = 25
RAISED_STEPS = 50


def requested() -> int | None:
    """The example count asked for in the environment, or None."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{ENV} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{ENV} must be at least 1, not {value}")
    return value


def _common(max_examples: int, **more: object) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,  # a request's time depends on the machine, not on the code under test
        database=None,  # nothing written beside the checkout
        derandomize=requested() is None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        **more,
    )


def operation_settings() -> settings:
    """Hypothesis settings for one operation and generation mode under Schemathesis."""
    return _common(requested() or OPERATION_EXAMPLES)


def stateful_settings() -> settings:
    """Hypothesis settings for one vendor's status-machine test."""
    count = requested()
    if count is None:
        return _common(PROGRAMS, stateful_step_count=STEPS)
    return _common(max(PROGRAMS, count // 5), stateful_step_count=RAISED_STEPS)
