"""One seedable random source for every id and every random choice of the emulator.

With a seed, a run makes the same ids and the same seeded choices every time. Request ids
(an answer's own id, as Kazoo gives every one) come from a stream of their own, so how
often a client polls never changes the ids of the faxes it sends.
"""

from __future__ import annotations

import os
import random
from typing import Any

REQUEST_BATCH = 256  # request ids made at a time
#: RFC 4122's version 4 in a UUID's bits: the variant (10) and version (0100) fields set
_UUID_CLEARED = ~((0xC000 << 48) | (0xF000 << 64))
_UUID_SET = (0x8000 << 48) | (4 << 76)


class Ids:
    """Random ids in the shapes vendors use."""

    def __init__(self, seed: int | str | None = None) -> None:
        self.random = random.Random(seed if seed is not None else os.urandom(16))
        self._requests = random.Random(f"requests:{seed}" if seed is not None else os.urandom(16))
        self._request_ids: list[str] = []  # made REQUEST_BATCH at a time, handed out last first
        # what ``durable`` keeps of the request stream and its batch: the stream's state before
        # the batch was drawn and the draw's size (the batch is that draw again: a later version's
        # size may differ), or, for a batch that came otherwise (``restore``, or none yet), the
        # stream's state as it stands and the batch itself; they move only when a batch is drawn
        self._requests_kept = self._requests.getstate()
        self._batch_kept: list[str] | int = []

    def request_id(self) -> str:
        """32 lowercase hex digits for one request, from the request stream.

        Made in batches: one draw of random bits for many ids costs a request a fraction
        of a draw of its own (and every Kazoo answer has one).
        """
        batch = self._request_ids
        if not batch:
            self._requests_kept, self._batch_kept = self._requests.getstate(), REQUEST_BATCH
            batch.extend(_batch(self._requests, REQUEST_BATCH))
        return batch.pop()

    def hex(self, length: int) -> str:
        """``length`` lowercase hex digits."""
        # the digits of getrandbits, zero-padded: by bytes, which is quicker than formatting the int
        text = self.random.getrandbits(4 * length).to_bytes((length + 1) // 2, "big").hex()
        return text[1:] if length % 2 else text

    def uuid4(self) -> str:
        """A lowercase, hyphenated version-4 UUID: what ``str(uuid.UUID(int=bits, version=4))``
        makes of the same random bits, without making a ``UUID`` (a fifth of a fax's cost in
        ``benchmarks/scale.py``)."""
        bits = self.random.getrandbits(128) & _UUID_CLEARED | _UUID_SET
        text = bits.to_bytes(16, "big").hex()  # (formatting the int, f"{bits:032x}", cost ~1,100 instructions more)
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def digits(self, length: int) -> str:
        return "".join(self.random.choice("0123456789") for _ in range(length))

    def uniform(self, low: float, high: float) -> float:
        return self.random.uniform(low, high)

    def state(self) -> dict[str, Any]:
        """Where both streams stand (snapshots): ids made after ``restore`` continue them."""
        return {
            "random": self.random.getstate(),
            "requests": self._requests.getstate(),
            "batch": list(self._request_ids),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Continue the streams from ``state()`` (checked by ``check_state``)."""
        self.random.setstate(state["random"])
        self._requests.setstate(state["requests"])
        self._request_ids[:] = state["batch"]
        self._requests_kept, self._batch_kept = self._requests.getstate(), list(state["batch"])

    def durable(self) -> tuple[dict[str, Any], dict[str, int]]:
        """``state()`` in two parts for a file that keeps it at every change (``serve --data``):
        the streams, which change once in hundreds of ids, and where each stands in them, which
        changes with each id. ``state()`` itself is 22 KB of JSON (both streams' 625 words and
        the request ids made ahead), and each send made it anew. ``from_durable`` puts it back.

        A Mersenne Twister's state is 624 words, made anew once they are used, and where the
        next word is: between two makings only that position moves. The request ids made ahead
        are kept as the request stream's state they were drawn from (they are that draw again).
        """
        version, words, gauss = self.random.getstate()
        batch = self._batch_kept
        streams = {"random": (version, words[:-1], gauss), "requests": self._requests_kept, "batch": batch}
        made = batch if isinstance(batch, int) else len(batch)
        return streams, {"random_at": words[-1], "handed": made - len(self._request_ids)}

    @staticmethod
    def from_durable(streams: dict[str, Any], positions: dict[str, int]) -> dict[str, Any]:
        """The ``state()`` that ``durable`` gave ``streams`` and ``positions`` of (not checked:
        ``check_state`` checks it, as it checks any snapshot's)."""
        version, words, gauss = streams["random"]
        requests = random.Random()
        requests.setstate(_state(streams["requests"]))
        batch = streams["batch"]
        if isinstance(batch, int):  # the request ids made ahead are that stream's next draw, of so many
            batch = _batch(requests, batch)
        handed = positions["handed"]
        if not (isinstance(handed, int) and 0 <= handed <= len(batch)):
            raise ValueError(f"ids: {handed!r} request ids handed out of a batch of {len(batch)}")
        return {
            "random": (version, (*words, positions["random_at"]), gauss),
            "requests": requests.getstate(),
            "batch": batch[: len(batch) - handed],
        }


def _batch(stream: random.Random, size: int) -> list[str]:
    """``size`` request ids from one draw of ``stream``, in the order they are handed out from
    the end."""
    if not 0 < size <= 4 * REQUEST_BATCH:  # (a damaged file's number: not a draw of any size)
        raise ValueError(f"ids: a batch of {size!r} request ids")
    text = stream.getrandbits(128 * size).to_bytes(16 * size, "big").hex()
    return [text[start : start + 32] for start in range(len(text) - 32, -1, -32)]


def _state(data: list[Any]) -> tuple[Any, ...]:
    """A Random's state from JSON's arrays (setstate takes tuples)."""
    version, words, gauss = data
    return (version, tuple(words), gauss)


def check_state(state: Any) -> dict[str, Any]:
    """``state`` if ``Ids.restore`` can take it (a snapshot's ``ids``); ValueError why not."""
    if not isinstance(state, dict) or set(state) != {"random", "requests", "batch"}:
        raise ValueError("ids must be an object with random, requests and batch")
    for name in ("random", "requests"):
        try:
            random.Random().setstate(state[name])
        except (TypeError, ValueError):
            raise ValueError(f"ids.{name} is not the state of a random stream") from None
    if not (isinstance(state["batch"], list) and all(isinstance(i, str) for i in state["batch"])):
        raise ValueError("ids.batch must be a list of request ids")
    return state
