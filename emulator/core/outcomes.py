"""The neutral outcome model: what happened to one attempt to send a fax.

Scenarios and magic numbers speak this language; each vendor translates an outcome
into its own status words (``vendors/<name>/lifecycle.py``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class Outcome(enum.StrEnum):
    """How one transmission attempt ended."""

    SUCCESS = "success"
    PARTIAL = "partial"  # the call dropped after some pages
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    INVALID_NUMBER = "invalid_number"  # unallocated / malformed destination
    REJECTED = "rejected"  # answered, but refused or no fax tone
    NETWORK_ERROR = "network_error"  # transient carrier failure
    CONVERSION_FAILED = "conversion_failed"  # the document could not be rendered
    INSUFFICIENT_CREDIT = "insufficient_credit"
    DESTINATION_NOT_SUPPORTED = "destination_not_supported"
    INTERNAL_ERROR = "internal_error"

    @property
    def ok(self) -> bool:
        return self is Outcome.SUCCESS

    @property
    def retryable(self) -> bool:
        """Whether trying again could help (a vendor retries only these)."""
        return self in _RETRYABLE


_RETRYABLE = frozenset(
    {Outcome.PARTIAL, Outcome.BUSY, Outcome.NO_ANSWER, Outcome.REJECTED, Outcome.NETWORK_ERROR, Outcome.INTERNAL_ERROR}
)


@dataclass(frozen=True, slots=True, repr=False)
class Result:
    """The result of one attempt.

    ``pages_sent`` is ``None`` when it follows from the outcome (all pages on success,
    none on failure). ``native`` is a vendor-native status or code a scenario named
    (e.g. FAX.PLUS ``failed_fs_49``); the vendor interprets it.
    """

    outcome: Outcome
    pages_sent: int | None = None
    native: str | None = None
    rule: str | None = None  # which scenario rule or magic number decided it

    def pages(self, total: int) -> int:
        if self.pages_sent is not None:
            return max(0, min(self.pages_sent, total))
        if self.outcome is Outcome.SUCCESS:
            return total
        if self.outcome is Outcome.PARTIAL:
            return total // 2
        return 0

    def to_data(self) -> dict[str, Any]:
        return {"outcome": self.outcome.value, "pages_sent": self.pages_sent, "native": self.native, "rule": self.rule}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Result:
        return cls(Outcome(data["outcome"]), data["pages_sent"], data["native"], data["rule"])


SUCCESS = Result(Outcome.SUCCESS)


@dataclass(frozen=True, slots=True, repr=False)
class MagicNumber:
    """A destination whose outcome is fixed; ``outcomes[n]`` is attempt n+1's (the last repeats)."""

    suffix: str
    outcomes: tuple[Outcome, ...]
    meaning: str


#: Destinations ending in these digits (after dropping everything but digits) give
#: these outcomes, for every vendor, when no scenario rule decides. Documented in
#: the README; everything else succeeds.
MAGIC_NUMBERS: tuple[MagicNumber, ...] = (
    MagicNumber("5550001", (Outcome.BUSY,), "always busy"),
    MagicNumber("5550002", (Outcome.NO_ANSWER,), "never answers"),
    MagicNumber("5550003", (Outcome.INVALID_NUMBER,), "unallocated number"),
    MagicNumber("5550004", (Outcome.PARTIAL,), "drops the call after half the pages"),
    MagicNumber("5550005", (Outcome.CONVERSION_FAILED,), "the document fails to convert"),
    MagicNumber("5550006", (Outcome.REJECTED,), "answers but refuses the fax"),
    MagicNumber("5550007", (Outcome.NETWORK_ERROR,), "transient network failure"),
    MagicNumber("5550008", (Outcome.INSUFFICIENT_CREDIT,), "the account has no credit"),
    MagicNumber("5550009", (Outcome.DESTINATION_NOT_SUPPORTED,), "destination not supported"),
    MagicNumber("5550010", (Outcome.INTERNAL_ERROR,), "provider internal error"),
    MagicNumber("5550011", (Outcome.BUSY, Outcome.SUCCESS), "busy once, then succeeds"),
    MagicNumber("5550012", (Outcome.NO_ANSWER, Outcome.NO_ANSWER, Outcome.SUCCESS), "no answer twice, then succeeds"),
)

_NON_DIGITS = re.compile(r"\D+")
#: suffix length -> suffix -> the first entry with that suffix (one look-up per length, not a scan)
_BY_SUFFIX: dict[int, dict[str, MagicNumber]] = {}
for _magic in MAGIC_NUMBERS:
    _BY_SUFFIX.setdefault(len(_magic.suffix), {}).setdefault(_magic.suffix, _magic)


def magic_number(destination: str) -> MagicNumber | None:
    """The magic number entry ``destination`` ends with, if any (the first in the table)."""
    digits = destination.removeprefix("+")  # E.164 as most clients write it: digits once the "+" is gone
    if not digits.isdecimal():  # (the regular expression's substitution was ~5,000 instructions)
        digits = _NON_DIGITS.sub("", destination)
    found = None
    for length, table in _BY_SUFFIX.items():
        magic = table.get(digits[-length:])
        if magic is not None and (found is None or MAGIC_NUMBERS.index(magic) < MAGIC_NUMBERS.index(found)):
            found = magic
    return found
