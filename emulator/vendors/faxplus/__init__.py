"""FAX.PLUS (Alohi) REST API v3, per shared/vendors/faxplus.md; the official SDK works unchanged."""

from emulator.core.vendor import Vendor
from emulator.core.webhooks import check_retry_options
from emulator.vendors.faxplus import (
    accounts,
    auth,
    contracts,
    errors,
    files,
    inbound,
    lifecycle,
    notify,
    records,
    routes,
    serialise,
    state,
)

VENDOR = Vendor(
    name="faxplus",
    title="FAX.PLUS",
    prefix="/v3",
    routes=routes.ROUTES,
    render_error=errors.render,
    machine=lifecycle.MACHINE,
    record=state.FaxState,
    authenticate=auth.authenticate,
    on_transition=records.on_transition,
    receive=inbound.receive,
    view=serialise.view,
    terminal=files.terminal,
    check_accounts=auth.check_accounts,
    contracts=contracts.CONTRACTS,
    check_options=check_retry_options,
    owns=accounts.owns,
    security=contracts.SECURITY,
    webhook_events=notify.EVENTS,
    error_statuses=(400, 401, 403, 404, 413, 429),  # fidelity.md: the errors it documents
)
