"""Reading scenario text (YAML, or JSON, which is YAML too) while remembering where every
value was written, so each problem names the file, the line and the place in the document.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from emulator.core.scenarios.limits import LIMITS
from emulator.core.scenarios.problems import Path, Problem

TOO_DEEP = f"the document is nested too deeply to be a scenario (more than {LIMITS.depth} levels)"
TOO_MANY = f"more than {LIMITS.values:,} values (every alias counted as all it repeats): too big to be a scenario"
#: Python reads no integer of more digits from text (``sys.get_int_max_str_digits``)
TOO_LONG_INTEGER = f"an integer of more than {sys.get_int_max_str_digits():,} digits: no setting takes one"


class _Refused(Exception):
    """The document is past a limit (``limits.py``); said at the place that crossed it."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


#: libyaml's parser where PyYAML has it (its wheels do): it composes several times faster
#: than the pure-Python one, which stays the fallback
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type, misc]
    """A safe loader that records the position of each mapping value, key and list item."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.scenario_marks: dict[int, yaml.Mark] = {}  # id(container) -> its position
        self.scenario_items: dict[tuple[int, Any], tuple[yaml.Mark, yaml.Mark]] = {}  # (id, key) -> (key, value)
        self.scenario_duplicates: list[tuple[int, Any, yaml.Mark]] = []

    def construct_yaml_map(self, node: MappingNode) -> Iterator[dict[Any, Any]]:
        """A mapping, noting where each key and value is and which keys repeat."""
        data: dict[Any, Any] = {}
        yield data
        seen: set[Any] = set()
        own = [k for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"]
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=False)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    "found a key that is not a plain value",
                    key_node.start_mark,
                ) from None
            if key_node in own:
                if key in seen:
                    self.scenario_duplicates.append((id(data), key, key_node.start_mark))
                seen.add(key)
            data[key] = self.construct_object(value_node, deep=False)
            self.scenario_items[(id(data), key)] = (key_node.start_mark, value_node.start_mark)
        self.scenario_marks[id(data)] = node.start_mark

    def construct_yaml_int(self, node: ScalarNode) -> int:
        """An integer; one of more digits than Python reads is refused where it is written
        (its ValueError was a 500)."""
        try:
            return super().construct_yaml_int(node)  # type: ignore[no-any-return]
        except ValueError:
            raise _Refused(TOO_LONG_INTEGER, node.start_mark) from None

    def construct_yaml_seq(self, node: SequenceNode) -> Iterator[list[Any]]:
        """A list, noting where each item is."""
        data: list[Any] = []
        yield data
        for index, item in enumerate(node.value):
            data.append(self.construct_object(item, deep=False))
            self.scenario_items[(id(data), index)] = (item.start_mark, item.start_mark)
        self.scenario_marks[id(data)] = node.start_mark


def _measure_nodes(root: Node) -> None:
    """Refuse a composed document past the limits on values and depth, each alias counted at
    its full expansion, before anything constructs or walks it ("billion laughs": a few
    hundred bytes of aliases that stand for billions of values). Each node is measured once
    (an alias is the very node its anchor names), without recursion; an alias inside its
    own anchor makes a cycle, refused too."""
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values, levels) it stands for
    expanding: set[int] = set()  # the nodes whose children are being measured: a path from the root
    pending: list[tuple[Node, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        children = _children(node)
        if children_done:
            expanding.discard(id(node))
            values = 1 + sum(measured[id(child)][0] for child in children)
            levels = 1 + max((measured[id(child)][1] for child in children), default=0)
            measured[id(node)] = (values, levels)
            if values > LIMITS.values:
                raise _Refused(TOO_MANY, node.start_mark)
            if levels > LIMITS.depth:
                raise _Refused(TOO_DEEP, node.start_mark)
        elif id(node) in expanding:
            raise _Refused(
                "this value holds an alias to itself, which would make the document endless", node.start_mark
            )
        elif id(node) not in measured:
            expanding.add(id(node))
            pending.append((node, True))
            pending.extend((child, False) for child in children if id(child) not in measured)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value  # type: ignore[no-any-return]
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


@dataclass
class Document:
    """Parsed scenario text and the positions of its values."""

    source: str
    data: Any
    _marks: dict[int, yaml.Mark]
    _items: dict[tuple[int, Any], tuple[yaml.Mark, yaml.Mark]]

    def mark(self, path: Path, key: bool = False) -> yaml.Mark | None:
        """Where the value at ``path`` (or, with ``key``, its key) was written; else its nearest parent."""
        container = self.data
        found = self._marks.get(id(container))
        for part in path:
            entry = self._items.get((id(container), part))
            if entry is None:
                break
            found = entry[0] if key else entry[1]
            try:
                container = container[part]
            except (KeyError, IndexError, TypeError):
                break
        return found

    def problem(self, path: Path, message: str, key: bool = False) -> Problem:
        """A problem located at ``path`` (at its key, with ``key``)."""
        mark = self.mark(path, key)
        if mark is None:
            return Problem(self.source, None, None, path, message)
        return Problem(self.source, mark.line + 1, mark.column + 1, path, message)


def parse(text: str, source: str) -> tuple[Document, list[Problem]]:
    """Parse YAML or JSON text; the problems are YAML syntax errors and duplicated keys."""
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters at once
        return Document(source, None, {}, {}), [_reader_problem(exc, text, source)]
    try:
        node: Node | None = loader.get_single_node()
        if node is not None:
            _measure_nodes(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        return Document(source, None, {}, {}), [_reader_problem(exc, text, source)]
    except _Refused as exc:
        return Document(source, None, {}, {}), [_located(source, exc.mark, exc.message)]
    except yaml.MarkedYAMLError as exc:
        fallback = _json_fallback(text, source)
        if fallback is not None:
            return fallback
        what = " ".join(part for part in (exc.context, exc.problem) if part) or "not valid YAML"
        return Document(source, None, {}, {}), [
            _located(source, exc.problem_mark or exc.context_mark, f"not valid YAML: {what}")
        ]
    except yaml.YAMLError as exc:
        return Document(source, None, {}, {}), [Problem(source, None, None, (), f"not valid YAML: {exc}")]
    except RecursionError:
        return Document(source, None, {}, {}), [Problem(source, None, None, (), TOO_DEEP)]
    finally:
        loader.dispose()
    document = Document(source, data, loader.scenario_marks, loader.scenario_items)
    paths = _container_paths(data)
    problems = [
        Problem(
            source,
            mark.line + 1,
            mark.column + 1,
            (*paths.get(container, ()), key),
            f"the key {key!r} is written twice in the same mapping; keep one",
        )
        for container, key, mark in loader.scenario_duplicates
    ]
    return document, problems


def _located(source: str, mark: yaml.Mark | None, message: str) -> Problem:
    """A problem about the whole document, at the place ``mark`` points to."""
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return Problem(source, line, column, (), message)


def _container_paths(data: Any, path: Path = ()) -> dict[int, Path]:
    """id of every mapping and list in ``data`` -> its path."""
    found = {id(data): path}
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        if isinstance(value, dict | list):
            found.update(_container_paths(value, (*path, key)))
    return found


def _reader_problem(exc: yaml.YAMLError, text: str, source: str) -> Problem:
    position = getattr(exc, "position", None)
    if position is None:
        return Problem(source, None, None, (), f"not valid YAML: {exc}")
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = getattr(exc, "character", None)
    what = f"the character U+{character:04X} is not allowed" if isinstance(character, int) else str(exc)
    return Problem(source, line, column, (), f"not valid YAML: {what}")


def _json_fallback(text: str, source: str) -> tuple[Document, list[Problem]] | None:
    # JSON that YAML refuses (tabs for indentation, say) is still a valid scenario; it
    # just has no line numbers. JSON has no aliases, but the same limits hold
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    document = Document(source, data, {}, {})
    refused = _measure(data)
    return (document, []) if refused is None else (Document(source, None, {}, {}), [_located(source, None, refused)])


def _measure(data: Any) -> str | None:
    """Why parsed JSON is past the limits on values and depth, or None (no recursion: it
    may be nested far deeper than the limit)."""
    values = 0
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        values += 1
        if values > LIMITS.values:
            return TOO_MANY
        if depth > LIMITS.depth:
            return TOO_DEEP
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        pending.extend((child, depth + 1) for child in children)
    return None
