"""The hot read of each vendor: make one fax through the vendor's API, return how to read it.

Each function takes an aiohttp session and the emulator's base URL and returns
``(url, headers)`` of the read to hammer. A vendor missing here is skipped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp

from emulator.core.documents import make_pdf

Setup = Callable[[aiohttp.ClientSession, str], Awaitable[tuple[str, dict[str, str]]]]


async def callerip(session: aiohttp.ClientSession, base: str) -> tuple[str, dict[str, str]]:
    form = aiohttp.FormData()
    form.add_field("token", "bench")
    form.add_field("number", "2125550100")
    form.add_field("file", make_pdf(1), filename="bench.pdf", content_type="application/pdf")
    async with session.post(f"{base}/api/fax/send", data=form) as response:
        uuid = (await response.json())["uuid"]
    return f"{base}/api/fax/status?token=bench&uuid={uuid}", {}


async def faxplus(session: aiohttp.ClientSession, base: str) -> tuple[str, dict[str, str]]:
    headers = {"Authorization": "Bearer alohi_pat_bench"}
    api = f"{base}/v3/accounts/self"
    form = aiohttp.FormData()
    form.add_field("fax_file", make_pdf(1), filename="bench.pdf", content_type="application/pdf")
    async with session.post(f"{api}/files?format=pdf", data=form, headers=headers) as response:
        path = (await response.json())["path"]
    async with session.get(f"{api}/numbers", headers=headers) as response:
        number = (await response.json())["numbers"][0]["number"]
    body = {"from": number, "to": ["+12125550100"], "files": [path], "return_ids": True}
    async with session.post(f"{api}/outbox", json=body, headers=headers) as response:
        [outbox_id] = (await response.json())["ids"].values()
    return f"{api}/outbox/{outbox_id}", headers


async def imagicle(session: aiohttp.ClientSession, base: str) -> tuple[str, dict[str, str]]:
    import base64
    import json

    headers = {"Authorization": "Basic " + base64.b64encode(b"bench:secret").decode()}
    api = f"{base}/fw/Apps/StoneFax/WebAPI/Faxes/Outbound"
    form = aiohttp.FormData()
    form.add_field(
        "jsondata",
        json.dumps({"subject": "bench", "recipients": [{"faxNumber": "2125550100"}]}),
        content_type="application/json",
    )
    form.add_field("attachment0", make_pdf(1), filename="bench.pdf", content_type="application/pdf")
    async with session.post(api, data=form, headers=headers) as response:
        [fax_id] = (await response.json())["ids"]
    return f"{api}/{fax_id}", headers


async def kazoo(session: aiohttp.ClientSession, base: str) -> tuple[str, dict[str, str]]:
    import hashlib

    credentials = hashlib.md5(b"bench:secret").hexdigest()
    body = {"data": {"credentials": credentials, "account_name": "bench"}}
    async with session.put(f"{base}/v2/user_auth", json=body) as response:
        login = await response.json()
    headers = {"X-Auth-Token": login["auth_token"]}
    api = f"{base}/v2/accounts/{login['data']['account_id']}/faxes/outgoing"
    job = {
        "data": {
            "from_number": "+14155550100",
            "to_number": "+12125550100",
            "document": {"url": f"{base}/_emulator/health"},
        }
    }
    async with session.put(api, json=job, headers=headers) as response:
        job_id = (await response.json())["data"]["id"]
    return f"{api}/{job_id}", headers


HOT_READS: dict[str, tuple[str, Setup]] = {
    "faxplus": ("FAX.PLUS GET outbox fax", faxplus),
    "kazoo": ("Kazoo GET outgoing job", kazoo),
    "imagicle": ("Imagicle GET outbound fax", imagicle),
    "callerip": ("CallerIP GET status", callerip),
}
