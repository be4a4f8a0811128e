"""Every schema under schemas/ is itself valid and says where it comes from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import validators

SCHEMAS = sorted((Path(__file__).parents[2] / "schemas").rglob("*.json"))


def test_there_are_schemas():
    assert SCHEMAS


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_schema_is_valid_and_cites_its_source(path):
    schema = json.loads(path.read_text())
    validators.validator_for(schema).check_schema(schema)
    # Kazoo's own schemas (schemas/kazoo/README.md) carry the vendor's description, copied unmodified
    assert schema.get("description"), f"{path.name} has no description naming its source"
