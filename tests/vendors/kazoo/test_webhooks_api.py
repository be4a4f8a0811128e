"""The webhooks API: CRUD and validation with Kazoo's ``webhooks`` schema (kazoo.md §10.3)."""

from __future__ import annotations

from tests.vendors.kazoo.conftest import assert_error


async def test_webhook_crud(kazoo):
    created = await kazoo.put(
        "/webhooks",
        {"name": "results", "hook": "notifications", "uri": "http://127.0.0.1:9/hook", "custom_data": {"type": "all"}},
    )
    assert created.status == 201
    hook = created.data
    assert hook["http_verb"] == "post" and hook["format"] == "form-data" and hook["retries"] == 2
    assert hook["enabled"] is True and len(hook["id"]) == 32
    path = f"/webhooks/{hook['id']}"
    assert (await kazoo.get(path)).data == hook
    listing = await kazoo.get("/webhooks")
    assert listing.data == [
        {
            "id": hook["id"],
            "hook": "notifications",
            "name": "results",
            "uri": "http://127.0.0.1:9/hook",
            "enabled": True,
        }
    ]  # the view's value
    patched = await kazoo.patch(path, {"enabled": False, "format": "json"})
    assert patched.data["enabled"] is False and patched.data["format"] == "json" and patched.data["name"] == "results"
    replaced = await kazoo.post(path, {"name": "r2", "hook": "notifications", "uri": "https://example.com/x"})
    assert replaced.data["enabled"] is True and "custom_data" not in replaced.data
    assert (await kazoo.delete(path)).data["_read_only"] == {"deleted": True}
    assert_error(await kazoo.get(path), 404, "bad_identifier")
    assert (await kazoo.get("/webhooks")).data == []


async def test_webhook_validation(kazoo):
    missing = await kazoo.put("/webhooks", {"name": "x"})
    assert_error(missing, 400, "validation error")
    assert set(missing.data) == {"hook", "uri"}
    bad = await kazoo.put(
        "/webhooks",
        {
            "name": "x",
            "hook": "notifications",
            "uri": "mailto:me",
            "http_verb": "delete",
            "retries": 9,
            "custom_data": {"type": 1},
        },
    )
    assert set(bad.data) == {"uri", "http_verb", "retries", "custom_data.type"}
    assert bad.data["http_verb"]["enum"]["target"] == ["get", "post", "put"]
    assert bad.data["uri"]["invalid"]["value"] == "mailto:me"


async def test_the_system_lists_its_available_webhooks(kazoo):
    """GET /v2/webhooks (Crossbar webhooks.md 'Fetch'), as PyKazoo's get_system_webhooks calls it."""
    reply = await kazoo.call("GET", "/v2/webhooks")
    assert reply.status == 200, reply.body
    hooks = {hook["id"]: hook for hook in reply.data}
    assert {"channel_create", "channel_answer", "channel_destroy", "object", "notifications"} <= set(hooks)
    assert all(hook["id"] == hook["name"] for hook in reply.data) and reply.body["page_size"] == len(reply.data)
    fax_events = {"inbound_fax", "outbound_fax", "outbound_fax_error"}
    assert fax_events <= set(hooks["notifications"]["modifiers"]["type"]["items"])
    assert (await kazoo.call("GET", "/v2/webhooks", auth=False)).status == 401
