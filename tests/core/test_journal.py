"""The request log keeps each request's target as sent and decodes it only when read."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.core.journal import Journal, path_and_query, target_url


def _logged(target: str) -> dict:
    journal = Journal(size=2)
    journal.record(1.0, "callerip", "fax_status", "t", "GET", target, 200, 0.001)
    [entry] = journal.query()
    return entry.to_json()


def test_a_logged_path_is_decoded_and_its_query_kept_as_yarl_reads_it():
    entry = _logged("/api/fax/caf%C3%A9%20x?token=t&uuid=a%2Fb")
    assert (entry["path"], entry["query"]) == ("/api/fax/café x", "token=t&uuid=a/b")


def test_a_path_that_starts_with_two_slashes_is_logged_whole():
    # a base URL with a trailing slash: the first segment is part of the path, not a host
    entry = _logged("//v2/accounts/abc?x=1")
    assert (entry["path"], entry["query"]) == ("//v2/accounts/abc", "x=1")


def test_a_target_in_absolute_form_is_logged_by_its_path_and_query():
    entry = _logged("http://fax.example:8080/api/fax/status?token=t")
    assert (entry["path"], entry["query"]) == ("/api/fax/status", "token=t")


def test_the_ring_keeps_the_newest_and_counts_the_dropped():
    journal = Journal(size=2)
    for n in range(3):
        journal.record(float(n), None, None, None, "GET", f"/x/{n}", 404, 0.0)
    assert [e.path for e in journal.query()] == ["/x/1", "/x/2"] and journal.dropped == 1
    journal.clear("v")  # (none of this vendor's): nothing cleared, nothing more dropped
    journal.record(3.0, "v", "op", None, "GET", "/x/3", 200, 0.0)
    journal.clear("v")
    assert journal.dropped == 2 and [e.path for e in journal.query()] == ["/x/2"]
    journal.clear()
    assert journal.dropped == 2 and journal.query() == []
    state = {**journal.state(), "requests": [], "dropped": 5}
    restored = Journal(size=1)
    restored.restore(journal.state())
    assert restored.dropped == 2
    full = Journal(size=3)
    for n in range(4):
        full.record(float(n), None, None, None, "GET", f"/y/{n}", 404, 0.0)
    restored.restore(full.state())  # one dropped, and three entries: two more than this ring holds
    assert restored.dropped == 3 and [e.path for e in restored.query()] == ["/y/3"]
    restored.restore(state)
    assert restored.dropped == 5


def test_an_answers_long_headers_are_cut_as_they_are_kept():
    from aiohttp import web

    from emulator.core.journal import MAX_HEADER_BYTES

    journal = Journal(size=1)
    answer = web.Response(body=b"{}", headers={"X-Short": "s", "X-Long": "l" * MAX_HEADER_BYTES})
    journal.record(1.0, "v", "op", "t", "GET", "/x", 200, 0.0, response=answer)
    [fields] = journal.requests
    block, size = fields[14]  # cut when recorded: the ring never holds more than the bound
    assert block == "X-Short: s" and size == len(block) + 2 + len("X-Long: ") + MAX_HEADER_BYTES
    side = journal.entry(1).to_full_json()["response"]
    assert side["headers"] == [["X-Short", "s"]] and side["headers_truncated"]
    assert side["headers_dropped"] == size - len(block)


def test_the_pipeline_reads_a_requests_target_and_headers_where_aiohttp_keeps_them():
    """The request pipeline journals ``request._message``'s method, path and raw headers, not
    the ``method``, ``raw_path`` and ``raw_headers`` properties (a hot read's cost): this fails
    if aiohttp moves them."""
    from aiohttp.test_utils import make_mocked_request

    request = make_mocked_request("PATCH", "/x/caf%C3%A9?q=1", headers={"X-A": "1"})
    assert request._message.method == request.method == "PATCH"
    assert request._message.path == request.raw_path == "/x/caf%C3%A9?q=1"
    assert request._message.raw_headers is request.raw_headers and (b"X-A", b"1") in request.raw_headers


def test_the_pipeline_keeps_the_exchange_where_a_request_item_is_read():
    """The request pipeline puts a request's ``Exchange`` in aiohttp's ``request._state`` (a
    hot read's cost: ``request[...] =`` is a Python call); handlers read it as ``request[EXCHANGE]``:
    this fails if aiohttp keeps a request's items elsewhere."""
    from aiohttp.test_utils import make_mocked_request

    from emulator.core.exchange import EXCHANGE, Exchange

    request = make_mocked_request("GET", "/x")
    exchange = request._state[EXCHANGE] = Exchange("op", 1.0)
    assert request[EXCHANGE] is exchange and request.get(EXCHANGE) is exchange


def test_the_journal_reads_an_answers_headers_and_body_where_aiohttp_keeps_them():
    """``Journal.record`` reads these attributes of aiohttp's, not its ``headers`` and ``body``
    properties (a hot read's cost): this fails if aiohttp moves them."""
    from aiohttp import web

    answer = web.Response(body=b"{}", headers={"X-A": "1"}, content_type="application/json")
    assert answer._headers is answer.headers and answer._body is answer.body
    journal = Journal(size=1)
    journal.record(1.0, "v", "op", "t", "GET", "/x", 200, 0.0, response=answer)
    side = journal.entry(1).to_full_json()["response"]
    assert side["headers"] == [["X-A", "1"], ["Content-Type", "application/json"]] and side["body"] == "{}"


def test_a_query_gives_the_newest_that_match_up_to_its_limit_oldest_first():
    journal = Journal(size=10)
    for n in range(8):
        vendor = "kazoo" if n % 2 else "callerip"
        journal.record(float(n), vendor, "op", f"t{n % 4}", "GET", f"/x/{n}", 200, 0.0, fax_ids=(f"f{n}",))
    assert [e.path for e in journal.query(vendor="kazoo", limit=2)] == ["/x/5", "/x/7"]
    assert [e.path for e in journal.query(tenant="t1", limit=5)] == ["/x/1", "/x/5"]
    assert [e.path for e in journal.query(fax_ids={"f2", "f4", "f6"}, limit=2)] == ["/x/4", "/x/6"]
    assert [e.path for e in journal.query(vendor="callerip")] == ["/x/0", "/x/2", "/x/4", "/x/6"]


def test_an_entry_keeps_a_long_body_cut_and_says_how_long_it_was():
    from emulator.core.journal import MAX_BODY_BYTES

    journal = Journal(size=2)
    journal.record(
        1.0,
        "v",
        "op",
        "t",
        "POST",
        "/x",
        200,
        0.0,
        request_headers=((b"A", b"1"),),
        request_body=b"y" * (MAX_BODY_BYTES + 5),
    )
    full = journal.query()[0].to_full_json()
    assert full["request"] == {
        "headers": [["A", "1"]],
        "headers_size": len("A: 1"),
        "headers_truncated": False,
        "headers_dropped": 0,
        "body": "y" * MAX_BODY_BYTES,
        "size": MAX_BODY_BYTES + 5,
        "truncated": True,
        "dropped": 5,
    }
    assert full["response"] == {
        "headers": [],
        "headers_size": 0,
        "headers_truncated": False,
        "headers_dropped": 0,
        "body": None,
        "size": 0,
        "truncated": False,
        "dropped": 0,
    }


def test_an_entry_keeps_the_whole_headers_that_fit_its_bytes_and_notes_a_binary_body():
    from emulator.core.journal import MAX_HEADER_BYTES

    journal = Journal(size=2)
    many = tuple((f"h{n:03}".encode(), b"v" * 92) for n in range(200))  # 100 bytes a header with its CRLF
    journal.record(1.0, None, None, None, "PUT", "/x", 404, 0.0, request_headers=many, request_body=b"\xff\xfe")
    request = journal.query()[0].to_full_json()["request"]
    kept = MAX_HEADER_BYTES // 100
    assert request["headers"] == [[f"h{n:03}", "v" * 92] for n in range(kept)]
    assert request["headers_size"] == 200 * 100 - 2 and request["headers_truncated"]
    assert request["headers_dropped"] == request["headers_size"] - (kept * 100 - 2)
    assert request["body"] == "<2 bytes of binary data>"


def test_each_entry_keeps_its_own_request_headers_when_a_client_polls_with_the_same_ones():
    journal = Journal(size=8)
    polled = ((b"Host", b"h"), (b"Authorization", b"Bearer a"))
    sent = [
        polled,
        tuple((bytes(name), bytes(value)) for name, value in polled),  # equal, not the same objects
        ((b"Host", b"h"), (b"Authorization", b"Bearer b")),
        polled,
        (),
    ]
    for headers in sent:
        journal.record(1.0, "v", "op", "t", "GET", "/x", 200, 0.0, request_headers=headers)
    kept = [entry.to_full_json()["request"] for entry in journal.query()]
    assert [side["headers"] for side in kept] == [
        [[name.decode(), value.decode()] for name, value in headers] for headers in sent
    ]
    assert [side["headers_size"] for side in kept] == [32, 32, 32, 32, 0]


def test_a_header_longer_than_the_bound_is_dropped_whole():
    from emulator.core.journal import MAX_HEADER_BYTES

    journal = Journal(size=2)
    journal.record(
        1.0, None, None, None, "GET", "/x", 404, 0.0, request_headers=((b"Cookie", b"c" * MAX_HEADER_BYTES),)
    )
    request = journal.query()[0].to_full_json()["request"]
    assert request["headers"] == [] and request["headers_dropped"] == MAX_HEADER_BYTES + len("Cookie: ")


def test_an_entry_of_an_older_snapshot_reads_its_header_pairs():
    journal = Journal(size=2)
    fields = (1, 1.0, "v", "op", "t", "GET", "/x", 200, 0.0, None, None, (), ((b"A", b"1"),), None, 0)
    journal.restore(
        {
            "requests": [(*fields, None, None, 0)],
            "violations": [],
            "next_seq": 2,
            "next_violation": 1,
            "dropped": 0,
            "last_violation": 0,
        }
    )
    request = journal.entry(1).to_full_json()["request"]
    assert request["headers"] == [["A", "1"]] and not request["headers_truncated"]


def test_an_entry_is_found_by_its_number_while_the_ring_holds_it():
    journal = Journal(size=2)
    for n in range(3):
        journal.record(float(n), None, None, None, "GET", f"/x/{n}", 404, 0.0)
    assert journal.entry(1) is None and journal.entry(3).path == "/x/2" and journal.entry(4) is None


def test_an_entry_with_its_header_lines_comes_back_whole_from_the_data_files_json():
    from aiohttp import web

    from emulator.core.journal import RequestEntry, entries_from_json, entries_json, held, settled

    journal = Journal(size=2)
    answer = web.json_response({"ok": True}, headers={"X-Request-ID": "r\xe9"})
    journal.record(1.0, "v", "op", "t", "GET", "/x", 200, 0.0, request_headers=((b"A", b"\xff1"),), response=answer)
    [entry] = journal.requests
    [back] = entries_from_json(entries_json([entry]))
    assert back == settled(entry)
    assert RequestEntry(*settled(held(back))).to_full_json() == journal.entry(1).to_full_json()


def test_an_answers_header_block_is_its_own_whether_or_not_its_headers_are_the_json_defaults():
    from aiohttp import web

    from emulator.core.answers import json_response

    journal = Journal(size=4)
    for answer in (
        json_response({"ok": True}),  # the defaults: their block is made once
        json_response({"ok": True}, headers={"X-Request-ID": "r1"}),
        web.Response(body=b"{}", headers={"content-type": "application/json"}),
    ):
        journal.record(1.0, "v", "op", "t", "GET", "/x", 200, 0.0, response=answer)
    blocks = [entry.to_full_json()["response"] for entry in journal.query()]
    assert [side["headers"] for side in blocks] == [
        [["Content-Type", "application/json; charset=utf-8"]],
        [["X-Request-ID", "r1"], ["Content-Type", "application/json; charset=utf-8"]],
        [["content-type", "application/json"]],
    ]
    json_line = "Content-Type: application/json; charset=utf-8"
    assert [side["headers_size"] for side in blocks] == [
        len(json_line),
        len("X-Request-ID: r1\r\n" + json_line),
        len("content-type: application/json"),
    ]


def test_a_body_sent_again_and_again_is_held_once_and_each_entry_reads_its_own():
    import tracemalloc

    from emulator.core.journal import MAX_BODY_BYTES

    journal = Journal(size=600)
    body = b"{" + b"x" * 8000 + b"}"
    other = b"[" + b"y" * 8000 + b"]"
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(500):  # a load test's sends: equal bodies, each read into its own bytes
            journal.record(1.0, "v", "op", "t", "POST", "/x", 201, 0.0, request_body=bytes(bytearray(body)))
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 500 * len(body) / 10  # the entries, not 500 copies of the body (4 MB)
    long = b"z" * (MAX_BODY_BYTES + 3)
    for sent in (other, bytes(bytearray(body)), long, bytes(bytearray(long)), body):
        journal.record(1.0, "v", "op", "t", "POST", "/x", 201, 0.0, request_body=sent)
    read = [entry.to_full_json()["request"] for entry in journal.query(limit=505)]
    assert [side["body"] for side in read] == [body.decode()] * 500 + [
        other.decode(),
        body.decode(),
        "z" * MAX_BODY_BYTES,
        "z" * MAX_BODY_BYTES,
        body.decode(),
    ]
    assert [side["size"] for side in read[-5:]] == [len(other), len(body), len(long), len(long), len(body)]


#: what a request target may hold, the characters that decode or split it most of all
_TARGET_CHARACTERS = st.sampled_from(list("/?&=;:@!$'()*,.-_~aAz09 +#%%%2345cCfFé\udcff\t\"<>[]\\^`{|}"))


@settings(max_examples=3000, deadline=None)
@given(st.text(_TARGET_CHARACTERS, max_size=30), st.sampled_from(["/", "", "http://h/", "//"]))
def test_a_target_s_path_and_query_read_without_a_url_are_the_url_s(rest, start):
    """The request log and each ``request`` event read a target with nothing to decode as its
    own path and query (``path_and_query``), without making a URL: always what the URL reads."""
    target = start + rest
    try:
        url = target_url(target)
        expected = url.path, url.query_string
    except ValueError:  # (not a URL at all: the log never holds one, aiohttp refuses it first)
        return
    assert path_and_query(target) == expected
