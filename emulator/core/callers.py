"""Who each credential is, remembered for the vendors' auth.

A client sends the same credential with every request, and resolving it (parsing it,
checking the declared accounts, finding the tenant, the user) costs a hot read more than
anything else the vendor does. ``Callers`` remembers what a vendor resolved a credential
to, and gives it back only while it still holds: while the tenant it names is still the
store's (a reset drops it) and the vendor's declared accounts are the ones it was resolved
against (declaring, or a scenario's accounts, replaces them). So a remembered caller can
never be given back once the state it came from is gone. It is still held, and with it its
tenant and every fax the tenant had: so a reset also empties the memory (``forget``), as
the store's forgetting of idle tenants does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from emulator.core.store import Store, Tenant

#: what a vendor's auth resolves a credential to: the tenant, and its own value (a user...)
Caller = tuple[Tenant, Any]

#: credentials remembered, over all vendors; the memory is emptied when it is full
SIZE = 4096

#: what a vendor's resolve step is handed: its services (``core.services.Services``)
S = TypeVar("S")
#: what it resolves a credential to: its own ``Caller`` (a tuple whose first item is the tenant), or None
C = TypeVar("C", bound=tuple[Any, ...] | None)


class Callers:
    """Who each credential is (see the module docstring)."""

    def __init__(self, store: Store, accounts: dict[str, list[dict[str, Any]]]) -> None:
        self._tenants = store.tenants
        self._accounts = accounts
        #: (vendor, credential) -> (the declared accounts it was resolved against, the caller,
        #: its tenant's key in the store)
        self._known: dict[tuple[str, str], tuple[Any, Any, tuple[str, str]]] = {}
        store.forgot.append(lambda _: self.forget())  # a forgotten tenant is not held here

    def forget(self) -> None:
        """Remember no one (a reset: a remembered caller holds its tenant, and the tenant every
        fax it had, though the store has let them go)."""
        self._known.clear()

    def who(self, vendor: str, credential: str, resolve: Callable[[S, str], C], services: S) -> C:
        """The caller ``credential`` names: as remembered while that still holds, else
        ``resolve(services, credential)`` (which may raise the vendor's refusal), remembered
        unless None."""
        found = self._known.get((vendor, credential))
        if found is not None and found[0] is self._accounts.get(vendor):
            remembered: C = found[1]
            if self._tenants.get(found[2]) is remembered[0]:  # type: ignore[index]  # (never None: see below)
                return remembered
        caller = resolve(services, credential)
        if caller is not None:
            if len(self._known) >= SIZE:
                self._known.clear()
            self._known[(vendor, credential)] = (self._accounts.get(vendor), caller, (vendor, caller[0].id))
        return caller
