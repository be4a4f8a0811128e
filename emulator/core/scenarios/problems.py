"""What can be wrong with a scenario, and the error that says all of it.

Apart from the reading (``source``), which needs YAML: the server catches ``ScenarioError``
on every start, and an emulator started without a scenario never loads YAML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]


@dataclass(slots=True, repr=False, eq=False)
class Problem:
    """One thing wrong with a scenario, located as precisely as we can."""

    source: str
    line: int | None  # 1-based
    column: int | None  # 1-based
    path: Path
    message: str

    @property
    def where(self) -> str:
        """The place in the document, in words."""
        return describe_path(self.path)

    def __str__(self) -> str:
        location = self.source
        if self.line is not None:
            location += f":{self.line}:{self.column}"
        return f"{location}: {self.where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        """The problem for the control API."""
        return {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "path": describe_path(self.path),
            "message": self.message,
        }


class ScenarioError(Exception):
    """A scenario that cannot be used; ``problems`` says every reason found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        # rebuilt from its problems (an exception pickles its message by default): a
        # scenario read in a worker process reports its problems as if read here
        return ScenarioError, (self.problems,)


def describe_path(path: Path) -> str:
    """``("rules", 2, "match", "to")`` -> ``rules #3 > match > to`` (items counted from 1)."""
    if not path:
        return "the document"
    words: list[str] = []
    for part in path:
        if isinstance(part, int):
            if words:
                words[-1] += f" #{part + 1}"
            else:
                words.append(f"item #{part + 1}")
        else:
            words.append(str(part))
    return " > ".join(words)
