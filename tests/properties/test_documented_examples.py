"""The example payloads the vendor references quote validate against our schemas.

The examples are copied into ``examples/`` (its README says from where). Where the
reference writes a template rather than a real payload (placeholders such as
``YYYY-MM-DD HH:mm:ss`` or ``<fax id>``), the test names each placeholder that breaks a
documented format, and checks that the example passes once they hold real values of
that format. Webhook payloads are checked against the schema the emulator itself uses
for that event: a running emulator is asked (by watching what it hands the dispatcher).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.core.contracts import check
from emulator.core.webhooks import Dispatcher
from emulator.testing import FaxEmulator
from tests.conftest import START
from tests.properties.vendors import DRIVERS

EXAMPLES = Path(__file__).parent / "examples"
#: the Kazoo notifications the emulator publishes (kazoo.md §10.2; emulator/vendors/kazoo/notify.py)
KAZOO_EVENTS = {"inbound_fax", "outbound_fax", "outbound_fax_error"}


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text("utf-8"))


def paths(violations: list[Any]) -> set[str]:
    return {v.path for v in violations}


@pytest.fixture(scope="module")
def webhook_schemas() -> Iterator[dict[tuple[str, str], str | None]]:
    """(vendor, event) -> the schema the emulator checks that webhook's body against, for every
    event FAX.PLUS and Kazoo send: seen by sending faxes both ways with hooks registered."""
    seen: dict[tuple[str, str], str | None] = {}
    original = Dispatcher.deliver

    def spy(self: Dispatcher, **delivery: Any) -> Any:
        seen.setdefault((delivery["vendor"], delivery["event"]), delivery.get("schema"))
        return original(self, **delivery)

    with pytest.MonkeyPatch.context() as patch, FaxEmulator(start_time=START, seed=99) as emulator:
        patch.setattr(Dispatcher, "deliver", spy)
        receiver = emulator.receiver()
        for vendor in ("faxplus", "kazoo"):
            driver = DRIVERS[vendor](emulator, "examples")
            driver.subscribe(receiver.url)
            for suffix in ("5550100", "5550001"):
                driver.send(driver.destination(suffix), 0)
            emulator.client.inbound(vendor, driver.own_number(), "+12125550123", tenant=driver.tenant)
            emulator.client.run_until_idle()
            driver.close()
        yield seen


def test_faxplus_webhook_example_matches_but_for_its_placeholders(webhook_schemas):
    schema = webhook_schemas[("faxplus", "fax_sent")]
    assert schema is not None and webhook_schemas[("faxplus", "fax_received")] == schema
    quoted = example("faxplus_webhook_callback.json")
    # faxplus.md §7 writes a template: the session id placeholder breaks §6.2's 24 hex, and
    # "YYYY-MM-DD HH:mm:ss" is the §2 time format spelt out, not a time
    assert paths(check("faxplus", schema, quoted)) == {"$.data.id", "$.data.start_time", "$.hook.event_time"}
    filled = copy.deepcopy(quoted)
    filled["data"]["id"] = "5e7de3ad54cfd54eb568cc76"  # the 24-hex fax id §6.2 quotes
    filled["data"]["start_time"] = filled["hook"]["event_time"] = "2026-01-01 00:00:00"
    assert check("faxplus", schema, filled) == []


@pytest.mark.parametrize(
    ("name", "placeholders"),
    [
        ("error", set()),
        # §5.2's example id has 16 hex digits; §6.2 calls it "illustrative only", and the
        # emulator answers the 32-hex outbox id that works on /outbox/{id} (docs/fidelity.md)
        ("send_fax_response", {"$.ids.+1234567890"}),
        ("file_path", {"$.path"}),  # "/transient-…": the doc elides the uuid4
    ],
)
def test_faxplus_inline_examples_match_but_for_their_placeholders(name, placeholders):
    assert paths(check("faxplus", name, example("faxplus_inline.json")[name])) == placeholders


def test_the_kazoo_samples_cover_every_notification_the_emulator_sends(webhook_schemas):
    assert {event for vendor, event in webhook_schemas if vendor == "kazoo"} == KAZOO_EVENTS
    assert {sample["event_name"] for sample in example("kazoo_fax_notifications.json")} == KAZOO_EVENTS


@pytest.mark.parametrize("sample", example("kazoo_fax_notifications.json"), ids=lambda sample: sample["event_name"])
def test_kazoo_notification_samples_match_the_schema_the_emulator_uses(webhook_schemas, sample):
    event = sample["event_name"]
    schema = webhook_schemas[("kazoo", event)]
    assert schema is not None, f"Kazoo's {event} notification is sent without a schema"
    assert check("kazoo", schema, sample) == []


def test_imagicle_outbound_example_matches_and_the_emulator_writes_its_key_order():
    """KB 413's Completed fax: nulls where a failed call would give a cause, base members first."""
    body = example("imagicle_outbound_detail.json")
    assert check("imagicle", "outbound-detail", body) == []
    with FaxEmulator(start_time=START, seed=7) as emulator:
        driver = DRIVERS["imagicle"](emulator, "examples")
        fax_id = driver.send(driver.destination("5550100"), 0)
        emulator.client.run_until_idle()
        record = driver.call("GET", f"/Faxes/Outbound/{fax_id}").json()
        driver.close()
    assert record["status"] == "Completed"
    assert (record["Q931Code"], record["failureReason"]) == (None, None)
    assert list(record) == list(body)
