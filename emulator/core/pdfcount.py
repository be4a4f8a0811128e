"""A PDF's pages read the short way: the trailer, the xref table, the catalog and the page
tree's nodes (each page's /MediaBox, inherited or its own), and nothing else.

Reading those takes a few small regex matches near the end of the file and at one offset
per tree node, where pypdf parses every object it meets and builds each page. Anything
this reader is not sure of (an xref stream, an encrypted or damaged file, a box or count
that is not plain numbers, a tree whose leaves disagree with its root's ``/Count``, more
than ``MAX_PAGES``) gives ``None``, and the caller parses the whole document instead.
"""

from __future__ import annotations

import re

#: a count above this is not trusted without reading the tree (a hostile /Count)
MAX_PAGES = 10_000
_TAIL = 2048  # where ``startxref`` is looked for, from the end
_MAX_SECTIONS = 32  # xref sections followed through /Prev (incremental updates)
_MAX_SUBSECTIONS = 4096
_MAX_OBJECT = 64 * 1024  # the catalog and page tree root are read up to this many bytes

_STARTXREF = re.compile(rb"startxref\s+(\d+)")
_SUBSECTION = re.compile(rb"[ \t\r\n]*(\d+) (\d+)[ \t]*\r?\n?")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_TRAILER = re.compile(rb"[ \t\r\n]*trailer[ \t\r\n]*<<")
_ROOT = re.compile(rb"/Root\s+(\d+)\s+(\d+)\s+R")
_PREV = re.compile(rb"/Prev\s+(\d+)")
_PAGES = re.compile(rb"/Pages\s+(\d+)\s+(\d+)\s+R")
_COUNT = re.compile(rb"/Count\s+(\d+)(?![\d.]|\s+\d+\s+R)")
_TYPE = re.compile(rb"/Type\s*/(Pages|Page)\b")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_REF = re.compile(rb"(\d+)\s+(\d+)\s+R")
_MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([-+\d.]+)\s+([-+\d.]+)\s+([-+\d.]+)\s+([-+\d.]+)\s*\]")
_OBJ = re.compile(rb"[ \t\r\n]*(\d+)\s+(\d+)\s+obj\b")


def page_boxes(data: bytes) -> list[tuple[float, float]] | None:
    """Each page's (width, height) from its /MediaBox, in order; None when unsure."""
    found = None
    for found in _STARTXREF.finditer(data[-_TAIL:]):  # noqa: B007 (the last one counts)
        pass
    if found is None:
        return None
    sections = _xref_sections(data, int(found.group(1)))
    if sections is None:
        return None
    trailer_root = next((root for _, root, _ in sections if root is not None), None)
    if trailer_root is None or any(encrypted for _, _, encrypted in sections):
        return None
    catalog = _object(data, sections, trailer_root)
    if catalog is None or b"/Catalog" not in catalog:
        return None
    pages_ref = _PAGES.search(catalog)
    if pages_ref is None:
        return None
    root_ref = (int(pages_ref.group(1)), int(pages_ref.group(2)))
    root = _object(data, sections, root_ref)
    count = _COUNT.findall(root) if root is not None else []
    if root is None or len(count) != 1 or root.count(b"/Count") != 1 or not 0 < int(count[0]) <= MAX_PAGES:
        return None
    boxes: list[tuple[float, float]] = []
    stack: list[tuple[tuple[int, int], tuple[float, float] | None]] = [(root_ref, None)]
    seen: set[tuple[int, int]] = set()
    while stack:
        ref, inherited = stack.pop()
        node = root if ref == root_ref else _object(data, sections, ref)
        kind = _TYPE.search(node) if node is not None else None
        if node is None or kind is None or ref in seen or len(seen) > 2 * MAX_PAGES or b"stream" in node:
            return None
        seen.add(ref)
        box = _box(node, inherited)
        if box is _UNSURE:
            return None
        if kind.group(1) == b"Page":
            if box is None:
                return None
            boxes.append(box)
            continue
        kids = _KIDS.search(node)
        if kids is None:
            return None
        refs = [(int(n), int(g)) for n, g in _REF.findall(kids.group(1))]
        stack.extend((kid, box) for kid in reversed(refs))
    return boxes if len(boxes) == int(count[0]) else None


def page_count(data: bytes) -> int | None:
    """How many pages, read the short way; None when unsure."""
    boxes = page_boxes(data)
    return None if boxes is None else len(boxes)


_UNSURE = (-1.0, -1.0)


def _box(node: bytes, inherited: tuple[float, float] | None) -> tuple[float, float] | None:
    """The node's own /MediaBox size, else the inherited one; ``_UNSURE`` if it is not plain numbers."""
    if b"/MediaBox" not in node:
        return inherited
    found = _MEDIABOX.search(node)
    if found is None or node.count(b"/MediaBox") != 1:
        return _UNSURE
    try:
        x1, y1, x2, y2 = (float(value) for value in found.groups())
    except ValueError:
        return _UNSURE
    return abs(x2 - x1), abs(y2 - y1)


#: one xref section: its subsections (first object number, count, where their 20-byte entries
#: start), the trailer's /Root, whether it has /Encrypt
_Section = tuple[list[tuple[int, int, int]], tuple[int, int] | None, bool]


def _xref_sections(data: bytes, offset: int) -> list[_Section] | None:
    """The xref table sections from the newest, through /Prev, or None if one is not a plain table."""
    sections: list[_Section] = []
    seen: set[int] = set()
    while True:
        if offset in seen or len(sections) >= _MAX_SECTIONS or not data.startswith(b"xref", offset):
            return None
        seen.add(offset)
        subsections: list[tuple[int, int, int]] = []
        at = offset + 4
        for _ in range(_MAX_SUBSECTIONS):
            trailer = _TRAILER.match(data, at)
            if trailer is not None:
                break
            header = _SUBSECTION.match(data, at)
            if header is None:
                return None
            first, count = int(header.group(1)), int(header.group(2))
            # entries are 20 bytes each: keep where they start, read only the ones asked for
            subsections.append((first, count, header.end()))
            at = header.end() + 20 * count
            if at > len(data):
                return None
        else:
            return None
        end = data.find(b"startxref", trailer.end())
        dictionary = data[trailer.end() : end if end != -1 else trailer.end() + 4096]
        root = _ROOT.search(dictionary)
        sections.append(
            (subsections, (int(root.group(1)), int(root.group(2))) if root else None, b"/Encrypt" in dictionary)
        )
        prev = _PREV.search(dictionary)
        if prev is None:
            return sections
        offset = int(prev.group(1))


def _object(data: bytes, sections: list[_Section], ref: tuple[int, int]) -> bytes | None:
    """The text of object ``ref`` (up to ``endobj``), found through the newest section listing it."""
    number, generation = ref
    for subsections, _, _ in sections:
        place = next(
            (at + 20 * (number - first) for first, count, at in subsections if first <= number < first + count), None
        )
        if place is None:
            continue
        entry = _ENTRY.match(data, place)
        if entry is None or entry.group(3) != b"n" or int(entry.group(2)) != generation:
            return None
        found = (int(entry.group(1)), generation)
        header = _OBJ.match(data, found[0])
        if header is None or int(header.group(1)) != number or int(header.group(2)) != generation:
            return None
        end = data.find(b"endobj", header.end(), header.end() + _MAX_OBJECT)
        return data[header.end() : end] if end != -1 else None
    return None
