"""Documents for page tests: PDFs with black rectangles at known places, TIFFs of every kind."""

from __future__ import annotations

import io
import struct

from PIL import Image, ImageDraw
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from emulator.core import raster

LETTER = (612.0, 792.0)  # points


def rect_pdf(
    rects: list[tuple[float, float, float, float]],
    size: tuple[float, float] = LETTER,
    pages: int = 1,
    password: str | None = None,
) -> bytes:
    """A PDF whose pages hold black rectangles (x, y, width, height in points, from the bottom left)."""
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(*size)
        stream = DecodedStreamObject()
        stream.set_data(" ".join(f"0 g {x} {y} {w} {h} re f" for x, y, w, h in rects).encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
    if password is not None:
        writer.encrypt(password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rect_image(
    mode: str,
    size: tuple[int, int] = (1700, 2200),
    dpi: int = 200,
    rects: tuple[tuple[int, int, int, int], ...] = ((200, 200, 600, 400),),
) -> Image.Image:
    """A page-sized image (8.5 x 11 in at 200 dpi) with black boxes (left, top, right, bottom px)."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    for box in rects:
        draw.rectangle(box, fill=0)
    image.info["dpi"] = (dpi, dpi)
    return image.convert(mode)


def tiff(images: list[Image.Image], compression: str | None, dpi: tuple[int, int] = (200, 200)) -> bytes:
    out = io.BytesIO()
    images[0].save(out, "TIFF", compression=compression, dpi=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def frames(data: bytes) -> list[Image.Image]:
    """Every page of a rendered TIFF, as Pillow images (mode "1")."""
    with Image.open(io.BytesIO(data)) as image:
        found = []
        for index in range(image.n_frames):
            image.seek(index)
            found.append(image.copy())
    return found


def darkness(page: Image.Image, box: tuple[int, int, int, int]) -> float:
    """Fraction of black pixels in ``box`` (left, top, right, bottom)."""
    region = page.crop(box).convert("L")
    histogram = region.histogram()
    return sum(histogram[:128]) / max(1, region.width * region.height)


def pdf_box_to_pixels(
    x: float, y: float, w: float, h: float, size: tuple[float, float] = LETTER, lines_per_inch: int = raster.FINE
) -> tuple[int, int, int, int]:
    """Where a PDF rectangle lands on the printed page (below the header band)."""
    across = raster.WIDTH / size[0]
    down = across / raster.DPI_ACROSS * lines_per_inch
    band = raster.HEADER_LINES * lines_per_inch // raster.FINE
    top = band + (size[1] - y - h) * down
    return round(x * across), round(top), round((x + w) * across), round(top + h * down)


def shrink(box: tuple[int, int, int, int], by: int) -> tuple[int, int, int, int]:
    return box[0] + by, box[1] + by, box[2] - by, box[3] - by


def bomb() -> bytes:
    """A tiny Group 4 TIFF that says it is 30,000 x 30,000 pixels (900 million)."""
    out = io.BytesIO()
    Image.new("1", (64, 64), 1).save(out, "TIFF", compression="group4")
    data = bytearray(out.getvalue())
    (ifd,) = struct.unpack_from("<I", data, 4)
    (entries,) = struct.unpack_from("<H", data, ifd)
    for at in range(ifd + 2, ifd + 2 + 12 * entries, 12):
        tag, kind = struct.unpack_from("<HH", data, at)
        if tag in (256, 257):  # ImageWidth, ImageLength
            struct.pack_into(
                "<HHII" if kind == 4 else "<HHIHH", data, at, tag, kind, 1, 30_000, *(() if kind == 4 else (0,))
            )
    return bytes(data)
