"""Imagicle Digital Fax (StoneFax) Product Integration API, per shared/vendors/imagicle.md."""

from emulator.core.vendor import Vendor
from emulator.vendors.imagicle import (
    auth,
    contracts,
    download,
    errors,
    inbound,
    lifecycle,
    notify,
    options,
    routes,
    serialise,
    state,
)

VENDOR = Vendor(
    name="imagicle",
    title="Imagicle StoneFax",
    prefix="/fw/Apps/StoneFax/WebAPI",
    routes=routes.ROUTES,
    case_insensitive_paths=True,  # IIS (imagicle.md §2)
    render_error=errors.render,
    authenticate=auth.authenticate,
    machine=lifecycle.MACHINE,
    record=state.FaxState,
    on_transition=notify.on_transition,
    receive=inbound.receive,
    view=serialise.view,
    terminal=download.terminal,
    check_accounts=auth.check_accounts,
    check_options=options.check,
    contracts=contracts.CONTRACTS,
    security=contracts.SECURITY,
    error_statuses=(400, 401, 403, 404, 413),  # fidelity.md: the errors it documents
)
