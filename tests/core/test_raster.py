"""Documents become the pages a fax terminal prints: asserted on pixels."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from emulator.core import raster
from emulator.core.documents import Document, DocumentError, intake, make_pdf
from emulator.core.pages import Spec
from tests.core.pagekit import (
    bomb,
    darkness,
    frames,
    pdf_box_to_pixels,
    rect_image,
    rect_pdf,
    shrink,
    tiff,
)

START = 1_767_225_600.0
BOXES = [(72.0, 648.0, 144.0, 72.0), (400.0, 100.0, 100.0, 200.0)]


def spec(data: bytes, pages: int | None = None, **settings: object) -> Spec:
    document = intake(data, "doc")
    return Spec((document,), pages or document.pages, identity="FROM: ACME +15551230000", at=START, **settings)  # type: ignore[arg-type]


@pytest.mark.parametrize("fine", [True, False])
def test_black_rectangles_print_dark_exactly_where_they_are(fine: bool) -> None:
    (page,) = frames(raster.render(spec(rect_pdf(BOXES), fine=fine)))
    lpi = raster.FINE if fine else raster.STANDARD
    assert page.mode == "1" and page.width == 1728
    assert page.height == pytest.approx((raster.HEADER_LINES + 2149) * lpi / raster.FINE, abs=2)
    for box in BOXES:
        where = pdf_box_to_pixels(*box, lines_per_inch=lpi)
        assert darkness(page, shrink(where, 3)) > 0.97, where
        around = (where[0] - 40, where[1] - 20, where[2] + 40, where[3] + 20)
        inside = (where[2] - where[0]) * (where[3] - where[1])
        ring = (around[2] - around[0]) * (around[3] - around[1]) - inside
        dark_around = darkness(page, around) * (around[2] - around[0]) * (around[3] - around[1])
        assert (dark_around - inside) / ring < 0.03  # nothing dark just outside it
    band = raster.HEADER_LINES * lpi // raster.FINE
    body = page.crop((0, band + 2, page.width, page.height))
    total_dark = darkness(body, (0, 0, body.width, body.height)) * body.width * body.height
    boxes_area = sum((b[2] - b[0]) * (b[3] - b[1]) for b in (pdf_box_to_pixels(*x, lines_per_inch=lpi) for x in BOXES))
    assert total_dark == pytest.approx(boxes_area, rel=0.03)  # and nowhere else


@pytest.mark.parametrize(("fine", "lines"), [(True, 196), (False, 98)])
def test_the_tiff_is_group_4_at_fax_resolution(fine: bool, lines: int) -> None:
    data = raster.render(spec(make_pdf(3), fine=fine))
    with Image.open(io.BytesIO(data)) as image:
        assert image.n_frames == 3
        for index in range(3):
            image.seek(index)
            tags = image.tag_v2
            assert tags[256] == 1728  # ImageWidth
            assert tags[259] == 4  # Compression: CCITT T.6 (Group 4)
            assert (float(tags[282]), float(tags[283]), tags[296]) == (204.0, float(lines), 2)  # dpi, inch


def test_the_header_line_is_on_every_page_with_its_number() -> None:
    pages = frames(raster.render(spec(make_pdf(2))))
    band = (0, 0, 1728, raster.HEADER_LINES)
    left, right = (0, 0, 1200, raster.HEADER_LINES), (1400, 0, 1728, raster.HEADER_LINES)
    for page in pages:
        assert darkness(page, band) > 0.005  # printed text
        assert darkness(page, right) > 0.005  # "P. n/m" at the right
    assert pages[0].crop(left).tobytes() == pages[1].crop(left).tobytes()  # same time and sender
    assert pages[0].crop(right).tobytes() != pages[1].crop(right).tobytes()  # P. 1/2 vs P. 2/2
    assert raster.header_text(spec(make_pdf(2)), 2, 2) == ("JAN-01-2026 00:00   FROM: ACME +15551230000", "P. 2/2")
    bare = frames(raster.render(spec(make_pdf(1), header=False)))[0]
    assert darkness(bare, band) == 0


def test_a_dropped_call_prints_only_the_pages_that_got_through() -> None:
    assert len(frames(raster.render(spec(make_pdf(5), pages=2)))) == 2


@pytest.mark.parametrize(
    ("mode", "compression"),
    [
        ("1", None),
        ("1", "packbits"),
        ("1", "group3"),
        ("1", "group4"),
        ("L", None),
        ("L", "tiff_lzw"),
        ("RGB", "tiff_deflate"),
        ("RGB", "packbits"),
    ],
)
def test_tiff_of_any_kind_is_normalised(mode: str, compression: str | None) -> None:
    scan = rect_image(mode)
    data = tiff([scan, scan], compression)
    pages = frames(raster.render(spec(data)))
    assert [(p.width, p.mode) for p in pages] == [(1728, "1")] * 2
    # the box (200..600 x 200..400 px at 200 dpi) scaled to 1728 across (x 1728/1700)
    across = 1728 / 1700
    down = across / 204 * 196
    box = (
        round(200 * across),
        raster.HEADER_LINES + round(200 * down),
        round(600 * across),
        raster.HEADER_LINES + round(400 * down),
    )
    assert darkness(pages[1], shrink(box, 4)) > 0.97
    assert darkness(pages[1], (800, 800, 1600, 2000)) < 0.001


def test_a_photo_is_dithered_and_text_thresholded() -> None:
    grey = Image.linear_gradient("L").resize((1700, 2200))
    grey.info["dpi"] = (200, 200)
    (photo,) = frames(raster.render(spec(tiff([grey], None), header=False)))
    middle = darkness(photo, (0, 1000, 1728, 1100))  # mid-grey rows: about half the dots black
    assert 0.3 < middle < 0.7
    (text,) = frames(raster.render(spec(rect_pdf(BOXES), header=False)))
    assert darkness(text, (0, 1000, 1728, 1100)) in (0.0, pytest.approx(0.0, abs=0.001))


def test_plain_text_is_typed_onto_pages() -> None:
    document = intake(("line of text\n" * 70).encode(), "a.txt", accept=("text",))
    pages = frames(raster.render(Spec((document,), document.pages, at=START)))
    assert len(pages) == 2 and darkness(pages[0], (150, 200, 900, 1000)) > 0.01


def test_encodings() -> None:
    data = raster.render(spec(rect_pdf(BOXES, pages=2)))
    full = Image.open(io.BytesIO(raster.png(data, 2)))
    assert (full.format, full.width, full.mode) == ("PNG", 1728, "1")
    thumb = Image.open(io.BytesIO(raster.png(data, 1, thumb=True)))
    assert (thumb.format, thumb.width, thumb.mode) == ("PNG", raster.THUMB_WIDTH, "L")
    with pytest.raises(IndexError):
        raster.png(data, 3)
    pdf = raster.pdf(data)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert width == pytest.approx(1728 / 204 * 72, abs=1)  # 8.47 in across
    assert height == pytest.approx(full.height / 196 * 72, abs=1)


def test_standard_pages_show_at_their_true_shape_as_png() -> None:
    data = raster.render(spec(make_pdf(1), fine=False))
    full = Image.open(io.BytesIO(raster.png(data, 1)))
    assert full.height == 2 * frames(data)[0].height  # each standard line printed twice


def test_thumbnails_of_different_documents_differ() -> None:
    one = raster.png(raster.render(spec(rect_pdf(BOXES[:1]))), 1, thumb=True)
    two = raster.png(raster.render(spec(rect_pdf(BOXES[1:]))), 1, thumb=True)
    assert one != two


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (rect_pdf(BOXES, password="secret"), "encrypted"),
        (rect_pdf(BOXES, size=(612, 720_000)), "inches long"),
    ],
)
def test_hostile_pdfs_fail_conversion(data: bytes, why: str) -> None:
    document = Document("pdf", data, 1, "x.pdf")
    with pytest.raises(DocumentError) as caught:
        raster.render(Spec((document,), 1))
    assert caught.value.code == "conversion_failed" and why in caught.value.message


def test_a_decompression_bomb_fails_conversion() -> None:
    document = Document("tiff", bomb(), 1, "bomb.tif")
    with pytest.raises(DocumentError) as caught:
        raster.render(Spec((document,), 1))
    assert caught.value.code == "conversion_failed" and "too large" in caught.value.message
