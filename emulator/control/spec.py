"""The control API's own OpenAPI 3.1 document (``GET /_emulator/openapi.json``).

Each route of ``control/routes.py`` is declared with a ``Doc`` in ``control/docs.py`` (both
imported when the document is first asked for, not at start-up); ``build`` assembles the
document from those declarations and the shared schemas below. The event stream's messages
are described as the ``x-events`` of its route and as schemas (``Event_fax``...), since
OpenAPI has no words for server-sent events.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def listing(key: str, item: str, **more: Any) -> dict[str, Any]:
    """An answer ``{key: [item...], **more}`` (``more``: other properties' schemas)."""
    return _object({key: {"type": "array", "items": ref(item)}, **more})


def _object(properties: Mapping[str, Any], **more: Any) -> dict[str, Any]:
    return {"type": "object", "properties": dict(properties), **more}


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


_STR, _NUM, _INT, _BOOL = {"type": "string"}, {"type": "number"}, {"type": "integer"}, {"type": "boolean"}
_ANY_OBJECT = {"type": "object"}

#: the schemas routes and events refer to by name
SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {"error": _object({"code": _STR, "message": _STR, "field": _STR, "detail": {}}, required=["code", "message"])},
        required=["error"],
    ),
    "Clock": _object(
        {"mode": {"enum": ["real", "manual"]}, "speed": _NUM, "now": _NUM, "iso": _STR, "pending_actions": _INT}
    ),
    "Advanced": {
        "allOf": [
            ref("Clock"),
            _object(
                {
                    "actions_run": _INT,
                    "seconds_passed": _NUM,
                    "webhooks_in_flight": {
                        "type": "array",
                        "items": _object({"id": _INT, "url": _STR, "attempt": _INT}),
                        "description": "attempts it stopped waiting for: they finish in the background",
                    },
                }
            ),
        ]
    },
    "Fax": _object(
        {
            "id": _STR,
            "aliases": {"type": "array", "items": _STR},
            "vendor": _STR,
            "tenant": _STR,
            "direction": {"enum": ["outbound", "inbound"]},
            "to": _STR,
            "from": _STR,
            "status": {"type": "string", "description": "the vendor's own status word"},
            "terminal": _BOOL,
            "pages": _INT,
            "pages_sent": _INT,
            "attempts": _INT,
            "max_attempts": _INT,
            "outcome": {"type": ["string", "null"], "description": "the neutral outcome, once ended"},
            "rule": _nullable("string"),
            "created_at": _STR,
            "ended_at": _nullable("string"),
            "history": {"type": "array", "items": _object({"at": _STR, "time": _NUM, "status": _STR})},
            "timeline": {
                "type": "array",
                "items": _object(
                    {
                        "at": _STR,
                        "time": _NUM,
                        "status": _STR,
                        "attempt": _nullable("integer"),
                        "outcome": _nullable("string"),
                        "cause": {},
                        "rule": _nullable("string"),
                    }
                ),
            },
            "attempt_results": {"type": "array", "items": _ANY_OBJECT},
            "documents": {"type": "array", "items": _ANY_OBJECT},
            "documents_expired": {
                "type": "boolean",
                "description": "retention dropped the documents' bytes (--retain-documents-mb): downloads answer 404",
            },
            "vendor_view": {"description": "the fax as the vendor's own API shows it"},
        }
    ),
    "FaxSummary": _object(
        {
            "id": _STR,
            "vendor": _STR,
            "tenant": _STR,
            "direction": {"enum": ["outbound", "inbound"]},
            "to": _STR,
            "from": _STR,
            "status": {"type": "string", "description": "the vendor's own status word"},
            "terminal": _BOOL,
            "outcome": _nullable("string"),
            "pages": _INT,
            "pages_sent": _INT,
            "attempts": _INT,
            "created_at": _STR,
            "ended_at": _nullable("string"),
        },
        description="what GET /_emulator/faxes?view=summary shows of each fax",
    ),
    "Request": _object(
        {
            "seq": _INT,
            "time": _NUM,
            "vendor": _nullable("string"),
            "operation": _nullable("string"),
            "tenant": _nullable("string"),
            "method": _STR,
            "path": _STR,
            "query": _STR,
            "status": _INT,
            "duration_ms": _NUM,
            "rule": _nullable("string"),
            "fault": _nullable("string"),
            "fax_ids": {"type": "array", "items": _STR},
        }
    ),
    "Delivery": _object(
        {
            "id": _INT,
            "vendor": _STR,
            "tenant": _STR,
            "event": _STR,
            "fax_id": _nullable("string"),
            "url": _STR,
            "method": _STR,
            "headers": _ANY_OBJECT,
            "body": _STR,
            "created_at": _NUM,
            "due_at": _NUM,
            "state": {"enum": ["pending", "delivered", "failed", "dropped", "refused"]},
            "rule": _nullable("string"),
            "reason": _nullable("string"),
            "redelivery_of": _nullable("integer"),
            "policy": _ANY_OBJECT,
            "copy_of": _nullable("integer"),
            "attempts": {
                "type": "array",
                "items": _object(
                    {"at": _NUM, "status": _nullable("integer"), "error": _nullable("string"), "duration_ms": _NUM}
                ),
            },
        }
    ),
    "Violation": _object(
        {
            "seq": _INT,
            "vendor": _nullable("string"),
            "operation": _nullable("string"),
            "tenant": _nullable("string"),
            "kind": {"enum": ["request", "response", "webhook"]},
            "severity": {"enum": ["error", "warning"]},
            "location": _STR,
            "rule": _STR,
            "message": _STR,
        },
        additionalProperties=True,
    ),
    "Scenario": _object(
        {"active": _BOOL, "scenario": _nullable("object"), "tenants": {"type": "array", "items": _ANY_OBJECT}}
    ),
    "Email": _ANY_OBJECT,
    # the data of each event type of GET /_emulator/events
    "Event_fax": {
        "allOf": [
            ref("FaxSummary"),
            _object(
                {
                    "version": {
                        "type": "integer",
                        "description": "how many changes the fax has seen (a newer event of it has a higher one)",
                    },
                    "vendor_status": {"type": "string", "description": "the vendor's status word (as status)"},
                    "change": {
                        **_object({"from": _nullable("string"), "to": _STR}),
                        "type": ["object", "null"],
                        "description": "the status entered (from is null when the fax was created); "
                        "null for a change that entered no status (an edit, a new id, its documents expired)",
                    },
                }
            ),
        ],
        "description": "a fax was created, entered a status or changed otherwise; the fax as it is now",
    },
    "Event_webhook": _object(
        {
            "id": {"type": "integer", "description": "the delivery id (GET /_emulator/webhooks)"},
            "fax_id": _nullable("string"),
            "vendor": _STR,
            "tenant": _STR,
            "event": _STR,
            "target": _STR,
            "attempt": {"type": "integer", "description": "attempts made so far (0: lost before any)"},
            "status": _nullable("integer"),
            "error": _nullable("string"),
            "outcome": {
                "enum": ["pending", "delivered", "failed", "dropped", "refused"],
                "description": "pending: a retry is due at next_retry",
            },
            "reason": {"type": ["string", "null"], "description": "why it was not delivered"},
            "next_retry": _nullable("number"),
            "rule": _nullable("string"),
            "copy_of": _nullable("integer"),
            "redelivery_of": _nullable("integer"),
        },
        description="a delivery attempt ended, or the delivery was dropped or refused without one",
    ),
    "Event_request": {"allOf": [ref("Request")], "description": "a request was recorded in the journal"},
    "Event_violation": {"allOf": [ref("Violation")], "description": "a contract violation was recorded"},
    "Event_scenario": {
        "allOf": [ref("Scenario"), _object({"vendor": _nullable("string"), "tenant": _nullable("string")})],
        "description": "a scenario was put in force or taken out, in that place",
    },
    "Event_clock": _object(
        {"mode": _STR, "now": _NUM, "advanced": _NUM, "actions_run": _INT}, description="the manual clock was advanced"
    ),
    "Event_reset": _object(
        {"vendor": _nullable("string"), "tenant": _nullable("string"), "faxes_dropped": _INT},
        description="state was forgotten",
    ),
    "Event_dropped": _object(
        {"lost": _nullable("integer"), "reason": {"enum": ["slow", "reconnected"]}},
        description="this client lost events (lost: how many, when known); re-fetch",
    ),
}


@dataclass(frozen=True)
class Doc:
    """What the OpenAPI document says of one control route."""

    summary: str
    query: Mapping[str, str] = field(default_factory=dict)  # parameter -> description (strings, optional)
    body: Any = None  # the JSON body's schema, or None for no body
    response: Any = None  # the 2xx answer's schema (a name in SCHEMAS, or a schema)
    status: int = 200
    stream: bool = False  # the answer is server-sent events (text/event-stream)
    media: tuple[str, ...] = ()  # the answer is a file of one of these types, not JSON
    extra: Mapping[str, Any] = field(default_factory=dict)  # other operation fields (x-events...)


def _schema(value: Any) -> Any:
    return ref(value) if isinstance(value, str) else value


def _operation(name: str, path: str, doc: Doc) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": p, "in": "path", "required": True, "schema": _STR} for p in _PARAM.findall(path)
    ]
    parameters += [
        {"name": q, "in": "query", "required": False, "description": text, "schema": _STR}
        for q, text in doc.query.items()
    ]
    content_type = "text/event-stream" if doc.stream else "application/json"
    answer: dict[str, Any] = {"description": doc.summary}
    if doc.media:
        answer["content"] = {media: {"schema": {"type": "string", "format": "binary"}} for media in doc.media}
    elif doc.response is not None or doc.stream:
        answer["content"] = {content_type: {"schema": _schema(doc.response) if doc.response else _STR}}
    operation: dict[str, Any] = {
        "operationId": name,
        "summary": doc.summary,
        "parameters": parameters,
        "responses": {
            str(doc.status): answer,
            "4XX": {"description": "refused", "content": {"application/json": {"schema": ref("Error")}}},
        },
        **doc.extra,
    }
    if doc.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _schema(doc.body)}}}
    return operation


def build(
    routes: Iterable[tuple[str, str, Any, str]], docs: Mapping[str, Doc], prefix: str, server_url: str, version: str
) -> dict[str, Any]:
    """The control API's OpenAPI 3.1 document; KeyError names a route without a ``Doc``."""
    paths: dict[str, Any] = {}
    for method, path, _handler, name in routes:
        plain = prefix + _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
        paths.setdefault(plain, {})[method.lower()] = _operation(name, path, docs[name])
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "fax-emulator control API",
            "version": version,
            "description": "The emulator's own API: clock, faxes, logs, scenarios and the event stream.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
