"""Branding that never hides the picture: the visual test, the banner's words, the logo, fits.

The visual test does not compare with golden images (they would freeze today's choices): it
takes pictures whose whole area is detail (no calm place for a banner or a logo) and whose
aspect already matches the target, and checks that every variant still holds the entire
picture, scaled, with the banner outside it.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from cmpub.render import saliency
from cmpub.render.images import (
    CHANNEL_RULES,
    BrandStyle,
    ImageJob,
    Picture,
    RenderedImage,
    render_variant,
    spec_for,
)

ROOT = Path(__file__).resolve().parents[2]
FONT = str(ROOT / "assets" / "brand" / "fonts" / "brand.ttf")
LOGO = str(ROOT / "assets" / "brand" / "logo.png")
PRIMARY, ACCENT, BACKGROUND = (0x6B, 0x2D, 0x1A), (0xF2, 0xB1, 0x34), (0x1E, 0x14, 0x10)
BRAND = BrandStyle(
    logo=LOGO,
    font=FONT,
    primary="#6b2d1a",
    accent="#f2b134",
    text="#ffffff",
    background="#1e1410",
    fallback_fonts=(),
)


def busy(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """A picture that is detail everywhere: small tiles of random colours with dark outlines."""
    rnd = random.Random(seed)
    im = Image.new("RGB", size)
    d = ImageDraw.Draw(im)
    step = max(16, min(size) // 24)
    for y in range(0, size[1], step):
        for x in range(0, size[0], step):
            colour = tuple(rnd.randrange(60, 256) for _ in range(3))
            d.rectangle((x, y, x + step - 1, y + step - 1), fill=colour, outline=(0, 0, 0), width=2)
    return im


def decode(r: RenderedImage) -> Image.Image:
    im = Image.open(io.BytesIO(r.data))
    im.load()
    return im.convert("RGB")


def near(p: tuple[int, ...], q: tuple[int, ...], tol: int = 14) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(p, q, strict=True))


def picture_box(im: Image.Image) -> tuple[int, int, int, int]:
    """The bounding box of the picture: what is neither padding nor the brand's band.

    Band rows are those mostly in the brand colours (their text and logo included); in the
    other rows, a pixel that is not the padding's background colour is picture, and the box
    spans the rows and columns that are mostly picture.
    """
    px = np.asarray(im.convert("RGB")).astype(np.int16)

    def is_colour(c: tuple[int, int, int], tol: int) -> np.ndarray:
        return (np.abs(px - np.array(c, dtype=np.int16)) <= tol).all(axis=2)

    # JPEG's 4:2:0 chroma smears the thin accent rule: a wide tolerance for it.
    band_rows = (is_colour(PRIMARY, 30) | is_colour(ACCENT, 80)).mean(axis=1) > 0.3
    picture = ~is_colour(BACKGROUND, 24) & ~band_rows[:, None]
    # Rows and columns that are mostly picture (JPEG blurs a pixel or two at each border).
    xs = np.nonzero(picture.mean(axis=0) > 0.5 * picture.mean(axis=0).max())[0]
    ys = np.nonzero(picture.mean(axis=1) > 0.5 * picture.mean(axis=1).max())[0]
    assert len(xs) and len(ys), "no picture at all"
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


#: (channel, target size): the fixed sizes of the networks, each given a picture of its aspect.
TARGETS = [
    ("instagram", (1080, 1350)),
    ("instagram", (1080, 1080)),
    ("instagram", (1080, 566)),
    ("linkedin", (1200, 627)),
    ("linkedin", (1200, 1200)),
    ("x", (1600, 900)),
    ("og", (1200, 630)),
]


@pytest.mark.parametrize("asked", [True, False], ids=["asked", "chosen"])
@pytest.mark.parametrize(
    ("channel", "size"), TARGETS, ids=[f"{c}-{w}x{h}" for c, (w, h) in TARGETS]
)
def test_busy_picture_stays_whole_with_the_banner_outside(
    tmp_path: Path, channel: str, size: tuple[int, int], asked: bool
) -> None:
    """Each fixed size, asked for with ``aspect:``, and the size the channel chooses itself.

    The channel may choose another of its sizes for the busy picture and its banner (a square
    one goes to 4:5, where it keeps the full width above the band): the picture stays whole.
    """
    source = busy(size)
    path = tmp_path / "busy.png"
    source.save(path)
    spec = spec_for(channel, *size)
    assert (spec.width, spec.height) == size  # the aspect already matches the target
    aspect = size[0] / size[1] if asked else None
    job = ImageJob(str(path), channel, cta_text="Réserver ma place", brand=BRAND, aspect=aspect)
    out = decode(render_variant(job))
    if asked:
        assert out.size == size
    else:
        assert out.size in CHANNEL_RULES[channel].sizes
    size = out.size
    x0, y0, x1, y1 = picture_box(out)
    # The whole picture, aspect kept: nothing cropped away.
    assert (x1 - x0) / (y1 - y0) == pytest.approx(source.width / source.height, rel=0.03)
    # Compared scaled with the source, block by block: no banner and no logo on it.
    shown = out.crop((x0, y0, x1, y1))
    expected = source.resize(shown.size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    inner = (3, 3, shown.width - 3, shown.height - 3)  # JPEG blurs the picture's own border
    shown, expected = shown.crop(inner), expected.crop(inner)
    blocks = 8
    for by in range(blocks):
        for bx in range(blocks):
            cell = (
                bx * shown.width // blocks,
                by * shown.height // blocks,
                (bx + 1) * shown.width // blocks,
                (by + 1) * shown.height // blocks,
            )
            a = shown.crop(cell).resize((4, 4), Image.Resampling.BOX).get_flattened_data()
            b = expected.crop(cell).resize((4, 4), Image.Resampling.BOX).get_flattened_data()
            error = sum(
                abs(p - q) for pa, pb in zip(a, b, strict=True) for p, q in zip(pa, pb, strict=True)
            )
            assert error / (16 * 3) < 16, (channel, size, bx, by)
    # The banner is there, outside the picture: rows of the brand colour below it.
    below = np.asarray(out.crop((0, y1, size[0], size[1])), dtype=np.int16)
    primary = (np.abs(below - np.array(PRIMARY, dtype=np.int16)) <= 10).all(axis=2)
    assert (primary.mean(axis=1) > 0.4).sum() >= 0.06 * size[1]


def test_the_visual_test_can_fail() -> None:
    """The check above sees a banner laid over a picture (the old defect)."""
    source = busy((1200, 630))
    covered = source.copy()
    ImageDraw.Draw(covered).rectangle((0, 530, 1200, 630), fill=PRIMARY)
    x0, y0, x1, y1 = picture_box(covered)
    assert (x1 - x0) / (y1 - y0) != pytest.approx(1200 / 630, rel=0.03)


# --------------------------------------------------------------------------- fit


def card(size: tuple[int, int] = (2000, 1250)) -> Image.Image:
    """A text-heavy card: rows of dark words on cream, edge to edge like the hours card."""
    from PIL import ImageFont

    im = Image.new("RGB", size, (246, 234, 214))
    d = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, size[1] // 18)
    for i in range(9):
        y = size[1] * (i + 0.6) / 10
        d.text((size[0] * 0.04, y), f"Samedi {i + 2} janvier", font=font, fill=(40, 20, 10))
        d.text((size[0] * 0.62, y), "10 h – 18 h", font=font, fill=(110, 40, 20))
    return im


def test_text_heavy_picture_is_contained_not_cropped(tmp_path: Path) -> None:
    path = tmp_path / "card.png"
    card().save(path)
    a = saliency.analyse(str(path), None, BACKGROUND)
    assert a.text_heavy and len(a.text) >= 9
    out = decode(render_variant(ImageJob(str(path), "linkedin", brand=BRAND)))  # 1200×1200
    x0, y0, x1, y1 = picture_box(out)
    assert (x1 - x0) / (y1 - y0) == pytest.approx(1.6, rel=0.03)  # whole, padded at the sides
    assert y1 - y0 >= 620
    forced = decode(render_variant(ImageJob(str(path), "linkedin", brand=BRAND, fit="cover")))
    x0, y0, x1, y1 = picture_box(forced)
    assert x1 - x0 >= 1195 and y1 - y0 >= 620  # fit: cover crops, as asked


def test_calm_strip_carries_the_banner_over_the_picture(tmp_path: Path) -> None:
    """A picture with a plain sky on top: the banner goes there, the picture is not shrunk."""
    im = Image.new("RGB", (1600, 900), (170, 200, 235))
    im.paste(busy((1600, 600), seed=3), (0, 300))
    path = tmp_path / "sky.png"
    im.save(path)
    style = BrandStyle(
        font=FONT,
        primary="#6b2d1a",
        text="#ffffff",
        cta_position="top",
        background="#1e1410",
        fallback_fonts=(),
    )
    out = decode(render_variant(ImageJob(str(path), "x", cta_text="Book a seat", brand=style)))
    assert out.size == (1600, 900)
    assert near(out.getpixel((5, 5)), PRIMARY)  # the band, at the top, over the sky
    assert near(out.getpixel((5, 250)), (170, 200, 235))  # the sky below it
    assert out.getpixel((800, 899)) != BACKGROUND  # no padding: the picture fills the canvas


# --------------------------------------------------------------------------- logo


def with_logo(size: tuple[int, int], where: tuple[int, int], diameter: int) -> Image.Image:
    im = Image.new("RGB", size, (235, 225, 205))
    ImageDraw.Draw(im).rectangle((0, size[1] * 2 // 3, size[0], size[1]), fill=(150, 105, 70))
    logo = Image.open(LOGO).convert("RGBA").resize((diameter, diameter), Image.Resampling.LANCZOS)
    im.paste(logo, where, logo)
    return im


def test_no_logo_stamped_on_a_picture_that_carries_it(tmp_path: Path) -> None:
    path = tmp_path / "card.png"
    with_logo((2000, 1250), (1700, 80), 200).save(path)
    a = saliency.analyse(str(path), LOGO, BACKGROUND)
    assert len(a.logos) == 1
    x0, y0, x1, y1 = a.logos[0]
    assert (x0, y0) == (pytest.approx(0.85, abs=0.02), pytest.approx(0.064, abs=0.02))
    assert (x1, y1) == (pytest.approx(0.95, abs=0.02), pytest.approx(0.224, abs=0.03))
    plain = tmp_path / "plain.png"
    Image.new("RGB", (2000, 1250), (235, 225, 205)).save(plain)
    assert saliency.analyse(str(plain), LOGO, BACKGROUND).logos == ()

    def logo_pixels(p: Path, **kw: object) -> int:
        out = decode(render_variant(ImageJob(str(p), "mastodon", brand=BRAND, **kw)))  # type: ignore[arg-type]
        gold = [
            c for c in out.get_flattened_data() if c[0] > 200 and 140 < c[1] < 200 and c[2] < 90
        ]
        return len(gold)

    base = logo_pixels(path)
    assert logo_pixels(plain) > 500  # stamped where the picture has none
    assert logo_pixels(path, logo="always") > base + 500  # true: stamped all the same
    assert logo_pixels(plain, logo="never") == 0


def test_a_carousel_puts_the_logo_in_one_corner_and_instagram_crops_alike(tmp_path: Path) -> None:
    left = tmp_path / "left.png"  # busy on the left: only the right corners are calm
    im = Image.new("RGB", (1200, 1500), (235, 225, 205))  # 4:5: the first image gets 4:5
    im.paste(busy((600, 1500), seed=5), (0, 0))
    im.save(left)
    square = tmp_path / "square.png"
    Image.new("RGB", (1500, 1500), (235, 225, 205)).save(square)
    carousel = (Picture(str(left), banner=None), Picture(str(square)))
    outs = [
        decode(
            render_variant(ImageJob(p.source, "instagram", brand=BRAND, carousel=carousel, index=i))
        )
        for i, p in enumerate(carousel)
    ]
    assert [o.size for o in outs] == [(1080, 1350), (1080, 1350)]  # the first image decides
    lonely = decode(render_variant(ImageJob(str(square), "instagram", brand=BRAND)))
    assert lonely.size == (1080, 1080)

    def corner_of_logo(out: Image.Image) -> str:
        w, h = out.size
        cells = {
            "top-left": (0, 0, w // 4, h // 4),
            "top-right": (3 * w // 4, 0, w, h // 4),
            "bottom-left": (0, 3 * h // 4, w // 4, h),
            "bottom-right": (3 * w // 4, 3 * h // 4, w, h),
        }

        def gold(box: tuple[int, int, int, int]) -> int:
            return sum(
                1
                for c in out.crop(box).get_flattened_data()
                if c[0] > 200 and 140 < c[1] < 200 and c[2] < 90
            )

        return max(cells, key=lambda k: gold(cells[k]))

    assert corner_of_logo(outs[0]) == corner_of_logo(outs[1]) == "bottom-right"


# --------------------------------------------------------------------------- faces

#: NASA's portrait of astronaut Eileen Collins (public domain, as shipped by scikit-image's data).
ASTRONAUT = ROOT / "tests" / "fixtures" / "astronaut.jpg"


def test_a_face_is_found_and_the_banner_stays_off_it() -> None:
    a = saliency.analyse(str(ASTRONAUT), None, BACKGROUND)
    ((x0, y0, x1, y1),) = a.faces  # her face, widened to the head
    assert 0.25 < x0 < 0.35 and 0.5 < x1 < 0.62 and y0 < 0.1 and 0.3 < y1 < 0.45
    top = BrandStyle(
        font=FONT,
        primary="#6b2d1a",
        text="#ffffff",
        background="#1e1410",
        cta_position="top",
        fallback_fonts=(),
    )
    out = decode(
        render_variant(ImageJob(str(ASTRONAUT), "instagram", cta_text="Rencontre", brand=top))
    )
    # 4:5, not 1:1: the square picture cannot be cropped to leave room for the band, and 4:5
    # keeps it whole at full width under the band (on 1:1 it would shrink to 89 %).
    assert out.size == (1080, 1350)
    px0, py0, px1, _py1 = picture_box(out)
    assert py0 > 0 and near(out.getpixel((5, 5)), PRIMARY)  # the band is above the picture
    k = (px1 - px0) / 512
    face = out.crop(
        (
            px0 + round(0.33 * 512 * k),
            py0 + round(0.1 * 512 * k),
            px0 + round(0.55 * 512 * k),
            py0 + round(0.35 * 512 * k),
        )
    )
    src = Image.open(ASTRONAUT).convert("RGB").crop((169, 51, 282, 179)).resize(face.size)
    diff = np.abs(np.asarray(face, dtype=np.int16) - np.asarray(src, dtype=np.int16)).mean()
    assert diff < 12  # the face is there, uncovered


# --------------------------------------------------------------------------- sizes chosen by eye


def photo(size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    """A product shot that crops harmlessly: a cup-sized disc in the middle of a calm table."""
    im = Image.new("RGB", size, (226, 206, 176))
    d = ImageDraw.Draw(im)
    r = min(size) // 6
    cx, cy = size[0] // 2, size[1] // 2
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(120, 60, 30), outline=(40, 20, 10), width=6)
    return im


def shows_whole(out: Image.Image, aspect: float) -> tuple[int, int, int, int]:
    """The picture's box on ``out``, asserting it is the whole picture (its aspect kept)."""
    x0, y0, x1, y1 = picture_box(out)
    assert (x1 - x0) / (y1 - y0) == pytest.approx(aspect, rel=0.03)
    return x0, y0, x1, y1


def test_instagram_chooses_its_size_after_looking_at_the_picture(tmp_path: Path) -> None:
    text, shot, wide = tmp_path / "card.png", tmp_path / "shot.png", tmp_path / "wide.png"
    card((2000, 1250)).save(text)  # 16:10, rows of text edge to edge: must stay whole
    photo().save(shot)  # 3:2, a subject in the middle of calm space
    card((1920, 1080)).save(wide)  # 16:9 text
    out = decode(render_variant(ImageJob(str(text), "instagram", brand=BRAND)))
    assert out.size == (1080, 1080)  # not 1080×1350 with bands taller than the picture
    x0, _, x1, _ = shows_whole(out, 1.6)
    assert x1 - x0 >= 1075  # at full width
    out = decode(render_variant(ImageJob(str(shot), "instagram", brand=BRAND)))
    assert out.size == (1080, 1350)  # the tallest feed format, filled by a harmless crop
    assert picture_box(out) == (0, 0, 1080, 1350)
    assert near(out.getpixel((540, 675)), (120, 60, 30), 20)  # the subject kept in the middle
    out = decode(render_variant(ImageJob(str(wide), "instagram", brand=BRAND)))
    assert out.size == (1080, 566)  # 16:9: 1.91:1 keeps it at 93 % width with little padding
    shows_whole(out, 16 / 9)
    # A ratio the post asks for still wins, and fit: contain never crops.
    asked = ImageJob(str(shot), "instagram", brand=BRAND, aspect=1.0)
    assert decode(render_variant(asked)).size == (1080, 1080)
    whole = decode(render_variant(ImageJob(str(shot), "instagram", brand=BRAND, fit="contain")))
    assert whole.size == (1080, 1080)  # 3:2 whole: full width, half the padding of 4:5
    shows_whole(whole, 1.5)


def test_linkedin_chooses_likewise(tmp_path: Path) -> None:
    text, shot, wide = tmp_path / "card.png", tmp_path / "shot.png", tmp_path / "wide.png"
    card((2000, 1250)).save(text)
    photo().save(shot)
    card((1920, 1080)).save(wide)
    out = decode(render_variant(ImageJob(str(text), "linkedin", brand=BRAND)))
    assert out.size == (1200, 1200)  # whole at full width (1200×627 would shrink it to 84 %)
    x0, _, x1, _ = shows_whole(out, 1.6)
    assert x1 - x0 >= 1195
    out = decode(render_variant(ImageJob(str(shot), "linkedin", brand=BRAND)))
    assert out.size == (1200, 1200) and picture_box(out) == (0, 0, 1200, 1200)  # cropped
    out = decode(render_variant(ImageJob(str(wide), "linkedin", brand=BRAND)))
    assert out.size == (1200, 627)
    shows_whole(out, 16 / 9)


def test_the_first_picture_of_a_carousel_decides_every_cards_size(tmp_path: Path) -> None:
    text, shot = tmp_path / "card.png", tmp_path / "shot.png"
    card((2000, 1250)).save(text)
    photo().save(shot)
    alone = decode(render_variant(ImageJob(str(shot), "instagram", brand=BRAND)))
    assert alone.size == (1080, 1350)

    def render(carousel: tuple[Picture, ...]) -> list[RenderedImage]:
        return [
            render_variant(ImageJob(p.source, "instagram", brand=BRAND, carousel=carousel, index=i))
            for i, p in enumerate(carousel)
        ]

    # The text card first: every card is 1:1 (Instagram crops them all like the first).
    first_text = (Picture(str(text)), Picture(str(shot)))
    outs = render(first_text)
    assert [(r.width, r.height) for r in outs] == [(1080, 1080), (1080, 1080)]
    assert [r.data for r in render(first_text)] == [r.data for r in outs]  # deterministic
    # The photo first: 4:5 for every card, the text card shown whole on it.
    outs = render((Picture(str(shot)), Picture(str(text))))
    assert [(r.width, r.height) for r in outs] == [(1080, 1350), (1080, 1350)]
    shows_whole(decode(outs[1]), 1.6)
    # LinkedIn shows each image of a multi-image post on its own: each keeps its own choice.
    wide = tmp_path / "wide.png"
    card((1920, 1080)).save(wide)
    pair = (Picture(str(text)), Picture(str(wide)))
    linkedin = [
        render_variant(ImageJob(p.source, "linkedin", brand=BRAND, carousel=pair, index=i))
        for i, p in enumerate(pair)
    ]
    assert [(r.width, r.height) for r in linkedin] == [(1200, 1200), (1200, 627)]
