"""The envelope written as text around JSON made already (``respond_json``, the polled job's
answer) is the envelope ``respond`` serialises: the same bytes and headers, whatever the
client put in the strings it chose (its request id and token, escaped or refused by orjson)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp.test_utils import TestClient, make_mocked_request
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.core.answers import json_bytes
from emulator.core.exchange import EXCHANGE, Exchange
from emulator.vendors.kazoo.envelope import Call, call, respond, respond_json, written
from tests.conftest import runtime_of

#: what a client may send as its request id or token: any text (aiohttp decodes header bytes
#: that are not UTF-8 as lone surrogates, which orjson refuses), JSON's escapes included
chosen = st.text(st.characters(codec=None), max_size=12) | st.sampled_from(['a"b\\c', "\x00\x1f\u2028", "\udcff"])
revisions = st.none() | st.sampled_from(["automatic", "3-ab12"])
documents = st.dictionaries(st.text(max_size=6), st.integers(-(2**40), 2**40) | st.text(max_size=6), max_size=4)


def _request(runtime: Any, request_id: str, token: str | None) -> Any:
    request = make_mocked_request("GET", "/v2/accounts/a/faxes/outgoing/j")
    exchange = request[EXCHANGE] = Exchange("get_outgoing", runtime.now())
    exchange.caller = Call(runtime, exchange.at, request_id, token)
    return request


async def test_the_envelope_written_around_json_text_is_the_one_respond_makes(client: TestClient) -> None:
    runtime = runtime_of(client)

    @settings(max_examples=300, deadline=None)
    @given(documents, chosen, st.none() | chosen, revisions, st.floats(0, 10))
    def same(data: dict[str, Any], request_id: str, token: str | None, revision: str | None, later: float) -> None:
        runtime.clock.set(runtime.now() + later)  # the timestamp moves; the tail is remembered per second
        request = _request(runtime, request_id, token)
        expected = respond(request, data, revision=revision)
        made = respond_json(request, call(request), written(json_bytes(data), revision))
        assert made.body == expected.body
        assert list(made.headers.items()) == list(expected.headers.items())
        assert made.status == expected.status == 200

    same()


async def test_a_lone_surrogate_in_the_request_id_is_escaped_as_json_dumps_does(client: TestClient) -> None:
    request = _request(runtime_of(client), "id-\udcff", "t")
    made = respond_json(request, call(request), written(b'{"id":"j"}'))
    assert b'"request_id":"id-\\udcff"' in made.body and made.body.startswith(b'{"data":{"id":"j"},"auth_token":"t"')


async def test_a_polled_job_answers_a_request_id_that_is_not_utf8(kazoo) -> None:
    """A header's bytes that are not UTF-8 reach the envelope as lone surrogates, which orjson
    refuses: the job's answer is then written as ``respond`` writes it (it was a 500)."""
    job_id = (await kazoo.send()).data["id"]
    server = kazoo.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    target = kazoo.url(f"/faxes/outgoing/{job_id}")
    writer.write(
        f"GET {target} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {kazoo.token}\r\n".encode()
        + b"X-Request-ID: id-\xff\r\nConnection: close\r\n\r\n"
    )
    answer = await reader.read()
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), head
    assert json.loads(body)["request_id"] == "id-\udcff" and json.loads(body)["data"]["id"] == job_id
