"""Reading scenario text (YAML, or JSON, which is YAML too) while remembering where every
value was written, so each problem names the file, the line and the place in the document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import AliasEvent, NodeEvent  # type: ignore[import-untyped]
from yaml.nodes import MappingNode, Node, SequenceNode

from emulator.core.scenarios.limits import LIMITS
from emulator.core.scenarios.problems import Path, Problem

TOO_DEEP = f"the document is nested too deeply to be a scenario (more than {LIMITS.depth} levels)"
TOO_MANY = (f"the document has more than {LIMITS.values:,} values (every alias counted as what it repeats); "
            "a scenario is never that big")


class _Refused(Exception):
    """The document is past a limit (``limits.py``); said at the place that crossed it."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """A safe loader that records the position of each mapping value, key and list item,
    and counts values as it composes them, each alias at its full expansion, so that a
    document of aliases ("billion laughs") is refused before anything walks it."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.scenario_marks: dict[int, yaml.Mark] = {}  # id(container) -> its position
        self.scenario_items: dict[tuple[int, Any], tuple[yaml.Mark, yaml.Mark]] = {}  # (id, key) -> (key, value)
        self.scenario_duplicates: list[tuple[int, Any, yaml.Mark]] = []
        self._values = 0  # composed so far, aliases expanded
        self._depth = 0  # of the node being composed
        self._open_anchors: list[str] = []  # anchors of the nodes being composed
        self._expansion: dict[int, tuple[int, int]] = {}  # id(node) -> (values, levels) it stands for

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """A node, counted (an alias: everything it repeats) and refused past the limits."""
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self._open_anchors:
                raise _Refused(f"the alias *{event.anchor} is inside its own anchor &{event.anchor}: "
                               "the document would never end", event.start_mark)
            node: Node = super().compose_node(parent, index)
            values, levels = self._expanded(node)
            if self._depth + levels > LIMITS.depth:
                raise _Refused(TOO_DEEP, event.start_mark)
            self._count(values, event.start_mark)
            return node
        self._count(1, event.start_mark)
        self._depth += 1
        if self._depth > LIMITS.depth:
            raise _Refused(TOO_DEEP, event.start_mark)
        anchor = event.anchor if isinstance(event, NodeEvent) else None
        if anchor is not None:
            self._open_anchors.append(anchor)
        try:
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open_anchors.pop()

    def _count(self, values: int, mark: yaml.Mark) -> None:
        self._values += values
        if self._values > LIMITS.values:
            raise _Refused(TOO_MANY, mark)

    def _expanded(self, node: Node) -> tuple[int, int]:
        """How many values ``node`` stands for, and how many levels deep, aliases expanded
        (each node measured once: an alias's target is a node already composed)."""
        found = self._expansion.get(id(node))
        if found is None:
            values, levels = 1, 0
            children: list[Node] = []
            if isinstance(node, SequenceNode):
                children = node.value
            elif isinstance(node, MappingNode):
                children = [part for pair in node.value for part in pair]
            for child in children:
                child_values, child_levels = self._expanded(child)
                values += child_values
                levels = max(levels, child_levels)
            found = self._expansion[id(node)] = (values, levels + 1)
        return found

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
                    "while reading a mapping", node.start_mark, "found a key that is not a plain value",
                    key_node.start_mark) from None
            if key_node in own:
                if key in seen:
                    self.scenario_duplicates.append((id(data), key, key_node.start_mark))
                seen.add(key)
            data[key] = self.construct_object(value_node, deep=False)
            self.scenario_items[(id(data), key)] = (key_node.start_mark, value_node.start_mark)
        self.scenario_marks[id(data)] = node.start_mark

    def construct_yaml_seq(self, node: SequenceNode) -> Iterator[list[Any]]:
        """A list, noting where each item is."""
        data: list[Any] = []
        yield data
        for index, item in enumerate(node.value):
            data.append(self.construct_object(item, deep=False))
            self.scenario_items[(id(data), index)] = (item.start_mark, item.start_mark)
        self.scenario_marks[id(data)] = node.start_mark


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)


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
        return Document(source, None, {}, {}), [_located(source, exc.problem_mark or exc.context_mark,
                                                         f"not valid YAML: {what}")]
    except yaml.YAMLError as exc:
        return Document(source, None, {}, {}), [Problem(source, None, None, (), f"not valid YAML: {exc}")]
    except RecursionError:
        return Document(source, None, {}, {}), [Problem(source, None, None, (), TOO_DEEP)]
    finally:
        loader.dispose()
    document = Document(source, data, loader.scenario_marks, loader.scenario_items)
    paths = _container_paths(data)
    problems = [
        Problem(source, mark.line + 1, mark.column + 1, (*paths.get(container, ()), key),
                f"the key {key!r} is written twice in the same mapping; keep one")
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
