"""HTTP Basic and privilege levels (imagicle.md §3, D15): 401, 403 and who sees which fax."""

from __future__ import annotations

import base64

import pytest

from tests.vendors.imagicle.conftest import PDF2, declare
from tests.vendors.imagicle.stonefax import BASE, StoneFax, fax

ACCOUNTS = (
    {"name": "ann", "password": "pw-ann", "level": 2, "groups": ["Sales"], "email": "ann@example.com"},
    {"name": "ivo", "password": "pw-ivo", "level": 6},
    {"name": "Root", "password": "pw-root", "level": 10},
    {"name": "guest", "password": "pw-guest", "level": 0},
    {"name": "mute", "password": "pw-mute", "send": False},
)


@pytest.fixture
async def declared(client):
    await declare(client, *ACCOUNTS)
    return {a["name"]: StoneFax(client, a["name"], a["password"]) for a in ACCOUNTS}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer abc",
        "Basic",
        "Basic !!!",
        "Basic " + base64.b64encode(b"nocolon").decode(),
        "Basic " + base64.b64encode(b":pw").decode(),
    ],
)
async def test_missing_or_malformed_credentials_are_401_with_a_challenge(client, header):
    headers = {"Authorization": header} if header else {}
    response = await client.get(BASE + "/Faxes/Outbound/Mine", headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="Imagicle"'
    assert set(await response.json()) == {"reason"}


async def test_any_pair_makes_a_user_that_remembers_its_password(client):
    first = StoneFax(client, "zoe", "one")
    assert (await first.outbound_list()).status == 200
    assert (await first.as_user("zoe", "two").outbound_list()).status == 401
    assert (await first.as_user("Zoe", "two").outbound_list()).status == 200  # another user
    assert (await first.outbound_list()).status == 200


async def test_reset_of_a_user_forgets_its_password(client):
    assert (await StoneFax(client, "zoe", "one").outbound_list()).status == 200
    await client.post("/_emulator/reset", json={"vendor": "imagicle", "tenant": "zoe"})
    assert (await StoneFax(client, "zoe", "two").outbound_list()).status == 200


async def test_declared_accounts_only_with_their_passwords(client, declared):
    assert (await declared["ann"].outbound_list()).status == 200
    assert (await StoneFax(client, "ANN", "pw-ann").outbound_list()).status == 200  # names are case-insensitive
    assert (await StoneFax(client, "ann", "pw-ivo").outbound_list()).status == 401
    assert (await StoneFax(client, "stranger", "x").outbound_list()).status == 401


async def test_below_level_2_is_403_everywhere(declared):
    guest = declared["guest"]
    for reply in (
        await guest.outbound_list(),
        await guest.inbound_list(),
        await guest.outbound("x"),
        await guest.submit(fax("100"), [("a.pdf", PDF2)]),
    ):
        assert reply.status == 403 and "level" in reply.body["reason"]


async def test_send_disabled_is_403(declared):
    reply = await declared["mute"].submit(fax("100"), [("a.pdf", PDF2)])
    assert reply.status == 403 and "disabled" in reply.body["reason"]


@pytest.mark.parametrize("user", ["ann", "ivo"])
async def test_levels_2_and_6_may_not_send_as_another_user(declared, user):
    reply = await declared[user].submit(fax("100", sendAsUsername="Root"), [("a.pdf", PDF2)])
    assert reply.status == 403 and "may send only as itself" in reply.body["reason"]


async def test_level_2_may_send_as_its_fax_group(declared, client):
    ids = await declared["ann"].ids(fax("100", sendAsUsername="sales"), [("a.pdf", PDF2)])
    detail = await (await client.get(f"/_emulator/faxes/{ids[0]}")).json()
    assert detail["tenant"] == "Sales" and detail["vendor_view"]["username"] == "Sales"
    assert (await declared["ann"].outbound_list()).body["faxList"] == []  # the group's, not ann's
    assert (await declared["ann"].outbound(ids[0])).status == 404


async def test_level_10_may_send_as_anyone_declared(declared):
    [fax_id] = await declared["Root"].ids(fax("100", sendAsUsername="IVO"), [("a.pdf", PDF2)])
    record = await declared["ivo"].outbound_fax(fax_id)
    assert record["username"] == "ivo"
    assert [i["faxId"] for i in (await declared["ivo"].outbound_list()).body["faxList"]] == [fax_id]
    reply = await declared["Root"].submit(fax("100", sendAsUsername="nobody"), [("a.pdf", PDF2)])
    assert reply.status == 400 and "nobody" in reply.body["reason"]


async def test_the_built_in_admin_has_level_10(client):
    admin, alice = StoneFax(client, "admin", "x"), StoneFax(client, "alice")
    [fax_id] = await admin.ids(fax("100", sendAsUsername="alice"), [("a.pdf", PDF2)])
    assert (await alice.outbound_fax(fax_id))["username"] == "alice"
    reply = await alice.submit(fax("100", sendAsUsername="admin"), [("a.pdf", PDF2)])
    assert reply.status == 403


async def test_someone_elses_fax_is_404_but_level_10_reads_it(declared):
    [fax_id] = await declared["ann"].ids(fax("100"), [("a.pdf", PDF2)])
    reply = await declared["ivo"].outbound(fax_id)
    assert reply.status == 404 and fax_id in reply.body["reason"]
    assert (await declared["ivo"].document("Outbound", fax_id)).status == 404
    assert (await declared["Root"].outbound_fax(fax_id))["username"] == "ann"
    assert (await declared["Root"].outbound_list()).body["faxList"] == []  # Mine is still only the caller's


async def test_undeclaring_returns_to_any_credential(client, declared):
    await declare(client)
    assert (await StoneFax(client, "stranger", "x").outbound_list()).status == 200
