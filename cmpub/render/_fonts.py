"""Fonts of the CTA banner (private helper of ``images``): loading, coverage, fallback runs.

Glyph coverage is read from each font's ``cmap`` with fontTools (never guessed from rendered
pixels). A text is cut into grapheme clusters (``regex`` ``\\X``, so an emoji ZWJ sequence or a
letter with its combining accents stays whole); each cluster goes to the first font that has
every code point of it: the brand font first, then the fallbacks in order; emoji clusters try
colour fonts first. Consecutive clusters on the same font form a *run*, measured and drawn with
that font. Colour-bitmap fonts (Noto Color Emoji, CBDT) only exist at their strike size (109 px):
they are rendered there with ``embedded_color=True`` and scaled to the text size.

Everything loaded is cached per process, keyed by path, modification time and size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import regex
from PIL import Image, ImageDraw, ImageFont

#: Fallback fonts looked for on the machine, in order (Debian/Ubuntu paths of fonts-dejavu-core,
#: fonts-noto-cjk, fonts-noto-color-emoji; the first is in every cmpub machine image).
SYSTEM_FALLBACKS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
)

_CLUSTER = regex.compile(r"\X")
# A cluster shown as an emoji: emoji presentation by default, or asked for with VS16, or built
# as a sequence (ZWJ, keycap, skin tone, flag).
_EMOJI = regex.compile(
    r"\p{Emoji_Presentation}|\uFE0F|\u20E3|[\U0001F3FB-\U0001F3FF]|\p{Regional_Indicator}"
    r"|\p{Extended_Pictographic}\u200D"
)
_IGNORABLE = regex.compile(r"[\uFE00-\uFE0F\u200C\u200D\U000E0100-\U000E01EF]")


class FontError(Exception):
    """A font that cannot be used; ``images`` turns it into an ImageError (message, hint)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message, hint)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Face:
    """A font file as the banner sees it: name, cmap, weight, colour, bitmap strike."""

    path: str
    name: str
    cmap: frozenset[int]
    bold: bool
    color: bool
    strike: int | None  # ppem of a colour-bitmap font's only size (emoji), else None
    stamp: tuple[int, int]  # (mtime_ns, size): part of every cache key

    def has(self, cluster: str) -> bool:
        """True when every code point of ``cluster`` that needs a glyph is in the cmap."""
        return all(ord(c) in self.cmap for c in _IGNORABLE.sub("", cluster) if c.isprintable())


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size) if os.path.isfile(path) else None


@lru_cache(maxsize=32)
def _face(path: str, stamp: tuple[int, int]) -> Face:
    try:
        from fontTools.ttLib import TTFont  # imported on first use: validate never needs it
    except ImportError:  # pragma: no cover - a dependency of cmpub
        raise FontError(
            "fontTools is needed to check the brand font's glyphs", "pip install fonttools"
        ) from None

    try:
        with open(path, "rb") as file:  # closed even when fontTools refuses the file
            tt = TTFont(file, fontNumber=0, lazy=True)
            cmap = frozenset(tt.getBestCmap() or ())
            name = (tt["name"].getDebugName(4) if "name" in tt else None) or os.path.basename(path)
            weight = tt["OS/2"].usWeightClass if "OS/2" in tt else 400
            color = any(tag in tt for tag in ("CBDT", "sbix", "COLR", "SVG "))
            strike = None
            if "CBLC" in tt:
                strike = max(s.bitmapSizeTable.ppemY for s in tt["CBLC"].strikes)
            elif "sbix" in tt:
                strike = max(tt["sbix"].strikes)
        if not cmap:
            raise ValueError("it has no Unicode character map")
        # FreeType must accept it too (Pillow draws with FreeType, not fontTools).
        ImageFont.truetype(path, strike or 16)
    except FontError:
        raise
    except Exception as exc:
        raise FontError(
            f"the font file {path} cannot be read ({exc.__class__.__name__}: {exc})",
            "point brand.font in cmpub.yaml at a TrueType or OpenType font file",
        ) from None
    return Face(path, name, cmap, weight >= 700, color, strike, stamp)


def face(path: str) -> Face:
    """The font at ``path``; FontError naming the file when it is missing or unreadable."""
    stamp = _stamp(path)
    if stamp is None:
        raise FontError(
            f"the brand font file is missing: {path}",
            "check brand.font in cmpub.yaml (a path relative to the project)",
        )
    return _face(path, stamp)


def optional_face(path: str) -> Face | None:
    """A fallback font, or None when it is absent or unreadable (fallbacks are optional)."""
    stamp = _stamp(path)
    if stamp is None:
        return None
    try:
        return _face(path, stamp)
    except FontError:
        return None


@lru_cache(maxsize=1)
def system_fallbacks() -> tuple[str, ...]:
    """The fallback fonts present on this machine, in order of preference."""
    return tuple(p for p in SYSTEM_FALLBACKS if _stamp(p) is not None)


@lru_cache(maxsize=256)
def _pil(path: str, stamp: tuple[int, int], size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def pil_font(f: Face, size: int) -> ImageFont.FreeTypeFont:
    """A Pillow font for ``f`` at ``size`` px (cached)."""
    return _pil(f.path, f.stamp, f.strike or size)


# --------------------------------------------------------------------------- runs


def covers(f: Face, text: str) -> bool:
    """True when ``f`` draws all of ``text`` and no cluster of it asks for an emoji font."""
    return all(f.has(c) and not _EMOJI.search(c) for c in _CLUSTER.findall(text))


Run = tuple[str, Face]


def _codes(chars: str) -> str:
    return " ".join(f"U+{ord(c):04X}" for c in chars)


def _listing(clusters: list[str]) -> str:
    shown = clusters[:12]
    text = "".join(shown) + ("…" if len(clusters) > 12 else "")
    codes = _codes("".join(_IGNORABLE.sub("", c) for c in shown))
    return f"{text} ({codes}{' …' if len(clusters) > 12 else ''})"


def runs(text: str, brand: Face, fallbacks: tuple[Face, ...]) -> tuple[list[Run], list[str]]:
    """Cut ``text`` into runs of one font each, and say which glyphs came from where.

    The warnings name the glyphs the brand font lacks, the font that drew them, and the glyphs
    no available font has (drawn with the brand font, which shows them as empty boxes).
    """
    plain = [f for f in fallbacks if not f.color]
    colour = [f for f in fallbacks if f.color]
    text_chain = [brand, *plain, *colour]
    emoji_chain = [*colour, brand, *plain]
    out: list[Run] = []
    borrowed: dict[str, list[str]] = {}
    missing: list[str] = []
    for cluster in _CLUSTER.findall(text):
        chain = emoji_chain if _EMOJI.search(cluster) else text_chain
        if cluster.isspace():  # spaces keep the text font (an emoji font's space is wide)
            chosen = out[-1][1] if out and not out[-1][1].color else brand
        else:
            chosen = next((f for f in chain if f.has(cluster)), None)
            if chosen is None:
                if cluster not in missing:
                    missing.append(cluster)
                chosen = brand
            elif chosen is not brand and not brand.has(cluster):
                seen = borrowed.setdefault(chosen.name, [])
                if cluster not in seen:
                    seen.append(cluster)
        if out and out[-1][1] is chosen:
            out[-1] = (out[-1][0] + cluster, chosen)
        else:
            out.append((cluster, chosen))
    notes = [
        f"the brand font ({brand.name}) has no glyph for {_listing(clusters)}; "
        f"they were drawn with the fallback font {name}"
        for name, clusters in borrowed.items()
    ]
    if missing:
        notes.append(
            f"no available font has a glyph for {_listing(missing)}: they show as empty boxes; "
            "use a brand font that covers them or install one (Debian: fonts-noto-cjk, "
            "fonts-noto-color-emoji)"
        )
    return out, notes


def width(line: list[Run], size: int) -> float:
    """Advance width of a line of runs at ``size`` px."""
    total = 0.0
    for text, f in line:
        font = pil_font(f, size)
        scale = size / f.strike if f.strike else 1.0
        total += font.getlength(text) * scale
    return total


def draw(
    im: Image.Image, line: list[Run], x: float, baseline: float, size: int, fill: tuple[int, ...]
) -> None:
    """Draw a line of runs on ``im`` (RGB) from ``x``, on ``baseline``, at ``size`` px."""
    d = ImageDraw.Draw(im)
    for text, f in line:
        font = pil_font(f, size)
        if f.strike:  # colour bitmap: draw at the strike size, scale, paste with its alpha
            scale = size / f.strike
            left, top, right, bottom = font.getbbox(text, anchor="ls")
            glyphs = Image.new("RGBA", (max(1, right - left), max(1, bottom - top)))
            ImageDraw.Draw(glyphs).text(
                (-left, -top), text, font=font, anchor="ls", embedded_color=True
            )
            w = max(1, round(glyphs.width * scale))
            h = max(1, round(glyphs.height * scale))
            glyphs = glyphs.resize((w, h), Image.Resampling.LANCZOS)
            im.paste(glyphs, (round(x + left * scale), round(baseline + top * scale)), glyphs)
            x += font.getlength(text) * scale
        else:
            d.text((x, baseline), text, font=font, fill=fill, anchor="ls", embedded_color=f.color)
            x += font.getlength(text)
