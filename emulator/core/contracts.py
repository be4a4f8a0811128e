"""JSON Schema contracts: cached validators over ``schemas/<vendor>/<name>.json``.

Schemas are Draft 2020-12 unless they declare another ``$schema`` (Kazoo's own are
draft-04). A ``$ref`` to a sibling file (``"faxbox.json"``) resolves within the vendor's
folder. Each validator is compiled once per process.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from emulator.core.memo import Remembered

if TYPE_CHECKING:  # jsonschema is imported when the first validator is built: it costs start-up time
    from referencing import Registry

    from emulator.core.cache import Cache


@dataclass(slots=True, repr=False, eq=False)
class Violation:
    """One way an instance breaks a schema, in words a developer understands."""

    path: str  # JSON path of the offending value, e.g. "$.to[2]"
    rule: str  # the schema keyword broken, e.g. "required"
    message: str
    schema_path: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "rule": self.rule, "message": self.message, "schema_path": self.schema_path}


def json_path(parts: Any, root: str = "$") -> str:
    path = root
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


@functools.cache
def registry(vendor: str) -> Registry:
    """Every schema of ``vendor``, read once (``$ref`` between them resolves here)."""
    from importlib import resources  # with the first validator: it costs start-up time

    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    folder = resources.files("emulator.schemas").joinpath(vendor)
    registry: Registry = Registry()
    if not folder.is_dir():
        return registry
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            contents = json.loads(entry.read_text("utf-8"))
            resource = Resource.from_contents(contents, default_specification=DRAFT202012)
            registry = registry.with_resource(entry.name, resource)
    return registry


def load(vendor: str, name: str) -> dict[str, Any]:
    """The raw schema ``schemas/<vendor>/<name>.json``."""
    resource = registry(vendor).get(f"{name}.json")
    if resource is None:
        raise LookupError(f"no schema {vendor}/{name}.json")
    contents: dict[str, Any] = resource.contents
    return contents


@functools.cache
def validator(vendor: str, name: str) -> Any:
    """The compiled validator for ``schemas/<vendor>/<name>.json`` (cached)."""
    from jsonschema import Draft202012Validator, validators

    schema = load(vendor, name)
    cls = validators.validator_for(schema, default=Draft202012Validator)
    return cls(schema, registry=registry(vendor))


def check_query(vendor: str, name: str, raw_query: str) -> tuple[Violation, ...]:
    """``check`` for a query string (as sent, still percent-encoded). It is parsed as aiohttp
    parses ``request.query``; a name given twice counts with its last value. (The contract
    checker remembers what it found for each query string: ``ContractChecker.queries``.)"""
    from yarl import URL

    query = URL.build(query_string=raw_query, encoded=True).query
    return tuple(check(vendor, name, spelled_as_declared(vendor, name, query), root="query"))


def spelled_as_declared(vendor: str, name: str, query: Mapping[str, str]) -> dict[str, str]:
    """``query`` as a dict (a name given twice counts with its last value), each name spelled as
    the schema declares it when the schema says its server matches query names in any case
    (``"x-case-insensitive-names": true``: WCF's UriTemplate does, so Imagicle's ``?pagesize=1``
    is ``pageSize``); names the schema does not declare are kept as sent."""
    schema = load(vendor, name)
    if not schema.get("x-case-insensitive-names"):
        return dict(query.items())
    declared = {key.lower(): key for key in schema.get("properties", ())}
    return {declared.get(key.lower(), key): value for key, value in query.items()}


def check(vendor: str, name: str, instance: Any, root: str = "$") -> list[Violation]:
    """Every violation of ``instance`` against ``schemas/<vendor>/<name>.json``, by path.

    ``root`` names what the instance is (``query``, ``body``) in the reported paths.
    """
    found = sorted(validator(vendor, name).iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    violations = []
    for error in found:
        where = json_path(error.absolute_path, root)
        violations.append(
            Violation(
                where, str(error.validator), f"{where}: {error.message}", json_path(error.absolute_schema_path, "#")
            )
        )
    return violations


#: an instance whose JSON text is up to this many characters may be remembered with its violations
REMEMBERED_TEXT = 4096


def as_text(instance: Any) -> str:
    """A JSON value's text, as ``text_violations`` reads it back (NaN stays NaN: no two values alike).

    orjson's text when it is that value's: a body's key for its remembered checks, written a
    time or two each send (json.dumps took ~5 % of a Kazoo send, in-process). orjson writes NaN
    and the infinities as ``null``, and refuses integers past 64 bits, keys that are not
    strings and lone surrogates: for a text with ``null`` in it, or one orjson refuses, json's
    (any text denotes one value, which the memo reads back: which writer made it does not matter)."""
    try:
        text = orjson.dumps(instance)
    except TypeError:  # orjson.JSONEncodeError
        text = b"null"
    if text.find(b"null") >= 0:  # (``in`` tries the operand as an integer first: an exception made and dropped)
        return json.dumps(instance, separators=(",", ":"), ensure_ascii=False)
    return text.decode()


def text_violations(key: tuple[str, str, str, str]) -> tuple[Violation, ...]:
    """``check`` of a (vendor, schema, root, instance's JSON text) key (a memo's function)."""
    vendor, name, root, text = key
    return tuple(check(vendor, name, json.loads(text), root))


#: ``text_violations``, remembered in each emulator's cache (``cache.memos[BODIES]``)
BODIES = Remembered("contracts.bodies", text_violations)


def remembered(cache: Cache, vendor: str, name: str, instance: Any, text: str | None = None) -> tuple[Violation, ...]:
    """``check`` of ``instance``, remembered by its JSON text (``text`` as sent, else
    ``as_text``'s) in the contract checks' memo when that text is short: clients send the same
    bodies again and again, and the schema's walk was a third of an Imagicle submission and of
    a FAX.PLUS outbox request."""
    return remembered_in(cache.memos[BODIES], vendor, name, instance, text)


def remembered_in(
    memo: Mapping[tuple[str, str, str, str], tuple[Violation, ...]],
    vendor: str,
    name: str,
    instance: Any,
    text: str | None = None,
    root: str = "$",
) -> tuple[Violation, ...]:
    """``remembered``, in ``memo`` (the ``BODIES`` memo, as the contract checker holds it),
    the violations' paths starting at ``root``."""
    if text is None:
        text = as_text(instance)
    if len(text) > REMEMBERED_TEXT:
        return tuple(check(vendor, name, instance, root))
    return memo[vendor, name, root, text]


# -- operation contracts ------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Contract:
    """What one operation takes and gives, by schema name under ``schemas/<vendor>/``.

    ``responses`` maps an HTTP status (or ``"default"``, for any other) to the schema of
    the body, or None for a body that is not JSON (a file) or empty.
    """

    summary: str
    source: str  # the part of the vendor reference it follows, e.g. "faxplus.md §3.2"
    query: str | None = None  # schema of the query parameters (an object of strings)
    request: str | None = None  # schema of the JSON or form body
    request_type: str = "application/json"  # or multipart/form-data, application/x-www-form-urlencoded
    responses: Mapping[int | str, str | None] = field(default_factory=dict)
    response_type: str = "application/json"
    auth: bool = True  # needs the vendor's credentials
    deprecated: bool = False

    def response_schema(self, status: int) -> str | None:
        return self.responses.get(status, self.responses.get("default"))


#: statuses that mean "the client sent a request the vendor refuses as malformed"
REFUSED = frozenset({400, 405, 411, 413, 414, 415, 422})
