"""Run-time matching: whether a rule's ``match`` conditions hold for what is known.

A condition is on one fact (vendor, operation, tenant, destination, headers, webhook
event, attempt); ``FACTS`` says, for each, how the written value is compiled and how it is
tested. A fact not known yet (``UNKNOWN``: the tenant before authentication, say) makes
the rule wait (``Verdict.WAIT``) unless another condition already fails.

Patterns run on RE2 (google-re2), whose matching takes time linear in the value, however
the pattern is written: a scenario cannot make a request wait on its regular expression
("(a+)+b"). Globs are translated to RE2 too, with ``fnmatch``'s meaning.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.core.scenarios.limits import LIMITS


class _Unknown:
    """A fact the emulator does not know yet (the tenant before authentication, say)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


class Verdict(enum.Enum):
    """Whether a rule matches: no, not yet decidable (a fact is missing), or yes."""

    NO = "no"
    WAIT = "wait"  # everything known matches, but a fact the rule needs is not known yet
    YES = "yes"


@dataclass(slots=True)
class Facts:
    """What is known about the thing a rule is checked against."""

    vendor: str
    tenant: Any = None  # str, None or UNKNOWN
    to: Any = None  # str, None or UNKNOWN
    operation: str | None = None
    headers: Mapping[str, str] | None = None  # case-insensitive for requests
    event: str | None = None
    attempt: int | None = None


# -- patterns ----------------------------------------------------------------------------

_GLOB_CHARS = frozenset("*?[")
_MATCHED_LENGTH = LIMITS.matched_length


class PatternError(ValueError):
    """A regex or glob that cannot be used, and why (in words)."""


def compile_regex(text: str) -> Any:
    """``text`` compiled by RE2, or PatternError saying why it cannot be."""
    if len(text) > LIMITS.pattern_length:
        raise PatternError(f"longer than {LIMITS.pattern_length:,} characters")
    return _re2(text)


def _re2(text: str) -> Any:
    import re2  # imported with the first pattern: an emulator without a scenario never needs it

    options = re2.Options()
    options.log_errors = False  # a refused pattern is reported as a problem, not logged by RE2
    options.max_mem = LIMITS.regex_memory
    try:
        return re2.compile(text, options=options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(reason + _hint(reason)) from None


def _hint(reason: str) -> str:
    if "invalid perl operator: (?" in reason or "invalid escape sequence: \\" in reason:
        return (
            "; scenarios use RE2, which runs in linear time: it has no lookahead, lookbehind or "
            "backreferences, and spells the end of text \\z"
        )
    if "pattern too large" in reason:
        return f"; it needs more than the {LIMITS.regex_memory // 1024} KiB a pattern may use"
    return ""


def compile_glob(glob: str) -> Any:
    """A glob (``*``, ``?``, ``[seq]``, ``[!seq]``, as ``fnmatch.fnmatchcase`` reads it) for RE2."""
    if len(glob) > LIMITS.pattern_length:
        raise PatternError(f"longer than {LIMITS.pattern_length:,} characters")
    return _re2(glob_to_regex(glob))  # its regex spells each character in full: longer, not harder


def glob_to_regex(glob: str) -> str:
    """The RE2 regex of a glob; every character that is not a wildcard is matched as itself."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        i += 1
        if c == "*":
            if not out or out[-1] != ".*":
                out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            end = _bracket_end(glob, i)
            if end is None:
                out.append(_literal("["))
            else:
                out.append(_bracket(glob[i:end]))
                i = end + 1
        else:
            out.append(_literal(c))
    return "(?s:" + "".join(out) + ")"


def _literal(c: str) -> str:
    return f"\\x{{{ord(c):x}}}"


def _bracket_end(glob: str, start: int) -> int | None:
    """Index of the ``]`` closing a set that opened just before ``start`` (fnmatch's rule: a
    ``]`` right after ``[`` or ``[!`` belongs to the set), or None: the ``[`` is a literal."""
    j = start
    if j < len(glob) and glob[j] == "!":
        j += 1
    if j < len(glob) and glob[j] == "]":
        j += 1
    end = glob.find("]", j)
    return None if end < 0 else end


def _bracket(stuff: str) -> str:
    """The RE2 class of a glob set's contents: ``fnmatch.translate``'s own Python class,
    read the way Python's ``re`` reads it (``a-z`` a range; other hyphens, escaped, literal)."""
    body = _python_class(stuff)
    if not body:
        return _NEVER
    if body == "!":
        return _ANY
    tokens = [(t[-1], len(t) == 2) for t in re.findall(r"\\.|.", body, re.DOTALL)]  # (character, escaped)
    negate = tokens[0] == ("!", False)  # fnmatch writes a leading ! as ^
    if negate:
        tokens = tokens[1:]
    ranges: list[str] = []
    i = 0
    while i < len(tokens):
        low = tokens[i][0]
        if i + 2 < len(tokens) and tokens[i + 1] == ("-", False):
            ranges.append(f"{_literal(low)}-{_literal(tokens[i + 2][0])}")
            i += 3
        else:
            ranges.append(_literal(low))
            i += 1
    return f"[{'^' if negate else ''}{''.join(ranges)}]"


_NEVER = "[^\\x00-\\x{10ffff}]"  # an empty set: RE2 has no (?!)
_ANY = "(?s:.)"


def _python_class(stuff: str) -> str:
    """What ``fnmatch.translate`` writes between ``[`` and ``]`` (a leading ``!`` left as is)."""
    if "-" not in stuff:
        body = stuff.replace("\\", "\\\\")
    else:
        body = "-".join(s.replace("\\", "\\\\").replace("-", "\\-") for s in _chunks(stuff))
    return re.sub(r"([&~|])", r"\\\1", body)


def _chunks(stuff: str) -> list[str]:
    """``fnmatch.translate``'s split of a set at the hyphens that make ranges, with reversed
    ranges removed (so every remaining hyphen between two chunks is a range)."""
    chunks: list[str] = []
    i = 0
    k = 2 if stuff.startswith("!") else 1
    while True:
        k = stuff.find("-", k)
        if k < 0:
            break
        chunks.append(stuff[i:k])
        i = k + 1
        k = k + 3
    chunk = stuff[i:]
    if chunk:
        chunks.append(chunk)
    else:
        chunks[-1] += "-"
    for k in range(len(chunks) - 1, 0, -1):
        if chunks[k - 1][-1] > chunks[k][0]:
            chunks[k - 1] = chunks[k - 1][:-1] + chunks[k][1:]
            del chunks[k]
    return chunks


def atoms(spec: Any) -> list[Any]:
    """The atoms of a written pattern: a string, a one-key mapping, or a list of them."""
    return spec if isinstance(spec, list) else [spec]


@dataclass(frozen=True, slots=True)
class Pattern:
    """Matches a string exactly, by glob, or by regular expression (any of several forms).

    A plain string is exact unless it holds ``*``, ``?`` or ``[``, which make it a glob.
    Regular expressions must match the whole value; globs and regexes run on RE2, on
    values of at most ``LIMITS.matched_length`` characters (a longer one matches exact
    patterns only).
    """

    exact: frozenset[str] = frozenset()
    compiled: tuple[Any, ...] = ()  # RE2 patterns: globs and regexes

    @classmethod
    def parse(cls, spec: Any) -> Pattern:
        """From a validated ``match`` value (PatternError for a regex or glob RE2 cannot run)."""
        exact: set[str] = set()
        compiled: list[Any] = []
        for atom in atoms(spec):
            if isinstance(atom, str):
                if _GLOB_CHARS & set(atom):
                    compiled.append(compile_glob(atom))
                else:
                    exact.add(atom)
            elif "regex" in atom:
                compiled.append(compile_regex(atom["regex"]))
            elif "glob" in atom:
                compiled.append(compile_glob(atom["glob"]))
            else:
                exact.add(atom["exact"])
        return cls(frozenset(exact), tuple(compiled))

    def __call__(self, value: str | None) -> bool:
        if value is None:
            return False
        if value in self.exact:
            return True
        if not self.compiled or len(value) > _MATCHED_LENGTH:
            return False
        try:
            return any(pattern.fullmatch(value) for pattern in self.compiled)
        except UnicodeEncodeError:  # a lone surrogate (from surrogateescape) has no UTF-8: match its stand-in
            text = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            return any(pattern.fullmatch(text) for pattern in self.compiled)


def is_compiled(atom: Any) -> bool:
    """Whether a pattern atom is compiled (a glob or a regex), not matched exactly."""
    if isinstance(atom, str):
        return bool(_GLOB_CHARS & set(atom))
    return isinstance(atom, dict) and ("regex" in atom or "glob" in atom)


@dataclass(frozen=True, slots=True)
class Counts:
    """Which ordinal numbers (1-based) are chosen: a set, or a from/to/every range."""

    numbers: frozenset[int] = frozenset()
    start: int | None = None
    stop: int | None = None
    every: int | None = None

    @classmethod
    def parse(cls, spec: Any) -> Counts:
        """From a validated ``nth``/``attempt`` value: a number, a list, or a from/to/every mapping."""
        if isinstance(spec, int):
            return cls(frozenset({spec}))
        if isinstance(spec, list):
            return cls(frozenset(spec))
        return cls(start=spec.get("from", 1), stop=spec.get("to"), every=spec.get("every"))

    def __call__(self, n: int | None) -> bool:
        if n is None:
            return False
        if self.numbers:
            return n in self.numbers
        start = self.start or 1
        if n < start or (self.stop is not None and n > self.stop):
            return False
        return self.every is None or (n - start) % self.every == 0


# -- the table of facts --------------------------------------------------------------------

#: a condition's test: (the compiled condition, the fact's value) -> holds?
Test = Callable[[Any, Any], bool]


def _names(spec: Any) -> frozenset[str]:
    return frozenset(atoms(spec))


def _among(names: frozenset[str], value: Any) -> bool:
    return value in names


def _holds(condition: Callable[[Any], bool], value: Any) -> bool:
    return condition(value)


def _header_patterns(spec: Mapping[str, Any]) -> tuple[tuple[str, Pattern], ...]:
    return tuple((name, Pattern.parse(pattern)) for name, pattern in spec.items())


def _headers_match(patterns: tuple[tuple[str, Pattern], ...], headers: Mapping[str, str] | None) -> bool:
    known = headers or {}
    return all(pattern(known.get(name)) for name, pattern in patterns)


#: each fact a rule can match on (the ``match`` key and the ``Facts`` field share its name):
#: how the written value is compiled, and how it is tested against the fact; in the order
#: they are checked (known facts first, then those that may be UNKNOWN)
FACTS: dict[str, tuple[Callable[[Any], Any], Test]] = {
    "vendor": (_names, _among),
    "operation": (_names, _among),
    "event": (Pattern.parse, _holds),
    "attempt": (Counts.parse, _holds),
    "headers": (_header_patterns, _headers_match),
    "tenant": (Pattern.parse, _holds),
    "to": (Pattern.parse, _holds),
}
#: the ``match`` key of a fact, where they differ
_KEYS = {"headers": "header"}


@dataclass(frozen=True, slots=True)
class Match:
    """The conditions of a rule; every condition given must hold. ``nth`` and
    ``probability`` are not facts: the active scenario applies them after the conditions."""

    conditions: tuple[tuple[str, Any, Test], ...] = ()  # (fact, compiled condition, test)
    nth: Counts | None = None
    probability: float | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Match:
        """From a validated ``match`` mapping (PatternError for a pattern RE2 cannot run)."""
        conditions = tuple(
            (fact, compile_(raw[_KEYS.get(fact, fact)]), test)
            for fact, (compile_, test) in FACTS.items()
            if _KEYS.get(fact, fact) in raw
        )
        return cls(conditions, Counts.parse(raw["nth"]) if "nth" in raw else None, raw.get("probability"))

    def verdict(self, facts: Facts) -> Verdict:
        """NO if a condition fails on a known fact; else WAIT if one needs an unknown fact; else YES."""
        waiting = False
        for fact, condition, test in self.conditions:
            value = getattr(facts, fact)
            if value is UNKNOWN:
                waiting = True
            elif not test(condition, value):
                return Verdict.NO
        return Verdict.WAIT if waiting else Verdict.YES
