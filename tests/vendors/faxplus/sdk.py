"""The official FAX.PLUS SDK (faxplus-api 3.0.5) pointed at a threaded emulator.

Only ``Configuration.host`` (and the token) differ from what an application would use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faxplus
from faxplus import ApiClient, Configuration
from faxplus.models import FileType, PayloadOutbox

from emulator.core.documents import make_pdf
from emulator.testing import FaxEmulator


@dataclass
class Sdk:
    """Every API class of the SDK for one token."""

    client: ApiClient
    files: faxplus.FilesApi
    outbox: faxplus.OutboxApi
    faxes: faxplus.FaxesApi
    hooks: faxplus.WebhooksApi
    accounts: faxplus.AccountsApi
    numbers: faxplus.NumbersApi
    shop: faxplus.ShopApi
    tmp: Path

    def close(self) -> None:
        self.client.rest_client.pool_manager.clear()

    def my_number(self) -> str:
        return self.numbers.list_numbers("self").numbers[0].number

    def upload(self, pages: int = 1, name: str = "letter.pdf", data: bytes | None = None) -> str:
        path = self.tmp / name
        path.write_bytes(make_pdf(pages) if data is None else data)
        return self.files.upload_file("self", fax_file=str(path), format=FileType.PDF).path

    def send(self, to: list[str], files: list[str] | None = None, **options: Any) -> dict[str, str]:
        """Send from the caller's first number; returns destination -> outbox id."""
        body = PayloadOutbox(
            from_number=options.pop("from_number", None) or self.my_number(),
            to=to,
            files=files or [self.upload()],
            return_ids=True,
            **options,
        )
        return self.outbox.send_fax("self", body=body).ids


def make_sdk(emulator: FaxEmulator, token: str, tmp: Path) -> Sdk:
    conf = Configuration()
    conf.host = emulator.url + "/v3"
    conf.access_token = token
    conf.temp_folder_path = str(tmp)
    conf.logger["urllib3_logger"].setLevel(logging.ERROR)
    client = ApiClient(configuration=conf)
    return Sdk(
        client,
        faxplus.FilesApi(client),
        faxplus.OutboxApi(client),
        faxplus.FaxesApi(client),
        faxplus.WebhooksApi(client),
        faxplus.AccountsApi(client),
        faxplus.NumbersApi(client),
        faxplus.ShopApi(client),
        tmp,
    )
