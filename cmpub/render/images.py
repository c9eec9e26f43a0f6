"""Branded image variants per channel (layer L2): pure functions from a job to encoded bytes.

``render_variant(job)`` opens a source image safely, measures it (``saliency``: detail, text,
faces, the brand logo already in it), lays the variant out (``layout``: the picture whole or
cropped where harmless, the call-to-action banner on a calm strip or on a band added for it, the
logo in a calm corner), draws it and encodes a metadata-free JPEG that fits the channel's byte
cap. It writes nothing and prints nothing: the build calls it from a process pool (jobs and
results are picklable, the function is module-level) and writes the bytes itself.

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
- **Size** (``targets``, :func:`choose_spec`): per-channel rules, each with its source. Where a
  channel has several fixed sizes (Instagram, LinkedIn) the size is chosen after measuring the
  picture: the first, in the channel's order, it can be cropped to harmlessly, else the one that
  shows it whole the largest for the least padding. A carousel's images get the size of its
  first image where the network crops them alike (Instagram).
- **Layout** (``layout``): see there. Padding and added bands are in the brand colours.
  Resizing is LANCZOS with ``reducing_gap=3.0`` (Pillow's "indistinguishable" setting).
- **Banner and logo** (``overlay``): the banner says the job's ``cta_text`` (the build passes
  the post's own call-to-action); the logo is left out where the picture already carries it.
- **Encoding**: baseline JPEG, 4:2:0, no ``optimize``, fixed quality ladder: identical jobs give
  identical bytes. A byte cap is met by lowering the quality by 5 down to 50, then by scaling
  down; an ImageError says when it cannot be met.
"""

from __future__ import annotations

import dataclasses
import io
import math
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from cmpub.render import _fonts, _imageio, layout, overlay
from cmpub.render.overlay import (
    LOGO_MARGIN,
    LOGO_SIZE,
    SCRIM_COLOR,
    SCRIM_OPACITY,
    SCRIM_TEXT,
    BannerFit,
    BrandStyle,
    ImageError,
    aa_minimum,
    contrast_ratio,
    parse_color,
    relative_luminance,
)
from cmpub.render.targets import (
    CHANNEL_RULES,
    CHANNELS,
    ChannelRule,
    VariantSpec,
    candidates,
    crop_box,
    parse_aspect,
    spec_for,
)

LANCZOS = Image.Resampling.LANCZOS
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
FITS = ("auto", "cover", "contain")
LOGO_MODES = ("auto", "always", "never")
MIN_OVERLAY_SIDE = 120  # smaller outputs get no overlay (a warning says so)

#: The modules whose code decides a variant's pixels (the build re-encodes when one changes).
CODE = (
    "images.py",
    "_imageio.py",
    "_fonts.py",
    "saliency.py",
    "layout.py",
    "overlay.py",
    "targets.py",
)


@dataclass(frozen=True)
class Picture:
    """One image of a post as a channel shows it: source, focal point, fit, logo, banner text."""

    source: str
    focus: tuple[float, float] | None = None  # None: cmpub finds where the detail is
    fit: str = "auto"  # auto | cover | contain
    logo: str = "auto"  # auto (not where the picture already carries it) | always | never
    banner: str | None = None  # the banner's words on this image, None for no banner
    aspect: float | None = None  # w/h the post asks for (the first image's decides a carousel)


@dataclass(frozen=True)
class ImageJob:
    """Everything that determines one variant's bytes (the build hashes it, with the files').

    ``carousel`` lists every image of the post on this channel (``index`` is this one): the
    logo's corner is chosen for all of them, and on Instagram the first one decides the size.
    Left empty, the job is a single picture made of ``source``, ``focus``, ``fit``, ``logo``,
    ``cta_text`` and ``aspect``. ``spec`` is normally None (computed with :func:`choose_spec`).
    ``max_bytes`` overrides the channel's byte cap (Bluesky: 1,000,000 by default).
    """

    source: str
    channel: str
    focus: tuple[float, float] | None = None
    cta_text: str | None = None
    brand: BrandStyle = field(default_factory=BrandStyle)
    max_bytes: int | None = None
    spec: VariantSpec | None = None
    fit: str = "auto"
    logo: str = "auto"
    aspect: float | None = None
    carousel: tuple[Picture, ...] = ()
    index: int = 0

    def pictures(self) -> tuple[Picture, ...]:
        """The carousel, or this job's single picture."""
        if self.carousel:
            return self.carousel
        return (Picture(self.source, self.focus, self.fit, self.logo, self.cta_text, self.aspect),)

    def sources(self) -> tuple[str, ...]:
        """Every file whose bytes this variant depends on (its own source first)."""
        return (self.source, *(p.source for p in self.carousel if p.source != self.source))


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


def libraries() -> str:
    """The versions of the libraries that measure pictures (a change re-encodes the variants)."""
    from cmpub.render import saliency  # OpenCV and NumPy load only where pictures are drawn

    return saliency.LIBRARIES


def render_variant(job: ImageJob) -> RenderedImage:
    """Render one channel's variant of one source image: measure, lay out, draw, encode.

    Raises :class:`ImageError` (message, hint) for any problem with the inputs.
    """
    try:
        return _render(job)
    except (_imageio.SourceError, _fonts.FontError) as exc:
        raise ImageError(exc.message, exc.hint) from None


# --------------------------------------------------------------------------- composition


@dataclass(frozen=True)
class _Plan:
    spec: VariantSpec
    layout: layout.Layout
    fit: BannerFit | None
    wants_logo: bool
    analysis: Any
    small: bool = False  # too small for the banner and logo: they were left out


def choose_spec(channel: str, lead: Picture, brand: BrandStyle) -> VariantSpec:
    """The size of ``channel``'s variant, decided after measuring ``lead`` (the picture it shows).

    Where the channel has several fixed sizes (:func:`~cmpub.render.targets.candidates`), the
    first one, in the channel's order, that the layout can fill by a harmless crop; if none,
    the one that shows the picture whole the largest for the least padding
    (:func:`~cmpub.render.layout.roomiest`). ``fit: cover`` takes the first size (the crop is
    asked for); ``fit: contain`` the roomiest. The measurement is ``saliency``'s, cached per
    process, so the variant itself reuses it. A carousel passes its first picture: every job of
    it reaches the same size from the same inputs. Raises :class:`ImageError`.
    """
    try:
        return _choose_spec(channel, lead, brand)
    except (_imageio.SourceError, _fonts.FontError) as exc:
        raise ImageError(exc.message, exc.hint) from None


def _choose_spec(channel: str, lead: Picture, brand: BrandStyle) -> VariantSpec:
    info = _imageio.probe(lead.source)
    options = candidates(channel, info.width, info.height, lead.aspect)
    if len(options) == 1 or lead.fit == "cover":
        return options[0]
    layouts = []
    for spec in options:
        lay = _plan(channel, brand, lead, spec).layout
        if lay.picture.cover:
            return spec
        layouts.append(lay)
    return options[layout.roomiest(layouts)]


def _spec(job: ImageJob, pic: Picture, lead: Picture) -> VariantSpec:
    rule = CHANNEL_RULES.get(job.channel)
    base = lead if rule is not None and rule.carousel_alike else pic
    spec = job.spec if job.spec is not None else choose_spec(job.channel, base, job.brand)
    return spec if job.max_bytes is None else dataclasses.replace(spec, max_bytes=job.max_bytes)


def _plan(channel: str, brand: BrandStyle, pic: Picture, spec: VariantSpec) -> _Plan:
    """Measure ``pic`` and lay out its variant of ``spec``'s size."""
    size = (spec.width, spec.height)
    info = _imageio.probe(pic.source)
    banner = pic.banner if pic.banner and pic.banner.strip() else None
    marks = banner is not None or (brand.logo is not None and pic.logo != "never")
    small = marks and min(size) < MIN_OVERLAY_SIDE
    if small:
        marks, banner = False, None
    same_aspect = abs(math.log(spec.width / spec.height * info.height / info.width)) < 0.005
    if not marks and same_aspect and pic.fit != "contain":  # nothing to place: a plain resize
        crop = (0.0, 0.0, float(info.width), float(info.height))
        whole = layout.Placement(crop, (0, 0, *size), True)
        return _Plan(spec, layout.Layout(*size, whole), None, False, None, small)
    from cmpub.render import saliency  # OpenCV and NumPy load only where pictures are drawn

    a = saliency.analyse(pic.source, brand.logo if marks else None, parse_color(brand.background))
    fit = overlay.fit_banner(banner, spec.width, spec.height, brand) if banner else None
    wants_logo = marks and brand.logo is not None and pic.logo != "never"
    if wants_logo and pic.logo == "auto" and a.logos:
        wants_logo = False  # the picture already carries the brand logo
    short = min(size)
    lay = layout.plan(
        a,
        size,
        fit=pic.fit,
        focus=pic.focus,
        banner_height=fit.height if fit else 0,
        side=brand.cta_position,
        grow=spec.grow,
        logo=(round(short * LOGO_SIZE), round(short * LOGO_MARGIN)) if wants_logo else None,
        ui_corners=spec.ui_corners,
    )
    return _Plan(spec, lay, fit, wants_logo, a, small)


def _notes(channel: str, plan: _Plan) -> list[str]:
    """The warnings a variant's layout gives (marks left out, a forced crop through content)."""
    spec, notes = plan.spec, []
    if plan.small:
        notes.append(
            f"the {channel} image is too small ({spec.width}×{spec.height}) for the "
            "brand banner and logo: they were left out"
        )
    if plan.layout.picture.cuts:
        texts = [b for b in plan.layout.picture.cuts if b in plan.analysis.text]
        what = "text" if texts else "a face or the focal point"
        notes.append(
            f"fit: cover crops {channel}'s {spec.width}×{spec.height} through {what} the "
            "picture carries; use fit: contain (or auto) to keep it whole"
        )
    return notes


def _render(job: ImageJob) -> RenderedImage:
    brand = job.brand
    pictures = job.pictures()
    index = job.index if job.carousel else 0
    if not 0 <= index < len(pictures):
        raise ImageError(f"the carousel has no image {index + 1}", "this is a bug in the caller")
    pic, lead = pictures[index], pictures[0]
    spec = _spec(job, pic, lead)
    own = _plan(job.channel, brand, pic, spec)
    notes = _notes(job.channel, own)
    lay = own.layout
    corner = None
    if own.wants_logo:
        rule = CHANNEL_RULES[job.channel]
        others = [
            own
            if i == index
            else _plan(job.channel, brand, p, spec if rule.carousel_alike else _spec(job, p, lead))
            for i, p in enumerate(pictures)
        ]
        # One order for the whole carousel (every job of it must choose the same corner).
        side = brand.cta_position if others[0].layout.banner else None
        corner = layout.choose_corner(
            [p.layout.calm_corners for p in others if p.wants_logo],
            tuple(c for c in layout.CORNER_ORDER[side] if c not in own.spec.ui_corners),
        )
    background = parse_color(brand.background)
    im = _draw_picture(pic.source, lay, background, notes)
    fit, logo_rect, text_box = own.fit, None, None
    if own.wants_logo and brand.logo:
        short = min(lay.width, lay.height)
        if corner in lay.calm_corners:
            size, margin = round(short * LOGO_SIZE), round(short * LOGO_MARGIN)
            logo_rect = layout.corner_rect(corner, lay.width, lay.height, size, margin)
        elif lay.banner is not None and fit is not None and pic.banner:
            logo_rect, text_box, fit = _logo_in_band(lay, own, pic.banner, job.brand)
        # else: no calm corner and no band: the logo is left out rather than cover the picture
    if lay.banner is not None and fit is not None:
        notes += fit.notes
        overlay.draw_banner(im, lay.banner, fit, brand, brand.cta_position, notes, text_box)
    if logo_rect is not None and brand.logo:
        overlay.paste_logo(im, brand.logo, logo_rect)
    data, quality, im = _encode(im, own.spec, notes)
    return RenderedImage(
        data=data,
        width=im.width,
        height=im.height,
        format=own.spec.format,
        media_type=own.spec.media_type,
        quality=quality,
        warnings=tuple(dict.fromkeys(notes)),
    )


def _logo_in_band(
    lay: layout.Layout, own: _Plan, words: str, brand: BrandStyle
) -> tuple[tuple[int, int, int, int] | None, tuple[int, int] | None, BannerFit | None]:
    """The logo at the band's end (away from the UI corners), the text's room, its new fit."""
    assert lay.banner is not None and own.fit is not None
    x0, y0, x1, y1 = lay.banner
    size = round((y1 - y0) * 0.8)
    gap = (y1 - y0 - size) // 2
    margin = round(lay.width * overlay.BANNER_MARGIN_X)
    side = "bottom" if y1 == lay.height else "top"
    left = f"{side}-right" in own.spec.ui_corners and f"{side}-left" not in own.spec.ui_corners
    if left:
        rect = (x0 + gap, y0 + gap, x0 + gap + size, y0 + gap + size)
        text = (rect[2] + gap, x1 - margin)
    else:
        rect = (x1 - gap - size, y0 + gap, x1 - gap, y0 + gap + size)
        text = (x0 + margin, rect[0] - gap)
    reserve = lay.width - 2 * margin - (text[1] - text[0])
    try:
        fit = overlay.fit_banner(words, lay.width, own.spec.height, brand, reserve)
    except ImageError:  # the words need the whole band: no logo rather than smaller words
        return None, None, own.fit
    return rect, text, dataclasses.replace(fit, height=own.fit.height)


def _draft_scale(box: tuple[float, float, float, float], out: tuple[int, int]) -> int:
    """The largest JPEG DCT scale (1, 2, 4, 8) whose decoded crop still covers ``out``."""
    ratio = min((box[2] - box[0]) / out[0], (box[3] - box[1]) / out[1])
    return next((s for s in (8, 4, 2) if ratio >= s), 1)


def _draw_picture(
    source: str, lay: layout.Layout, background: tuple[int, int, int], notes: list[str]
) -> Image.Image:
    """The canvas with the picture drawn: ``crop`` of the source resized into ``dest``."""
    info = _imageio.probe(source)
    p = lay.picture
    box = p.crop
    out_size = (p.dest[2] - p.dest[0], p.dest[3] - p.dest[1])
    scale = _draft_scale(box, out_size) if info.format in ("JPEG", "MPO") else 1
    src, decode_notes = _imageio.decode(source, scale, background)
    notes += decode_notes
    real = info.width / src.width if src.width else 1.0
    if src.size == (math.ceil(info.width / scale), math.ceil(info.height / scale)):
        real = float(scale)  # JPEG DCT scaling: decoded pixel i covers source pixels [i·s, i·s+s)
    dbox = (
        min(max(box[0] / real, 0), src.width),
        min(max(box[1] / real, 0), src.height),
        min(max(box[2] / real, 0), src.width),
        min(max(box[3] / real, 0), src.height),
    )
    if abs(dbox[2] - dbox[0] - out_size[0]) < 1e-6 and abs(dbox[3] - dbox[1] - out_size[1]) < 1e-6:
        # Already the right size (e.g. a JPEG decoded at 1/2 scale): crop on whole pixels
        # rather than resample a sub-pixel shift, which would only blur.
        x0 = min(max(0, round(dbox[0])), src.width - out_size[0])
        y0 = min(max(0, round(dbox[1])), src.height - out_size[1])
        picture = src.crop((x0, y0, x0 + out_size[0], y0 + out_size[1]))
    else:
        picture = src.resize(out_size, LANCZOS, box=dbox, reducing_gap=3.0)
    if p.dest == (0, 0, lay.width, lay.height):
        return picture
    canvas = Image.new("RGB", (lay.width, lay.height), background)
    canvas.paste(picture, p.dest[:2])
    return canvas


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


__all__ = [
    "CHANNELS",
    "CHANNEL_RULES",
    "CODE",
    "CORNERS",
    "FITS",
    "LOGO_MODES",
    "SCRIM_COLOR",
    "SCRIM_OPACITY",
    "SCRIM_TEXT",
    "BrandStyle",
    "ChannelRule",
    "ImageError",
    "ImageJob",
    "Picture",
    "RenderedImage",
    "VariantSpec",
    "aa_minimum",
    "candidates",
    "choose_spec",
    "contrast_ratio",
    "crop_box",
    "libraries",
    "parse_aspect",
    "parse_color",
    "relative_luminance",
    "render_variant",
    "spec_for",
]
