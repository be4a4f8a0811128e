"""The route table covers every method of the official SDK, each with its scopes (faxplus.md §3)."""

from __future__ import annotations

import inspect

import faxplus

from emulator.vendors.faxplus import VENDOR
from emulator.vendors.faxplus.auth import SCOPES

APIS = (
    faxplus.FilesApi,
    faxplus.OutboxApi,
    faxplus.FaxesApi,
    faxplus.WebhooksApi,
    faxplus.AccountsApi,
    faxplus.NumbersApi,
    faxplus.ShopApi,
)


def sdk_methods() -> set[str]:
    return {
        name
        for api in APIS
        for name, _ in inspect.getmembers(api, inspect.isfunction)
        if not name.startswith("_") and not name.endswith("_with_http_info")
    }


def test_one_route_per_sdk_method_and_a_scope_for_each():
    assert len(sdk_methods()) == 30
    assert set(VENDOR.operations) == sdk_methods()
    assert set(SCOPES) == sdk_methods()
