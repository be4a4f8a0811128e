"""Which rule decides: first match wins, tenant scenarios first, magic numbers last."""

from __future__ import annotations

from tests.conftest import advance, runtime_of
from tests.scenarios.fake import NAME


async def send(client, to: str, token: str = "t", attempts: int = 1) -> str:
    response = await client.post("/fake/faxes", json={"to": to, "attempts": attempts}, headers={"X-Token": token})
    assert response.status == 201, await response.text()
    return (await response.json())["id"]


async def fax(client, fax_id: str) -> dict:
    return await (await client.get(f"/_emulator/faxes/{fax_id}")).json()


async def test_first_matching_rule_wins(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {name: exact, match: {to: "100"}, outcome: rejected}
  - {name: glob, match: {to: "1*"}, outcome: busy}
  - {name: regex, match: {to: {regex: "[0-9]+"}}, outcome: no_answer}
""")
    ids = [await send(client, to) for to in ("100", "150", "250", "abc")]
    await advance(client, 60)
    found = [(f["outcome"], f["rule"]) for f in [await fax(client, i) for i in ids]]
    assert found == [("rejected", "exact"), ("busy", "glob"), ("no_answer", "regex"), ("success", None)]


async def test_magic_numbers_decide_when_no_rule_matches(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {to: "999"}, outcome: busy}
""")
    magic = await send(client, "+12125550002")
    await advance(client, 60)
    detail = await fax(client, magic)
    assert detail["outcome"] == "no_answer" and detail["rule"].startswith("magic number *5550002")


async def test_tenant_scenario_rules_come_before_global_ones(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {name: global, match: {to: "5"}, outcome: busy}
""")
    response = await client.post(
        "/_emulator/scenario",
        params={"vendor": NAME, "tenant": "mine"},
        data="rules: [{name: mine, match: {to: '5'}, outcome: rejected}]",
    )
    assert response.status == 200, await response.text()
    mine, other = await send(client, "5", "mine"), await send(client, "5", "other")
    await advance(client, 60)
    assert (await fax(client, mine))["rule"] == "mine"
    assert (await fax(client, other))["rule"] == "global"


async def test_nth_counts_matches_an_earlier_rule_answered(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {name: first busy, match: {to: "7"}, outcome: busy, times: 1}
  - {name: second rejected, match: {to: "7", nth: 2}, outcome: rejected}
""")
    ids = [await send(client, "7") for _ in range(3)]
    await advance(client, 60)
    assert [(await fax(client, i))["rule"] for i in ids] == ["first busy", "second rejected", None]


async def test_per_attempt_outcomes_drive_retries(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {name: flaky, match: {to: "8"}, outcome: [busy, no_answer, success]}
""")
    fax_id = await send(client, "8", attempts=3)
    await advance(client, 120)
    detail = await fax(client, fax_id)
    assert [r["outcome"] for r in detail["attempt_results"]] == ["busy", "no_answer", "success"]
    assert detail["status"] == "sent" and detail["attempts"] == 3


async def test_attempt_number_matches(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {name: second try busy, match: {to: "9", attempt: 2}, outcome: busy}
  - {name: otherwise no answer, match: {to: "9", attempt: {from: 1, to: 3}}, outcome: no_answer}
""")
    fax_id = await send(client, "9", attempts=4)
    await advance(client, 200)
    results = (await fax(client, fax_id))["attempt_results"]
    assert [(r["outcome"], r["rule"]) for r in results] == [
        ("no_answer", "otherwise no answer"),
        ("busy", "second try busy"),
        ("no_answer", "otherwise no answer"),
        ("success", None),
    ]


async def test_a_native_status_is_final_and_named_by_the_vendor(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {to: "6"}, native: failed_special, outcome: busy}
""")
    fax_id = await send(client, "6", attempts=3)
    await advance(client, 120)
    detail = await fax(client, fax_id)
    assert detail["status"] == "failed_special" and detail["attempts"] == 1
    assert detail["attempt_results"][0]["native"] == "failed_special"


async def test_pages_sent_alone_means_partial(make_scenario_client):
    client = await make_scenario_client("""
rules:
  - {match: {to: "4"}, pages_sent: 2}
""")
    response = await client.post("/fake/faxes", json={"to": "4", "pages": 5}, headers={"X-Token": "t"})
    await advance(client, 60)
    detail = await fax(client, (await response.json())["id"])
    assert (detail["outcome"], detail["pages_sent"], detail["status"]) == ("partial", 2, "failed")


async def test_rule_delays_beat_timing_which_beats_the_vendor(make_scenario_client):
    client = await make_scenario_client("""
timing:
  fake: {queued: 10, sending: 20}
rules:
  - {match: {to: "3"}, delays: {sending: 100}}
  - {match: {to: "3"}, outcome: busy}
""")
    slow, normal = await send(client, "3"), await send(client, "2")
    await advance(client, 300)
    start = runtime_of(client).store.get(slow).created_at

    def offsets(detail: dict) -> list[float]:
        return [h["time"] - start for h in detail["history"]]

    slow_detail, normal_detail = await fax(client, slow), await fax(client, normal)
    # queued 10 (timing), converting 1 (vendor), sending: set-up from the rule or timing
    assert offsets(slow_detail) == [0, 10, 11, 111]  # busy: no page sent, so no per-page time
    assert offsets(normal_detail) == [0, 10, 11, 32]  # 20 s set-up + 1 s for the page
    assert slow_detail["outcome"] == "busy"  # a delays rule and an outcome rule both apply


async def test_removing_the_scenario_returns_to_magic_numbers(make_scenario_client):
    client = await make_scenario_client("rules: [{match: {to: '1'}, outcome: busy}]")
    assert (await client.delete("/_emulator/scenario")).status == 200
    fax_id = await send(client, "1")
    await advance(client, 60)
    assert (await fax(client, fax_id))["outcome"] == "success"
