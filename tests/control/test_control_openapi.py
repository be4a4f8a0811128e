"""GET /_emulator/openapi.json: the control API described by itself, every route included."""

from __future__ import annotations

import re

from emulator.app import CONTROL_PREFIX
from emulator.control import docs, routes
from emulator.core.events import TYPES

_PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


async def test_every_registered_control_route_is_in_the_document(client):
    document = await (await client.get("/_emulator/openapi.json")).json()
    registered = {
        (route.method.lower(), _PARAM.sub(r"{\1}", route.resource.canonical))
        for route in client.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith(CONTROL_PREFIX + "/")
        and route.method != "HEAD"
    }
    described = {(method, path) for path, operations in document["paths"].items() for method in operations}
    assert registered and registered == described
    assert ("get", "/_emulator/events") in described and ("get", "/_emulator/openapi.json") in described


async def test_every_route_has_a_declaration_and_every_reference_resolves(client):
    assert {name for *_, name in routes.ROUTES} == set(docs.DOCS)
    document = await (await client.get("/_emulator/openapi.json")).json()
    schemas = document["components"]["schemas"]
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', str(document).replace("'", '"'))
    assert refs and all(name in schemas for name in refs)
    assert document["openapi"] == "3.1.0" and document["servers"][0]["url"].startswith("http://")


async def test_the_event_stream_is_described(client):
    document = await (await client.get("/_emulator/openapi.json")).json()
    operation = document["paths"]["/_emulator/events"]["get"]
    assert set(operation["x-events"]) == set(TYPES)
    assert "text/event-stream" in operation["responses"]["200"]["content"]
    assert {p["name"] for p in operation["parameters"]} == {"vendor", "tenant", "fax_id", "type"}
    faxes = document["paths"]["/_emulator/faxes/{fax_id}"]["get"]
    assert faxes["parameters"] == [{"name": "fax_id", "in": "path", "required": True, "schema": {"type": "string"}}]


async def test_schemathesis_reads_every_operation(client):
    import schemathesis

    document = await (await client.get("/_emulator/openapi.json")).json()
    results = list(schemathesis.openapi.from_dict(document).get_all_operations())
    assert len(results) == sum(len(operations) for operations in document["paths"].values())
    assert all(type(result).__name__ == "Ok" for result in results), [r for r in results if type(r).__name__ != "Ok"]
