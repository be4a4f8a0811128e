"""Hostile scenarios stay cheap: alias bombs, catastrophic regexes and oversized documents
are refused (or matched in linear time) through files, the control API and the CLI.

Each attack below once hung the emulator (issue #17). A test that regressed would not fail
on a timing threshold: it would hang, so each HTTP call runs under a generous guard.
"""

from __future__ import annotations

import asyncio
import fnmatch
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator import cli
from emulator.core.documents import make_pdf
from emulator.core.scenarios import ScenarioError, load_files, load_text
from emulator.core.scenarios.limits import LIMITS
from emulator.core.scenarios.match import Pattern, compile_glob
from emulator.core.scenarios.source import TOO_DEEP, TOO_LONG_INTEGER
from tests.scenarios.conftest import ALL

VENDOR_MAP = {v.name: v for v in ALL}
README = Path(__file__).parents[2].joinpath("README.md").read_text()
GUARD = 10  # seconds: far beyond what any of these takes now, far below what they took before


def laughs(levels: int = 8, width: int = 9, where: str = "name") -> str:
    """The 459-byte "billion laughs" of issue #17: each level repeats the one before ``width`` times."""
    lines = ['a0: &a0 ["x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "\n".join([*lines, f"{where}: *a{levels}"]) + "\n"


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_text(text, "x.yaml", VENDOR_MAP)
    return [str(p) for p in caught.value.problems]


# -- aliases ------------------------------------------------------------------------------


def test_an_alias_bomb_is_refused_at_the_alias_that_crosses_the_limit():
    text = laughs()
    assert len(text.encode()) < 500
    (found,) = problems(text)
    # a4 stands for 13,942 values, so a5 (nine of them) for 125,479: refused where a5 is written
    assert found == (
        f"x.yaml:6:5: the document: more than {LIMITS.values:,} values (every alias counted as all it "
        "repeats): too big to be a scenario"
    )


def test_a_million_aliased_patterns_in_match_to_are_refused():
    anchors = ['x0: &p0 ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]']
    anchors += [f"x{i}: &p{i} [" + ", ".join([f"*p{i - 1}"] * 10) + "]" for i in range(1, 6)]
    text = "\n".join([*anchors, "rules:", "  - match: {to: *p5}", "    outcome: busy"]) + "\n"
    (found,) = problems(text)
    assert "more than 100,000 values" in found


def test_an_alias_inside_its_own_anchor_is_refused():
    (found,) = problems("name: x\nrules: &r [*r]\n")
    assert found == (
        "x.yaml:2:8: the document: this value holds an alias to itself, which would make the document endless"
    )


def test_aliases_that_stay_within_the_limits_still_work():
    scenario = load_text(
        """
rules:
  - &busy {name: first, outcome: busy, match: {vendor: callerip}}
  - {<<: *busy, name: second}
""",
        "x.yaml",
        VENDOR_MAP,
    )
    assert [r.label for r in scenario.rules] == ["first", "second"]


def test_nesting_past_the_depth_limit_is_refused_in_yaml_and_in_json():
    (found,) = problems("name: x\nrules: " + "[" * 100 + "]" * 100 + "\n")
    assert found.startswith("x.yaml:2:") and found.endswith(f": the document: {TOO_DEEP}")
    (found,) = problems("name: x\nrules: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert found.startswith("x.yaml:2:") and ("nested too deeply" in found or "maximum nesting depth" in found)
    deep_json = '{"name": "x",\t"rules": ' + "[" * 100_000 + "]" * 100_000 + "}"  # the tab: YAML refuses, JSON reads
    assert any("nested too deeply" in p or "not valid YAML" in p for p in problems(deep_json))
    shallow_but_deep_enough = '{"name": "x",\t"rules": ' + "[" * 100 + "]" * 100 + "}"
    assert any("nested too deeply" in p for p in problems(shallow_but_deep_enough))


def test_an_integer_past_pythons_digit_limit_is_refused_where_it_is_written():
    """PyYAML's int() of it raised ValueError: POST /_emulator/scenario answered a 500 (found by a probe)."""
    digits = "1" + "0" * 5_000
    assert problems(f"name: x\nseed: {digits}\n") == [f"x.yaml:2:7: the document: {TOO_LONG_INTEGER}"]
    (found,) = problems(f'{{"name": "x", "steps": [{{"advance": {digits}}}]}}')
    assert found.endswith(TOO_LONG_INTEGER)
    assert load_text("name: x\nseed: " + "9" * 4_000 + "\n", "x.yaml", VENDOR_MAP).seed is not None  # within it: read


async def test_the_control_api_refuses_an_alias_bomb_and_keeps_answering(make_scenario_client):
    client = await make_scenario_client()

    async def post() -> tuple[int, dict]:
        response = await client.post("/_emulator/scenario", data=laughs().encode())
        return response.status, await response.json()

    status, body = await asyncio.wait_for(post(), GUARD)
    assert status == 400
    (problem,) = body["error"]["detail"]["problems"]
    assert (problem["source"], problem["line"], problem["column"]) == ("POST /_emulator/scenario", 6, 5)
    health = await asyncio.wait_for(client.get("/_emulator/health"), GUARD)
    assert health.status == 200


async def test_a_scenario_is_read_off_the_event_loop(make_scenario_client, monkeypatch, tmp_path):
    from emulator.core.scenarios import load
    from tests.scenarios import slow_read

    client = await make_scenario_client()
    # the read (in a worker) starts, then waits until the health check has been answered
    monkeypatch.setattr(load, "load_text", slow_read.read_when_released)
    started, release = tmp_path / "started", tmp_path / "release"
    text = f"name: slow\n{slow_read.STARTED}{started}\n{slow_read.RELEASE}{release}\n"
    posting = asyncio.ensure_future(client.post("/_emulator/scenario", data=text.encode()))
    while not started.exists():
        await asyncio.sleep(0.01)
    health = await asyncio.wait_for(client.get("/_emulator/health"), GUARD)
    release.touch()
    assert health.status == 200
    posted = await asyncio.wait_for(posting, GUARD)
    assert posted.status == 200 and (await posted.json())["scenario"]["name"] == "slow"


async def test_a_scenario_read_past_the_workers_time_limit_is_refused(make_scenario_client, monkeypatch, tmp_path):
    from emulator.core.scenarios import load
    from emulator.core.work import Limits
    from tests.scenarios import slow_read

    client = await make_scenario_client(work=Limits(timeout=0.5))
    monkeypatch.setattr(load, "load_text", slow_read.read_when_released)
    text = f"name: slow\n{slow_read.STARTED}{tmp_path / 'started'}\n{slow_read.RELEASE}{tmp_path / 'never'}\n"
    response = await asyncio.wait_for(client.post("/_emulator/scenario", data=text.encode()), GUARD)
    body = await response.json()
    assert (response.status, body["error"]["code"]) == (400, "invalid_scenario")
    assert "within the worker's limits" in body["error"]["message"]
    assert (await client.get("/_emulator/scenario")).status == 200


async def test_a_posted_scenario_cannot_read_a_document_from_the_emulators_disk(make_scenario_client, tmp_path):
    from emulator.core.documents import make_pdf

    secret = tmp_path / "secret.pdf"
    secret.write_bytes(make_pdf(1))
    client = await make_scenario_client()
    text = f'inbound:\n  - {{vendor: fake, to: "1", from: "2", document: "{secret}"}}\n'
    response = await client.post("/_emulator/scenario", data=text.encode())
    (problem,) = (await response.json())["error"]["detail"]["problems"]
    assert response.status == 400 and problem["path"] == "inbound #1 > document"
    assert "a posted scenario cannot read the emulator's disk" in problem["message"]


# -- regular expressions -------------------------------------------------------------------


def test_a_catastrophic_regex_matches_in_linear_time():
    pattern = Pattern.parse({"regex": "(a+)+b"})  # Python's re takes ~6 s at 26 "a"s, doubling with each
    longest = LIMITS.matched_length - 1
    assert not pattern("a" * longest + "!")
    assert pattern("a" * longest + "b")


def test_regexes_and_globs_look_at_values_up_to_the_length_limit_only():
    # linear is not enough: a thousand patterns reading a megabyte each took 6 s
    pattern = Pattern.parse([{"regex": "[0-9]*x"}, "1*", "1" * 20_000])
    assert pattern("1" * LIMITS.matched_length) and not pattern("1" * (LIMITS.matched_length + 1))
    assert pattern("1" * 20_000)  # exact patterns still match a value of any length


def test_a_value_with_a_lone_surrogate_is_matched_not_refused():
    # aiohttp decodes undecodable bytes in a path or header with surrogateescape; RE2 takes UTF-8
    pattern = Pattern.parse([{"regex": "line-.*"}, "x*"])
    assert pattern("line-\udcff") and not pattern("other-\udcff")


async def test_a_catastrophic_tenant_regex_does_not_stall_requests(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {name: evil, match: {tenant: {regex: "(a+)+b"}}, fault: {status: 500}}
""")
    token = "a" * 5_000 + "!"
    response = await asyncio.wait_for(client.get("/api/fax/status", params={"token": token, "uuid": "u"}), GUARD)
    assert response.status == 404  # no such fax: the rule did not match, and the answer came at once
    hit = await client.get("/api/fax/status", params={"token": "aab", "uuid": "u"})
    assert hit.status == 500


async def test_a_catastrophic_destination_regex_does_not_stall_a_send(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {name: evil, match: {operation: send, to: {regex: "([0-9]+)+#"}}, fault: {status: 400}}
""")
    number = "1" * 5_000 + "!"
    response = await asyncio.wait_for(client.post("/fake/faxes", json={"to": number}, headers={"X-Token": "t"}), GUARD)
    assert response.status == 201


async def test_a_catastrophic_destination_regex_on_imagicles_unbounded_numbers_does_not_stall_a_send(
    make_scenario_client,
):
    # issue #17 item 2: 24 digits and "#" took 1.6 s, doubling with each digit (a number that
    # almost matches: digits, then not "#"); Imagicle's schema takes up to 50 characters
    from tests.vendors.imagicle.stonefax import StoneFax, fax

    client = await make_scenario_client("""
rules:
  - {name: evil, match: {vendor: imagicle, to: {regex: "([0-9]+)+#"}}, outcome: busy}
""")
    number = "1" * 48 + ","
    stonefax = StoneFax(client)
    [fax_id] = await asyncio.wait_for(stonefax.ids(fax(number), [("a.pdf", make_pdf(1))]), GUARD)
    await client.post("/_emulator/clock/run-until-idle")
    assert (await stonefax.outbound_fax(fax_id))["status"] == "Completed"  # the rule did not match


@pytest.mark.parametrize(
    ("regex", "why"),
    [
        (r"(a)\1", "backreferences"),
        (r"a(?=b)", "lookahead"),
        (r"(?<!a)b", "lookbehind"),
        (r"a\Z", "\\z"),
    ],
)
def test_a_regex_re2_cannot_run_is_refused_at_its_line_with_why(regex, why):
    (found,) = problems("name: x\nrules:\n  - match: {to: {regex: " + json.dumps(regex) + "}}\n    outcome: busy\n")
    assert found.startswith("x.yaml:3:25: rules #1 > match > to > regex: not a valid regular expression: ")
    assert why in found and "RE2" in found


def test_a_regex_or_glob_past_the_length_limit_is_refused():
    long = "a" * (LIMITS.pattern_length + 1)
    found = problems(f"rules:\n  - match: {{to: [{{regex: {long}}}, '{long}*']}}\n    outcome: busy\n")
    assert [p.split(": ", 2)[1:] for p in found] == [
        [
            "rules #1 > match > to #1 > regex",
            f"not a valid regular expression: longer than {LIMITS.pattern_length:,} characters",
        ],
        ["rules #1 > match > to #2", f"not a valid glob: longer than {LIMITS.pattern_length:,} characters"],
    ]


def test_a_glob_or_regex_of_the_longest_length_allowed_compiles():
    glob = "[!a-z]" + "?" * (LIMITS.pattern_length - 7) + "*"
    pattern = Pattern.parse([{"glob": glob}, {"regex": "a" * LIMITS.pattern_length}])
    assert pattern("1" + "b" * LIMITS.pattern_length) and pattern("a" * LIMITS.pattern_length)
    assert not pattern("b" * LIMITS.pattern_length)


def test_a_regex_that_needs_too_much_memory_is_refused():
    (found,) = problems("rules:\n  - match: {to: {regex: '((((.{100}){100}){100}){100})'}}\n    outcome: busy\n")
    assert "not a valid regular expression" in found


GLOB_ALPHABET = "ab-!^[]*?\\&~|é"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.text(GLOB_ALPHABET, max_size=8),
    st.lists(st.text(GLOB_ALPHABET.replace("*", "").replace("?", "") + "\n", max_size=6), min_size=1, max_size=8),
)
def test_globs_mean_what_fnmatch_means(glob, values):
    compiled = compile_glob(glob)
    for value in values:
        assert (compiled.fullmatch(value) is not None) == fnmatch.fnmatchcase(value, glob), (glob, value)


# -- sizes -----------------------------------------------------------------------------------


def _rules(count: int, match: str = "{vendor: callerip}") -> str:
    return "rules:\n" + "".join(f"  - {{match: {match}, outcome: busy}}\n" for _ in range(count))


def test_more_rules_than_the_limit_are_refused_before_validation():
    (found,) = problems(_rules(LIMITS.rules + 1))
    assert found == f"x.yaml:2:3: rules: {LIMITS.rules + 1:,} rules; a scenario may have at most {LIMITS.rules:,}"
    assert len(load_text(_rules(LIMITS.rules), "x.yaml", VENDOR_MAP).rules) == LIMITS.rules


def test_more_patterns_or_regexes_than_the_limits_are_refused():
    per_rule = LIMITS.patterns // 100 + 1
    exact = "{to: [" + ", ".join(f"'{n}'" for n in range(per_rule)) + "]}"
    (found,) = problems(_rules(100, exact))
    assert f"{per_rule * 100:,} patterns in match conditions; a scenario may have at most {LIMITS.patterns:,}" in found
    (found,) = (
        problems(_rules(LIMITS.regexes + 1, "{to: '1*'}"))
        if LIMITS.regexes < LIMITS.rules
        else problems(_rules(LIMITS.regexes // 2 + 1, "{to: ['1*', '2*']}"))
    )
    assert f"regexes and globs in match conditions; a scenario may have at most {LIMITS.regexes:,}" in found


def test_more_inbound_faxes_than_the_limit_are_refused():
    (found,) = problems(
        f"inbound: [{{vendor: fake, to: '1', from: '2', count: 6000}}, "
        f"{{vendor: fake, to: '1', from: '2', count: {LIMITS.inbound_faxes - 5999}}}]\n"
    )
    assert f"{LIMITS.inbound_faxes + 1:,} inbound faxes; a scenario may make at most" in found


def test_more_accounts_than_the_limit_are_refused():
    tokens = ", ".join(f"{{token: t{i}}}" for i in range(LIMITS.accounts + 1))
    (found,) = problems(f"accounts:\n  faxplus: [{tokens}]\n")
    assert found == (
        f"x.yaml:2:12: accounts > faxplus: {LIMITS.accounts + 1:,} faxplus accounts; a scenario may "
        f"declare at most {LIMITS.accounts:,}"
    )


def test_composed_files_are_held_to_the_same_limits(tmp_path):
    half = LIMITS.rules // 2 + 1
    paths = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for path in paths:
        path.write_text(_rules(half))
    with pytest.raises(ScenarioError) as caught:
        load_files([str(p) for p in paths], VENDOR_MAP)
    assert [str(p) for p in caught.value.problems] == [
        f"{paths[0]} + {paths[1]}: rules: {2 * half:,} rules; a scenario may have at most {LIMITS.rules:,} "
        "(all files together)"
    ]


def test_composed_accounts_are_counted_before_the_vendor_checks_them_together(tmp_path):
    half = LIMITS.accounts // 2 + 1
    paths = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for which, path in enumerate(paths):
        tokens = ", ".join(f"{{token: t{which}-{i}}}" for i in range(half))
        path.write_text(f"accounts:\n  faxplus: [{tokens}]\n")
    with pytest.raises(ScenarioError) as caught:
        load_files([str(p) for p in paths], VENDOR_MAP)
    assert [str(p) for p in caught.value.problems] == [
        f"{paths[0]} + {paths[1]}: accounts > faxplus: {2 * half:,} faxplus accounts; a scenario may declare at "
        f"most {LIMITS.accounts:,} (all files together)"
    ]


def test_a_document_past_the_byte_limit_is_refused_unread(tmp_path):
    text = "description: '" + "x" * LIMITS.bytes + "'\n"
    (found,) = problems(text)
    assert found == f"x.yaml: the document: larger than {LIMITS.bytes:,} bytes, the most a scenario may be"
    path = tmp_path / "big.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match="larger than"):
        load_files([str(path)])


def test_the_cli_refuses_an_oversized_or_aliased_file(tmp_path, capsys):
    bomb, big = tmp_path / "bomb.yaml", tmp_path / "big.yaml"
    bomb.write_text(laughs())
    big.write_text(_rules(LIMITS.rules + 1))
    assert cli.main(["validate", str(bomb), str(big)]) == 1
    out = capsys.readouterr().err
    assert f"{bomb}:6:5:" in out and "more than 100,000 values" in out
    assert f"{big}:2:3: rules: {LIMITS.rules + 1:,} rules" in out


async def test_the_control_api_refuses_a_body_past_the_byte_limit(make_scenario_client):
    client = await make_scenario_client()
    response = await client.post("/_emulator/scenario", data=io.BytesIO(b"#" * (LIMITS.bytes + 1)))
    assert response.status == 413
    assert str(LIMITS.bytes) in (await response.json())["error"]["message"]


async def test_a_60000_rule_scenario_posted_is_refused_at_once_and_the_emulator_keeps_answering(
    make_scenario_client,
):
    """Issue #17 item 3: a 60,000-rule scenario once took 47 s of the event loop. Written out it
    is past the byte limit (413); squeezed under it with an alias it is past the value limit (400)."""
    client = await make_scenario_client()
    written_out = _rules(60_000).encode()
    squeezed = (
        "rule: &r {match: {vendor: callerip}, outcome: busy}\nrules: [" + ", ".join(["*r"] * 60_000) + "]\n"
    ).encode()
    assert len(written_out) > LIMITS.bytes >= len(squeezed)
    for body, status in ((written_out, 413), (squeezed, 400)):
        response = await asyncio.wait_for(client.post("/_emulator/scenario", data=io.BytesIO(body)), GUARD)
        assert response.status == status, await response.text()
        health = await asyncio.wait_for(client.get("/_emulator/health"), GUARD)
        assert health.status == 200
    assert (await (await client.get("/_emulator/scenario")).json())["active"] is False


def test_a_document_of_schema_errors_lists_the_first_hundred_and_stops():
    found = problems("rules:\n" + "  - {outcome: nope}\n" * 900)
    assert len(found) == LIMITS.problems + 1
    assert found[0] == f"x.yaml:1:1: the document: and more problems (only the first {LIMITS.problems} are listed)"


# -- the README ------------------------------------------------------------------------------


def test_the_readme_states_every_scenario_limit():
    section = README[README.index("## Security notes and limits") :]
    section = section[: section.index("\n## ", 1)]
    for name in LIMITS.__slots__:
        value = getattr(LIMITS, name)
        shown = f"{value // 1024:,} KiB" if name in ("regex_memory", "bytes", "matched_length") else f"{value:,}"
        assert re.search(rf"^\| scenario: .*\| {re.escape(shown)}\b", section, re.MULTILINE), (name, shown)
