"""The ready-made scenarios that ship with the package, usable by name as ``builtin:NAME``.

They are the repository's ``scenarios/`` folder; ``emulator/scenarios`` links to it, so a
checkout and an installed wheel find them at the same place.
"""

from __future__ import annotations

from pathlib import Path

PREFIX = "builtin:"
FOLDER = Path(__file__).resolve().parents[2] / "scenarios"


def names() -> list[str]:
    """Every ready-made scenario's name, sorted."""
    return sorted(path.stem for path in FOLDER.glob("*.yaml"))


def path_of(reference: str) -> Path | None:
    """The file a ``builtin:NAME`` reference names; None if it is not one or names no scenario."""
    if not reference.startswith(PREFIX):
        return None
    name = reference.removeprefix(PREFIX)
    path = FOLDER / f"{name}.yaml"
    return path if name in names() else None


def unknown(reference: str) -> str | None:
    """Why a ``builtin:`` reference cannot be loaded; None if it is fine or is a plain path."""
    if not reference.startswith(PREFIX) or path_of(reference) is not None:
        return None
    return f"no ready-made scenario is named {reference.removeprefix(PREFIX)!r}; there are: {', '.join(names())}"
