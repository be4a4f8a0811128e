"""The OpenAPI documents served at /_emulator/openapi/{vendor}.json."""

from __future__ import annotations

from typing import Any

from emulator.vendors import VENDORS


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for item in node for r in refs(item)]
    return []


def resolve(document: Any, ref: str) -> Any:
    """The node a local ``$ref`` (a JSON pointer) names, or None."""
    node = document
    for part in ref.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


async def test_every_vendor_document_covers_every_route_and_resolves_every_ref(client):
    for vendor in VENDORS:
        response = await client.get(f"/_emulator/openapi/{vendor.name}.json")
        assert response.status == 200
        document = await response.json()
        assert document["openapi"] == "3.1.0"
        assert document["servers"][0]["url"].endswith(vendor.prefix)
        operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
        assert operations == set(vendor.operations)
        for ref in refs(document):
            assert ref.startswith("#/components/schemas/"), ref
            assert resolve(document, ref) is not None, ref


async def test_every_operation_has_a_contract_with_schemas_that_exist():
    from emulator.core import contracts

    for vendor in VENDORS:
        assert set(vendor.contracts) == set(vendor.operations), vendor.name
        for contract in vendor.contracts.values():
            for name in (contract.query, contract.request, *contract.responses.values()):
                if name is not None:
                    contracts.validator(vendor.name, name)  # loads and compiles, or raises


async def test_unknown_vendor_is_404(client):
    assert (await client.get("/_emulator/openapi/nope.json")).status == 404
