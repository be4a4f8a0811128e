"""Reading scenario text (YAML, or JSON, which is YAML too) while remembering where every
value was written, so each problem names the file, the line and the place in the document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from emulator.core.scenarios.problems import Path, Problem

TOO_DEEP = "the document is nested too deeply to be a scenario"


class _Loader(yaml.SafeLoader):
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
    except yaml.MarkedYAMLError as exc:
        fallback = _json_fallback(text, source)
        if fallback is not None:
            return fallback, []
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part) or "not valid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        return Document(source, None, {}, {}), [Problem(source, line, column, (), f"not valid YAML: {what}")]
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


def _json_fallback(text: str, source: str) -> Document | None:
    # JSON that YAML refuses (tabs for indentation, say) is still a valid scenario; it
    # just has no line numbers
    try:
        return Document(source, json.loads(text), {}, {})
    except (ValueError, RecursionError):
        return None
