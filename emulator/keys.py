"""Every typed ``web.AppKey`` of the project, in one place."""

from aiohttp import web

from emulator.core import http
from emulator.core.runtime import Runtime

#: the emulator's runtime, on the app: every handler reaches it with ``request.app[RUNTIME]``
RUNTIME = web.AppKey("runtime", Runtime)

#: per vendor request: its operation, its tenant (set by the vendor's auth with
#: ``Exchange.identify``) and the faxes it made (set by its handler), for the journal
EXCHANGE = http.EXCHANGE
#: per request: the parsed body, kept for the contract checks
PARSED_BODY = http.PARSED_BODY
