"""CallerIP's whole HTTP surface, mounted at /api/fax (callerip.md §4)."""

from emulator.vendors.callerip import handlers

ROUTES = (
    ("POST", "/send", handlers.send_fax, "send_fax"),
    ("GET", "/status", handlers.fax_status, "fax_status"),
)
