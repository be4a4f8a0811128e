"""Assemble an OpenAPI 3.1 document per vendor from its routes, contracts and schemas.

The schemas under ``schemas/<vendor>/`` are JSON Schema 2020-12, which OpenAPI 3.1
embeds as is; each becomes a component, and references between files and to ``$defs``
are rewritten to point at components (a pointer into a schema, such as
``faxbox.json#/properties/name``, points into its component).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from emulator.core import contracts
from emulator.core.vendor import Vendor

_PARAM = re.compile(r"\{([^}:]+)(?::([^}]+))?\}")


def _component(name: str) -> str:
    return f"#/components/schemas/{name}"


class _Components:
    """Collects the schemas an OpenAPI document needs, with refs rewritten."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.schemas: dict[str, Any] = {}

    def ref(self, name: str) -> dict[str, str]:
        if name not in self.schemas:
            self.schemas[name] = {}  # reserve first: schemas may refer to each other
            schema = copy.deepcopy(contracts.load(self.vendor, name))
            schema.pop("$schema", None)
            schema.pop("$id", None)
            for def_name, definition in schema.pop("$defs", {}).items():
                self.schemas[f"{name}__{def_name}"] = self._rewrite(definition, name)
            self.schemas[name] = self._rewrite(schema, name)
        return {"$ref": _component(name)}

    def _rewrite(self, node: Any, owner: str) -> Any:
        if isinstance(node, list):
            return [self._rewrite(item, owner) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = self._target(value, owner)
            else:
                out[key] = self._rewrite(value, owner)
        return out

    def _target(self, ref: str, owner: str) -> str:
        file, _, pointer = ref.partition("#")
        base = file[:-5] if file.endswith(".json") else (file or owner)
        if file and base not in self.schemas:
            self.ref(base)
        if pointer.startswith("/$defs/"):
            name, slash, rest = pointer[len("/$defs/") :].partition("/")
            return _component(f"{base}__{name}") + slash + rest
        # any other pointer (``#/properties/faxId``) points inside the component, not at all of it
        return _component(base) + pointer.rstrip("/")


def _parameters(path: str, contract: contracts.Contract | None, components: _Components) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for name, pattern in _PARAM.findall(path):
        schema: dict[str, Any] = {"type": "string"}
        if pattern:
            schema["pattern"] = f"^(?:{pattern})$"  # grouped: a route's ``outbox|inbox`` is one alternation
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    if contract is not None and contract.query is not None:
        components.ref(contract.query)  # hoists its $defs, which the parameters may refer to
        query = contracts.load(components.vendor, contract.query)
        required = set(query.get("required", ()))
        for name, schema in query.get("properties", {}).items():
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in required,
                    "schema": components._rewrite(copy.deepcopy(schema), contract.query),
                }
            )
    return params


def _responses(contract: contracts.Contract | None, components: _Components) -> dict[str, Any]:
    if contract is None or not contract.responses:
        return {"default": {"description": "undocumented"}}
    responses: dict[str, Any] = {}
    for status, schema in contract.responses.items():
        entry: dict[str, Any] = {"description": "success" if str(status).startswith("2") else "error"}
        if schema is not None:
            entry["content"] = {
                contract.response_type if str(status).startswith("2") else "application/json": {
                    "schema": components.ref(schema)
                }
            }
        elif str(status).startswith("2") and contract.response_type != "application/json":
            entry["content"] = {contract.response_type: {"schema": {"type": "string", "format": "binary"}}}
        responses[str(status)] = entry
    return responses


def build(vendor: Vendor, server_url: str) -> dict[str, Any]:
    """The vendor's OpenAPI 3.1 document, with ``server_url`` as its server."""
    components = _Components(vendor.name)
    paths: dict[str, Any] = {}
    for method, path, _handler, name in vendor.routes:
        contract = vendor.contracts.get(name)
        operation: dict[str, Any] = {
            "operationId": name,
            "summary": contract.summary if contract else name,
            "parameters": _parameters(path, contract, components),
            "responses": _responses(contract, components),
        }
        if contract is not None:
            operation["description"] = f"Follows {contract.source}."
            if contract.deprecated:
                operation["deprecated"] = True
            if not contract.auth:
                operation["security"] = []
            if contract.request is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {contract.request_type: {"schema": components.ref(contract.request)}},
                }
        plain_path = _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
        paths.setdefault(plain_path, {})[method.lower()] = operation
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": f"{vendor.title} (fax-emulator)",
            "version": "emulated",
            "description": f"The {vendor.title} API as fax-emulator serves it.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": components.schemas},
    }
    if vendor.security:
        document["components"]["securitySchemes"] = dict(vendor.security)
        document["security"] = [{name: []} for name in vendor.security]
    return document
