"""Image variants: sizes, focal crops, safety, colour modes, metadata, branding, byte caps."""

from __future__ import annotations

import io
import pickle
import resource
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageFile

from cmpub.model.project import Brand
from cmpub.platforms import RULES
from cmpub.render import _fonts, _imageio
from cmpub.render.images import (
    CHANNEL_RULES,
    CHANNELS,
    BrandStyle,
    ImageError,
    ImageJob,
    RenderedImage,
    aa_minimum,
    candidates,
    contrast_ratio,
    crop_box,
    parse_color,
    relative_luminance,
    render_variant,
    spec_for,
)

ROOT = Path(__file__).resolve().parents[2]
BRAND_FONT = str(ROOT / "assets" / "brand" / "fonts" / "brand.ttf")  # DejaVu Sans Bold
EMOJI_FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"

# A brand with no fallback fonts: the tests do not depend on what the machine has installed.
PLAIN = BrandStyle(font=BRAND_FONT, fallback_fonts=())


def make(tmp_path: Path, name: str, im: Image.Image, **save: object) -> str:
    """Save ``im`` under ``tmp_path`` and return the absolute path."""
    path = tmp_path / name
    im.save(path, **save)
    return str(path)


def decode(r: RenderedImage) -> Image.Image:
    """The rendered bytes as a loaded Pillow image."""
    im = Image.open(io.BytesIO(r.data))
    im.load()
    return im


def jpeg_markers(data: bytes) -> list[int]:
    """The marker codes of a JPEG's header segments, up to the start of scan."""
    assert data[:2] == b"\xff\xd8"
    i, out = 2, []
    while i < len(data):
        marker = data[i + 1]
        out.append(marker)
        if marker == 0xDA:
            break
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        i += 2 + length
    return out


# --------------------------------------------------------------------------- sizes


@pytest.mark.parametrize(
    ("channel", "source", "expected"),
    [
        # spec_for is the first choice, before the picture is measured (see candidates)
        ("instagram", (2400, 1600), (1080, 1350)),  # 3:2: 4:5 first
        ("instagram", (1600, 1200), (1080, 1350)),  # 4:3 likewise
        ("instagram", (1920, 1080), (1080, 566)),  # 16:9 and wider: 1.91:1
        ("instagram", (1600, 1600), (1080, 1080)),
        ("instagram", (1200, 1600), (1080, 1350)),
        ("instagram", (500, 2000), (1080, 1350)),  # 1:4 → the 4:5 bound
        ("bluesky", (2400, 1600), (2000, 1333)),
        ("bluesky", (4000, 500), (1500, 500)),  # 8:1 clamped to 3:1, never enlarged
        ("bluesky", (800, 600), (800, 600)),
        ("mastodon", (2400, 1600), (1920, 1280)),
        ("x", (2400, 1600), (1600, 900)),
        ("x", (1200, 1600), (1200, 1600)),  # portrait keeps its aspect
        ("x", (1000, 4000), (800, 1600)),  # 1:4 clamped to 1:2
        ("threads", (2400, 1600), (1440, 960)),
        ("threads", (4000, 500), (1440, 180)),
        ("linkedin", (2400, 1600), (1200, 1200)),  # 1:1 first up to 1.7:1 (was 1.91:1)
        ("linkedin", (1920, 1080), (1200, 627)),
        ("linkedin", (1200, 1600), (1200, 1200)),
        ("facebook", (2400, 1600), (1200, 800)),
        ("site", (2400, 1600), (1600, 1067)),
        ("site", (1000, 700), (1000, 700)),
        ("og", (800, 1200), (1200, 630)),
    ],
)
def test_spec_sizes_per_channel(
    channel: str, source: tuple[int, int], expected: tuple[int, int]
) -> None:
    spec = spec_for(channel, *source)
    assert (spec.width, spec.height) == expected
    assert spec.format == "JPEG" and spec.media_type == "image/jpeg"


def test_candidates_list_the_sizes_a_channel_prefers_in_order() -> None:
    def sizes(channel: str, w: int, h: int, aspect: float | None = None) -> list[tuple[int, int]]:
        return [(s.width, s.height) for s in candidates(channel, w, h, aspect)]

    assert sizes("instagram", 2400, 1600) == [(1080, 1350), (1080, 1080), (1080, 566)]
    assert sizes("instagram", 1600, 1600) == [(1080, 1080), (1080, 1350), (1080, 566)]
    assert sizes("instagram", 1920, 1080) == [(1080, 566), (1080, 1350), (1080, 1080)]
    assert sizes("linkedin", 2400, 1600) == [(1200, 1200), (1200, 627)]
    assert sizes("linkedin", 1920, 1080) == [(1200, 627), (1200, 1200)]
    assert sizes("instagram", 2400, 1600, aspect=1.0) == [(1080, 1080)]  # the post asked
    assert sizes("x", 2400, 1600) == [(1600, 900)]  # one fixed size: nothing to choose
    assert sizes("bluesky", 2400, 1600) == [(2000, 1333)]
    assert all(s.fixed and s.max_bytes == 8_000_000 for s in candidates("instagram", 99, 66))


def test_spec_byte_caps_and_unknown_channel() -> None:
    assert spec_for("bluesky", 100, 100).max_bytes == 1_000_000
    assert spec_for("instagram", 100, 100).max_bytes == 8_000_000
    with pytest.raises(ImageError, match="no image variant") as info:
        spec_for("myspace", 100, 100)
    assert "bluesky" in info.value.hint


def test_rules_agree_with_the_platform_modules() -> None:
    """Our sizes stay inside what each platform module states, where it states it."""
    for channel in CHANNELS:
        rules = RULES.get(channel)
        if rules is None:
            continue
        ours = CHANNEL_RULES[channel]
        for size in ours.sizes:
            if rules.aspect_range:
                lo, hi = rules.aspect_range
                assert lo - 0.01 <= size[0] / size[1] <= hi + 0.01, (channel, size)
        if rules.image_max_bytes and ours.max_bytes:
            assert ours.max_bytes <= rules.image_max_bytes.value, channel
        assert "JPEG" in rules.image_formats, channel
    assert RULES["instagram"].image_formats == ("JPEG",)


@pytest.mark.parametrize("source", [(2400, 1600), (600, 1800), (3000, 800), (1000, 1000)])
def test_instagram_is_jpeg_within_its_aspect_range(tmp_path: Path, source: tuple[int, int]) -> None:
    src = make(tmp_path, "a.png", Image.new("RGBA", source, (200, 120, 40, 255)))
    r = render_variant(ImageJob(src, "instagram", brand=PLAIN))
    im = decode(r)
    assert im.format == "JPEG" and r.media_type == "image/jpeg"
    assert 4 / 5 - 0.001 <= im.width / im.height <= 1.91 + 0.001
    assert (im.width, im.height) == (r.width, r.height)


def test_every_channel_renders_its_spec(tmp_path: Path) -> None:
    src = make(tmp_path, "a.jpg", Image.new("RGB", (1200, 800), (90, 140, 200)), quality=90)
    for channel in CHANNELS:
        spec = spec_for(channel, 1200, 800)
        r = render_variant(ImageJob(src, channel, brand=PLAIN))
        assert (r.width, r.height) == (spec.width, spec.height), channel
        assert decode(r).size == (r.width, r.height)
        banner = render_variant(ImageJob(src, channel, cta_text="Shop now", brand=PLAIN))
        if spec.fixed:  # a required size: the banner goes inside it
            assert (banner.width, banner.height) == (spec.width, spec.height), channel
        else:  # a kept aspect: the band is added under the picture, within the channel's box
            assert banner.width == spec.width and spec.height < banner.height, channel
            assert banner.height <= spec.height + spec.grow, channel


# --------------------------------------------------------------------------- crops


def test_crop_box_keeps_the_focus_and_clamps_to_the_edges() -> None:
    for focus in [(0.5, 0.5), (0.9, 0.2), (0.0, 1.0), (1.0, 0.0), (0.3, 0.7)]:
        x0, y0, x1, y1 = crop_box(3000, 1000, 4 / 5, focus)
        assert x1 - x0 == pytest.approx(800) and y1 - y0 == pytest.approx(1000)
        assert x0 >= 0 and x1 <= 3000 and y0 >= 0 and y1 <= 1000
        assert x0 <= focus[0] * 3000 <= x1 and y0 <= focus[1] * 1000 <= y1
    assert crop_box(3000, 1000, 4 / 5, (0.5, 0.5))[0] == pytest.approx(1100)  # centred
    assert crop_box(3000, 1000, 4 / 5, (0.99, 0.5))[2] == pytest.approx(3000)  # clamped


def test_focus_crop_keeps_the_focal_point(tmp_path: Path) -> None:
    im = Image.new("RGB", (3000, 1000), (240, 240, 240))
    im.paste((255, 0, 0), (2650, 450, 2750, 550))  # a red square around (0.9, 0.5)
    src = make(tmp_path, "wide.png", im)

    def reds(focus: tuple[float, float]) -> int:
        job = ImageJob(src, "instagram", focus=focus, brand=PLAIN, fit="cover")
        out = decode(render_variant(job))
        return sum(1 for r, g, b in out.get_flattened_data() if r > 200 and g < 60 and b < 60)

    assert reds((0.9, 0.5)) > 1000
    assert reds((0.1, 0.5)) == 0


# --------------------------------------------------------------------------- metadata


def test_exif_orientation_applied_and_metadata_stripped(tmp_path: Path) -> None:
    stored = Image.new("RGB", (1600, 1200), (30, 30, 200))
    stored.paste((255, 0, 0), (0, 0, 200, 200))  # red in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "CameraMaker"
    exif[0x0132] = "2026:11:27 09:00:00"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    src = make(tmp_path, "o6.jpg", stored, exif=exif.tobytes(), icc_profile=icc, comment=b"secret")
    r = render_variant(ImageJob(src, "mastodon", brand=PLAIN))
    out = decode(r)
    assert (r.width, r.height) == (1200, 1600)  # displayed as a portrait
    assert out.getpixel((1100, 100))[0] > 200  # red went to the top-right
    assert out.getpixel((100, 100))[2] > 150
    assert not out.getexif() and "icc_profile" not in out.info and "comment" not in out.info
    markers = jpeg_markers(r.data)
    assert 0xE1 not in markers and 0xE2 not in markers and 0xFE not in markers  # EXIF, ICC, COM
    assert b"CameraMaker" not in r.data and b"2026:11:27" not in r.data and b"secret" not in r.data


def test_png_text_chunks_do_not_survive(tmp_path: Path) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Someone Private")
    src = make(tmp_path, "t.png", Image.new("RGB", (400, 300), "white"), pnginfo=info)
    r = render_variant(ImageJob(src, "site", brand=PLAIN))
    assert b"Someone Private" not in r.data


# --------------------------------------------------------------------------- byte caps


def noisy(tmp_path: Path, size: tuple[int, int] = (1600, 1200)) -> str:
    """A photo-noise PNG that JPEG compresses badly (q90 ≈ 1.7 MB at 1600×1200)."""
    im = Image.merge("RGB", [Image.effect_noise(size, 80) for _ in range(3)])
    return make(tmp_path, "noise.png", im)


def test_bluesky_byte_cap_lowers_quality_then_size(tmp_path: Path) -> None:
    src = noisy(tmp_path)
    r = render_variant(ImageJob(src, "bluesky", brand=PLAIN))
    assert len(r.data) <= 1_000_000 and r.quality is not None and 50 <= r.quality < 90
    assert (r.width, r.height) == (1600, 1200)

    small = render_variant(ImageJob(src, "bluesky", brand=PLAIN, max_bytes=250_000))
    assert len(small.data) <= 250_000 and small.width < 1600
    assert any("scaled down" in w for w in small.warnings)
    assert small.width / small.height == pytest.approx(4 / 3, abs=0.01)

    with pytest.raises(ImageError, match="cannot be made smaller than 1,000 bytes"):
        render_variant(ImageJob(src, "bluesky", brand=PLAIN, max_bytes=1000))


# --------------------------------------------------------------------------- contrast


def test_contrast_ratio_on_known_pairs() -> None:
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000") == pytest.approx(21.0)
    assert contrast_ratio("#336699", "#336699") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # lightest AA grey
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance((0, 0, 0)) == 0.0
    assert contrast_ratio("#ffffff", "#6b2d1a") > 10  # the demo brand passes
    assert aa_minimum(16, bold=False) == 4.5
    assert aa_minimum(24, bold=False) == 3.0
    assert aa_minimum(19, bold=True) == 3.0 and aa_minimum(18, bold=True) == 4.5
    assert parse_color("#AbC") == (0xAA, 0xBB, 0xCC)
    with pytest.raises(ImageError, match="not a colour"):
        parse_color("brown")


def band_pixel(r: RenderedImage) -> tuple[int, int, int]:
    """A pixel of the (bottom) banner, near its left end, away from the text."""
    im = decode(r)
    return im.getpixel((3, im.height - 4))  # type: ignore[return-value]


def test_brand_colours_that_pass_are_used(tmp_path: Path) -> None:
    src = make(tmp_path, "w.png", Image.new("RGB", (1200, 800), "white"))
    brand = BrandStyle(font=BRAND_FONT, primary="#6b2d1a", text="#ffffff", fallback_fonts=())
    r = render_variant(ImageJob(src, "site", cta_text="Commandez", brand=brand))
    assert all(abs(a - b) <= 6 for a, b in zip(band_pixel(r), (0x6B, 0x2D, 0x1A), strict=True))
    assert not any("contrast" in w for w in r.warnings)


def test_fallback_scrim_when_brand_colours_fail_aa(tmp_path: Path) -> None:
    src = make(tmp_path, "w.png", Image.new("RGB", (1200, 800), "white"))
    brand = BrandStyle(font=BRAND_FONT, primary="#ffff66", text="#ffffff", fallback_fonts=())
    r = render_variant(ImageJob(src, "site", cta_text="Commandez", brand=brand))
    pixel = band_pixel(r)
    assert max(pixel) < 70  # a dark scrim, not the yellow
    assert contrast_ratio("#ffffff", pixel) >= 4.5
    assert any("contrast of 1.0" in w and "scrim" in w for w in r.warnings)


# --------------------------------------------------------------------------- banner text


def test_banner_text_stays_inside_its_band_and_margins(tmp_path: Path) -> None:
    src = make(tmp_path, "k.png", Image.new("RGB", (1080, 1080), "black"))
    brand = BrandStyle(font=BRAND_FONT, primary="#000000", text="#ffffff", fallback_fonts=())
    cta = "Commandez dès aujourd'hui sur brulerie-canuts.example, livraison offerte à Lyon"
    r = render_variant(ImageJob(src, "instagram", cta_text=cta, brand=brand))
    im = decode(r).convert("L").point(lambda v: 255 if v > 128 else 0)
    left, top, right, bottom = im.getbbox()  # type: ignore[misc]
    margin = round(1080 * 0.07)
    assert left >= margin - 2 and right <= 1080 - margin + 2
    assert top >= 1080 * 0.8 - 2 and bottom <= 1080  # within the bottom 20 %
    assert right - left > 1080 * 0.5  # and not shrunk to nothing


def test_cta_position_top_and_no_banner_without_text(tmp_path: Path) -> None:
    src = make(tmp_path, "k.png", Image.new("RGB", (1200, 800), (0, 200, 0)))
    top = BrandStyle(font=BRAND_FONT, primary="#000000", cta_position="top", fallback_fonts=())
    im = decode(render_variant(ImageJob(src, "site", cta_text="Hello", brand=top)))
    assert max(im.getpixel((3, 3))) < 20 and im.getpixel((3, 796))[1] > 150
    im = decode(render_variant(ImageJob(src, "site", cta_text=None, brand=top)))
    assert im.getpixel((3, 3))[1] > 150 and im.getpixel((3, 796))[1] > 150


def test_cta_too_long_or_too_many_lines(tmp_path: Path) -> None:
    src = make(tmp_path, "k.png", Image.new("RGB", (600, 400), "white"))
    with pytest.raises(ImageError, match="too long for the banner"):
        render_variant(ImageJob(src, "site", cta_text="word " * 80, brand=PLAIN))
    with pytest.raises(ImageError, match="3 lines"):
        render_variant(ImageJob(src, "site", cta_text="a\nb\nc", brand=PLAIN))


def ascii_only_font(tmp_path: Path) -> str:
    """The brand font cut down to ASCII: it lacks é, ç, œ (and, like it, CJK and emoji)."""
    from fontTools import subset

    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables += ["FFTM"]
    font = subset.load_font(BRAND_FONT, options)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=range(0x20, 0x7F))
    sub.subset(font)
    path = tmp_path / "ascii.ttf"
    font.save(str(path))
    font.close()
    return str(path)


def test_glyph_coverage_warns_and_falls_back(tmp_path: Path) -> None:
    src = make(tmp_path, "k.png", Image.new("RGB", (1200, 800), "white"))
    font = ascii_only_font(tmp_path)
    cta = "Café crème 日本 🎉"
    alone = BrandStyle(font=font, fallback_fonts=())
    r = render_variant(ImageJob(src, "site", cta_text=cta, brand=alone))
    (note,) = r.warnings
    assert "no available font has a glyph for éè日本🎉" in note
    assert "U+00E9 U+00E8 U+65E5 U+672C U+1F389" in note

    helped = BrandStyle(font=font, fallback_fonts=(BRAND_FONT,))
    r = render_variant(ImageJob(src, "site", cta_text=cta, brand=helped))
    assert any(
        "has no glyph for éè (U+00E9 U+00E8)" in w and "fallback font DejaVu Sans Bold" in w
        for w in r.warnings
    )
    assert any("no available font has a glyph for 日本🎉" in w for w in r.warnings)


def test_brand_font_with_accents_needs_no_fallback(tmp_path: Path) -> None:
    src = make(tmp_path, "k.png", Image.new("RGB", (1200, 800), "white"))
    r = render_variant(ImageJob(src, "site", cta_text="Œufs, café, ÉTÉ, ça", brand=PLAIN))
    assert r.warnings == ()


@pytest.mark.skipif(
    not (Path(EMOJI_FONT).exists() and Path(CJK_FONT).exists()),
    reason="needs Debian's fonts-noto-color-emoji and fonts-noto-cjk",
)
def test_cjk_and_emoji_drawn_with_installed_fallbacks(tmp_path: Path) -> None:
    src = make(tmp_path, "k.png", Image.new("RGB", (1200, 800), "white"))
    brand = BrandStyle(font=BRAND_FONT, primary="#000000", fallback_fonts=(CJK_FONT, EMOJI_FONT))
    r = render_variant(ImageJob(src, "site", cta_text="Café 日本 🎉", brand=brand))
    assert not any("no available font" in w for w in r.warnings)
    assert any("日本" in w and "Noto Sans CJK" in w for w in r.warnings)
    assert any("🎉" in w and "Noto Color Emoji" in w for w in r.warnings)
    im = decode(r)
    band = im.crop((0, im.height - 160, im.width, im.height))
    colours = {
        p for p in band.get_flattened_data() if max(p) - min(p) > 80
    }  # the emoji is in colour
    assert len(colours) > 20


def test_missing_or_unreadable_font_and_logo(tmp_path: Path) -> None:
    src = make(tmp_path, "k.png", Image.new("RGB", (600, 400), "white"))
    missing = str(tmp_path / "nope.ttf")
    with pytest.raises(ImageError, match=r"brand font file is missing: .*nope\.ttf"):
        render_variant(ImageJob(src, "site", cta_text="Hi", brand=BrandStyle(font=missing)))
    bad = tmp_path / "bad.ttf"
    bad.write_text("not a font")
    with pytest.raises(ImageError, match=r"font file .*bad\.ttf cannot be read") as info:
        render_variant(ImageJob(src, "site", cta_text="Hi", brand=BrandStyle(font=str(bad))))
    assert "brand.font" in info.value.hint
    no_logo = BrandStyle(logo=str(tmp_path / "logo.png"), fallback_fonts=())
    with pytest.raises(ImageError, match=r"brand logo file is missing: .*logo\.png"):
        render_variant(ImageJob(src, "site", brand=no_logo))


# --------------------------------------------------------------------------- logo


def test_logo_goes_outside_the_ui_corners(tmp_path: Path) -> None:
    logo = make(tmp_path, "logo.png", Image.new("RGBA", (200, 200), (0, 255, 0, 255)))
    src = make(tmp_path, "k.png", Image.new("RGB", (1080, 1080), "white"))
    brand = BrandStyle(logo=logo, font=BRAND_FONT, primary="#000000", fallback_fonts=())

    def green(im: Image.Image, x: int, y: int) -> bool:
        r, g, b = im.getpixel((x, y))  # type: ignore[misc]
        return g > 200 and r < 60 and b < 60

    # Instagram, banner at the bottom: top-right holds the carousel counter → top-left.
    im = decode(render_variant(ImageJob(src, "instagram", cta_text="Hi", brand=brand)))
    short, margin = 1080 * 0.12, 1080 * 0.04
    inside = round(margin + short / 2)
    assert green(im, inside, inside) and not green(im, 1080 - inside, inside)
    # Mastodon, no banner: bottom-right (top-left and bottom-left hold the UI's buttons).
    im = decode(render_variant(ImageJob(src, "mastodon", brand=brand)))
    assert green(im, 1080 - inside, 1080 - inside)
    assert not green(im, inside, inside) and not green(im, inside, 1080 - inside)


# --------------------------------------------------------------------------- unsafe input


def test_corrupt_truncated_empty_and_foreign_files(tmp_path: Path) -> None:
    good = make(tmp_path, "g.jpg", Image.effect_noise((800, 600), 50).convert("RGB"), quality=90)
    data = Path(good).read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="corrupt or truncated") as info:
        render_variant(ImageJob(str(cut), "site", brand=PLAIN))
    assert info.value.hint == "re-export it"
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ImageError, match="corrupt or truncated"):
        render_variant(ImageJob(str(empty), "site", brand=PLAIN))
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"hello, this is not an image" * 10)
    with pytest.raises(ImageError, match="not an image"):
        render_variant(ImageJob(str(junk), "site", brand=PLAIN))
    with pytest.raises(ImageError, match="missing"):
        render_variant(ImageJob(str(tmp_path / "gone.jpg"), "site", brand=PLAIN))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width``×``height`` and carries one tiny IDAT chunk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_huge_images_and_bombs_are_refused_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "huge.png"
    huge.write_bytes(png_header_only(20000, 20000))
    bomb = make(tmp_path, "bomb.png", Image.new("1", (10000, 10000)))  # 100 MP in ~12 KB
    jpeg = bytearray(Path(make(tmp_path, "s.jpg", Image.new("RGB", (64, 64)))).read_bytes())
    sof = jpeg.index(b"\xff\xc0")
    jpeg[sof + 5 : sof + 9] = struct.pack(">HH", 20000, 20000)  # height, width in SOF0
    big_jpeg = tmp_path / "big.jpg"
    big_jpeg.write_bytes(bytes(jpeg))

    decoded: list[object] = []
    load = ImageFile.ImageFile.load

    def spy(image: ImageFile.ImageFile) -> object:
        decoded.append(image)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for path in (str(huge), bomb, str(big_jpeg)):
        with pytest.raises(ImageError, match="too large to decode safely"):
            render_variant(ImageJob(path, "bluesky", brand=PLAIN))
    assert decoded == []  # refused from the header: no pixel was decoded
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 100 * 1024  # not the 400 MB+ a decode would take


# --------------------------------------------------------------------------- colour modes


def centre(r: RenderedImage) -> tuple[int, int, int]:
    im = decode(r)
    return im.getpixel((im.width // 2, im.height // 2))  # type: ignore[return-value]


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


DARK = BrandStyle(background="#1e1410", fallback_fonts=())


def test_cmyk_jpeg(tmp_path: Path) -> None:
    src = make(tmp_path, "c.jpg", Image.new("CMYK", (400, 300), (0, 255, 255, 0)), quality=95)
    assert close(centre(render_variant(ImageJob(src, "site", brand=DARK))), (255, 0, 0), 20)


def test_sixteen_bit_greyscale_is_scaled_not_clipped(tmp_path: Path) -> None:
    src = make(tmp_path, "g16.png", Image.new("I;16", (400, 300), 32768))
    assert close(centre(render_variant(ImageJob(src, "site", brand=DARK))), (128, 128, 128), 3)


def test_palette_with_transparency_is_flattened_on_the_brand_background(tmp_path: Path) -> None:
    im = Image.new("P", (400, 300), 0)
    im.putpalette([255, 255, 255, 255, 0, 0] + [0] * 762)
    im.paste(1, (0, 0, 100, 100))
    src = make(tmp_path, "p.png", im, transparency=0)
    r = render_variant(ImageJob(src, "site", brand=DARK))
    assert close(centre(r), (0x1E, 0x14, 0x10))
    assert close(decode(r).getpixel((10, 10)), (255, 0, 0), 20)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["RGBA", "LA"])
def test_alpha_is_flattened_on_the_brand_background(tmp_path: Path, mode: str) -> None:
    im = Image.new(mode, (400, 300), (200, 0) if mode == "LA" else (200, 200, 200, 0))
    src = make(tmp_path, "a.png", im)
    assert close(centre(render_variant(ImageJob(src, "site", brand=DARK))), (0x1E, 0x14, 0x10))


def test_animated_gif_gives_its_first_frame_and_a_warning(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (400, 300), c) for c in ((255, 0, 0), (0, 0, 255))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    r = render_variant(ImageJob(str(path), "site", brand=DARK))
    assert close(centre(r), (255, 0, 0), 20)
    assert any("animated" in w and "first frame" in w for w in r.warnings)


def test_small_source_enlarged_whole_for_fixed_sizes(tmp_path: Path) -> None:
    """The renderer enlarges what it must; validate says it is too small (test_image_layout)."""
    src = make(tmp_path, "s.jpg", Image.new("RGB", (400, 300), "white"))
    r = render_variant(ImageJob(src, "og", brand=PLAIN))
    assert (r.width, r.height) == (1200, 630)


# --------------------------------------------------------------------------- determinism


def test_identical_jobs_give_identical_bytes(tmp_path: Path) -> None:
    im = Image.merge("RGB", [Image.effect_noise((1600, 1000), 40) for _ in range(3)])
    src = make(tmp_path, "d.jpg", im, quality=92)
    logo = make(tmp_path, "logo.png", Image.new("RGBA", (100, 100), (0, 200, 0, 128)))
    brand = BrandStyle(
        logo=logo, font=BRAND_FONT, primary="#6b2d1a", accent="#f2b134", fallback_fonts=()
    )
    job = ImageJob(src, "instagram", focus=(0.3, 0.6), cta_text="Commandez, ça part", brand=brand)
    first = render_variant(job)
    _imageio._decoded.clear()  # a fresh process would have empty caches
    _imageio._probe.cache_clear()
    _fonts._face.cache_clear()
    second = render_variant(pickle.loads(pickle.dumps(job)))
    assert first == second and first.data == second.data


def test_jobs_results_and_errors_pickle() -> None:
    job = ImageJob("/x.jpg", "x", cta_text="Hi", brand=PLAIN, max_bytes=10)
    assert pickle.loads(pickle.dumps(job)) == job
    err = pickle.loads(pickle.dumps(ImageError("the image is corrupt", "re-export it")))
    assert (err.message, err.hint) == ("the image is corrupt", "re-export it")


def test_brand_style_from_the_configured_brand(tmp_path: Path) -> None:
    brand = Brand(
        name="B",
        logo="assets/brand/logo.png",
        font="assets/brand/fonts/brand.ttf",
        colors={"primary": "#6b2d1a", "accent": "#f2b134", "background": "#1e1410"},
        cta_position="top",
    )
    style = BrandStyle.from_brand(brand, tmp_path)
    assert style.logo == str(tmp_path / "assets/brand/logo.png")
    assert style.font == str(tmp_path / "assets/brand/fonts/brand.ttf")
    assert (style.primary, style.accent, style.background) == ("#6b2d1a", "#f2b134", "#1e1410")
    assert style.text == "#ffffff"  # not configured: the more readable of white and black
    assert style.cta_position == "top"
