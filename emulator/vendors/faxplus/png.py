"""A tiny PNG encoder (zlib only) for fax thumbnails (faxplus.md §3.1 ``get_fax_thumbnail``).

The emulator cannot render a PDF, so a thumbnail is a page-shaped greyscale picture:
white paper, a margin, and grey bars where lines of text would be (one bar pattern per
page count, so different faxes look different).
"""

from __future__ import annotations

import struct
import zlib

WIDTH, HEIGHT = 85, 110  # US Letter at 10 dpi


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_grey(rows: list[bytes], width: int) -> bytes:
    """A valid 8-bit greyscale PNG of ``rows`` (each ``width`` bytes)."""
    header = struct.pack(">IIBBBBB", width, len(rows), 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 (None) on every row
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(
        b"IEND", b"")


def page_thumbnail(seed: int) -> bytes:
    """A page with text-like bars; ``seed`` varies the line lengths."""
    rows = []
    for y in range(HEIGHT):
        row = bytearray([255] * WIDTH)
        if y in (0, HEIGHT - 1):
            row = bytearray([160] * WIDTH)
        row[0] = row[-1] = 160
        line, within = divmod(y - 12, 5)
        if 12 <= y < HEIGHT - 12 and within < 2:
            length = 30 + (seed * 7 + line * 13) % 40
            for x in range(8, min(8 + length, WIDTH - 8)):
                row[x] = 96
        rows.append(bytes(row))
    return encode_grey(rows, WIDTH)
