"""core/events.py: bounded subscribers, coalescing, the dropped marker, filters."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from emulator.core.events import Event, Events, Filter


def _fax(events: Events, fax_id: str, status: str, vendor: str = "faxplus", tenant: str = "t1") -> None:
    events.publish("fax", {"id": fax_id, "status": status}, vendor, tenant, fax_id)


def test_publishing_with_no_subscriber_queues_nothing_and_costs_a_number():
    events = Events()
    _fax(events, "a", "queued")
    assert events.subscribers == [] and events.last == 1


def test_a_subscriber_gets_events_in_order():
    events = Events()
    subscriber = events.subscribe()
    _fax(events, "a", "queued")
    events.publish("clock", {"now": 5.0})
    taken = subscriber.take()
    assert [(e.seq, e.type) for e in taken] == [(1, "fax"), (2, "clock")]
    assert subscriber.take() == []


def test_a_full_queue_coalesces_a_fax_to_its_latest_state():
    events = Events()
    subscriber = events.subscribe(limit=2)
    _fax(events, "a", "queued")
    _fax(events, "b", "queued")
    _fax(events, "a", "sending")  # full: replaces a's queued event
    _fax(events, "a", "success")
    taken = subscriber.take()
    assert [(e.fax_id, e.data["status"]) for e in taken] == [("a", "success"), ("b", "queued")]
    assert subscriber.coalesced == 2


def test_what_cannot_be_coalesced_is_dropped_with_a_marker():
    events = Events()
    subscriber = events.subscribe(limit=2)
    _fax(events, "a", "queued")
    _fax(events, "b", "queued")
    _fax(events, "c", "queued")  # full, and no queued event of c to replace
    assert len(subscriber) == 1
    _fax(events, "d", "queued")
    taken = subscriber.take()
    assert [e.type for e in taken] == ["dropped", "fax"]
    assert taken[0].data == {"lost": 3, "reason": "slow"} and taken[1].fax_id == "d"
    # the count starts again once the marker is taken
    for name in "efg":
        _fax(events, name, "queued")
    assert subscriber.take()[0].data["lost"] == 3  # e and f queued, g did not fit
    for name in "hijkl":  # a second loss before the first marker is taken adds up
        _fax(events, name, "queued")
    assert [e.data["lost"] for e in subscriber.take()] == [5]


def test_memory_stays_bounded_however_slow_the_reader():
    events = Events()
    subscriber = events.subscribe(limit=100)
    for number in range(10_000):
        _fax(events, f"f{number}", "queued")
        assert len(subscriber) <= 100


@pytest.mark.parametrize(
    ("wanted", "passes"),
    [
        (Filter(), ["fax a", "fax b", "request none", "clock", "reset all", "reset kazoo"]),
        (Filter(vendor="faxplus"), ["fax a", "clock", "reset all"]),
        (Filter(tenant="t2"), ["fax b", "clock", "reset all", "reset kazoo"]),
        (Filter(fax_id="a"), ["fax a", "clock", "reset all"]),
        (Filter(types=["fax"]), ["fax a", "fax b"]),
        (Filter(types=["reset"], vendor="kazoo"), ["reset all", "reset kazoo"]),
    ],
)
def test_filters(wanted, passes):
    sample = {
        "fax a": Event(1, "fax", {}, "faxplus", "t1", "a"),
        "fax b": Event(2, "fax", {}, "kazoo", "t2", "b"),
        "request none": Event(3, "request", {}, None, None, None),
        "clock": Event(4, "clock", {}),
        "reset all": Event(5, "reset", {}),
        "reset kazoo": Event(6, "reset", {}, "kazoo"),
    }
    assert [name for name, event in sample.items() if wanted(event)] == passes


def test_a_frame_is_a_server_sent_event_made_once():
    event = Event(7, "clock", {"now": 1.5})
    frame = event.frame
    assert frame == b'id: 7\nevent: clock\ndata: {"now":1.5}\n\n'
    assert event.frame is frame
    assert orjson.loads(frame.split(b"data: ")[1]) == {"now": 1.5}


async def test_a_waiting_reader_wakes_on_publish_and_on_close():
    events = Events()
    subscriber = events.subscribe()
    waiting = asyncio.ensure_future(subscriber.next_batch(timeout=30))
    await asyncio.sleep(0)  # let it start waiting (not waiting for a state)
    _fax(events, "a", "queued")
    assert [e.fax_id for e in await waiting] == ["a"]
    waiting = asyncio.ensure_future(subscriber.next_batch(timeout=30))
    await asyncio.sleep(0)
    events.close()
    assert await waiting == [] and subscriber.closed and events.subscribers == []


async def test_next_batch_returns_empty_after_its_timeout():
    events = Events()
    assert await events.subscribe().next_batch(timeout=0.001) == []


def test_a_frame_holding_a_lone_surrogate_writes_its_escape():
    """orjson refuses a lone surrogate (a text from a JSON escape): making the frame raised,
    a 500 that ended GET /_emulator/events for every subscriber (found by a byte probe)."""
    frame = Event(8, "request", {"tenant": "\udcff"}).frame
    assert frame == b'id: 8\nevent: request\ndata: {"tenant":"\\udcff"}\n\n'
