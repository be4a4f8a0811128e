"""core/callers.py: a remembered caller holds only while its tenant and the declared accounts do."""

from __future__ import annotations

from emulator.core import callers as callers_module
from emulator.core.callers import Callers
from emulator.core.store import Store


def make() -> tuple[Callers, Store, dict]:
    store, accounts = Store(), {}
    return Callers(store, accounts), store, accounts


class Resolver:
    """A vendor's resolve step that counts its calls."""

    def __init__(self, caller):
        self.caller, self.calls = caller, 0

    def __call__(self, runtime, credential):
        self.calls += 1
        return self.caller


def test_a_credential_is_resolved_once_and_then_remembered():
    callers, store, _ = make()
    tenant = store.tenant("v", "t1", 0.0)
    resolve = Resolver((tenant, "alice"))
    assert callers.who("v", "token", resolve, None) == (tenant, "alice")
    assert callers.who("v", "token", resolve, None) == (tenant, "alice")
    assert resolve.calls == 1
    assert callers.who("other vendor", "token", resolve, None) == (tenant, "alice") and resolve.calls == 2


def test_a_credential_that_names_no_one_is_not_remembered():
    callers, _, _ = make()
    resolve = Resolver(None)
    assert callers.who("v", "bad", resolve, None) is None and callers.who("v", "bad", resolve, None) is None
    assert resolve.calls == 2


def test_a_reset_of_its_tenant_forgets_it_even_if_the_tenant_is_made_again():
    callers, store, _ = make()
    resolve = Resolver((store.tenant("v", "t1", 0.0), "alice"))
    callers.who("v", "token", resolve, None)
    store.reset("v", "t1")
    remade = store.tenant("v", "t1", 1.0)  # a new account under the same id is not the remembered one
    assert callers.who("v", "token", Resolver((remade, "alice")), None) == (remade, "alice")
    store.reset()
    assert callers.who("v", "token", Resolver(None), None) is None


def test_declared_accounts_replaced_forget_it_and_restored_bring_it_back():
    callers, store, accounts = make()
    tenant = store.tenant("v", "t1", 0.0)
    declared = accounts["v"] = [{"token": "token"}]
    callers.who("v", "token", Resolver((tenant, "alice")), None)
    accounts["v"] = [{"token": "token"}]  # an equal but new declaration: resolved again
    assert callers.who("v", "token", Resolver(None), None) is None
    accounts["v"] = declared  # a scenario's accounts taken out of force restore the old list
    remembered = Resolver(None)
    assert callers.who("v", "token", remembered, None) == (tenant, "alice") and remembered.calls == 0
    accounts.clear()
    assert callers.who("v", "token", Resolver(None), None) is None


def test_the_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(callers_module, "SIZE", 3)
    callers, store, _ = make()
    tenant = store.tenant("v", "t1", 0.0)
    for n in range(10):
        callers.who("v", f"token{n}", Resolver((tenant, n)), None)
        assert len(callers._known) <= 3
    last = Resolver((tenant, "made again"))
    assert callers.who("v", "token9", last, None) == (tenant, 9) and last.calls == 0
