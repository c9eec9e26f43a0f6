"""Where the picture, the banner and the logo go on a variant's canvas (private to ``images``).

Pure geometry over a :class:`~cmpub.render.saliency.Analysis`; nothing here touches pixels.

- **The picture** fills its area by *cover* (the largest crop of the area's aspect) when that
  crop keeps every protected region (text, faces, the brand logo, the focal point) and at least
  90 % of the picture's detail, and its edges cut through calm parts only (no object cut in
  half); a designed graphic (mostly text) is cropped only when the crop
  loses less than 2 % of its area. Otherwise it is *contained*: scaled whole into the area, the
  rest of the area in the brand's background colour. ``fit: cover`` / ``fit: contain`` force
  either. Without a focal point the crop is placed where it keeps the most detail.
- **The banner** (the call-to-action band) is laid over a calm strip of the picture, the brand's
  side first (calm: no protected region and under 2.5 % strong edges, padding counts as calm),
  else a band is added to the canvas: the canvas grows where the channel keeps the picture's
  aspect and has room, otherwise the picture is scaled (whole or cropped by the rules above)
  into what the band leaves.
- **The logo** goes in a calm corner outside the network's UI corners and off the banner; a
  carousel uses one corner for all its images (:func:`choose_corner`); an image whose corner
  is busy carries the logo at the end of its banner, or none.
- **The size**, where a channel has several: :func:`roomiest` says which of the layouts that
  show the picture whole a designer would keep (the renderer tries the harmless covers first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no run-time import: validate uses this module without OpenCV
    from cmpub.render.saliency import Analysis

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in 0..1 of the source
Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 on the canvas


def intersects(a: Box, b: Box) -> bool:
    """True when two boxes overlap by more than a sliver."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 1e-6 and min(a[3], b[3]) - max(a[1], b[1]) > 1e-6


def contains(outer: Box, inner: Box, slack: float = 0.0) -> bool:
    """True when ``inner`` lies in ``outer`` (``slack``: share of inner's size allowed out)."""
    sx, sy = (inner[2] - inner[0]) * slack, (inner[3] - inner[1]) * slack
    return (
        inner[0] >= outer[0] - sx
        and inner[1] >= outer[1] - sy
        and inner[2] <= outer[2] + sx
        and inner[3] <= outer[3] + sy
    )


COVER_MIN_DETAIL = 0.90  # share of the picture's detail a crop must keep
CUT_LINE = 0.02  # width of the band along a crop's edge that must be calm (of the picture)
CALM_CUT = 0.03  # strong-edge density under which a crop's edge cuts through nothing
CUT_OBJECT = 0.4  # … and the object saliency (of the picture's most salient point) it may cross
GRAPHIC_MAX_LOSS = 0.02  # share of a text-heavy picture's area a crop may lose
CALM_BANNER = 0.025  # strong-edge density under which a strip may carry the banner
CALM_LOGO = 0.03  # … and a corner the logo
FLAT = 0.002  # a picture with fewer strong edges than this is flat: any crop keeps it all
FOCUS_SIDE = 0.12  # the protected square around a given focal point, of the short side
PAD = 0.01  # protected boxes grow by this share of the picture on every side
AS_LARGE = 0.9  # a size shows a whole picture "as large" as another from 90 % of it (roomiest)

#: Corner preference of the logo, by the banner's side.
CORNER_ORDER = {
    "bottom": ("top-right", "top-left", "bottom-right", "bottom-left"),
    "top": ("bottom-right", "bottom-left", "top-right", "top-left"),
    None: ("bottom-right", "top-right", "top-left", "bottom-left"),
}


@dataclass(frozen=True)
class Placement:
    """The picture on the canvas: ``crop`` (source pixels) drawn into ``dest`` (canvas)."""

    crop: tuple[float, float, float, float]
    dest: Rect
    cover: bool
    cuts: tuple[Box, ...] = ()  # protected regions the crop cuts (forced cover only)

    @property
    def scale(self) -> float:
        """Output pixels per source pixel (above 1: enlarged)."""
        return (self.dest[2] - self.dest[0]) / max(1e-9, self.crop[2] - self.crop[0])


@dataclass(frozen=True)
class Layout:
    """One variant's composition: canvas size, picture, banner (overlaid or on a band)."""

    width: int
    height: int
    picture: Placement
    banner: Rect | None = None
    band: bool = False  # the banner sits on canvas added for it, not over the picture
    calm_corners: tuple[str, ...] = ()


def _protected(a: Analysis, focus: tuple[float, float] | None) -> list[Box]:
    boxes = [
        (max(0.0, x0 - PAD), max(0.0, y0 - PAD), min(1.0, x1 + PAD), min(1.0, y1 + PAD))
        for x0, y0, x1, y1 in a.protected()
    ]
    if focus is not None:
        short = min(a.width, a.height)
        hx, hy = FOCUS_SIDE * short / a.width / 2, FOCUS_SIDE * short / a.height / 2
        fx, fy = focus
        boxes.append((max(0.0, fx - hx), max(0.0, fy - hy), min(1.0, fx + hx), min(1.0, fy + hy)))
    return boxes


def _window(a: Analysis, aspect: float, focus: tuple[float, float] | None) -> Box:
    """The largest ``aspect`` window (0..1 units): on the focus, else keeping the most detail."""
    w, h = a.width, a.height
    if w / h > aspect:
        cw, ch = aspect * h / w, 1.0
    else:
        cw, ch = 1.0, w / aspect / h
    if focus is not None:
        x0 = min(max(focus[0] - cw / 2, 0.0), 1.0 - cw)
        y0 = min(max(focus[1] - ch / 2, 0.0), 1.0 - ch)
        return (x0, y0, x0 + cw, y0 + ch)
    free, size = (cw, 1.0 - cw) if cw < 1.0 else (ch, 1.0 - ch)
    if size <= 1e-9:
        return (0.0, 0.0, 1.0, 1.0)
    steps = 40
    best, best_key = 0.0, None
    regions = _protected(a, None)
    for i in range(steps + 1):
        start = size * i / steps
        box = (start, 0.0, start + free, 1.0) if cw < 1.0 else (0.0, start, 1.0, start + free)
        kept = a.mass(box) + sum(1.0 for p in regions if contains(box, p))
        key = (round(kept, 6), -abs(start - size / 2))  # ties: the most central window
        if best_key is None or key > best_key:
            best, best_key = start, key
    if cw < 1.0:
        return (best, 0.0, best + cw, 1.0)
    return (0.0, best, 1.0, best + ch)


def _clean_cut(a: Analysis, win: Box) -> bool:
    """True when each edge of the crop inside the picture runs through calm parts only."""
    lines = []
    if win[0] > 1e-6:
        lines.append((win[0], win[1], min(1.0, win[0] + CUT_LINE), win[3]))
    if win[2] < 1 - 1e-6:
        lines.append((max(0.0, win[2] - CUT_LINE), win[1], win[2], win[3]))
    if win[1] > 1e-6:
        lines.append((win[0], win[1], win[2], min(1.0, win[1] + CUT_LINE)))
    if win[3] < 1 - 1e-6:
        lines.append((win[0], max(0.0, win[3] - CUT_LINE), win[2], win[3]))
    return all(a.density(ln) <= CALM_CUT and a.objectness(ln) <= CUT_OBJECT for ln in lines)


def place(
    a: Analysis,
    area: Rect,
    fit: str = "auto",
    focus: tuple[float, float] | None = None,
) -> Placement:
    """The picture in ``area`` of the canvas: cover when harmless (or forced), else contain."""
    ax0, ay0, ax1, ay1 = area
    aw, ah = ax1 - ax0, ay1 - ay0
    win = _window(a, aw / ah, focus)
    lost = [p for p in _protected(a, focus) if not contains(win, p, slack=0.05)]
    kept_area = (win[2] - win[0]) * (win[3] - win[1])
    if fit == "cover":
        ok, cuts = True, tuple(lost)
    elif fit == "contain":
        ok, cuts = False, ()
    else:
        flat = a.total <= FLAT * (a.integral.shape[0] - 1) * (a.integral.shape[1] - 1)
        ok = not lost and (flat or (a.mass(win) >= COVER_MIN_DETAIL and _clean_cut(a, win)))
        if ok and a.text_heavy:
            ok = 1.0 - kept_area <= GRAPHIC_MAX_LOSS
        cuts = ()
    if ok:
        crop = (win[0] * a.width, win[1] * a.height, win[2] * a.width, win[3] * a.height)
        return Placement(crop, area, True, cuts)
    k = min(aw / a.width, ah / a.height)
    w, h = max(1, round(a.width * k)), max(1, round(a.height * k))
    x0, y0 = ax0 + (aw - w) // 2, ay0 + (ah - h) // 2
    return Placement((0.0, 0.0, float(a.width), float(a.height)), (x0, y0, x0 + w, y0 + h), False)


def source_box(p: Placement, rect: Rect, a: Analysis) -> Box | None:
    """The part of the source (0..1 units) that ``rect`` of the canvas covers, if any."""
    dx0, dy0, dx1, dy1 = p.dest
    x0, y0 = max(rect[0], dx0), max(rect[1], dy0)
    x1, y1 = min(rect[2], dx1), min(rect[3], dy1)
    if x1 <= x0 or y1 <= y0:
        return None
    cx0, cy0, cx1, cy1 = p.crop
    sx, sy = (cx1 - cx0) / (dx1 - dx0), (cy1 - cy0) / (dy1 - dy0)
    return (
        (cx0 + (x0 - dx0) * sx) / a.width,
        (cy0 + (y0 - dy0) * sy) / a.height,
        (cx0 + (x1 - dx0) * sx) / a.width,
        (cy0 + (y1 - dy0) * sy) / a.height,
    )


def calm(
    a: Analysis, p: Placement, rect: Rect, limit: float, focus: tuple[float, float] | None
) -> bool:
    """True when covering ``rect`` of the canvas hides nothing that matters."""
    box = source_box(p, rect, a)
    if box is None:
        return True  # only padding under it
    if any(intersects(box, q) for q in _protected(a, focus)):
        return False
    return a.density(box) <= limit


def corner_rect(corner: str, width: int, height: int, size: int, margin: int) -> Rect:
    """The logo's square at ``corner`` of a ``width``×``height`` canvas."""
    x = margin if corner.endswith("left") else width - margin - size
    y = margin if corner.startswith("top") else height - margin - size
    return (x, y, x + size, y + size)


def plan(
    a: Analysis,
    size: tuple[int, int],
    *,
    fit: str = "auto",
    focus: tuple[float, float] | None = None,
    banner_height: int = 0,
    side: str = "bottom",
    grow: int = 0,
    logo: tuple[int, int] | None = None,
    ui_corners: tuple[str, ...] = (),
) -> Layout:
    """Lay out one variant of ``size``; ``grow``: extra height the channel allows for a band.

    ``logo`` is (size, margin) when the variant wants one: the calm corners are measured.
    """
    width, height = size
    full = place(a, (0, 0, width, height), fit, focus)
    out = Layout(width, height, full)
    if banner_height > 0:
        out = _with_banner(a, out, banner_height, side, grow, fit, focus)
    if logo is not None:
        calm_corners = tuple(
            c
            for c in CORNER_ORDER[side if out.banner else None]
            if c not in ui_corners and _corner_ok(a, out, c, logo, focus)
        )
        out = Layout(out.width, out.height, out.picture, out.banner, out.band, calm_corners)
    return out


def _with_banner(
    a: Analysis,
    base: Layout,
    bh: int,
    side: str,
    grow: int,
    fit: str,
    focus: tuple[float, float] | None,
) -> Layout:
    width, height = base.width, base.height
    other = "top" if side == "bottom" else "bottom"
    if grow >= bh:  # the channel keeps the picture's aspect: the band is added below/above it
        h = height + bh
        area = (0, bh, width, h) if side == "top" else (0, 0, width, height)
        return Layout(width, h, place(a, area, fit, focus), _strip(side, width, h, bh), True)
    area = (0, bh, width, height) if side == "top" else (0, 0, width, height - bh)
    banded = place(a, area, fit, focus)
    if banded.scale >= base.picture.scale - 1e-9:
        return Layout(width, height, banded, _strip(side, width, height, bh), True)
    for s in (side, other):
        strip = _strip(s, width, height, bh)
        if calm(a, base.picture, strip, CALM_BANNER, focus):
            return Layout(width, height, base.picture, strip, False)
    return Layout(width, height, banded, _strip(side, width, height, bh), True)


def _strip(side: str, width: int, height: int, bh: int) -> Rect:
    return (0, 0, width, bh) if side == "top" else (0, height - bh, width, height)


def _corner_ok(
    a: Analysis, lay: Layout, corner: str, logo: tuple[int, int], focus: tuple[float, float] | None
) -> bool:
    size, margin = logo
    rect = corner_rect(corner, lay.width, lay.height, size, margin)
    if lay.banner is not None:
        b = lay.banner
        if min(rect[2], b[2]) > max(rect[0], b[0]) and min(rect[3], b[3]) > max(rect[1], b[1]):
            return False
    room = (
        rect[0] - margin // 2,
        rect[1] - margin // 2,
        rect[2] + margin // 2,
        rect[3] + margin // 2,
    )
    return calm(a, lay.picture, room, CALM_LOGO, focus)


def choose_corner(calm_sets: list[tuple[str, ...]], order: tuple[str, ...]) -> str | None:
    """One corner for a whole carousel: the one calm on the most images (the first one first)."""
    if not calm_sets:
        return None
    votes = {c: sum(1 for s in calm_sets if c in s) for c in order}
    best = max(order, key=lambda c: (c in calm_sets[0], votes[c], -order.index(c)))
    return best if votes[best] else None


def padding(lay: Layout) -> int:
    """Canvas pixels that show neither the picture nor the banner (the brand-colour padding)."""
    x0, y0, x1, y1 = lay.picture.dest
    shown = (x1 - x0) * (y1 - y0)
    if lay.banner is not None:
        b = lay.banner
        over = max(0, min(b[2], x1) - max(b[0], x0)) * max(0, min(b[3], y1) - max(b[1], y0))
        shown += (b[2] - b[0]) * (b[3] - b[1]) - over
    return lay.width * lay.height - shown


def roomiest(options: list[Layout]) -> int:
    """Which layout shows the picture largest with the least padding (its index in ``options``).

    Feeds show every format at the same width, so a picture's *size* on an option is the
    square root of its drawn area over the canvas width squared (for a picture shown whole:
    its width as a share of the feed's), and its *padding* the area that is neither picture nor
    banner (:func:`padding`) over the same width squared. The options whose size is at least
    :data:`AS_LARGE` (90 %) of the largest one keep the picture "as large"; of those, the one
    with the least padding wins, the first (the channel's preferred) on ties.

    On Instagram this keeps a whole 3:2 or 16:10 picture at full width on 1:1 (the same
    picture as on 4:5 with half the padding; 1.91:1 would shrink it to 79 % or 84 %), moves a
    16:9 one to 1.91:1 (93 %, almost no padding, where 1:1 pads 44 % of the canvas), and keeps
    a portrait one on 4:5.
    """

    def size(lay: Layout) -> float:
        x0, y0, x1, y1 = lay.picture.dest
        return math.sqrt((x1 - x0) * (y1 - y0)) / lay.width

    sizes = [size(lay) for lay in options]
    large = [i for i, s in enumerate(sizes) if s >= AS_LARGE * max(sizes) - 1e-9]
    return min(large, key=lambda i: (round(padding(options[i]) / options[i].width ** 2, 9), i))


def enlargement(size: tuple[int, int], source: tuple[int, int], contain: bool = True) -> float:
    """How much a ``source``-sized picture is enlarged to fill (cover) or fit (contain) ``size``."""
    kx, ky = size[0] / source[0], size[1] / source[1]
    return min(kx, ky) if contain else max(kx, ky)


def at_least(size: tuple[int, int], source: tuple[int, int], factor: float) -> tuple[int, int]:
    """The smallest source of ``source``'s aspect enlarged at most ``factor`` into ``size``."""
    k = min(size[0] / source[0], size[1] / source[1]) / factor
    return math.ceil(source[0] * k), math.ceil(source[1] * k)
