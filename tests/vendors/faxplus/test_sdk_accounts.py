"""The official SDK against the emulator: accounts, members, numbers, shop (faxplus.md §3.5-§3.7)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from faxplus.models import (
    AccountData,
    AccountSettings,
    AccountSettingsSendFax,
    MemberDetail,
    PayloadAccountModification,
    PayloadNumberModification,
    PurchaseNumberRequest,
    RetryOptions,
)
from faxplus.rest import ApiException

from emulator.testing import FaxEmulator
from emulator.vendors.faxplus.accounts import number_for, uid_for
from tests.vendors.faxplus.sdk import Sdk

ADMIN = "corp_admin_acme"


def test_individual_user_is_stable_and_derived_from_the_token(sdk: Sdk):
    me = sdk.accounts.get_user("self")
    assert me.uid == uid_for("alohi_pat_test_individual", "self") and len(me.uid) == 32
    assert me.account_type == "individual" and me.status == "active"
    assert me.creation_date == "2026-01-01 00:00:00"
    assert sdk.accounts.get_user(me.uid).uid == me.uid  # its own id works like self
    numbers = sdk.numbers.list_numbers("self").numbers
    assert [n.number for n in numbers] == [number_for("alohi_pat_test_individual", "self")]
    assert numbers[0].owner_id == me.uid and numbers[0].assigned_to == [me.uid] and numbers[0].status == "active"


def test_update_user_changes_what_get_user_returns(sdk: Sdk):
    body = PayloadAccountModification(
        name="Ada",
        lastname="Lovelace",
        email="ada@example.com",
        phone="+442071234567",
        account_data=AccountData(company_name="Engines Ltd"),
        settings=AccountSettings(send_fax=AccountSettingsSendFax(retry=RetryOptions(count=2, delay=5))),
    )
    sdk.accounts.update_user("self", body=body)
    me = sdk.accounts.get_user("self")
    assert (me.name, me.lastname, me.email, me.phone) == ("Ada", "Lovelace", "ada@example.com", "+442071234567")
    assert me.account_data.company_name == "Engines Ltd" and me.account_data.default_file_type == "pdf"
    assert me.settings.send_fax.retry.count == 2


def test_corporate_admin_lists_members_and_manages_their_details(make: Callable[[str], Sdk]):
    admin = make(ADMIN)
    assert admin.accounts.get_user("self").account_type == "corporate_admin"
    members = admin.accounts.get_accounts().members
    assert [m.account_type for m in members] == ["corporate_member", "corporate_member"]
    member_id = members[0].uid
    assert admin.accounts.get_user(member_id).uid == member_id
    assert admin.accounts.get_member_details(member_id).role == "member"
    admin.accounts.update_member_details(member_id, body=MemberDetail(quota=250, role="manager"))
    detail = admin.accounts.get_member_details(member_id)
    assert (detail.quota, detail.role) == (250, "manager")
    member = make("corp_member1_acme")
    assert member.accounts.get_user("self").uid == member_id


def test_members_and_individuals_may_not_use_admin_calls(make: Callable[[str], Sdk], sdk: Sdk):
    member = make("corp_member1_acme")
    admin_id = make(ADMIN).accounts.get_user("self").uid
    calls = [
        lambda: member.accounts.get_accounts(),
        lambda: member.accounts.get_user(admin_id),
        lambda: member.accounts.get_member_details(admin_id),
        lambda: sdk.accounts.get_accounts(),
        lambda: sdk.accounts.get_user(admin_id),
        lambda: member.shop.purchase_number(body=PurchaseNumberRequest(item_id="item_US_212_1234567")),
    ]
    for call in calls:
        with pytest.raises(ApiException) as caught:
            call()
        assert caught.value.status == 403


def test_admin_assigns_and_revokes_numbers(make: Callable[[str], Sdk]):
    admin = make(ADMIN)
    members = admin.accounts.get_accounts().members
    first, second = members[0].uid, members[1].uid
    mine = admin.numbers.list_numbers("self").numbers
    assert len(mine) == 3  # the admin's and one per member
    number = admin.numbers.list_numbers(first).numbers[0].number
    assert admin.numbers.get_number("self", number).assigned_to == [first]

    admin.numbers.update_number("self", number, body=PayloadNumberModification(assigned_to=second))
    assert admin.numbers.get_number("self", number).assigned_to == [first, second]
    assert [n.number for n in make("corp_member2_acme").numbers.list_numbers("self").numbers].count(number) == 1

    admin.numbers.revoke_number(first, number)
    assert admin.numbers.get_number("self", number).assigned_to == [second]
    with pytest.raises(ApiException) as caught:
        admin.numbers.get_number(first, number)
    assert caught.value.status == 404


def test_shop_catalogue_purchase_and_balance(sdk: Sdk, emulator: FaxEmulator):
    assert sdk.shop.get_balance().amount == 100.0 and sdk.shop.get_balance().currency == "USD"
    countries = sdk.shop.list_countries().countries
    assert "US" in [c.iso for c in countries]
    areas = sdk.shop.list_areas("US").areas
    assert areas[0].calling_code == "212" and areas[0].city == "New York"
    offered = sdk.shop.list_shop_numbers("US", "212").numbers
    assert len(offered) == 5
    custom = sdk.shop.list_shop_numbers("US", "212", channel="custom", contains="4242").numbers
    assert all("4242" in n.item.number for n in custom)

    bought = sdk.shop.purchase_number(body=PurchaseNumberRequest(item_id=offered[0].item.id)).number
    assert bought == offered[0].item.number
    assert sdk.shop.get_balance().amount == pytest.approx(100.0 - offered[0].monthly_fee)
    assert bought in [n.number for n in sdk.numbers.list_numbers("self").numbers]
    assert bought not in [n.item.number for n in sdk.shop.list_shop_numbers("US", "212").numbers]
    with pytest.raises(ApiException) as caught:
        sdk.shop.purchase_number(body=PurchaseNumberRequest(item_id=offered[0].item.id))
    assert caught.value.status == 409

    sdk.send(["+12125550100"], [sdk.upload(3)], from_number=bought)  # a bought number can send
    emulator.client.run_until_idle()
    assert sdk.shop.get_balance().amount == pytest.approx(100.0 - offered[0].monthly_fee - 3)


def test_unknown_country_and_area_are_404(sdk: Sdk):
    for call in (lambda: sdk.shop.list_areas("ZZ"), lambda: sdk.shop.list_shop_numbers("US", "999")):
        with pytest.raises(ApiException) as caught:
            call()
        assert caught.value.status == 404
