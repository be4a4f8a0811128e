"""CallerIP (Caller IP Inc. / Rinble / FaxHound) fax API, per shared/vendors/callerip.md."""

from emulator.core.vendor import Vendor
from emulator.vendors.callerip import auth, contracts, errors, lifecycle, routes, serialise, state

VENDOR = Vendor(
    name="callerip",
    title="CallerIP",
    prefix="/api/fax",
    routes=routes.ROUTES,
    render_error=errors.render,
    authenticate=auth.authenticate,
    read_first={auth.SEND: auth.read_send_form},  # its token is a field of the send's form
    machine=lifecycle.MACHINE,
    record=state.FaxState,
    view=serialise.view,
    terminal=serialise.terminal,
    contracts=contracts.CONTRACTS,
    security=contracts.SECURITY,
    check_accounts=auth.check_accounts,
    error_statuses=(400, 401, 404, 405, 413),  # fidelity.md: the errors it documents
)
