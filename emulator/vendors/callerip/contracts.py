"""CallerIP operation contracts: which schemas (schemas/callerip/) each operation uses."""

from emulator.core.contracts import Contract

CONTRACTS = {
    "send_fax": Contract(
        summary="Send a fax",
        source="callerip.md §4.1",
        request="send_request",
        request_type="multipart/form-data",
        responses={200: "send_response", "default": "error"},
    ),
    "fax_status": Contract(
        summary="Status of a fax",
        source="callerip.md §4.2",
        query="status_query",
        responses={200: "status_response", "default": "error"},
    ),
}

#: the token travels as a form field (send) or query parameter (status), not a header (§3)
SECURITY = {
    "token": {
        "type": "apiKey",
        "in": "query",
        "name": "token",
        "description": "fax token; a form field on send, a query parameter on status",
    }
}
