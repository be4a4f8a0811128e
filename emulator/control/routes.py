"""The /_emulator/ route table and its error rendering (app.py mounts them)."""

from __future__ import annotations

from aiohttp import web

from emulator.control import events, handlers, pages, scenario, state
from emulator.core.errors import EmulatorError


def render(error: EmulatorError, request: web.Request | None = None) -> web.Response:
    body = {"error": {"code": error.code, "message": error.message}}
    if error.field:
        body["error"]["field"] = error.field
    if error.detail is not None:
        body["error"]["detail"] = error.detail
    return web.json_response(body, status=error.status)


ROUTES = [
    ("GET", "/health", handlers.health, "health"),
    ("GET", "/vendors", handlers.vendors, "vendors"),
    ("POST", "/reset", handlers.reset, "reset"),
    ("GET", "/state", state.export, "get_state"),
    ("PUT", "/state", state.replace, "put_state"),
    ("GET", "/clock", handlers.clock, "clock"),
    ("POST", "/clock/advance", handlers.advance, "clock_advance"),
    ("POST", "/clock/run-until-idle", handlers.run_until_idle, "clock_run_until_idle"),
    ("GET", "/faxes", handlers.list_faxes, "list_faxes"),
    ("GET", "/faxes/{fax_id}", handlers.get_fax, "get_fax"),
    ("POST", "/faxes/{fax_id}/cancel", handlers.cancel_fax, "cancel_fax"),
    ("GET", "/faxes/{fax_id}/pages/{number:[0-9]+}.png", pages.page_png, "fax_page_png"),
    ("GET", "/faxes/{fax_id}/document.{kind:tiff|pdf}", pages.document, "fax_document"),
    ("POST", "/inbound", handlers.inbound, "inbound"),
    ("GET", "/scenario", scenario.show, "get_scenario"),
    ("POST", "/scenario", scenario.replace, "post_scenario"),
    ("DELETE", "/scenario", scenario.remove, "delete_scenario"),
    ("GET", "/events", events.stream, "events"),
    ("GET", "/requests", handlers.requests, "requests"),
    ("GET", "/requests/{seq}", handlers.get_request, "get_request"),
    ("GET", "/webhooks", handlers.webhooks, "webhooks"),
    ("POST", "/webhooks/{delivery_id}/redeliver", handlers.redeliver, "redeliver_webhook"),
    ("GET", "/coverage", handlers.coverage, "coverage"),
    ("GET", "/violations", handlers.violations, "violations"),
    ("DELETE", "/violations", handlers.clear_violations, "clear_violations"),
    ("GET", "/openapi.json", handlers.control_openapi, "control_openapi"),
    ("GET", r"/openapi/{vendor}.json", handlers.openapi, "openapi"),
    ("GET", "/emails", handlers.emails, "emails"),
    ("GET", "/accounts/{vendor}", handlers.get_accounts, "get_accounts"),
    ("PUT", "/accounts/{vendor}", handlers.put_accounts, "put_accounts"),
    ("GET", "/vendors/{vendor}/options", handlers.get_options, "get_options"),
    ("PATCH", "/vendors/{vendor}/options", handlers.patch_options, "patch_options"),
]
