"""Every typed ``web.AppKey`` of the project, in one place."""

from aiohttp import web

from emulator.core import http, pipeline
from emulator.core.runtime import Runtime

#: the emulator's runtime, on the app: every handler reaches it with ``request.app[RUNTIME]``
RUNTIME = web.AppKey("runtime", Runtime)

#: per request: the tenant the vendor's auth resolved (defined in core, which reads it too)
TENANT = http.TENANT
#: per request: the parsed body, kept for the contract checks
PARSED_BODY = http.PARSED_BODY
#: per request: the operation (route name) being answered, None for an unrouted path
OPERATION = http.OPERATION
#: per request: ids of the faxes the request created (for the journal; defined in core)
FAX_IDS = pipeline.FAX_IDS
#: per request: what the vendor's middleware learned about the call (e.g. Kazoo's request id
#: and auth token, echoed in every response envelope), for its handlers and error renderer
VENDOR_CONTEXT = web.RequestKey("vendor_context", object)
