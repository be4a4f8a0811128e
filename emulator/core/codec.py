"""Plain data for what the emulator holds: emulator values to JSON-able values and back.

Snapshots (core/snapshot.py) and the SQLite file (core/persist.py) keep state as JSON; the
values they keep are built from the emulator's own dataclasses and enums, bytes, tuples and
sets. ``encode`` turns such a value into JSON-able data, tagging what JSON cannot say in a
one-key object whose key starts with ``$``; ``decode`` builds it back, the same.

Decoding rebuilds only dataclasses and enums the emulator defines (a module under
``emulator.`` already imported), field by field and without running their ``__init__``:
a snapshot cannot name any other class, and cannot run code. Anything else is a
``CodecError`` naming where in the data it was.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import enum
import itertools
import sys
from typing import Any

_PACKAGE = "emulator."


class CodecError(ValueError):
    """Data that does not decode; the message says where (a path like ``faxes[3].documents``)."""


#: types kept as they are (exactly these: a StrEnum is a str but is tagged)
_PLAIN = frozenset({str, int, float, bool, type(None)})


def encode(value: Any, skip: frozenset[str] = frozenset()) -> Any:
    """``value`` as JSON-able data; the fields named in ``skip`` are left out of dataclasses."""
    kind = type(value)  # the common kinds first, by exact type (the journal's entries come here)
    if kind in _PLAIN:
        return value
    if kind is tuple:
        return {"$tuple": [encode(item, skip) for item in value]}
    if kind is bytes:
        return {"$bytes": binascii.b2a_base64(value, newline=False).decode("ascii")}
    if kind is list:
        return [encode(item, skip) for item in value]
    if isinstance(value, enum.Enum):  # before str and int: a StrEnum is a str, an IntEnum an int
        return {"$enum": _name(type(value)), "value": value.value}
    if value is None or isinstance(value, bool | str | int | float):
        return value
    if isinstance(value, bytes | bytearray):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, list):
        return [encode(item, skip) for item in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode(item, skip) for item in value]}
    if isinstance(value, frozenset | set):
        tag = "$frozenset" if isinstance(value, frozenset) else "$set"
        return {tag: [encode(item, skip) for item in sorted(value, key=repr)]}
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith("$") for key in value):
            return {key: encode(item, skip) for key, item in value.items()}
        return {"$dict": [[encode(key, skip), encode(item, skip)] for key, item in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name), skip) for f in dataclasses.fields(value) if f.name not in skip}
        return {"$type": _name(type(value)), "fields": fields}
    raise CodecError(f"cannot keep a {type(value).__name__} as plain data")


def decode(data: Any, where: str = "") -> Any:
    """The value ``encode`` made ``data`` from; CodecError naming ``where`` it went wrong."""
    if data is None or isinstance(data, bool | str | int | float):
        return data
    if isinstance(data, list):
        return [decode(item, f"{where}[{i}]") for i, item in enumerate(data)]
    if not isinstance(data, dict):
        raise CodecError(f"{where or 'the value'}: {type(data).__name__} is not JSON data")
    tag = next(iter(data), None)
    if not (isinstance(tag, str) and tag.startswith("$")):
        return {key: decode(item, f"{where}.{key}") for key, item in data.items()}
    if tag == "$bytes":
        try:
            return base64.b64decode(_expect(data["$bytes"], str, where), validate=True)
        except binascii.Error:
            raise CodecError(f"{where}: not base64") from None
    if tag in ("$tuple", "$set", "$frozenset"):
        items = [decode(item, f"{where}[{i}]") for i, item in enumerate(_expect(data[tag], list, where))]
        try:
            return tuple(items) if tag == "$tuple" else set(items) if tag == "$set" else frozenset(items)
        except TypeError:
            raise CodecError(f"{where}: a set of values that cannot be in a set") from None
    if tag == "$dict":
        pairs = _expect(data["$dict"], list, where)
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in pairs):
            raise CodecError(f"{where}: $dict must be a list of [key, value] pairs")
        try:
            return {decode(k, f"{where}.key"): decode(v, f"{where}[{i}]") for i, (k, v) in enumerate(pairs)}
        except TypeError:
            raise CodecError(f"{where}: a key that cannot be a key") from None
    if tag == "$enum":
        cls = _class(data["$enum"], where)
        if not issubclass(cls, enum.Enum):
            raise CodecError(f"{where}: {data['$enum']} is not an enum")
        try:
            return cls(data.get("value"))
        except ValueError:
            raise CodecError(f"{where}: {data.get('value')!r} is not a {cls.__name__}") from None
    if tag == "$type":
        return _dataclass(data, where)
    raise CodecError(f"{where}: unknown tag {tag!r}")


def peek(counter: itertools.count[int]) -> int:
    """The number ``next(counter)`` would give, without taking it (where an id stream stands)."""
    return int(repr(counter)[len("count(") : -1])


def _dataclass(data: dict[str, Any], where: str) -> Any:
    cls = _class(data["$type"], where)
    if not dataclasses.is_dataclass(cls):
        raise CodecError(f"{where}: {data['$type']} is not a record")
    given = _expect(data.get("fields"), dict, where)
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise CodecError(f"{where}: {cls.__name__} has no field {unknown[0]!r}")
    value = object.__new__(cls)
    for name, spec in known.items():
        if name in given:
            item = decode(given[name], f"{where}.{name}")
        elif spec.default is not dataclasses.MISSING:
            item = spec.default
        elif spec.default_factory is not dataclasses.MISSING:
            item = spec.default_factory()
        else:
            raise CodecError(f"{where}: {cls.__name__} needs its field {name!r}")
        object.__setattr__(value, name, item)
    return value


def _class(name: Any, where: str) -> type:
    if not isinstance(name, str) or ":" not in name or not name.startswith(_PACKAGE):
        raise CodecError(f"{where}: {name!r} is not one of the emulator's records")
    module_name, _, qualname = name.partition(":")
    module = sys.modules.get(module_name)
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if not isinstance(found, type) or found.__module__ != module_name:
        raise CodecError(f"{where}: {name!r} is not one of the emulator's records")
    return found


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _expect(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        raise CodecError(f"{where}: expected a {kind.__name__}, not {type(value).__name__}")
    return value
