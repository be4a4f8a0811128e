"""Schemathesis against one vendor operation on a live emulator.

The OpenAPI document is the one the emulator serves (``GET /_emulator/openapi/{vendor}.json``,
assembled from the vendor's contracts). For every operation Schemathesis generates
requests that keep the schema (positive) and requests that break it (negative). A driver
puts valid credentials in each and, three times in four, swaps a generated id or field for
one that exists (an uploaded file's path, a real PDF), so the answers cover success bodies
and not only 400s and 404s. Two checks run on every answer: no 5xx (except one the real
vendor documents, with its body), and the body matches the schema the contract declares
for its status.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from emulator.testing import FaxEmulator
from tests.properties import budget
from tests.properties.vendors import Driver

MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def load(emulator: FaxEmulator, vendor: str) -> Any:
    """The vendor's OpenAPI document as the emulator serves it, loaded by Schemathesis.

    Credentials are not generated (so never negated either): the driver puts valid ones in
    every case, and the budget goes on the operation's own parameters and body.
    """
    schema = schemathesis.openapi.from_dict(emulator.client.call("GET", f"/openapi/{vendor}.json"))
    schema.config.generation.update(with_security_parameters=False)
    return schema


def _use_known_values(driver: Driver, case: Any, known: dict[str, list[Any]], data: st.DataObject) -> None:
    """Swap generated parameters and body fields for known good values."""
    for values in driver.fillable(case):
        if not isinstance(values, dict):
            continue
        for name in list(values):
            if known.get(name) and data.draw(st.integers(0, 3), label=f"known {name}?") > 0:
                values[name] = data.draw(st.sampled_from(known[name]), label=name)


def _negatable(operation: Any) -> bool:
    """Whether a request can break the schema: a body, a rule on a parameter, or a parameter to leave out.

    A path parameter that is any string cannot be broken (every string is one), and
    Schemathesis would find nothing to generate.
    """
    if len(operation.body) > 0:
        return True
    for parameter in operation.iter_parameters():
        removable = parameter.is_required and parameter.location.value != "path"
        if removable or parameter.definition.get("schema", {}) != {"type": "string"}:
            return True
    return False


def exercise(operation: Any, driver: Driver, known: dict[str, list[Any]]) -> Counter[int]:
    """Run both generation modes against ``operation``; how often each status came back."""
    statuses: Counter[int] = Counter()

    def check(case: Any, data: st.DataObject) -> None:
        driver.authorise(case)
        _use_known_values(driver, case, known, data)
        response = case.call(base_url=driver.base, session=driver.http)
        statuses[response.status_code] += 1
        checks = [response_schema_conformance]
        if not driver.is_documented_500(response.status_code, response.content):
            checks.append(not_a_server_error)
        case.validate_response(response, checks=checks)

    for mode in MODES if _negatable(operation) else MODES[:1]:
        strategy = operation.as_strategy(generation_mode=mode)
        budget.operation_settings()(given(case=strategy, data=st.data())(check))()
    return statuses
