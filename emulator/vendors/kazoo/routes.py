"""Kazoo Crossbar's fax surface, mounted at /v2 (kazoo.md §2, §6.1, §7.2, §10.3).

The faxes routes exist twice: account-wide and under ``/faxboxes/{faxbox_id}``, where
Crossbar's noun chaining lets the faxes module see the faxbox (§7.2). Any other method on
these paths gets 405, any other path 404, both in Kazoo's envelope.
"""

from emulator.core.vendor import Handlers, Route

# imported when a request first reaches one of their routes (core.vendor.Handlers)
auth = Handlers("emulator.vendors.kazoo.handlers.auth")
faxboxes = Handlers("emulator.vendors.kazoo.handlers.faxboxes")
faxes = Handlers("emulator.vendors.kazoo.handlers.faxes")
webhooks = Handlers("emulator.vendors.kazoo.handlers.webhooks")

ACCOUNT = "/accounts/{account_id}"
FAXBOX = ACCOUNT + "/faxboxes/{faxbox_id}"
FOLDER = "/faxes/{folder:outbox|inbox}/{fax_id}"


def _faxes(scope: str, suffix: str) -> tuple[Route, ...]:
    return (
        ("PUT", scope + "/faxes", faxes("create"), "create_fax" + suffix),
        ("PUT", scope + "/faxes/outgoing", faxes("create"), "create_outgoing_fax" + suffix),
        ("GET", scope + "/faxes/outgoing", faxes("list_outgoing"), "list_outgoing" + suffix),
        ("GET", scope + "/faxes/outgoing/{fax_id}", faxes("get_outgoing"), "get_outgoing" + suffix),
        ("GET", scope + "/faxes/outbox", faxes("list_outbox"), "list_outbox" + suffix),
        ("GET", scope + "/faxes/inbox", faxes("list_inbox"), "list_inbox" + suffix),
        ("GET", scope + "/faxes/incoming", faxes("list_inbox"), "list_incoming" + suffix),
        ("GET", scope + "/faxes/smtplog", faxes("list_smtplog"), "list_smtplog" + suffix),
        ("GET", scope + FOLDER, faxes("get_fax"), "get_fax" + suffix),
        ("PUT", scope + FOLDER, faxes("act_on_fax"), "act_on_fax" + suffix),
        ("DELETE", scope + FOLDER, faxes("delete_fax"), "delete_fax" + suffix),
        ("GET", scope + FOLDER + "/attachment", faxes("get_attachment"), "get_attachment" + suffix),
        ("DELETE", scope + FOLDER + "/attachment", faxes("delete_attachment"), "delete_attachment" + suffix),
    )


ROUTES: tuple[Route, ...] = (
    ("PUT", "/user_auth", auth("user_auth"), "user_auth"),
    ("PUT", "/api_auth", auth("api_auth"), "api_auth"),
    ("GET", ACCOUNT + "/faxboxes", faxboxes("list_faxboxes"), "list_faxboxes"),
    ("PUT", ACCOUNT + "/faxboxes", faxboxes("create_faxbox"), "create_faxbox"),
    ("GET", FAXBOX, faxboxes("get_faxbox"), "get_faxbox"),
    ("POST", FAXBOX, faxboxes("replace_faxbox"), "replace_faxbox"),
    ("PATCH", FAXBOX, faxboxes("patch_faxbox"), "patch_faxbox"),
    ("DELETE", FAXBOX, faxboxes("delete_faxbox"), "delete_faxbox"),
    *_faxes(ACCOUNT, ""),
    *_faxes(FAXBOX, "_in_faxbox"),
    ("GET", "/webhooks", webhooks("list_available"), "list_available_webhooks"),
    ("GET", ACCOUNT + "/webhooks", webhooks("list_webhooks"), "list_webhooks"),
    ("PUT", ACCOUNT + "/webhooks", webhooks("create_webhook"), "create_webhook"),
    ("GET", ACCOUNT + "/webhooks/{webhook_id}", webhooks("get_webhook"), "get_webhook"),
    ("POST", ACCOUNT + "/webhooks/{webhook_id}", webhooks("replace_webhook"), "replace_webhook"),
    ("PATCH", ACCOUNT + "/webhooks/{webhook_id}", webhooks("patch_webhook"), "patch_webhook"),
    ("DELETE", ACCOUNT + "/webhooks/{webhook_id}", webhooks("delete_webhook"), "delete_webhook"),
)
