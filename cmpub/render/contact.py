"""A contact sheet: every image variant of one post side by side, for review by eye.

``cmpub build --contact-sheet`` writes one per post (``dist/contact/<post>.jpg``) and the
pull-request comment links to it: a reviewer sees at a glance whether each network's picture
shows its whole subject and text, where the banner and the logo went, and what was padded.
Each variant is drawn at the same height (aspect kept) on a neutral grey, with its channel and
pixel size under it, in rows at most :data:`SHEET_WIDTH` wide. Deterministic like the variants.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from cmpub.render import _fonts

SHEET_WIDTH = 2400
THUMB_HEIGHT = 420
GAP = 24
LABEL = 30  # px of text under each thumbnail
PAPER = (236, 236, 232)
INK = (40, 40, 40)


@dataclass(frozen=True)
class Tile:
    """One variant on the sheet: its label (channel), file on disk and pixel size."""

    label: str
    path: str
    width: int
    height: int


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _fonts.system_fallbacks():
        if path.endswith(".ttf"):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def contact_sheet(title: str, tiles: list[Tile]) -> bytes:
    """The JPEG of a sheet titled ``title`` with ``tiles`` in order, wrapped into rows."""
    thumbs: list[tuple[Tile, Image.Image]] = []
    for tile in tiles:
        with Image.open(tile.path) as im:
            im.draft("RGB", (THUMB_HEIGHT * 4, THUMB_HEIGHT))
            im = im.convert("RGB")
            k = THUMB_HEIGHT / im.height
            w = max(1, min(SHEET_WIDTH - 2 * GAP, round(im.width * k)))
            thumbs.append((tile, im.resize((w, round(im.height * w / im.width)), Image.LANCZOS)))
    rows: list[list[tuple[Tile, Image.Image]]] = [[]]
    x = GAP
    for tile, th in thumbs:
        if rows[-1] and x + th.width + GAP > SHEET_WIDTH:
            rows.append([])
            x = GAP
        rows[-1].append((tile, th))
        x += th.width + GAP
    head = 70
    height = head + sum(max(th.height for _, th in row) + LABEL + GAP for row in rows if row) + GAP
    sheet = Image.new("RGB", (SHEET_WIDTH, height), PAPER)
    draw = ImageDraw.Draw(sheet)
    draw.text((GAP, 20), title, fill=INK, font=_font(32))
    label_font = _font(20)
    y = head
    for row in rows:
        if not row:
            continue
        x = GAP
        for tile, th in row:
            sheet.paste(th, (x, y))
            draw.rectangle((x - 1, y - 1, x + th.width, y + th.height), outline=(150, 150, 150))
            draw.text(
                (x, y + th.height + 6),
                f"{tile.label} · {tile.width}×{tile.height}",
                fill=INK,
                font=label_font,
            )
            x += th.width + GAP
        y += max(th.height for _, th in row) + LABEL + GAP
    buf = io.BytesIO()
    sheet.save(buf, "JPEG", quality=85, subsampling="4:2:0", optimize=False, progressive=False)
    return buf.getvalue()
