"""CallerIP's whole HTTP surface, mounted at /api/fax."""

from aiohttp import web

from emulator.core.http import error_middleware
from emulator.vendors.callerip import errors, handlers

ROUTES = [
    ("POST", "/send", handlers.send_fax, "send_fax"),
    ("GET", "/status", handlers.fax_status, "fax_status"),
]


def build_app() -> web.Application:
    app = web.Application(middlewares=[error_middleware(errors.render)])
    for method, path, handler, name in ROUTES:
        app.router.add_route(method, path, handler, name=name)
    return app
