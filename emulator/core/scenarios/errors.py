"""JSON Schema errors of a scenario, worded for the person who wrote it."""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from emulator.core.scenarios.problems import Problem
from emulator.core.scenarios.source import Document

_TYPE_WORDS = {
    "string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "object": "a mapping (key: value)", "array": "a list", "null": "nothing (null)",
}


def describe_value(value: Any) -> str:
    """How to name a value in an error message."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) <= 60 else f"a string of {len(value)} characters"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _types(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " or ".join(_TYPE_WORDS.get(n, n) for n in names)


def _choices(values: Any) -> str:
    return ", ".join(str(v) if not isinstance(v, bool) else str(v).lower() for v in values)


def explain(error: ValidationError, document: Document) -> list[Problem]:
    """Problems for one schema error: where it is and what is wrong, in plain words."""
    path = tuple(error.absolute_path)
    value = error.instance
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "additionalProperties" and isinstance(value, dict):
        known = sorted(schema.get("properties", {}))
        extras = [k for k in value if k not in schema.get("properties", {})]
        hint = f"; expected one of: {', '.join(known)}" if known else ""
        return [document.problem((*path, key), f"unknown key {key!r}{hint}", key=True) for key in extras]
    if kind == "required" and isinstance(value, dict):
        missing = [k for k in error.validator_value if k not in value]
        return [document.problem(path, f"missing the key {key!r}") for key in missing]
    if kind in ("anyOf", "oneOf"):
        # an error inside the value (a bad list item, say) says more than "none of the forms"
        inner = [e for e in error.context or () if len(e.absolute_path) > len(path)]
        if inner:
            return explain(best_match(inner), document)
        expect = schema.get("x-expect")
        if expect:
            hint = " (put it in quotes)" if "string" in expect and _is_number(value) else ""
            return [document.problem(path, f"must be {expect}; got {describe_value(value)}{hint}")]
        deepest = best_match(error.context) if error.context else None
        if deepest is not None:
            return explain(deepest, document)
    return [document.problem(path, _message(kind, error, value))]


def _message(kind: str, error: ValidationError, value: Any) -> str:
    expected = error.validator_value
    if kind == "type":
        message = f"must be {_types(expected)}, not {describe_value(value)}"
        if "string" in (expected if isinstance(expected, list) else [expected]) and _is_number(value):
            message += " (put it in quotes)"
        return message
    if kind == "enum":
        return f"must be one of {_choices(expected)}; got {describe_value(value)}"
    if kind == "const":
        return f"must be {_choices([expected])}; got {describe_value(value)}"
    if kind == "minimum":
        return f"must be at least {expected}; got {value!r}"
    if kind == "maximum":
        return f"must be at most {expected}; got {value!r}"
    if kind == "exclusiveMinimum":
        return f"must be more than {expected}; got {value!r}"
    if kind == "minItems":
        return f"needs at least {expected} item{'s' if expected != 1 else ''}"
    if kind == "maxItems":
        return f"takes at most {expected} item{'s' if expected != 1 else ''}"
    if kind == "minLength":
        return "must not be empty"
    if kind == "minProperties":
        return "must not be empty"
    if kind == "maxProperties":
        return f"takes only {expected} key{'s' if expected != 1 else ''}"
    if kind == "pattern":
        return f"must match {expected!r}; got {describe_value(value)}" if expected != "^/" else (
            f"must start with /; got {describe_value(value)}")
    return error.message
