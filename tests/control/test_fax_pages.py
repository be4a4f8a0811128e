"""The control API serves every fax as printed: its pages as PNG, the whole fax as TIFF or PDF."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image
from pypdf import PdfReader

from emulator.core.documents import Document
from emulator.core.vendor import Inbound
from tests.conftest import advance, runtime_of
from tests.core.pagekit import darkness, rect_pdf

BOX = (72.0, 648.0, 144.0, 72.0)


async def arrive(client: Any, document: bytes) -> dict[str, Any]:
    response = await client.post(
        "/_emulator/inbound",
        json={
            "vendor": "imagicle",
            "to": "1",
            "from": "2",
            "tenant": "alice",
            "document_base64": base64.b64encode(document).decode(),
        },
    )
    assert response.status == 201, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def test_the_tiff_opens_with_the_pages_the_api_reports(client: Any) -> None:
    fax = await arrive(client, rect_pdf([BOX], pages=3))
    response = await client.get(f"/_emulator/faxes/{fax['id']}/document.tiff")
    assert (response.status, response.content_type) == (200, "image/tiff")
    with Image.open(io.BytesIO(await response.read())) as image:
        assert image.n_frames == fax["pages"] == 3
        assert (image.width, image.info["compression"]) == (1728, "group4")
    response = await client.get(f"/_emulator/faxes/{fax['id']}/document.pdf")
    assert (response.status, response.content_type) == (200, "application/pdf")
    assert len(PdfReader(io.BytesIO(await response.read())).pages) == 3


async def test_pages_as_png_full_size_and_thumbnail(client: Any) -> None:
    fax = await arrive(client, rect_pdf([BOX], pages=2))
    response = await client.get(f"/_emulator/faxes/{fax['id']}/pages/2.png")
    assert (response.status, response.content_type) == (200, "image/png")
    page = Image.open(io.BytesIO(await response.read()))
    assert page.width == 1728 and darkness(page, (210, 240, 600, 380)) > 0.95  # the box, 1 in from the top left
    response = await client.get(f"/_emulator/faxes/{fax['id']}/pages/1.png?size=thumb")
    assert Image.open(io.BytesIO(await response.read())).width == 216
    missing = await client.get(f"/_emulator/faxes/{fax['id']}/pages/3.png")
    assert (missing.status, (await missing.json())["error"]["code"]) == (404, "page_not_found")
    wrong = await client.get(f"/_emulator/faxes/{fax['id']}/pages/1.png?size=huge")
    assert (wrong.status, (await wrong.json())["error"]["field"]) == (400, "size")
    assert (await client.get("/_emulator/faxes/nope/pages/1.png")).status == 404


async def test_rendered_once_then_kept(client: Any) -> None:
    fax = await arrive(client, rect_pdf([BOX]))
    work = runtime_of(client).work
    first = await (await client.get(f"/_emulator/faxes/{fax['id']}/pages/1.png")).read()
    done = work.stats()["done"]
    assert done == 2  # the rendering, then its PNG
    again = await (await client.get(f"/_emulator/faxes/{fax['id']}/pages/1.png")).read()
    assert again == first and work.stats()["done"] == done


async def test_a_document_that_cannot_become_pages_is_a_conversion_failure(client: Any) -> None:
    tall = Document("pdf", rect_pdf([BOX], size=(612, 720_000)), 1, "tall.pdf")  # 10,000 inches (intake refuses it)
    fax = runtime_of(client).receive(Inbound("imagicle", "1", "2", "alice", 1, tall))
    response = await client.get(f"/_emulator/faxes/{fax.id}/document.tiff")
    body = await response.json()
    assert (response.status, body["error"]["code"]) == (422, "conversion_failed")
    assert "inches long" in body["error"]["message"]


async def test_a_call_that_dropped_prints_only_the_pages_that_got_through(client: Any) -> None:
    response = await client.post(
        "/_emulator/inbound",
        json={
            "vendor": "faxplus",
            "to": "+15550100",
            "from": "+15550199",
            "tenant": "office",
            "document_base64": base64.b64encode(rect_pdf([BOX], pages=4)).decode(),
            "options": {"status": "partially_received"},
        },
    )  # FAX.PLUS: half the pages arrive
    fax = await response.json()
    assert (response.status, fax["pages"], fax["pages_sent"]) == (201, 4, 2)
    tiff = await (await client.get(f"/_emulator/faxes/{fax['id']}/document.tiff")).read()
    with Image.open(io.BytesIO(tiff)) as image:
        assert image.n_frames == 2
    response = await client.post(
        "/_emulator/inbound",
        json={
            "vendor": "faxplus",
            "to": "+15550100",
            "from": "+15550199",
            "tenant": "office",
            "document_base64": base64.b64encode(rect_pdf([BOX], pages=4)).decode(),
        },
    )
    whole = await response.json()
    numbers = []  # the right end of page 2's header line: "P. 2/2" after the drop, "P. 2/4" in full
    for fax_id in (fax["id"], whole["id"]):
        page = Image.open(io.BytesIO(await (await client.get(f"/_emulator/faxes/{fax_id}/pages/2.png")).read()))
        numbers.append(page.crop((1500, 0, 1728, 40)))
    assert all(darkness(n, (0, 0, 228, 40)) > 0.005 for n in numbers)
    assert numbers[0].tobytes() != numbers[1].tobytes()


async def test_a_fax_whose_documents_retention_dropped_has_no_pages(make_client: Any) -> None:
    client = await make_client(retain_document_bytes=0)  # an ended fax's documents go at once
    fax = await arrive(client, rect_pdf([BOX]))
    await advance(client, 3600)  # the reception ends
    assert runtime_of(client).store.get(fax["id"]).documents_expired
    for path in ("pages/1.png", "document.tiff", "document.pdf"):
        response = await client.get(f"/_emulator/faxes/{fax['id']}/{path}")
        assert (response.status, (await response.json())["error"]["code"]) == (404, "document_expired")


async def test_a_fax_retention_drops_takes_its_renderings_with_it(make_client: Any) -> None:
    client = await make_client(retain_faxes=1)
    first = await arrive(client, rect_pdf([BOX]))
    for path in ("document.pdf", "pages/1.png?size=thumb"):
        assert (await client.get(f"/_emulator/faxes/{first['id']}/{path}")).status == 200
    await advance(client, 3600)
    kept = (await (await client.get("/_emulator/health")).json())["renderings"]
    assert kept["kept"] == 3 and 0 < kept["bytes"] <= kept["max_bytes"]  # the rendering, its PDF, its thumbnail
    await arrive(client, rect_pdf([BOX]))
    await advance(client, 3600)
    assert (await client.get(f"/_emulator/faxes/{first['id']}")).status == 404  # retention let it go
    # nothing could ask for them again: under the byte bound alone they stayed (issue #17's soak)
    health = await (await client.get("/_emulator/health")).json()
    assert (health["renderings"]["kept"], health["renderings"]["bytes"]) == (0, 0)
