"""The brand's marks on a variant: colours and contrast, the CTA banner, the logo.

Split out of ``images`` so that the banner can be measured without any picture: the layout
needs the band's height before it places anything, and ``validate`` asks how large the
call-to-action text would be on each channel (:func:`fit_banner`) without decoding an image.

Banner: a full-width band (primary colour, an accent rule on its inner edge), the CTA text
centred in the brand font at the largest size that fits: one line, or two balanced lines when
that gives a clearly larger text; within 7 % side margins and 20 % of the canvas height.
Contrast follows WCAG 2.x (relative luminance); text the brand colours cannot make readable
sits on a dark scrim instead.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

from cmpub.model.errors import CmpubError
from cmpub.model.project import Brand
from cmpub.render import _fonts, _imageio

LANCZOS = Image.Resampling.LANCZOS


class ImageError(CmpubError):
    """An image that cannot be rendered: ``message`` says what is wrong, ``hint`` how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


# --------------------------------------------------------------------------- colours, WCAG


def parse_color(value: str) -> tuple[int, int, int]:
    """``#rgb`` or ``#rrggbb`` to an (r, g, b) tuple; ImageError naming the value otherwise."""
    text = value.strip().lstrip("#") if isinstance(value, str) else ""
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    try:
        if len(text) != 6:
            raise ValueError
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        raise ImageError(
            f"the brand colour {value!r} is not a colour",
            "write colours as #rrggbb in cmpub.yaml (brand.colors)",
        ) from None


def relative_luminance(color: str | tuple[int, int, int]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0 black … 1 white), for contrast checks."""
    rgb = parse_color(color) if isinstance(color, str) else color

    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str | tuple[int, int, int], b: str | tuple[int, int, int]) -> float:
    """WCAG 2.x contrast ratio of two colours, 1.0 … 21.0 (order does not matter)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def aa_minimum(size_px: float, bold: bool) -> float:
    """The WCAG AA contrast a text needs: 3.0 if large (≥ 24 px, ≥ 18.66 px bold), else 4.5."""
    large = size_px >= 24 or (bold and size_px >= 18.66)
    return 3.0 if large else 4.5


#: The fallback behind text whose brand colours fail AA: near-black at 85 % over the photo,
#: white text. Worst case (over pure white) the scrim is #353535, 12:1 against white.
SCRIM_COLOR = (17, 17, 17)
SCRIM_OPACITY = 0.85
SCRIM_TEXT = (255, 255, 255)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


# --------------------------------------------------------------------------- brand


@dataclass(frozen=True)
class BrandStyle:
    """What a variant takes from the brand: logo and font paths (absolute), colours, CTA side.

    ``fallback_fonts`` are tried in order for glyphs the brand font lacks; the default is what
    this machine has (DejaVu Sans, Noto Sans CJK, Noto Color Emoji), so the job, and the build's
    hash of it, names the fonts that can change the pixels.
    """

    logo: str | None = None
    font: str | None = None
    primary: str = "#111111"
    accent: str | None = None
    text: str = "#ffffff"
    background: str = "#ffffff"
    cta_position: str = "bottom"
    fallback_fonts: tuple[str, ...] = field(default_factory=_fonts.system_fallbacks)

    @classmethod
    def from_brand(cls, brand: Brand, root: str | Path) -> BrandStyle:
        """The style of a configured :class:`~cmpub.model.project.Brand`, paths resolved under ``root``."""
        base = Path(root)
        colors = {k.lower(): v for k, v in brand.colors.items()}
        primary = colors.get("primary") or colors.get("background") or "#111111"
        text = colors.get("text")
        if not text:  # the more readable of white and black on the banner colour
            white = contrast_ratio("#ffffff", primary)
            text = "#ffffff" if white >= contrast_ratio("#000000", primary) else "#000000"
        return cls(
            logo=str(base / brand.logo) if brand.logo else None,
            font=str(base / brand.font) if brand.font else None,
            primary=primary,
            accent=colors.get("accent"),
            text=text,
            background=colors.get("background") or "#ffffff",
            cta_position=brand.cta_position,
        )


# --------------------------------------------------------------------------- banner text

#: Proportions of the banner, relative to the canvas (tuned on the demo brand).
BANNER_MARGIN_X = 0.07  # of the width, each side: clear of ALT badges in the bottom-left corner
BANNER_MAX_HEIGHT = 0.20  # of the height
TEXT_MAX = 0.05  # of the width; and ≤ 7.5 % of the height
TEXT_MIN = 0.018  # of the width, at least 12 px
#: Text smaller than this share of the width is hard to read once a feed shows the picture
#: about 400 px wide on a phone (≈ 11 px there): validate warns.
TEXT_LEGIBLE = 0.028


def _clean(text: str) -> list[str]:
    """The CTA's explicit lines: NFC, spaces collapsed; a newline forces a line break."""
    text = unicodedata.normalize("NFC", text)
    lines = [" ".join(part.split()) for part in text.replace("\r\n", "\n").split("\n")]
    return [line for line in lines if line]


def _breaks(text: str) -> list[tuple[str, str]]:
    """Ways to cut one line into two: at spaces, and between CJK characters."""
    out = []
    for i, c in enumerate(text):
        if c == " ":
            out.append((text[:i], text[i + 1 :]))
        elif i and unicodedata.east_asian_width(c) == "W" and c.isalpha():
            out.append((text[:i], text[i:]))
    return [(a.rstrip(), b.lstrip()) for a, b in out if a.strip() and b.strip()]


@dataclass(frozen=True)
class BannerFit:
    """A call-to-action fitted to a canvas: text size, lines, the band's height, its fonts."""

    size: int
    lines: tuple[str, ...]
    height: int
    width: int  # the canvas width it was fitted to
    segment: dict[str, list[_fonts.Run]]
    main: _fonts.Face
    notes: tuple[str, ...]

    @property
    def legible(self) -> bool:
        """True when the text stays readable on a phone (see :data:`TEXT_LEGIBLE`)."""
        return self.size >= TEXT_LEGIBLE * self.width


def _choose(
    options: list[tuple[str, ...]],
    segment: dict[str, list[_fonts.Run]],
    main: _fonts.Face,
    avail: float,
    max_size: int,
    min_size: int,
    max_band: float,
) -> tuple[int, tuple[str, ...]] | None:
    """The best (size, lines): one line unless two give a clearly larger text."""
    ref = 100
    ascent, descent = _fonts.pil_font(main, ref).getmetrics()
    per_px = (ascent + descent) / ref
    best: list[tuple[int, tuple[str, ...], float]] = []
    for lines in options:
        widths = [_fonts.width(segment[line], ref) for line in lines]
        by_width = math.floor(ref * avail / max(widths)) if max(widths) > 0 else max_size
        by_height = math.floor(max_band / (len(lines) * per_px + 1.0))  # 2 × 0.5 em padding
        size = min(max_size, by_width, by_height)
        while size >= min_size and any(_fonts.width(segment[ln], size) > avail for ln in lines):
            size -= 1
        if size >= min_size:
            best.append((size, lines, max(widths)))
    if not best:
        return None
    one = next((b for b in best if len(b[1]) == 1), None)
    # Two lines: the largest text, then the most balanced cut (the narrowest longer line).
    two = min((b for b in best if len(b[1]) == 2), key=lambda b: (-b[0], b[2]), default=None)
    if one and (two is None or one[0] >= 0.8 * two[0]):
        return one[0], one[1]
    return (two[0], two[1]) if two else None


def fit_banner(cta: str, width: int, height: int, brand: BrandStyle, reserve: int = 0) -> BannerFit:
    """Fit ``cta`` to a ``width``×``height`` canvas (``reserve``: px kept for a logo in the band).

    Raises ImageError when the text has more than two lines, no font can draw it, or it does
    not fit even at the smallest size.
    """
    lines = _clean(cta)
    if len(lines) > 2:
        raise ImageError(
            f"the CTA text has {len(lines)} lines; the banner holds 2 at most",
            "shorten it or remove a line break",
        )
    main, fallbacks = _faces(brand, " ".join(lines))
    _, glyph_notes = _fonts.runs(" ".join(lines), main, fallbacks)
    options = [tuple(lines)] if len(lines) == 2 else [(lines[0],), *_breaks(lines[0])]
    segment = {ln: _fonts.runs(ln, main, fallbacks)[0] for opt in options for ln in opt}
    margin = round(width * BANNER_MARGIN_X)
    max_size = max(12, round(min(width * TEXT_MAX, height * 0.075)))
    min_size = min(max_size, max(12, round(width * TEXT_MIN)))  # very wide images: the cap wins
    avail = width - 2 * margin - reserve
    chosen = _choose(options, segment, main, avail, max_size, min_size, height * BANNER_MAX_HEIGHT)
    if chosen is None:
        raise ImageError(
            f"the CTA text is too long for the banner ({len(' '.join(lines))} characters)",
            "shorten it to about 60 characters, or split it with a line break",
        )
    size, fitted = chosen
    ascent, descent = _fonts.pil_font(main, size).getmetrics()
    band = len(fitted) * (ascent + descent) + 2 * round(size * 0.5)
    return BannerFit(size, fitted, band, width, segment, main, tuple(glyph_notes))


def _faces(brand: BrandStyle, text: str) -> tuple[_fonts.Face, tuple[_fonts.Face, ...]]:
    main = _fonts.face(brand.font) if brand.font else None
    fallbacks: tuple[_fonts.Face, ...] = ()
    if main is None or not _fonts.covers(main, text):
        # Fallback fonts are read only when needed (a CJK collection's cmap takes ~0.1 s).
        fallbacks = tuple(
            f
            for p in brand.fallback_fonts
            if p != brand.font and (f := _fonts.optional_face(p)) is not None
        )
    if main is None:
        if not fallbacks:
            raise ImageError(
                "there is no font to draw the CTA text with",
                "set brand.font in cmpub.yaml, or install fonts-dejavu-core",
            )
        main, fallbacks = fallbacks[0], fallbacks[1:]
    return main, fallbacks


def draw_banner(
    im: Image.Image,
    rect: tuple[int, int, int, int],
    fit: BannerFit,
    brand: BrandStyle,
    side: str,
    notes: list[str],
    text_box: tuple[int, int] | None = None,
) -> None:
    """Draw the band ``rect`` on ``im`` in place; the text is centred in ``text_box`` (x0, x1)."""
    x0, top, x1, bottom = rect
    band_h = bottom - top
    fill = parse_color(brand.primary)
    ink = parse_color(brand.text)
    need = aa_minimum(fit.size, fit.main.bold)
    ratio = contrast_ratio(ink, fill)
    if ratio >= need:
        ImageDraw.Draw(im).rectangle((x0, top, x1 - 1, bottom - 1), fill=fill)
    else:
        region = im.crop(rect)
        im.paste(
            Image.blend(region, Image.new("RGB", region.size, SCRIM_COLOR), SCRIM_OPACITY), rect
        )
        r, g, b = (round(SCRIM_OPACITY * c + (1 - SCRIM_OPACITY) * 255) for c in SCRIM_COLOR)
        notes.append(
            f"the brand text colour {_hex(ink)} on {_hex(fill)} has a contrast of {ratio:.2f}:1, "
            f"under WCAG AA's {need:g}:1 for {fit.size} px text: the CTA uses a dark scrim with "
            f"white text instead ({contrast_ratio(SCRIM_TEXT, (r, g, b)):.1f}:1 at worst)"
        )
        ink = SCRIM_TEXT
    if brand.accent:
        rule = max(2, round(im.height * 0.006))
        y0 = bottom - rule if side == "top" else top
        ImageDraw.Draw(im).rectangle(
            (x0, y0, x1 - 1, y0 + rule - 1), fill=parse_color(brand.accent)
        )
    ascent, descent = _fonts.pil_font(fit.main, fit.size).getmetrics()
    line_h = ascent + descent
    tx0, tx1 = text_box or (x0, x1)
    y = top + (band_h - len(fit.lines) * line_h) / 2 + ascent
    for line in fit.lines:
        runs = fit.segment[line]
        x = tx0 + (tx1 - tx0 - _fonts.width(runs, fit.size)) / 2
        _fonts.draw(im, runs, x, y, fit.size, ink)
        y += line_h


# --------------------------------------------------------------------------- logo

LOGO_SIZE = 0.12  # of the short side (brief: 10–14 %)
LOGO_MARGIN = 0.04  # of the short side


@lru_cache(maxsize=8)
def _logo_source(path: str, stamp: tuple[int, int]) -> Image.Image:
    with _imageio.open_checked(path, stamp[1]) as im:  # the same caps as any source
        if im.width * im.height > 16_000_000:
            raise ValueError(f"{im.width}×{im.height} is too large for a logo")
        im.seek(0)
        im.load()
        logo = im.convert("RGBA")
    bbox = logo.getchannel("A").getbbox()  # trim transparent borders: the margin is ours
    return logo.crop(bbox) if bbox else logo


@lru_cache(maxsize=64)
def _logo_at(path: str, stamp: tuple[int, int], size: int) -> Image.Image:
    logo = _logo_source(path, stamp)
    k = size / max(logo.size)
    # RGBA is resized premultiplied by Pillow, so soft alpha edges stay clean.
    return logo.resize(
        (max(1, round(logo.width * k)), max(1, round(logo.height * k))), LANCZOS, reducing_gap=3.0
    )


def logo_image(path: str, size: int) -> Image.Image:
    """The brand logo fitted in a ``size`` px square; ImageError naming the file otherwise."""
    try:
        st = Path(path).stat()
        return _logo_at(path, (st.st_mtime_ns, st.st_size), max(8, size))
    except FileNotFoundError:
        raise ImageError(
            f"the brand logo file is missing: {path}",
            "check brand.logo in cmpub.yaml (a path relative to the project)",
        ) from None
    except _imageio.SourceError as exc:
        raise ImageError(f"the brand logo {path}: {exc.message}", exc.hint) from None
    except Exception as exc:
        raise ImageError(
            f"the brand logo {path} cannot be read ({exc.__class__.__name__}: {exc})",
            "use a PNG with transparency for brand.logo",
        ) from None


def paste_logo(im: Image.Image, path: str, rect: tuple[int, int, int, int]) -> None:
    """Paste the logo centred in the square ``rect`` of ``im``."""
    size = min(rect[2] - rect[0], rect[3] - rect[1])
    logo = logo_image(path, size)
    x = rect[0] + (rect[2] - rect[0] - logo.width) // 2
    y = rect[1] + (rect[3] - rect[1] - logo.height) // 2
    im.paste(logo, (x, y), logo)
