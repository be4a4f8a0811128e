"""Seeded probability: the same seed gives the same sequence, every time."""

from __future__ import annotations

from tests.conftest import advance, runtime_of
from tests.scenarios.test_precedence import fax, send

SCENARIO = """
seed: {seed}
rules:
  - {{name: coin, match: {{to: "5", probability: 0.5}}, outcome: busy}}
"""


async def outcomes(client, count: int = 24) -> list[str]:
    ids = [await send(client, "5") for _ in range(count)]
    await advance(client, 60)
    return [(await fax(client, i))["outcome"] for i in ids]


async def test_the_same_seed_gives_the_same_sequence_twice(make_scenario_client):
    first = await outcomes(await make_scenario_client(SCENARIO.format(seed=42)))
    second = await outcomes(await make_scenario_client(SCENARIO.format(seed=42), seed=999))
    assert first == second
    assert 4 <= first.count("busy") <= 20  # it is a coin, not a constant


async def test_another_seed_gives_another_sequence(make_scenario_client):
    first = await outcomes(await make_scenario_client(SCENARIO.format(seed=42)))
    other = await outcomes(await make_scenario_client(SCENARIO.format(seed=43)))
    assert first != other


async def test_applying_again_starts_the_sequence_again(make_scenario_client):
    text = SCENARIO.format(seed=7)
    client = await make_scenario_client(text)
    first = await outcomes(client, 10)
    assert (await client.post("/_emulator/scenario", data=text)).status == 200
    assert await outcomes(client, 10) == first


async def test_without_a_seed_the_emulator_seed_decides(make_scenario_client):
    text = "rules: [{match: {to: '5', probability: 0.5}, outcome: busy}]"
    first = await outcomes(await make_scenario_client(text, seed=5))
    second = await outcomes(await make_scenario_client(text, seed=5))
    assert first == second
    assert runtime_of(await make_scenario_client(text, seed=5)).scenarios.active.scenario.seed is None
