"""Crossbar request validation with Kazoo's own schemas (kazoo.md §1 and §4).

Crossbar validates ``data`` against a draft-04 schema in non-strict mode: a value of the
wrong type is first coerced (``"3"`` to 3, ``"true"`` to true) and validated again,
schema defaults are injected wherever the parent object exists, unknown keys are kept,
and every failure is reported at once, keyed by dotted field path and rule code with the
messages of ``kz_json_schema:error_to_jobj``.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from typing import TYPE_CHECKING, Any

import orjson

from emulator.core import contracts
from emulator.core.bodies import json_value, orjson_reads_as_json
from emulator.core.memo import Memo, Remembered
from emulator.vendors.kazoo import errors

_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_MAX_COERCION_PASSES = 5

if TYPE_CHECKING:  # jsonschema is imported with the first validator: it costs start-up time
    from jsonschema import Draft4Validator
    from jsonschema.exceptions import ValidationError


@functools.cache
def _validator(name: str) -> Draft4Validator:
    from jsonschema import Draft4Validator, FormatChecker

    return Draft4Validator(contracts.load("kazoo", name), format_checker=FormatChecker(["email"]))


def schema(name: str) -> dict[str, Any]:
    """The raw Kazoo schema ``schemas/kazoo/<name>.json``."""
    return contracts.load("kazoo", name)


def validate(
    name: str, data: Any, extra: dict[str, Any] | None = None, remembered: Validated | None = None
) -> dict[str, Any]:
    """``data`` coerced and with defaults injected, or a 400 ``validation error``.

    ``extra`` holds further errors in Kazoo's shape (custom validators of the caller),
    reported together with the schema's. With ``remembered`` (``Cache.memos[VALIDATED]``, of
    ``validated_text``), what the schema makes of a short body is remembered by its JSON
    text (clients send the same bodies over and over; the schema's walks were about a tenth
    of a job's creation).
    """
    # a hit still writes ``data`` as JSON text, for its key, and the contract check the envelope's:
    # orjson's (contracts.as_text: 0.5 us a text here, json's 2.9 us): no longer worth one shared text
    text = contracts.as_text(data) if remembered is not None else ""
    if remembered is not None and len(text) <= contracts.REMEMBERED_TEXT:
        doc_text, detail_text, plain = remembered[name, text]
        read = orjson.loads if plain else json_value  # (plain: orjson reads both as json does)
        doc, detail = read(doc_text), read(detail_text) if detail_text != "{}" else {}  # (most have none)
    else:
        doc, detail = _validated(name, copy.deepcopy(data))
    for path, codes in (extra or {}).items():
        detail.setdefault(path, {}).update(codes)
    if detail:
        raise errors.validation(detail)
    return doc


def _validated(name: str, doc: Any) -> tuple[Any, dict[str, Any]]:
    """``doc`` coerced and with defaults injected (changed in place), and what is wrong with it."""
    validator = _validator(name)
    for _ in range(_MAX_COERCION_PASSES):
        if not any(_coerce(doc, error) for error in validator.iter_errors(doc)):
            break
    schema: dict[str, Any] = validator.schema  # type: ignore[assignment]  # our schemas are objects
    _inject_defaults(schema, doc)
    detail: dict[str, Any] = {}
    seen: set[tuple[str, str]] = set()
    for error in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        for path, code, body in _details(error):
            if (path, code) not in seen:
                seen.add((path, code))
                detail.setdefault(path, {})[code] = body
    _custom(schema, doc, [], detail)
    return doc, detail


#: (schema name, a body's JSON text) -> the JSON texts of what ``_validated`` makes of it, and
#: whether orjson reads both as json does
Validated = Memo[tuple[str, str], tuple[str, str, bool]]


def validated_text(key: tuple[str, str]) -> tuple[str, str, bool]:
    """``_validated`` of a (schema name, JSON text) key, as JSON texts, which each hit reads
    again as new values for its caller to change (a memo's function). With them, whether
    orjson reads both exactly as json does: then a hit reads them by orjson without
    ``json_value``'s check of each (json took a few thousand instructions a text, the check
    ~3,000; two texts a send)."""
    name, text = key
    doc, detail = _validated(name, json.loads(text))
    texts = json.dumps(doc, ensure_ascii=False), json.dumps(detail, ensure_ascii=False)
    return (*texts, all(orjson_reads_as_json(each) for each in texts))


#: ``validated_text``, remembered (``rt.cache.memos[VALIDATED]``: ``validate``'s ``remembered``)
VALIDATED = Remembered("kazoo.validated", validated_text)


def key(path: list[Any]) -> str:
    """Kazoo's error key for a path: dotted, with literal dots escaped as ``%2E``."""
    return ".".join(str(part).replace(".", "%2E") for part in path)


# -- non-strict coercion (kz_json_schema:fix_js_types) -------------------------------


def _coerce(doc: Any, error: ValidationError) -> bool:
    if error.validator != "type" or not error.absolute_path:
        return False
    wanted = error.validator_value
    value = error.instance
    fixed: Any = None
    if wanted == "integer":
        if (isinstance(value, str) and _INTEGER.fullmatch(value.strip())) or (
            isinstance(value, float) and value.is_integer()
        ):
            fixed = int(value)
    elif wanted == "number" and isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = float(value)
        fixed = int(number) if number.is_integer() and "." not in value else number
    elif wanted == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        fixed = value.lower() == "true"
    if fixed is None:
        return False
    *parents, last = error.absolute_path
    target = doc
    for part in parents:
        target = target[part]
    target[last] = fixed
    return True


def _inject_defaults(node: dict[str, Any], instance: Any) -> None:
    """jesse ``use_defaults``: fill each absent property that has a default, recursively."""
    if not isinstance(instance, dict):
        return
    for name, sub in node.get("properties", {}).items():
        if name not in instance and "default" in sub:
            instance[name] = copy.deepcopy(sub["default"])
        if name in instance:
            _inject_defaults(sub, instance[name])


# -- error detail (kz_json_schema:error_to_jobj) ------------------------------------


def _details(error: ValidationError) -> list[tuple[str, str, dict[str, Any]]]:
    path = list(error.absolute_path)
    rule, value = str(error.validator), error.instance
    limit: Any = error.validator_value
    error_schema: Any = error.schema
    if rule == "required":
        missing = [k for k in limit if isinstance(value, dict) and k not in value]
        return [
            (key([*path, k]), "required", {"message": "Field is required but missing", "value": k}) for k in missing
        ]
    if rule == "additionalProperties" and isinstance(value, dict):
        allowed = set(error_schema.get("properties", {}))
        return [
            (
                key([*path, k]),
                "additionalProperties",
                {
                    "message": "Strict checking of data is enabled; only include schema-defined properties",
                    "value": value[k],
                },
            )
            for k in value
            if k not in allowed
        ]
    messages: dict[str, tuple[str, dict[str, Any]]] = {
        "minLength": (f"String must be at least {limit} characters", {"target": limit, "cause": value}),
        "maxLength": (f"String must not be more than {limit} characters", {"target": limit, "cause": value}),
        "minimum": (f"Value must be at least {limit}", {"target": limit}),
        "maximum": (f"Value must be at most {limit}", {"target": limit}),
        "enum": ("Value not found in enumerated list of values", {"target": limit}),
        "pattern": (f"Failed to match pattern '{limit}'", {"target": limit}),
        "minItems": (f"The list must have at least {limit} items", {"target": limit}),
        "maxItems": (f"The list is more than {limit} items", {"target": limit}),
        "uniqueItems": ("List of items is not unique", {}),
    }
    if rule == "type":
        types = ", ".join(limit) if isinstance(limit, list) else str(limit)
        return [
            (key(path), "type", {"message": f"Value did not match type(s): {types}", "target": types, "value": value})
        ]
    if rule == "format":
        return [
            (
                key(path),
                "wrong_format",
                {"message": "Field is not in the correct format", "value": value, "format": limit},
            )
        ]
    if rule in messages:
        message, more = messages[rule]
        return [(key(path), rule, {"message": message, **more, "value": value})]
    return [(key(path), rule, {"message": "failed to validate", "value": value})]


def _custom(node: dict[str, Any], instance: Any, path: list[Any], detail: dict[str, Any]) -> None:
    """Kazoo's schema extensions: ``kazoo-regexp`` items must compile as regular expressions."""
    if node.get("kazoo-regexp") and isinstance(instance, str):
        try:
            re.compile(instance)
        except re.error:
            detail.setdefault(key(path), {})["error"] = {
                "message": f"invalid regular expression: '{instance}'",
                "value": instance,
            }
    if isinstance(instance, dict):
        for name, sub in node.get("properties", {}).items():
            if name in instance:
                _custom(sub, instance[name], [*path, name], detail)
    elif isinstance(instance, list) and isinstance(node.get("items"), dict):
        for index, item in enumerate(instance):
            _custom(node["items"], item, [*path, index], detail)
