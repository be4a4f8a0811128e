"""No input gets a 500: generated bodies and queries against the FAX.PLUS endpoints (faxplus.md §8)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import urllib3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.core.documents import make_pdf
from emulator.testing import FaxEmulator
from emulator.vendors.faxplus.accounts import number_for

TOKEN = {"Authorization": "Bearer fuzz", "Content-Type": "application/json"}
KEYS = st.sampled_from(
    [
        "from",
        "to",
        "files",
        "comment",
        "options",
        "send_time",
        "return_ids",
        "cover_page",
        "retry",
        "count",
        "delay",
        "tags",
        "text",
        "name_to",
        "flags",
        "target",
        "event",
        "email",
        "settings",
        "notifications",
        "quota",
        "assigned_to",
        "item_id",
        "x",
    ]
)
SCALARS = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=False) | st.text(max_size=30)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5), max_leaves=20
)
BODY_CALLS = [
    ("POST", "/v3/accounts/self/outbox"),
    ("PUT", "/v3/accounts/self"),
    ("POST", "/hooks"),
    ("PUT", "/v3/accounts/self/faxes/0123456789abcdef01234567"),
    ("POST", "/v3/shop/numbers/purchase"),
]
QUERY = st.dictionaries(
    st.sampled_from(
        ["category", "after", "before", "limit", "offset", "sort_by", "order", "event", "format", "channel", "contains"]
    ),
    st.text(max_size=25),
    max_size=4,
)
LOOSE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@LOOSE
@given(call=st.sampled_from(BODY_CALLS), body=JSON | st.dictionaries(KEYS, JSON, max_size=8))
def test_any_json_body_gets_a_vendor_answer(emulator: FaxEmulator, call, body):
    method, path = call
    path = path if path.startswith("/v3") else "/v3" + path
    response = urllib3.request(method, emulator.url + path, body=json.dumps(body), headers=TOKEN)
    assert response.status < 500, response.data
    if response.status >= 400:
        assert set(json.loads(response.data)) == {"error", "description"}


@LOOSE
@given(
    query=QUERY,
    path=st.sampled_from(["/v3/accounts/self/faxes", "/v3/hooks", "/v3/shop/numbers/countries/US/areas/212/numbers"]),
)
def test_any_query_gets_a_vendor_answer(emulator: FaxEmulator, query, path):
    response = urllib3.request("GET", emulator.url + f"{path}?{urlencode(query)}", headers=TOKEN)
    assert response.status < 500, response.data


def valid_send(emulator: FaxEmulator) -> dict[str, object]:
    """A send that succeeds; the file is uploaded once per emulator (examples share the fixture)."""
    path = getattr(emulator, "fuzz_file", None)
    if path is None:
        response = urllib3.request(
            "POST",
            emulator.url + "/v3/accounts/self/files",
            headers={"Authorization": "Bearer fuzz"},
            fields={"fax_file": ("a.pdf", make_pdf(1), "application/pdf")},
        )
        path = emulator.fuzz_file = json.loads(response.data)["path"]
    return {
        "from": number_for("fuzz", "self"),
        "to": ["+12125550100"],
        "files": [path],
        "return_ids": True,
        "send_time": "2026-01-01 00:00:00 +0000",
        "options": {"retry": {"count": 1, "delay": 1}},
        "comment": {"text": "x"},
        "cover_page": {"name_to": "a", "name_from": "b", "subject": "c"},
    }


@LOOSE
@given(
    field=st.sampled_from(["from", "to", "files", "comment", "options", "send_time", "return_ids", "cover_page"]),
    value=JSON,
)
def test_a_send_with_one_field_replaced_gets_a_vendor_answer(emulator: FaxEmulator, field, value):
    body = {**valid_send(emulator), field: value}
    response = urllib3.request("POST", emulator.url + "/v3/accounts/self/outbox", body=json.dumps(body), headers=TOKEN)
    assert response.status in (201, 400, 403, 413), response.data
