"""Faxbox CRUD with Kazoo's schema: defaults, each validation error, 404s, soft delete (kazoo.md §6)."""

from __future__ import annotations

import pytest

from tests.vendors.kazoo.conftest import assert_error


async def test_create_injects_the_schema_defaults_and_shows_server_fields(kazoo):
    reply = await kazoo.put("/faxboxes", {"name": "Front desk", "caller_id": "+14155550100", "custom": "kept"})
    assert reply.status == 201
    box = reply.data
    assert len(box["id"]) == 32
    assert box["smtp_email_address"].endswith(".fax.kazoo.io") and len(box["smtp_email_address"]) == 21
    assert box["caller_name"] == box["fax_header"] == "Kazoo Fax Printer"
    assert box["retries"] == 1 and box["attempts"] == 0 and box["media"] == {} and box["smtp_permission_list"] == []
    assert box["custom"] == "kept"
    assert not [k for k in box if k.startswith(("pvt_", "_"))]
    assert reply.body["revision"].startswith("1-")


async def test_read_list_replace_patch_and_delete(kazoo):
    box = await kazoo.faxbox(retries=3, caller_id="+14155550100")
    path = f"/faxboxes/{box['id']}"
    assert (await kazoo.get(path)).data == box
    listing = await kazoo.get("/faxboxes")
    assert listing.data == [box] and listing.body["page_size"] == 1

    patched = await kazoo.patch(path, {"name": "Front desk", "fax_identity": "+1 415 555 0100"})
    assert patched.status == 200
    assert patched.data["retries"] == 3 and patched.data["fax_identity"] == "+1 415 555 0100"
    assert patched.data["smtp_email_address"] == box["smtp_email_address"]
    assert patched.body["revision"].startswith("2-")

    replaced = await kazoo.post(path, {"name": "Back office"})
    assert replaced.data["name"] == "Back office" and replaced.data["retries"] == 1
    assert "caller_id" not in replaced.data and replaced.data["id"] == box["id"]

    deleted = await kazoo.delete(path)
    assert deleted.status == 200 and deleted.data["_read_only"] == {"deleted": True}
    assert_error(await kazoo.get(path), 404, "bad_identifier")
    assert (await kazoo.get("/faxboxes")).data == []


async def test_patch_is_validated_on_its_own_then_merged_as_4_3_does(kazoo):
    """cb_faxboxes.erl (4.3): ``validate_patch(update_faxbox(Id, Context))`` validates the
    patch as a whole faxbox, then merges the patch as sent onto the stored document."""
    box = await kazoo.faxbox(retries=3, caller_id="+14155550100")
    path = f"/faxboxes/{box['id']}"
    without_name = await kazoo.patch(path, {"fax_identity": "+1 415 555 0100"})
    assert_error(without_name, 400, "validation error")
    assert set(without_name.data) == {"name"}
    bad = await kazoo.patch(path, {"name": "Front desk", "retries": 9})
    assert_error(bad, 400, "validation error")
    assert set(bad.data) == {"retries"}
    assert (await kazoo.get(path)).data == box  # nothing stored
    patched = await kazoo.patch(path, {"name": "Back office"})
    assert patched.status == 200
    assert (patched.data["name"], patched.data["retries"], patched.data["caller_id"]) == (
        "Back office",
        3,
        "+14155550100",
    )


@pytest.mark.parametrize("sent", ["2", 2.0])
async def test_a_patched_value_is_stored_as_validation_coerced_it(kazoo, sent):
    """Crossbar validates in non-strict mode and keeps the fixed value: a patch's ``"2"`` or
    2.0 for an integer is stored, and answered, as 2 (answering 2.0 broke the schema)."""
    box = await kazoo.faxbox(retries=3)
    patched = await kazoo.patch(f"/faxboxes/{box['id']}", {"name": "Front desk", "retries": sent})
    assert patched.status == 200 and patched.data["retries"] == 2 and type(patched.data["retries"]) is int
    assert (await kazoo.get(f"/faxboxes/{box['id']}")).data["retries"] == 2


@pytest.mark.parametrize(
    ("data", "path", "rule", "detail"),
    [
        ({}, "name", "required", {"message": "Field is required but missing", "value": "name"}),
        (
            {"name": "x" * 129},
            "name",
            "maxLength",
            {
                "message": "String must not be more than 128 characters",
                "target": 128,
                "cause": "x" * 129,
                "value": "x" * 129,
            },
        ),
        (
            {"name": ""},
            "name",
            "minLength",
            {"message": "String must be at least 1 characters", "target": 1, "cause": "", "value": ""},
        ),
        (
            {"name": "n", "retries": 5},
            "retries",
            "maximum",
            {"message": "Value must be at most 4", "target": 4, "value": 5},
        ),
        (
            {"name": "n", "retries": -1},
            "retries",
            "minimum",
            {"message": "Value must be at least 0", "target": 0, "value": -1},
        ),
        (
            {"name": "n", "retries": "many"},
            "retries",
            "type",
            {"message": "Value did not match type(s): integer", "target": "integer", "value": "many"},
        ),
        (
            {"name": "n", "notifications": {"outbound": {"callback": {"url": "ftp://x", "method": "get"}}}},
            "notifications.outbound.callback.method",
            "enum",
            {"message": "Value not found in enumerated list of values", "target": ["post", "put"], "value": "get"},
        ),
        (
            {"name": "n", "notifications": {"inbound": {"callback": {"url": "ftp://x"}}}},
            "notifications.inbound.callback.url",
            "pattern",
            {"message": "Failed to match pattern '^https?://'", "target": "^https?://", "value": "ftp://x"},
        ),
        (
            {"name": "n", "notifications": {"outbound": {"email": {"send_to": "not-an-email"}}}},
            "notifications.outbound.email.send_to",
            "wrong_format",
            {"message": "Field is not in the correct format", "value": "not-an-email", "format": "email"},
        ),
        (
            {"name": "n", "smtp_permission_list": ["ok.*", "("]},
            "smtp_permission_list.1",
            "error",
            {"message": "invalid regular expression: '('", "value": "("},
        ),
    ],
)
async def test_each_validation_error_is_reported_as_kazoo_does(kazoo, data, path, rule, detail):
    reply = await kazoo.put("/faxboxes", data)
    assert_error(reply, 400, "validation error")
    assert reply.data[path][rule] == detail
    assert (await kazoo.get("/faxboxes")).data == []


async def test_all_errors_are_reported_at_once(kazoo):
    reply = await kazoo.put("/faxboxes", {"retries": 7, "caller_name": 5})
    assert set(reply.data) == {"name", "retries", "caller_name"}


async def test_strings_are_coerced_as_crossbar_does(kazoo):
    box = await kazoo.faxbox(retries="3", media={"fax_option": "true"})
    assert box["retries"] == 3 and box["media"] == {"fax_option": True}


async def test_custom_smtp_address_must_be_unique_across_accounts(client, kazoo):
    from tests.vendors.kazoo.conftest import Kazoo

    await kazoo.faxbox(custom_smtp_email_address="Fax@Example.com")
    other = Kazoo(client)
    await other.login(account="globex")
    reply = await other.put("/faxboxes", {"name": "n", "custom_smtp_email_address": "fax@example.com"})
    assert_error(reply, 400, "validation error")
    assert reply.data["custom_smtp_email_address"]["unique"] == {
        "message": "email address must be unique",
        "cause": "fax@example.com",
    }


async def test_unknown_faxbox_is_a_bad_identifier_for_every_method(kazoo):
    for method in ("GET", "POST", "PATCH", "DELETE"):
        reply = await kazoo.call(
            method,
            kazoo.url("/faxboxes/0123456789abcdef0123456789abcdef"),
            None if method in ("GET", "DELETE") else {"data": {"name": "n"}},
        )
        assert_error(reply, 404, "bad_identifier")
        assert reply.data == {"message": "bad identifier", "cause": "0123456789abcdef0123456789abcdef"}


async def test_private_fields_in_a_request_are_ignored(kazoo):
    box = await kazoo.faxbox(pvt_smtp_email_address="mine@evil", smtp_email_address="x@y", id="abc")
    assert box["smtp_email_address"] != "x@y" and box["id"] != "abc"
