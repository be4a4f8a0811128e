"""The web UI's files: served at / and /ui/..., from the package, never journaled."""

from __future__ import annotations

import re
from importlib import resources

import pytest


async def test_the_page_at_the_root_loads_its_modules_from_ui(client):
    response = await client.get("/")
    assert response.status == 200 and response.content_type == "text/html"
    page = await response.text()
    for asset in re.findall(r'(?:src|href)="(/ui/[^"]+)"', page):
        assert (await client.get(asset)).status == 200, asset
    assert '<script type="module" src="/ui/js/main.js">' in page


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/ui/app.css", "text/css"), ("/ui/js/main.js", "text/javascript"), ("/ui/favicon.svg", "image/svg+xml")],
)
async def test_each_file_has_its_type_and_is_revalidated(client, path, kind):
    response = await client.get(path)
    assert response.content_type == kind and response.headers["Cache-Control"] == "no-cache"


async def test_every_module_a_module_imports_is_served(client):
    """A missing or misspelt import would break the whole page in the browser."""
    static = resources.files("emulator.ui") / "static" / "js"
    modules = [p for p in static.iterdir() if p.name.endswith(".js")]
    modules += [p for p in (static / "views").iterdir() if p.name.endswith(".js")]
    for module in modules:
        folder = "/ui/js/" if module.name in {p.name for p in static.iterdir()} else "/ui/js/views/"
        for target in re.findall(r'from "(\.{1,2}/[^"]+)"', module.read_text()):
            url = re.sub(r"/\./", "/", folder + target)
            url = re.sub(r"[^/]+/\.\./", "", url)
            assert (await client.get(url)).status == 200, f"{module.name} imports {target}"


@pytest.mark.parametrize("path", ["/ui/nope.js", "/ui/../emulator/app.py", "/ui/js/../../__init__.py"])
async def test_nothing_else_is_served(client, path):
    assert (await client.get(path)).status == 404


async def test_the_ui_is_not_journaled(client):
    await client.get("/")
    await client.get("/ui/app.css")
    assert (await (await client.get("/_emulator/requests")).json())["requests"] == []
