"""FAX.PLUS REST v3, the whole HTTP surface, mounted at /v3 (faxplus.md §3, in its order).

Literal segments come before ``{…}`` ones where both could match.
"""

from emulator.core.vendor import Handlers

# imported when a request first reaches one of their routes (core.vendor.Handlers)
a = Handlers("emulator.vendors.faxplus.account_handlers")
h = Handlers("emulator.vendors.faxplus.handlers")

ROUTES = (
    # files (§3.1)
    ("POST", "/accounts/{user_id}/files", h("upload_file"), "upload_file"),
    ("GET", "/accounts/{user_id}/files/{fax_id}", h("get_file"), "get_file"),
    ("GET", "/accounts/{user_id}/report/{fax_id}", h("get_fax_report"), "get_fax_report"),
    ("GET", "/accounts/{user_id}/thumbnail/{fax_id}", h("get_fax_thumbnail"), "get_fax_thumbnail"),
    # outbox (§3.2)
    ("POST", "/accounts/{user_id}/outbox", h("send_fax"), "send_fax"),
    ("GET", "/accounts/{user_id}/outbox", h("list_outbox_faxes"), "list_outbox_faxes"),
    ("GET", "/accounts/{user_id}/outbox/{outbox_fax_id}", h("get_outbox_fax"), "get_outbox_fax"),
    ("PUT", "/accounts/{user_id}/outbox/{outbox_fax_id}", h("update_outbox_fax"), "update_outbox_fax"),
    ("DELETE", "/accounts/{user_id}/outbox/{outbox_fax_id}", h("delete_outbox_fax"), "delete_outbox_fax"),
    # faxes (§3.3)
    ("GET", "/accounts/{user_id}/faxes", h("list_faxes"), "list_faxes"),
    ("GET", "/accounts/{user_id}/faxes/{fax_id}", h("get_fax"), "get_fax"),
    ("PUT", "/accounts/{user_id}/faxes/{fax_id}", h("update_fax"), "update_fax"),
    ("DELETE", "/accounts/{user_id}/faxes/{fax_id}", h("delete_fax"), "delete_fax"),
    # webhooks (§3.4)
    ("POST", "/hooks", h("create_webhook"), "create_webhook"),
    ("GET", "/hooks", h("get_webhooks"), "get_webhooks"),
    ("DELETE", "/hooks/{hook_id}", h("delete_webhook"), "delete_webhook"),
    # accounts (§3.5)
    ("GET", "/accounts", a("get_accounts"), "get_accounts"),
    ("GET", "/accounts/self/member-details/{member_user_id}", a("get_member_details"), "get_member_details"),
    ("PUT", "/accounts/self/member-details/{member_user_id}", a("update_member_details"), "update_member_details"),
    ("GET", "/accounts/{user_id}", a("get_user"), "get_user"),
    ("PUT", "/accounts/{user_id}", a("update_user"), "update_user"),
    # numbers (§3.6)
    ("GET", "/accounts/{user_id}/numbers", a("list_numbers"), "list_numbers"),
    ("GET", "/accounts/{user_id}/numbers/{number}", a("get_number"), "get_number"),
    ("PUT", "/accounts/{user_id}/numbers/{number}", a("update_number"), "update_number"),
    ("DELETE", "/accounts/{user_id}/numbers/{number}", a("revoke_number"), "revoke_number"),
    # shop (§3.7)
    ("GET", "/shop/balance", a("get_balance"), "get_balance"),
    ("GET", "/shop/numbers/countries", a("list_countries"), "list_countries"),
    ("GET", "/shop/numbers/countries/{country_code}/areas", a("list_areas"), "list_areas"),
    (
        "GET",
        "/shop/numbers/countries/{country_code}/areas/{calling_code}/numbers",
        a("list_shop_numbers"),
        "list_shop_numbers",
    ),
    ("POST", "/shop/numbers/purchase", a("purchase_number"), "purchase_number"),
)
