"""Makes the README's screenshots of the web UI: ``python -m tests.ui.screenshots``.

An emulator (manual clock, fixed seed) gets faxes of every vendor, through their own APIs
and the control API, and a webhook; then Chromium photographs the fax list and one fax's
page into docs/ui-faxes.png and docs/ui-fax.png.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import requests
from faxplus.models import Webhook, WebhookEventType

from emulator.core.documents import make_pdf
from emulator.testing.server import FaxEmulator
from tests.ui import browser as chromium
from tests.ui.conftest import START
from tests.vendors.faxplus.sdk import make_sdk

DOCS = Path(__file__).resolve().parents[2] / "docs"


def populate(emulator: FaxEmulator, tmp: Path) -> str:
    """Faxes in every state worth seeing; returns the id of the one to photograph."""
    receiver = emulator.receiver("/hooks/fax-sent")
    sdk = make_sdk(emulator, "acme-prod-token", tmp)
    sdk.hooks.create_webhook(body=Webhook(target=receiver.url, event=WebhookEventType.SENT))
    shown = sdk.send(["+12125550148"], files=[sdk.upload(pages=3, name="invoice-2291.pdf")])["+12125550148"]
    emulator.client.advance(600)  # it is sent, and its webhook delivered
    for number, pages in (("2125550100", 2), ("2125550001", 1), ("4165550177", 4)):
        requests.post(
            f"{emulator.url}/api/fax/send",
            data={"token": "branch-toronto", "number": number},
            files={"file": ("fax.pdf", make_pdf(pages), "application/pdf")},
            timeout=10,
        )
        emulator.client.advance(7)
    emulator.client.inbound("kazoo", "+15145550190", "+15145550123", tenant="4fd1c1a8e5b04a4c9c1f2a7d3e6b8c90", pages=2)
    emulator.client.inbound("imagicle", "+390255501", "+390255599", tenant="milano", pages=1)
    emulator.client.advance(95)
    sdk.send(["+13105550111"], files=[sdk.upload(pages=6, name="contract.pdf")])
    requests.post(
        f"{emulator.url}/api/fax/send",
        data={"token": "branch-toronto", "number": "6045550142"},
        files={"file": ("fax.pdf", make_pdf(1), "application/pdf")},
        timeout=10,
    )
    emulator.client.inbound("faxplus", "+12125550148", "+17185550163", tenant="acme-prod-token", pages=1)
    emulator.client.advance(4)
    sdk.close()
    return str(shown)


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    with (
        tempfile.TemporaryDirectory() as tmp,
        FaxEmulator(start_time=START, seed=20) as emulator,
        sync_playwright() as playwright,
    ):
        shown = populate(emulator, Path(tmp))
        browser = chromium.launch(playwright)
        page = browser.new_page(viewport={"width": 1360, "height": 780}, device_scale_factor=1)
        page.goto(f"{emulator.url}/")
        expect(page.locator("tr.row")).to_have_count(9)
        page.screenshot(path=DOCS / "ui-faxes.png")
        page.set_viewport_size({"width": 1360, "height": 1000})
        page.goto(f"{emulator.url}/#/fax/{shown}")
        expect(page.locator(".thumb")).to_have_count(3)
        page.wait_for_function("[...document.querySelectorAll('.thumb img')].every(i => i.complete)", timeout=60_000)
        page.get_by_role("tab", name="Webhooks").click()
        page.get_by_text("Request headers and body").click()
        page.screenshot(path=DOCS / "ui-fax.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
