"""Rendering a fax as printed: ms per page, and how a status read fares meanwhile.

    python benchmarks/pages.py --pages 100

An emulator is started (pinned to one core when possible); a fax arrives with a PDF of
``--pages`` pages, and its first ``document.tiff`` download renders it in the worker pool
while this process reads a CallerIP fax's status over and over. Reported: ms per page of
that rendering, against the library floor measured in the same run (pypdfium2 only
rasterising the same pages to grey at the same scale, in this process), and the status
read's p50/p99 with the worker pool idle and while it renders (target: p99 < 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from emulator.core.documents import make_pdf  # noqa: E402


def document(pages: int) -> bytes:
    lines = [f"Line {n}: the quick brown fox jumps over the lazy dog, 0123456789." for n in range(40)]
    return make_pdf(pages, lines, title="benchmark")


def floor_ms_per_page(data: bytes) -> float:
    """pypdfium2 alone: each page rasterised to grey, 1728 pixels across."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    started = time.perf_counter()
    for index in range(len(pdf)):
        page = pdf[index]
        page.render(scale=1728 / page.get_size()[0], grayscale=True).to_pil()
    elapsed = time.perf_counter() - started
    count = len(pdf)
    pdf.close()
    return elapsed * 1000 / count


def quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "reads": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


async def measure(base: str, pages: int) -> dict[str, object]:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        form = aiohttp.FormData()
        form.add_field("token", "bench")
        form.add_field("number", "2125550100")
        form.add_field("file", make_pdf(1), filename="bench.pdf", content_type="application/pdf")
        async with session.post(f"{base}/api/fax/send", data=form) as response:
            status_url = f"{base}/api/fax/status?token=bench&uuid={(await response.json())['uuid']}"

        async def read_status() -> float:
            started = time.perf_counter()
            async with session.get(status_url) as response:
                await response.read()
                assert response.status == 200
            return time.perf_counter() - started

        idle = [await read_status() for _ in range(300)]
        data = document(pages)
        body = {
            "vendor": "imagicle",
            "to": "1",
            "from": "2",
            "tenant": "bench",
            "document_base64": base64.b64encode(data).decode(),
        }
        async with session.post(f"{base}/_emulator/inbound", json=body) as response:
            fax_id = (await response.json())["id"]

        async def render() -> float:
            started = time.perf_counter()
            async with session.get(f"{base}/_emulator/faxes/{fax_id}/document.tiff") as response:
                assert response.status == 200, await response.text()
                await response.read()
            return time.perf_counter() - started

        job = asyncio.create_task(render())
        busy = []
        while not job.done():
            busy.append(await read_status())
        seconds = await job
    ms_per_page = seconds * 1000 / pages
    floor = floor_ms_per_page(data)
    return {
        "pages": pages,
        "render_s": round(seconds, 2),
        "ms_per_page": round(ms_per_page, 1),
        "floor_ms_per_page": round(floor, 1),
        "ratio_to_floor": round(ms_per_page / floor, 2),
        "status_idle": quantiles(idle),
        "status_while_rendering": quantiles(busy),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    argv = [
        sys.executable,
        "-m",
        "emulator",
        "serve",
        "--port",
        "0",
        "--clock",
        "manual",
        "--log-level",
        "error",
        "--quiet",
    ]  # no console: nobody reads its output here
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        argv = ["taskset", "-c", "0", *argv]
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        base = re.search(r"(http://\S+)", server.stdout.readline()).group(1)  # type: ignore[union-attr]
        print(json.dumps(asyncio.run(measure(base, args.pages))))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
