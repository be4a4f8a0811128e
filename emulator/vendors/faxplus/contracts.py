"""FAX.PLUS operation contracts: which schemas (schemas/faxplus/) each operation uses (faxplus.md §3, §5)."""

from typing import Any

from emulator.core.contracts import Contract

_ERRORS: dict[int | str, str | None] = {"default": "error"}


def _json(summary: str, section: str, ok: str | None, *, status: int = 200, **more: Any) -> Contract:
    """An operation answering JSON ``ok`` (None: no body) with ``status``, and the §8 error body otherwise."""
    return Contract(summary=summary, source=f"faxplus.md {section}", responses={status: ok, **_ERRORS}, **more)


def _download(summary: str, section: str, media: str, **more: Any) -> Contract:
    return Contract(
        summary=summary, source=f"faxplus.md {section}", responses={200: None, **_ERRORS}, response_type=media, **more
    )


CONTRACTS = {
    "upload_file": _json(
        "Upload a file",
        "§3.1, §10",
        "file_path",
        query="file_query",
        request="upload_request",
        request_type="multipart/form-data",
    ),
    "get_file": _download("Download a fax's document", "§3.1, §10", "application/pdf", query="file_query"),
    "get_fax_report": _download("Confirmation report", "§3.1", "application/pdf"),
    "get_fax_thumbnail": _download("Thumbnail of page 1", "§3.1", "image/png"),
    "send_fax": _json("Send a fax", "§3.2, §5.2", "send_fax_response", status=201, request="payload_outbox"),
    "list_outbox_faxes": _json("List the outbox", "§3.2", "outbox_list"),
    "get_outbox_fax": _json("Get an outbox fax", "§3.2", "outbox"),
    "update_outbox_fax": _json("Update an outbox fax", "§3.2", None, status=204, request="payload_outbox_modification"),
    "delete_outbox_fax": _json("Cancel an outbox fax", "§3.2", None, status=204),
    "list_faxes": _json("List fax records", "§3.3", "fax_list", query="fax_list_query"),
    "get_fax": _json("Get a fax record", "§3.3", "fax"),
    "update_fax": _json("Update a fax record", "§3.3", None, status=204, request="payload_fax_modification"),
    "delete_fax": _json("Delete a fax record", "§3.3", None, status=204),
    "create_webhook": _json("Create a webhook", "§3.4, §7", "webhook_id", status=201, request="webhook"),
    "get_webhooks": _json("List webhooks of an event", "§3.4, §7", "webhook_list", query="hooks_query"),
    "delete_webhook": _json("Delete a webhook", "§3.4", None, status=204),
    "get_accounts": _json("List accounts", "§3.5", "account_list"),
    "get_member_details": _json("Get a member's details", "§3.5", "member_detail"),
    "update_member_details": _json("Update a member's details", "§3.5", None, status=204, request="member_detail"),
    "get_user": _json("Get an account", "§3.5", "user"),
    "update_user": _json("Update an account", "§3.5", None, status=204, request="payload_account_modification"),
    "list_numbers": _json("List numbers", "§3.6", "number_list"),
    "get_number": _json("Get a number", "§3.6", "number"),
    "update_number": _json("Update a number", "§3.6", None, status=204, request="payload_number_modification"),
    "revoke_number": _json("Revoke a number", "§3.6", None, status=204),
    "get_balance": _json("Account balance", "§3.7", "balance"),
    "list_countries": _json("Countries with numbers for sale", "§3.7", "numbers_available_countries"),
    "list_areas": _json("Areas of a country", "§3.7", "number_area_list"),
    "list_shop_numbers": _json(
        "Numbers for sale in an area", "§3.7", "available_number_list", query="shop_numbers_query"
    ),
    "purchase_number": _json("Buy a number", "§3.7", "purchased_number", request="purchase_number_request"),
}

SECURITY = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "a personal access token or OAuth access token (faxplus.md §1)",
    }
}
