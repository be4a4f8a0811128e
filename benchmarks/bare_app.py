"""The reference point: a bare aiohttp app that answers every request with a fixed answer.

    python benchmarks/bare_app.py --port 0 --body '{"status": "Success"}' [--header 'ETag: "1-a"' ...]

It prints ``bare listening on http://127.0.0.1:PORT`` once it accepts connections. Given an
emulator answer's body and headers (``answer_headers``), it sends the same bytes, but for
the Date: so a comparison counts the emulator's own work, not the cost to aiohttp of
writing a vendor's extra headers (Kazoo's ``X-Request-ID`` and ``ETag`` cost it about
3,000 CPU instructions each).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

#: headers aiohttp writes on every answer itself, the bare app's too: never copied
OWN_HEADERS = frozenset({"date", "server", "content-length", "connection", "keep-alive", "transfer-encoding"})
JSON = {"Content-Type": "application/json"}
Handler = Callable[[web.Request], Awaitable[web.Response]]


def answer_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers of an emulator answer for the bare app to send as well."""
    return {name: value for name, value in headers.items() if name.lower() not in OWN_HEADERS}


def fixed_answer(body: bytes, headers: Mapping[str, str] = JSON) -> Handler:
    """The bare app's one handler: whatever is asked, the same body and headers."""
    fixed = dict(headers)

    async def answer(request: web.Request) -> web.Response:
        await request.read()  # a webhook receiver reads what it is sent
        return web.Response(body=body, headers=fixed)

    return answer


def parsed_headers(given: list[str]) -> dict[str, str]:
    """``--header 'Name: value'`` arguments as headers."""
    return dict((part.strip() for part in header.split(":", 1)) for header in given)


def make_app(body: bytes, headers: Mapping[str, str] = JSON) -> web.Application:
    """The bare app: every path, every method, the same body and headers."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fixed_answer(body, headers))
    return app


async def serve(body: bytes, headers: Mapping[str, str], sock: socket.socket) -> None:
    app = make_app(body, headers)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    print(f"bare listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--body", default='{"ok": true}')
    parser.add_argument("--header", action="append", default=[], help="'Name: value' (default: a JSON Content-Type)")
    args = parser.parse_args()
    headers = parsed_headers(args.header) if args.header else JSON
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(1024)
    asyncio.run(serve(args.body.encode(), headers, sock))


if __name__ == "__main__":
    main()
