"""Paths in any case, as IIS serves them (imagicle.md §2): the prefix and the literal parts
match whatever their case; a fax id is a value and keeps its case."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from emulator.core import contracts
from tests.vendors.imagicle.conftest import PDF2
from tests.vendors.imagicle.stonefax import fax, multipart_part

LOWER = "/fw/apps/stonefax/webapi"
UPPER = "/FW/APPS/STONEFAX/WEBAPI"
MIXED = "/Fw/aPPs/stoneFAX/webApi"


def _imagicle_error(reply, status: int) -> None:
    assert reply.status == status, reply
    assert reply.headers["Content-Type"].startswith("application/json")
    assert contracts.check("imagicle", "error", reply.body) == []


async def _journal(client) -> list[dict]:
    return (await (await client.get("/_emulator/requests", params={"vendor": "imagicle"})).json())["requests"]


@pytest.mark.parametrize(
    ("base", "outbound"),
    [
        (LOWER, "/faxes/outbound"),
        (UPPER, "/FAXES/OUTBOUND"),
        (MIXED, "/fAxEs/OutBound"),
    ],
)
async def test_submit_and_read_through_another_casing(stonefax, base, outbound):
    other = stonefax.at(base)
    reply = await other.post_multipart(
        outbound,
        [
            multipart_part("jsondata", json.dumps(fax("100")).encode(), content_type="application/json"),
            multipart_part("attachment0", PDF2, filename="a.pdf"),
        ],
    )
    assert reply.status == 200, reply
    [fax_id] = reply.body["ids"]
    for reader in (other, stonefax):  # the documented path reads it too
        detail = await reader.call("GET", f"{outbound}/{fax_id}")
        assert detail.status == 200 and detail.body["faxId"] == fax_id, detail
    assert (await other.call("GET", f"{outbound}/{fax_id}")).body == await stonefax.outbound_fax(fax_id)
    listing = await other.call("GET", f"{outbound}/MINE")
    assert [item["faxId"] for item in listing.body["faxList"]] == [fax_id]
    document = await other.call("GET", f"{outbound}/{fax_id}/document")
    assert document.status == 200 and len(PdfReader(io.BytesIO(document.raw)).pages) == 2


async def test_the_fax_id_keeps_its_case(stonefax):
    [fax_id] = await stonefax.ids(fax("100"), [("a.pdf", PDF2)])
    assert fax_id != fax_id.lower() and fax_id != fax_id.upper()
    lower = stonefax.at(LOWER)
    assert (await lower.call("GET", f"/faxes/outbound/{fax_id}")).status == 200
    for wrong in (fax_id.lower(), fax_id.upper()):
        _imagicle_error(await lower.call("GET", f"/faxes/outbound/{wrong}"), 404)
        _imagicle_error(await stonefax.outbound(wrong), 404)


async def test_an_unknown_path_in_another_case_is_imagicles_404(stonefax):
    for base, path in ((UPPER, "/FAXES/ELSEWHERE"), (LOWER, ""), (MIXED, "/faxes/outbound/x/document/more")):
        _imagicle_error(await stonefax.at(base).call("GET", path), 404)


async def test_a_wrong_method_in_another_case_is_405_with_allow(stonefax):
    for base, method, path, allow in (
        (LOWER, "DELETE", "/faxes/outbound", "POST"),
        (UPPER, "POST", "/FAXES/OUTBOUND/MINE", "GET"),
        (MIXED, "PUT", "/Faxes/inbound/IAS-N1_x_0", "GET"),
    ):
        for _ in range(2):  # an error is not remembered as a route
            reply = await stonefax.at(base).call(method, path)
            _imagicle_error(reply, 405)
            assert reply.headers["Allow"] == allow


async def test_the_journal_names_the_operation_and_keeps_the_path_as_sent(stonefax, client):
    [fax_id] = await stonefax.ids(fax("100"), [("a.pdf", PDF2)])
    upper = stonefax.at(UPPER)
    for _ in range(2):  # the second one is remembered
        assert (await upper.call("GET", f"/FAXES/OUTBOUND/{fax_id}")).status == 200
    assert (await upper.call("GET", "/faxes/elsewhere")).status == 404
    entries = (await _journal(client))[-3:]
    assert [entry["operation"] for entry in entries] == ["get_outbound_fax", "get_outbound_fax", None]
    assert entries[0]["path"] == f"{UPPER}/FAXES/OUTBOUND/{fax_id}" and entries[0]["tenant"] == "alice"
    assert entries[2]["vendor"] == "imagicle" and entries[2]["status"] == 404


async def test_other_vendors_and_the_control_api_stay_case_sensitive(client):
    for path in ("/V3/accounts/self", "/API/FAX/status", "/V2/accounts/x/faxes", "/_EMULATOR/faxes"):
        response = await client.get(path)
        assert response.status == 404
        assert "vendors" in await response.json(), path  # the emulator's index: no vendor owns it
    assert (await client.get("/_emulator/faxes")).status == 200
