"""JSON Schema errors of a scenario, worded for the person who wrote it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from emulator.core.scenarios.problems import Problem
from emulator.core.scenarios.source import Document

_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping (key: value)",
    "array": "a list",
    "null": "nothing (null)",
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
    return " or ".join(_TYPE_WORDS.get(name, str(name)) for name in names)


def _choices(values: Any) -> str:
    return ", ".join(str(v) if not isinstance(v, bool) else str(v).lower() for v in values)


def explain(error: ValidationError, document: Document) -> list[Problem]:
    """Problems for one schema error: where it is and what is wrong, in plain words."""
    special = _EXPLAINERS.get(str(error.validator))
    found = special(error, document) if special is not None else None
    if found is not None:
        return found
    return [document.problem(tuple(error.absolute_path), _message(error))]


def _unknown_keys(error: ValidationError, document: Document) -> list[Problem] | None:
    """One problem per unknown key, at the key, with the keys that are known there."""
    value, schema = error.instance, _schema(error)
    if not isinstance(value, dict):
        return None
    known = schema.get("properties", {})
    hint = f"; expected one of: {', '.join(sorted(known))}" if known else ""
    path = tuple(error.absolute_path)
    return [document.problem((*path, key), f"unknown key {key!r}{hint}", key=True) for key in value if key not in known]


def _missing_keys(error: ValidationError, document: Document) -> list[Problem] | None:
    """One problem per missing key."""
    if not isinstance(error.instance, dict):
        return None
    path = tuple(error.absolute_path)
    required: Any = error.validator_value
    return [document.problem(path, f"missing the key {key!r}") for key in required if key not in error.instance]


def _no_form_fits(error: ValidationError, document: Document) -> list[Problem] | None:
    """A value that fits none of the allowed forms: an error inside it (a bad list item, say)
    says more than "none of the forms"; else the form's ``x-expect`` words; else the deepest."""
    path = tuple(error.absolute_path)
    inner = [e for e in error.context or () if len(e.absolute_path) > len(path)]
    if inner:
        return explain(best_match(inner), document)
    expect = _schema(error).get("x-expect")
    if expect:
        value = error.instance
        hint = " (put it in quotes)" if "string" in expect and _is_number(value) else ""
        return [document.problem(path, f"must be {expect}; got {describe_value(value)}{hint}")]
    return explain(best_match(error.context), document) if error.context else None


_EXPLAINERS = {
    "additionalProperties": _unknown_keys,
    "required": _missing_keys,
    "anyOf": _no_form_fits,
    "oneOf": _no_form_fits,
}


def _schema(error: ValidationError) -> dict[str, Any]:
    return error.schema if isinstance(error.schema, dict) else {}


def _type_message(expected: Any, value: Any) -> str:
    message = f"must be {_types(expected)}, not {describe_value(value)}"
    if "string" in (expected if isinstance(expected, list) else [expected]) and _is_number(value):
        message += " (put it in quotes)"
    return message


def _plural(word: str, count: Any) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _pattern_message(expected: Any, value: Any) -> str:
    if expected == "^/":
        return f"must start with /; got {describe_value(value)}"
    return f"must match {expected!r}; got {describe_value(value)}"


#: validator -> its message, from (the schema's value, the instance)
_MESSAGES: dict[str, Callable[[Any, Any], str]] = {
    "type": _type_message,
    "enum": lambda expected, value: f"must be one of {_choices(expected)}; got {describe_value(value)}",
    "const": lambda expected, value: f"must be {_choices([expected])}; got {describe_value(value)}",
    "minimum": lambda expected, value: f"must be at least {expected}; got {value!r}",
    "maximum": lambda expected, value: f"must be at most {expected}; got {value!r}",
    "exclusiveMinimum": lambda expected, value: f"must be more than {expected}; got {value!r}",
    "minItems": lambda expected, value: f"needs at least {_plural('item', expected)}",
    "maxItems": lambda expected, value: f"takes at most {_plural('item', expected)}",
    "minLength": lambda expected, value: "must not be empty",
    "minProperties": lambda expected, value: "must not be empty",
    "maxProperties": lambda expected, value: f"takes only {_plural('key', expected)}",
    "pattern": _pattern_message,
}


def _message(error: ValidationError) -> str:
    words = _MESSAGES.get(str(error.validator))
    return words(error.validator_value, error.instance) if words is not None else error.message
