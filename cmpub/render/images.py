"""Branded image variants per channel (layer L2): pure functions from a job to encoded bytes.

``render_variant(job)`` opens a source image safely, crops it to the channel's aspect around
the post's focal point, resizes it, draws the brand's call-to-action banner and logo, and
encodes a metadata-free JPEG that fits the channel's byte cap. It writes nothing and prints
nothing: the build calls it from a process pool (jobs and results are picklable, the function
is module-level) and writes the bytes itself.

Decisions, in the order the pipeline applies them:

- **Reading** (``_imageio``): file size (64 MiB) and pixel count (64 MP) are checked from the
  header before decoding; only JPEG, MPO, PNG, GIF, WebP, AVIF, TIFF and BMP are opened; an
  animated image gives its first frame and a warning; JPEG sources are decoded at a reduced DCT
  scale (``draft``) when the crop still covers the output size, and decoded frames are cached per
  process so the channels of one source decode it once per scale.
- **Colour**: every mode becomes 8-bit sRGB RGB. An embedded ICC profile is *applied* (LittleCMS,
  perceptual intent) and then dropped, so the output is untagged sRGB, which is what browsers and
  every network assume (Instagram and Threads ask for sRGB); keeping a Display P3 or Adobe RGB
  profile would keep a colour-managed file but platforms strip or mishandle profiles when they
  re-encode. Transparency is flattened on the brand's background colour. 16-bit greyscale is
  scaled (not clipped) to 8 bits.
- **Metadata**: EXIF orientation is applied, then nothing is copied: no EXIF, GPS, ICC, XMP,
  comments, text chunks or timestamps reach the output.
- **Crop and size**: per-channel rules in :data:`CHANNEL_RULES`, each with its source; fixed-size
  channels pick the size whose aspect is nearest the source's (in log scale) and may enlarge (a
  warning says so); keep-aspect channels clamp extreme ratios and never enlarge. The crop is the
  largest rectangle of the target aspect, centred on the focal point and clamped to the edges.
  Resizing is LANCZOS with ``reducing_gap=3.0`` (Pillow's "indistinguishable" setting).
- **Banner and logo**: see :func:`render_variant`. Contrast follows WCAG 2.x (relative
  luminance); text the brand colours cannot make readable sits on a dark scrim instead.
- **Encoding**: baseline JPEG, 4:2:0, no ``optimize``, fixed quality ladder: identical jobs give
  identical bytes. A byte cap is met by lowering the quality by 5 down to 50, then by scaling
  down; an ImageError says when it cannot be met.
"""

from __future__ import annotations

import dataclasses
import io
import math
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

from cmpub.errors import CmpubError
from cmpub.model import Brand
from cmpub.render import _fonts, _imageio

LANCZOS = Image.Resampling.LANCZOS

#: Channels that get an image variant. ``og`` is the site's Open Graph / link-card image.
CHANNELS = (
    "instagram",
    "bluesky",
    "mastodon",
    "x",
    "threads",
    "linkedin",
    "facebook",
    "site",
    "og",
)

CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")


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
        """The style of a configured :class:`~cmpub.model.Brand`, paths resolved under ``root``."""
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


# --------------------------------------------------------------------------- channel rules


@dataclass(frozen=True)
class ChannelRule:
    """How a channel's variant is sized; ``source`` says where each number comes from."""

    source: str
    sizes: tuple[tuple[int, int], ...] = ()  # fixed sizes: the nearest aspect wins
    wide_from: float | None = None  # use ``sizes`` only for sources at least this wide (w/h)
    box: tuple[int, int] | None = None  # otherwise keep the aspect inside this box, no enlarging
    aspect: tuple[float, float] | None = None  # clamp of the kept aspect (min w/h, max w/h)
    quality: int = 90
    max_bytes: int | None = None
    ui_corners: tuple[str, ...] = ()  # corners the network's own UI covers (no logo there)


#: Per-channel sizes. ◐/✅/⚠ are platforms.md's marks (⚠: unverified, our choice or folklore).
#: ``ui_corners`` (logo placement) come from the networks' current web and mobile UIs, not docs.
CHANNEL_RULES: dict[str, ChannelRule] = {
    "instagram": ChannelRule(
        "platforms.md §9 ◐: JPEG only, ≤ 8 MB, aspect 4:5–1.91:1 (API bound); the three sizes "
        "1080×1350 (4:5), 1080×1080 (1:1), 1080×566 (1.91:1) are the ones §9 names",
        sizes=((1080, 1350), (1080, 1080), (1080, 566)),
        max_bytes=8_000_000,
        # top-right: carousel counter "1/10"; bottom-left: the tagged-people badge
        ui_corners=("top-right", "bottom-left"),
    ),
    "bluesky": ChannelRule(
        "platforms.md §4 ✅: blob ≤ 1,000,000 B on PDSes older than 2026-04-08 (2,000,000 on "
        "bsky.social since ⏱; pass max_bytes to use it); the app resizes to 4000 px. Long side "
        "2000 and the 1:3–3:1 clamp are ours ⚠ (feeds crop extreme ratios anyway)",
        box=(2000, 2000),
        aspect=(1 / 3, 3.0),
        max_bytes=1_000_000,
        ui_corners=("bottom-left",),  # the ALT badge
    ),
    "mastodon": ChannelRule(
        "platforms.md §5 ✅: 16 MiB, ≤ 33,177,600 px, any aspect; long side 1920 is ours ⚠ "
        "(sharp on every screen, a fraction of the cap)",
        box=(1920, 1920),
        max_bytes=16 * 1024 * 1024,
        # top-left: the hide-media (eye) button of the web UI; bottom-left: the ALT badge
        ui_corners=("top-left", "bottom-left"),
    ),
    "x": ChannelRule(
        "platforms.md §3 ✅: ≤ 5 MB, JPG/PNG/GIF/WEBP. 1600×900 (16:9) for landscape sources "
        "⚠ undocumented (no X document names a still-image size); others keep their aspect "
        "within 1:2–2:1 ⚠, long side 1600",
        sizes=((1600, 900),),
        wide_from=1.5,
        box=(1600, 1600),
        aspect=(0.5, 2.0),
        max_bytes=5_000_000,
        ui_corners=("bottom-left",),  # the ALT / GIF badge
    ),
    "threads": ChannelRule(
        "platforms.md §6 ◐: JPEG/PNG ≤ 8 MB, aspect ≤ 10:1, width 320–1440 (rescaled outside); "
        "height ≤ 2880 (1:2 at full width) is ours ⚠",
        box=(1440, 2880),
        aspect=(0.1, 10.0),
        max_bytes=8_000_000,
        ui_corners=("bottom-left",),  # the ALT badge
    ),
    "linkedin": ChannelRule(
        "platforms.md §7: 1200×627 (1.91:1) is an ads spec ⚠, 1200×1200 the square alternative; "
        "pixel count < 36,152,320 ◐",
        sizes=((1200, 627), (1200, 1200)),
    ),
    "facebook": ChannelRule(
        "platforms.md §8 ◐: ≤ 10 MB (older docs 4 MB ⚠), JPEG fine; width 1200 keeping the "
        "aspect, clamped to 1:3–3:1, is ours ⚠",
        box=(1200, 3600),
        aspect=(1 / 3, 3.0),
        max_bytes=4_000_000,  # the older, stricter 4 MB ⚠
    ),
    "site": ChannelRule(
        "ours: width 1600 keeping the aspect (height ≤ 4800), JPEG quality 85 for the web",
        box=(1600, 4800),
        quality=85,
    ),
    "og": ChannelRule(
        "Open Graph image 1200×630 (1.91:1; Bluesky's card ratio 1200/630, platforms.md §4 ✅); "
        "≤ 1,000,000 B, the Bluesky link-card thumb cap ✅",
        sizes=((1200, 630),),
        quality=85,
        max_bytes=1_000_000,
        ui_corners=("bottom-left",),  # X's card draws the domain label there
    ),
}


@dataclass(frozen=True)
class VariantSpec:
    """The output of one variant: pixel size, format, quality ladder, byte cap, UI corners."""

    channel: str
    width: int
    height: int
    format: str = "JPEG"
    quality: int = 90
    min_quality: int = 50
    max_bytes: int | None = None
    ui_corners: tuple[str, ...] = ()
    fixed: bool = False  # a required size (may enlarge the source) rather than a maximum

    @property
    def media_type(self) -> str:
        """The MIME type of the encoded variant."""
        return {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[self.format]


def _clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def spec_for(channel: str, width: int, height: int) -> VariantSpec:
    """The variant a channel gets from a ``width``×``height`` source (as displayed, EXIF applied).

    Fixed-size channels pick the size whose aspect is nearest the source's; keep-aspect
    channels clamp the aspect to their range and fit inside their box without enlarging.
    """
    rule = CHANNEL_RULES.get(channel)
    if rule is None:
        raise ImageError(
            f"no image variant is defined for the channel {channel!r}",
            "channels with images: " + ", ".join(CHANNELS),
        )
    if width <= 0 or height <= 0:
        raise ImageError(f"the image has no pixels ({width}×{height})", "re-export it")
    aspect = width / height
    common = {
        "channel": channel,
        "quality": rule.quality,
        "max_bytes": rule.max_bytes,
        "ui_corners": rule.ui_corners,
    }
    if rule.sizes and (rule.wide_from is None or aspect >= rule.wide_from):
        w, h = min(rule.sizes, key=lambda s: (abs(math.log(s[0] / s[1] / aspect)), s))
        return VariantSpec(width=w, height=h, fixed=True, **common)  # type: ignore[arg-type]
    box_w, box_h = rule.box or (width, height)
    target = _clamp(aspect, *rule.aspect) if rule.aspect else aspect
    cw, ch = (height * target, height) if target < aspect else (width, width / target)
    scale = min(1.0, box_w / cw, box_h / ch)
    w, h = max(1, round(cw * scale)), max(1, round(ch * scale))
    return VariantSpec(width=w, height=h, **common)  # type: ignore[arg-type]


def crop_box(
    width: int, height: int, aspect: float, focus: tuple[float, float]
) -> tuple[float, float, float, float]:
    """The largest ``aspect`` (w/h) rectangle of the image, centred on ``focus``, inside it.

    ``focus`` is (x, y) in 0..1 from the top-left corner; the box is clamped to the edges, so
    the focal point stays inside it (centred unless an edge is nearer).
    """
    fx, fy = (_clamp(float(v), 0.0, 1.0) for v in focus)
    if width / height > aspect:
        cw, ch = height * aspect, float(height)
    else:
        cw, ch = float(width), width / aspect
    x0 = _clamp(fx * width - cw / 2, 0.0, width - cw)
    y0 = _clamp(fy * height - ch / 2, 0.0, height - ch)
    return (x0, y0, x0 + cw, y0 + ch)


# --------------------------------------------------------------------------- job and result


@dataclass(frozen=True)
class ImageJob:
    """Everything that determines one variant's bytes (the build hashes it, with the file's hash).

    ``spec`` is normally left None: :func:`render_variant` computes it from the source's
    displayed size with :func:`spec_for`. ``max_bytes`` overrides the channel's byte cap
    (Bluesky: 1,000,000 by default, 2,000,000 for bsky.social since 2026-04-08).
    """

    source: str
    channel: str
    focus: tuple[float, float] = (0.5, 0.5)
    cta_text: str | None = None
    brand: BrandStyle = field(default_factory=BrandStyle)
    max_bytes: int | None = None
    spec: VariantSpec | None = None


@dataclass(frozen=True)
class RenderedImage:
    """An encoded variant: bytes, final size (send it as Bluesky's ``aspectRatio``), warnings."""

    data: bytes
    width: int
    height: int
    format: str
    media_type: str
    quality: int | None
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------- rendering


#: Proportions of the overlay, relative to the output image (tuned on the demo brand).
LOGO_SIZE = 0.12  # of the short side (brief: 10–14 %)
LOGO_MARGIN = 0.04  # of the short side
BANNER_MARGIN_X = 0.07  # of the width, each side: clear of ALT badges in the bottom-left corner
BANNER_MAX_HEIGHT = 0.20  # of the height
TEXT_MAX = 0.05  # of the width; and ≤ 9 % of the height
TEXT_MIN = 0.018  # of the width, at least 12 px
MIN_OVERLAY_SIDE = 120  # smaller outputs get no overlay (a warning says so)


def render_variant(job: ImageJob) -> RenderedImage:
    """Render one channel's variant of one source image: crop, resize, brand, encode.

    The overlay: a full-width call-to-action band at ``brand.cta_position`` (primary colour,
    an accent rule on its inner edge, the CTA text centred in the brand font at the largest
    size that fits: one line, or two balanced lines when that gives a clearly larger text;
    within 7 % side margins and 20 % of the height), and the logo (12 % of the short side, 4 %
    margin) in the first corner that is neither covered by the network's UI nor on the banner's
    side. Raises :class:`ImageError` (message, hint) for any problem with the inputs.
    """
    try:
        return _render(job)
    except (_imageio.SourceError, _fonts.FontError) as exc:
        raise ImageError(exc.message, exc.hint) from None


def _draft_scale(box: tuple[float, float, float, float], out: tuple[int, int]) -> int:
    """The largest JPEG DCT scale (1, 2, 4, 8) whose decoded crop still covers ``out``."""
    ratio = min((box[2] - box[0]) / out[0], (box[3] - box[1]) / out[1])
    return next((s for s in (8, 4, 2) if ratio >= s), 1)


def _render(job: ImageJob) -> RenderedImage:
    brand = job.brand
    background = parse_color(brand.background)
    info = _imageio.probe(job.source)
    spec = job.spec or spec_for(job.channel, info.width, info.height)
    if job.max_bytes is not None:
        spec = dataclasses.replace(spec, max_bytes=job.max_bytes)
    notes: list[str] = []
    box = crop_box(info.width, info.height, spec.width / spec.height, job.focus)
    out_size = (spec.width, spec.height)
    scale = _draft_scale(box, out_size) if info.format in ("JPEG", "MPO") else 1
    src, decode_notes = _imageio.decode(job.source, scale, background)
    notes += decode_notes
    real = info.width / src.width if src.width else 1.0
    if src.size == (math.ceil(info.width / scale), math.ceil(info.height / scale)):
        real = float(scale)  # JPEG DCT scaling: decoded pixel i covers source pixels [i·s, i·s+s)
    dbox = (
        _clamp(box[0] / real, 0, src.width),
        _clamp(box[1] / real, 0, src.height),
        _clamp(box[2] / real, 0, src.width),
        _clamp(box[3] / real, 0, src.height),
    )
    crop_w = box[2] - box[0]
    if spec.fixed and crop_w < spec.width * 0.9:
        notes.append(
            f"the image is too small for {job.channel}'s {spec.width}×{spec.height}: its crop "
            f"({round(crop_w)}×{round(box[3] - box[1])} px) was enlarged "
            f"{spec.width / crop_w:.1f}× and may look soft"
        )
    if abs(dbox[2] - dbox[0] - out_size[0]) < 1e-6 and abs(dbox[3] - dbox[1] - out_size[1]) < 1e-6:
        # Already the right size (e.g. a JPEG decoded at 1/2 scale): crop on whole pixels
        # rather than resample a sub-pixel shift, which would only blur.
        x0 = min(max(0, round(dbox[0])), src.width - out_size[0])
        y0 = min(max(0, round(dbox[1])), src.height - out_size[1])
        im = src.crop((x0, y0, x0 + out_size[0], y0 + out_size[1]))
    else:
        im = src.resize(out_size, LANCZOS, box=dbox, reducing_gap=3.0)

    if job.cta_text is not None or brand.logo:
        if min(im.size) < MIN_OVERLAY_SIDE:
            notes.append(
                f"the {job.channel} image is too small ({im.width}×{im.height}) for the brand "
                "banner and logo: they were left out"
            )
        else:
            side = None
            if job.cta_text is not None and job.cta_text.strip():
                side = _banner(im, job.cta_text, brand, notes)
            if brand.logo:
                _paste_logo(im, brand.logo, _logo_corner(spec.ui_corners, side))

    data, quality, im = _encode(im, spec, notes)
    return RenderedImage(
        data=data,
        width=im.width,
        height=im.height,
        format=spec.format,
        media_type=spec.media_type,
        quality=quality,
        warnings=tuple(notes),
    )


# --------------------------------------------------------------------------- logo


def _logo_corner(ui_corners: tuple[str, ...], banner_side: str | None) -> str:
    """The logo's corner: away from the banner, and outside the network's UI corners."""
    if banner_side == "bottom":
        order = ("top-right", "top-left")
    elif banner_side == "top":
        order = ("bottom-right", "bottom-left")
    else:
        order = ("bottom-right", "top-right", "top-left", "bottom-left")
    return next((c for c in order if c not in ui_corners), order[0])


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


def _paste_logo(im: Image.Image, path: str, corner: str) -> None:
    try:
        st = Path(path).stat()
        stamp = (st.st_mtime_ns, st.st_size)
        short = min(im.size)
        logo = _logo_at(path, stamp, max(8, round(short * LOGO_SIZE)))
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
    margin = round(short * LOGO_MARGIN)
    x = margin if corner.endswith("left") else im.width - margin - logo.width
    y = margin if corner.startswith("top") else im.height - margin - logo.height
    im.paste(logo, (x, y), logo)


# --------------------------------------------------------------------------- CTA banner


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
class _Fit:
    size: int
    lines: tuple[str, ...]


def _fit_text(
    lines_options: list[tuple[str, ...]],
    segment: dict[str, list[_fonts.Run]],
    main: _fonts.Face,
    avail: float,
    max_size: int,
    min_size: int,
    max_band: float,
) -> _Fit | None:
    """The best (size, lines) option: one line unless two give a clearly larger text."""
    ref = 100
    ascent, descent = _fonts.pil_font(main, ref).getmetrics()
    per_px = (ascent + descent) / ref
    best: list[tuple[_Fit, float]] = []
    for lines in lines_options:
        widths = [_fonts.width(segment[line], ref) for line in lines]
        n = len(lines)
        by_width = math.floor(ref * avail / max(widths)) if max(widths) > 0 else max_size
        by_height = math.floor(max_band / (n * per_px + 1.0))  # 2 × 0.5 em padding
        size = min(max_size, by_width, by_height)
        while size >= min_size and any(_fonts.width(segment[ln], size) > avail for ln in lines):
            size -= 1
        if size >= min_size:
            best.append((_Fit(size, lines), max(widths)))
    if not best:
        return None
    one = next((f for f, _ in best if len(f.lines) == 1), None)
    # Two lines: the largest text, then the most balanced cut (the narrowest longer line).
    two = min(
        ((f, w) for f, w in best if len(f.lines) == 2),
        key=lambda fw: (-fw[0].size, fw[1]),
        default=None,
    )
    if one and (two is None or one.size >= 0.8 * two[0].size):
        return one
    return two[0] if two else None


def _banner(im: Image.Image, cta: str, brand: BrandStyle, notes: list[str]) -> str:
    """Draw the CTA band on ``im`` in place; return its side ("top" or "bottom")."""
    side = brand.cta_position
    if side not in ("top", "bottom"):
        raise ImageError(
            f"the CTA position {side!r} is not 'top' or 'bottom'",
            "set brand.cta.position in cmpub.yaml to top or bottom",
        )
    lines = _clean(cta)
    if len(lines) > 2:
        raise ImageError(
            f"the CTA text has {len(lines)} lines; the banner holds 2 at most",
            "shorten it or remove a line break",
        )
    main = _fonts.face(brand.font) if brand.font else None
    fallbacks: tuple[_fonts.Face, ...] = ()
    if main is None or not _fonts.covers(main, " ".join(lines)):
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
    _, glyph_notes = _fonts.runs(" ".join(lines), main, fallbacks)
    notes += glyph_notes
    options = [tuple(lines)] if len(lines) == 2 else [(lines[0],), *_breaks(lines[0])]
    segment = {ln: _fonts.runs(ln, main, fallbacks)[0] for opt in options for ln in opt}

    W, H = im.size
    margin = round(W * BANNER_MARGIN_X)
    max_size = max(12, round(min(W * TEXT_MAX, H * 0.09)))
    min_size = min(max_size, max(12, round(W * TEXT_MIN)))  # very wide images: the cap wins
    fit = _fit_text(
        options, segment, main, W - 2 * margin, max_size, min_size, H * BANNER_MAX_HEIGHT
    )
    if fit is None:
        raise ImageError(
            f"the CTA text is too long for the banner ({len(' '.join(lines))} characters)",
            "shorten it to about 60 characters, or split it with a line break",
        )
    size = fit.size
    ascent, descent = _fonts.pil_font(main, size).getmetrics()
    line_h = ascent + descent
    pad = round(size * 0.5)
    band_h = len(fit.lines) * line_h + 2 * pad
    top = 0 if side == "top" else H - band_h
    band = (0, top, W, top + band_h)

    fill = parse_color(brand.primary)
    ink = parse_color(brand.text)
    need = aa_minimum(size, main.bold)
    ratio = contrast_ratio(ink, fill)
    if ratio >= need:
        ImageDraw.Draw(im).rectangle((0, top, W - 1, top + band_h - 1), fill=fill)
    else:
        region = im.crop(band)
        im.paste(
            Image.blend(region, Image.new("RGB", region.size, SCRIM_COLOR), SCRIM_OPACITY), band
        )
        r, g, b = (round(SCRIM_OPACITY * c + (1 - SCRIM_OPACITY) * 255) for c in SCRIM_COLOR)
        worst = (r, g, b)  # the scrim over a white photo
        notes.append(
            f"the brand text colour {_hex(ink)} on {_hex(fill)} has a contrast of {ratio:.2f}:1, "
            f"under WCAG AA's {need:g}:1 for {size} px text: the CTA uses a dark scrim with white "
            f"text instead ({contrast_ratio(SCRIM_TEXT, worst):.1f}:1 at worst)"
        )
        ink = SCRIM_TEXT
    if brand.accent:
        rule = max(2, round(H * 0.006))
        y0 = top + band_h - rule if side == "top" else top
        ImageDraw.Draw(im).rectangle((0, y0, W - 1, y0 + rule - 1), fill=parse_color(brand.accent))

    y = top + pad + ascent
    for line in fit.lines:
        runs = segment[line]
        x = (W - _fonts.width(runs, size)) / 2
        _fonts.draw(im, runs, x, y, size, ink)
        y += line_h
    return side


# --------------------------------------------------------------------------- encoding


def _jpeg(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    im.info = {}
    im.save(buf, "JPEG", quality=quality, subsampling="4:2:0", optimize=False, progressive=False)
    return buf.getvalue()


def _encode(im: Image.Image, spec: VariantSpec, notes: list[str]) -> tuple[bytes, int, Image.Image]:
    """Encode ``im``; meet ``spec.max_bytes`` by lowering the quality, then the size."""
    cap = spec.max_bytes
    data = b""
    for quality in range(spec.quality, spec.min_quality - 1, -5):
        data = _jpeg(im, quality)
        if cap is None or len(data) <= cap:
            return data, quality, im
    assert cap is not None
    quality = spec.min_quality
    small = im
    while True:
        k = min(0.9, math.sqrt(cap / len(data)) * 0.95) * small.width / im.width
        size = (max(1, round(im.width * k)), max(1, round(im.height * k)))
        if max(size) < 320:
            raise ImageError(
                f"the {spec.channel} image cannot be made smaller than {cap:,} bytes "
                f"(still {len(data):,} bytes at quality {quality}, {small.width}×{small.height})",
                "use a simpler image, or raise the channel's byte cap",
            )
        small = im.resize(size, LANCZOS, reducing_gap=3.0)
        data = _jpeg(small, quality)
        if len(data) <= cap:
            notes.append(
                f"the {spec.channel} image was scaled down to {small.width}×{small.height} "
                f"(quality {quality}) to fit under {cap:,} bytes"
            )
            return data, quality, small
