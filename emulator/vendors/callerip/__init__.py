"""CallerIP (Caller IP Inc. / Rinble / FaxHound) fax API, per shared/vendors/callerip.md."""

from emulator.core.vendor import Vendor
from emulator.vendors.callerip import lifecycle, routes, serialise

VENDOR = Vendor(
    name="callerip",
    title="CallerIP",
    prefix="/api/fax",
    build=routes.build_app,
    machine=lifecycle.MACHINE,
    view=serialise.view,
    operations=tuple(name for *_, name in routes.ROUTES),
)
