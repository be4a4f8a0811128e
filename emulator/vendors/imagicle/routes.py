"""The whole StoneFax Web API, mounted at /fw/Apps/StoneFax/WebAPI (imagicle.md §4).

In the Administration Guide's order, except that the literal ``Mine`` comes before
``{fax_id}`` at the same position. The ``/Document`` downloads are guessed paths (D12).
As on IIS (§2), the prefix and these literal parts match in any case
(``Vendor.case_insensitive_paths``); a fax id keeps its case.
"""

from emulator.core.vendor import Handlers

handlers = Handlers("emulator.vendors.imagicle.handlers")  # imported at its first request (core.vendor.Handlers)

ROUTES = (
    ("POST", "/Faxes/Outbound", handlers("submit_fax"), "submit_fax"),
    ("GET", "/Faxes/Outbound/Mine", handlers("outbound_mine"), "get_outbound_list"),
    ("GET", "/Faxes/Outbound/{fax_id}", handlers("outbound_detail"), "get_outbound_fax"),
    ("GET", "/Faxes/Outbound/{fax_id}/Document", handlers("outbound_document"), "download_outbound_document"),
    ("GET", "/Faxes/Inbound/Mine", handlers("inbound_mine"), "get_inbound_list"),
    ("GET", "/Faxes/Inbound/{fax_id}", handlers("inbound_detail"), "get_inbound_fax"),
    ("GET", "/Faxes/Inbound/{fax_id}/Document", handlers("inbound_document"), "download_inbound_document"),
)
