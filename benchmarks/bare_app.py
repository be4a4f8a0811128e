"""The reference point: a bare aiohttp app that answers every request with fixed JSON bytes.

    python benchmarks/bare_app.py --port 0 --body '{"status": "Success"}'

It prints ``bare listening on http://127.0.0.1:PORT`` once it accepts connections.
"""

from __future__ import annotations

import argparse
import asyncio
import socket

from aiohttp import web


def make_app(body: bytes) -> web.Application:
    """The bare app: every path, every method, the same bytes."""

    async def answer(request: web.Request) -> web.Response:
        await request.read()  # a webhook receiver reads what it is sent
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return app


async def serve(body: bytes, sock: socket.socket) -> None:
    app = make_app(body)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    print(f"bare listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--body", default='{"ok": true}')
    args = parser.parse_args()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(1024)
    asyncio.run(serve(args.body.encode(), sock))


if __name__ == "__main__":
    main()
