"""Every vendor's status machine, driven by random programs through the vendor's HTTP API.

See ``lifecycle`` for the rules and the invariants checked after every step; each vendor's
driver (``vendors/``) knows how its API sends, cancels and shows a fax, and which webhooks an
ended fax causes (FAX.PLUS: ``fax_sent`` to each ``fax_sent`` hook; Kazoo: one notification
per finished job to each matching ``notifications`` webhook; CallerIP and Imagicle: none).
"""

from __future__ import annotations

import pytest
from hypothesis.stateful import run_state_machine_as_test

from emulator.testing import FaxEmulator
from tests.properties import budget
from tests.properties.conftest import own_violations
from tests.properties.lifecycle import Lifecycle
from tests.properties.vendors import DRIVERS


@pytest.mark.parametrize("vendor", sorted(DRIVERS))
def test_random_programs_keep_the_vendor_machine(emulator: FaxEmulator, vendor: str) -> None:
    receiver = emulator.receiver()
    baseline = emulator.client.last_violation()
    machine = type(
        f"{vendor.title()}Lifecycle",
        (Lifecycle,),
        {"emulator": emulator, "driver_type": DRIVERS[vendor], "hooks_url": receiver.url},
    )
    run_state_machine_as_test(machine, settings=budget.stateful_settings())
    assert own_violations(emulator, since=baseline) == []
