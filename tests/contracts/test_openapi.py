"""The OpenAPI documents served at /_emulator/openapi/{vendor}.json."""

from __future__ import annotations

import re
from typing import Any

from emulator.vendors import VENDORS


def resolve(document: dict[str, Any], ref: str) -> Any:
    """What a local ``$ref`` (a JSON pointer into the document) points at; KeyError if nothing."""
    assert ref.startswith("#/components/schemas/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for item in node for r in refs(item)]
    return []


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
            assert isinstance(resolve(document, ref), dict), ref


async def test_a_ref_into_another_schema_points_at_that_part_of_it_not_the_whole(client):
    # outbound-list's faxId is "outbound-fax.json#/properties/faxId": a string, not an OutboundFax
    document = await (await client.get("/_emulator/openapi/imagicle.json")).json()
    items = document["components"]["schemas"]["outbound-list"]["properties"]["faxList"]["items"]
    assert resolve(document, items["properties"]["faxId"]["$ref"])["type"] == "string"


async def test_a_path_parameter_with_alternatives_is_one_anchored_group(client):
    document = await (await client.get("/_emulator/openapi/kazoo.json")).json()
    [folder] = [
        p
        for p in document["paths"]["/accounts/{account_id}/faxes/{folder}/{fax_id}"]["get"]["parameters"]
        if p["name"] == "folder"
    ]
    pattern = re.compile(folder["schema"]["pattern"])
    assert pattern.search("inbox") and pattern.search("outbox")
    assert not pattern.search("outbox-not") and not pattern.search("not-inbox")


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
