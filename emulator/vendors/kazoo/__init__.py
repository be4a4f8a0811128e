"""2600Hz Kazoo Crossbar fax APIs (faxboxes, faxes, webhooks), per shared/vendors/kazoo.md."""

from emulator.core.vendor import Vendor
from emulator.core.webhooks import check_retry_options
from emulator.vendors.kazoo import (
    accounts,
    auth,
    contracts,
    envelope,
    errors,
    inbound,
    jobs,
    lifecycle,
    notify,
    routes,
    serialise,
    state,
)

VENDOR = Vendor(
    name="kazoo",
    title="2600Hz Kazoo",
    prefix="/v2",
    routes=routes.ROUTES,
    render_error=errors.render,
    machine=lifecycle.MACHINE,
    record=state.FaxState,
    authenticate=auth.authenticate,
    on_transition=jobs.on_transition,
    pre_dial=jobs.pre_dial,
    receive=inbound.receive,
    verb_of=envelope.verb_of,
    view=serialise.view,
    terminal=jobs.terminal,
    check_accounts=accounts.check_accounts,
    contracts=contracts.CONTRACTS,
    check_options=check_retry_options,
    owns=auth.owns,
    security=contracts.SECURITY,
    webhook_events=notify.EVENTS,
    error_statuses=(400, 401, 403, 404, 405, 409, 413, 415, 429, 500),  # fidelity.md: the errors it documents
)
