"""Multipart bodies as every vendor reads them (core/bodies.py: ``read_form``, ``read_parts``).

A body of known length in the plain form clients write is split at once; any other is read
by python-multipart's streaming parser. These pin what the readers give (names, filenames,
charsets, transfer encodings, a preamble, a body cut into many small chunks), what they
refuse (a body cut short, a part over its limit, too many parts), and that a body sent
whole reads as the same body sent in chunks of unknown length (the parser's way).
"""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from emulator.core.bodies import JOIN_OFF_LOOP, MAX_FIELD_BYTES, MAX_PARTS, read_form, read_parts
from emulator.core.errors import EmulatorError

BOUNDARY = "zzBOUNDARYzz"
FORM = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def body(*parts: tuple[str, bytes], preamble: bytes = b"", epilogue: bytes = b"") -> bytes:
    """A multipart body of ``(header lines, bytes)`` parts."""
    out = preamble
    for headers, data in parts:
        out += f"--{BOUNDARY}\r\n{headers}\r\n\r\n".encode() + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode() + epilogue


async def answer(request: web.Request) -> web.Response:
    """The form (or the parts) as JSON, or the error's status and message."""
    try:
        if request.path == "/form":
            form = await read_form(request, 1000, file_fields=("blob",))
            files = [[f.name, f.filename, f.content_type, f.data.decode("latin-1")] for f in form.files]
            return web.json_response({"fields": list(form.fields.items()), "files": files})
        parts = await read_parts(request, 1000)
        return web.json_response([[p.name, p.filename, p.content_type, p.data.decode("latin-1")] for p in parts])
    except EmulatorError as exc:
        return web.json_response({"error": exc.message}, status=exc.status)


@pytest.fixture
async def reader(aiohttp_client: Any) -> Any:
    app = web.Application()
    app.router.add_post("/form", answer)
    app.router.add_post("/parts", answer)
    return await aiohttp_client(app)


async def test_fields_and_files_with_their_names_types_charsets_and_encodings(reader):
    sent = body(
        ('Content-Disposition: form-data; name="number"', b"2125550100"),
        (
            'Content-Disposition: form-data; name="note"\r\nContent-Type: text/plain; charset=latin-1',
            "café".encode("latin-1"),
        ),
        ('Content-Disposition: form-data; name="file"; filename="a \\"quoted\\" name.pdf"', b"%PDF-1"),
        ("Content-Disposition: form-data; name=\"doc\"; filename*=UTF-8''na%C3%AFve.pdf", b"%PDF-2"),
        ('Content-Disposition: form-data; name="blob"\r\nContent-Transfer-Encoding: base64', base64.b64encode(b"raw")),
        ('Content-Disposition: form-data; name="number"', b"second"),
    )
    reply = await reader.post("/form", data=sent, headers=FORM)
    assert await reply.json() == {
        "fields": [["number", "2125550100"], ["note", "café"], ["number", "second"]],
        "files": [
            ["file", 'a "quoted" name.pdf', "", "%PDF-1"],
            ["doc", "naïve.pdf", "", "%PDF-2"],
            ["blob", "", "", "raw"],  # a file by its field's name, though it has no filename
        ],
    }


async def test_a_preamble_an_epilogue_and_a_body_in_tiny_chunks_read_the_same(reader):
    sent = body(
        ('Content-Disposition: form-data; name="json"\r\nContent-Type: application/json', b'{"a": 1}'),
        ("Content-Type: application/pdf", b"%PDF-1.4\r\n--zzBOUNDARY not quite\r\n"),
        preamble=b"This is a multipart message.\r\n",
        epilogue=b"trailing words\r\n",
    )
    whole = await (await reader.post("/parts", data=sent, headers=FORM)).json()

    async def trickle() -> AsyncIterator[bytes]:
        for at in range(0, len(sent), 3):
            yield sent[at : at + 3]

    chunked = await (await reader.post("/parts", data=trickle(), headers=FORM)).json()
    assert (
        whole
        == chunked
        == [
            ["json", None, "application/json", '{"a": 1}'],  # (None: no filename parameter)
            ["", None, "application/pdf", "%PDF-1.4\r\n--zzBOUNDARY not quite\r\n"],
        ]
    )


@pytest.mark.parametrize(
    "sent, headers",
    [
        (body(('Content-Disposition: form-data; name="a"', b"x"))[:-8], FORM),  # no closing delimiter
        (b"no delimiter anywhere", FORM),
        (body(('Content-Disposition: form-data; name="a"', b"x")), {"Content-Type": "multipart/form-data"}),
        (body(('Content-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64', b"abc")), FORM),
        (body(('Content-Disposition: form-data; name="a"\r\nContent-Type: text/plain; charset=nope', b"x")), FORM),
        (body(("Content-Type: multipart/mixed; boundary=inner", b"--inner--")), FORM),
        # codecs that refuse the "replace" handler, or every byte: their UnicodeError was a 500
        (body(('Content-Disposition: form-data; name="a"\r\nContent-Type: text/plain; charset=idna', b"x")), FORM),
        (
            body(
                ('Content-Disposition: form-data; name="_charset_"', b"undefined"),
                ('Content-Disposition: form-data; name="a"', b"x"),
            ),
            FORM,
        ),
    ],
    ids=[
        "cut-short",
        "no-delimiter",
        "no-boundary",
        "bad-base64",
        "unknown-charset",
        "nested",
        "charset-refusing-replace",
        "charset-refusing-every-byte",
    ],
)
async def test_unreadable_bodies_are_refused_in_our_words(reader, sent, headers):
    reply = await reader.post("/form", data=sent, headers=headers)
    assert reply.status == 400
    assert "Traceback" not in (await reply.json())["error"]


@pytest.mark.parametrize("charset, sent", [("utf-7", b"a+2AA-b"), ("unicode_escape", b"a\\ud800b")])
async def test_a_field_decoding_to_a_lone_surrogate_reads_it_as_a_replacement_character(reader, charset, sent):
    """No UTF-8 writer takes a lone surrogate: a CallerIP token so was a tenant the data file
    could not write (every later change a 503) and the event stream could not send."""
    reply = await reader.post(
        "/form",
        data=body(
            (f'Content-Disposition: form-data; name="token"\r\nContent-Type: text/plain; charset={charset}', sent)
        ),
        headers=FORM,
    )
    assert (await reply.json())["fields"] == [["token", "a\ufffdb"]]


async def test_limits_stop_the_read(reader):
    too_big = body(('Content-Disposition: form-data; name="file"; filename="a.pdf"', b"x" * 1001))
    reply = await reader.post("/form", data=too_big, headers=FORM)
    assert (await reply.json())["error"] == "the file 'a.pdf' is larger than the limit of 1000 bytes"
    long_field = body(('Content-Disposition: form-data; name="note"', b"x" * (MAX_FIELD_BYTES + 1)))
    reply = await reader.post("/form", data=io.BytesIO(long_field), headers=FORM)
    assert reply.status == 413 and (await reply.json())["error"].startswith("the field 'note' is larger than")
    unnamed = body(('Content-Disposition: form-data; name=""', b"x" * 1001))
    reply = await reader.post("/parts", data=unnamed, headers=FORM)
    assert reply.status == 413 and (await reply.json())["error"].startswith("the part 'unnamed' is larger than")
    many = body(*[('Content-Disposition: form-data; name="a"', b"x")] * (MAX_PARTS + 1))
    reply = await reader.post("/form", data=many, headers=FORM)
    assert reply.status == 400 and f"more than {MAX_PARTS} parts" in (await reply.json())["error"]


# -- a whole body split at once reads as the streaming parser reads it -----------------------

PLAIN = body(
    ('Content-Disposition: form-data; name="number"', b"2125550100"),
    (
        'Content-Disposition: form-data; name="note"\r\nContent-Type: text/plain; charset=latin-1',
        "café".encode("latin-1"),
    ),
    (
        'content-disposition:form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf',
        b"%PDF-1.4\r\n%%EOF",
    ),
    ('Content-Disposition: form-data; name="blob"\r\nContent-Transfer-Encoding: base64', base64.b64encode(b"raw")),
    ('Content-Disposition: form-data; name="empty"', b""),
)
#: bodies the plain split leaves to the parser, or reads in one of its edge cases
ODD = {
    "plain": PLAIN,
    "preamble": b"words first\r\n" + PLAIN,
    "epilogue": PLAIN + b"words after",
    "no-crlf-after-close": PLAIN[:-2],
    "padding-after-delimiter": PLAIN.replace(f"--{BOUNDARY}\r\n".encode(), f"--{BOUNDARY} \t\r\n".encode(), 2),
    "delimiter-like-data": body(('Content-Disposition: form-data; name="a"', f"x\r\n--{BOUNDARY}X y".encode())),
    "no-headers": f"--{BOUNDARY}\r\n\r\nbare\r\n--{BOUNDARY}--\r\n".encode(),
    "lf-only": PLAIN.replace(b"\r\n", b"\n"),
    "bare-cr-in-header": body(('Content-Disposition: form-data; name="a"\rX: y', b"x")),
    "bare-lf-in-header": body(('Content-Disposition: form-data; name="a"\nX: y', b"x")),
    "tab-before-value": body(('Content-Disposition:\tform-data; name="a"', b"x")),
    "space-in-name": body(('Content-Disposition : form-data; name="a"', b"x")),
    "no-colon": body(('Content-Disposition form-data; name="a"', b"x")),
    "repeated-header": body(
        ('Content-Disposition: form-data; name="a"\r\nContent-Disposition: form-data; name="b"', b"x")
    ),
    "many-headers": body(('Content-Disposition: form-data; name="a"' + "\r\nX-A: 1" * 16, b"x")),
    "long-header": body(('Content-Disposition: form-data; name="a"\r\nX-Long: ' + "y" * 9000, b"x")),
    "closing-only": f"--{BOUNDARY}--\r\n".encode(),
    "empty": b"",
    "over-limit": body(('Content-Disposition: form-data; name="f"; filename="a.pdf"', b"x" * 1001)),
    "over-limit-then-cut": body(('Content-Disposition: form-data; name="f"; filename="a.pdf"', b"x" * 1001))[:-8],
    "too-many-parts": body(*[('Content-Disposition: form-data; name="a"', b"x")] * (MAX_PARTS + 1)),
    "nested": body(("Content-Type: multipart/mixed; boundary=inner", b"--inner--")),
    "nested-after-a-disposition": body(
        ('Content-Disposition: form-data; name="a"\r\nContent-Type: Multipart/mixed', b"")
    ),
    "type-first": body(
        ('Content-Type: application/pdf\r\nContent-Disposition: form-data; name="f"; filename="a.pdf"', b"x")
    ),
    "not-utf-8-in-a-disposition": f"--{BOUNDARY}\r\n".encode()
    + b'Content-Disposition: form-data; name="caf\xe9"; filename="\xe2\x82.pdf"\r\n'
    + b"Content-Type: application/pdf\r\n\r\n"
    + f"x\r\n--{BOUNDARY}--\r\n".encode(),
}


async def _both_ways(reader: Any, path: str, sent: bytes) -> tuple[Any, Any]:
    """What the reader answers to ``sent`` with its length given (read whole: split at once
    when plain) and sent in chunks of unknown length (the streaming parser's)."""

    async def chunks() -> AsyncIterator[bytes]:
        for at in range(0, len(sent), 7):
            yield sent[at : at + 7]

    whole = await reader.post(path, data=sent, headers=FORM)
    streamed = await reader.post(path, data=chunks(), headers=FORM)
    return (whole.status, await whole.json()), (streamed.status, await streamed.json())


@pytest.mark.parametrize("name", list(ODD))
async def test_a_body_read_whole_reads_as_streamed(reader, name):
    for path in ("/form", "/parts"):
        whole, streamed = await _both_ways(reader, path, ODD[name])
        assert whole == streamed, (path, whole, streamed)
    if name == "plain":
        assert whole[0] == 200 and len(whole[1]) == 5


async def test_bodies_changed_at_random_read_whole_as_streamed(reader):
    import random

    chosen = random.Random(18)
    for _ in range(150):
        sent = bytearray(PLAIN)
        for _ in range(chosen.randint(1, 3)):
            at = chosen.randrange(len(sent))
            change = chosen.choice([b"\r", b"\n", b"\r\n", b" ", b":", b"-", b"--", b"\t", b'"', b"\xff", b""])
            sent[at : at + chosen.randint(0, 2)] = change
        whole, streamed = await _both_ways(reader, "/parts", bytes(sent))
        assert whole == streamed, bytes(sent)


async def test_parts_over_a_mebibyte_are_joined_in_a_thread_and_read_the_same(aiohttp_client):
    """A large part is joined after parsing, off the loop (JOIN_OFF_LOOP): the parts still come
    back whole, decoded and in their order, and a large part whose base64 is cut short is refused."""
    import hashlib

    async def digests(request: web.Request) -> web.Response:
        try:
            parts = await read_parts(request, 8 * JOIN_OFF_LOOP)
        except EmulatorError as exc:
            return web.json_response({"error": exc.message}, status=exc.status)
        return web.json_response([[p.name, hashlib.sha256(p.data).hexdigest()] for p in parts])

    app = web.Application(client_max_size=64 * JOIN_OFF_LOOP)
    app.router.add_post("/parts", digests)
    client = await aiohttp_client(app)
    big, other = bytes(range(256)) * (JOIN_OFF_LOOP // 128), b"%PDF-" * (JOIN_OFF_LOOP // 2)
    sent = body(
        ('Content-Disposition: form-data; name="big"', big),
        ('Content-Disposition: form-data; name="small"', b"tiny"),
        (
            'Content-Disposition: form-data; name="encoded"\r\nContent-Transfer-Encoding: base64',
            base64.b64encode(other),
        ),
    )
    reply = await client.post("/parts", data=io.BytesIO(sent), headers=FORM)
    assert await reply.json() == [
        ["big", hashlib.sha256(big).hexdigest()],
        ["small", hashlib.sha256(b"tiny").hexdigest()],
        ["encoded", hashlib.sha256(other).hexdigest()],
    ]
    broken = body(
        (
            'Content-Disposition: form-data; name="x"\r\nContent-Transfer-Encoding: base64',
            b"A" * (2 * JOIN_OFF_LOOP + 1),
        )
    )
    reply = await client.post("/parts", data=io.BytesIO(broken), headers=FORM)
    assert reply.status == 400


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=benchboundary7MA4YWxkTrZu0gW",  # how clients write it: one match
        "multipart/mixed; boundary=----=_Part_0_12.34:5/6?x'(y)+z,",
        'multipart/form-data; boundary="quoted boundary"',  # the parser's way from here on
        "multipart/form-data; BOUNDARY=upper",
        "multipart/form-data;boundary=tight",
        "multipart/form-data; boundary=a; charset=utf-8",
        "Multipart/Form-Data; boundary=x",
        "multipart/form-data; boundary=",
        "multipart/form-data",
        "",
    ],
)
def test_a_boundary_reads_as_python_multipart_reads_it(content_type):
    from python_multipart.multipart import parse_options_header

    from emulator.core.bodies import boundary_of

    assert boundary_of(content_type) == parse_options_header(content_type.encode())[1].get(b"boundary", b"")


async def test_part_headers_sent_again_read_the_same_and_only_short_ones_are_remembered(aiohttp_client, client):
    """With the emulator's memo (``PART_HEADS``: a client sends the same few header blocks in
    every send) a body reads as without it, a block over ``MEMO_HEAD_BYTES`` is read each time
    and never kept, the memo holds at most ``REMEMBERED_HEADS`` blocks, and a reset empties it."""
    from emulator.core import bodies
    from tests.conftest import runtime_of

    rt = runtime_of(client)
    heads = rt.cache.memos[bodies.PART_HEADS]

    async def parts(request: web.Request) -> web.Response:
        read = await read_parts(request, 1000, heads=heads)
        return web.json_response([[p.name, p.filename, p.content_type, p.data.decode()] for p in read])

    app = web.Application()
    app.router.add_post("/parts", parts)
    remembering = await aiohttp_client(app)
    long_name = "n" * bodies.MEMO_HEAD_BYTES
    sent = body(
        ('Content-Disposition: form-data; name="json"', b"{}"),
        (
            f'Content-Disposition: form-data; name="{long_name}"; filename="a.pdf"\r\nContent-Type: application/pdf',
            b"%",
        ),
    )
    expected = [["json", None, "", "{}"], [long_name, "a.pdf", "application/pdf", "%"]]
    for _ in range(2):
        assert await (await remembering.post("/parts", data=sent, headers=FORM)).json() == expected
    assert list(heads.values()) == [("json", None, "")]  # the short block only
    for n in range(bodies.REMEMBERED_HEADS + 10):
        block = f'Content-Disposition: form-data; name="f{n}"\r\n\r\n'.encode()
        assert heads[block] == (f"f{n}", None, "")
    assert 0 < len(heads) <= bodies.REMEMBERED_HEADS
    rt.reset()
    assert len(rt.cache.memos[bodies.PART_HEADS]) == 0
