"""core/callers.py: a remembered caller holds only while its tenant and the declared accounts do."""

from __future__ import annotations

from emulator.core import callers as callers_module
from emulator.core.callers import Callers
from emulator.core.store import Store


def make() -> tuple[Callers, Store, dict]:
    store, accounts = Store(), {}
    return Callers(store, accounts), store, accounts


def test_a_remembered_credential_gives_back_its_tenant_and_value():
    callers, store, _ = make()
    tenant = store.tenant("v", "t1", 0.0)
    assert callers.get("v", "token") is None
    callers.remember("v", "token", tenant, "alice")
    found = callers.get("v", "token")
    assert found is not None and found[1:] == (tenant, "alice")
    assert callers.get("other vendor", "token") is None


def test_a_reset_of_its_tenant_forgets_it_even_if_the_tenant_is_made_again():
    callers, store, _ = make()
    callers.remember("v", "token", store.tenant("v", "t1", 0.0), "alice")
    store.reset("v", "t1")
    assert callers.get("v", "token") is None
    store.tenant("v", "t1", 1.0)  # a new account under the same id is not the remembered one
    assert callers.get("v", "token") is None
    callers.remember("v", "other", store.tenant("v", "t2", 0.0), "bob")
    store.reset()
    assert callers.get("v", "other") is None


def test_declared_accounts_replaced_forget_it_and_restored_bring_it_back():
    callers, store, accounts = make()
    declared = accounts["v"] = [{"token": "token"}]
    callers.remember("v", "token", store.tenant("v", "t1", 0.0), "alice")
    accounts["v"] = [{"token": "token"}]  # an equal but new declaration: resolved again
    assert callers.get("v", "token") is None
    accounts["v"] = declared  # a scenario's accounts taken out of force restore the old list
    assert callers.get("v", "token") is not None
    accounts.clear()
    assert callers.get("v", "token") is None


def test_the_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(callers_module, "SIZE", 3)
    callers, store, _ = make()
    tenant = store.tenant("v", "t1", 0.0)
    for n in range(10):
        callers.remember("v", f"token{n}", tenant, n)
        assert len(callers._known) <= 3
    assert callers.get("v", "token9") is not None
