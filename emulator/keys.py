"""The application's key: everything the emulator holds hangs off the app as one ``Runtime``.

Per-request keys live with what they hold, in core: ``core.exchange.EXCHANGE`` (what the
pipeline learns about a vendor request) and ``core.bodies.PARSED_BODY`` (the parsed body,
for the contract checks).
"""

from aiohttp import web

from emulator.core.runtime import Runtime

#: the emulator's runtime, on the app: every handler reaches it with ``request.app[RUNTIME]``
RUNTIME = web.AppKey("runtime", Runtime)
