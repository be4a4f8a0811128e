"""Every FAX.PLUS fax status is reachable and the SDK deserialises each one (faxplus.md §4)."""

from __future__ import annotations

from faxplus.models import FaxStatus

from emulator.core.outcomes import Outcome, Result
from emulator.core.run import Run
from emulator.testing import FaxEmulator
from emulator.vendors.faxplus.lifecycle import FAX_STATUSES, MACHINE
from tests.vendors.faxplus.sdk import Sdk


class NamedStatus:
    """A test policy: each destination ends in the FAX.PLUS status named for it."""

    def __init__(self, statuses: dict[str, str]) -> None:
        self.statuses = statuses

    def attempt(self, run: Run, attempt: int) -> Result:
        status = self.statuses[run.fax.to]
        if status == "success":
            return Result(Outcome.SUCCESS, native=status)
        return Result(Outcome.PARTIAL if status.startswith("partially") else Outcome.REJECTED, native=status)

    def dwell(self, run: Run, state: str, default: float) -> float:
        return default


def test_the_emulator_knows_exactly_the_sdk_statuses():
    assert set(FAX_STATUSES) == {member.value for member in FaxStatus}
    assert MACHINE.terminal - {"cancelled"} == set(FAX_STATUSES)


def test_every_status_named_by_a_policy_reaches_the_sdk(sdk: Sdk, emulator: FaxEmulator):
    statuses = {f"+1212555{index:04d}": status for index, status in enumerate(FAX_STATUSES, start=200)}
    emulator.call(lambda: setattr(emulator.runtime.engine, "policy", NamedStatus(statuses)))
    ids = sdk.send(list(statuses), [sdk.upload(4)])
    assert len(ids) == 23
    emulator.client.run_until_idle()
    records = sdk.faxes.list_faxes("self", limit=50).data.records
    assert {r.to: r.status for r in records} == statuses
    for record in records:
        fetched = sdk.faxes.get_fax("self", record.id)
        assert fetched.status == statuses[fetched.to]
        expected_pages = {"success": 4}.get(fetched.status, 2 if fetched.status.startswith("partially") else 0)
        assert fetched.cost == expected_pages


def test_neutral_outcomes_map_to_documented_statuses(sdk: Sdk, emulator: FaxEmulator):
    expected = {
        "+12125550100": "success",
        "+12125550001": "failed_user_busy",
        "+12125550002": "failed_no_answer",
        "+12125550003": "failed_unallocated_number",
        "+12125550004": "partially_sent",
        "+12125550005": "failed_convert_to_tiff_issue",
        "+12125550006": "failed_fs_2",
        "+12125550007": "failed_normal_temporary_failure",
        "+12125550008": "insufficient_credit",
        "+12125550009": "failed_destination_not_supported",
        "+12125550010": "failed_internal_process_error",
    }
    sdk.send(list(expected), [sdk.upload(2)])
    emulator.client.run_until_idle()
    records = sdk.faxes.list_faxes("self", limit=50).data.records
    assert {r.to: r.status for r in records} == expected
    partial = next(r for r in records if r.status == "partially_sent")
    assert partial.pages == 2 and partial.cost == 1
