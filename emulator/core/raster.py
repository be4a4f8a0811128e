"""Documents -> the pages a Group 3 fax terminal prints, and their encodings (worker side).

Everything here runs in a worker process (core/work.py), never on the event loop;
``core/pages.py`` asks for it and keeps the results. Libraries do the work: pypdfium2
rasterises PDF pages, Pillow reads images and TIFF (uncompressed, PackBits, G3, G4, colour
or grey), draws text and the header line, and encodes G4 TIFF, PNG and the PDF of the
bitmaps.

A page as printed (ITU-T T.4): 1728 pixels across (the A4/Letter scan line, about 204 dpi
over 8.5 in), 196 lines per inch (fine) or 98 (standard), bilevel. The document page is
scaled to fit the width; grey is thresholded (text stays crisp), and a page that is mostly
mid-tones (a photograph) is dithered instead. The transmitting terminal's header line
(time, sender identity, "P. n/m") is printed in a band above each page.
"""

from __future__ import annotations

import io
import itertools
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont, ImageOps

from emulator.core.documents import MAX_IMAGE_PIXELS, MAX_PAGE_INCHES, PAPER_INCHES, Document, DocumentError
from emulator.core.pages import Spec, conversion_failed

WIDTH = 1728  # pixels in a T.4 scan line
DPI_ACROSS = 204  # 1728 pixels over 8.47 in
FINE, STANDARD = 196, 98  # lines per inch
#: pages one rendering may have
MAX_PAGES = 2000
HEADER_LINES = 40  # the header band, at fine resolution (about 0.2 in)
THUMB_WIDTH = 216  # an eighth of the page width
TEXT_LINES_PER_PAGE = 60

Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


def header_text(spec: Spec, number: int, total: int) -> tuple[str, str]:
    """The header line's left part (time, identity) and right part ("P. n/m")."""
    when = datetime.fromtimestamp(spec.at, UTC).strftime("%b-%d-%Y %H:%M").upper()
    return f"{when}   {spec.identity}".rstrip(), f"P. {number}/{total}"


def render_counted(spec: Spec) -> tuple[bytes, int]:
    """``render`` and its page count."""
    tiff = render(spec)
    return tiff, page_count(tiff)


def render(spec: Spec) -> bytes:
    """The pages as printed: a multi-page TIFF, CCITT Group 4, 204 x 196 (or 98) dpi."""
    pages = list(_printed(spec))
    if not pages:
        raise conversion_failed("the document has no pages")
    out = io.BytesIO()
    lpi = FINE if spec.fine else STANDARD
    pages[0].save(out, "TIFF", compression="group4", dpi=(DPI_ACROSS, lpi), save_all=True, append_images=pages[1:])
    return out.getvalue()


def _printed(spec: Spec) -> Iterator[Image.Image]:
    total = min(spec.pages, MAX_PAGES)
    for number, grey in enumerate(itertools.islice(_grey_pages(spec.documents), total), start=1):
        if spec.header:
            grey = _with_header(grey, *header_text(spec, number, total))
        if not spec.fine:
            grey = grey.resize((WIDTH, max(1, grey.height // 2)), Image.Resampling.BOX)
        yield _bilevel(grey)


def _grey_pages(documents: tuple[Document, ...]) -> Iterator[Image.Image]:
    """Every page of every document, grey, 1728 wide, at fine resolution (196 lpi)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        for document in documents:
            try:
                if document.kind == "pdf":
                    yield from _pdf_pages(document.data)
                elif document.kind == "tiff":
                    yield from _image_pages(document.data)
                else:
                    yield from _text_pages(document.data.decode("utf-8", "replace"))
            except DocumentError:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise conversion_failed("an image is too large (a decompression bomb?)") from exc
            except (pdfium.PdfiumError, OSError, ValueError, SyntaxError, EOFError) as exc:
                raise conversion_failed(str(exc) or type(exc).__name__) from exc


def _fine_lines(width_in: float, height_in: float) -> int:
    """Lines at 196 lpi of a page ``width_in`` x ``height_in`` scaled to the paper's width."""
    inches = height_in * PAPER_INCHES / width_in
    if inches > MAX_PAGE_INCHES:
        raise conversion_failed(f"a page is {inches:.0f} inches long once scaled (at most {MAX_PAGE_INCHES:g})")
    return max(1, round(inches * FINE))


def _fit(grey: Image.Image, lines: int) -> Image.Image:
    """``grey`` at 1728 x ``lines``: a box filter when shrinking (cheap, keeps thin strokes
    as grey that the threshold then keeps), bilinear when enlarging."""
    if grey.size == (WIDTH, lines):
        return grey
    shrinking = grey.width >= WIDTH and grey.height >= lines
    return grey.resize((WIDTH, lines), Image.Resampling.BOX if shrinking else Image.Resampling.BILINEAR)


def _pdf_pages(data: bytes) -> Iterator[Image.Image]:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        why = "it is encrypted" if "password" in str(exc).lower() else str(exc)
        raise conversion_failed(why) from exc
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            width, height = page.get_size()  # points
            if width <= 0 or height <= 0:
                raise conversion_failed("a page has no size")
            lines = _fine_lines(width, height)
            scale = WIDTH / width
            bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=True)
            yield _fit(bitmap.to_pil().convert("L"), lines)
    finally:
        pdf.close()


def _image_pages(data: bytes) -> Iterator[Image.Image]:
    with Image.open(io.BytesIO(data)) as image:
        frames = getattr(image, "n_frames", 1)
        for index in range(frames):
            image.seek(index)
            dpi = image.info.get("dpi") or (DPI_ACROSS, FINE)
            xdpi, ydpi = (float(d) or 1.0 for d in dpi)
            lines = _fine_lines(image.width / xdpi, image.height / ydpi)
            frame = ImageOps.exif_transpose(image) if image.mode not in ("1", "L") else image
            yield _fit(frame.convert("L"), lines)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _text_pages(text: str) -> Iterator[Image.Image]:
    """Plain text set as a typed page: 60 lines a page (6 to the inch), 1 in side margins, about 10 pt."""
    lines = text.splitlines() or [""]
    height = round(11 * FINE)
    font = _font(28)
    step = FINE // 6
    for start in range(0, len(lines), TEXT_LINES_PER_PAGE):
        page = Image.new("L", (WIDTH, height), 255)
        draw = ImageDraw.Draw(page)
        for row, line in enumerate(lines[start : start + TEXT_LINES_PER_PAGE]):
            draw.text((DPI_ACROSS, FINE // 2 + row * step), line.expandtabs(4), font=font, fill=0)
        yield page


def _with_header(grey: Image.Image, left: str, right: str) -> Image.Image:
    page = Image.new("L", (WIDTH, grey.height + HEADER_LINES), 255)
    page.paste(grey, (0, HEADER_LINES))
    draw = ImageDraw.Draw(page)
    font = _font(26)
    draw.text((40, 8), left, font=font, fill=0)
    draw.text((WIDTH - 40, 8), right, font=font, fill=0, anchor="ra")
    return page


def _bilevel(grey: Image.Image) -> Image.Image:
    """Threshold (text stays crisp), or dither a page that is mostly mid-tones (a photo)."""
    sample = grey.reduce(4)  # the share of mid-tones, from a sixteenth of the pixels
    histogram = sample.histogram()
    midtones = sum(histogram[48:208]) / max(1, sample.width * sample.height)
    if midtones > 0.25:
        return grey.convert("1")  # Floyd-Steinberg
    return grey.point(_THRESHOLD, "1")


_THRESHOLD = [0 if value < 160 else 255 for value in range(256)]


# -- encodings of a rendering ----------------------------------------------------


def page_count(tiff: bytes) -> int:
    with Image.open(io.BytesIO(tiff)) as image:
        return int(getattr(image, "n_frames", 1))


def _page(image: Image.Image, index: int) -> Image.Image:
    image.seek(index)
    page = image.copy()
    if image.info.get("dpi", (0, FINE))[1] < (FINE + STANDARD) / 2:  # standard: each line printed twice
        page = page.resize((page.width, page.height * 2), Image.Resampling.NEAREST)
    return page


def png(tiff: bytes, number: int, thumb: bool = False) -> bytes:
    """Page ``number`` (from 1) as PNG: full size (bilevel), or a grey thumbnail 216 wide."""
    with Image.open(io.BytesIO(tiff)) as image:
        if not 1 <= number <= getattr(image, "n_frames", 1):
            raise IndexError(number)
        page = _page(image, number - 1)
    out = io.BytesIO()
    if thumb:
        page = page.convert("L")
        page = page.resize(
            (THUMB_WIDTH, max(1, round(page.height * THUMB_WIDTH / page.width))), Image.Resampling.LANCZOS
        )
        page.save(out, "PNG", optimize=True)
    else:
        page.save(out, "PNG", optimize=True, dpi=(DPI_ACROSS, FINE))
    return out.getvalue()


def pdf(tiff: bytes) -> bytes:
    """A PDF of the printed pages' bitmaps, each page at its true size."""
    with Image.open(io.BytesIO(tiff)) as image:
        xdpi, ydpi = image.info.get("dpi", (DPI_ACROSS, FINE))
        pages = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            pages.append(image.copy())
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], dpi=(xdpi, ydpi))
    return out.getvalue()


def report(title: str, rows: list[tuple[str, str]], tiff: bytes | None) -> bytes:
    """A confirmation report as a fax machine prints one, as a one-page PDF: the title, the
    transmission's facts as a table, and a reduced image of page 1 (when there is one)."""
    page = Image.new("L", (WIDTH, round(11 * FINE)), 255)
    draw = ImageDraw.Draw(page)
    draw.text((WIDTH // 2, 120), title.upper(), font=_font(44), fill=0, anchor="ma")
    font = _font(32)
    top = 260
    for row, (name, value) in enumerate(rows):
        y = top + row * 50
        draw.text((160, y), name.upper(), font=font, fill=0)
        draw.text((720, y), value, font=font, fill=0)
    draw.line((120, top - 30, WIDTH - 120, top - 30), fill=0, width=3)
    bottom = top + len(rows) * 50 + 20
    draw.line((120, bottom, WIDTH - 120, bottom), fill=0, width=3)
    if tiff is not None:
        with Image.open(io.BytesIO(tiff)) as image:
            first = _page(image, 0).convert("L")
        width = WIDTH // 2
        reduced = first.resize((width, round(first.height * width / first.width)), Image.Resampling.LANCZOS)
        room = page.height - bottom - 80
        reduced = reduced.crop((0, 0, width, min(reduced.height, room)))
        left = (WIDTH - width) // 2
        page.paste(reduced, (left, bottom + 50))
        draw.rectangle((left - 2, bottom + 48, left + width + 1, bottom + 50 + reduced.height + 1), outline=0, width=2)
    out = io.BytesIO()
    _bilevel(page).save(out, "PDF", dpi=(DPI_ACROSS, FINE))
    return out.getvalue()
