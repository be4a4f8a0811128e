"""Who each credential is, remembered for the vendors' auth.

A client sends the same credential with every request, and resolving it (parsing it,
checking the declared accounts, finding the tenant, the user) costs a hot read more than
anything else the vendor does. ``Callers`` remembers what a vendor resolved a credential
to, and gives it back only while it still holds: while the tenant it names is still the
store's (a reset drops it) and the vendor's declared accounts are the ones it was resolved
against (declaring, or a scenario's accounts, replaces them). So a remembered caller can
never outlive the state it came from, and nothing needs to remember to forget it.
"""

from __future__ import annotations

from typing import Any

from emulator.core.store import Store, Tenant

#: credentials remembered, over all vendors; the memory is emptied when it is full
SIZE = 4096


class Callers:
    def __init__(self, store: Store, accounts: dict[str, list[dict[str, Any]]]) -> None:
        self._tenants = store.tenants
        self._accounts = accounts
        self._known: dict[tuple[str, str], tuple[Any, Tenant, Any]] = {}

    def get(self, vendor: str, credential: str) -> tuple[Any, Tenant, Any] | None:
        """``(_, tenant, value)`` as remembered for ``credential``, if it still holds."""
        found = self._known.get((vendor, credential))
        if found is None or found[0] is not self._accounts.get(vendor) \
                or self._tenants.get((vendor, found[1].id)) is not found[1]:
            return None
        return found

    def remember(self, vendor: str, credential: str, tenant: Tenant, value: Any) -> None:
        """``credential`` is ``tenant``'s, and the vendor's ``value`` (an identity, a session)."""
        if len(self._known) >= SIZE:
            self._known.clear()
        self._known[(vendor, credential)] = (self._accounts.get(vendor), tenant, value)
