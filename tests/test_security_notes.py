"""The README's security notes show every limit ``serve`` can change, with its default (issue
#17: the webhook target policy "shown in the README's security notes together with every
other limit (upload size, fetch hosts, journal size, scenario limits)"; the scenario limits
are checked by tests/scenarios/test_limits.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from emulator import cli

README = Path(__file__).parents[1].joinpath("README.md").read_text()
SECTION = README[README.index("## Security notes and limits") :]
SECTION = SECTION[: SECTION.index("\n## ", 1)]

#: each limit flag of ``serve``, and its default as the README's table writes it
LIMIT_FLAGS = {
    "--max-upload-mb": "50 MiB",
    "--retain-faxes": "50,000",
    "--retain-documents-mb": "100 MiB",
    "--allow-fetch": "loopback",
    "--webhook-hosts": "any host",
    "--journal-size": "10,000",
    "--webhook-log-size": "10,000",
    "--webhook-max-pending": "10,000",
    "--advance-wait": "5 wall seconds",
}


def serve_defaults() -> dict[str, object]:
    """``serve``'s options with their defaults, by flag."""
    args = vars(cli._parser().parse_args(["serve"]))
    return {"--" + name.replace("_", "-"): value for name, value in args.items()}


@pytest.mark.parametrize("flag", sorted(LIMIT_FLAGS))
def test_each_limit_flag_has_a_row_with_its_default(flag):
    rows = [line for line in SECTION.splitlines() if line.startswith("|") and f"`{flag}" in line]
    assert rows, f"no row of the README's limits table names {flag}"
    assert any(LIMIT_FLAGS[flag] in row for row in rows), (flag, rows)


def test_the_defaults_written_are_the_cli_defaults():
    defaults = serve_defaults()
    assert defaults["--max-upload-mb"] == 50
    assert defaults["--retain-faxes"] == 50_000
    assert defaults["--retain-documents-mb"] == 100
    assert defaults["--journal-size"] == defaults["--webhook-log-size"] == defaults["--webhook-max-pending"] == 10_000
    assert defaults["--advance-wait"] == 5.0
    assert not defaults["--allow-fetch"] and not defaults["--webhook-hosts"]  # loopback only; any webhook host


def test_every_limit_flag_of_serve_is_in_the_table():
    """A new flag named like a limit must be added to LIMIT_FLAGS (and so to the README)."""
    flags = {flag for flag in serve_defaults() if re.search(r"max|retain|size|allow|hosts|wait", flag)}
    assert flags == set(LIMIT_FLAGS)
