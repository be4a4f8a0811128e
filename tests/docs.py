"""Reading the README and docs/ the way the tests that check them need: a section by its
heading, and the code blocks in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def section(text: str, heading: str) -> str:
    """From ``heading`` (e.g. ``"## Quick start"``) to the next heading of its level or above
    (a ``#`` line inside a code block is a comment, not a heading)."""
    start = text.index(f"{heading}\n")
    level = len(heading) - len(heading.lstrip("#"))
    offset, fenced = start + len(heading) + 1, False
    for line in text[offset:].splitlines(True):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(rf"#{{1,{level}}} ", line):
            return text[start:offset]
        offset += len(line)
    return text[start:]


def blocks(text: str, language: str) -> list[str]:
    """The fenced code blocks of ``language`` in ``text``, in order (indented fences too)."""
    return [
        textwrap_dedent(body, indent)
        for indent, body in re.findall(rf"^( *)```{language}\n(.*?)^\1```$", text, re.MULTILINE | re.DOTALL)
    ]


def textwrap_dedent(body: str, indent: str) -> str:
    """A block's lines without the fence's own indentation."""
    return "".join(line[len(indent) :] if line.startswith(indent) else line for line in body.splitlines(True))
