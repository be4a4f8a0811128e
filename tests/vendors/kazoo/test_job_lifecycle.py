"""A fax job from a faxbox through every state, to completed and to failed with retries
(kazoo.md §9), read through the outgoing and outbox APIs."""

from __future__ import annotations

import json

from tests.conftest import advance
from tests.vendors.kazoo.conftest import assert_error

# pending 5 s, locked 1 s, processing 15 s set-up + 30 s a page; 300 s between attempts


async def status(kazoo, job_id: str) -> str:
    reply = await kazoo.get(f"/faxes/outgoing/{job_id}")
    return reply.data["status"] if reply.status == 200 else f"HTTP {reply.status}"


async def test_a_faxbox_job_goes_through_every_state_to_completed(client, kazoo):
    box = await kazoo.faxbox(caller_id="+14155550199", caller_name="Acme Fax", retries=2)
    sent = await kazoo.send(f"/faxboxes/{box['id']}/faxes", pages=2, from_number=None)
    assert sent.status == 201, sent.body
    job = sent.data
    assert job["pvt_job_status"] == "pending" and job["attempts"] == 0 and len(job["id"]) == 32
    assert job["from_number"] == "+14155550199" and job["from_name"] == "Acme Fax"
    assert job["faxbox_id"] == box["id"] and job["retries"] == 2 and job["to_number"] == "+12125550100"
    job_id = job["id"]

    seen = [await status(kazoo, job_id)]
    for seconds in (5, 1, 5, 10, 29.9, 0.1, 29.9):
        await advance(client, seconds)
        seen.append(await status(kazoo, job_id))
    assert seen == [
        "pending",
        "locked",
        "preparing",
        "negotiating",
        "Fax negotiated at 14400",
        "Fax negotiated at 14400",
        "Sent Page 1 of 2",
        "Sent Page 1 of 2",
    ]
    listing = await kazoo.get("/faxes/outgoing")
    assert listing.data == [
        {
            "id": job_id,
            "faxbox_id": box["id"],
            "status": "processing",
            "to": "+12125550100",
            "from": "+14155550199",
            "attempts": 0,
            "created": 63934444800,
        }
    ]

    await advance(client, 0.1)  # 81 s after submission
    assert_error(await kazoo.get(f"/faxes/outgoing/{job_id}"), 404, "bad_identifier")
    assert (await kazoo.get("/faxes/outgoing")).data == []
    outbox_id = f"202601-{job_id}"
    fax = (await kazoo.get(f"/faxes/outbox/{outbox_id}")).data
    assert fax["id"] == outbox_id and fax["folder"] == "outbox" and fax["attempts"] == 1
    assert fax["_read_only"] == {"created": 63934444800, "status": "completed"}
    tx = fax["tx_result"]
    assert tx["success"] is True and tx["result_code"] == 200 and tx["result_cause"] == "NORMAL_CLEARING"
    assert tx["result_text"] == "OK" and tx["transferred_pages"] == "2" and tx["pages_sent"] == 2
    assert tx["time_elapsed"] == 81 and tx["pvt_delivered_date"] == 63934444881
    history = (await client.get(f"/_emulator/faxes/{job_id}")).json()
    assert [h["status"] for h in (await history)["history"]] == ["pending", "locked", "processing", "completed"]


async def test_a_busy_number_is_retried_300_s_apart_until_retries_run_out(client, kazoo):
    box = await kazoo.faxbox(retries=3)
    job_id = (await kazoo.send(f"/faxboxes/{box['id']}/faxes", to_number="2125550001")).data["id"]
    await advance(client, 21)  # first attempt: 5 + 1 + 15 s, busy
    first = (await kazoo.get(f"/faxes/outgoing/{job_id}")).data
    assert first["status"] == "pending" and first["attempts"] == 1 and first["retry_after"] == 300
    assert first["tx_result"]["success"] is False and first["tx_result"]["result_code"] == 486
    await advance(client, 299)
    assert await status(kazoo, job_id) == "pending"
    await advance(client, 1)
    assert await status(kazoo, job_id) == "locked"
    await advance(client, 16)
    assert (await kazoo.get(f"/faxes/outgoing/{job_id}")).data["attempts"] == 2
    await advance(client, 316)  # the third and last attempt ends at 653 s
    fax = (await kazoo.get(f"/faxes/outbox/202601-{job_id}")).data
    assert fax["_read_only"]["status"] == "failed" and fax["attempts"] == 3 and fax["retries"] == 3
    assert fax["tx_result"] == {
        "success": False,
        "time_elapsed": 653,
        "result_code": 486,
        "result_text": "USER_BUSY",
        "pages_sent": 0,
        "fax_speed": 0,
        "fax_bad_rows": 0,
        "fax_error_correction": False,
        "fax_receiver_id": "",
        "error_message": "USER_BUSY",
    }
    detail = await (await client.get(f"/_emulator/faxes/{job_id}")).json()
    assert [h["status"] for h in detail["history"]] == ["pending", "locked", "processing"] * 3 + ["failed"]
    assert [h["time"] - detail["history"][0]["time"] for h in detail["history"]][-4:] == [337, 637, 638, 653]


async def test_retries_default_to_one_attempt(client, kazoo):
    job_id = (await kazoo.send(to_number="+12125550002")).data["id"]
    assert (await kazoo.get(f"/faxes/outgoing/{job_id}")).data["retries"] == 1
    await advance(client, 21)
    fax = (await kazoo.get(f"/faxes/outbox/202601-{job_id}")).data
    assert fax["_read_only"]["status"] == "failed" and fax["attempts"] == 1
    assert fax["tx_result"]["result_code"] == 480


async def test_busy_once_then_success_completes_on_the_retry(client, kazoo):
    job_id = (await kazoo.send(to_number="+12125550011", retries=2)).data["id"]
    await advance(client, 21 + 300 + 46)
    fax = (await kazoo.get(f"/faxes/outbox/202601-{job_id}")).data
    assert fax["_read_only"]["status"] == "completed" and fax["attempts"] == 2
    assert fax["tx_result"]["success"] is True and fax["tx_result"]["time_elapsed"] == 367


async def test_a_partial_transmission_keeps_the_fax_engine_fields(client, kazoo):
    job_id = (await kazoo.send(to_number="+12125550004", pages=4)).data["id"]
    await advance(client, 600)
    tx = (await kazoo.get(f"/faxes/outbox/202601-{job_id}")).data["tx_result"]
    assert tx["success"] is False and tx["result_text"] == "The call dropped prematurely"
    assert tx["transferred_pages"] == "2" and tx["total_pages"] == "4" and tx["pages_sent"] == 2


async def test_a_worker_crash_is_never_retried(client, kazoo):
    job_id = (await kazoo.send(to_number="+12125550010", retries=4)).data["id"]
    await advance(client, 600)
    fax = (await kazoo.get(f"/faxes/outbox/202601-{job_id}")).data
    assert fax["attempts"] == 1 and fax["tx_result"]["result_code"] == 500
    assert fax["tx_result"]["result_text"] == "process terminated. please contact your support for details"


async def test_the_journal_shows_a_multipart_jobs_parts_by_name_and_size_not_their_bytes(client, kazoo):
    """read_parts gives a part with no filename as None; its journal entry still shows "" for it."""
    reply = await kazoo.send()
    assert reply.status == 201, reply.body
    listed = (await (await client.get("/_emulator/requests", params={"vendor": "kazoo"})).json())["requests"]
    entry = await (await client.get(f"/_emulator/requests/{listed[-1]['seq']}")).json()
    parts = json.loads(entry["request"]["body"])
    assert [(p["name"], p["filename"], p["content_type"]) for p in parts] == [
        ("", "", "application/json"),
        ("", "", "application/pdf"),
    ]
    assert parts[1]["bytes"] > 500 and b"%PDF" not in entry["request"]["body"].encode()
