"""Imagicle operation contracts: which schemas (schemas/imagicle/) each operation uses."""

from emulator.core.contracts import Contract

#: the submit_status option picks one
_SUBMITTED: dict[int | str, str | None] = {status: "submit-response" for status in (200, 201, 202)}

CONTRACTS = {
    "submit_fax": Contract(
        summary="Submit Fax",
        source="imagicle.md §5",
        request="submit-request",
        request_type="multipart/form-data",
        responses={**_SUBMITTED, "default": "error"},
    ),
    "get_outbound_list": Contract(
        summary="Get Outbound Faxes List",
        source="imagicle.md §7",
        query="list-query",
        responses={200: "outbound-list", "default": "error"},
    ),
    "get_outbound_fax": Contract(
        summary="Get Outbound Fax Details",
        source="imagicle.md §6",
        responses={200: "outbound-detail", "default": "error"},
    ),
    "download_outbound_document": Contract(
        summary="Download an outbound fax document (guessed path, D12)",
        source="imagicle.md §4, D12",
        responses={200: None, "default": "error"},
        response_type="application/pdf",
    ),
    "get_inbound_list": Contract(
        summary="Get Inbound Faxes List",
        source="imagicle.md §8",
        query="list-query",
        responses={200: "inbound-list", "default": "error"},
    ),
    "get_inbound_fax": Contract(
        summary="Get Inbound Fax Details",
        source="imagicle.md §9",
        responses={200: "inbound-detail", "default": "error"},
    ),
    "download_inbound_document": Contract(
        summary="Download an inbound fax document (guessed path, D12)",
        source="imagicle.md §4, D12",
        responses={200: None, "default": "error"},
        response_type="application/pdf",
    ),
}

SECURITY = {"basic": {"type": "http", "scheme": "basic", "description": "an Imagicle user (imagicle.md §3)"}}
