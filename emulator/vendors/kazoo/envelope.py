"""Crossbar's JSON envelope, both ways (kazoo.md §1 and §3).

Every response is ``{status, data, auth_token?, request_id, revision?, node, timestamp,
version, ...}``; every PUT/POST/PATCH body is ``{"data": {...}, ...}``. Times in Kazoo
documents are Gregorian seconds; the envelope's ``timestamp`` is ISO 8601 UTC.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import hdrs, web
from multidict import istr

from emulator import keys
from emulator.core.answers import json_loads, json_response, json_text_response
from emulator.core.bodies import PARSED_BODY, PART_HEADS, Part, json_value, peek, read_bytes, read_parts, too_deep
from emulator.core.errors import Invalid, UnsupportedMediaType
from emulator.core.exchange import EXCHANGE, Exchange
from emulator.core.memo import Remembered
from emulator.core.services import Services
from emulator.core.store import Tenant

NAME = "kazoo"
X_REQUEST_ID, X_AUTH_TOKEN = istr("X-Request-ID"), istr("X-Auth-Token")  # header names, looked up often
#: unix time + this = Gregorian seconds (kazoo.md §1)
GREGORIAN_OFFSET = 62_167_219_200
#: the KAZOO release the envelope's ``version`` names (the 4.3 line, kazoo.md §12)
VERSION = "4.3.142"
#: an encoded Erlang node name, as Crossbar puts in ``node``
NODE = base64.urlsafe_b64encode(hashlib.md5(b"kazoo_apps@fax-emulator.local").digest()).decode().rstrip("=")


@dataclass(slots=True, repr=False, eq=False)
class Call:
    """Who is calling (Kazoo's caller, ``exchange.caller``): what auth learned about one
    request, echoed in its response envelope."""

    runtime: Services
    now: float  # the request's instant (``Exchange.at``): its token's expiry check, a job's live status
    request_id: str
    token: str | None = None  # the auth token the request carried, as sent
    account_id: str | None = None  # the authenticated account
    owner_id: str | None = None
    tenant: Tenant | None = None  # the authenticated account's store
    #: the token's member of a success envelope, as ``respond_json`` writes it (made once per
    #: token, by auth: a polled job's answer echoes the same token every time)
    token_member: bytes | None = None


def runtime(request: web.Request) -> Services:
    return request.app[keys.RUNTIME]


def tenant_of(request: web.Request) -> Tenant:
    """The account the path names: the authenticated one (auth made sure they are the same)."""
    found = call(request).tenant
    return found if found is not None else runtime(request).tenant(NAME, request.match_info["account_id"])


def _token_elsewhere(request: web.Request) -> str | None:
    """A token sent other than in X-Auth-Token: in a Bearer header or ``auth_token`` in the query."""
    bearer = request.headers.get("Authorization", "")
    token = bearer[7:].strip() if bearer[:7].lower() == "bearer " else None
    return token or request.query.get("auth_token") or None


def token_of(request: web.Request) -> str | None:
    """The token a request carries: X-Auth-Token, else a Bearer header, else ``auth_token`` in the query."""
    return request.headers.get(X_AUTH_TOKEN) or _token_elsewhere(request)


def request_id_of(rt: Services, request: web.Request) -> str:
    """The request's id: the client's X-Request-ID, else one drawn (Crossbar makes one)."""
    return request.headers.get(X_REQUEST_ID) or rt.ids.request_id()


def begin(rt: Services, request: web.Request, exchange: Exchange) -> Call:
    """The request's ``Call`` as far as its headers tell (its exchange's caller, kept there so
    that its answer echoes it): a request that ``auth.authenticate`` refused or let through
    unauthenticated, or one a scenario's fault answers first."""
    found = exchange.caller = Call(rt, exchange.at, request_id_of(rt, request), token_of(request))
    return found


def call(request: web.Request) -> Call:
    """What is known about this request (begun now if an error is answered before
    ``auth.authenticate`` ran, e.g. a scenario's fault)."""
    exchange = request[EXCHANGE]
    found: Call | None = exchange.caller  # type: ignore[assignment]  # what ``begin`` kept
    return found if found is not None else begin(runtime(request), request, exchange)


def gregorian(timestamp: float) -> int:
    """POSIX seconds as Kazoo's Gregorian seconds."""
    return int(timestamp) + GREGORIAN_OFFSET


def iso8601(seconds: int) -> str:
    """Crossbar's timestamp of an answer (whole seconds, UTC)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: answers' timestamps, by second, remembered (``cache.memos[TIMESTAMPS]``)
TIMESTAMPS = Remembered("kazoo.timestamps", iso8601)


def wrap(request: web.Request, status: str, data: Any, **fields: Any) -> dict[str, Any]:
    """The envelope around ``data``, with ``fields`` (paging, error...) added as given, but those that are None."""
    return _wrap(call(request), status, data, None, fields)


def _wrap(context: Call, status: str, data: Any, revision: str | None, fields: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"data": data}
    if context.token is not None:
        body["auth_token"] = context.token
    if revision is not None:
        body["revision"] = revision
    if fields:
        for name, value in fields.items():
            if value is not None:
                body[name] = value
    body["node"] = NODE
    body["request_id"] = context.request_id
    body["status"] = status
    # when the answer is made, as Crossbar stamps it; remembered (every answer's envelope
    # formats the same few seconds)
    body["timestamp"] = context.runtime.cache.memos[TIMESTAMPS][int(context.runtime.now())]
    body["version"] = VERSION
    return body


def respond(
    request: web.Request, data: Any, *, status: int = 200, revision: str | None = None, **fields: Any
) -> web.Response:
    """A success response: 200, or 201 for every PUT (kazoo.md §3), a POST tunnelled as PUT too
    (``api_resource:allow_missing_post``: it creates), with the request's id in
    ``X-Request-ID`` (as on every Crossbar answer) and the revision in ``ETag``."""
    if request.match_info.route.method == "PUT" and status == 200:
        status = 201
    context = call(request)
    return json_response(
        _wrap(context, "success", data, revision, fields), status=status, headers=_headers(context, _etag(revision))
    )


@dataclass(slots=True, repr=False, eq=False)
class Written:
    """What ``respond_json`` writes of a document at one revision, whoever reads it: made
    once per version of the document, with the view the runtime's cache keeps (``written``)."""

    data: bytes  # the document as JSON
    revision: str | None
    head: bytes  # the envelope up to the token's member: ``{"data":<data>``
    middle: bytes  # from the token's member to the request id's value: the revision's member and the node's
    etag: str | None  # the revision as the answer's ETag (``_etag``)


def written(data: bytes, revision: str | None = None) -> Written:
    """The parts of a success envelope around ``data`` (JSON already) at ``revision`` that
    do not change from one read to the next (``respond_json``)."""
    member = b',"revision":' + orjson.dumps(revision) if revision is not None else b""
    etag = _etag(revision)
    return Written(data, revision, b'{"data":' + data, member + _NODE_AND_ID, etag)


def token_member(token: str | None) -> bytes | None:
    """``token``'s member of a success envelope (``,"auth_token":"..."``); None if orjson
    refuses the text (a lone surrogate: ``respond`` writes it then)."""
    if token is None:
        return b""
    try:
        return b',"auth_token":' + orjson.dumps(token)
    except TypeError:
        return None


def respond_json(request: web.Request, context: Call, document: Written) -> web.Response:
    """``respond`` (200, no other fields) of a document that is JSON already (a view the
    runtime's cache keeps: the polled job), ``context`` being the request's ``call``: the
    envelope written as text around it, the same bytes ``respond`` makes of the parsed data
    (keys in ``_wrap``'s order, strings escaped by orjson), without serialising the data
    again (about 5,000 CPU instructions a read), its revision's member and ETag made once
    (``written``), the token's once per token (``Call.token_member``, set by auth)."""
    token = context.token_member
    if token is None:
        token = token_member(context.token)
    try:  # the request id, as the client chose it (or as its header decoded)
        request_id: bytes | None = orjson.dumps(context.request_id)
    except TypeError:
        request_id = None
    if token is None or request_id is None:  # a lone surrogate, which orjson refuses: as ``respond`` writes it
        # (json_loads: the job text may hold a lone surrogate escape too, which orjson alone refuses)
        return respond(request, json_loads(document.data), revision=document.revision)
    made = b"".join(
        (
            document.head,
            token,
            document.middle,
            request_id,
            # (stamped with the second the read arrived in: it awaits nothing before it answers, so
            # its answer's second but for a read that straddles one on a real clock)
            context.runtime.cache.memos[ENVELOPE_TAILS][int(context.now)],
        )
    )
    return json_text_response(made, headers=_headers(context, document.etag))


_NODE_AND_ID = b',"node":"' + NODE.encode() + b'","request_id":'


def _tail(second: int) -> bytes:
    """The end of a success envelope made at ``second`` (``respond_json``)."""
    return b',"status":"success","timestamp":"%s","version":"%s"}' % (iso8601(second).encode(), VERSION.encode())


#: ``respond_json``'s envelope ends, by answer second, remembered (``cache.memos[ENVELOPE_TAILS]``)
ENVELOPE_TAILS = Remembered("kazoo.envelope_tails", _tail)


def _headers(context: Call, etag: str | None) -> dict[str, str]:
    """A success answer's own headers: the request's id, and the revision's ETag (``_etag``)."""
    headers: dict[str, str] = {X_REQUEST_ID: context.request_id}
    if etag is not None:
        headers[hdrs.ETAG] = etag
    return headers


def _etag(revision: str | None) -> str | None:
    """The ETag a success answer shows of ``revision`` (none of an automatic one)."""
    return f'"{revision}"' if revision is not None and revision != "automatic" else None


def revision(counter: int, seed: str) -> str:
    """A CouchDB-style revision ``N-<32hex>``, stable for the same document state. (Not
    remembered: the hot read's revision is in its job view, made once per change of the fax.)"""
    return f"{counter}-{hashlib.md5(f'{seed}:{counter}'.encode()).hexdigest()}"


def _envelope_error(detail: dict[str, Any]) -> Invalid:
    return Invalid("invalid request envelope", code="invalid request envelope", detail=detail)


#: what Crossbar takes as a request body by default (crossbar_types.hrl: JSON, the "multipart"
#: family, which includes url-encoded, and CSV); no Content-Type at all counts as JSON
ACCEPTED_TYPES = frozenset(
    {
        "",
        "application/json",
        "application/x-json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/mixed",
        "application/octet-stream",
        "text/csv",
        "text/comma-separated-values",
    }
)


def check_content_type(request: web.Request, accepted: frozenset[str] = ACCEPTED_TYPES) -> None:
    """415 for a body whose type the resource does not take (api_resource known_content_type,
    checked after authentication and before validation), e.g. JSON sent as ``text/plain``."""
    if request.content_type.lower() not in accepted and request.headers.get(hdrs.CONTENT_TYPE) is not None:
        raise UnsupportedMediaType()


#: the bodies Crossbar reads as JSON: none, JSON, and url-encoded (api_util try_json)
_JSON_BODIES = frozenset({"", "application/json", "application/x-json", "application/x-www-form-urlencoded"})


async def verb_of(request: web.Request) -> str | None:
    """Crossbar's verb tunnelling (``api_util:get_http_verb``): the method a POST names as
    ``verb``, found where ``cb_context:req_value`` finds a key: in the envelope's ``data``,
    then the query string, then the envelope itself; Crossbar handles the request as that
    method, upper-cased (``api_resource`` ``determine_http_verb``). The envelope of a
    multipart body (a job's JSON part) is not looked in: only ``?verb=`` tunnels one."""
    envelope: Any = None
    if request.content_type.lower() in _JSON_BODIES:
        raw = await peek(request)
        if raw and b"verb" in raw:
            try:
                envelope = json_value(raw)
            except (ValueError, RecursionError):
                envelope = None  # the handler answers a body that is not JSON
    data = envelope.get("data") if isinstance(envelope, dict) else None
    for where in (data, request.query, envelope):
        if isinstance(where, Mapping) and "verb" in where:
            verb = where["verb"]
            return verb if isinstance(verb, str) else json.dumps(verb)  # not a method: 405
    return None


async def read_json_body(request: web.Request) -> dict[str, Any]:
    """The whole JSON envelope of a request (415 for a type Crossbar does not take, 400 in
    Kazoo's words if it is not an envelope). A url-encoded body is read as JSON, as Crossbar
    tries JSON when url-decoding fails (api_util try_json: what ``curl -d`` sends)."""
    check_content_type(request)
    raw = await read_bytes(request)
    return parse_envelope(request, raw)


def parse_envelope(request: web.Request, raw: bytes) -> dict[str, Any]:
    """Parse an envelope; ``data`` must be present and an object or a list.

    The parsed JSON is kept as the request's parsed body, for the contract checks.
    """
    try:
        envelope = json_value(raw) if raw.strip() else None
        if too_deep(raw, envelope):
            raise ValueError(raw)
    except (ValueError, RecursionError):
        raise Invalid(
            "validation error",
            code="validation error",
            detail={"json": {"invalid": {"message": "All JSON must be valid", "target": "body"}}},
        ) from None
    request[PARSED_BODY] = envelope
    if not isinstance(envelope, dict) or "data" not in envelope:
        raise _envelope_error({"data": {"required": {"message": "Field is required but missing", "value": "data"}}})
    if not isinstance(envelope["data"], dict | list):
        raise _envelope_error(
            {
                "data": {
                    "type": {
                        "message": "Value did not match type(s): object, array",
                        "target": "object, array",
                        "value": envelope["data"],
                    }
                }
            }
        )
    return envelope


_JSON_TYPES = ("application/json", "application/x-json")
_DOCUMENT_TYPES = frozenset({"application/pdf", "image/tiff", "application/octet-stream"})


def _is_envelope_part(part: Part) -> bool:
    """A JSON part, or an untyped one: Crossbar reads a part without Content-Type as JSON
    (api_util get_req_data 'undefined' -> "assuming application/json"), which is what Python
    ``requests`` sends for ``files={"json": (None, body)}``."""
    content_type = part.content_type
    if content_type in _JSON_TYPES:  # (as clients write it: no parameters, lower case)
        return True
    media = content_type.split(";")[0].strip().lower()
    return media in _JSON_TYPES or not media


async def read_job(request: web.Request, rt: Services) -> tuple[Any, Part | None]:
    """A new job's ``data`` and its uploaded document, if any (kazoo.md §7.4): a JSON envelope,
    a ``multipart/*`` body (the envelope as its JSON part, the document the first other part),
    or a bare document, within the upload limit."""
    max_bytes = rt.config.max_upload_bytes
    ctype = request.content_type
    if ctype.startswith("multipart/"):
        json_part = upload = None
        for part in await read_parts(request, max_bytes, heads=rt.cache.memos[PART_HEADS]):
            if json_part is None and _is_envelope_part(part):
                json_part = part
            elif upload is None:
                upload = part
            if json_part is not None and upload is not None:
                break
        return (parse_envelope(request, json_part.data)["data"] if json_part else {}), upload
    if ctype in _DOCUMENT_TYPES:
        return {}, Part("", None, ctype, None, await read_bytes(request, max_bytes))
    return (await read_json_body(request))["data"], None


async def read_data(request: web.Request) -> dict[str, Any]:
    """The ``data`` object of a JSON envelope (a list is refused by the schema later)."""
    return (await read_json_body(request))["data"]
