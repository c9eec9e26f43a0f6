#!/usr/bin/env python3
"""Draw every image of the demo brand "Brûlerie des Canuts" (fictional), deterministically.

Usage (from the project root)::

    .venv/bin/python tools/make_demo_assets.py            # (re)write the images that changed
    .venv/bin/python tools/make_demo_assets.py --check    # exit 1 if any image would change

No photo is downloaded: every picture is drawn here with Pillow, so the demo content is ours to ship.
The output is byte-for-byte stable for a given Pillow build: fixed random seeds, no timestamps, no
EXIF or other metadata, fixed encoder settings (baseline JPEG, quality 88, 4:2:0, no optimisation;
PNG with a fixed compression level). Scenes are drawn at twice their size and downsampled with
Lanczos for smooth edges. Text uses the brand font only (assets/brand/fonts/brand.ttf, DejaVu Sans
Bold, see assets/brand/fonts/LICENSE), with Pillow's basic layout engine so that the optional
libraqm does not change the pixels.
"""

from __future__ import annotations

import argparse
import io
import itertools
import math
import random
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
CONTENT = ROOT / "content"
FONT = ASSETS / "brand" / "fonts" / "brand.ttf"
FONT_SOURCE = Path(
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
)  # Debian fonts-dejavu-core

SS = 2  # supersampling factor

RGB = tuple[int, int, int]

# Brand colours (cmpub.yaml) and a small palette around them.
ESPRESSO: RGB = (0x1E, 0x14, 0x10)  # brand background
PRIMARY: RGB = (0x6B, 0x2D, 0x1A)  # brand primary
ACCENT: RGB = (0xF2, 0xB1, 0x34)  # brand accent
WHITE: RGB = (255, 255, 255)
CREAM: RGB = (246, 234, 214)
FOAM: RGB = (244, 232, 212)
PAPER: RGB = (250, 243, 230)
CREMA: RGB = (184, 118, 60)
COFFEE: RGB = (58, 30, 17)
BEAN: RGB = (92, 52, 30)
KRAFT: RGB = (200, 158, 110)
WOOD_L: RGB = (150, 100, 64)
WOOD_D: RGB = (92, 58, 36)
BRICK: RGB = (128, 62, 44)


# --------------------------------------------------------------------------------------------
# Small colour and geometry helpers
# --------------------------------------------------------------------------------------------


def mix(a: Sequence[int], b: Sequence[int], t: float) -> RGB:
    """Linear mix of two RGB colours, t=0 gives a, t=1 gives b."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=False))[:3]  # type: ignore[return-value]


def shade(c: Sequence[int], f: float) -> RGB:
    """Darken (f<0) or lighten (f>0) a colour towards black or white."""
    return mix(c, (0, 0, 0), -f) if f < 0 else mix(c, (255, 255, 255), f)


def ramp(stops: Sequence[tuple[float, Sequence[int]]]) -> list[RGB]:
    """A 256-entry colour ramp through (position 0..1, colour) stops."""
    out: list[RGB] = []
    for i in range(256):
        t = i / 255
        for (p0, c0), (p1, c1) in itertools.pairwise(stops):
            if t <= p1 or (p1, c1) == stops[-1]:
                u = 0.0 if p1 == p0 else min(max((t - p0) / (p1 - p0), 0.0), 1.0)
                out.append(mix(c0, c1, u))
                break
    return out


def colorize(gray: Image.Image, stops: Sequence[tuple[float, Sequence[int]]]) -> Image.Image:
    """Map an 'L' image through a colour ramp."""
    table = ramp(stops)
    lut = [c[0] for c in table] + [c[1] for c in table] + [c[2] for c in table]
    return Image.merge("RGB", (gray, gray, gray)).point(lut)


def linear(size: tuple[int, int], angle: float = 90.0) -> Image.Image:
    """An 'L' gradient 0→255 in the direction of angle (degrees; 90 = top to bottom, 0 = left to right)."""
    w, h = size
    if angle % 360 == 90:
        return Image.linear_gradient("L").resize((w, h), Image.BILINEAR)
    if angle % 360 == 0:
        return (
            Image.linear_gradient("L")
            .rotate(90, expand=True)
            .transpose(Image.FLIP_LEFT_RIGHT)
            .resize((w, h), Image.BILINEAR)
        )
    d = math.ceil(math.hypot(w, h)) + 2
    g = (
        Image.linear_gradient("L")
        .resize((d, d), Image.BILINEAR)
        .rotate(90 - angle, resample=Image.BICUBIC)
    )
    left, top = (d - w) // 2, (d - h) // 2
    return g.crop((left, top, left + w, top + h))


def radial(
    size: tuple[int, int], center: tuple[float, float] = (0.5, 0.5), radius: float = 0.5
) -> Image.Image:
    """An 'L' radial gradient, 0 at center (relative coordinates) → 255 at radius (relative to width)."""
    w, h = size
    r = max(1, round(radius * 2 * w))
    # Image.radial_gradient is 255 at the corners (distance 128·√2); rescale so 255 is at radius.
    g = Image.radial_gradient("L").point([min(255, round(v * 255 / 181)) for v in range(256)])
    g = g.resize((r, r), Image.BILINEAR)
    out = Image.new("L", (w, h), 255)
    out.paste(g, (round(center[0] * w - r / 2), round(center[1] * h - r / 2)))
    return out


def scale_alpha(mask: Image.Image, opacity: float) -> Image.Image:
    if opacity >= 1.0:
        return mask
    lut = [round(v * opacity) for v in range(256)]
    return mask.point(lut)


def smoothstep(e0: float, e1: float, x: float) -> float:
    t = min(max((x - e0) / (e1 - e0), 0.0), 1.0)
    return t * t * (3 - 2 * t)


def heart_points(cx: float, cy: float, size: float, n: int = 240) -> list[tuple[float, float]]:
    """The classic parametric heart, about `size` wide, centred on (cx, cy), tip pointing down."""
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts.append((cx + x * size / 33, cy - y * size / 33 - size * 0.03))
    return pts


def font(px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), max(1, round(px)), layout_engine=ImageFont.Layout.BASIC)


# --------------------------------------------------------------------------------------------
# Canvas: draw in final pixel units on a supersampled image; every shape is a local mask
# --------------------------------------------------------------------------------------------


class Shape:
    """A local 'L' mask covering a bounding box of the canvas, drawn in canvas (final) units."""

    def __init__(self, cv: Canvas, bbox: Sequence[float], pad: float = 0.0) -> None:
        x0, y0, x1, y1 = bbox
        self.ss = cv.ss
        self.ox, self.oy = math.floor(x0 - pad), math.floor(y0 - pad)
        w = math.ceil((x1 + pad - self.ox) * self.ss) + 1
        h = math.ceil((y1 + pad - self.oy) * self.ss) + 1
        self.mask = Image.new("L", (max(w, 1), max(h, 1)), 0)
        self.d = ImageDraw.Draw(self.mask)

    # coordinate helpers
    def p(self, x: float, y: float) -> tuple[float, float]:
        return ((x - self.ox) * self.ss, (y - self.oy) * self.ss)

    def b(self, box: Sequence[float]) -> list[float]:
        (a, b), (c, d) = self.p(box[0], box[1]), self.p(box[2], box[3])
        return [a, b, max(a, c), max(b, d)]

    # primitives (value = mask intensity, 255 = opaque)
    def ellipse(self, box: Sequence[float], value: int = 255) -> Shape:
        self.d.ellipse(self.b(box), fill=value)
        return self

    def ring(self, box: Sequence[float], width: float, value: int = 255) -> Shape:
        self.d.ellipse(self.b(box), outline=value, width=max(1, round(width * self.ss)))
        return self

    def rect(self, box: Sequence[float], value: int = 255, radius: float = 0) -> Shape:
        if radius:
            self.d.rounded_rectangle(self.b(box), radius=radius * self.ss, fill=value)
        else:
            self.d.rectangle(self.b(box), fill=value)
        return self

    def poly(self, pts: Iterable[tuple[float, float]], value: int = 255) -> Shape:
        self.d.polygon([self.p(x, y) for x, y in pts], fill=value)
        return self

    def line(
        self,
        pts: Sequence[tuple[float, float]],
        width: float,
        value: int = 255,
        round_caps: bool = True,
    ) -> Shape:
        sp = [self.p(x, y) for x, y in pts]
        w = max(1, round(width * self.ss))
        self.d.line(sp, fill=value, width=w, joint="curve")
        if round_caps:
            for x, y in (sp[0], sp[-1]):
                self.d.ellipse([x - w / 2, y - w / 2, x + w / 2, y + w / 2], fill=value)
        return self

    def arc(
        self, box: Sequence[float], start: float, end: float, width: float, value: int = 255
    ) -> Shape:
        self.d.arc(self.b(box), start, end, fill=value, width=max(1, round(width * self.ss)))
        return self

    def text(
        self, xy: tuple[float, float], s: str, size: float, anchor: str = "mm", value: int = 255
    ) -> Shape:
        self.d.text(self.p(*xy), s, font=font(size * self.ss), fill=value, anchor=anchor)
        return self

    def cut(self, other: Shape) -> Shape:
        """Remove another shape (drawn over the same bbox) from this one."""
        self.mask = ImageChops.subtract(self.mask, other.mask)
        self.d = ImageDraw.Draw(self.mask)
        return self

    def clip(self, other: Shape) -> Shape:
        """Keep only the part inside another shape (drawn over the same bbox)."""
        self.mask = ImageChops.multiply(self.mask, other.mask)
        self.d = ImageDraw.Draw(self.mask)
        return self


Fill = Sequence[int] | Image.Image | Callable[[tuple[int, int]], Image.Image]


class Canvas:
    def __init__(self, w: int, h: int, bg: Sequence[int] = ESPRESSO, ss: int = SS) -> None:
        self.w, self.h, self.ss = w, h, ss
        self.img = Image.new("RGB", (w * ss, h * ss), tuple(bg))

    def shape(self, bbox: Sequence[float] | None = None, pad: float = 0.0) -> Shape:
        return Shape(self, bbox or (0, 0, self.w, self.h), pad)

    def paint(self, sh: Shape, fill: Fill, blur: float = 0.0, opacity: float = 1.0) -> None:
        """Composite `fill` (colour, image or function of size) through the shape's mask."""
        mask = sh.mask
        if blur:
            mask = mask.filter(ImageFilter.GaussianBlur(blur * self.ss))
        mask = scale_alpha(mask, opacity)
        if isinstance(fill, Image.Image):
            src = fill if fill.size == mask.size else fill.resize(mask.size, Image.BILINEAR)
        elif callable(fill):
            src = fill(mask.size)
        else:
            src = Image.new("RGB", mask.size, tuple(fill)[:3])
        self.img.paste(src, (sh.ox * self.ss, sh.oy * self.ss), mask)

    # gradient fills (functions of size) ---------------------------------------------------
    @staticmethod
    def lin(
        stops: Sequence[tuple[float, Sequence[int]]], angle: float = 90.0
    ) -> Callable[[tuple[int, int]], Image.Image]:
        return lambda size: colorize(linear(size, angle), stops)

    @staticmethod
    def rad(
        stops: Sequence[tuple[float, Sequence[int]]],
        center: tuple[float, float] = (0.5, 0.5),
        radius: float = 0.5,
    ) -> Callable[[tuple[int, int]], Image.Image]:
        return lambda size: colorize(radial(size, center, radius), stops)

    # common effects -------------------------------------------------------------------------
    def background(self, fill: Fill) -> None:
        self.paint(self.shape().rect((0, 0, self.w, self.h)), fill)

    def glow(self, cx: float, cy: float, r: float, color: Sequence[int], opacity: float) -> None:
        sh = self.shape((cx - r, cy - r, cx + r, cy + r))
        g = radial(sh.mask.size, (0.5, 0.5), 0.5).point(lambda v: 255 - v)
        sh.mask = g
        self.paint(sh, color, opacity=opacity)

    def shadow(
        self, box: Sequence[float], blur: float, opacity: float, color: Sequence[int] = (0, 0, 0)
    ) -> None:
        sh = self.shape(box, pad=blur * 3).ellipse(box)
        self.paint(sh, color, blur=blur, opacity=opacity)

    def bokeh(
        self,
        rng: random.Random,
        n: int,
        area: Sequence[float],
        rmin: float,
        rmax: float,
        colors: Sequence[Sequence[int]],
        omin: float = 0.15,
        omax: float = 0.5,
        blur: float = 2.0,
    ) -> None:
        x0, y0, x1, y1 = area
        for _ in range(n):
            r = rng.uniform(rmin, rmax)
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            c = colors[rng.randrange(len(colors))]
            o = rng.uniform(omin, omax)
            sh = self.shape((x - r, y - r, x + r, y + r), pad=blur * 3 + 2)
            sh.ellipse((x - r, y - r, x + r, y + r), value=200)
            sh.ring((x - r, y - r, x + r, y + r), width=max(1.5, r * 0.08), value=255)
            self.paint(sh, c, blur=blur + r * 0.04, opacity=o)

    def blur_all(self, radius: float) -> None:
        self.img = self.img.filter(ImageFilter.GaussianBlur(radius * self.ss))

    def vignette(self, strength: float = 0.45, color: Sequence[int] = (0, 0, 0)) -> None:
        sh = self.shape()
        g = radial(sh.mask.size, (0.5, 0.5), 0.75)
        sh.mask = g.point(lambda v: round(255 * smoothstep(110, 255, v)))
        self.paint(sh, color, opacity=strength)

    def sprite(self, spr: Image.Image, x: float, y: float) -> None:
        """Paste an RGBA sprite (supersampled already) centred on (x, y)."""
        self.img.paste(
            spr, (round(x * self.ss - spr.width / 2), round(y * self.ss - spr.height / 2)), spr
        )

    def final(self) -> Image.Image:
        return self.img.resize((self.w, self.h), Image.LANCZOS)


# --------------------------------------------------------------------------------------------
# Reusable props
# --------------------------------------------------------------------------------------------


def bean_sprite(length: float, angle: float, color: Sequence[int], ss: int = SS) -> Image.Image:
    """A roasted coffee bean with its crease, as an RGBA sprite (length in final px)."""
    L = length * ss
    W = L * 0.72
    pad = L * 0.15
    size = (math.ceil(L + 2 * pad), math.ceil(L + 2 * pad))
    spr = Image.new("RGBA", size, (0, 0, 0, 0))
    cx, cy = size[0] / 2, size[1] / 2
    box = (cx - W / 2, cy - L / 2, cx + W / 2, cy + L / 2)
    body = Image.new("L", size, 0)
    ImageDraw.Draw(body).ellipse(box, fill=255)
    shading = colorize(
        radial(size, (0.40, 0.36), 0.42),
        [(0, shade(color, 0.28)), (0.6, color), (1, shade(color, -0.45))],
    )
    spr.paste(shading, (0, 0), body)
    # the crease: a slightly S-shaped dark groove with a light lip
    crease = Image.new("L", size, 0)
    d = ImageDraw.Draw(crease)
    pts = []
    for i in range(21):
        t = i / 20
        y = cy - L * 0.42 + L * 0.84 * t
        x = cx + W * 0.10 * math.sin((t - 0.5) * math.pi * 1.6)
        pts.append((x, y))
    d.line(pts, fill=255, width=max(1, round(W * 0.09)), joint="curve")
    crease = crease.filter(ImageFilter.GaussianBlur(W * 0.02))
    crease = ImageChops.multiply(crease, body)
    spr.paste(Image.new("RGB", size, shade(color, -0.72)), (0, 0), crease)
    lip = Image.new("L", size, 0)
    ImageDraw.Draw(lip).line(
        [(x - W * 0.06, y) for x, y in pts], fill=110, width=max(1, round(W * 0.04)), joint="curve"
    )
    lip = ImageChops.multiply(lip.filter(ImageFilter.GaussianBlur(W * 0.02)), body)
    spr.paste(Image.new("RGB", size, shade(color, 0.35)), (0, 0), lip)
    return spr.rotate(angle, resample=Image.BICUBIC, expand=True)


def scatter_beans(
    cv: Canvas,
    rng: random.Random,
    n: int,
    area: Sequence[float],
    lmin: float,
    lmax: float,
    color: Sequence[int] = BEAN,
    shadow: float = 0.45,
) -> None:
    x0, y0, x1, y1 = area
    items = []
    for _ in range(n):
        items.append(
            (
                rng.uniform(y0, y1),
                rng.uniform(x0, x1),
                rng.uniform(lmin, lmax),
                rng.uniform(0, 360),
                rng.uniform(-0.12, 0.1),
            )
        )
    for y, x, ln, ang, tone in sorted(items):
        if shadow:
            cv.shadow(
                (x - ln * 0.42, y - ln * 0.12, x + ln * 0.48, y + ln * 0.42),
                blur=ln * 0.12,
                opacity=shadow,
            )
        cv.sprite(bean_sprite(ln, ang, shade(color, tone), cv.ss), x, y)


def cup_profile(
    cx: float, top: float, w: float, h: float, taper: float = 0.30
) -> list[tuple[float, float]]:
    """Outline of a cup body: rim ellipse's upper half, sides bowing inwards, rounded bottom."""
    e = w * 0.20
    pts = []
    for i in range(61):  # rim, back half (upper arc), left to right
        a = math.pi + math.pi * i / 60
        pts.append((cx + w / 2 * math.cos(a), top + e / 2 * math.sin(a)))
    for i in range(41):  # right side down
        t = i / 40
        hw = w / 2 * (1 - taper * t**1.8)
        pts.append((cx + hw, top + h * t))
    bw = w / 2 * (1 - taper)
    for i in range(1, 40):  # bottom front arc, right to left
        a = math.pi * i / 40
        pts.append((cx + bw * math.cos(a), top + h + e * 0.32 * math.sin(a)))
    for i in range(41):  # left side up
        t = 1 - i / 40
        hw = w / 2 * (1 - taper * t**1.8)
        pts.append((cx - hw, top + h * t))
    return pts


def draw_cup(
    cv: Canvas,
    cx: float,
    top: float,
    w: float,
    h: float,
    body: Sequence[int] = CREAM,
    band: Sequence[int] | None = PRIMARY,
    liquid: str = "coffee",
    saucer: bool = True,
    light_from_left: bool = True,
    handle: bool = True,
    logo: bool = True,
) -> None:
    """A side-view ceramic cup (optionally on a saucer), liquid seen through the rim."""
    e = w * 0.20
    bottom = top + h
    if saucer:
        sw = w * 1.75
        sy = bottom + e * 0.15
        cv.shadow(
            (cx - sw * 0.55, sy - e * 0.2, cx + sw * 0.58, sy + e * 1.1),
            blur=w * 0.05,
            opacity=0.55,
        )
        under = cv.shape((cx - sw / 2, sy - e, cx + sw / 2, sy + e), pad=4)
        under.ellipse((cx - sw / 2, sy - e * 0.62, cx + sw / 2, sy + e * 0.62))
        cv.paint(
            under,
            cv.lin(
                [(0, shade(body, -0.05)), (0.55, shade(body, -0.22)), (1, shade(body, -0.45))], 90
            ),
        )
        top_s = cv.shape((cx - sw / 2, sy - e, cx + sw / 2, sy + e), pad=4)
        top_s.ellipse((cx - sw * 0.49, sy - e * 0.72, cx + sw * 0.49, sy + e * 0.42))
        cv.paint(
            top_s,
            cv.lin(
                [(0, shade(body, 0.25)), (0.6, body), (1, shade(body, -0.12))],
                100 if light_from_left else 80,
            ),
        )
        well = cv.shape((cx - sw / 2, sy - e, cx + sw / 2, sy + e), pad=4)
        well.ellipse((cx - w * 0.5, sy - e * 0.42, cx + w * 0.5, sy + e * 0.22))
        cv.paint(well, shade(body, -0.18), blur=w * 0.012, opacity=0.8)
        cv.shadow(
            (cx - w * 0.36, bottom - e * 0.2, cx + w * 0.46, bottom + e * 0.32),
            blur=w * 0.025,
            opacity=0.5,
        )
    if handle:
        hx = cx + w * 0.43
        hy = top + h * 0.16
        hs = cv.shape((hx - w * 0.1, hy - w * 0.05, hx + w * 0.36, hy + h * 0.62), pad=6)
        hs.ring((hx - w * 0.02, hy, hx + w * 0.30, hy + h * 0.52), width=w * 0.07)
        cv.paint(
            hs,
            cv.lin([(0, shade(body, 0.1)), (0.5, shade(body, -0.15)), (1, shade(body, -0.4))], 0),
        )
    outline = cup_profile(cx, top, w, h)
    bb = (cx - w / 2 - 2, top - e, cx + w / 2 + 2, bottom + e)
    cup = cv.shape(bb, pad=4).poly(outline)
    stops = [
        (0, shade(body, -0.30)),
        (0.18, shade(body, 0.05)),
        (0.32, shade(body, 0.35)),
        (0.55, body),
        (0.85, shade(body, -0.25)),
        (1, shade(body, -0.5)),
    ]
    if not light_from_left:
        stops = [(1 - p, c) for p, c in reversed(stops)]
    cv.paint(cup, cv.lin(stops, 0))
    if band is not None:
        bnd = cv.shape(bb, pad=4)
        y1, y2 = top + h * 0.36, top + h * 0.60
        pts = []
        for i in range(41):
            x = cx - w / 2 + w * i / 40
            u = (x - cx) / (w / 2)
            pts.append((x, y1 + e * 0.42 * math.sqrt(max(0.0, 1 - u * u))))
        for i in range(41):
            x = cx + w / 2 - w * i / 40
            u = (x - cx) / (w / 2)
            pts.append((x, y2 + e * 0.36 * math.sqrt(max(0.0, 1 - u * u))))
        bnd.poly(pts).clip(cv.shape(bb, pad=4).poly(outline))
        bstops = [(p, mix(c, band, 0.82)) for p, c in stops]
        cv.paint(bnd, cv.lin(bstops, 0))
        if logo:
            ly = (y1 + y2) / 2 + e * 0.40
            lg = cv.shape(bb, pad=4)
            r = (y2 - y1) * 0.30
            lg.ellipse((cx - r * 0.62, ly - r, cx + r * 0.62, ly + r))
            cv.paint(lg, ACCENT, opacity=0.92)
            cr = cv.shape(bb, pad=4)
            cr.line(
                [(cx + r * 0.08, ly - r * 0.8), (cx - r * 0.1, ly), (cx + r * 0.08, ly + r * 0.8)],
                width=max(1.0, r * 0.16),
            )
            cv.paint(cr, mix(band, (0, 0, 0), 0.2))
    # rim and liquid
    rim = cv.shape(bb, pad=4).ellipse((cx - w / 2, top - e / 2, cx + w / 2, top + e / 2))
    cv.paint(rim, shade(body, 0.35))
    inner = cv.shape(bb, pad=4).ellipse(
        (
            cx - w / 2 + w * 0.03,
            top - e / 2 + e * 0.1,
            cx + w / 2 - w * 0.03,
            top + e / 2 - e * 0.06,
        )
    )
    cv.paint(inner, cv.lin([(0, shade(body, -0.35)), (1, shade(body, 0.05))], 90))
    lw = w * 0.90
    ly0 = top + e * 0.08
    liq = cv.shape(bb, pad=4).ellipse((cx - lw / 2, ly0 - e * 0.38, cx + lw / 2, ly0 + e * 0.40))
    if liquid == "coffee":
        cv.paint(
            liq,
            cv.rad(
                [(0, (64, 34, 18)), (0.5, (92, 50, 26)), (0.82, (150, 92, 48)), (1, (84, 48, 26))],
                (0.45, 0.5),
                0.5,
            ),
        )
    else:  # latte: foam with a small heart
        cv.paint(liq, cv.rad([(0, FOAM), (0.7, (226, 200, 166)), (1, CREMA)], (0.5, 0.5), 0.5))
        ht = cv.shape(bb, pad=4)
        pts = [(x, ly0 + (y - ly0) * 0.36) for x, y in heart_points(cx, ly0, lw * 0.34)]
        ht.poly(pts)
        cv.paint(ht, (176, 112, 58), blur=1.0, opacity=0.85)
        ht2 = cv.shape(bb, pad=4)
        pts = [(x, ly0 + (y - ly0) * 0.36) for x, y in heart_points(cx, ly0 + e * 0.01, lw * 0.22)]
        ht2.poly(pts)
        cv.paint(ht2, FOAM, blur=0.8)
    # a specular highlight along the rim and the body
    hl = cv.shape(bb, pad=8).arc(
        (cx - w / 2 + 2, top - e / 2 + 1, cx + w / 2 - 2, top + e / 2 - 1),
        150,
        210,
        width=w * 0.012,
    )
    cv.paint(hl, WHITE, blur=w * 0.004, opacity=0.7)
    sx = cx - w * 0.28 if light_from_left else cx + w * 0.28
    spec = cv.shape(bb, pad=8).line(
        [(sx, top + h * 0.12), (sx + w * 0.01, top + h * 0.78)], width=w * 0.035
    )
    cv.paint(spec, WHITE, blur=w * 0.02, opacity=0.35)


def steam(
    cv: Canvas,
    rng: random.Random,
    cx: float,
    base: float,
    height: float,
    width: float,
    n: int = 3,
    opacity: float = 0.35,
) -> None:
    for k in range(n):
        x0 = cx + (k - (n - 1) / 2) * width * 0.35 + rng.uniform(-width * 0.05, width * 0.05)
        amp = width * rng.uniform(0.10, 0.16)
        ph = rng.uniform(0, math.tau)
        pts = []
        for i in range(60):
            t = i / 59
            y = base - height * t
            x = x0 + amp * math.sin(ph + t * math.pi * 2.4) * (0.4 + t)
            pts.append((x, y))
        wdt = width * rng.uniform(0.09, 0.13)
        sh = cv.shape((cx - width * 1.5, base - height - 10, cx + width * 1.5, base + 10), pad=40)
        sh.line(pts, width=wdt)
        fade = linear(sh.mask.size, 90)  # fade out towards the top
        sh.mask = ImageChops.multiply(
            sh.mask, fade.point(lambda v: round(255 * smoothstep(20, 230, v)))
        )
        cv.paint(sh, (255, 250, 242), blur=wdt * 0.9, opacity=opacity)


def wood_table(
    cv: Canvas,
    rng: random.Random,
    y0: float,
    y1: float,
    light: Sequence[int] = WOOD_L,
    dark: Sequence[int] = WOOD_D,
    planks: int = 4,
    lines: int = 70,
) -> None:
    """A wooden tabletop seen from the front: perspective planks with grain."""
    sh = cv.shape((0, y0, cv.w, y1)).rect((0, y0, cv.w, y1))
    cv.paint(sh, cv.lin([(0, shade(dark, -0.15)), (0.25, light), (1, dark)], 90))
    for _ in range(lines):
        y = rng.uniform(y0, y1)
        t = (y - y0) / max(1, y1 - y0)
        x_a = rng.uniform(-200, cv.w * 0.8)
        length = rng.uniform(cv.w * 0.2, cv.w * 0.9)
        wv = rng.uniform(2, 6) * (0.5 + t)
        pts = [(x_a + length * i / 30, y + math.sin(i * 0.5 + y) * wv * 0.6) for i in range(31)]
        g = cv.shape((x_a - 10, y - 20, x_a + length + 10, y + 20), pad=10).line(
            pts, width=rng.uniform(1, 3.5) * (0.6 + t)
        )
        cv.paint(
            g,
            shade(dark, rng.uniform(-0.45, -0.1)) if rng.random() < 0.7 else shade(light, 0.15),
            blur=1.2,
            opacity=rng.uniform(0.15, 0.4),
        )
    for i in range(1, planks):
        t = i / planks
        y = y0 + (y1 - y0) * (t**1.35)
        g = cv.shape((0, y - 4, cv.w, y + 4), pad=6).line(
            [(0, y), (cv.w, y)], width=2 + 3 * t, round_caps=False
        )
        cv.paint(g, shade(dark, -0.6), blur=1.0, opacity=0.55)
    edge = cv.shape((0, y0 - 4, cv.w, y0 + 8), pad=6).line(
        [(0, y0 + 1), (cv.w, y0 + 1)], width=3, round_caps=False
    )
    cv.paint(edge, shade(light, 0.4), blur=1.0, opacity=0.5)


def _over(
    img: Image.Image, color: Sequence[int] | Image.Image, mask: Image.Image, opacity: float = 1.0
) -> None:
    """Alpha-composite a colour (or an RGB image) through `mask` over an RGBA image, in place."""
    src = (
        color.convert("RGBA")
        if isinstance(color, Image.Image)
        else Image.new("RGBA", img.size, (*color[:3], 255))
    )
    src.putalpha(scale_alpha(mask, opacity))
    img.alpha_composite(src)


def logo_mark(size: int, ss: int = 2) -> Image.Image:
    """The brand mark: a round roaster's badge with a coffee bean, RGBA with soft edges."""
    S = size * ss
    img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    c = S / 2
    R = S * 0.465

    def circle_mask(r: float, blur: float = 0.0) -> Image.Image:
        m = Image.new("L", (S, S), 0)
        ImageDraw.Draw(m).ellipse((c - r, c - r, c + r, c + r), fill=255)
        return m.filter(ImageFilter.GaussianBlur(blur)) if blur else m

    # a soft halo (the soft alpha edge), then the badge itself
    _over(img, ESPRESSO, circle_mask(R + S * 0.012, S * 0.014), 0.5)
    badge = colorize(
        radial((S, S), (0.40, 0.36), 0.62),
        [(0, shade(PRIMARY, 0.20)), (0.65, PRIMARY), (1, shade(PRIMARY, -0.40))],
    )
    _over(img, badge, circle_mask(R))
    ring = Image.new("L", (S, S), 0)
    d = ImageDraw.Draw(ring)
    d.ellipse(
        (c - R * 0.93, c - R * 0.93, c + R * 0.93, c + R * 0.93),
        outline=255,
        width=round(S * 0.011),
    )
    d.ellipse(
        (c - R * 0.615, c - R * 0.615, c + R * 0.615, c + R * 0.615),
        outline=255,
        width=round(S * 0.006),
    )
    _over(img, ACCENT, ring)

    f = ImageFont.truetype(str(FONT), round(S * 0.060), layout_engine=ImageFont.Layout.BASIC)

    def arc_text(s: str, radius: float, center_deg: float, spacing: float, upper: bool) -> None:
        widths = [f.getlength(ch) + spacing for ch in s]
        ang_total = (sum(widths) - spacing) / radius
        a = (
            math.radians(center_deg) - ang_total / 2
            if upper
            else math.radians(center_deg) + ang_total / 2
        )
        layer = Image.new("L", (S, S), 0)
        for ch, wch in zip(s, widths, strict=True):
            half = (wch - spacing) / 2 / radius
            mid = a + half if upper else a - half
            x, y = c + radius * math.cos(mid), c + radius * math.sin(mid)
            t = round(S * 0.12)
            tile = Image.new("L", (t, t), 0)
            ImageDraw.Draw(tile).text((t / 2, t / 2), ch, font=f, fill=255, anchor="mm")
            rot = -math.degrees(mid) - 90 if upper else -math.degrees(mid) + 90
            tile = tile.rotate(rot, resample=Image.BICUBIC)
            layer.paste(
                ImageChops.lighter(
                    layer.crop(
                        (
                            round(x - t / 2),
                            round(y - t / 2),
                            round(x - t / 2) + t,
                            round(y - t / 2) + t,
                        )
                    ),
                    tile,
                ),
                (round(x - t / 2), round(y - t / 2)),
            )
            a += wch / radius if upper else -wch / radius
        _over(img, CREAM, layer)

    arc_text("BRÛLERIE DES CANUTS", R * 0.775, -90, S * 0.005, upper=True)
    arc_text("LYON · CROIX-ROUSSE", R * 0.775, 90, S * 0.004, upper=False)
    stars = Image.new("L", (S, S), 0)
    for ang in (180, 0):
        x, y = (
            c + R * 0.775 * math.cos(math.radians(ang)),
            c + R * 0.775 * math.sin(math.radians(ang)),
        )
        r1, r2 = S * 0.017, S * 0.007
        pts = [
            (
                x + (r1 if i % 2 == 0 else r2) * math.cos(math.pi / 2 + i * math.pi / 5),
                y - (r1 if i % 2 == 0 else r2) * math.sin(math.pi / 2 + i * math.pi / 5),
            )
            for i in range(10)
        ]
        ImageDraw.Draw(stars).polygon(pts, fill=255)
    _over(img, ACCENT, stars)

    # the bean in the middle, tilted, with a soft shadow and a crease
    bw, bl, tilt = R * 0.64, R * 0.90, -32

    def tilted(draw: Callable[[ImageDraw.ImageDraw], None]) -> Image.Image:
        m = Image.new("L", (S, S), 0)
        draw(ImageDraw.Draw(m))
        return m.rotate(tilt, resample=Image.BICUBIC, center=(c, c))

    bean = tilted(lambda d: d.ellipse((c - bw / 2, c - bl / 2, c + bw / 2, c + bl / 2), fill=255))
    sh = ImageChops.offset(bean, round(S * 0.012), round(S * 0.02)).filter(
        ImageFilter.GaussianBlur(S * 0.016)
    )
    _over(img, (24, 8, 4), sh, 0.65)
    bean_fill = colorize(
        radial((S, S), (0.43, 0.40), 0.30),
        [(0, shade(ACCENT, 0.40)), (0.55, ACCENT), (1, shade(ACCENT, -0.35))],
    )
    _over(img, bean_fill, bean)
    pts = []
    for i in range(41):
        t = i / 40
        pts.append(
            (c + bw * 0.13 * math.sin((t - 0.5) * math.pi * 1.7), c - bl * 0.40 + bl * 0.80 * t)
        )

    def crease_draw(d: ImageDraw.ImageDraw) -> None:
        w = round(bw * 0.085)
        d.line(pts, fill=255, width=w, joint="curve")
        for x, y in (pts[0], pts[-1]):
            d.ellipse((x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=255)

    _over(img, PRIMARY, tilted(crease_draw))
    hl = tilted(
        lambda d: d.arc(
            (c - bw * 0.40, c - bl * 0.43, c + bw * 0.40, c + bl * 0.43),
            195,
            245,
            fill=255,
            width=round(bw * 0.05),
        )
    )
    _over(img, WHITE, hl.filter(ImageFilter.GaussianBlur(S * 0.004)), 0.5)
    return img.resize((size, size), Image.LANCZOS)


# --------------------------------------------------------------------------------------------
# Scenes
# --------------------------------------------------------------------------------------------


def draw_bag(
    cv: Canvas,
    cx: float,
    bottom: float,
    w: float,
    h: float,
    title: Sequence[str],
    lines: Sequence[str],
    paper: Sequence[int] = KRAFT,
    accent: Sequence[int] = PRIMARY,
    weight: str = "250 g",
) -> None:
    """A stand-up kraft coffee bag with a crimped top, a degassing valve and the brand label."""
    top = bottom - h
    cv.shadow(
        (cx - w * 0.62, bottom - h * 0.05, cx + w * 0.75, bottom + h * 0.06),
        blur=w * 0.06,
        opacity=0.5,
    )
    bb = (cx - w * 0.6, top - h * 0.05, cx + w * 0.6, bottom + h * 0.05)
    body_pts = [(cx - w / 2 + w * 0.03, top + h * 0.06), (cx + w / 2 - w * 0.03, top + h * 0.06)]
    for i in range(21):  # right side down, bulging slightly
        t = i / 20
        body_pts.append(
            (
                cx + w / 2 - w * 0.03 * (1 - t) + w * 0.015 * math.sin(t * math.pi),
                top + h * 0.06 + (h * 0.94) * t,
            )
        )
    for i in range(1, 20):  # bottom, a gentle curve
        t = i / 20
        body_pts.append((cx + w / 2 - w * t, bottom + h * 0.012 * math.sin(t * math.pi)))
    for i in range(21):
        t = 1 - i / 20
        body_pts.append(
            (
                cx - w / 2 + w * 0.03 * (1 - t) - w * 0.015 * math.sin(t * math.pi),
                top + h * 0.06 + (h * 0.94) * t,
            )
        )
    body = cv.shape(bb, pad=6).poly(body_pts)
    cv.paint(
        body,
        cv.lin(
            [
                (0, shade(paper, -0.32)),
                (0.12, shade(paper, -0.05)),
                (0.35, shade(paper, 0.12)),
                (0.7, paper),
                (0.92, shade(paper, -0.2)),
                (1, shade(paper, -0.38)),
            ],
            0,
        ),
    )
    rng = random.Random(int(cx * 7 + h))
    for _ in range(7):  # paper wrinkles
        x = rng.uniform(cx - w * 0.42, cx + w * 0.42)
        y0 = rng.uniform(top + h * 0.12, top + h * 0.5)
        pts = [
            (x + rng.uniform(-w * 0.01, w * 0.01) + w * 0.02 * math.sin(i), y0 + i * h * 0.05)
            for i in range(rng.randrange(4, 9))
        ]
        wr = cv.shape(bb, pad=6).line(pts, width=w * 0.012)
        wr.clip(cv.shape(bb, pad=6).poly(body_pts))
        cv.paint(
            wr,
            shade(paper, -0.35) if rng.random() < 0.5 else shade(paper, 0.3),
            blur=w * 0.01,
            opacity=0.35,
        )
    # crimped top seal
    ct, cb = top, top + h * 0.075
    crimp = [(cx - w / 2 + w * 0.03, cb)]
    teeth = 26
    for i in range(teeth + 1):
        x = cx - w / 2 + w * 0.03 + (w * 0.94) * i / teeth
        crimp.append((x, ct + (h * 0.008 if i % 2 else 0)))
    crimp.append((cx + w / 2 - w * 0.03, cb))
    cs = cv.shape(bb, pad=6).poly(crimp)
    cv.paint(
        cs, cv.lin([(0, shade(paper, -0.2)), (0.4, shade(paper, 0.05)), (1, shade(paper, -0.3))], 0)
    )
    for i in range(6):
        y = ct + h * 0.012 + i * (cb - ct - h * 0.02) / 5
        ln = cv.shape(bb, pad=6).line(
            [(cx - w / 2 + w * 0.04, y), (cx + w / 2 - w * 0.04, y)],
            width=max(1.0, h * 0.0025),
            round_caps=False,
        )
        cv.paint(ln, shade(paper, -0.45), opacity=0.45)
    fold = cv.shape(bb, pad=6).line(
        [(cx - w / 2 + w * 0.03, cb + h * 0.004), (cx + w / 2 - w * 0.03, cb + h * 0.004)],
        width=h * 0.006,
        round_caps=False,
    )
    cv.paint(fold, shade(paper, -0.5), blur=h * 0.003, opacity=0.6)
    # degassing valve
    vy, vr = top + h * 0.16, w * 0.05
    v1 = cv.shape(bb, pad=6).ellipse((cx - vr, vy - vr, cx + vr, vy + vr))
    cv.paint(v1, cv.lin([(0, shade(paper, 0.35)), (1, shade(paper, -0.25))], 90))
    v2 = cv.shape(bb, pad=6).ring(
        (cx - vr * 0.6, vy - vr * 0.6, cx + vr * 0.6, vy + vr * 0.6), width=vr * 0.18
    )
    cv.paint(v2, shade(paper, -0.4), opacity=0.7)
    # the label
    lx0, lx1 = cx - w * 0.36, cx + w * 0.36
    ly0, ly1 = top + h * 0.27, top + h * 0.86
    lab_sh = cv.shape(bb, pad=10).rect((lx0 + 3, ly0 + 5, lx1 + 3, ly1 + 5), radius=w * 0.03)
    cv.paint(lab_sh, (0, 0, 0), blur=w * 0.01, opacity=0.3)
    lab = cv.shape(bb, pad=6).rect((lx0, ly0, lx1, ly1), radius=w * 0.03)
    cv.paint(lab, cv.lin([(0, shade(PAPER, 0.3)), (0.6, PAPER), (1, shade(PAPER, -0.08))], 0))
    fr = cv.shape(bb, pad=6)
    fr.d.rounded_rectangle(
        fr.b((lx0 + w * 0.025, ly0 + w * 0.025, lx1 - w * 0.025, ly1 - w * 0.025)),
        radius=w * 0.02 * cv.ss,
        outline=255,
        width=max(1, round(w * 0.006 * cv.ss)),
    )
    cv.paint(fr, accent)
    mark = logo_mark(
        max(16, round(w * 0.20)) * cv.ss // 2, 2
    )  # drawn at 2x of the supersampled size
    mark = mark.resize((round(w * 0.20 * cv.ss), round(w * 0.20 * cv.ss)), Image.LANCZOS)
    cv.sprite(mark, cx, ly0 + (ly1 - ly0) * 0.17)
    tx = cv.shape(bb, pad=6)
    y = ly0 + (ly1 - ly0) * 0.40
    for t in title:
        tx.text((cx, y), t, w * 0.085)
        y += w * 0.10
    cv.paint(tx, accent)
    sm = cv.shape(bb, pad=6)
    y += w * 0.02
    for t in lines:
        sm.text((cx, y), t, w * 0.038)
        y += w * 0.058
    sm.text((cx, ly1 - w * 0.075), weight, w * 0.045)
    cv.paint(sm, shade(accent, -0.2), opacity=0.9)
    band = cv.shape(bb, pad=6).rect(
        (lx0 + w * 0.12, ly1 - w * 0.125, lx1 - w * 0.12, ly1 - w * 0.122)
    )
    cv.paint(band, ACCENT)


def draw_croissant(cv: Canvas, cx: float, cy: float, w: float, angle_deg: float = 0.0) -> None:
    """A golden croissant seen from the side: one crescent body divided into rolled segments."""
    ss = cv.ss
    S = round(w * 1.3 * ss)
    spr = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    c = S / 2
    W = w * ss

    def center(u: float) -> float:
        return c + u * u * W * 0.13

    def thick(u: float) -> float:
        return W * 0.31 * max(0.0, 1 - u * u) ** 0.5 + W * 0.035

    def top(u: float) -> tuple[float, float]:
        return (c + u * W * 0.48, center(u) - thick(u) * 0.68)

    def bot(u: float) -> tuple[float, float]:
        return (c + u * W * 0.45, center(u) + thick(u) * 0.32)

    us = [-1 + 2 * i / 120 for i in range(121)]
    outline = [top(u) for u in us] + [bot(u) for u in reversed(us)]
    body = Image.new("L", (S, S), 0)
    ImageDraw.Draw(body).polygon(outline, fill=255)
    col = colorize(
        radial((S, S), (0.47, 0.36), 0.40),
        [(0, (242, 190, 108)), (0.45, (222, 148, 62)), (0.8, (178, 100, 36)), (1, (120, 60, 22))],
    )
    _over(spr, col, body)
    # darker underside and ends
    under = Image.new("L", (S, S), 0)
    ImageDraw.Draw(under).polygon(
        [(x, y - thick(-1 + 2 * i / 120) * 0.18) for i, (x, y) in enumerate(bot(u) for u in us)]
        + [bot(u) for u in reversed(us)],
        fill=255,
    )
    _over(
        spr,
        (110, 56, 20),
        ImageChops.multiply(under.filter(ImageFilter.GaussianBlur(W * 0.02)), body),
        0.55,
    )
    # segment creases, bowed towards the middle, each with a highlight on the roll before it
    for uk in (-0.78, -0.52, -0.25, 0.25, 0.52, 0.78):
        (x0, y0), (x1, y1) = top(uk), bot(uk * 0.96)
        bow = -uk * W * 0.045
        pts = [
            (x0 + (x1 - x0) * t + bow * math.sin(math.pi * t), y0 + (y1 - y0) * t)
            for t in (i / 20 for i in range(21))
        ]
        cr = Image.new("L", (S, S), 0)
        ImageDraw.Draw(cr).line(pts, fill=255, width=max(1, round(W * 0.014)), joint="curve")
        cr = ImageChops.multiply(cr.filter(ImageFilter.GaussianBlur(W * 0.007)), body)
        _over(spr, (104, 50, 16), cr, 0.5)
    for uk in (-0.9, -0.65, -0.38, 0.0, 0.38, 0.65, 0.9):
        x, y = top(uk)
        r = thick(uk)
        hl = Image.new("L", (S, S), 0)
        ImageDraw.Draw(hl).ellipse(
            (x - W * 0.055, y + r * 0.08, x + W * 0.035, y + r * 0.34), fill=255
        )
        _over(
            spr,
            (255, 230, 180),
            ImageChops.multiply(hl.filter(ImageFilter.GaussianBlur(W * 0.018)), body),
            0.55,
        )
    # flaky striations
    st = Image.new("L", (S, S), 0)
    d = ImageDraw.Draw(st)
    rng = random.Random(17)
    for _ in range(26):
        u = rng.uniform(-0.9, 0.9)
        x, y = top(u)
        r = thick(u)
        yy = y + r * rng.uniform(0.2, 0.8)
        d.arc(
            (x - W * 0.05, yy - r * 0.05, x + W * 0.05, yy + r * 0.05),
            10,
            170,
            fill=255,
            width=max(1, round(W * 0.004)),
        )
    _over(
        spr,
        (140, 74, 28),
        ImageChops.multiply(st.filter(ImageFilter.GaussianBlur(W * 0.002)), body),
        0.35,
    )
    spr = spr.rotate(angle_deg, resample=Image.BICUBIC)
    shadow = spr.getchannel("A").filter(ImageFilter.GaussianBlur(W * 0.025))
    sh_img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    _over(sh_img, (0, 0, 0), ImageChops.offset(shadow, round(W * 0.02), round(W * 0.035)), 0.5)
    cv.sprite(sh_img, cx, cy)
    cv.sprite(spr, cx, cy)


def plate(cv: Canvas, cx: float, cy: float, w: float, color: Sequence[int] = CREAM) -> None:
    e = w * 0.26
    cv.shadow(
        (cx - w * 0.52, cy - e * 0.35, cx + w * 0.56, cy + e * 0.75), blur=w * 0.03, opacity=0.5
    )
    a = cv.shape((cx - w / 2, cy - e, cx + w / 2, cy + e), pad=4).ellipse(
        (cx - w / 2, cy - e / 2, cx + w / 2, cy + e / 2 + w * 0.02)
    )
    cv.paint(a, shade(color, -0.3))
    b = cv.shape((cx - w / 2, cy - e, cx + w / 2, cy + e), pad=4).ellipse(
        (cx - w / 2, cy - e / 2, cx + w / 2, cy + e / 2)
    )
    cv.paint(b, cv.lin([(0, shade(color, 0.3)), (0.7, color), (1, shade(color, -0.15))], 80))
    c = cv.shape((cx - w / 2, cy - e, cx + w / 2, cy + e), pad=4).ring(
        (cx - w * 0.33, cy - e * 0.33, cx + w * 0.33, cy + e * 0.33), width=w * 0.01
    )
    cv.paint(c, shade(color, -0.15), blur=w * 0.005, opacity=0.7)


def scene_cup_steam() -> Image.Image:
    """A cup of black coffee steaming on a wooden café table, warm bokeh behind."""
    rng = random.Random(101)
    W, H = 2000, 1333
    cv = Canvas(W, H)
    cafe_background(cv, rng, H * 0.60)
    wood_table(cv, rng, H * 0.60, H, planks=4)
    scatter_beans(cv, rng, 9, (W * 0.06, H * 0.78, W * 0.30, H * 0.95), 46, 60)
    scatter_beans(cv, rng, 5, (W * 0.74, H * 0.84, W * 0.92, H * 0.96), 46, 58)
    draw_cup(cv, W * 0.52, H * 0.42, W * 0.27, H * 0.30)
    steam(cv, rng, W * 0.52, H * 0.41, H * 0.38, W * 0.11, n=3, opacity=0.55)
    cv.vignette(0.45)
    return cv.final()


def cafe_background(cv: Canvas, rng: random.Random, horizon: float) -> None:
    """An out-of-focus café interior: warm wall, a counter, lamps and bokeh."""
    W = cv.w
    cv.background(cv.lin([(0, (44, 28, 21)), (0.6, (82, 50, 33)), (1, (58, 36, 25))], 90))
    cv.glow(W * 0.78, horizon * 0.35, W * 0.45, ACCENT, 0.30)
    cv.glow(W * 0.15, horizon * 0.55, W * 0.30, (220, 120, 60), 0.18)
    counter = cv.shape((0, horizon * 0.72, W, horizon)).rect((0, horizon * 0.74, W, horizon))
    cv.paint(counter, (60, 36, 24), opacity=0.8)
    shelf = cv.shape((0, horizon * 0.3, W, horizon * 0.34)).rect(
        (0, horizon * 0.30, W, horizon * 0.325)
    )
    cv.paint(shelf, (120, 80, 52), opacity=0.6)
    for i in range(14):  # jars on the shelf
        x = W * 0.04 + i * W * 0.07 + rng.uniform(-10, 10)
        jh = rng.uniform(70, 120)
        jar = cv.shape((x, horizon * 0.3 - jh, x + 70, horizon * 0.3)).rect(
            (x, horizon * 0.30 - jh, x + rng.uniform(50, 70), horizon * 0.30), radius=14
        )
        cv.paint(jar, mix(CREAM, (150, 100, 60), rng.random()), opacity=0.35)
    for i in range(3):  # pendant lamps
        x = W * (0.2 + i * 0.3)
        cord = cv.shape((x - 4, 0, x + 4, horizon * 0.16)).rect((x - 2, 0, x + 2, horizon * 0.15))
        cv.paint(cord, (20, 12, 8), opacity=0.8)
        shade_ = cv.shape((x - 90, horizon * 0.12, x + 90, horizon * 0.24)).poly(
            [
                (x - 30, horizon * 0.14),
                (x + 30, horizon * 0.14),
                (x + 80, horizon * 0.22),
                (x - 80, horizon * 0.22),
            ]
        )
        cv.paint(shade_, (34, 22, 16))
        cv.glow(x, horizon * 0.23, 160, (255, 200, 120), 0.55)
    cv.bokeh(
        rng,
        40,
        (0, 0, W, horizon * 0.95),
        18,
        70,
        [ACCENT, (255, 210, 140), (240, 150, 70), CREAM],
        0.12,
        0.45,
        blur=3,
    )
    cv.blur_all(9)


def scene_croissant() -> Image.Image:
    """The customer story: a café crème and a croissant on the counter of a partner bakery."""
    rng = random.Random(202)
    W, H = 2000, 1333
    cv = Canvas(W, H)
    cafe_background(cv, rng, H * 0.58)
    wood_table(cv, rng, H * 0.58, H, light=(168, 120, 80), dark=(104, 68, 42), planks=3)
    plate(cv, W * 0.30, H * 0.80, W * 0.40)
    draw_croissant(cv, W * 0.30, H * 0.75, W * 0.30, angle_deg=4)
    draw_cup(cv, W * 0.66, H * 0.44, W * 0.24, H * 0.27, liquid="latte")
    steam(cv, rng, W * 0.66, H * 0.43, H * 0.30, W * 0.09, n=2, opacity=0.45)
    scatter_beans(cv, rng, 6, (W * 0.84, H * 0.86, W * 0.96, H * 0.96), 44, 54)
    cv.vignette(0.42)
    return cv.final()


def flower(cv: Canvas, x: float, y: float, r: float, rot: float) -> None:
    """A small jasmine flower: five white petals and a yellow heart."""
    bb = (x - r * 1.2, y - r * 1.2, x + r * 1.2, y + r * 1.2)
    pet = cv.shape(bb, pad=6)
    for i in range(5):
        a = math.radians(rot + i * 72)
        px, py = x + math.cos(a) * r * 0.55, y + math.sin(a) * r * 0.55
        pet.ellipse((px - r * 0.42, py - r * 0.42, px + r * 0.42, py + r * 0.42))
    cv.shadow((x - r, y - r * 0.6, x + r * 1.1, y + r * 1.2), blur=r * 0.3, opacity=0.25)
    cv.paint(pet, cv.rad([(0, (255, 250, 236)), (1, (232, 222, 204))], (0.5, 0.5), 0.5))
    core = cv.shape(bb, pad=6).ellipse((x - r * 0.16, y - r * 0.16, x + r * 0.16, y + r * 0.16))
    cv.paint(core, (236, 190, 70))


def peach(cv: Canvas, x: float, y: float, r: float) -> None:
    cv.shadow((x - r * 0.9, y + r * 0.55, x + r * 1.2, y + r * 1.15), blur=r * 0.15, opacity=0.45)
    s = cv.shape((x - r, y - r, x + r, y + r), pad=4).ellipse((x - r, y - r, x + r, y + r))
    cv.paint(
        s,
        cv.rad(
            [
                (0, (255, 214, 150)),
                (0.45, (246, 160, 90)),
                (0.8, (214, 92, 60)),
                (1, (160, 60, 40)),
            ],
            (0.38, 0.35),
            0.62,
        ),
    )
    cr = cv.shape((x - r, y - r, x + r, y + r), pad=4).arc(
        (x - r * 0.2, y - r * 0.95, x + r * 0.9, y + r * 0.9), 190, 260, width=r * 0.05
    )
    cv.paint(cr, (150, 50, 30), blur=r * 0.03, opacity=0.5)
    leaf = cv.shape((x - r, y - r * 1.5, x + r, y), pad=4).poly(
        [
            (x + r * 0.05, y - r * 0.9),
            (x + r * 0.35, y - r * 1.35),
            (x + r * 0.75, y - r * 1.30),
            (x + r * 0.42, y - r * 0.98),
        ]
    )
    cv.paint(leaf, cv.lin([(0, (120, 150, 80)), (1, (70, 100, 50))], 0))


def studio_background(
    cv: Canvas,
    horizon: float,
    wall: Sequence[int] = (236, 224, 204),
    table: Sequence[int] = (205, 170, 128),
) -> None:
    W, H = cv.w, cv.h
    cv.background(cv.lin([(0, shade(wall, -0.06)), (1, wall)], 90))
    cv.glow(W * 0.25, H * 0.2, W * 0.6, (255, 246, 228), 0.6)
    # window light falling on the wall: two soft diagonal beams
    for k in range(2):
        x0 = W * (0.55 + k * 0.16)
        beam = cv.shape((x0 - W * 0.2, 0, x0 + W * 0.2, horizon)).poly(
            [(x0, 0), (x0 + W * 0.09, 0), (x0 - W * 0.05, horizon), (x0 - W * 0.14, horizon)]
        )
        cv.paint(beam, (255, 244, 220), blur=30, opacity=0.35)
    tb = cv.shape((0, horizon, W, H)).rect((0, horizon, W, H))
    cv.paint(tb, cv.lin([(0, shade(table, 0.12)), (1, shade(table, -0.18))], 90))
    rng = random.Random(7)
    for _ in range(40):
        y = rng.uniform(horizon + 5, H)
        x0 = rng.uniform(-100, W)
        pts = [(x0 + i * 40, y + math.sin(i * 0.4 + y) * 2) for i in range(rng.randrange(8, 30))]
        g = cv.shape((x0 - 10, y - 10, x0 + 1300, y + 10), pad=6).line(
            pts, width=rng.uniform(1, 2.5)
        )
        cv.paint(g, shade(table, -0.3), blur=1.2, opacity=rng.uniform(0.1, 0.3))
    edge = cv.shape((0, horizon - 6, W, horizon + 6)).rect((0, horizon - 1, W, horizon + 3))
    cv.paint(edge, shade(table, 0.35), blur=1.5, opacity=0.6)


def scene_guji_bag() -> Image.Image:
    """Launch visual: the new Éthiopie Guji bag with its tasting notes (peach, jasmine, bergamot)."""
    rng = random.Random(303)
    W, H = 2000, 1500
    cv = Canvas(W, H)
    studio_background(cv, H * 0.66)
    draw_bag(
        cv,
        W * 0.42,
        H * 0.86,
        W * 0.30,
        H * 0.64,
        ["ÉTHIOPIE", "GUJI"],
        ["Lavé · 1 950–2 200 m", "Pêche · jasmin · bergamote"],
    )
    peach(cv, W * 0.70, H * 0.80, W * 0.065)
    peach(cv, W * 0.80, H * 0.84, W * 0.055)
    for i, (fx, fy) in enumerate(
        [(0.64, 0.91), (0.71, 0.94), (0.88, 0.90), (0.60, 0.86), (0.92, 0.82)]
    ):
        flower(cv, W * fx, H * fy, W * 0.018, rot=i * 23)
    scatter_beans(
        cv,
        rng,
        16,
        (W * 0.12, H * 0.88, W * 0.34, H * 0.97),
        40,
        52,
        color=(110, 62, 34),
        shadow=0.35,
    )
    scatter_beans(
        cv,
        rng,
        7,
        (W * 0.48, H * 0.90, W * 0.60, H * 0.97),
        40,
        50,
        color=(110, 62, 34),
        shadow=0.35,
    )
    cv.vignette(0.25, (60, 36, 20))
    return cv.final()


def tapered_stroke(
    cv: Canvas,
    pts: Sequence[tuple[float, float]],
    w0: float,
    w1: float,
    fill: Fill,
    pad: float = 20,
) -> None:
    """A smooth stroke whose width goes from w0 to w1 along the points (a polygon from the normals)."""
    left, right = [], []
    n = len(pts)
    for i, (x, y) in enumerate(pts):
        x0, y0 = pts[max(0, i - 1)]
        x1, y1 = pts[min(n - 1, i + 1)]
        dx, dy = x1 - x0, y1 - y0
        ln = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / ln, dx / ln
        r = (w0 + (w1 - w0) * i / (n - 1)) / 2
        left.append((x + nx * r, y + ny * r))
        right.append((x - nx * r, y - ny * r))
    xs = [p[0] for p in left + right]
    ys = [p[1] for p in left + right]
    sh = cv.shape((min(xs), min(ys), max(xs), max(ys)), pad=pad).poly(left + right[::-1])
    for (x, y), r in ((pts[0], w0 / 2), (pts[-1], w1 / 2)):
        sh.ellipse((x - r, y - r, x + r, y + r))
    cv.paint(sh, fill)


def dripper_and_server(cv: Canvas, cx: float, bottom: float, w: float, h: float) -> float:
    """A ceramic cone dripper (brand red) on a glass server half full of coffee; returns the dripper's top y."""
    sh_h = h * 0.52  # server height
    s_top = bottom - sh_h
    bb = (cx - w, bottom - h * 1.2, cx + w, bottom + h * 0.05)
    cv.shadow(
        (cx - w * 0.55, bottom - h * 0.03, cx + w * 0.62, bottom + h * 0.04),
        blur=w * 0.05,
        opacity=0.45,
    )

    def hw(t: float) -> float:  # server half-width, t=0 top, 1 bottom: a rounded jug
        return w * (0.36 + 0.16 * math.sin(min(1.0, t * 1.15) * math.pi * 0.5) ** 0.7)

    left = [(cx - hw(i / 60), s_top + sh_h * i / 60) for i in range(61)]
    right = [(cx + hw(i / 60), s_top + sh_h * i / 60) for i in range(61)]
    outline = left + right[::-1]
    # glass handle (behind), glass body
    hd = cv.shape(bb, pad=8).ring(
        (cx + w * 0.40, s_top + sh_h * 0.12, cx + w * 0.72, s_top + sh_h * 0.70), width=w * 0.045
    )
    cv.paint(hd, (255, 255, 255), opacity=0.22)
    hd2 = cv.shape(bb, pad=8).ring(
        (cx + w * 0.40, s_top + sh_h * 0.12, cx + w * 0.72, s_top + sh_h * 0.70), width=w * 0.012
    )
    cv.paint(hd2, (120, 110, 100), opacity=0.5)
    glass = cv.shape(bb, pad=8).poly(outline)
    cv.paint(glass, (255, 255, 255), opacity=0.18)
    level_t = 0.40
    cof = cv.shape(bb, pad=8).poly(
        [p for p in left if p[1] >= s_top + sh_h * level_t]
        + [p for p in right[::-1] if p[1] >= s_top + sh_h * level_t]
    )
    cv.paint(cof, cv.lin([(0, (132, 70, 30)), (0.25, (82, 40, 16)), (1, (38, 16, 6))], 90))
    ly = s_top + sh_h * level_t
    surf = cv.shape(bb, pad=8).ellipse(
        (cx - hw(level_t), ly - w * 0.035, cx + hw(level_t), ly + w * 0.035)
    )
    cv.paint(surf, cv.rad([(0, (96, 50, 22)), (1, (160, 96, 46))], (0.5, 0.5), 0.5))
    edge = cv.shape(bb, pad=8).line(left, width=w * 0.008).line(right, width=w * 0.008)
    edge.line([left[-1], right[-1]], width=w * 0.008)
    cv.paint(edge, (110, 100, 92), opacity=0.55)
    for dx, op, wd in ((-0.26, 0.6, 0.035), (0.31, 0.35, 0.02)):
        pts = [
            (cx + dx * w * (hw(t) / (w * 0.52)) * 1.45, s_top + sh_h * t)
            for t in (0.18, 0.45, 0.72, 0.9)
        ]
        hl = cv.shape(bb, pad=10).line(pts, width=w * wd)
        cv.paint(hl, WHITE, blur=w * 0.01, opacity=op)
    rim = cv.shape(bb, pad=8).ring(
        (cx - hw(0), s_top - w * 0.05, cx + hw(0), s_top + w * 0.05), width=w * 0.012
    )
    cv.paint(rim, (250, 250, 250), opacity=0.8)
    # the dripper: base plate, cone, handle, filter edge
    d_bot = s_top - w * 0.01
    plate_ = cv.shape(bb, pad=8).ellipse(
        (cx - w * 0.42, d_bot - w * 0.06, cx + w * 0.42, d_bot + w * 0.06)
    )
    cv.paint(
        plate_, cv.lin([(0, shade(PRIMARY, 0.25)), (0.5, PRIMARY), (1, shade(PRIMARY, -0.4))], 0)
    )
    d_h = h * 0.36
    d_top = d_bot - d_h
    hnd = cv.shape(bb, pad=8).ring(
        (cx + w * 0.30, d_top + d_h * 0.18, cx + w * 0.62, d_top + d_h * 0.78), width=w * 0.06
    )
    cv.paint(hnd, cv.lin([(0, shade(PRIMARY, 0.1)), (1, shade(PRIMARY, -0.45))], 0))
    cone = [
        (cx - w * 0.46, d_top),
        (cx + w * 0.46, d_top),
        (cx + w * 0.17, d_bot - w * 0.03),
        (cx - w * 0.17, d_bot - w * 0.03),
    ]
    cs = (
        cv.shape(bb, pad=8)
        .poly(cone)
        .ellipse((cx - w * 0.17, d_bot - w * 0.07, cx + w * 0.17, d_bot + w * 0.01))
    )
    cv.paint(
        cs,
        cv.lin(
            [
                (0, shade(PRIMARY, -0.45)),
                (0.2, shade(PRIMARY, 0.05)),
                (0.34, shade(PRIMARY, 0.32)),
                (0.6, PRIMARY),
                (1, shade(PRIMARY, -0.5)),
            ],
            0,
        ),
    )
    for k in range(5):  # spiral ribs seen through the glaze
        t = (k + 1) / 6
        rib = cv.shape(bb, pad=8).line(
            [
                (cx - w * (0.42 - 0.25 * t) + k * 2, d_top + d_h * 0.12),
                (cx - w * (0.16 - 0.1 * t), d_bot - w * 0.05),
            ],
            width=w * 0.008,
        )
        cv.paint(rib, shade(PRIMARY, 0.4), blur=2, opacity=0.18)
    spec = cv.shape(bb, pad=8).line(
        [(cx - w * 0.25, d_top + d_h * 0.1), (cx - w * 0.12, d_bot - w * 0.06)], width=w * 0.03
    )
    cv.paint(spec, WHITE, blur=w * 0.012, opacity=0.35)
    top_rim = cv.shape(bb, pad=8).ellipse(
        (cx - w * 0.46, d_top - w * 0.07, cx + w * 0.46, d_top + w * 0.07)
    )
    cv.paint(top_rim, shade(PRIMARY, 0.15))
    filt = cv.shape(bb, pad=8).ellipse(
        (cx - w * 0.42, d_top - w * 0.06, cx + w * 0.42, d_top + w * 0.055)
    )
    cv.paint(filt, (246, 240, 230))
    grounds = cv.shape(bb, pad=8).ellipse(
        (cx - w * 0.36, d_top - w * 0.04, cx + w * 0.36, d_top + w * 0.045)
    )
    cv.paint(
        grounds,
        cv.rad([(0, (92, 54, 30)), (0.7, (140, 90, 50)), (1, (170, 120, 76))], (0.5, 0.55), 0.5),
    )
    fz = []
    for i in range(25):  # the folded filter edge sticking out at the back
        a = math.pi + math.pi * i / 24
        r = w * (0.44 + (0.025 if i % 2 else 0.0))
        fz.append((cx + r * math.cos(a), d_top + w * 0.065 * math.sin(a) - w * 0.05))
    fz += [(cx + w * 0.42, d_top), (cx - w * 0.42, d_top)]
    fe = cv.shape(bb, pad=8).poly(fz)
    fe.cut(
        cv.shape(bb, pad=8).ellipse(
            (cx - w * 0.42, d_top - w * 0.06, cx + w * 0.42, d_top + w * 0.055)
        )
    )
    cv.paint(fe, (250, 246, 238))
    return d_top


def kettle(cv: Canvas, x_tip: float, y_tip: float, s: float) -> tuple[float, float]:
    """A matte black gooseneck kettle coming in from the top-left corner, pouring."""
    body = cv.shape((x_tip - s * 2.6, y_tip - s * 2.2, x_tip - s * 0.7, y_tip - s * 0.2), pad=10)
    bx, by = x_tip - s * 1.95, y_tip - s * 1.25
    body.poly(
        [
            (bx - s * 0.8, by - s * 0.75),
            (bx + s * 0.55, by - s * 0.75),
            (bx + s * 0.75, by + s * 0.55),
            (bx - s * 0.8, by + s * 0.62),
        ]
    )
    body.ellipse((bx - s * 0.8, by + s * 0.35, bx + s * 0.75, by + s * 0.80))
    cv.paint(
        body,
        cv.lin(
            [(0, (22, 22, 24)), (0.6, (48, 48, 52)), (0.85, (70, 70, 74)), (1, (30, 30, 32))], 0
        ),
    )
    pts = []
    for i in range(41):
        t = i / 40
        x = (bx + s * 0.6) + (x_tip - bx - s * 0.6) * t
        y = (by + s * 0.3) + (y_tip - by - s * 0.3) * t - s * 0.55 * math.sin(t * math.pi * 0.85)
        pts.append((x, y))
    tapered_stroke(
        cv,
        pts,
        s * 0.20,
        s * 0.075,
        cv.lin([(0, (62, 62, 66)), (0.5, (34, 34, 36)), (1, (16, 16, 17))], 90),
    )
    hl = cv.shape((bx, by - s, x_tip + s * 0.2, y_tip + s * 0.2), pad=12).line(
        [(x, y - s * 0.045) for x, y in pts[6:34]], width=s * 0.014
    )
    cv.paint(hl, (220, 220, 226), blur=1.5, opacity=0.5)
    return pts[-1]


def scene_guji_pourover() -> Image.Image:
    """Launch, second picture: Guji brewed as filter coffee, water poured from a gooseneck kettle."""
    rng = random.Random(404)
    W, H = 2000, 1500
    cv = Canvas(W, H)
    studio_background(cv, H * 0.68, wall=(230, 220, 200), table=(186, 150, 112))
    draw_bag(
        cv,
        W * 0.76,
        H * 0.84,
        W * 0.22,
        H * 0.47,
        ["ÉTHIOPIE", "GUJI"],
        ["Lavé · 1 950–2 200 m", "Pêche · jasmin · bergamote"],
    )
    d_top = dripper_and_server(cv, W * 0.42, H * 0.90, W * 0.30, H * 0.70)
    x_tip, y_tip = W * 0.40, d_top - H * 0.11
    tx, ty = kettle(cv, x_tip, y_tip, W * 0.14)
    stream = cv.shape((tx - 20, ty, tx + 20, d_top + 10), pad=10).line(
        [(tx + 1, ty + 4), (tx + 4, d_top + 2)], width=5
    )
    cv.paint(stream, (250, 246, 240), blur=0.8, opacity=0.7)
    steam(cv, rng, W * 0.45, d_top - 10, H * 0.2, W * 0.07, n=2, opacity=0.3)
    scatter_beans(
        cv,
        rng,
        9,
        (W * 0.10, H * 0.90, W * 0.24, H * 0.97),
        38,
        48,
        color=(110, 62, 34),
        shadow=0.3,
    )
    cv.vignette(0.22, (60, 36, 20))
    return cv.final()


def ellipse_pts(
    cx: float, cy: float, rx: float, ry: float, angle: float = 0.0, n: int = 72
) -> list[tuple[float, float]]:
    a = math.radians(angle)
    ca, sa = math.cos(a), math.sin(a)
    out = []
    for i in range(n):
        t = math.tau * i / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        out.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return out


def rect_pts(cx: float, cy: float, w: float, h: float, angle: float) -> list[tuple[float, float]]:
    a = math.radians(angle)
    ca, sa = math.cos(a), math.sin(a)
    return [
        (cx + x * ca - y * sa, cy + x * sa + y * ca)
        for x, y in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2))
    ]


def flat_bean(sh: Shape, crease: Shape, cx: float, cy: float, length: float, angle: float) -> None:
    """A flat (vector-style) bean: the body into `sh`, the crease into `crease`."""
    sh.poly(ellipse_pts(cx, cy, length * 0.36, length * 0.5, angle))
    a = math.radians(angle)
    pts = []
    for i in range(13):
        t = i / 12
        x, y = (
            length * 0.07 * math.sin((t - 0.5) * math.pi * 1.7),
            -length * 0.38 + length * 0.76 * t,
        )
        pts.append((cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)))
    crease.line(pts, width=length * 0.07)


def spaced_text(
    sh: Shape, x: float, y: float, s: str, size: float, spacing: float, anchor: str = "m"
) -> None:
    f = font(size)
    widths = [f.getlength(ch) + spacing for ch in s]
    total = sum(widths) - spacing
    x0 = x - total / 2 if anchor == "m" else (x if anchor == "l" else x - total)
    for ch, wch in zip(s, widths, strict=True):
        sh.text((x0, y), ch, size, anchor="lm")
        x0 += wch


def confetti(
    cv: Canvas,
    rng: random.Random,
    n: int,
    area: Sequence[float],
    colors: Sequence[Sequence[int]],
    size: float = 14,
) -> None:
    x0, y0, x1, y1 = area
    for _ in range(n):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        w, h = size * rng.uniform(0.8, 1.4), size * rng.uniform(0.35, 0.6)
        sh = cv.shape((x - size * 2, y - size * 2, x + size * 2, y + size * 2), pad=4).poly(
            rect_pts(x, y, w, h, rng.uniform(0, 180))
        )
        cv.paint(sh, colors[rng.randrange(len(colors))], opacity=rng.uniform(0.7, 1.0))


def planks_top(
    cv: Canvas,
    rng: random.Random,
    base: Sequence[int],
    n: int = 5,
    vertical: bool = True,
    lines: int = 160,
) -> None:
    """A wooden table seen from above: planks with grain, seams and tone variations."""
    W, H = cv.w, cv.h
    cv.background(base)
    for i in range(n):
        a, b = (W * i / n, W * (i + 1) / n) if vertical else (H * i / n, H * (i + 1) / n)
        box = (a, 0, b, H) if vertical else (0, a, W, b)
        sh = cv.shape(box).rect(box)
        tone = rng.uniform(-0.12, 0.10)
        cv.paint(
            sh,
            cv.lin(
                [
                    (0, shade(base, tone - 0.05)),
                    (0.5, shade(base, tone + 0.04)),
                    (1, shade(base, tone - 0.06)),
                ],
                0 if vertical else 90,
            ),
        )
        seam = cv.shape(box, pad=6).line(
            [(a, 0), (a, H)] if vertical else [(0, a), (W, a)], width=4, round_caps=False
        )
        cv.paint(seam, shade(base, -0.6), blur=1.2, opacity=0.7)
    for _ in range(lines):
        p = rng.uniform(0, W if vertical else H)
        start = rng.uniform(-200, (H if vertical else W) * 0.7)
        length = rng.uniform(300, 1400)
        amp = rng.uniform(2, 10)
        ph = rng.uniform(0, 6.28)
        if vertical:
            pts = [(p + amp * math.sin(ph + i * 0.35), start + length * i / 30) for i in range(31)]
            box = (p - 30, start, p + 30, start + length)
        else:
            pts = [(start + length * i / 30, p + amp * math.sin(ph + i * 0.35)) for i in range(31)]
            box = (start, p - 30, start + length, p + 30)
        g = cv.shape(box, pad=10).line(pts, width=rng.uniform(1.0, 3.0))
        cv.paint(
            g,
            shade(base, rng.uniform(-0.5, -0.2)) if rng.random() < 0.75 else shade(base, 0.2),
            blur=1.0,
            opacity=rng.uniform(0.12, 0.35),
        )


# --- the roastery -----------------------------------------------------------------------------


def brick_wall(cv: Canvas, rng: random.Random, y1: float, base: Sequence[int] = BRICK) -> None:
    W = cv.w
    bw, bh = 150.0, 54.0
    mortar = cv.shape((0, 0, W, y1)).rect((0, 0, W, y1))
    cv.paint(mortar, (84, 66, 56))
    rows = math.ceil(y1 / bh)
    for r in range(rows):
        off = (r % 2) * bw / 2
        for k in range(-1, math.ceil(W / bw) + 1):
            x = k * bw - off
            box = (x + 4, r * bh + 4, x + bw - 4, r * bh + bh - 4)
            sh = cv.shape(box, pad=2).rect(box, radius=5)
            c = mix(shade(base, rng.uniform(-0.25, 0.12)), (120, 90, 70), rng.uniform(0, 0.3))
            cv.paint(sh, c)


def gauge(cv: Canvas, x: float, y: float, r: float, needle_deg: float) -> None:
    bb = (x - r * 1.2, y - r * 1.2, x + r * 1.2, y + r * 1.2)
    rim = cv.shape(bb, pad=4).ellipse((x - r * 1.1, y - r * 1.1, x + r * 1.1, y + r * 1.1))
    cv.paint(rim, cv.lin([(0, (230, 200, 120)), (0.5, (170, 128, 50)), (1, (110, 80, 30))], 60))
    face = cv.shape(bb, pad=4).ellipse((x - r, y - r, x + r, y + r))
    cv.paint(face, cv.rad([(0, (250, 244, 230)), (1, (214, 204, 184))], (0.45, 0.4), 0.6))
    ticks = cv.shape(bb, pad=4)
    for i in range(11):
        a = math.radians(135 + i * 27)
        ticks.line(
            [
                (x + math.cos(a) * r * 0.72, y + math.sin(a) * r * 0.72),
                (x + math.cos(a) * r * 0.88, y + math.sin(a) * r * 0.88),
            ],
            width=r * 0.05,
            round_caps=False,
        )
    cv.paint(ticks, (60, 40, 30))
    a = math.radians(needle_deg)
    nd = cv.shape(bb, pad=4).line(
        [(x, y), (x + math.cos(a) * r * 0.8, y + math.sin(a) * r * 0.8)], width=r * 0.07
    )
    nd.ellipse((x - r * 0.1, y - r * 0.1, x + r * 0.1, y + r * 0.1))
    cv.paint(nd, (170, 40, 24))
    gl = cv.shape(bb, pad=4).arc(
        (x - r * 0.85, y - r * 0.85, x + r * 0.85, y + r * 0.85), 200, 260, width=r * 0.1
    )
    cv.paint(gl, WHITE, blur=r * 0.05, opacity=0.6)


def sack(
    cv: Canvas,
    cx: float,
    bottom: float,
    w: float,
    h: float,
    stamp: Sequence[str],
    open_top: bool = False,
    rng: random.Random | None = None,
) -> None:
    """A jute sack of green coffee, closed or rolled open with beans showing."""
    rng = rng or random.Random(int(cx))
    jute = (196, 164, 116)
    top = bottom - h
    bb = (cx - w * 0.7, top - h * 0.15, cx + w * 0.7, bottom + h * 0.08)
    cv.shadow(
        (cx - w * 0.6, bottom - h * 0.08, cx + w * 0.65, bottom + h * 0.06),
        blur=w * 0.06,
        opacity=0.55,
    )
    pts = []
    for i in range(41):
        t = i / 40
        pts.append((cx - w / 2 - w * 0.06 * math.sin(t * math.pi), top + h * 0.1 + (h * 0.9) * t))
    for i in range(41):
        t = 1 - i / 40
        pts.append((cx + w / 2 + w * 0.06 * math.sin(t * math.pi), top + h * 0.1 + (h * 0.9) * t))
    body = (
        cv.shape(bb, pad=6)
        .poly(pts)
        .ellipse((cx - w / 2, top + h * 0.02, cx + w / 2, top + h * 0.2))
    )
    body.ellipse((cx - w * 0.55, bottom - h * 0.1, cx + w * 0.55, bottom + h * 0.03))
    cv.paint(
        body,
        cv.lin(
            [
                (0, shade(jute, -0.35)),
                (0.3, shade(jute, 0.1)),
                (0.65, jute),
                (1, shade(jute, -0.4)),
            ],
            0,
        ),
    )
    weave = cv.shape(bb, pad=6)
    for i in range(int(h / 9)):
        y = top + i * 9
        weave.line([(cx - w * 0.6, y), (cx + w * 0.6, y)], width=1.6, round_caps=False)
    for i in range(int(w / 9)):
        x = cx - w * 0.6 + i * 9
        weave.line([(x, top), (x, bottom)], width=1.2, round_caps=False)
    weave.clip(cv.shape(bb, pad=6).poly(pts))
    cv.paint(weave, shade(jute, -0.45), opacity=0.22)
    st = cv.shape(bb, pad=6)
    y = top + h * 0.45
    for line in stamp:
        st.text((cx, y), line, w * 0.105)
        y += w * 0.14
    cv.paint(
        st, (70, 60, 100) if len(stamp) and stamp[0] != "BRÉSIL" else (60, 90, 60), opacity=0.55
    )
    if open_top:
        rim = cv.shape(bb, pad=6).ellipse(
            (cx - w * 0.56, top - h * 0.02, cx + w * 0.56, top + h * 0.22)
        )
        cv.paint(rim, cv.lin([(0, shade(jute, 0.2)), (1, shade(jute, -0.25))], 90))
        inner = cv.shape(bb, pad=6).ellipse(
            (cx - w * 0.46, top + h * 0.02, cx + w * 0.46, top + h * 0.18)
        )
        cv.paint(inner, (72, 40, 22))
        for _ in range(int(w / 6)):
            a = rng.uniform(0, math.tau)
            rr = math.sqrt(rng.random()) * 0.85
            x = cx + math.cos(a) * w * 0.42 * rr
            yb = top + h * 0.10 + math.sin(a) * h * 0.065 * rr
            cv.sprite(
                bean_sprite(
                    w * 0.085, rng.uniform(0, 360), shade(BEAN, rng.uniform(-0.1, 0.15)), cv.ss
                ),
                x,
                yb,
            )
    else:
        tie = cv.shape(bb, pad=6).poly(
            [
                (cx - w * 0.2, top + h * 0.12),
                (cx + w * 0.2, top + h * 0.12),
                (cx + w * 0.08, top - h * 0.08),
                (cx - w * 0.1, top - h * 0.1),
            ]
        )
        cv.paint(
            tie,
            cv.lin([(0, shade(jute, -0.3)), (0.5, shade(jute, 0.1)), (1, shade(jute, -0.35))], 0),
        )


def scene_roaster() -> Image.Image:
    """Behind the scenes: the drum roaster on a Tuesday morning, beans cooling in the tray."""
    rng = random.Random(505)
    W, H = 2000, 1333
    cv = Canvas(W, H)
    brick_wall(cv, rng, H * 0.80)
    cv.blur_all(2)
    cv.glow(W * 0.12, H * 0.10, W * 0.55, (255, 196, 120), 0.45)
    sh = cv.shape((0, 0, W, H * 0.8)).rect((0, 0, W, H * 0.8))
    cv.paint(sh, cv.lin([(0, (0, 0, 0)), (1, (20, 12, 8))], 0), opacity=0.35)
    floor = cv.shape((0, H * 0.78, W, H)).rect((0, H * 0.79, W, H))
    cv.paint(floor, cv.lin([(0, (70, 60, 54)), (1, (40, 33, 30))], 90))
    # light beam with dust
    beam = cv.shape((0, 0, W, H)).poly(
        [(W * 0.02, 0), (W * 0.26, 0), (W * 0.62, H * 0.9), (W * 0.30, H * 0.9)]
    )
    cv.paint(beam, (255, 220, 160), blur=40, opacity=0.12)
    cv.bokeh(
        rng, 40, (W * 0.1, H * 0.05, W * 0.5, H * 0.7), 2, 6, [(255, 230, 180)], 0.3, 0.7, blur=0.8
    )
    steel = [
        (0, (60, 62, 66)),
        (0.25, (170, 174, 178)),
        (0.45, (220, 222, 224)),
        (0.7, (120, 124, 130)),
        (1, (50, 52, 56)),
    ]
    red = [
        (0, shade(PRIMARY, -0.35)),
        (0.3, shade(PRIMARY, 0.22)),
        (0.55, PRIMARY),
        (1, shade(PRIMARY, -0.5)),
    ]
    # chimney
    ch = cv.shape((W * 0.55, 0, W * 0.60, H * 0.3)).rect((W * 0.555, 0, W * 0.59, H * 0.27))
    cv.paint(ch, cv.lin(steel, 0))
    for y in (H * 0.08, H * 0.18):
        ring_ = cv.shape((W * 0.55, y - 8, W * 0.60, y + 8)).rect(
            (W * 0.55, y - 6, W * 0.595, y + 6), radius=3
        )
        cv.paint(ring_, cv.lin(steel, 0))
    # cabinet
    cab = (W * 0.22, H * 0.50, W * 0.62, H * 0.86)
    cv.shadow((cab[0] - 20, cab[3] - 20, cab[2] + 60, cab[3] + 30), blur=25, opacity=0.6)
    for fx in (0.24, 0.60):
        leg = cv.shape((W * fx - 14, H * 0.84, W * fx + 14, H * 0.88)).rect(
            (W * fx - 12, H * 0.84, W * fx + 12, H * 0.875), radius=4
        )
        cv.paint(leg, (30, 30, 32))
    cb = cv.shape(cab).rect(cab, radius=18)
    cv.paint(cb, cv.lin(red, 0))
    panel = cv.shape(cab).rect((W * 0.40, H * 0.56, W * 0.59, H * 0.80), radius=12)
    cv.paint(panel, cv.lin([(0, (40, 36, 34)), (1, (22, 20, 19))], 90))
    gauge(cv, W * 0.45, H * 0.63, W * 0.028, -40)
    gauge(cv, W * 0.54, H * 0.63, W * 0.028, 10)
    for i, kx in enumerate((0.43, 0.475, 0.52, 0.565)):
        kn = cv.shape((W * kx - 20, H * 0.73 - 20, W * kx + 20, H * 0.73 + 20)).ellipse(
            (W * kx - 15, H * 0.73 - 15, W * kx + 15, H * 0.73 + 15)
        )
        cv.paint(kn, cv.rad([(0, (230, 230, 230)), (1, (70, 70, 74))], (0.4, 0.35), 0.55))
        led = cv.shape((W * kx - 8, H * 0.77 - 8, W * kx + 8, H * 0.77 + 8)).ellipse(
            (W * kx - 5, H * 0.77 - 5, W * kx + 5, H * 0.77 + 5)
        )
        cv.paint(led, (120, 230, 120) if i != 2 else ACCENT)
        cv.glow(W * kx, H * 0.77, 18, (120, 230, 120) if i != 2 else ACCENT, 0.5)
    plaque = cv.shape(cab).rect((W * 0.25, H * 0.62, W * 0.37, H * 0.66), radius=6)
    cv.paint(plaque, cv.lin([(0, (240, 206, 120)), (1, (160, 116, 40))], 90))
    pt = cv.shape(cab).text((W * 0.31, H * 0.64), "CANUTS · 15 kg", H * 0.018)
    cv.paint(pt, (70, 40, 20))
    # drum body (a horizontal cylinder) and its front plate
    dcx, dcy, dr = W * 0.33, H * 0.38, W * 0.115
    body = cv.shape((dcx, dcy - dr, W * 0.61, dcy + dr)).rect(
        (dcx, dcy - dr * 0.92, W * 0.60, dcy + dr * 0.92), radius=20
    )
    cv.paint(
        body,
        cv.lin(
            [
                (0, shade(PRIMARY, 0.1)),
                (0.25, shade(PRIMARY, 0.35)),
                (0.6, PRIMARY),
                (1, shade(PRIMARY, -0.55)),
            ],
            90,
        ),
    )
    for fx in (0.45, 0.55):
        band = cv.shape((W * fx - 12, dcy - dr, W * fx + 12, dcy + dr)).rect(
            (W * fx - 8, dcy - dr * 0.92, W * fx + 8, dcy + dr * 0.92)
        )
        cv.paint(band, cv.lin(steel, 90))
    # hopper
    hop = cv.shape((W * 0.42, H * 0.06, W * 0.58, dcy - dr * 0.8)).poly(
        [(W * 0.43, H * 0.08), (W * 0.57, H * 0.08), (W * 0.525, H * 0.20), (W * 0.475, H * 0.20)]
    )
    hop.rect((W * 0.485, H * 0.195, W * 0.515, dcy - dr * 0.85))
    cv.paint(hop, cv.lin(steel, 0))
    hop_rim = cv.shape((W * 0.42, H * 0.06, W * 0.58, H * 0.1)).ellipse(
        (W * 0.43, H * 0.065, W * 0.57, H * 0.095)
    )
    cv.paint(hop_rim, (40, 40, 44))
    plate_ = cv.shape((dcx - dr * 1.1, dcy - dr * 1.1, dcx + dr * 1.1, dcy + dr * 1.1))
    plate_.ellipse((dcx - dr, dcy - dr, dcx + dr, dcy + dr))
    cv.paint(plate_, cv.lin(steel, 45))
    inner = cv.shape((dcx - dr, dcy - dr, dcx + dr, dcy + dr)).ellipse(
        (dcx - dr * 0.86, dcy - dr * 0.86, dcx + dr * 0.86, dcy + dr * 0.86)
    )
    cv.paint(inner, cv.rad([(0, (44, 44, 48)), (1, (20, 20, 22))], (0.5, 0.5), 0.5))
    win = (dcx - dr * 0.55, dcy - dr * 0.55, dcx + dr * 0.55, dcy + dr * 0.55)
    glass = cv.shape(win, pad=4).ellipse(win)
    cv.paint(
        glass,
        cv.rad([(0, (255, 170, 80)), (0.6, (150, 70, 30)), (1, (40, 20, 10))], (0.5, 0.6), 0.55),
    )
    for _ in range(34):  # tumbling beans behind the glass
        a = rng.uniform(0.1, math.pi - 0.1)
        rr = rng.uniform(0.15, 0.5)
        cv.sprite(
            bean_sprite(
                rng.uniform(20, 28), rng.uniform(0, 360), shade(BEAN, rng.uniform(-0.2, 0.1)), cv.ss
            ),
            dcx + math.cos(a) * dr * rr * 0.9 + rng.uniform(-20, 20),
            dcy + math.sin(a) * dr * rr * 0.9,
        )
    gl = cv.shape(win, pad=6).arc(
        (win[0] + 12, win[1] + 12, win[2] - 12, win[3] - 12), 200, 250, width=dr * 0.05
    )
    cv.paint(gl, WHITE, blur=4, opacity=0.6)
    wr = cv.shape(win, pad=10).ring((win[0] - 6, win[1] - 6, win[2] + 6, win[3] + 6), width=12)
    cv.paint(wr, (200, 170, 90))
    for i in range(8):  # bolts
        a = math.tau * i / 8
        bx, by = dcx + math.cos(a) * dr * 0.93, dcy + math.sin(a) * dr * 0.93
        bolt = cv.shape((bx - 10, by - 10, bx + 10, by + 10)).ellipse(
            (bx - 7, by - 7, bx + 7, by + 7)
        )
        cv.paint(bolt, cv.rad([(0, (235, 235, 235)), (1, (90, 90, 94))], (0.4, 0.35), 0.55))
    hx = dcx - dr * 0.2
    handle = cv.shape((hx - dr, dcy - 20, hx + 20, dcy + 20)).line(
        [(dcx - dr * 0.6, dcy), (dcx - dr * 1.25, dcy)], width=18
    )
    cv.paint(handle, (30, 30, 32))
    knob = cv.shape((dcx - dr * 1.4, dcy - 30, dcx - dr * 1.1, dcy + 30)).ellipse(
        (dcx - dr * 1.32, dcy - 24, dcx - dr * 1.16, dcy + 24)
    )
    cv.paint(knob, cv.rad([(0, (120, 80, 50)), (1, (50, 30, 20))], (0.4, 0.4), 0.55))
    # chute from the drum door into the cooling tray
    chute = cv.shape((dcx, dcy, W * 0.72, H * 0.62)).poly(
        [
            (dcx + dr * 0.3, dcy + dr * 0.75),
            (dcx + dr * 0.7, dcy + dr * 0.55),
            (W * 0.66, H * 0.60),
            (W * 0.60, H * 0.63),
        ]
    )
    cv.paint(chute, cv.lin(steel, 60))
    # cooling tray
    tcx, tcy, trx, try_ = W * 0.76, H * 0.64, W * 0.19, W * 0.055
    wall_h = H * 0.06
    stand = cv.shape((tcx - trx, tcy, tcx + trx, H * 0.9)).rect(
        (tcx - trx * 0.5, tcy + wall_h, tcx + trx * 0.5, H * 0.86), radius=10
    )
    cv.paint(stand, cv.lin([(0, (36, 36, 38)), (0.4, (80, 80, 84)), (1, (26, 26, 28))], 0))
    cv.shadow((tcx - trx * 0.8, H * 0.84, tcx + trx * 0.95, H * 0.9), blur=25, opacity=0.6)
    side = cv.shape((tcx - trx, tcy - try_, tcx + trx, tcy + wall_h + try_)).rect(
        (tcx - trx, tcy, tcx + trx, tcy + wall_h)
    )
    side.ellipse((tcx - trx, tcy + wall_h - try_, tcx + trx, tcy + wall_h + try_))
    cv.paint(side, cv.lin(steel, 0))
    rim = cv.shape((tcx - trx, tcy - try_, tcx + trx, tcy + try_), pad=4).ellipse(
        (tcx - trx, tcy - try_, tcx + trx, tcy + try_)
    )
    cv.paint(rim, (196, 198, 202))
    bed = cv.shape((tcx - trx, tcy - try_, tcx + trx, tcy + try_), pad=4).ellipse(
        (tcx - trx * 0.95, tcy - try_ * 0.9, tcx + trx * 0.95, tcy + try_ * 0.9)
    )
    cv.paint(bed, cv.rad([(0, (110, 62, 32)), (1, (60, 32, 16))], (0.5, 0.5), 0.5))
    beans = []
    for _ in range(260):
        a = rng.uniform(0, math.tau)
        rr = math.sqrt(rng.random()) * 0.88
        beans.append((tcy + math.sin(a) * try_ * rr * 0.9, tcx + math.cos(a) * trx * rr * 0.92))
    for by, bx in sorted(beans):
        spr = bean_sprite(
            rng.uniform(17, 22),
            rng.uniform(0, 360),
            shade((104, 58, 30), rng.uniform(-0.2, 0.15)),
            cv.ss,
        )
        spr = spr.resize((spr.width, max(1, round(spr.height * 0.6))), Image.BICUBIC)
        cv.sprite(spr, bx, by)
    arm = cv.shape((tcx - trx, tcy - try_, tcx + trx, tcy + try_), pad=10).line(
        [(tcx - trx * 0.7, tcy + try_ * 0.25), (tcx + trx * 0.72, tcy - try_ * 0.3)], width=12
    )
    cv.paint(arm, cv.lin(steel, 90))
    hub = cv.shape((tcx - 30, tcy - 30, tcx + 30, tcy + 30)).ellipse(
        (tcx - 22, tcy - 14, tcx + 22, tcy + 14)
    )
    cv.paint(hub, (70, 70, 74))
    steam(cv, rng, tcx, tcy, H * 0.35, W * 0.12, n=4, opacity=0.22)
    sack(cv, W * 0.085, H * 0.93, W * 0.15, H * 0.30, ["ETHIOPIA", "GUJI · G1"], rng=rng)
    sack(cv, W * 0.235, H * 0.97, W * 0.14, H * 0.25, ["BRÉSIL", "CERRADO"], rng=rng)
    cv.vignette(0.5)
    return cv.final()


# --- latte art, seen from above ---------------------------------------------------------------


def scene_latte_heart() -> Image.Image:
    """A latte-art heart in a brand cup, seen from above on a walnut table."""
    rng = random.Random(606)
    W = H = 1800
    cv = Canvas(W, H)
    planks_top(cv, rng, (96, 62, 40), n=4, vertical=True)
    cx, cy = W * 0.48, H * 0.50
    # saucer
    cv.shadow(
        (cx - W * 0.36 + 30, cy - W * 0.36 + 40, cx + W * 0.36 + 30, cy + W * 0.36 + 40),
        blur=40,
        opacity=0.6,
    )
    sc = cv.shape((cx - W * 0.37, cy - W * 0.37, cx + W * 0.37, cy + W * 0.37)).ellipse(
        (cx - W * 0.36, cy - W * 0.36, cx + W * 0.36, cy + W * 0.36)
    )
    cv.paint(
        sc,
        cv.rad(
            [
                (0, shade(CREAM, -0.1)),
                (0.75, CREAM),
                (0.9, shade(CREAM, 0.3)),
                (1, shade(CREAM, -0.2)),
            ],
            (0.5, 0.5),
            0.5,
        ),
    )
    well = cv.shape((cx - W * 0.3, cy - W * 0.3, cx + W * 0.3, cy + W * 0.3)).ring(
        (cx - W * 0.27, cy - W * 0.27, cx + W * 0.27, cy + W * 0.27), width=8
    )
    cv.paint(well, shade(CREAM, -0.2), blur=4, opacity=0.6)
    # spoon on the saucer
    spoon = cv.shape((cx - W * 0.36, cy, cx, cy + W * 0.36), pad=10)
    spoon.poly(ellipse_pts(cx - W * 0.2, cy + W * 0.245, W * 0.03, W * 0.045, -50))
    tapered = [
        (cx - W * 0.2 + (W * 0.13) * t, cy + W * 0.245 + (W * 0.1) * t)
        for t in (i / 20 for i in range(21))
    ]
    spoon.line(tapered, width=W * 0.014)
    cv.shadow((cx - W * 0.23, cy + W * 0.25, cx - W * 0.05, cy + W * 0.35), blur=8, opacity=0.3)
    cv.paint(
        spoon,
        cv.lin(
            [
                (0, (230, 232, 236)),
                (0.4, (150, 154, 160)),
                (0.7, (240, 240, 242)),
                (1, (120, 124, 130)),
            ],
            30,
        ),
    )
    # biscuit
    bk = cv.shape((cx + W * 0.12, cy + W * 0.16, cx + W * 0.34, cy + W * 0.34), pad=10).poly(
        rect_pts(cx + W * 0.22, cy + W * 0.25, W * 0.12, W * 0.075, -35)
    )
    cv.shadow((cx + W * 0.17, cy + W * 0.22, cx + W * 0.29, cy + W * 0.31), blur=8, opacity=0.35)
    cv.paint(bk, cv.lin([(0, (214, 140, 70)), (1, (160, 90, 40))], 45))
    bk2 = cv.shape((cx + W * 0.12, cy + W * 0.16, cx + W * 0.34, cy + W * 0.34), pad=10).poly(
        rect_pts(cx + W * 0.22, cy + W * 0.25, W * 0.10, W * 0.055, -35)
    )
    bk2.cut(
        cv.shape((cx + W * 0.12, cy + W * 0.16, cx + W * 0.34, cy + W * 0.34), pad=10).poly(
            rect_pts(cx + W * 0.22, cy + W * 0.25, W * 0.09, W * 0.045, -35)
        )
    )
    cv.paint(bk2, (130, 70, 30), opacity=0.5)
    # handle then cup
    hd = cv.shape((cx + W * 0.2, cy - W * 0.06, cx + W * 0.42, cy + W * 0.06), pad=10)
    hd.rect((cx + W * 0.22, cy - W * 0.034, cx + W * 0.395, cy + W * 0.034), radius=W * 0.034)
    cv.shadow((cx + W * 0.25, cy - W * 0.02, cx + W * 0.44, cy + W * 0.07), blur=14, opacity=0.45)
    cv.paint(hd, cv.lin([(0, shade(CREAM, 0.3)), (0.6, CREAM), (1, shade(CREAM, -0.3))], 90))
    cv.shadow(
        (cx - W * 0.27 + 12, cy - W * 0.27 + 18, cx + W * 0.27 + 12, cy + W * 0.27 + 18),
        blur=18,
        opacity=0.45,
    )
    cup = cv.shape((cx - W * 0.28, cy - W * 0.28, cx + W * 0.28, cy + W * 0.28)).ellipse(
        (cx - W * 0.27, cy - W * 0.27, cx + W * 0.27, cy + W * 0.27)
    )
    cv.paint(cup, cv.lin([(0, shade(CREAM, 0.35)), (0.5, CREAM), (1, shade(CREAM, -0.22))], 45))
    band = cv.shape((cx - W * 0.28, cy - W * 0.28, cx + W * 0.28, cy + W * 0.28)).ring(
        (cx - W * 0.262, cy - W * 0.262, cx + W * 0.262, cy + W * 0.262), width=W * 0.008
    )
    cv.paint(band, PRIMARY, opacity=0.9)
    r = W * 0.235
    coffee = cv.shape((cx - r, cy - r, cx + r, cy + r), pad=4).ellipse(
        (cx - r, cy - r, cx + r, cy + r)
    )
    cv.paint(
        coffee,
        cv.rad(
            [(0, (176, 112, 58)), (0.6, (150, 88, 42)), (0.92, (108, 58, 26)), (1, (70, 36, 16))],
            (0.5, 0.5),
            0.5,
        ),
    )
    # the heart: white foam, two crema rings inside, the pull-through line
    hx, hy, hs = cx, cy + W * 0.01, W * 0.30
    heart = cv.shape((cx - r, cy - r, cx + r, cy + r), pad=4).poly(heart_points(hx, hy, hs))
    cv.paint(heart, FOAM, blur=2.5)
    for k, (scale_, dy) in enumerate(((0.74, 0.06), (0.50, 0.11))):
        ring_ = cv.shape((cx - r, cy - r, cx + r, cy + r), pad=4).poly(
            heart_points(hx, hy + hs * dy, hs * scale_)
        )
        ring_.cut(
            cv.shape((cx - r, cy - r, cx + r, cy + r), pad=4).poly(
                heart_points(hx, hy + hs * dy + hs * 0.02, hs * scale_ * 0.86)
            )
        )
        cv.paint(ring_, (196, 140, 86), blur=2.5, opacity=0.75 - k * 0.1)
    pull = [(hx, hy - hs * 0.33), (hx + 2, hy + hs * 0.05), (hx, hy + hs * 0.40)]
    tapered_stroke(cv, pull, W * 0.012, W * 0.003, (190, 132, 78), pad=10)
    rim_hl = cv.shape((cx - W * 0.28, cy - W * 0.28, cx + W * 0.28, cy + W * 0.28), pad=4).arc(
        (cx - W * 0.255, cy - W * 0.255, cx + W * 0.255, cy + W * 0.255), 200, 250, width=W * 0.006
    )
    cv.paint(rim_hl, WHITE, blur=3, opacity=0.8)
    scatter_beans(cv, rng, 7, (W * 0.04, H * 0.06, W * 0.22, H * 0.2), 48, 60)
    scatter_beans(cv, rng, 5, (W * 0.80, H * 0.80, W * 0.95, H * 0.95), 48, 58)
    cv.vignette(0.4)
    return cv.final()


# --- the market stall -------------------------------------------------------------------------


def facades(cv: Canvas, rng: random.Random, ground: float) -> None:
    """A row of Croix-Rousse facades: tall, ochre and pink, with rows of shuttered windows."""
    W = cv.w
    colors = [
        (214, 168, 100),
        (224, 152, 118),
        (232, 200, 128),
        (206, 140, 128),
        (226, 208, 178),
        (200, 170, 120),
    ]
    x = -40.0
    while x < W:
        bw = rng.uniform(300, 460)
        top = rng.uniform(0, ground * 0.2)
        c = colors[rng.randrange(len(colors))]
        f = cv.shape((x, top, x + bw, ground)).rect((x, top, x + bw, ground))
        cv.paint(f, cv.lin([(0, shade(c, 0.08)), (1, shade(c, -0.15))], 90))
        cols = max(2, int(bw // 110))
        for r in range(6):
            wy = top + 60 + r * 120
            if wy > ground - 100:
                break
            for k in range(cols):
                wx = x + (bw / cols) * (k + 0.5)
                win = cv.shape((wx - 40, wy - 10, wx + 40, wy + 90)).rect(
                    (wx - 22, wy, wx + 22, wy + 80)
                )
                cv.paint(win, (60, 62, 70) if rng.random() < 0.7 else (250, 214, 150))
                for sx in (-1, 1):
                    sh_ = cv.shape((wx - 45, wy - 5, wx + 45, wy + 85)).rect(
                        (wx + sx * 24 - 8, wy, wx + sx * 24 + 8, wy + 80)
                        if sx > 0
                        else (wx - 32, wy, wx - 24, wy + 80)
                    )
                    cv.paint(sh_, (90, 110, 104) if c[0] > 220 else (120, 100, 80), opacity=0.9)
                sill = cv.shape((wx - 30, wy + 78, wx + 30, wy + 90)).rect(
                    (wx - 28, wy + 80, wx + 28, wy + 86)
                )
                cv.paint(sill, shade(c, 0.3))
        cornice = cv.shape((x, top - 6, x + bw, top + 16)).rect((x, top, x + bw, top + 12))
        cv.paint(cornice, shade(c, -0.3))
        x += bw


def string_lights(
    cv: Canvas,
    x0: float,
    x1: float,
    y: float,
    sag: float,
    n: int,
    color: Sequence[int] = (255, 214, 140),
    r: float = 9,
) -> None:
    pts = [(x0 + (x1 - x0) * i / 60, y + sag * math.sin(math.pi * i / 60)) for i in range(61)]
    wire = cv.shape((x0, y - 10, x1, y + sag + 20), pad=10).line(pts, width=2.5)
    cv.paint(wire, (30, 24, 20), opacity=0.8)
    for i in range(n):
        t = (i + 0.5) / n
        bx, by = x0 + (x1 - x0) * t, y + sag * math.sin(math.pi * t) + r * 1.3
        cv.glow(bx, by, r * 5, color, 0.35)
        b = cv.shape((bx - r, by - r, bx + r, by + r), pad=4).ellipse(
            (bx - r * 0.7, by - r, bx + r * 0.7, by + r)
        )
        cv.paint(b, shade(color, 0.5))


def chalkboard(
    cv: Canvas, x: float, bottom: float, w: float, h: float, lines: Sequence[tuple[str, float]]
) -> None:
    top = bottom - h
    legs = cv.shape((x - w * 0.6, top, x + w * 0.6, bottom), pad=6)
    legs.line([(x - w * 0.35, top + h * 0.1), (x - w * 0.5, bottom)], width=w * 0.05)
    legs.line([(x + w * 0.35, top + h * 0.1), (x + w * 0.5, bottom)], width=w * 0.05)
    cv.paint(legs, (110, 74, 44))
    cv.shadow((x - w * 0.55, bottom - 12, x + w * 0.6, bottom + 14), blur=10, opacity=0.5)
    fr = cv.shape((x - w / 2, top, x + w / 2, top + h * 0.7), pad=6).rect(
        (x - w / 2, top, x + w / 2, top + h * 0.72), radius=8
    )
    cv.paint(fr, cv.lin([(0, (160, 110, 66)), (1, (110, 72, 40))], 0))
    bd = cv.shape((x - w / 2, top, x + w / 2, top + h * 0.7), pad=6).rect(
        (x - w / 2 + w * 0.05, top + w * 0.05, x + w / 2 - w * 0.05, top + h * 0.72 - w * 0.05),
        radius=4,
    )
    cv.paint(bd, cv.rad([(0, (58, 64, 60)), (1, (30, 34, 32))], (0.45, 0.4), 0.7))
    tx = cv.shape((x - w / 2, top, x + w / 2, top + h * 0.7), pad=6)
    y = top + w * 0.16
    for text, size in lines:
        tx.text((x, y), text, size)
        y += size * 1.45
    cv.paint(tx, (240, 236, 226), opacity=0.88)


def scene_market() -> Image.Image:
    """Our stall at the Croix-Rousse market on a winter Saturday morning."""
    rng = random.Random(707)
    W, H = 2000, 1333
    cv = Canvas(W, H)
    cv.background(cv.lin([(0, (188, 204, 220)), (1, (236, 226, 210))], 90))
    facades(cv, rng, H * 0.75)
    ground = cv.shape((0, H * 0.74, W, H)).rect((0, H * 0.74, W, H))
    cv.paint(ground, cv.lin([(0, (150, 146, 140)), (1, (110, 104, 98))], 90))
    for i in range(4):  # passers-by, far away and blurred
        px = W * (0.05 + i * 0.3) + rng.uniform(-40, 40)
        per = cv.shape((px - 60, H * 0.45, px + 60, H * 0.8)).ellipse(
            (px - 24, H * 0.48, px + 24, H * 0.53)
        )
        per.rect((px - 45, H * 0.53, px + 45, H * 0.78), radius=30)
        cv.paint(per, [(70, 80, 100), (120, 60, 50), (60, 70, 60), (140, 120, 90)][i], opacity=0.8)
    cv.blur_all(7)
    string_lights(cv, -20, W + 20, H * 0.03, H * 0.08, 14)
    # awning
    aw_top, aw_bot = H * 0.12, H * 0.27
    stripes = 12
    x0, x1 = W * 0.08, W * 0.92
    for i in range(stripes):
        a, b = x0 + (x1 - x0) * i / stripes, x0 + (x1 - x0) * (i + 1) / stripes
        st = cv.shape((a - 30, aw_top, b + 30, aw_bot)).poly(
            [
                (a + (W * 0.5 - a) * 0.06, aw_top),
                (b + (W * 0.5 - b) * 0.06, aw_top),
                (b, aw_bot),
                (a, aw_bot),
            ]
        )
        cv.paint(
            st,
            cv.lin(
                [
                    (0, shade(PRIMARY if i % 2 == 0 else CREAM, -0.15)),
                    (1, PRIMARY if i % 2 == 0 else CREAM),
                ],
                90,
            ),
        )
        sc = cv.shape((a, aw_bot - 5, b, aw_bot + (b - a) / 2 + 5)).ellipse(
            (a, aw_bot - (b - a) / 2, b, aw_bot + (b - a) / 2)
        )
        sc.cut(
            cv.shape((a, aw_bot - 5, b, aw_bot + (b - a) / 2 + 5)).rect(
                (a - 2, aw_bot - (b - a) / 2 - 2, b + 2, aw_bot)
            )
        )
        cv.paint(sc, PRIMARY if i % 2 == 0 else CREAM)
    cv.shadow((x0, aw_bot + 20, x1, aw_bot + 90), blur=30, opacity=0.3)
    for px in (W * 0.09, W * 0.91):
        post = cv.shape((px - 14, aw_bot, px + 14, H * 0.98)).rect(
            (px - 10, aw_bot, px + 10, H * 0.97)
        )
        cv.paint(post, cv.lin([(0, (50, 34, 24)), (0.5, (100, 70, 46)), (1, (40, 26, 18))], 0))
    # back shelf with bags
    shelf_y = H * 0.52
    sb = cv.shape((W * 0.12, shelf_y - 6, W * 0.88, shelf_y + 18)).rect(
        (W * 0.12, shelf_y, W * 0.88, shelf_y + 16)
    )
    cv.paint(sb, (120, 80, 50))
    names = [
        ("ÉTHIOPIE", "GUJI"),
        ("BRÉSIL", "CERRADO"),
        ("COLOMBIE", "HUILA"),
        ("PÉROU", "CAJAMARCA"),
        ("MAISON", "CANUTS"),
        ("KENYA", "NYERI"),
    ]
    for i, (a, b) in enumerate(names):
        bx = W * (0.19 + i * 0.125)
        draw_bag(
            cv,
            bx,
            shelf_y,
            W * 0.085,
            H * 0.19,
            [a, b],
            [],
            paper=shade(KRAFT, rng.uniform(-0.08, 0.05)),
            weight="250 g",
        )
    # table
    tt = cv.shape((W * 0.1, H * 0.6, W * 0.9, H * 0.66)).poly(
        [(W * 0.13, H * 0.62), (W * 0.87, H * 0.62), (W * 0.89, H * 0.655), (W * 0.11, H * 0.655)]
    )
    cv.paint(tt, cv.lin([(0, (200, 160, 110)), (1, (160, 118, 76))], 90))
    cloth = cv.shape((W * 0.1, H * 0.64, W * 0.9, H)).poly(
        [(W * 0.11, H * 0.655), (W * 0.89, H * 0.655), (W * 0.885, H * 0.95), (W * 0.115, H * 0.95)]
    )
    cv.paint(
        cloth,
        cv.lin(
            [
                (0, shade(PRIMARY, -0.3)),
                (0.2, PRIMARY),
                (0.8, shade(PRIMARY, 0.08)),
                (1, shade(PRIMARY, -0.35)),
            ],
            0,
        ),
    )
    for i in range(9):
        fx = W * (0.15 + i * 0.09)
        fold = cv.shape((fx - 20, H * 0.66, fx + 20, H * 0.95)).line(
            [(fx, H * 0.66), (fx + 6, H * 0.94)], width=10
        )
        cv.paint(fold, (0, 0, 0), blur=8, opacity=0.18)
    ban = cv.shape((W * 0.3, H * 0.7, W * 0.7, H * 0.88)).rect(
        (W * 0.33, H * 0.71, W * 0.67, H * 0.86), radius=10
    )
    cv.paint(ban, PAPER)
    mark = logo_mark(round(H * 0.12) * cv.ss // 2, 2).resize(
        (round(H * 0.12 * cv.ss), round(H * 0.12 * cv.ss)), Image.LANCZOS
    )
    cv.sprite(mark, W * 0.385, H * 0.785)
    bt = cv.shape((W * 0.3, H * 0.7, W * 0.7, H * 0.88))
    bt.text((W * 0.55, H * 0.768), "BRÛLERIE DES CANUTS", H * 0.027)
    bt.text((W * 0.55, H * 0.812), "Torréfaction artisanale · Lyon", H * 0.020)
    cv.paint(bt, PRIMARY)
    # on the table: two open sacks, a jar, a stack of cups
    sack(cv, W * 0.22, H * 0.64, W * 0.12, H * 0.17, ["GUJI"], open_top=True, rng=rng)
    sack(cv, W * 0.36, H * 0.645, W * 0.11, H * 0.15, ["HUILA"], open_top=True, rng=rng)
    for k in range(4):
        draw_cup(
            cv,
            W * 0.52 + k * W * 0.045,
            H * 0.575,
            W * 0.04,
            H * 0.05,
            band=PRIMARY,
            saucer=False,
            handle=False,
            logo=False,
        )
    jar = cv.shape((W * 0.70, H * 0.5, W * 0.78, H * 0.65)).rect(
        (W * 0.705, H * 0.52, W * 0.775, H * 0.645), radius=16
    )
    cv.paint(jar, (230, 236, 240), opacity=0.35)
    jf = cv.shape((W * 0.70, H * 0.5, W * 0.78, H * 0.65)).rect(
        (W * 0.71, H * 0.56, W * 0.77, H * 0.64), radius=12
    )
    cv.paint(jf, (90, 50, 26))
    lid = cv.shape((W * 0.70, H * 0.5, W * 0.78, H * 0.65)).rect(
        (W * 0.70, H * 0.505, W * 0.78, H * 0.525), radius=6
    )
    cv.paint(lid, (150, 110, 70))
    chalkboard(
        cv,
        W * 0.84,
        H * 0.98,
        W * 0.15,
        H * 0.42,
        [
            ("Café filtre", H * 0.028),
            ("2,50 €", H * 0.04),
            ("Grains du jour", H * 0.022),
            ("Guji · Huila", H * 0.022),
        ],
    )
    cv.vignette(0.3)
    return cv.final()


# --- the contest prize ------------------------------------------------------------------------


def gift_box(cv: Canvas, x0: float, y0: float, w: float, h: float, depth: float) -> None:
    dx, dy = depth * 0.8, -depth * 0.5
    bb = (x0 - 20, y0 + dy - w * 0.4, x0 + w + dx + 20, y0 + h + 20)
    cv.shadow((x0 - 20, y0 + h - 30, x0 + w + dx + 60, y0 + h + 30), blur=25, opacity=0.6)
    front = cv.shape(bb, pad=6).rect((x0, y0, x0 + w, y0 + h))
    cv.paint(front, cv.lin([(0, shade(PRIMARY, 0.15)), (1, shade(PRIMARY, -0.2))], 0))
    side = cv.shape(bb, pad=6).poly(
        [(x0 + w, y0), (x0 + w + dx, y0 + dy), (x0 + w + dx, y0 + h + dy), (x0 + w, y0 + h)]
    )
    cv.paint(side, shade(PRIMARY, -0.45))
    top = cv.shape(bb, pad=6).poly(
        [(x0, y0), (x0 + dx, y0 + dy), (x0 + w + dx, y0 + dy), (x0 + w, y0)]
    )
    cv.paint(top, shade(PRIMARY, 0.2))
    gold = [(0, shade(ACCENT, -0.25)), (0.4, shade(ACCENT, 0.3)), (1, shade(ACCENT, -0.2))]
    rb = w * 0.12
    r1 = cv.shape(bb, pad=6).rect((x0 + w / 2 - rb / 2, y0, x0 + w / 2 + rb / 2, y0 + h))
    cv.paint(r1, cv.lin(gold, 0))
    r2 = cv.shape(bb, pad=6).poly(
        [
            (x0 + w, y0 + h * 0.45),
            (x0 + w + dx, y0 + h * 0.45 + dy),
            (x0 + w + dx, y0 + h * 0.45 + dy + rb * 0.9),
            (x0 + w, y0 + h * 0.45 + rb * 0.9),
        ]
    )
    cv.paint(r2, shade(ACCENT, -0.35))
    r3 = cv.shape(bb, pad=6).poly(
        [
            (x0 + w / 2 - rb / 2, y0),
            (x0 + w / 2 - rb / 2 + dx, y0 + dy),
            (x0 + w / 2 + rb / 2 + dx, y0 + dy),
            (x0 + w / 2 + rb / 2, y0),
        ]
    )
    cv.paint(r3, shade(ACCENT, 0.1))
    r4 = cv.shape(bb, pad=6).poly(
        [
            (x0 + dx * 0.45, y0 + dy * 0.45 - rb * 0.3),
            (x0 + w + dx * 0.45, y0 + dy * 0.45 - rb * 0.3),
            (x0 + w + dx * 0.55, y0 + dy * 0.55 + rb * 0.3),
            (x0 + dx * 0.55, y0 + dy * 0.55 + rb * 0.3),
        ]
    )
    cv.paint(r4, shade(ACCENT, 0.05))
    bx, by = x0 + w / 2 + dx / 2, y0 + dy / 2
    for ang in (-35, 215):
        a = math.radians(ang)
        lx, ly = bx + math.cos(a) * w * 0.16, by - w * 0.07 + math.sin(a) * w * 0.05
        loop = cv.shape(bb, pad=6).poly(
            ellipse_pts(lx, ly, w * 0.17, w * 0.08, ang + 180 if ang > 90 else ang)
        )
        loop.cut(
            cv.shape(bb, pad=6).poly(
                ellipse_pts(lx, ly, w * 0.10, w * 0.035, ang + 180 if ang > 90 else ang)
            )
        )
        cv.paint(loop, cv.lin(gold, 60))
    knot = cv.shape(bb, pad=6).ellipse((bx - w * 0.05, by - w * 0.1, bx + w * 0.05, by - w * 0.02))
    cv.paint(knot, shade(ACCENT, -0.1))
    for ang in (100, 70):
        a = math.radians(ang)
        tail = cv.shape(bb, pad=6).poly(
            [
                (bx - 8, by - w * 0.05),
                (bx + 8, by - w * 0.05),
                (bx + math.cos(a) * w * 0.25 + 14, by + math.sin(a) * w * 0.16),
                (bx + math.cos(a) * w * 0.25 - 14, by + math.sin(a) * w * 0.16),
            ]
        )
        cv.paint(tail, shade(ACCENT, -0.15))


def tag(cv: Canvas, x: float, y: float, w: float, lines: Sequence[str], angle: float) -> None:
    h = w * 0.55
    S = round(w * 1.5 * cv.ss)
    spr = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    c = S / 2
    W_, H_ = w * cv.ss, h * cv.ss
    m = Image.new("L", (S, S), 0)
    d = ImageDraw.Draw(m)
    d.polygon(
        [
            (c - W_ / 2 + H_ * 0.3, c - H_ / 2),
            (c + W_ / 2, c - H_ / 2),
            (c + W_ / 2, c + H_ / 2),
            (c - W_ / 2 + H_ * 0.3, c + H_ / 2),
            (c - W_ / 2, c),
        ],
        fill=255,
    )
    hole = Image.new("L", (S, S), 0)
    ImageDraw.Draw(hole).ellipse(
        (c - W_ / 2 + H_ * 0.18, c - H_ * 0.08, c - W_ / 2 + H_ * 0.34, c + H_ * 0.08), fill=255
    )
    m = ImageChops.subtract(m, hole)
    _over(spr, (0, 0, 0), ImageChops.offset(m, 6, 10).filter(ImageFilter.GaussianBlur(8)), 0.4)
    _over(spr, colorize(linear((S, S), 90), [(0, (236, 204, 160)), (1, (206, 168, 120))]), m)
    t = Image.new("L", (S, S), 0)
    dt = ImageDraw.Draw(t)
    y0 = c - (len(lines) - 1) * H_ * 0.17
    for i, line in enumerate(lines):
        dt.text(
            (c + H_ * 0.12, y0 + i * H_ * 0.34),
            line,
            font=font(H_ * (0.22 if i == 0 else 0.17)),
            fill=255,
            anchor="mm",
        )
    _over(spr, PRIMARY, t)
    spr = spr.rotate(angle, resample=Image.BICUBIC)
    cv.sprite(spr, x, y)


def scene_prize() -> Image.Image:
    """The contest prize: a gift box, a year of coffee (bags) and a brand mug, with confetti."""
    rng = random.Random(808)
    W, H = 2000, 1333
    cv = Canvas(W, H)
    cv.background(cv.rad([(0, (92, 44, 28)), (0.6, (48, 26, 18)), (1, ESPRESSO)], (0.5, 0.35), 0.8))
    cv.bokeh(
        rng,
        50,
        (0, 0, W, H * 0.6),
        14,
        60,
        [ACCENT, (255, 220, 150), (255, 190, 90)],
        0.15,
        0.55,
        blur=3,
    )
    cv.blur_all(4)
    wood_table(cv, rng, H * 0.70, H, light=(104, 66, 42), dark=(52, 32, 20), planks=3, lines=50)
    gift_box(cv, W * 0.10, H * 0.42, W * 0.26, H * 0.38, W * 0.08)
    draw_bag(cv, W * 0.52, H * 0.86, W * 0.16, H * 0.50, ["ÉTHIOPIE", "GUJI"], ["Pêche · jasmin"])
    draw_bag(
        cv,
        W * 0.68,
        H * 0.89,
        W * 0.16,
        H * 0.50,
        ["BRÉSIL", "CERRADO"],
        ["Noisette · cacao"],
        paper=(176, 132, 90),
    )
    draw_cup(cv, W * 0.86, H * 0.62, W * 0.12, H * 0.22, saucer=False)
    tag(cv, W * 0.29, H * 0.66, W * 0.19, ["1 an de café", "à gagner !"], 8)
    confetti(
        cv, rng, 70, (0, 0, W, H * 0.45), [ACCENT, CREAM, (230, 120, 80), (255, 214, 120)], size=16
    )
    confetti(cv, rng, 30, (0, H * 0.86, W, H), [ACCENT, CREAM, (230, 120, 80)], size=14)
    cv.vignette(0.45)
    return cv.final()


# --- flat graphics (PNG) ----------------------------------------------------------------------


def poster_latte_art() -> Image.Image:
    """The workshop poster: flat brand colours, a cup seen from above and the practical details."""
    W, H = 1600, 2000
    cv = Canvas(W, H)
    frame = cv.shape().rect((40, 40, W - 40, H - 40))
    frame.cut(cv.shape().rect((48, 48, W - 48, H - 48)))
    cv.paint(frame, ACCENT)
    rng = random.Random(909)
    beans, creases = cv.shape(), cv.shape()
    for _ in range(26):
        while True:
            x, y = rng.uniform(90, W - 90), rng.uniform(90, H * 0.56)
            if math.hypot(x - W / 2, y - H * 0.30) > W * 0.36:
                break
        flat_bean(beans, creases, x, y, rng.uniform(34, 56), rng.uniform(0, 180))
    cv.paint(beans, shade(PRIMARY, 0.08))
    cv.paint(creases, ESPRESSO)
    cx, cy = W / 2, H * 0.30
    for r, c in (
        (W * 0.33, (52, 34, 26)),
        (W * 0.30, CREAM),
        (W * 0.225, CREAM),
        (W * 0.205, (150, 88, 42)),
    ):
        sh = cv.shape().ellipse((cx - r, cy - r, cx + r, cy + r))
        cv.paint(sh, c)
    ring_ = cv.shape().ring(
        (cx - W * 0.218, cy - W * 0.218, cx + W * 0.218, cy + W * 0.218), width=6
    )
    cv.paint(ring_, PRIMARY)
    hnd = cv.shape().rect(
        (cx + W * 0.22, cy - W * 0.032, cx + W * 0.36, cy + W * 0.032), radius=W * 0.032
    )
    cv.paint(hnd, CREAM)
    hs = W * 0.26
    cv.paint(cv.shape().poly(heart_points(cx, cy + 8, hs)), FOAM)
    for scale_, dy in ((0.74, 0.06), (0.50, 0.11)):
        rg = cv.shape().poly(heart_points(cx, cy + 8 + hs * dy, hs * scale_))
        rg.cut(cv.shape().poly(heart_points(cx, cy + 8 + hs * dy + hs * 0.02, hs * scale_ * 0.86)))
        cv.paint(rg, (196, 140, 86))
    tapered_stroke(cv, [(cx, cy + 8 - hs * 0.33), (cx, cy + 8 + hs * 0.40)], 14, 3, (190, 132, 78))
    t = cv.shape()
    spaced_text(t, W / 2, H * 0.585, "ATELIER", 58, 22)
    cv.paint(t, ACCENT)
    t = cv.shape().text((W / 2, H * 0.655), "Latte art", 150)
    cv.paint(t, CREAM)
    t = cv.shape().text((W / 2, H * 0.735), "Samedi 23 janvier 2027 · 10 h – 12 h", 54)
    cv.paint(t, ACCENT)
    t = cv.shape()
    t.text((W / 2, H * 0.785), "6 places · 35 € · lait et cafés fournis", 44)
    t.text((W / 2, H * 0.825), "Brûlerie des Canuts · Croix-Rousse, Lyon 4e", 44)
    cv.paint(t, CREAM)
    btn = cv.shape().rect((W * 0.17, H * 0.87, W * 0.83, H * 0.925), radius=48)
    cv.paint(btn, ACCENT)
    t = cv.shape().text((W / 2, H * 0.8975), "Réservez sur brulerie-canuts.fr", 44)
    cv.paint(t, ESPRESSO)
    return cv.final()


def fir_tree(
    cv: Canvas,
    x: float,
    bottom: float,
    h: float,
    green: Sequence[int],
    rng: random.Random,
    lights: bool = True,
) -> None:
    trunk = cv.shape((x - h * 0.05, bottom - h * 0.12, x + h * 0.05, bottom)).rect(
        (x - h * 0.035, bottom - h * 0.12, x + h * 0.035, bottom)
    )
    cv.paint(trunk, (100, 66, 40))
    for k in range(4):
        ty = bottom - h * 0.1 - k * h * 0.2
        wdt = h * (0.42 - k * 0.085)
        tri = cv.shape((x - wdt, ty - h * 0.35, x + wdt, ty)).poly(
            [(x - wdt, ty), (x + wdt, ty), (x, ty - h * 0.38)]
        )
        cv.paint(tri, shade(green, -0.08 * k))
    st = cv.shape((x - h * 0.08, bottom - h * 1.1, x + h * 0.08, bottom - h * 0.85))
    pts = [
        (
            x + (h * 0.065 if i % 2 == 0 else h * 0.027) * math.cos(-math.pi / 2 + i * math.pi / 5),
            bottom
            - h * 0.96
            + (h * 0.065 if i % 2 == 0 else h * 0.027) * math.sin(-math.pi / 2 + i * math.pi / 5),
        )
        for i in range(10)
    ]
    st.poly(pts)
    cv.paint(st, ACCENT)
    if lights:
        for _ in range(int(h / 14)):
            k = rng.random()
            yy = bottom - h * 0.14 - k * h * 0.72
            half = h * 0.38 * (1 - k) * 0.9
            xx = x + rng.uniform(-half, half)
            b = cv.shape((xx - 12, yy - 12, xx + 12, yy + 12)).ellipse(
                (xx - h * 0.014, yy - h * 0.014, xx + h * 0.014, yy + h * 0.014)
            )
            cv.paint(b, [ACCENT, CREAM, (214, 90, 60)][rng.randrange(3)])


def holiday_hours() -> Image.Image:
    """Holiday opening hours card, flat, with a small fir tree."""
    W, H = 2000, 1250
    rng = random.Random(1010)
    cv = Canvas(W, H, bg=CREAM)
    band = cv.shape().rect((0, 0, W, 36))
    cv.paint(band, PRIMARY)
    band = cv.shape().rect((0, H - 36, W, H))
    cv.paint(band, PRIMARY)
    for _ in range(40):  # scattered little stars
        x, y = rng.uniform(1300, W - 40), rng.uniform(80, H - 100)
        r = rng.uniform(6, 14)
        st = cv.shape((x - r, y - r, x + r, y + r), pad=2)
        st.poly(
            [
                (
                    x + (r if i % 2 == 0 else r * 0.4) * math.cos(-math.pi / 2 + i * math.pi / 5),
                    y + (r if i % 2 == 0 else r * 0.4) * math.sin(-math.pi / 2 + i * math.pi / 5),
                )
                for i in range(10)
            ]
        )
        cv.paint(st, ACCENT, opacity=0.6)
    fir_tree(cv, W * 0.80, H * 0.93, H * 0.72, (96, 128, 92), rng)
    mark = logo_mark(160, 2).resize((320, 320), Image.LANCZOS)
    cv.sprite(mark, W - 150, 150)
    t = cv.shape().text((110, 150), "Horaires des fêtes", 92, anchor="lm")
    cv.paint(t, PRIMARY)
    t = cv.shape().text((112, 240), "Noël et Nouvel An à la Brûlerie", 46, anchor="lm")
    cv.paint(t, shade(PRIMARY, 0.25))
    rows = [
        ("Jeudi 24 décembre", "8 h – 16 h"),
        ("Vendredi 25 décembre", "Fermé"),
        ("Samedi 26 décembre", "10 h – 18 h"),
        ("Lundi 28 décembre", "9 h – 18 h *"),
        ("Jeudi 31 décembre", "8 h – 16 h"),
        ("Vendredi 1er janvier", "Fermé"),
        ("Samedi 2 janvier", "10 h – 18 h"),
    ]
    y = 350
    for i, (day, hours) in enumerate(rows):
        if i % 2 == 0:
            z = cv.shape().rect((90, y - 50, 1260, y + 50), radius=18)
            cv.paint(z, shade(CREAM, -0.06))
        t = cv.shape().text((120, y), day, 50, anchor="lm")
        cv.paint(t, ESPRESSO)
        t = cv.shape().text((1230, y), hours, 50, anchor="rm")
        cv.paint(t, PRIMARY if hours != "Fermé" else (170, 60, 40))
        y += 112
    t = cv.shape().text(
        (120, H - 90),
        "* ouverture exceptionnelle · les autres jours, horaires habituels",
        34,
        anchor="lm",
    )
    cv.paint(t, shade(ESPRESSO, 0.35))
    return cv.final()


# --- the shop front in winter -----------------------------------------------------------------


def scene_storefront() -> Image.Image:
    """The shop front at dusk in December: warm window, garland, snow falling."""
    rng = random.Random(1111)
    W, H = 2000, 1333
    cv = Canvas(W, H)
    cv.background(cv.lin([(0, (22, 30, 60)), (0.5, (52, 52, 92)), (1, (90, 72, 100))], 90))
    facade = cv.shape().rect((0, 0, W, H * 0.86))
    cv.paint(facade, cv.lin([(0, (98, 80, 72)), (1, (130, 104, 84))], 90))
    for k in range(3):  # upper-floor windows, a few lit
        wx = W * (0.18 + k * 0.32)
        win = cv.shape((wx - 90, 30, wx + 90, H * 0.22)).rect((wx - 70, 40, wx + 70, H * 0.2))
        cv.paint(win, (250, 200, 130) if k != 1 else (40, 46, 70))
        if k != 1:
            cv.glow(wx, H * 0.12, 260, (255, 190, 110), 0.25)
        sill = cv.shape((wx - 90, H * 0.2, wx + 90, H * 0.23)).rect(
            (wx - 84, H * 0.2, wx + 84, H * 0.218)
        )
        cv.paint(sill, (200, 190, 180))
        snow = cv.shape((wx - 90, H * 0.19, wx + 90, H * 0.21)).rect(
            (wx - 86, H * 0.193, wx + 86, H * 0.205), radius=6
        )
        cv.paint(snow, (246, 248, 255))
        for sx in (-1, 1):
            sh_ = cv.shape((wx - 130, 30, wx + 130, H * 0.21)).rect(
                (wx + sx * 78 - 22, 40, wx + sx * 78 + 22, H * 0.2)
                if sx > 0
                else (wx - 100, 40, wx - 74, H * 0.2)
            )
            cv.paint(sh_, (70, 84, 80))
    # sign band
    sign = cv.shape((W * 0.06, H * 0.26, W * 0.94, H * 0.38)).rect(
        (W * 0.08, H * 0.27, W * 0.92, H * 0.37), radius=6
    )
    cv.paint(sign, cv.lin([(0, shade(PRIMARY, 0.1)), (1, shade(PRIMARY, -0.3))], 90))
    st = cv.shape((W * 0.06, H * 0.26, W * 0.94, H * 0.38))
    spaced_text(st, W / 2, H * 0.31, "BRÛLERIE DES CANUTS", 70, 12)
    cv.paint(st, ACCENT)
    st = cv.shape((W * 0.06, H * 0.26, W * 0.94, H * 0.38))
    spaced_text(st, W / 2, H * 0.35, "TORRÉFACTION · CAFÉ · DEPUIS 2014", 26, 8)
    cv.paint(st, CREAM, opacity=0.9)
    snow = cv.shape((W * 0.07, H * 0.25, W * 0.93, H * 0.28)).rect(
        (W * 0.08, H * 0.258, W * 0.92, H * 0.274), radius=10
    )
    cv.paint(snow, (244, 246, 255))
    for lx in (W * 0.25, W * 0.5, W * 0.75):  # gooseneck lamps lighting the sign
        arm = cv.shape((lx - 40, H * 0.22, lx + 40, H * 0.28)).line(
            [(lx, H * 0.23), (lx, H * 0.245)], width=8
        )
        cv.paint(arm, (30, 30, 30))
        cv.glow(lx, H * 0.28, 200, (255, 214, 150), 0.35)
    # shop window with the warm interior
    wx0, wy0, wx1, wy1 = W * 0.10, H * 0.42, W * 0.62, H * 0.80
    win = cv.shape((wx0, wy0, wx1, wy1)).rect((wx0, wy0, wx1, wy1))
    cv.paint(win, cv.lin([(0, (255, 210, 140)), (0.6, (226, 150, 80)), (1, (150, 84, 40))], 90))
    interior = Canvas(round(wx1 - wx0), round(wy1 - wy0), bg=(0, 0, 0))
    # draw the interior in its own canvas, blurred, then paste
    interior.background(
        interior.lin([(0, (255, 214, 150)), (0.55, (222, 150, 84)), (1, (130, 74, 36))], 90)
    )
    iw, ih = interior.w, interior.h
    for k in range(3):
        lx = iw * (0.2 + k * 0.3)
        interior.glow(lx, ih * 0.18, 120, (255, 240, 200), 0.8)
    shelf = interior.shape().rect((0, ih * 0.34, iw, ih * 0.36))
    interior.paint(shelf, (110, 66, 36))
    for k in range(9):
        bx = iw * (0.06 + k * 0.11)
        b = interior.shape().rect((bx, ih * 0.22, bx + iw * 0.06, ih * 0.34), radius=6)
        interior.paint(b, shade(KRAFT, -0.05))
    counter = interior.shape().rect((iw * 0.05, ih * 0.62, iw * 0.95, ih))
    interior.paint(counter, (96, 52, 28))
    for px, c in ((0.3, (60, 40, 40)), (0.62, (40, 50, 70))):
        per = (
            interior.shape()
            .ellipse((iw * px - 30, ih * 0.36, iw * px + 30, ih * 0.48))
            .rect((iw * px - 60, ih * 0.47, iw * px + 60, ih * 0.75), radius=40)
        )
        interior.paint(per, c, opacity=0.85)
    interior.blur_all(6)
    inner_img = interior.img
    cv.img.paste(inner_img, (round(wx0 * cv.ss), round(wy0 * cv.ss)))
    reflect = cv.shape((wx0, wy0, wx1, wy1)).poly(
        [(wx0 + 40, wy0), (wx0 + 160, wy0), (wx0 + 20, wy1), (wx0 - 100, wy1)]
    )
    reflect.clip(cv.shape((wx0, wy0, wx1, wy1)).rect((wx0, wy0, wx1, wy1)))
    cv.paint(reflect, WHITE, blur=10, opacity=0.12)
    glass_txt = cv.shape((wx0, wy0, wx1, wy1))
    glass_txt.text(
        ((wx0 + wx1) / 2, wy0 + (wy1 - wy0) * 0.56), "Café · Torréfaction · Boutique", 40
    )
    cv.paint(glass_txt, WHITE, opacity=0.85)
    frame = cv.shape((wx0 - 30, wy0 - 30, wx1 + 30, wy1 + 30))
    frame.rect((wx0 - 22, wy0 - 22, wx1 + 22, wy1 + 22))
    frame.cut(cv.shape((wx0 - 30, wy0 - 30, wx1 + 30, wy1 + 30)).rect((wx0, wy0, wx1, wy1)))
    frame.rect(((wx0 + wx1) / 2 - 8, wy0, (wx0 + wx1) / 2 + 8, wy1))
    cv.paint(frame, (44, 48, 46))
    # door
    dx0, dy0, dx1, dy1 = W * 0.67, H * 0.42, W * 0.86, H * 0.86
    door = cv.shape((dx0 - 30, dy0 - 30, dx1 + 30, dy1)).rect((dx0 - 20, dy0 - 20, dx1 + 20, dy1))
    cv.paint(door, (44, 48, 46))
    dg = cv.shape((dx0, dy0, dx1, dy1)).rect((dx0 + 24, dy0 + 24, dx1 - 24, dy1 - 140))
    cv.paint(dg, cv.lin([(0, (250, 200, 130)), (1, (180, 110, 56))], 90))
    handle = cv.shape((dx0, dy0, dx1, dy1)).rect((dx1 - 60, H * 0.62, dx1 - 44, H * 0.70), radius=8)
    cv.paint(handle, (210, 180, 110))
    wcx, wcy, wr = (dx0 + dx1) / 2, H * 0.55, W * 0.045  # wreath
    wreath = cv.shape((wcx - wr * 1.3, wcy - wr * 1.3, wcx + wr * 1.3, wcy + wr * 1.3)).ring(
        (wcx - wr, wcy - wr, wcx + wr, wcy + wr), width=wr * 0.38
    )
    cv.paint(wreath, (60, 100, 60))
    for i in range(12):
        a = math.tau * i / 12
        bx, by = wcx + math.cos(a) * wr * 0.8, wcy + math.sin(a) * wr * 0.8
        berry = cv.shape((bx - 10, by - 10, bx + 10, by + 10)).ellipse(
            (bx - 6, by - 6, bx + 6, by + 6)
        )
        cv.paint(berry, (200, 40, 40) if i % 3 else ACCENT)
    bow = (
        cv.shape((wcx - 40, wcy + wr * 0.6, wcx + 40, wcy + wr * 1.3))
        .poly([(wcx, wcy + wr * 0.85), (wcx - 34, wcy + wr * 0.7), (wcx - 34, wcy + wr * 1.05)])
        .poly([(wcx, wcy + wr * 0.85), (wcx + 34, wcy + wr * 0.7), (wcx + 34, wcy + wr * 1.05)])
    )
    cv.paint(bow, (190, 36, 36))
    # garland over the window and door
    string_lights(cv, W * 0.09, W * 0.63, H * 0.40, 40, 16, r=7)
    string_lights(cv, W * 0.66, W * 0.87, H * 0.40, 26, 7, r=7)
    # pavement, snow and reflections
    pav = cv.shape((0, H * 0.84, W, H)).rect((0, H * 0.86, W, H))
    cv.paint(pav, cv.lin([(0, (200, 206, 226)), (1, (150, 156, 186))], 90))
    ledge = cv.shape((0, H * 0.8, W, H * 0.87)).rect((0, H * 0.80, W, H * 0.865))
    cv.paint(ledge, cv.lin([(0, (150, 136, 120)), (1, (100, 90, 84))], 90))
    drift = cv.shape((0, H * 0.78, W, H * 0.82)).rect((0, H * 0.795, W, H * 0.81), radius=8)
    cv.paint(drift, (240, 244, 255))
    cv.glow(W * 0.36, H * 0.93, W * 0.3, (255, 196, 120), 0.35)
    cv.glow(W * 0.76, H * 0.93, W * 0.14, (255, 196, 120), 0.3)
    fir_tree(cv, W * 0.935, H * 0.86, H * 0.36, (52, 86, 60), rng)
    pot = cv.shape((W * 0.9, H * 0.8, W * 0.97, H * 0.9)).poly(
        [(W * 0.905, H * 0.82), (W * 0.965, H * 0.82), (W * 0.955, H * 0.88), (W * 0.915, H * 0.88)]
    )
    cv.paint(pot, (140, 70, 50))
    for _ in range(260):  # falling snow, near flakes bigger and blurrier
        x, y = rng.uniform(0, W), rng.uniform(0, H)
        near = rng.random() ** 3
        r = 2 + near * 12
        f = cv.shape((x - r, y - r, x + r, y + r), pad=r * 2 + 4).ellipse(
            (x - r, y - r, x + r, y + r)
        )
        cv.paint(f, (250, 252, 255), blur=0.5 + near * 6, opacity=0.5 + 0.4 * (1 - near))
    cv.vignette(0.35, (10, 10, 30))
    return cv.final()


# --- new year ---------------------------------------------------------------------------------


def scene_new_year() -> Image.Image:
    """2027 in gold over a festive bokeh, two lattes raised to the new year."""
    rng = random.Random(1212)
    W, H = 2000, 1333
    cv = Canvas(W, H)
    cv.background(
        cv.rad([(0, (96, 44, 26)), (0.6, (44, 24, 16)), (1, (18, 12, 10))], (0.5, 0.4), 0.8)
    )
    cv.bokeh(
        rng,
        80,
        (0, 0, W, H),
        12,
        70,
        [ACCENT, (255, 220, 150), (255, 180, 90), CREAM],
        0.12,
        0.5,
        blur=3,
    )
    cv.blur_all(5)
    cv.bokeh(rng, 25, (0, 0, W, H * 0.6), 4, 10, [(255, 236, 190)], 0.4, 0.9, blur=0.8)
    glow = cv.shape().text((W / 2, H * 0.30), "2027", 400)
    cv.paint(glow, ACCENT, blur=30, opacity=0.6)
    num = cv.shape().text((W / 2, H * 0.30), "2027", 400)
    cv.paint(
        num,
        cv.lin(
            [(0, (255, 236, 170)), (0.45, ACCENT), (0.55, (226, 150, 40)), (1, (255, 214, 120))], 90
        ),
    )
    sub = cv.shape()
    spaced_text(sub, W / 2, H * 0.50, "BONNE ANNÉE · HAPPY NEW YEAR", 54, 10)
    cv.paint(sub, CREAM)
    wood_table(cv, rng, H * 0.80, H, light=(96, 60, 40), dark=(44, 28, 18), planks=2, lines=40)
    draw_cup(
        cv,
        W * 0.41,
        H * 0.62,
        W * 0.15,
        H * 0.18,
        liquid="latte",
        saucer=False,
        light_from_left=True,
    )
    draw_cup(
        cv,
        W * 0.60,
        H * 0.62,
        W * 0.15,
        H * 0.18,
        liquid="latte",
        saucer=False,
        light_from_left=False,
        band=ACCENT,
    )
    confetti(cv, rng, 90, (0, 0, W, H), [ACCENT, CREAM, (230, 120, 80), (255, 214, 120)], size=15)
    cv.vignette(0.45)
    return cv.final()


# --- cupping ----------------------------------------------------------------------------------


def cupping_bowl(
    cv: Canvas, rng: random.Random, x: float, y: float, r: float, broken: bool
) -> None:
    cv.shadow((x - r + 10, y - r + 16, x + r + 10, y + r + 16), blur=r * 0.12, opacity=0.45)
    outer = cv.shape((x - r, y - r, x + r, y + r), pad=4).ellipse((x - r, y - r, x + r, y + r))
    cv.paint(outer, cv.lin([(0, (255, 255, 255)), (1, (206, 204, 200))], 45))
    ri = r * 0.86
    inner = cv.shape((x - r, y - r, x + r, y + r), pad=4).ellipse((x - ri, y - ri, x + ri, y + ri))
    if broken:
        cv.paint(
            inner,
            cv.rad([(0, (70, 36, 16)), (0.8, (52, 26, 12)), (1, (110, 64, 30))], (0.5, 0.5), 0.5),
        )
        for _ in range(6):
            a = rng.uniform(0, math.tau)
            d = rng.uniform(0.2, 0.6) * ri
            fx, fy, fr = x + math.cos(a) * d, y + math.sin(a) * d, rng.uniform(0.08, 0.18) * ri
            foam = cv.shape((fx - fr, fy - fr, fx + fr, fy + fr), pad=4).ellipse(
                (fx - fr, fy - fr, fx + fr, fy + fr)
            )
            cv.paint(foam, (190, 140, 90), blur=2, opacity=0.6)
    else:
        cv.paint(
            inner,
            cv.rad([(0, (176, 120, 70)), (0.7, (150, 98, 54)), (1, (96, 58, 30))], (0.5, 0.5), 0.5),
        )
        specks = cv.shape((x - r, y - r, x + r, y + r), pad=4)
        for _ in range(int(r * 1.6)):
            a = rng.uniform(0, math.tau)
            d = math.sqrt(rng.random()) * ri * 0.95
            sx, sy = x + math.cos(a) * d, y + math.sin(a) * d
            sr = rng.uniform(1.5, 3.5)
            specks.ellipse((sx - sr, sy - sr, sx + sr, sy + sr))
        cv.paint(specks, (86, 48, 22), opacity=0.6)
    hl = cv.shape((x - r, y - r, x + r, y + r), pad=4).arc(
        (x - r * 0.93, y - r * 0.93, x + r * 0.93, y + r * 0.93), 200, 250, width=r * 0.05
    )
    cv.paint(hl, WHITE, blur=2, opacity=0.9)


def cupping_spoon(cv: Canvas, x: float, y: float, s: float, angle: float) -> None:
    a = math.radians(angle)
    bb = (x - s * 1.3, y - s * 1.3, x + s * 1.3, y + s * 1.3)
    sp = cv.shape(bb, pad=6).poly(ellipse_pts(x, y, s * 0.22, s * 0.2, angle))
    sp.line(
        [
            (x + math.cos(a) * s * 0.2, y + math.sin(a) * s * 0.2),
            (x + math.cos(a) * s * 1.1, y + math.sin(a) * s * 1.1),
        ],
        width=s * 0.07,
    )
    cv.shadow(
        (x - s * 0.2 + 6, y - s * 0.2 + 10, x + s * 0.3 + 6, y + s * 0.3 + 10), blur=6, opacity=0.35
    )
    cv.paint(
        sp, cv.lin([(0, (236, 238, 242)), (0.5, (150, 154, 162)), (1, (226, 228, 232))], angle + 90)
    )


def scene_cupping() -> Image.Image:
    """A cupping table seen from above: three coffees, four bowls each, spoons, labels and notes."""
    rng = random.Random(1313)
    W, H = 2000, 1333
    cv = Canvas(W, H)
    planks_top(cv, rng, (196, 160, 118), n=5, vertical=False, lines=200)
    names = [
        ("Éthiopie Guji", "pêche, jasmin"),
        ("Colombie Huila", "caramel, pomme"),
        ("Brésil Cerrado", "noisette, cacao"),
    ]
    for row, (name, notes) in enumerate(names):
        y = H * (0.22 + row * 0.28)
        card = cv.shape((W * 0.04, y - 70, W * 0.22, y + 70), pad=10).poly(
            rect_pts(W * 0.13, y, W * 0.15, 110, rng.uniform(-3, 3))
        )
        cv.shadow((W * 0.06, y - 40, W * 0.21, y + 70), blur=10, opacity=0.3)
        cv.paint(card, PAPER)
        t = cv.shape((W * 0.04, y - 70, W * 0.22, y + 70))
        t.text((W * 0.13, y - 16), name, 30)
        cv.paint(t, PRIMARY)
        t = cv.shape((W * 0.04, y - 70, W * 0.22, y + 70))
        t.text((W * 0.13, y + 26), notes, 24)
        cv.paint(t, shade(PRIMARY, 0.3))
        for k in range(4):
            cupping_bowl(
                cv,
                rng,
                W * (0.33 + k * 0.135),
                y,
                W * 0.052,
                broken=(k < 2 and row != 2) or (row == 2 and k == 0),
            )
        dish = cv.shape((W * 0.88 - 90, y - 90, W * 0.88 + 90, y + 90)).ellipse(
            (W * 0.88 - 80, y - 80, W * 0.88 + 80, y + 80)
        )
        cv.shadow((W * 0.88 - 70, y - 64, W * 0.88 + 90, y + 96), blur=12, opacity=0.4)
        cv.paint(dish, cv.lin([(0, (250, 250, 250)), (1, (200, 198, 194))], 45))
        beans = []
        for _ in range(16):
            a = rng.uniform(0, math.tau)
            d = math.sqrt(rng.random()) * 50
            beans.append((y + math.sin(a) * d, W * 0.88 + math.cos(a) * d))
        for by, bx in sorted(beans):
            cv.sprite(
                bean_sprite(34, rng.uniform(0, 360), shade(BEAN, 0.1 * (1 - row)), cv.ss), bx, by
            )
    for fx, fy, ang in ((0.40, 0.36, 20), (0.67, 0.37, -15), (0.53, 0.92, 160)):
        cupping_spoon(cv, W * fx, H * fy, W * 0.06, ang)
    # a notebook and a pencil in the corner
    nb = cv.shape((W * 0.70, H * 0.86, W * 1.0, H * 1.0), pad=10).poly(
        rect_pts(W * 0.84, H * 0.99, W * 0.2, H * 0.2, -6)
    )
    cv.shadow((W * 0.74, H * 0.90, W * 0.96, H * 1.05), blur=14, opacity=0.35)
    cv.paint(nb, (250, 248, 240))
    lines_ = cv.shape((W * 0.70, H * 0.86, W * 1.0, H * 1.0), pad=10)
    for i in range(4):
        yy = H * (0.925 + i * 0.026)
        lines_.line([(W * 0.755, yy + 8), (W * 0.925, yy - 10)], width=2)
    cv.paint(lines_, (150, 170, 200), opacity=0.7)
    tapered_stroke(cv, [(W * 0.64, H * 0.90), (W * 0.735, H * 0.975)], 18, 18, (232, 180, 60))
    tip = cv.shape((W * 0.72, H * 0.95, W * 0.76, H * 1.0)).poly(
        [(W * 0.731, H * 0.983), (W * 0.740, H * 0.968), (W * 0.752, H * 0.99)]
    )
    cv.paint(tip, (60, 50, 40))
    cv.vignette(0.3)
    return cv.final()


# --------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------


def encode(img: Image.Image, path: Path) -> bytes:
    buf = io.BytesIO()
    if path.suffix.lower() in (".jpg", ".jpeg"):
        img.convert("RGB").save(
            buf, "JPEG", quality=88, subsampling=2, optimize=False, progressive=False
        )
    else:
        img.save(buf, "PNG", optimize=False, compress_level=9)
    return buf.getvalue()


def outputs() -> list[tuple[Path, Callable[[], Image.Image]]]:
    return [
        (ASSETS / "brand" / "logo.png", lambda: logo_mark(512)),
        (ASSETS / "images" / "cup-steam.jpg", scene_cup_steam),
        (ASSETS / "images" / "croissant-creme.jpg", scene_croissant),
        (ASSETS / "images" / "roaster.jpg", scene_roaster),
        (ASSETS / "images" / "latte-heart.jpg", scene_latte_heart),
        (ASSETS / "images" / "market-stall.jpg", scene_market),
        (ASSETS / "images" / "storefront-winter.jpg", scene_storefront),
        (ASSETS / "images" / "new-year-2027.jpg", scene_new_year),
        (ASSETS / "images" / "cupping-table.jpg", scene_cupping),
        (CONTENT / "2026" / "12" / "concours-abonnement" / "prize.jpg", scene_prize),
        (CONTENT / "2026" / "12" / "horaires-fetes" / "hours.png", holiday_hours),
        (CONTENT / "2027" / "01" / "atelier-latte-art" / "poster.png", poster_latte_art),
        (CONTENT / "2026" / "12" / "ethiopie-guji" / "guji-bag.jpg", scene_guji_bag),
        (CONTENT / "2026" / "12" / "ethiopie-guji" / "guji-pourover.jpg", scene_guji_pourover),
    ]


def ensure_font() -> None:
    if FONT.exists():
        return
    if not FONT_SOURCE.exists():
        sys.exit(
            f"{FONT} is missing and {FONT_SOURCE} is not installed (Debian package fonts-dejavu-core)"
        )
    FONT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FONT_SOURCE, FONT)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if an image would change"
    )
    ap.add_argument(
        "only", nargs="*", help="only the outputs whose path contains one of these words"
    )
    args = ap.parse_args(argv)
    ensure_font()
    changed = 0
    total = 0
    for path, make in outputs():
        rel = path.relative_to(ROOT)
        if args.only and not any(w in str(rel) for w in args.only):
            continue
        img = make()
        data = encode(img, path)
        total += len(data)
        same = path.exists() and path.read_bytes() == data
        state = "same" if same else ("would change" if args.check else "written")
        if not same:
            changed += 1
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        print(f"{state:12} {rel}  {img.width}x{img.height}  {len(data) / 1024:.0f} KB")  # noqa: T201
    print(f"total {total / 1024:.0f} KB")  # noqa: T201
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
