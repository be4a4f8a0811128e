"""Credentials that store nothing leave nothing lasting (issue #17, item 6): the server's RSS
after 20,000 new FAX.PLUS tokens and 20,000 Kazoo logins, each used on read-only requests.

    python benchmarks/tokens.py --count 20000

An emulator is started (``serve --clock manual --journal-size 100``: the request log is
bounded and its fill is not what is measured) and warmed up (the journal full, the first
looks and caches made). Then, each step measured on its own, RSS before and after:

- ``faxplus``: ``--count`` requests ``GET /v3/accounts/self``, each with a token never seen before;
- ``kazoo_new_users``: ``--count`` logins (``PUT /v2/user_auth``) of users never seen before,
  each followed by a read (its outgoing faxes) with the token it got;
- ``kazoo_same_user``: ``--count`` logins of one user (what a test suite logging in for each
  test does), each followed by a read.

A Kazoo token is valid for an hour (Crossbar's ``token_auth_expiry_s``), so the emulator must
know it for that long; what a login costs is what it keeps for that. Target: each step grows
RSS by less than 10 MB. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET_MB = 10.0
SERVER = ["-m", "emulator", "serve", "--port", "0", "--clock", "manual", "--quiet", "--journal-size", "100"]


def rss_mb(pid: int) -> float:
    """The process's resident set, in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def spread(count: int, connections: int, one: Callable[[int], Awaitable[None]]) -> None:
    """``one(n)`` for n in range(count), ``connections`` at a time."""
    numbers = iter(range(count))

    async def worker() -> None:
        for n in numbers:
            await one(n)

    await asyncio.gather(*(worker() for _ in range(connections)))


async def measure(base: str, pid: int, count: int, connections: int) -> dict[str, Any]:
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as session:

        async def expect(method: str, url: str, status: int, **kwargs: Any) -> Any:
            async with session.request(method, url, **kwargs) as response:
                body = await response.json(content_type=None)
                if response.status != status:
                    raise RuntimeError(f"{method} {url} -> {response.status}: {body}")
                return body

        async def faxplus(token: str) -> None:
            await expect("GET", f"{base}/v3/accounts/self", 200, headers={"Authorization": f"Bearer {token}"})

        async def kazoo(user: str) -> None:
            credentials = hashlib.md5(f"{user}:secret".encode()).hexdigest()
            body = {"data": {"credentials": credentials, "account_name": f"tokens-{user}"}}
            login = await expect("PUT", f"{base}/v2/user_auth", 201, json=body)
            account = login["data"]["account_id"]
            await expect(
                "GET",
                f"{base}/v2/accounts/{account}/faxes/outgoing",
                200,
                headers={"X-Auth-Token": login["auth_token"]},
            )

        steps: dict[str, Callable[[int], Awaitable[None]]] = {
            "faxplus": lambda n: faxplus(f"token-{n}"),
            "kazoo_new_users": lambda n: kazoo(f"user-{n}"),
            "kazoo_same_user": lambda n: kazoo("the-user"),
        }
        for step in steps.values():  # warm-up: every path taken, the journal full
            await spread(1000, connections, lambda n, step=step: step(-1 - n))
        result: dict[str, Any] = {"count": count, "target_mb": TARGET_MB}
        for name, step in steps.items():
            before = rss_mb(pid)
            await spread(count, connections, step)
            after = rss_mb(pid)
            result[name] = {"rss_before_mb": round(before, 1), "grown_mb": round(after - before, 1)}
        return result


def run(count: int, connections: int) -> dict[str, Any]:
    process = subprocess.Popen(
        [sys.executable, *SERVER], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=HERE.parent
    )
    try:
        assert process.stdout is not None
        match = re.search(r"(http://\S+)", process.stdout.readline())
        if match is None:
            raise RuntimeError("the emulator did not start")
        return asyncio.run(measure(match.group(1).rstrip("/"), process.pid, count, connections))
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000, help="new credentials in each step")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(json.dumps(run(args.count, args.connections)))


if __name__ == "__main__":
    main()
