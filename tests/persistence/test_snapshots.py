"""Snapshots through HTTP: GET /_emulator/state, then PUT it back after a reset, and every
fax of every vendor goes on exactly as it would have, its webhooks arrive, and ids made
afterwards are the ones an emulator that never stopped makes (none repeats)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from emulator.testing import ControlError, FaxEmulator
from tests.properties.vendors import DRIVERS

START = 1_767_225_600.0
#: last seven digits: succeeds; busy, then retried; no answer (README "Magic destination numbers")
NUMBERS = ("5550100", "5550002", "5550003")


def _traffic(emulator: FaxEmulator, hooks: str) -> dict[str, Any]:
    drivers = {name: driver(emulator, "snap") for name, driver in sorted(DRIVERS.items())}
    for driver in drivers.values():
        driver.subscribe(hooks)
        for suffix in NUMBERS:
            driver.send(driver.destination(suffix), 2)
    emulator.client.load_scenario(
        {"name": "snap", "rules": [{"match": {"to": "*5550003"}, "outcome": ["busy", "success"], "times": 1}]}
    )
    return drivers


def _seen(emulator: FaxEmulator, receiver: Any) -> dict[str, Any]:
    faxes = emulator.client.call("GET", "/faxes")["faxes"]
    bodies = sorted(
        r.path + json.dumps(r.json(), sort_keys=True).replace(receiver.root, "RECEIVER") for r in receiver.received
    )
    return {"faxes": faxes, "webhooks": bodies, "emails": emulator.client.call("GET", "/emails")}


def test_a_snapshot_taken_part_way_goes_on_exactly_as_the_emulator_would_have():
    runs = {}
    for label in ("kept", "restored"):
        with FaxEmulator(seed=99, start_time=START) as emulator:
            receiver = emulator.receiver()
            drivers = _traffic(emulator, receiver.url)
            emulator.client.advance(25)  # part way: some faxes transmitting, some retrying
            if label == "restored":
                snapshot = emulator.client.export_state()
                assert (snapshot["format"], snapshot["version"]) == ("fax-emulator/state", 1)
                assert emulator.client.reset() > 0 and emulator.client.faxes() == []
                emulator.client.clear_scenario()
                held = emulator.client.import_state(json.loads(json.dumps(snapshot)))
                assert held["faxes"] == 4 * len(NUMBERS) and held["restored"]
            before_ids = {f.id for f in emulator.client.faxes()}
            emulator.client.advance(3600, webhook_wait=10)
            receiver.wait_for(len(receiver.received))
            seen = _seen(emulator, receiver)
            later = {name: driver.send(driver.destination("5550100"), 0) for name, driver in drivers.items()}
            assert not set(later.values()) & before_ids  # new ids never repeat one held
            runs[label] = (seen, later)
    kept, restored = runs["kept"], runs["restored"]
    assert all(f["ended_at"] is not None for f in restored[0]["faxes"])
    assert restored[0]["faxes"] == kept[0]["faxes"]
    assert restored[0]["webhooks"] == kept[0]["webhooks"] and kept[0]["webhooks"]
    assert restored[0]["emails"] == kept[0]["emails"]
    assert restored[1] == kept[1]  # the id streams went on where they stood


@pytest.fixture(scope="module")
def emulator():
    with FaxEmulator(seed=5, start_time=START) as emulator:
        drivers = {name: driver(emulator, "bad") for name, driver in DRIVERS.items()}
        for driver in drivers.values():
            driver.send(driver.destination("5550100"), 0)
        emulator.client.advance(5)
        yield emulator


def _refused(emulator: FaxEmulator, snapshot: Any) -> str:
    with pytest.raises(ControlError) as refused:
        emulator.client.import_state(snapshot if isinstance(snapshot, bytes) else json.dumps(snapshot).encode())
    assert refused.value.status == 400
    return refused.value.message


def _broken(snapshot: dict[str, Any], change: Any) -> dict[str, Any]:
    broken = copy.deepcopy(snapshot)
    change(broken)
    return broken


def test_a_bad_snapshot_is_refused_with_why_and_nothing_is_lost(emulator):
    snapshot = emulator.client.export_state()
    cases = {
        b"{not json": "not JSON",
        b"[" * 100_000: "not JSON",  # past orjson's depth: json's fallback recursed, a 500
        b'{"a":' * 50_000: "not JSON",
        json.dumps({"format": "something else"}).encode(): "not a snapshot",
        json.dumps({**snapshot, "version": 2}).encode(): "version 2",
        json.dumps({k: v for k, v in snapshot.items() if k != "faxes"}).encode(): "no faxes",
    }
    for raw, why in cases.items():
        assert why in _refused(emulator, raw)

    def foreign_class(s):
        s["faxes"][0]["fax"] = {"$type": "os:system", "fields": {}}

    def unknown_tenant(s):
        s["tenants"] = s["tenants"][1:]

    def wrong_clock(s):
        s["clock"]["mode"] = "real"

    def bad_document(s):
        s["faxes"][1]["fax"]["documents"] = [{"$bytes": "***"}]

    def twice(s):
        s["faxes"].append(s["faxes"][0])

    for change, why in (
        (foreign_class, "faxes[0].fax: 'os:system' is not one of the emulator's records"),
        (unknown_tenant, "is not in tenants"),
        (wrong_clock, "start it with --clock real"),
        (bad_document, "faxes[1].fax.documents[0]: not base64"),
        (twice, "is another fax's too"),
    ):
        assert why in _refused(emulator, _broken(snapshot, change))
    assert emulator.client.export_state() == snapshot  # every refusal left the state as it was


def test_a_snapshot_keeps_scenarios_with_their_counters_and_the_journal(emulator):
    emulator.client.load_scenario(
        {"name": "counted", "seed": 3, "rules": [{"match": {"to": "*5550100"}, "outcome": "busy", "times": 1}]}
    )
    driver = DRIVERS["callerip"](emulator, "counted")
    driver.send(driver.destination("5550100"), 0)  # uses the rule up
    snapshot = emulator.client.export_state()
    journal = emulator.client.requests()
    emulator.client.reset()
    emulator.client.clear_scenario()
    emulator.client.import_state(snapshot)
    scenario = emulator.client.call("GET", "/scenario")["scenario"]
    assert scenario["name"] == "counted" and scenario["rules"][0]["used"] == 1
    assert emulator.client.requests() == journal
    sent = driver.send(driver.destination("5550100"), 0)
    emulator.client.advance(300)
    assert emulator.client.fax(sent).status == "Success"  # the rule stays used up
    emulator.client.clear_scenario()


def test_the_cli_exports_a_running_emulators_state_to_a_file_and_imports_it_back(emulator, tmp_path, capsys):
    from emulator.cli import main

    held = [f.id for f in emulator.client.faxes()]
    path = tmp_path / "state.json"
    assert main(["state", "export", str(path), "--url", emulator.url]) == 0
    assert json.loads(path.read_bytes())["format"] == "fax-emulator/state"
    emulator.client.reset()
    assert main(["state", "import", str(path), "--url", emulator.url]) == 0
    assert [f.id for f in emulator.client.faxes()] == held
    path.write_text('{"format": "fax-emulator/state", "version": 9}')
    assert main(["state", "import", str(path), "--url", emulator.url]) == 1
    assert "refused it: snapshot version 9" in capsys.readouterr().err
    assert [f.id for f in emulator.client.faxes()] == held


#: accounts each vendor can declare, with the fields its check completes left out (null, a
#: default) and given, so that what it completed must be taken back as it is
DECLARED = {
    "faxplus": [
        {"token": "alohi_pat_acme_admin", "account": "acme", "type": "corporate_admin"},
        {"token": "alohi_pat_acme_clerk", "account": "acme", "type": "corporate_member", "member": 2},
        {"token": "alohi_pat_acme_reader", "account": "acme", "type": "corporate_member", "scopes": ["fax:fax:read"]},
        {"token": "corp_member1_globex"},
        {"token": "solo~fax:fax:read"},
    ],
    "kazoo": [
        {"name": "globex", "api_key": "a" * 64},
        {"name": "acme", "users": [{"username": "a", "password": "p"}], "numbers": ["+14155550100"]},
    ],
    "imagicle": [
        {"name": "ann", "password": "p"},
        {"name": "bob", "password": "p", "level": 10, "groups": ["sales"], "email": "bob@example.com"},
        {"name": "cy", "password": "p", "faxNumber": "+14155550100", "send": False},
    ],
    "callerip": [{"token": "line-7"}, {"token": "t", "line": "shared"}],
}


@pytest.mark.parametrize("vendor", sorted(DECLARED))
def test_declared_accounts_come_back_from_a_snapshot_as_they_were(vendor):
    with FaxEmulator(seed=1, start_time=START) as emulator:
        declared = emulator.client.call("PUT", f"/accounts/{vendor}", {"accounts": DECLARED[vendor]})["accounts"]
        snapshot = emulator.client.export_state()
        emulator.client.call("PUT", f"/accounts/{vendor}", {"accounts": []})
        emulator.client.import_state(snapshot)  # what the vendor's check completed, taken back
        assert emulator.client.call("GET", f"/accounts/{vendor}")["accounts"] == declared
