"""Every typed ``web.AppKey`` of the project, in one place."""

from aiohttp import web

from emulator.core import http
from emulator.core.runtime import Runtime
from emulator.core.vendor import Vendor

#: the emulator's runtime, on the root app and on every vendor sub-app: vendor code reaches
#: it with ``request.app[RUNTIME]`` (a dict lookup), the control API with ``request.config_dict``
RUNTIME = web.AppKey("runtime", Runtime)
#: on each vendor sub-app: the vendor it serves
VENDOR = web.AppKey("vendor", Vendor)

#: per request: the tenant the vendor's auth resolved (defined in core, which reads it too)
TENANT = http.TENANT
#: per request: the parsed body, kept for the contract checks
PARSED_BODY = http.PARSED_BODY
#: per request: ids of the faxes the request created (for the journal)
FAX_IDS = web.RequestKey("fax_ids", list)
#: per request: what a scenario fault rule did to it, e.g. "status 503"
FAULT = web.RequestKey("fault", str)
#: per request: the scenario rule that acted on it, if any
RULE = web.RequestKey("rule", str)
#: per request: what the vendor's middleware learned about the call (e.g. Kazoo's request id
#: and auth token, echoed in every response envelope), for its handlers and error renderer
VENDOR_CONTEXT = web.RequestKey("vendor_context", object)
