"""The README's Scenarios section names exactly what the emulator has: every operation of
every vendor (with its request), every state a scenario may time, every shipped scenario."""

from __future__ import annotations

import re
from pathlib import Path

from emulator.vendors import VENDORS
from tests.docs import section

ROOT = Path(__file__).parents[2]
README = ROOT.joinpath("README.md").read_text()
SECTION = section(README, "## Scenarios")


def _subsection(title: str) -> str:
    return section(SECTION, f"### {title}")


def test_the_operation_tables_list_exactly_every_vendors_operations_in_order():
    blocks = dict(
        re.findall(
            r"<summary>(.+?): \d+ operations</summary>(.*?)</details>", _subsection("Operation names"), re.DOTALL
        )
    )
    assert sorted(blocks) == sorted(v.title for v in VENDORS)
    for vendor in VENDORS:
        block = blocks[vendor.title]
        assert f"<summary>{vendor.title}: {len(vendor.operations)} operations</summary>" in SECTION
        rows = re.findall(r"^\| `(\w+)` \| `(\w+) (\S+)` \|$", block, re.MULTILINE)
        documented = [(name, method, path) for name, method, path in rows]
        actual = [
            (name, method, vendor.prefix + re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path))
            for method, path, _, name in vendor.routes
        ]
        assert documented == actual, vendor.name


def test_the_state_table_lists_every_state_a_scenario_can_time():
    rows = dict(re.findall(r"^\| (\w+) \| (`.+?`) \|", _subsection("State names"), re.MULTILINE))
    assert sorted(rows) == sorted(v.name for v in VENDORS)
    for vendor in VENDORS:
        machine = vendor.machine
        assert re.findall(r"`(\w+)`", rows[vendor.name]) == [*machine.prepare, machine.transmit]


def test_the_ready_made_list_names_every_shipped_scenario_once():
    listed = re.findall(r"^\| `([\w-]+)` \| ", _subsection("Ready-made scenarios"), re.MULTILINE)
    shipped = sorted(p.stem for p in ROOT.joinpath("scenarios").glob("*.yaml"))
    assert sorted(listed) == shipped
