"""Kazoo operation contracts: which schemas (schemas/kazoo/) each Crossbar operation uses.

Requests are Crossbar envelopes around Kazoo's own draft-04 schemas (kazoo.md §1); every
success is the envelope of §3 (201 for a PUT), every failure the error envelope of §4.
The ``_in_faxbox`` operations are the faxes operations under ``/faxboxes/{faxbox_id}``
(§7.2): they take and give the same shapes (but for the fields a faxbox fills in a new
job), so their contracts are derived, not copied.
"""

from dataclasses import replace

from emulator.core.contracts import Contract

_ERROR: dict[int | str, str | None] = {"default": "error"}


def _no_body(summary: str, source: str, schema: str, query: str = "query") -> Contract:
    return Contract(summary=summary, source=source, query=query, responses={200: schema, **_ERROR})


def _with_body(summary: str, source: str, request: str, schema: str, status: int = 200) -> Contract:
    return Contract(
        summary=summary, source=source, query="query", request=request, responses={status: schema, **_ERROR}
    )


def _create_job(summary: str) -> Contract:
    # the JSON envelope, or the application/json part of a multipart/mixed body (the handler
    # keeps that envelope as the parsed body, so both are checked)
    return Contract(
        summary=summary,
        source="kazoo.md §7.4",
        query="query",
        request="fax-job-request",
        request_type="multipart/mixed",
        responses={201: "fax-job-response", **_ERROR},
    )


_FAXES = {
    "create_fax": _create_job("Send a fax (create an outbound job)"),
    "create_outgoing_fax": _create_job("Send a fax (alias of PUT /faxes)"),
    "list_outgoing": _no_body(
        "List queued and in-flight jobs", "kazoo.md §7.5", "outgoing-list-response", "list-query"
    ),
    "get_outgoing": _no_body("One queued or in-flight job, with its live status", "kazoo.md §7.6", "outgoing-response"),
    "list_outbox": _no_body("List finished outbound faxes", "kazoo.md §7.5", "folder-list-response", "modb-list-query"),
    "list_inbox": _no_body("List received faxes", "kazoo.md §7.5", "folder-list-response", "modb-list-query"),
    "list_incoming": _no_body(
        "List received faxes (alias of the inbox)", "kazoo.md §7.2, §13.9", "folder-list-response", "modb-list-query"
    ),
    "list_smtplog": _no_body("List email-to-fax attempts", "kazoo.md §7.5", "smtplog-list-response", "modb-list-query"),
    "get_fax": _no_body("One outbox or inbox fax", "kazoo.md §7.6", "folder-response"),
    "act_on_fax": _with_body(
        "Resubmit an outbox fax or forward an inbox one",
        "kazoo.md §7.8",
        "fax-action-request",
        "fax-action-response",
        201,
    ),
    "delete_fax": _no_body("Delete an outbox or inbox fax", "kazoo.md §7.9", "folder-deleted-response"),
    "get_attachment": Contract(
        summary="Download a fax's document (as stored: PDF, or TIFF for a TIFF upload)",
        source="kazoo.md §7.7",
        query="attachment-query",
        responses={200: None, **_ERROR},
        response_type="application/pdf",
    ),
    "delete_attachment": _no_body(
        "Remove a fax's documents, keeping its metadata", "kazoo.md §7.7", "attachment-deleted-response"
    ),
}


def _in_faxbox(contract: Contract) -> Contract:
    """The same operation under ``/faxboxes/{faxbox_id}`` (§7.2): the same shapes, except that
    a new job may leave out the fields the faxbox fills (``from_number``...)."""
    request = "faxbox-job-request" if contract.request == "fax-job-request" else contract.request
    return replace(
        contract,
        summary=f"{contract.summary}, within a faxbox",
        request=request,
        source=f"{contract.source}; faxbox-scoped, kazoo.md §7.2",
    )


CONTRACTS = {
    "user_auth": Contract(
        summary="Log in with user credentials",
        source="kazoo.md §2",
        query="query",
        request="user-auth-request",
        responses={201: "auth-response", **_ERROR},
        auth=False,
    ),
    "api_auth": Contract(
        summary="Log in with an account API key",
        source="kazoo.md §2",
        query="query",
        request="api-auth-request",
        responses={201: "auth-response", **_ERROR},
        auth=False,
    ),
    "list_faxboxes": _no_body("List faxboxes", "kazoo.md §6.1, §6.4", "faxbox-list-response", "list-query"),
    "create_faxbox": _with_body("Create a faxbox", "kazoo.md §6.1-§6.3", "faxbox-request", "faxbox-response", 201),
    "get_faxbox": _no_body("One faxbox", "kazoo.md §6.1, §6.3", "faxbox-response"),
    "replace_faxbox": _with_body("Replace a faxbox", "kazoo.md §6.1, §6.3", "faxbox-request", "faxbox-response"),
    # 4.3 validates a faxbox patch as a whole faxbox (cb_faxboxes validate_patch): the create schema
    "patch_faxbox": _with_body(
        "Update some fields of a faxbox", "kazoo.md §6.1, §6.3; cb_faxboxes.erl", "faxbox-request", "faxbox-response"
    ),
    "delete_faxbox": _no_body("Delete a faxbox", "kazoo.md §6.1, §6.3", "faxbox-deleted-response"),
    **_FAXES,
    **{f"{name}_in_faxbox": _in_faxbox(contract) for name, contract in _FAXES.items()},
    "list_available_webhooks": _no_body(
        "List the webhooks the system offers", "Crossbar webhooks.md 'Fetch'", "available-webhooks-response"
    ),
    "list_webhooks": _no_body("List webhooks", "kazoo.md §10.3, §5", "webhook-list-response", "list-query"),
    "create_webhook": _with_body("Create a webhook", "kazoo.md §10.3", "webhook-request", "webhook-response", 201),
    "get_webhook": _no_body("One webhook", "kazoo.md §10.3", "webhook-response"),
    "replace_webhook": _with_body("Replace a webhook", "kazoo.md §10.3", "webhook-request", "webhook-response"),
    "patch_webhook": _with_body(
        "Update some fields of a webhook", "kazoo.md §10.3", "webhook-patch-request", "webhook-response"
    ),
    "delete_webhook": _no_body("Delete a webhook", "kazoo.md §10.3", "webhook-deleted-response"),
}

#: the token from user_auth / api_auth; also accepted as ``Authorization: Bearer`` or ``?auth_token=`` (§2)
SECURITY = {
    "authToken": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Auth-Token",
        "description": "the auth_token of a PUT /v2/user_auth or /v2/api_auth response (kazoo.md §2)",
    }
}
