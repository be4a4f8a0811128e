"""Fixtures for the Imagicle tests: a StoneFax client on the manual-clock emulator."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.core.documents import make_pdf
from tests.vendors.imagicle.stonefax import StoneFax

PDF2 = make_pdf(2)


@pytest.fixture
async def stonefax(client: Any) -> StoneFax:
    """Alice, an auto-created level-2 user."""
    return StoneFax(client)


async def declare(client: Any, *accounts: dict[str, Any]) -> None:
    response = await client.put("/_emulator/accounts/imagicle", json={"accounts": list(accounts)})
    assert response.status == 200, await response.text()


async def set_options(client: Any, **options: Any) -> dict[str, Any]:
    response = await client.patch("/_emulator/vendors/imagicle/options", json=options)
    assert response.status == 200, await response.text()
    return (await response.json())["options"]
