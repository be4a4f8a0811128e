"""What the control API's OpenAPI document (``GET /_emulator/openapi.json``, control/spec.py)
says of each of its routes (control/routes.py). Imported when the document is first asked
for: building these declarations is no part of start-up."""

from __future__ import annotations

from emulator.control.spec import Doc, listing
from emulator.core.events import TYPES

_FILTER = {"vendor": "only this vendor's", "tenant": "only this tenant's", "limit": "at most this many, newest"}
_SCENARIO_PLACE = {"vendor": "with tenant: one tenant's scenario", "tenant": "with vendor: one tenant's scenario"}
_LIST = {"type": "array", "items": {}}
_SNAPSHOT = {
    "type": "object",
    "required": ["format", "version"],
    "properties": {
        "format": {"const": "fax-emulator/state"},
        "version": {"const": 1},
        **{
            name: {"type": "array" if name in ("tenants", "faxes") else "object"}
            for name in ("clock", "ids", "accounts", "options", "tenants", "faxes")
        },
        **{name: {"type": "object"} for name in ("deliveries", "scenarios", "journal", "emails")},
    },
}
_WAIT = {
    "type": "number",
    "minimum": 0,
    "maximum": 3600,
    "description": "wall seconds to wait for one webhook attempt in flight (default --advance-wait)",
}

#: what GET /_emulator/openapi.json says of each route of ``routes.ROUTES`` (a test checks every route has one)
DOCS: dict[str, Doc] = {
    "health": Doc(
        "Version, clock, each vendor's base URL, errors of scheduled actions, webhook counts, "
        "retention limits and what they hold, the worker pool, renderings kept",
        response={"type": "object"},
    ),
    "vendors": Doc("Every vendor: base URL, operations, status machine", response={"type": "object"}),
    "reset": Doc(
        "Forget faxes, logs and deliveries (everything, one vendor's, or one tenant's)",
        body={"type": "object", "properties": {"vendor": {"type": "string"}, "tenant": {"type": "string"}}},
        response={"type": "object", "properties": {"reset": {"type": "boolean"}, "faxes_dropped": {"type": "integer"}}},
    ),
    "get_state": Doc(
        "Everything the emulator holds as one versioned snapshot (format fax-emulator/state, version 1): "
        "faxes with their documents (base64) and timers, tenants, deliveries, accounts, options, scenarios "
        "with their counters, the clock, the id streams, the journal and the e-mails",
        response=_SNAPSHOT,
    ),
    "put_state": Doc(
        "Replace the whole state with a snapshot of GET /_emulator/state; a snapshot that cannot be loaded "
        "is refused (400, with why) and nothing changes",
        body=_SNAPSHOT,
        response={
            "type": "object",
            "properties": {
                "restored": {"type": "boolean"},
                "faxes": {"type": "integer"},
                "tenants": {"type": "integer"},
                "deliveries": {"type": "integer", "description": "deliveries pending"},
            },
        },
    ),
    "clock": Doc("The clock: mode, speed, now", response="Clock"),
    "clock_advance": Doc(
        "Manual clock: move time on; everything due has happened when it answers",
        body={
            "type": "object",
            "properties": {"seconds": {"type": "number", "minimum": 0}, "webhook_wait": _WAIT},
            "required": ["seconds"],
        },
        response="Advanced",
    ),
    "clock_run_until_idle": Doc(
        "Manual clock: advance until nothing is scheduled",
        body={"type": "object", "properties": {"webhook_wait": _WAIT}},
        response="Advanced",
    ),
    "list_faxes": Doc(
        "Faxes of every vendor: the newest `limit` after skipping the `offset` newest",
        query={
            **_FILTER,
            "status": "only faxes in this vendor status",
            "direction": "outbound or inbound",
            "q": "part of an id, alias or number, in any case",
            "offset": "skip this many of the newest",
            "order": "oldest (default) or newest first",
            "view": "full (default) or summary (no history, no vendor view)",
            "facets": "1: also count every fax by vendor, tenant, direction and status",
        },
        response=listing("faxes", "Fax", total={"type": "integer"}, facets={"type": "object"}),
    ),
    "get_fax": Doc("One fax by any of its ids", response="Fax"),
    "cancel_fax": Doc("Cancel a fax that has not ended", response="Fax"),
    "fax_page_png": Doc(
        "Page n (from 1) of the fax as printed: 1728 pixels across, bilevel; size=thumb: 216 across",
        query={"size": "full (default) or thumb"},
        media=("image/png",),
    ),
    "fax_document": Doc(
        "The fax as printed: a multi-page G4 TIFF (204 x 196 dpi), or a PDF of the same bitmaps",
        media=("image/tiff", "application/pdf"),
    ),
    "inbound": Doc(
        "Make a fax arrive through a vendor",
        body={
            "type": "object",
            "properties": {
                "vendor": {"type": "string"},
                "to": {"type": "string"},
                "from": {"type": "string"},
                "tenant": {"type": "string"},
                "pages": {"type": "integer"},
                "document_base64": {"type": "string"},
                "filename": {"type": "string"},
                "options": {"type": "object"},
            },
            "required": ["vendor", "to", "from"],
        },
        response="Fax",
        status=201,
    ),
    "get_scenario": Doc(
        "The scenario in force (globally, or for one tenant)", query=_SCENARIO_PLACE, response="Scenario"
    ),
    "post_scenario": Doc(
        "Put a scenario (YAML or JSON body) in force",
        query=_SCENARIO_PLACE,
        body={"type": "string", "description": "the scenario, YAML or JSON"},
        response="Scenario",
    ),
    "delete_scenario": Doc(
        "Take scenarios out of force (without a query: all of them)", query=_SCENARIO_PLACE, response="Scenario"
    ),
    "events": Doc(
        "Server-sent events of what happens: faxes, webhooks, requests, violations, scenarios, clock, resets",
        query={
            "vendor": "only this vendor's events (and those about the whole emulator)",
            "tenant": "only this tenant's events (and those about the whole emulator)",
            "fax_id": "only this fax's events (and those about the whole emulator)",
            "type": f"comma-separated event types: {', '.join(TYPES[:-1])}",
        },
        stream=True,
        extra={
            "x-events": {name: {"$ref": f"#/components/schemas/Event_{name}"} for name in TYPES},
            "description": "Each message has `id:` (a number that only grows), `event:` (the type) and one "
            "`data:` line of JSON (the schema Event_<type>). A slow client's queue keeps the "
            "latest state of each fax, or is replaced by a `dropped` event. A client that "
            "reconnects with Last-Event-ID gets `dropped` first if it may have missed events.",
        },
    ),
    "requests": Doc(
        "The request journal (vendor requests), oldest first",
        query=_FILTER,
        response=listing("requests", "Request", dropped={"type": "integer"}, capacity={"type": "integer"}),
    ),
    "get_request": Doc(
        "One journal entry with its headers and bodies, and its answer's",
        response={
            "allOf": [
                {"$ref": "#/components/schemas/Request"},
                {"type": "object", "properties": {"request": {"type": "object"}, "response": {"type": "object"}}},
            ]
        },
    ),
    "webhooks": Doc(
        "The webhook delivery log, every attempt, and every delivery still pending",
        query={
            **_FILTER,
            "event": "only this webhook event",
            "fax_id": "only this fax's",
            "state": "only those pending, delivered, failed, dropped or refused",
        },
        response=listing(
            "deliveries",
            "Delivery",
            **{
                name: {"type": "integer"}
                for name in ("pending", "max_pending", "in_flight", "refused", "logged", "capacity")
            },
        ),
    ),
    "redeliver_webhook": Doc(
        "Send a logged webhook again now, as a new delivery (redelivery_of)", response="Delivery", status=201
    ),
    "violations": Doc(
        "Contract violations, oldest first",
        query={
            **_FILTER,
            "since": "only those numbered above this",
            "severity": "error or warning",
            "kind": "request, response or webhook",
            "operation": "only this operation's",
        },
        response=listing(
            "violations",
            "Violation",
            total={"type": "integer"},
            last_seq={"type": "integer"},
            strict={"type": "boolean"},
        ),
    ),
    "coverage": Doc(
        "What happened since start or reset against everything the vendors can do (operations, statuses, "
        "transitions, outcomes, webhooks, deliveries, inbound faxes, answers, scenario rules)",
        query={"vendor": "only this vendor", "tenant": "only this tenant's"},
        response={
            "type": "object",
            "required": ["covered", "total", "percent", "vendors"],
            "properties": {
                "covered": {"type": "integer"},
                "total": {"type": "integer"},
                "percent": {"type": "number"},
                "tenant": {"type": ["string", "null"]},
                "counted": {"type": "array", "items": {"type": "string"}},
                "vendors": {"type": "array", "items": {"type": "object"}},
            },
        },
    ),
    "clear_violations": Doc("Forget the recorded violations", response={"type": "object"}),
    "control_openapi": Doc("This document", response={"type": "object"}),
    "openapi": Doc("A vendor's OpenAPI document, assembled from its schemas", response={"type": "object"}),
    "emails": Doc(
        "E-mails the vendors would have sent (never sent)",
        query={**_FILTER, "fax_id": "only this fax's", "kind": "only this kind"},
        response={"type": "object"},
    ),
    "get_accounts": Doc("A vendor's declared accounts", response={"type": "object"}),
    "put_accounts": Doc(
        "Replace a vendor's declared accounts ([] accepts any credential)",
        body={"type": "object", "properties": {"accounts": _LIST}, "required": ["accounts"]},
        response={"type": "object"},
    ),
    "get_options": Doc("A vendor's options", response={"type": "object"}),
    "patch_options": Doc("Change some of a vendor's options", body={"type": "object"}, response={"type": "object"}),
}
