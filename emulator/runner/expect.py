"""Comparing what happened with what a step expects, in words; and ``${name}`` variables."""

from __future__ import annotations

import re
from typing import Any

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class MissingVariable(Exception):
    """A step uses a ``${name}`` nothing saved."""


def substitute(value: Any, variables: dict[str, Any]) -> Any:
    """``${name}`` in every string of ``value``; a string that is only ``${name}`` takes its value as is."""
    if isinstance(value, str):
        whole = _VARIABLE.fullmatch(value)
        if whole:
            return _lookup(whole.group(1), variables)
        return _VARIABLE.sub(lambda m: str(_lookup(m.group(1), variables)), value)
    if isinstance(value, dict):
        return {substitute(k, variables): substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    return value


def _lookup(name: str, variables: dict[str, Any]) -> Any:
    if name not in variables:
        known = ", ".join(sorted(variables)) or "nothing yet"
        raise MissingVariable(f"unknown variable ${{{name}}} (saved so far: {known})")
    return variables[name]


def dig(body: Any, path: str) -> Any:
    """The value at a dotted path (``data.ids.0``) in a JSON body; KeyError if absent."""
    value = body
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.lstrip("-").isdigit() and -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(path)
    return value


def subset(expected: Any, actual: Any, where: str = "json") -> list[str]:
    """Differences where ``actual`` does not contain ``expected``.

    Mappings: every expected key must be there with a matching value (others may be
    too). Lists: the same length, item by item. Anything else: equal.
    """
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected a mapping, got {short(actual)}"]
        problems = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            else:
                problems.extend(subset(value, actual[key], f"{where}.{key}"))
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {short(expected)}, got {short(actual)}"]
        return [p for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for p in subset(e, a, f"{where}[{i}]")]
    if expected != actual or isinstance(expected, bool) != isinstance(actual, bool):
        return [f"{where}: expected {short(expected)}, got {short(actual)}"]
    return []


def equal(name: str, expected: Any, actual: Any) -> list[str]:
    if expected == actual and isinstance(expected, bool) == isinstance(actual, bool):
        return []
    return [f"{name}: expected {short(expected)}, got {short(actual)}"]


def short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
