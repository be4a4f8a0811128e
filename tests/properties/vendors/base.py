"""What the property tests need from each vendor: a ``Driver`` that speaks its HTTP API.

A driver is one tenant of one vendor on a running ``FaxEmulator``. It logs in the way the
vendor's clients do, fills credentials and known ids into generated requests (for
Schemathesis), and sends, cancels and reads faxes (for the status-machine tests). Each
vendor's driver lives beside this module; ``DRIVERS`` in ``__init__`` lists them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

import requests

from emulator.core.lifecycle import Machine
from emulator.testing import ControlError, FaxEmulator
from emulator.testing.records import FaxRecord
from emulator.vendors import VENDORS

#: README "Magic destination numbers": the last seven digits that force an outcome
MAGIC = tuple(f"55500{n:02d}" for n in range(1, 13))
#: last seven digits of destinations that simply succeed
ORDINARY = ("5550100", "5559876", "5550000", "5550013")

#: (event, url) -> how many deliveries
Hooks = Counter[tuple[str, str]]


class Driver:
    """One tenant of one vendor, over HTTP. Subclasses fill in the vendor's side."""

    name: ClassVar[str]

    def __init__(self, emulator: FaxEmulator, label: str) -> None:
        self.emulator = emulator
        self.label = label
        self.base = emulator.base_url(self.name)
        self.http = requests.Session()
        self.http.trust_env = False  # the emulator is always reached directly, never through a proxy
        self.login()

    @property
    def machine(self) -> Machine:
        return next(v.machine for v in VENDORS if v.name == self.name)

    @property
    def tenant(self) -> str:
        """The tenant id the emulator files this driver's faxes under."""
        raise NotImplementedError

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=30, **kwargs)

    def close(self) -> None:
        self.http.close()

    # -- logging in and fuzzing ---------------------------------------------------------
    def login(self) -> None:
        """Get whatever credential the vendor's clients get before their first call."""

    def authorise(self, case: Any) -> None:
        """Put this tenant's credentials into a generated Schemathesis case."""
        raise NotImplementedError

    def seed(self) -> dict[str, list[Any]]:
        """Make some data (faxes in several states...); parameter or body field name -> good values."""
        return {}

    def fillable(self, case: Any) -> list[Any]:
        """Where ``seed``'s good values may replace generated ones: parameters and the body's fields."""
        return [case.path_parameters, case.query, case.body]

    def is_documented_500(self, status: int, body: bytes) -> bool:
        """An answer with a 5xx status that the real vendor sends too, with its documented body."""
        return False

    # -- the status machine -----------------------------------------------------------------
    def destination(self, suffix: str) -> str:
        """A destination in the vendor's number format, ending in ``suffix`` (seven digits)."""
        raise NotImplementedError

    def own_number(self) -> str:
        """A number an inbound fax to this tenant can be addressed to."""
        return self.destination("5550199")

    def subscribe(self, url: str) -> None:
        """Register the vendor's webhooks (if it has any) with targets under ``url``."""

    def send(self, number: str, retries: int) -> str:
        """Send a one-page fax to ``number`` (with ``retries`` where the vendor takes it); its core id."""
        raise NotImplementedError

    def cancel(self, fax: FaxRecord) -> bool:
        """Cancel through the vendor API, or the control API where the vendor has no cancel; accepted?"""
        try:
            self.emulator.client.cancel(fax.id)
        except ControlError as exc:  # 409: the fax has ended, or the vendor has no cancelled state
            if exc.status != 409:
                raise
            return False
        return True

    def shown(self, fax: FaxRecord) -> str | None:
        """The status the vendor API shows for ``fax`` now; None if the API no longer shows it."""
        raise NotImplementedError

    def expected_shown(self, fax: FaxRecord) -> str | None:
        """What ``shown`` must be, given the control API's record."""
        return fax.status

    def expected_hooks(self, fax: FaxRecord) -> Hooks:
        """The webhooks a fax in this state has caused, as the vendor would send them."""
        return Counter()
