"""What ``validate`` says about a post's pictures before anything is drawn.

Three warnings, each computed the way the renderer will lay the variant out:

- **too small**: a fixed-size variant (Instagram, LinkedIn, X's 16:9, the link card) would
  enlarge the picture more than 2× even kept whole: it looks soft. The message says how large
  the source must be. From the image header only.
- **banner text too small**: the call-to-action fitted to the variant would be drawn under
  :data:`~cmpub.render.overlay.TEXT_LEGIBLE` of its width (about 11 px on a phone), or not fit
  at all. From font metrics only (cached per text and size).
- **crop cuts text**: with ``fit: cover`` (asked for, or the brand default) the crop would cut
  text the picture carries. This one measures the picture, so it runs only for forced covers
  (with ``fit: auto`` cmpub never cuts text: it keeps the picture whole instead).

The size each message cites is the one the build gives the variant. Where a channel has
several sizes (Instagram, LinkedIn) the build chooses it after measuring the picture; validate
computes the warnings for every size the picture may get (header and font metrics only) and
measures the picture (:func:`~cmpub.render.images.choose_spec`, the build's own choice) only
when one of them has a warning: a picture that is fine on every size costs no measurement.

Each finding is ``(image index or None, code suffix, message, hint)``; ``validate`` turns them
into Problems at the front-matter line they concern.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from cmpub.model.project import Config, Fields, Image
from cmpub.render import _imageio, layout, overlay, targets
from cmpub.render.images import Picture, choose_spec
from cmpub.render.overlay import BrandStyle, ImageError
from cmpub.render.variants import banner_text, pictures

SOFT = 2.0  # enlargement above which a picture looks soft

Finding = tuple[int | None, str, str, str]


@lru_cache(maxsize=256)
def _fit(text: str, width: int, height: int, style: BrandStyle) -> overlay.BannerFit | str:
    try:
        return overlay.fit_banner(text, width, height, style)
    except ImageError as exc:
        return f"{exc.message}|{exc.hint}"


_STYLES: dict[str, BrandStyle] = {}


def _style(config: Config) -> BrandStyle:
    key = f"{config.root}\0{config.brand!r}"
    if key not in _STYLES:
        _STYLES.clear()  # one project at a time
        _STYLES[key] = BrandStyle.from_brand(config.brand, config.root)
    return _STYLES[key]


def image_findings(fields: Fields, channel: str, config: Config, name: str) -> list[Finding]:
    """The warnings of ``channel``'s variants of the post (``name``: the network's name)."""
    if channel not in targets.CHANNELS or not fields.images:
        return []
    style = _style(config)
    pics = pictures(fields, channel, config)
    rule = targets.CHANNEL_RULES[channel]
    out: list[Finding] = []
    for i, (image, pic) in enumerate(zip(fields.images, pics, strict=False)):
        if not image.width or not image.height:
            continue
        # The picture that decides the size: the carousel's first where the network crops
        # every card like it (as the renderer does).
        base, decides = (fields.images[0], pics[0]) if rule.carousel_alike else (image, pic)
        if not base.width or not base.height:
            continue
        options = targets.candidates(channel, *_shown(base, decides), decides.aspect)
        w, h = _shown(image, pic)
        shown = dataclasses.replace(image, width=w, height=h)
        where = (name, shown, pic, i, style)
        found = [_sized(*where, spec) for spec in options]
        chosen = found[0]
        if len(options) > 1 and any(found):  # only then does the size need the measurement
            try:
                spec = choose_spec(channel, decides, style)
            except ImageError:  # the build reports it (e.g. a banner too long for every size)
                spec = options[0]
            chosen = found[options.index(spec)] if spec in options else _sized(*where, spec)
        out += chosen
        if image.banner is True and banner_text(fields, image, i, config) is None:
            out.append(
                (
                    i,
                    "banner-no-text",
                    "'banner: true' but the post has no call-to-action to show",
                    "add 'cta: {text: ..., url: ...}', or write the words: banner: \"...\"",
                )
            )
    return out


def _shown(image: Image, pic: Picture) -> tuple[int, int]:
    """The picture's size as displayed (EXIF orientation applied), as the renderer sees it.

    A PNG keeps its header size: Pillow decodes the whole file to find a PNG's EXIF block
    (50-80 ms for a 2000 px card), and an orientation tag in a PNG is rare.
    """
    if image.format == "PNG":
        return image.width, image.height
    try:
        info = _imageio.probe(pic.source)
    except _imageio.SourceError:  # validate reports unreadable files elsewhere
        return image.width, image.height
    return info.width, info.height


def _sized(
    name: str, image: Image, pic: Picture, i: int, style: BrandStyle, spec: targets.VariantSpec
) -> list[Finding]:
    """The warnings of one image on a variant of ``spec``'s size."""
    out: list[Finding] = []
    size, source = (spec.width, spec.height), (image.width, image.height)
    if spec.fixed and pic.fit != "cover":
        k = layout.enlargement(size, source)
        if k > SOFT:
            w, h = layout.at_least(size, source, SOFT)
            full = layout.at_least(size, source, 1.0)
            out.append(
                (
                    i,
                    "image-too-small",
                    f"{name}: '{image.src}' ({image.width}×{image.height}) is too small for "
                    f"the {spec.width}×{spec.height} image: it would be enlarged {k:.1f}× "
                    "and look soft",
                    f"use a picture of at least {w}×{h} px ({full[0]}×{full[1]} for full "
                    "sharpness)",
                )
            )
    if pic.banner and min(size) >= 120:
        fit = _fit(pic.banner, spec.width, spec.height, style)
        if isinstance(fit, str):
            message, _, hint = fit.partition("|")
            out.append((i, "banner-too-long", f"{name}: {message}", hint))
        elif not fit.legible:
            on_phone = fit.size * 400 / spec.width
            chars = len(" ".join(fit.lines))
            short = max(8, int(chars * fit.size / (overlay.TEXT_LEGIBLE * spec.width)))
            out.append(
                (
                    i,
                    "banner-too-small",
                    f"{name}: the banner text would be {fit.size} px high on the "
                    f"{spec.width}×{spec.height} image, about {on_phone:.0f} px on a phone: "
                    "too small to read",
                    f"shorten the call-to-action ({chars} characters) to about {short}",
                )
            )
    if pic.fit == "cover" and _cover_cuts_text(pic, size, style):
        out.append(
            (
                i,
                "crop-cuts-text",
                f"{name}: fit: cover crops '{image.src}' to {spec.width}×{spec.height} "
                "through text the picture carries",
                "remove 'fit: cover' (cmpub then keeps the picture whole), or move "
                "'focus:' to the text",
            )
        )
    return out


def _cover_cuts_text(pic: Picture, size: tuple[int, int], style: BrandStyle) -> bool:
    from cmpub.render import saliency  # OpenCV: only for pictures forced to cover

    a = saliency.analyse(pic.source, None, overlay.parse_color(style.background))
    p = layout.place(a, (0, 0, *size), "cover", pic.focus)
    x0, y0, x1, y1 = p.crop
    window = (x0 / a.width, y0 / a.height, x1 / a.width, y1 / a.height)
    return any(not layout.contains(window, t, slack=0.05) for t in a.text)
