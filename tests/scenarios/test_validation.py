"""Scenario validation: good files pass; bad ones say file, line and place, in words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from emulator.core.outcomes import Outcome
from emulator.core.scenarios import ScenarioError, load_files, load_text
from emulator.core.scenarios.checks import schema
from emulator.vendors import VENDORS
from tests.scenarios.conftest import ALL

SHIPPED = sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.yaml"))
VENDOR_MAP = {v.name: v for v in ALL}


def problems(text: str, vendors=VENDOR_MAP) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_text(text, "x.yaml", vendors)
    return [str(p) for p in caught.value.problems]


def test_the_schema_is_valid_draft_2020_12_and_knows_every_outcome():
    Draft202012Validator.check_schema(schema())
    assert set(schema()["$defs"]["outcome"]["enum"]) == {o.value for o in Outcome}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_are_valid(path):
    scenario = load_files([str(path)], {v.name: v for v in VENDORS})
    assert scenario.description and scenario.steps


def test_composition_concatenates_rules_and_merges_settings(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(
        "name: a\nseed: 1\ntiming: {callerip: {Loading: 5, Pending: 1}}\n"
        "rules: [{match: {to: '1'}, outcome: busy}]\naccounts: {callerip: [{token: x}]}\n"
    )
    second.write_text(
        "seed: 2\ntiming: {callerip: {Pending: 9}}\nrules: [{match: {to: '2'}, outcome: busy}]\n"
        "accounts: {callerip: [{token: y}]}\n"
    )
    scenario = load_files([str(first), str(second)], VENDOR_MAP)
    assert scenario.name == "a + b" and scenario.seed == 2
    assert scenario.timing == {"callerip": {"Loading": 5.0, "Pending": 9.0}}
    assert [r.label for r in scenario.rules] == ["a rule 1", "b rule 1"]
    assert [a["token"] for a in scenario.accounts["callerip"]] == ["x", "y"]
    assert scenario.sources == (str(first), str(second))


def test_problems_name_file_line_column_and_path():
    found = problems("name: x\nrules:\n  - match:\n      destination: '1'\n    outcome: busy\n")
    assert found == [
        "x.yaml:4:7: rules #1 > match > destination: unknown key 'destination'; expected one of: "
        "attempt, event, header, nth, operation, probability, tenant, to, vendor"
    ]


def test_a_number_where_a_string_belongs_gets_a_hint():
    (found,) = problems("rules: [{match: {to: 2125550100}, outcome: busy}]")
    assert found.endswith("got the number 2125550100 (put it in quotes)")


def test_a_bad_list_item_is_pointed_at():
    (found,) = problems("rules:\n  - outcome: [busy, bsy]\n")
    assert found.startswith("x.yaml:2:21: rules #1 > outcome #2: must be one of success, partial")


def test_yaml_syntax_errors_have_a_line():
    (found,) = problems("name: x\nrules: [\n")
    assert found.startswith("x.yaml:3:1: the document: not valid YAML")


def test_duplicate_keys_are_refused():
    (found,) = problems("name: x\nrules: []\nname: y\n")
    assert found == "x.yaml:3:1: name: the key 'name' is written twice in the same mapping; keep one"


def test_json_is_accepted():
    scenario = load_text(
        json.dumps({"name": "j", "rules": [{"match": {"to": "1"}, "outcome": "busy"}]}), "j.json", VENDOR_MAP
    )
    assert scenario.rules[0].label == "j rule 1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list", "a scenario must be a mapping"),
        ("rules: [{match: {to: '1'}}]", "this rule does nothing"),
        ("rules: [{outcome: busy, webhook: {drop: true}}]", "split it into one rule for each"),
        ("rules: [{match: {attempt: 1}, fault: {status: 500}}]", "'attempt' cannot be matched in a fault rule"),
        ("rules: [{match: {to: '1'}, fault: {status: 500}}]", "must also name the operation"),
        ("rules: [{match: {operation: sendit}, fault: {status: 500}}]", "no operation 'sendit'"),
        ("rules: [{match: {vendor: nosuchvendor}, outcome: busy}]", "unknown vendor 'nosuchvendor'"),
        ("rules: [{match: {to: {regex: '('}}, outcome: busy}]", "not a valid regular expression"),
        ("rules: [{fault: {reset: before, status: 500}}]", "cannot have a status or body"),
        ("rules: [{fault: {latency: [2, 1]}}]", "low end of the range is above the high end"),
        ("rules: [{match: {nth: {from: 3, to: 2}}, outcome: busy}]", "'to' must not be smaller than 'from'"),
        ("rules: [{delays: {Sleeping: 3}}]", "no such state 'Sleeping'"),
        ("rules: [{match: {probability: 1.5}, outcome: busy}]", "must be at most 1"),
        ("timing: {callerip: {Loading: -1}}", "must be at least 0"),
        ("clock: {mode: manual, speed: 2}", "speed applies to the real clock only"),
        ("clock: {mode: manual, start: yesterday}", "not an ISO 8601 time"),
        ("inbound: [{vendor: callerip, to: '1', from: '2'}]", "CallerIP has no inbound faxes"),
        ("inbound: [{vendor: fake, to: '1'}]", "missing the key 'from'"),
        ("accounts: {callerip: [{line: x}]}", "not a valid callerip account: 'token' is a required property"),
        (
            "accounts: {faxplus: [{token: a}, {token: a}]}",
            "faxplus #2: not a valid faxplus account: the token 'a' is declared twice",
        ),
        ("accounts: {kazoo: [{name: acme}]}", "kazoo #1: not a valid kazoo account: give users"),
        ("steps: [{advance: 1, request: {path: /x}}]", "a step does exactly one of"),
        ("steps: [{advance: 1, expect: {status: 200}}]", "'expect' belongs to a request step"),
        ("steps: [{request: {path: x}}]", "must start with /"),
    ],
)
def test_each_check_speaks_plainly(text, message):
    assert any(message in p for p in problems(text)), problems(text)


# -- generated bad documents -----------------------------------------------------------

FREE_FORM = {"json", "options", "vendor_view", "received_json", "description", "name"}
OPAQUE_VALUES = {"form"}  # a form field may be a mapping of anything (sent as JSON), but not a list


def _containers(value, path=()):
    """Every mapping and list in a document, with its path (skipping free-form values)."""
    if isinstance(value, dict):
        yield path, value
        if path and path[-1] in OPAQUE_VALUES:
            return
        for key, item in value.items():
            if key not in FREE_FORM:
                yield from _containers(item, (*path, key))
    elif isinstance(value, list):
        yield path, value
        for index, item in enumerate(value):
            yield from _containers(item, (*path, index))


BASES = [json.loads(json.dumps(yaml.safe_load(p.read_text()))) for p in SHIPPED]
NOT_ANYTHING = [[["x"]]]  # a list of lists: valid nowhere outside free-form values


def broken_root(document):
    document["zzz_unknown"] = NOT_ANYTHING
    return document, ("zzz_unknown",)


@st.composite
def broken(draw):
    document = json.loads(json.dumps(draw(st.sampled_from(BASES))))
    containers = [(p, c) for p, c in _containers(document) if c]
    path, container = draw(st.sampled_from(containers))
    if isinstance(container, dict) and draw(st.booleans()):
        key = draw(st.sampled_from(["zzz_unknown", "Colour", "x-extra"]))
        container[key] = NOT_ANYTHING
        return document, (*path, key)
    keys = [k for k in container if k not in FREE_FORM] if isinstance(container, dict) else range(len(container))
    if not keys:
        return broken_root(document)
    index = draw(st.sampled_from(list(keys)))
    container[index] = NOT_ANYTHING
    return document, (*path, index)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken())
def test_generated_bad_documents_are_refused_at_the_right_place(case):
    document, where = case
    text = yaml.safe_dump(document, sort_keys=False)
    with pytest.raises(ScenarioError) as caught:
        load_text(text, "gen.yaml", VENDOR_MAP)
    found = caught.value.problems
    assert all(p.line is not None and p.source == "gen.yaml" for p in found)
    # at the broken value, inside it, or at the value that holds it (a list item, say)
    near = [p for p in found if where[: len(p.path)] == p.path or p.path[: len(where)] == where]
    assert near, ([str(p) for p in found], where)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["name", "rules", "match", "to", "fault", "outcome", "steps", "x"]), children, max_size=3
        )
    ),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None)
@given(yaml_values)
def test_any_document_is_either_a_scenario_or_readable_problems(value):
    try:
        load_text(yaml.safe_dump(value), "any.yaml", VENDOR_MAP)
    except ScenarioError as exc:
        assert exc.problems and all(str(p).startswith("any.yaml") for p in exc.problems)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_either_a_scenario_or_readable_problems(text):
    try:
        load_text(text, "t.yaml", VENDOR_MAP)
    except ScenarioError as exc:
        assert exc.problems
