"""The image variant each channel gets: sizes, aspect limits, byte caps, UI corners.

One :class:`ChannelRule` per channel, each with its source (platforms.md's marks: ✅ verified,
◐ first-party docs read second-hand, ⚠ unverified or our choice). :func:`spec_for` turns a rule
and a source's displayed size (and an aspect the post asks for) into a :class:`VariantSpec`:
fixed-size channels pick one of their sizes, keep-aspect channels clamp the aspect and fit
inside their box without enlarging.

A channel with several fixed sizes (Instagram, LinkedIn) has no single answer from the aspect
alone: :func:`candidates` lists its sizes in the order it prefers them, and the renderer takes
the first one the picture can be cropped to harmlessly, else the one that shows it whole the
largest for the least padding (``images.choose_spec``, ``layout.roomiest``). The preference:
the ``by_aspect`` size first, then the other ``sizes`` in their listed order (without
``by_aspect``: nearest aspect first).

Instagram: 4:5 (1080×1350) first for portrait, 3:2 and 4:3 sources (the tallest feed format),
1:1 for square ones, 1.91:1 from 1.7:1 on. LinkedIn: 1:1 first up to 1.7:1, then 1.91:1. A post
asks for a ratio with ``aspect: "1:1"`` (then the size nearest it, whatever the picture). A
carousel is sized like its first image (Instagram crops every card to the first one's ratio).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from cmpub.render.overlay import ImageError

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
    "site-phone",
    "og",
)


@dataclass(frozen=True)
class ChannelRule:
    """How a channel's variant is sized; ``source`` says where each number comes from."""

    source: str
    sizes: tuple[tuple[int, int], ...] = ()  # fixed sizes, in the order the channel prefers them
    wide_from: float | None = None  # use ``sizes`` only for sources at least this wide (w/h)
    box: tuple[int, int] | None = None  # otherwise keep the aspect inside this box, no enlarging
    aspect: tuple[float, float] | None = None  # clamp of the kept aspect (min w/h, max w/h)
    quality: int = 90
    max_bytes: int | None = None
    ui_corners: tuple[str, ...] = ()  # corners the network's own UI covers (no logo there)
    #: The preferred fixed size by source aspect: the first (below, size) whose bound exceeds it.
    by_aspect: tuple[tuple[float, tuple[int, int]], ...] = ()
    carousel_alike: bool = False  # every image of a post gets the first one's size


#: Per-channel sizes. ◐/✅/⚠ are platforms.md's marks (⚠: unverified, our choice or folklore).
#: ``ui_corners`` (logo placement) come from the networks' current web and mobile UIs, not docs.
CHANNEL_RULES: dict[str, ChannelRule] = {
    "instagram": ChannelRule(
        "platforms.md §9 ◐: JPEG only, ≤ 8 MB, aspect 4:5–1.91:1 (API bound); the three sizes "
        "1080×1350 (4:5), 1080×1080 (1:1), 1080×566 (1.91:1) are the ones §9 names; 4:5 for "
        "portrait, 3:2 and 4:3 sources is ours (the tallest feed format), and a carousel is "
        'cropped like its first image (§9: "cropped based on the first image")',
        sizes=((1080, 1350), (1080, 1080), (1080, 566)),
        by_aspect=(
            (0.95, (1080, 1350)),
            (1.06, (1080, 1080)),
            (1.7, (1080, 1350)),
            (math.inf, (1080, 566)),
        ),
        carousel_alike=True,
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
        "pixel count < 36,152,320 ◐; 1:1 first up to 1.7:1 (the larger feed format) is ours ⚠",
        sizes=((1200, 627), (1200, 1200)),
        by_aspect=((1.7, (1200, 1200)), (math.inf, (1200, 627))),
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
    "site-phone": ChannelRule(
        "ours: the site's picture for phones (<picture> srcset), width 800 keeping the aspect",
        box=(800, 2400),
        quality=82,
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
    grow: int = 0  # extra height a keep-aspect channel allows (room for a banner band)

    @property
    def media_type(self) -> str:
        """The MIME type of the encoded variant."""
        return {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[self.format]


def _clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def parse_aspect(text: str) -> float | None:
    """``"4:5"``, ``"1.91:1"`` or ``"16/9"`` as width / height; None when it is not a ratio."""
    parts = text.replace("/", ":").replace("×", ":").split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        w, h = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    return w / h if w > 0 and h > 0 and 0.1 <= w / h <= 10 else None


def spec_for(channel: str, width: int, height: int, aspect: float | None = None) -> VariantSpec:
    """The variant a channel gets from a ``width``×``height`` source (as displayed, EXIF applied).

    Fixed-size channels pick their preferred size for the source's aspect (or the size nearest
    the ``aspect`` the post asks for); keep-aspect channels clamp the aspect (the source's, or
    the one asked for) to their range and fit inside their box without enlarging. Where a
    channel has several sizes this is only its first choice, before the picture is measured:
    :func:`candidates` lists the others.
    """
    rule = CHANNEL_RULES.get(channel)
    if rule is None:
        raise ImageError(
            f"no image variant is defined for the channel {channel!r}",
            "channels with images: " + ", ".join(CHANNELS),
        )
    if width <= 0 or height <= 0:
        raise ImageError(f"the image has no pixels ({width}×{height})", "re-export it")
    own = width / height
    wanted = aspect or own
    common = {
        "channel": channel,
        "quality": rule.quality,
        "max_bytes": rule.max_bytes,
        "ui_corners": rule.ui_corners,
    }
    if rule.sizes and (rule.wide_from is None or wanted >= rule.wide_from):
        if rule.by_aspect and aspect is None:
            w, h = next(size for bound, size in rule.by_aspect if own < bound)
        else:
            w, h = min(rule.sizes, key=lambda s: (abs(math.log(s[0] / s[1] / wanted)), s))
        return VariantSpec(width=w, height=h, fixed=True, **common)  # type: ignore[arg-type]
    box_w, box_h = rule.box or (width, height)
    target = _clamp(wanted, *rule.aspect) if rule.aspect else wanted
    cw, ch = (height * target, height) if target < own else (width, width / target)
    scale = min(1.0, box_w / cw, box_h / ch)
    w, h = max(1, round(cw * scale)), max(1, round(ch * scale))
    return VariantSpec(width=w, height=h, grow=max(0, box_h - h), **common)  # type: ignore[arg-type]


def candidates(
    channel: str, width: int, height: int, aspect: float | None = None
) -> tuple[VariantSpec, ...]:
    """Every size ``channel`` may give a ``width``×``height`` source, the one it prefers first.

    One spec (:func:`spec_for`'s) unless the channel has several fixed sizes for this source and
    the post asks for no ``aspect``; then the preferred size, followed by the channel's other
    sizes in its ``sizes`` order (nearest aspect first when it has no ``by_aspect``).
    """
    first = spec_for(channel, width, height, aspect)
    rule = CHANNEL_RULES[channel]
    if not first.fixed or aspect is not None or len(rule.sizes) < 2:
        return (first,)
    rest = [s for s in rule.sizes if s != (first.width, first.height)]
    if not rule.by_aspect:
        own = width / height
        rest.sort(key=lambda s: (abs(math.log(s[0] / s[1] / own)), s))
    return (first, *(dataclasses.replace(first, width=w, height=h) for w, h in rest))


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
