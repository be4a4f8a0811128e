"""serve --data: what a commit costs does not grow with what the journal holds."""

from __future__ import annotations

from emulator.core import journal as journal_module
from tests.conftest import runtime_of
from tests.vendors.callerip.test_flow import send_form


async def test_a_commit_settles_only_the_journal_entries_it_writes(make_client, tmp_path, monkeypatch):
    """Each commit made the journal's whole state and threw its entries away (it wanted their
    numbering): 10,000 entries settled one by one, a commit, once the ring was full."""
    client = await make_client(data=str(tmp_path / "state.sqlite"), journal_size=2000)
    for _ in range(3):
        assert (await client.post("/api/fax/send", data=send_form())).status == 200
    journal = runtime_of(client).journal
    entry = journal.requests[-1]
    for _ in range(2000):  # the ring full of entries already written, as after a long load
        journal.record(*entry[1:12])
    assert (await client.post("/api/fax/send", data=send_form())).status == 200  # (commits the filler)

    settled = journal_module.settled
    calls = []
    monkeypatch.setattr(journal_module, "settled", lambda fields: calls.append(1) or settled(fields))
    assert (await client.post("/api/fax/send", data=send_form())).status == 200
    assert 1 <= len(calls) <= 5  # the send's own entry (and any the commit found new), not 2,000
