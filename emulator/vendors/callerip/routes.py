"""CallerIP's whole HTTP surface, mounted at /api/fax (callerip.md §4)."""

from emulator.core.vendor import Handlers

handlers = Handlers("emulator.vendors.callerip.handlers")  # imported at its first request (core.vendor.Handlers)

ROUTES = (
    ("POST", "/send", handlers("send_fax"), "send_fax"),
    ("GET", "/status", handlers("fax_status"), "fax_status"),
)
