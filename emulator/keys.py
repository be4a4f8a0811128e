"""Every typed ``web.AppKey`` of the project, in one place."""

from aiohttp import web

from emulator.core.runtime import Runtime
from emulator.core.vendor import Vendor

#: the emulator's runtime, on the root app (reach it with ``request.config_dict``)
RUNTIME = web.AppKey("runtime", Runtime)
#: on each vendor sub-app: the vendor it serves
VENDOR = web.AppKey("vendor", Vendor)

#: per request: the tenant the vendor's auth resolved (for the journal)
TENANT = web.RequestKey("tenant", str)
#: per request: ids of the faxes the request created (for the journal)
FAX_IDS = web.RequestKey("fax_ids", list)
#: per request: what a scenario fault rule did to it, e.g. "status 503"
FAULT = web.RequestKey("fault", str)
#: per request: the scenario rule that acted on it, if any
RULE = web.RequestKey("rule", str)
