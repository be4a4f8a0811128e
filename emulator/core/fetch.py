"""Fetching a document from a URL a client named, safely.

Some vendors accept a document URL instead of an upload and fetch it themselves. The
emulator fetches such URLs only from loopback addresses and from hosts the user allowed
(``--allow-fetch HOST``, ``Config.fetch_allow``): never the open internet. Redirects are
not followed, the body is read within a size limit, and every failure becomes a
``FetchError`` whose text says why, so the vendor can report it in its own words.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

DEFAULT_TIMEOUT = 10.0  # wall seconds for the whole fetch
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A document URL that could not be fetched; ``str(error)`` says why."""


@dataclass(slots=True, repr=False, eq=False)
class Fetched:
    """What a fetch returned."""

    status: int
    content_type: str
    data: bytes


def is_allowed(url: str, allow: Iterable[str] = ()) -> bool:
    """Whether ``url`` is http(s) to a loopback address or to one of the ``allow`` hosts."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost" or host in {h.lower() for h in allow}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def fetch(
    url: str,
    *,
    allow: Iterable[str] = (),
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    max_bytes: int,
    timeout: float = DEFAULT_TIMEOUT,
) -> Fetched:
    """Fetch ``url`` (loopback or allowed hosts only); FetchError on any failure."""
    if not is_allowed(url, allow):
        raise FetchError(
            f"the emulator fetches documents only from loopback or allowed hosts (--allow-fetch HOST), not {url!r}"
        )
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.request(method.upper(), url, headers=headers, data=body, allow_redirects=False) as response,
        ):
            if response.content_length is not None and response.content_length > max_bytes:
                raise FetchError(f"the document is larger than the limit of {max_bytes} bytes")
            data = bytearray()
            async for chunk in response.content.iter_chunked(_CHUNK):
                data += chunk
                if len(data) > max_bytes:
                    raise FetchError(f"the document is larger than the limit of {max_bytes} bytes")
            return Fetched(response.status, response.content_type, bytes(data))
    except FetchError:
        raise
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        raise FetchError(f"failed to fetch {url}: {_why(exc, timeout)}") from exc


def _why(exc: Exception, timeout: float) -> str:
    """What went wrong, in our words (an answer never carries an exception's own text)."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, aiohttp.ClientConnectorError | ConnectionError):
        return "the connection was refused or could not be made"
    if isinstance(exc, aiohttp.InvalidURL | ValueError):
        return "not a valid URL"
    return "the connection failed"
